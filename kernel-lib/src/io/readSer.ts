import fs from 'fs';
import path from 'path';
import ndarray from 'ndarray';
import { FormatError } from '../errors';
import { Axis, Dataset, Metadata, NdArray, NumericArray } from '../types/dataset';
import { ByteSource, openByteSource } from './_internal/byteSource';
import { decodeElements, splitComplex, widenedDtype } from './_internal/dtypes';
import { emiNormalised, emiObjects, emiReciprocal, objectInfoTree, XmlNode } from './_internal/emi';
import { lazyFromDataset, makeLazySource } from './_internal/lazySource';
import { selectSignal } from './_internal/selectSignal';
import {
  looksLikeSer,
  parseSerHeader,
  readSerElement,
  readSerOffsets,
  readSerTag,
  SER_IMAGE,
  SerElement,
  SerHeader,
  SerTag
} from './_internal/serFile';
import { FormatHandler } from './formats';
import { LazySource, PathOrBytes, ReadOptions } from './types';

/** Options of {@link readSer}. */
export interface SerReadOptions extends ReadOptions {
  /**
   * For interrupted 1-D series (ValidNumberElements < TotalNumberElements): return only the
   * acquired elements (default true, as RosettaSciIO); false pads with zeros (NaN for floats).
   */
  onlyValidData?: boolean;
}

interface SerSeries {
  src: ByteSource;
  header: SerHeader;
  offsets: number[];
  first: SerElement;
  image: boolean;
  navShape: number[];
  /** Elements actually read (the rest of the navigation grid is padding). */
  readable: number;
  shape: number[];
  axes: Axis[];
  metadata: Metadata;
  dtype: string;
}

type Ctor = { new (n: number): NumericArray };
const CTORS: { [d: string]: Ctor } = {
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array
};

/** Calibrated axis from a TIA calibration (value at `element` is `offset`), SI lengths → nm / 1/nm. */
function tiaAxis(name: string, size: number, cal: { offset: number; delta: number; element: number }, si: 'm' | '1/m' | 'eV' | ''): Axis {
  const f = si === 'm' ? 1e9 : si === '1/m' ? 1e-9 : 1;
  const units = si === 'm' ? 'nm' : si === '1/m' ? '1/nm' : si === 'eV' ? 'eV' : '';
  const scale = cal.delta * f;
  const offset = (cal.offset - cal.element * cal.delta) * f;
  return { name, size, scale: Number.isFinite(scale) && scale !== 0 ? scale : 1, offset: Number.isFinite(offset) ? offset : 0, units };
}

async function parseSeries(src: ByteSource, emi: XmlNode | undefined, onlyValid: boolean): Promise<SerSeries> {
  const h = await parseSerHeader(src);
  if (h.validElements === 0) {
    throw new FormatError(src.name, 'ValidNumberElements', 18, 'must be at least 1 (the series holds no data; a single spectrum may live in the .emi only).');
  }
  const { data: offsets, tags: tagOffsets } = await readSerOffsets(src, h, h.validElements);
  const first = await readSerElement(src, h, offsets[0], 0);
  const image = h.dataTypeId === SER_IMAGE;
  const tags: SerTag[] = [];
  for (let i = 0; i < Math.min(2, h.validElements); i++) tags.push(await readSerTag(src, h, tagOffsets[i], i));

  // Navigation axes, in the order and with the names RosettaSciIO gives them.
  const nd = h.dimensions.length;
  const fOrder = tags.length > 1 && tags[0].positionY !== undefined && tags[0].positionY === tags[1].positionY;
  const spatial = ['x', 'y'].slice(0, nd);
  let navShape: number[] = [];
  let navAxes: Axis[] = [];
  for (let i = 0; i < nd; i++) {
    const dim = h.dimensions[fOrder ? nd - 1 - i : i];
    if (!image || dim.size !== 1) {
      const metres = dim.units === 'meters';
      const name = metres ? (spatial.pop() as string) : dim.description === 'Number' ? 'frame' : dim.description || `axis${i}`;
      navAxes.push(tiaAxis(name, dim.size, { offset: dim.calibrationOffset, delta: dim.calibrationDelta, element: dim.calibrationElement }, metres ? 'm' : ''));
      navShape.push(dim.size);
    }
  }
  if (nd === 0) {
    navShape = [h.validElements];
    navAxes = [{ name: 'index', size: h.validElements, scale: 1, offset: 0, units: '' }];
  }
  if (nd === 1 && h.totalElements !== h.validElements && onlyValid && navShape.length === 1) {
    if (h.validElements === 1) {
      navShape = [];
      navAxes = [];
    } else {
      navShape = [h.validElements];
      navAxes[0] = { ...navAxes[0], size: h.validElements };
    }
  }
  const navCount = navShape.reduce((a, b) => a * b, 1);
  if (navCount > h.totalElements) throw new FormatError(src.name, 'DimensionArray size', h.seriesVersion > 0x210 ? 34 : 30, `the dimension sizes (${navShape.join(' × ')} = ${navCount}) must not exceed TotalNumberElements ${h.totalElements}; the header is corrupt.`);

  const original: Record<string, unknown> = { serHeader: h, firstElement: { dtype: first.dtype, shape: first.shape, calibration: first.calibration }, firstTags: tags };
  const metadata: Metadata = {
    sourceFormat: 'ser',
    sourceFile: src.name,
    sourceDtype: numpyName(first.dtype),
    title: path.basename(src.name).replace(/\.ser$/i, '')
  };
  let sigAxes: Axis[];
  if (image) {
    const dim0 = h.dimensions[0];
    let reciprocal = emi ? emiReciprocal(emi, dim0 ? dim0.units.length : undefined, dim0?.size) : undefined;
    // without an .emi: calibrations above 1 per metre cannot be real-space pixel sizes
    if (reciprocal === undefined) reciprocal = Math.abs(first.calibration[1].delta) > 1;
    const si = reciprocal ? '1/m' : 'm';
    sigAxes = [tiaAxis('y', first.shape[0], first.calibration[0], si), tiaAxis('x', first.shape[1], first.calibration[1], si)];
    if (!reciprocal) metadata.pixelSizeA = first.calibration[1].delta * 1e10;
    const spatialNav = navAxes.some(a => a.units === 'nm');
    metadata.signalType = reciprocal ? (spatialNav ? '4d-stem' : 'diffraction') : navShape.length ? 'image series' : 'image';
  } else {
    sigAxes = [tiaAxis('Energy', first.shape[0], first.calibration[0], 'eV')];
    metadata.signalType = navAxes.some(a => a.units === 'nm') && navCount > 1 ? 'spectrum image' : 'spectrum';
  }
  if (emi) {
    Object.assign(metadata, emiNormalised(emi));
    original.emi = emi;
  }
  if (!metadata.acquisitionDate && tags[0] && tags[0].timeS > 0) metadata.acquisitionDate = new Date(tags[0].timeS * 1000).toISOString();
  metadata.original = original;
  return {
    src,
    header: h,
    offsets,
    first,
    image,
    navShape,
    readable: Math.min(h.validElements, navCount),
    shape: [...navShape, ...first.shape],
    axes: [...navAxes, ...sigAxes],
    metadata,
    dtype: widenedDtype(first.dtype)
  };
}

function numpyName(d: string): string {
  const m: { [k: string]: string } = {
    uint8: '|u1',
    int8: '|i1',
    uint16: '<u2',
    int16: '<i2',
    uint32: '<u4',
    int32: '<i4',
    float32: '<f4',
    float64: '<f8',
    complex64: '<c8',
    complex128: '<c16'
  };
  return m[d] ?? d;
}

/** Reads elements [start, start + count) (images with rows flipped), padding past the valid ones. */
async function readElements(s: SerSeries, start: number, count: number): Promise<{ data: NumericArray; imag?: NumericArray }> {
  const per = s.first.shape.reduce((a, b) => a * b, 1);
  const complex = s.first.dtype === 'complex64' || s.first.dtype === 'complex128';
  const Ctor = CTORS[s.dtype];
  const data = new Ctor(per * count);
  const imag = complex ? new Ctor(per * count) : undefined;
  if (s.dtype.startsWith('float')) {
    data.fill(NaN);
    imag?.fill(NaN);
  }
  const [rows, cols] = s.image ? s.first.shape : [1, per];
  for (let k = 0; k < count; k++) {
    const i = start + k;
    if (i >= s.readable) continue;
    const el = await readSerElement(s.src, s.header, s.offsets[i], i);
    if (el.dtype !== s.first.dtype || el.shape.some((v, j) => v !== s.first.shape[j])) {
      throw new FormatError(s.src.name, `element ${i}`, s.offsets[i], `must have the dtype and shape of element 0 (${s.first.dtype} ${s.first.shape.join('×')}); got ${el.dtype} ${el.shape.join('×')}.`);
    }
    const bytes = await s.src.read(s.offsets[i] + el.dataOffset, el.bytes, `element ${i} data`);
    const raw = decodeElements(bytes, el.dtype, per, true);
    const parts = complex ? splitComplex(raw as Float32Array | Float64Array) : { re: raw, im: undefined };
    const base = k * per;
    for (let r = 0; r < rows; r++) {
      const from = (rows - 1 - r) * cols; // TIA stores images bottom row first
      for (let c = 0; c < cols; c++) {
        data[base + r * cols + c] = parts.re[from + c];
        if (imag && parts.im) imag[base + r * cols + c] = parts.im[from + c];
      }
    }
  }
  return { data, imag };
}

async function readWhole(s: SerSeries): Promise<Dataset> {
  const n = s.navShape.reduce((a, b) => a * b, 1);
  const { data, imag } = await readElements(s, 0, n);
  const ds: Dataset = { data: ndarray(data, s.shape) as NdArray, axes: s.axes.map(a => ({ ...a })), metadata: { ...s.metadata } };
  if (imag) ds.imag = ndarray(imag, s.shape) as NdArray;
  return ds;
}

/** The `<name>.emi` sidecar of `<name>_<n>.ser` and n − 1, when the file exists. */
function sidecarOf(serPath: string): { emi: string; index: number } | undefined {
  const m = /^(.*)_(\d+)\.ser$/i.exec(serPath);
  if (!m) return undefined;
  const emi = `${m[1]}.emi`;
  return fs.existsSync(emi) ? { emi, index: Number(m[2]) - 1 } : undefined;
}

async function emiTree(emiPath: string, index: number): Promise<XmlNode | undefined> {
  const src = await openByteSource(emiPath);
  try {
    const objects = await emiObjects(src);
    return index >= 0 && index < objects.length ? objectInfoTree(objects[index]) : undefined;
  } finally {
    await src.close();
  }
}

/** SER files of an .emi (`<name>_1.ser`, `<name>_2.ser`, …), with their ObjectInfo index. */
function serFilesOfEmi(emiPath: string): Array<{ ser: string; index: number }> {
  const dir = path.dirname(emiPath);
  const base = path.basename(emiPath).replace(/\.emi$/i, '');
  return fs
    .readdirSync(dir)
    .map(f => ({ f, m: new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_(\\d+)\\.ser$`, 'i').exec(f) }))
    .filter(x => x.m)
    .map(x => ({ ser: path.join(dir, x.f), index: Number((x.m as RegExpExecArray)[1]) - 1 }))
    .sort((a, b) => a.index - b.index);
}

async function seriesOf(src: ByteSource, options: SerReadOptions): Promise<SerSeries> {
  const side = sidecarOf(src.name);
  const emi = side ? await emiTree(side.emi, side.index).catch(() => undefined) : undefined;
  return parseSeries(src, emi, options.onlyValidData ?? true);
}

function isEmi(head: Uint8Array, fileName: string): boolean {
  return /\.emi$/i.test(fileName) && head.length >= 2 && head[0] === 0x4a && head[1] === 0x4b;
}

/**
 * Format handler for FEI/Thermo Fisher TIA series files (`.ser`, magic 0x4949 0x0197) and their
 * `.emi` companions (an `.emi` path reads every `<name>_<n>.ser` beside it). `open` streams images
 * of a series one by one.
 */
export const serFormat: FormatHandler = {
  name: 'ser',
  extensions: ['ser', 'emi'],
  sniff(head: Uint8Array, fileName: string): boolean {
    return looksLikeSer(head) || isEmi(head, fileName);
  },
  async readAll(src: ByteSource, options: SerReadOptions): Promise<Dataset[]> {
    if (isEmi(await src.read(0, Math.min(2, src.size), 'EMI header'), src.name)) {
      const objects = (await emiObjects(src)).map(objectInfoTree);
      const out: Dataset[] = [];
      for (const { ser, index } of serFilesOfEmi(src.name)) {
        const s = await openByteSource(ser);
        try {
          out.push(await readWhole(await parseSeries(s, objects[index], options.onlyValidData ?? true)));
        } finally {
          await s.close();
        }
      }
      if (!out.length) throw new FormatError(src.name, 'EMI companions', 0, 'an .emi needs its <name>_<n>.ser files beside it; none were found.');
      return out;
    }
    return [await readWhole(await seriesOf(src, options))];
  },
  async open(src: ByteSource, options: SerReadOptions): Promise<LazySource> {
    if (isEmi(await src.read(0, Math.min(2, src.size), 'EMI header'), src.name)) {
      // an .emi names several series: read the chosen one whole
      const ds = selectSignal(await serFormat.readAll(src, options), options.signal, 'open', src.name);
      await src.close();
      return lazyFromDataset(ds, src.name);
    }
    const s = await seriesOf(src, options);
    if (!s.image) {
      // spectra have no frames to stream: read them whole
      const ds = await readWhole(s);
      await src.close();
      return lazyFromDataset(ds, src.name);
    }
    return makeLazySource({
      name: src.name,
      shape: s.shape,
      axes: s.axes,
      metadata: s.metadata,
      dtype: s.dtype,
      frameDims: 2,
      scan: s.shape.length === 4,
      read: (start, count) => readElements(s, start, count),
      close: () => src.close()
    });
  }
};

/**
 * Reads a TIA `.ser` file (with its `.emi` sidecar when present) or an `.emi` with its `.ser` files.
 *
 * Images are flipped vertically (TIA stores the bottom row first; RosettaSciIO and ncempy flip
 * them), series and scans come as `[...navigation, y, x]` or `[...navigation, channel]` in
 * RosettaSciIO's axis order. Calibrations follow the TIA definition (value `CalibrationOffset` at
 * `CalibrationElement`), SI lengths converted to nm (1/m → 1/nm), energies in eV. Image units come
 * from the EMI's mode (diffraction → 1/nm); without an EMI, calibrations above 1 m⁻¹ are taken as
 * reciprocal. The EMI gives voltageKV, magnification, cameraLengthMm, exposure/dwell time,
 * microscope, detector and date; the raw header and ObjectInfo are under `metadata.original`.
 *
 * @param pathOrBytes - path of a `.ser` (or `.emi`) file, or a `.ser` file's bytes.
 * @param options - `signal` picks one signal of an `.emi`; `onlyValidData` (default true) drops
 *   the unacquired elements of an interrupted 1-D series.
 * @returns the Dataset (complex series: `data` real part, `imag` imaginary part).
 * @throws FormatError (file, field, offset) for a wrong magic, offsets or sizes past the end of the
 *   file, or elements whose type or shape differ from the first.
 * @example
 * const img = await lowdose.io.readSer('16_STOimage_1.ser');
 * img.data.get(0, 0);        // 18024
 * img.metadata.voltageKV;    // 80
 */
export async function readSer(pathOrBytes: PathOrBytes, options: SerReadOptions = {}): Promise<Dataset> {
  const src = await openByteSource(pathOrBytes, options.name);
  try {
    return selectSignal(await serFormat.readAll(src, options), options.signal, 'readSer', src.name);
  } finally {
    await src.close();
  }
}
