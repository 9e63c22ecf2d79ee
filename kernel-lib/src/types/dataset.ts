import ndarray from 'ndarray';
import { AxisUnits, AXIS_UNITS } from '../display/protocol';
import { ShapeError, ValueError } from '../errors';

export { AxisUnits, AXIS_UNITS };

/** Typed arrays lowdose stores data in. */
export type NumericArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array;

/** A scijs ndarray over a typed array (row-major: `[row, col]`, stacks `[frame, row, col]`). */
export type NdArray = ndarray.NdArray<NumericArray>;

/**
 * Calibration of one axis: the physical coordinate of index i is `offset + i * scale`, in `units`.
 * `name` says what the axis is (`y`, `x`, `frame`, `kx`, `scanRow`, …).
 */
export interface Axis {
  name: string;
  size: number;
  scale: number;
  offset: number;
  units: AxisUnits;
}

/** Metadata: normalised keys (`voltageKV`, `doseEPerA2`, `pixelSizeA`, …) plus anything a file holds. */
export interface Metadata {
  [key: string]: unknown;
}

/** An n-dimensional array with calibrated axes and metadata (like a HyperSpy signal). */
export interface Dataset {
  /** The values; for complex data, the real part. */
  data: NdArray;
  axes: Axis[];
  metadata: Metadata;
  /** Imaginary part of complex data (same shape as `data`); absent for real data. */
  imag?: NdArray;
}

/** Complex data as `{re, im}`: two float ndarrays of one shape. */
export interface ComplexArray {
  re: NdArray;
  im: NdArray;
}

/** `{re, im}` of a complex Dataset (throws ShapeError for real data). */
export function complexOf(ds: Dataset): ComplexArray {
  if (!ds.imag) {
    throw new ShapeError('complexOf: dataset must hold complex data (an imag part); got real data.');
  }
  return { re: ds.data, im: ds.imag };
}

/** Options of {@link makeDataset}. */
export interface DatasetOptions {
  /** One axis per dimension; missing axes are uncalibrated index axes. */
  axes?: Array<Partial<Axis>>;
  metadata?: Metadata;
}

const DEFAULT_AXIS_NAMES: { [ndim: number]: string[] } = {
  1: ['x'],
  2: ['y', 'x'],
  3: ['frame', 'y', 'x'],
  4: ['scanRow', 'scanCol', 'detRow', 'detCol']
};

/**
 * Wraps an ndarray (or a typed array plus shape) into a {@link Dataset}, validating the axes.
 *
 * @param data - ndarray, or a typed array with `shape` given in the options.
 * @throws ShapeError when an axis size disagrees with the array shape.
 * @throws ValueError when a scale is not finite and non-zero or a unit is not in the list.
 * @example
 * const img = makeDataset(ndarray(new Float32Array(64 * 64), [64, 64]),
 *   { axes: [{ scale: 0.5, units: 'A' }, { scale: 0.5, units: 'A' }] });
 */
export function makeDataset(data: NdArray, options: DatasetOptions = {}): Dataset {
  if (!isNdArray(data)) {
    throw new ShapeError('makeDataset: data must be an ndarray over a typed array; got ' + typeof data + '.');
  }
  const ndim = data.shape.length;
  const given = options.axes ?? [];
  if (given.length > ndim) {
    throw new ShapeError(`makeDataset: axes must have at most ${ndim} entries (one per dimension); got ${given.length}.`);
  }
  const names = DEFAULT_AXIS_NAMES[ndim] ?? data.shape.map((_, i) => `axis${i}`);
  const axes = data.shape.map((size, i) => {
    const a = given[i] ?? {};
    const axis: Axis = {
      name: a.name ?? names[i],
      size: a.size ?? size,
      scale: a.scale ?? 1,
      offset: a.offset ?? 0,
      units: a.units ?? ''
    };
    if (axis.size !== size) {
      throw new ShapeError(`makeDataset: axes[${i}].size must equal data.shape[${i}] = ${size}; got ${axis.size}.`);
    }
    if (!Number.isFinite(axis.scale) || axis.scale === 0) {
      throw new ValueError(`makeDataset: axes[${i}].scale must be a finite non-zero number; got ${axis.scale}.`);
    }
    if (!Number.isFinite(axis.offset)) {
      throw new ValueError(`makeDataset: axes[${i}].offset must be finite; got ${axis.offset}.`);
    }
    if (!(AXIS_UNITS as readonly string[]).includes(axis.units)) {
      throw new ValueError(
        `makeDataset: axes[${i}].units must be one of ${AXIS_UNITS.map(u => JSON.stringify(u)).join(', ')}; got ${JSON.stringify(axis.units)}.`
      );
    }
    return axis;
  });
  return { data, axes, metadata: { ...(options.metadata ?? {}) } };
}

/**
 * A 2D image dataset with square pixels of `pixelSizeA` Å.
 * @example const img = imageDataset(new Float32Array(256 * 256), [256, 256], { pixelSizeA: 0.5 });
 */
export function imageDataset(
  values: NumericArray,
  shape: [number, number],
  options: { pixelSizeA?: number; metadata?: Metadata } = {}
): Dataset {
  const [rows, cols] = shape;
  if (!(rows > 0 && cols > 0 && Number.isInteger(rows) && Number.isInteger(cols))) {
    throw new ShapeError(`imageDataset: shape must be two positive integers; got [${shape.join(', ')}].`);
  }
  if (values.length !== rows * cols) {
    throw new ShapeError(`imageDataset: values.length must be rows × cols = ${rows * cols}; got ${values.length}.`);
  }
  const p = options.pixelSizeA;
  const axis = (name: string): Partial<Axis> => (p === undefined ? { name } : { name, scale: p, units: 'A' });
  return makeDataset(ndarray(values, [rows, cols]), {
    axes: [axis('y'), axis('x')],
    metadata: { ...(options.metadata ?? {}), ...(p === undefined ? {} : { pixelSizeA: p }) }
  });
}

/** True for a Dataset-shaped object (`data` ndarray plus an `axes` array). */
export function isDataset(x: unknown): x is Dataset {
  return typeof x === 'object' && x !== null && isNdArray((x as Dataset).data) && Array.isArray((x as Dataset).axes);
}

/** True for a scijs ndarray. */
export function isNdArray(x: unknown): x is NdArray {
  const a = x as NdArray;
  return (
    typeof x === 'object' &&
    x !== null &&
    Array.isArray(a.shape) &&
    Array.isArray(a.stride) &&
    typeof a.offset === 'number' &&
    typeof a.get === 'function' &&
    a.data !== undefined
  );
}

/** Name of the typed array's element type as numpy spells it (`float32`, `uint16`, …). */
export function dtypeOf(a: NdArray): string {
  const d = a.data as unknown;
  if (d instanceof Float32Array) return 'float32';
  if (d instanceof Float64Array) return 'float64';
  if (d instanceof Int8Array) return 'int8';
  if (d instanceof Uint8Array || d instanceof Uint8ClampedArray) return 'uint8';
  if (d instanceof Int16Array) return 'int16';
  if (d instanceof Uint16Array) return 'uint16';
  if (d instanceof Int32Array) return 'int32';
  if (d instanceof Uint32Array) return 'uint32';
  return 'generic';
}

/**
 * Copies any-strided 2D ndarray into a dense row-major Float64Array (views, transposes and
 * slices of a stack all come out right).
 */
export function toDense2d(a: NdArray): Float64Array {
  if (a.shape.length !== 2) {
    throw new ShapeError(`toDense2d: array must be 2D; got shape [${a.shape.join(', ')}].`);
  }
  const [rows, cols] = a.shape;
  const out = new Float64Array(rows * cols);
  const [s0, s1] = a.stride;
  const d = a.data;
  let k = 0;
  for (let r = 0; r < rows; r++) {
    let idx = a.offset + r * s0;
    for (let c = 0; c < cols; c++, idx += s1) {
      out[k++] = d[idx];
    }
  }
  return out;
}
