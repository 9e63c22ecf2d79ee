// From a DM ImageList entry to a read plan (shape, dtype, axes, where the pixels are) and the
// pixel decoders (plain, complex, RGB(A), packed FFTs), following RosettaSciIO's ImageObject.
import { FormatError } from '../../errors';
import { Axis, Metadata, NumericArray } from '../../types/dataset';
import { mapUnit, LENGTH_IN_A } from './dmCalibration';
import { dmNormalisedMetadata, dmSpectrumType } from './dmMetadata';
import { DmFile, DmTagGroup, dmGet, isArrayRef, isGroup } from './dmTagTree';
import { DTYPE_BYTES, FileDtype, decodeElements } from './dtypes';

/** How the pixels of one DM image are stored. */
export type DmPixelKind = 'real' | 'complex' | 'rgba' | 'packed' | 'oldPacked';

/** Everything needed to read one DM image, whole or frame by frame. */
export interface DmSignalPlan {
  /** Key of the image in the ImageList (`TagGroup1`). */
  imageKey: string;
  title: string;
  dataType: number;
  kind: DmPixelKind;
  /** Element type decoded from the file (complex types give interleaved re/im). */
  fileDtype: FileDtype;
  /** Element type as RosettaSciIO reports it ('int16', 'complex64', 'bool', 'uint8' for RGBA). */
  sourceDtype: string;
  /** Bytes per stored pixel. */
  pixelBytes: number;
  /** Stored pixels in C order (packed FFTs: last axis floor(width/2)+1). */
  storedShape: number[];
  /** Returned shape, slowest first (squeezed, spectrum-image energy last, RGB(A) channel last). */
  shape: number[];
  axes: Axis[];
  /** True for spectrum images: the file's slowest axis (energy) becomes the last one. */
  moveFirstToLast: boolean;
  dataOffset: number;
  dataBytes: number;
  littleEndian: boolean;
  /** True with two or more axes longer than 1 (besides RGB): `readDm` returns the first of these by default. */
  imageLike: boolean;
  /** Normalised metadata (without `original`). */
  metadata: Metadata;
  warnings: string[];
}

const DATA_TYPES: { [t: number]: { kind: DmPixelKind; dtype: FileDtype; source: string } } = {
  1: { kind: 'real', dtype: 'int16', source: 'int16' },
  2: { kind: 'real', dtype: 'float32', source: 'float32' },
  3: { kind: 'complex', dtype: 'complex64', source: 'complex64' },
  5: { kind: 'oldPacked', dtype: 'float32', source: 'complex64' },
  6: { kind: 'real', dtype: 'uint8', source: 'uint8' },
  7: { kind: 'real', dtype: 'int32', source: 'int32' },
  8: { kind: 'rgba', dtype: 'uint8', source: 'uint8' },
  9: { kind: 'real', dtype: 'int8', source: 'int8' },
  10: { kind: 'real', dtype: 'uint16', source: 'uint16' },
  11: { kind: 'real', dtype: 'uint32', source: 'uint32' },
  12: { kind: 'real', dtype: 'float64', source: 'float64' },
  13: { kind: 'complex', dtype: 'complex128', source: 'complex128' },
  14: { kind: 'real', dtype: 'bool', source: 'bool' },
  23: { kind: 'rgba', dtype: 'uint8', source: 'uint8' },
  27: { kind: 'packed', dtype: 'complex64', source: 'complex64' },
  28: { kind: 'packed', dtype: 'complex128', source: 'complex128' }
};

const MAX_DIMS = 8;

/**
 * Read plan of the ImageList entry `imageKey`.
 * @throws FormatError (file, tag path, offset) for missing or inconsistent ImageData tags.
 */
export function planDmSignal(dm: DmFile, fileName: string, imageKey: string): DmSignalPlan {
  const base = `ImageList.${imageKey}.ImageData`;
  const image = dmGet(dm.tags, 'ImageList', imageKey) as DmTagGroup;
  const at = (field: string) => dm.offsets.get(`${base}.${field}`) ?? dm.offsets.get(base) ?? 0;
  const err = (field: string, message: string) => new FormatError(fileName, field ? `${base}.${field}` : base, at(field), message);
  const imageData = dmGet(image, 'ImageData');
  if (!isGroup(imageData)) throw err('', 'image entry must hold an ImageData tag group.');
  const data = dmGet(image, 'ImageData', 'Data');
  if (!isArrayRef(data)) throw err('Data', 'must be an array of pixels.');
  const dataRef = data;
  const dataType = dmGet(image, 'ImageData', 'DataType');
  if (typeof dataType !== 'number' || DATA_TYPES[dataType] === undefined) {
    throw err('DataType', `must be one of ${Object.keys(DATA_TYPES).join(', ')}; got ${JSON.stringify(dataType)}.`);
  }
  const type = DATA_TYPES[dataType as number];
  const dimsGroup = dmGet(image, 'ImageData', 'Dimensions');
  const dims = isGroup(dimsGroup) ? Object.values(dimsGroup) : [];
  if (dims.length < 1 || dims.length > MAX_DIMS || !dims.every(d => typeof d === 'number' && Number.isSafeInteger(d) && d >= 1)) {
    throw err('Dimensions', `must be 1..${MAX_DIMS} positive integers; got ${JSON.stringify(dims.slice(0, MAX_DIMS + 1))}.`);
  }
  const fullShape = (dims as number[]).slice().reverse();
  const storedShape = fullShape.slice();
  let pixelBytes = type.kind === 'rgba' ? 4 : DTYPE_BYTES[type.dtype];
  if (type.kind === 'packed') {
    if (fullShape.length < 2) throw err('Dimensions', `a packed FFT (DataType ${dataType}) must have at least 2 dimensions; got ${fullShape.length}.`);
    storedShape[storedShape.length - 1] = Math.floor(fullShape[fullShape.length - 1] / 2) + 1;
  }
  if (type.kind === 'oldPacked') {
    const [rows, cols] = fullShape;
    if (fullShape.length !== 2 || rows !== cols || rows % 2 !== 0) {
      throw err('Dimensions', `a packed complex image (DataType 5) must be square with an even side; got ${JSON.stringify(dims)}.`);
    }
    pixelBytes = 4; // (2N)² float32 values hold the non-redundant half of a Hermitian 2N×2N FFT
  }
  const storedPixels = storedShape.reduce((a, b) => a * b, 1);
  const dataBytes = storedPixels * pixelBytes;
  if (!Number.isSafeInteger(dataBytes) || dataBytes > dataRef.byteLength) {
    throw err('Data', `holds ${dataRef.byteLength} bytes but Dimensions ${JSON.stringify(dims)} of DataType ${dataType} need ${dataBytes}.`);
  }

  const warnings: string[] = [];
  const imageTags = dmGet(image, 'ImageTags');
  const tagsGroup = isGroup(imageTags) ? imageTags : undefined;
  const spectrumType = dmSpectrumType(tagsGroup);
  const format = dmGet(tagsGroup, 'Meta Data', 'Format');
  const spim = dmGet(tagsGroup, 'spim') !== undefined;
  const isSpectrumFormat = format === 'Spectrum image' || format === 'Spectrum' || spim;
  const recordBySpectrum = fullShape.length === 1 || (fullShape.length === 2 && isSpectrumFormat);
  const moveFirstToLast = fullShape.length > 2 && fullShape[0] > 1 && (format === 'Spectrum image' || spim) && type.kind !== 'packed';

  // Axes in C order, before transposition and squeezing (as RosettaSciIO's get_axes_dict).
  const calGroup = dmGet(image, 'ImageData', 'Calibrations', 'Dimension');
  const cals = isGroup(calGroup) ? Object.values(calGroup) : [];
  const fileAxes = (dims as number[]).map((size, i) => {
    const cal = isGroup(cals[i]) ? (cals[i] as DmTagGroup) : undefined;
    let scale = typeof cal?.Scale === 'number' && Number.isFinite(cal.Scale) ? cal.Scale : 1;
    const origin = typeof cal?.Origin === 'number' && Number.isFinite(cal.Origin) ? cal.Origin : 0;
    const fileUnits = typeof cal?.Units === 'string' ? cal.Units : '';
    if (scale === 0) {
      warnings.push(`axis ${i}: scale 0 in the file replaced by 1.`);
      scale = 1;
    }
    const unit = mapUnit(fileUnits);
    if (!unit.known) warnings.push(`axis ${i}: unit ${JSON.stringify(fileUnits)} is not one lowdose knows; the axis is left without units.`);
    return { size, scale: scale * unit.factor, offset: origin === 0 ? 0 : -origin * scale * unit.factor, units: unit.units, fileUnits };
  }).reverse();
  const names = axisNames(fileAxes.map(a => a.fileUnits), spectrumType);
  let axes: Axis[] = fileAxes.map((a, i) => ({ name: names[i], size: a.size, scale: a.scale, offset: a.offset, units: a.units }));
  if (type.kind === 'packed') {
    const last = axes[axes.length - 1];
    axes[axes.length - 1] = { ...last, size: 2 * (storedShape[storedShape.length - 1] - 1) };
  }
  if (moveFirstToLast) axes = [...axes.slice(1), axes[0]];
  // Squeeze length-1 axes as RosettaSciIO does (but keep the two image axes of a packed FFT).
  const keepFrom = type.kind === 'packed' || type.kind === 'oldPacked' ? axes.length - 2 : axes.length;
  let squeezed = axes.filter((a, i) => a.size !== 1 || i >= keepFrom);
  if (squeezed.length === 0) squeezed = [axes[axes.length - 1]];
  axes = squeezed;
  if (type.kind === 'rgba') axes.push({ name: 'channel', size: 4, scale: 1, offset: 0, units: '' });
  const coreNdim = axes.length - (type.kind === 'rgba' ? 1 : 0);

  const title = typeof image.Name === 'string' ? image.Name : '';
  const md = dmNormalisedMetadata(image);
  let signalType: string;
  if (moveFirstToLast) signalType = 'spectrum-image';
  else if (recordBySpectrum || coreNdim === 1) signalType = 'spectrum';
  else if (coreNdim === 2) {
    const reciprocal = axes.slice(0, 2).every(a => a.units === '1/nm' || a.units === '1/A');
    const tags = tagsGroup;
    const tem = dmGet(tags, 'Microscope Info', 'Illumination Mode') === 'TEM' && dmGet(tags, 'Microscope Info', 'Imaging Mode') === 'DIFFRACTION';
    signalType = reciprocal || tem ? 'diffraction' : 'image';
  } else signalType = 'stack';
  const pixelSizeA = squarePixelSizeA(axes.slice(0, coreNdim));
  const metadata: Metadata = {
    sourceFormat: dm.version === 3 ? 'dm3' : 'dm4',
    sourceFile: fileName,
    sourceDtype: type.source,
    title,
    signalType,
    ...(pixelSizeA !== undefined ? { pixelSizeA } : {}),
    ...md
  };
  if (type.kind === 'rgba') metadata.channels = 'RGBA';
  return {
    imageKey,
    title,
    dataType: dataType as number,
    kind: type.kind,
    fileDtype: type.dtype,
    sourceDtype: type.source,
    pixelBytes,
    storedShape,
    shape: axes.map(a => a.size),
    axes,
    moveFirstToLast,
    dataOffset: dataRef.offset,
    dataBytes,
    littleEndian: dataRef.littleEndian,
    imageLike: axes.slice(0, coreNdim).filter(a => a.size > 1).length >= 2,
    metadata,
    warnings
  };
}

/** RosettaSciIO's axis names: the energy axis of EELS/EDS, the wavelength of CL, then x, y, z from the end. */
function axisNames(fileUnitsC: string[], spectrumType: string): string[] {
  const names: (string | undefined)[] = fileUnitsC.map(() => undefined);
  const free = fileUnitsC.map((_, i) => i);
  const special: [string, string, string][] = [['EELS', 'eV', 'Energy loss'], ['EDS', 'keV', 'Energy'], ['CL', 'nm', 'Wavelength']];
  for (const [type, unit, name] of special) {
    const idx = fileUnitsC.indexOf(unit);
    if (spectrumType === type && idx >= 0) {
      names[idx] = name;
      free.splice(free.indexOf(idx), 1);
    }
  }
  const generic = ['x', 'y', 'z'];
  free.reverse().forEach((idx, k) => (names[idx] = generic[k] ?? `axis${fileUnitsC.length - 1 - idx}`));
  return names as string[];
}

/** Pixel size in Å when the last two axes are lengths of equal size (square pixels). */
function squarePixelSizeA(axes: Axis[]): number | undefined {
  const lengths = axes.filter(a => LENGTH_IN_A[a.units] !== undefined);
  if (lengths.length < 2) return undefined;
  const [a, b] = lengths.slice(-2).map(ax => ax.scale * LENGTH_IN_A[ax.units]);
  return Math.abs(a - b) <= 1e-9 * Math.abs(a) ? a : undefined;
}

/** Decoded values of some pixels: real part (or RGBA bytes) and, for complex data, the imaginary part. */
export interface DmPixels {
  re: NumericArray;
  im?: Float32Array | Float64Array;
}

/**
 * Decodes `frames` consecutive stored frames (the last two stored axes; the whole array when it has
 * fewer than two) from their bytes, unpacking FFTs and reordering RGB(A).
 */
export function decodeDmPixels(bytes: Uint8Array, plan: DmSignalPlan, pixels: number): DmPixels {
  switch (plan.kind) {
    case 'real':
      return { re: decodeElements(bytes, plan.fileDtype, pixels, plan.littleEndian) };
    case 'complex': {
      const v = decodeElements(bytes, plan.fileDtype, pixels, plan.littleEndian) as Float32Array | Float64Array;
      return splitInterleaved(v);
    }
    case 'rgba': {
      // Stored B, G, R, A per pixel; returned R, G, B, A.
      const out = new Uint8Array(4 * pixels);
      for (let p = 0; p < pixels; p++) {
        out[4 * p] = bytes[4 * p + 2];
        out[4 * p + 1] = bytes[4 * p + 1];
        out[4 * p + 2] = bytes[4 * p];
        out[4 * p + 3] = bytes[4 * p + 3];
      }
      return { re: out };
    }
    case 'packed':
      return unpackHalfPlane(bytes, plan, pixels);
    case 'oldPacked':
      return unpackOldPacked(bytes, plan);
  }
}

function splitInterleaved(v: Float32Array | Float64Array): { re: Float32Array | Float64Array; im: Float32Array | Float64Array } {
  const n = v.length / 2;
  const Ctor = v instanceof Float32Array ? Float32Array : Float64Array;
  const re = new Ctor(n);
  const im = new Ctor(n);
  for (let i = 0; i < n; i++) {
    re[i] = v[2 * i];
    im[i] = v[2 * i + 1];
  }
  return { re, im };
}

/**
 * DataType 27/28: each frame stores rows × (w/2+1) complex values; RosettaSciIO returns
 * hstack(packed[:, ::-1], conj(packed[:, 1:-1])), i.e. rows × 2·(w/2) columns (an odd width w
 * loses one column — kept as RosettaSciIO gives it so values match the reference).
 */
function unpackHalfPlane(bytes: Uint8Array, plan: DmSignalPlan, storedPixels: number): DmPixels {
  const v = decodeElements(bytes, plan.fileDtype, storedPixels, plan.littleEndian) as Float32Array | Float64Array;
  const pc = plan.storedShape[plan.storedShape.length - 1];
  const rows = plan.storedShape[plan.storedShape.length - 2];
  const oc = 2 * (pc - 1);
  const frames = storedPixels / (rows * pc);
  const Ctor = v instanceof Float32Array ? Float32Array : Float64Array;
  const re = new Ctor(frames * rows * oc);
  const im = new Ctor(frames * rows * oc);
  for (let f = 0; f < frames; f++) {
    for (let r = 0; r < rows; r++) {
      const src = (f * rows + r) * pc;
      const dst = (f * rows + r) * oc;
      for (let c = 0; c < pc; c++) {
        re[dst + c] = v[2 * (src + pc - 1 - c)];
        im[dst + c] = v[2 * (src + pc - 1 - c) + 1];
      }
      for (let c = 1; c < pc - 1; c++) {
        re[dst + pc + c - 1] = v[2 * (src + c)];
        im[dst + pc + c - 1] = -v[2 * (src + c) + 1];
      }
    }
  }
  return { re, im };
}

/**
 * DataType 5 ("packed complex"): a 2N×2N centred FFT of a real image stored as 4N² float32 values
 * holding the non-redundant half; the rest follows from Hermitian symmetry, F(2N−r, 2N−c) = F(r, c)*.
 */
function unpackOldPacked(bytes: Uint8Array, plan: DmSignalPlan): DmPixels {
  const side = plan.storedShape[0];
  const N = side / 2;
  const t = decodeElements(bytes, 'float32', side * side, plan.littleEndian) as Float32Array;
  const re = new Float32Array(side * side);
  const im = new Float32Array(side * side);
  const set = (r: number, c: number, a: number, b: number) => {
    re[r * side + c] = a;
    im[r * side + c] = b;
  };
  const conjFrom = (r: number, c: number, r2: number, c2: number) => set(r, c, re[r2 * side + c2], -im[r2 * side + c2]);
  set(N, 0, t[0], 0);
  set(0, 0, t[1], 0);
  set(N, N, t[2 * N * N], 0);
  set(0, N, t[2 * N * N + 1], 0);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N - 1; j++) set(i, N + 1 + j, t[2 * i * N + 2 + 2 * j], t[2 * i * N + 3 + 2 * j]);
  }
  for (let k = 0; k < N - 1; k++) set(N + 1 + k, 0, t[2 * N + 2 * N * k], t[2 * N + 2 * N * k + 1]);
  for (let j = 0; j < N - 1; j++) set(N, N + 1 + j, t[2 * N * N + 2 + 2 * j], t[2 * N * N + 3 + 2 * j]);
  const start = 2 * N * N + 2 * N;
  for (let r = 0; r < N - 1; r++) {
    for (let c = 0; c < N; c++) set(N + 1 + r, N + c, t[start + 2 * (r * N + c)], t[start + 2 * (r * N + c) + 1]);
  }
  for (let k = 1; k < N; k++) {
    conjFrom(0, k, 0, side - k);
    conjFrom(N, k, N, side - k);
    conjFrom(k, 0, side - k, 0);
    conjFrom(k, N, side - k, N);
  }
  for (let r = 1; r < N; r++) for (let c = 1; c < N; c++) conjFrom(r, c, side - r, side - c);
  for (let k = 0; k < N - 1; k++) for (let c = 1; c < N; c++) conjFrom(N + 1 + k, c, N - 1 - k, side - c);
  return { re, im };
}
