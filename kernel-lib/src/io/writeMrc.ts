import { ShapeError, ValueError } from '../errors';
import { Axis, Dataset, isDataset, isNdArray, NdArray, NumericArray } from '../types/dataset';
import { atomicWrite } from './_internal/atomicWrite';
import { encodeChunk, fitsInteger, OutType, storedValue } from './_internal/encodeValues';
import { hasColourAxis } from './_internal/lazySource';
import { IMOD_STAMP, MRC_HEADER_BYTES } from './_internal/mrcHeader';
import { denseRange, sizeOf } from './_internal/ndDense';

/** Options of {@link writeMrc}. */
export interface WriteMrcOptions {
  /** Replace an existing file, including the dataset's own source file (default false). */
  overwrite?: boolean;
  /**
   * MRC mode: 0 int8, 1 int16, 2 float32, 3 complex int16, 4 complex float32, 6 uint16,
   * 12 float16. Default from the data: Int8 → 0, Int16 → 1, Uint8/Uint16 → 6, Float32/Float64 → 2,
   * Int32/Uint32 → the smallest of 1/6 that holds the values (else 2 when exact), complex → 4.
   */
  mode?: 0 | 1 | 2 | 3 | 4 | 6 | 12;
  /** Pixel size in Å for X and Y (default from the last two axes, converted from nm/µm). */
  pixelSizeA?: number;
  /** Voxel size [x, y, z] in Å (overrides `pixelSizeA` and the axes). */
  voxelSizeA?: [number, number, number];
  /** Write a 3D array as a volume (ISPG 1) rather than an image stack (ISPG 0). Default: the first axis is named `z` or `metadata.signalType` is 'volume'. */
  volume?: boolean;
  /** Up to ten 80-character labels (default `['lowdose']`). */
  labels?: string[];
}

const MODE_TYPE: { [mode: number]: OutType } = { 0: 'int8', 1: 'int16', 2: 'float32', 3: 'int16', 4: 'float32', 6: 'uint16', 12: 'float16' };
const TO_A: { [u: string]: number } = { A: 1, nm: 10, um: 1e4 };
const ELEMENTS_PER_CHUNK = 1 << 22;

function defaultMode(data: NdArray, complex: boolean): number {
  if (complex) return 4;
  const d = data.data as NumericArray;
  if (d instanceof Int8Array) return 0;
  if (d instanceof Int16Array) return 1;
  if (d instanceof Uint8Array || d instanceof Uint8ClampedArray || d instanceof Uint16Array) return 6;
  if (d instanceof Int32Array || d instanceof Uint32Array) {
    const values = denseRange(data, 0, sizeOf(data.shape));
    if (fitsInteger(values, 'int16')) return 1;
    if (fitsInteger(values, 'uint16')) return 6;
    if (values.every(v => Math.abs(v) <= 2 ** 24)) return 2;
    throw new ValueError('writeMrc: int32 data must fit int16, uint16 or float32 exactly (|v| ≤ 2^24) for an MRC mode; got larger values. Pass {mode: 2} to store them rounded to float32.');
  }
  return 2;
}

function axisA(a: Axis | undefined): number {
  return a && TO_A[a.units] !== undefined ? Math.abs(a.scale * TO_A[a.units]) : 0;
}

/** Header statistics of the stored values: min, max, mean, rms (population std). */
function stats(data: NdArray, imag: NdArray | undefined, t: OutType): { dmin: number; dmax: number; dmean: number; rms: number } {
  const total = sizeOf(data.shape);
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sumI = 0;
  for (let s = 0; s < total; s += ELEMENTS_PER_CHUNK) {
    const re = denseRange(data, s, Math.min(ELEMENTS_PER_CHUNK, total - s));
    const im = imag ? denseRange(imag, s, re.length) : undefined;
    for (let i = 0; i < re.length; i++) {
      const v = storedValue(re[i], t);
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
      if (im) sumI += storedValue(im[i], t);
    }
  }
  const mean = sum / total;
  const meanI = sumI / total;
  let ss = 0;
  for (let s = 0; s < total; s += ELEMENTS_PER_CHUNK) {
    const re = denseRange(data, s, Math.min(ELEMENTS_PER_CHUNK, total - s));
    const im = imag ? denseRange(imag, s, re.length) : undefined;
    for (let i = 0; i < re.length; i++) {
      const d = storedValue(re[i], t) - mean;
      ss += d * d;
      if (im) {
        const e = storedValue(im[i], t) - meanI;
        ss += e * e;
      }
    }
  }
  const rms = Math.sqrt(ss / total);
  // Complex data: min/max/mean are meaningless, so they are marked "not computed" as mrcfile does.
  return imag ? { dmin: 0, dmax: -1, dmean: -2, rms } : { dmin: min, dmax: max, dmean: mean, rms };
}

/** The 1024-byte MRC2014 header (little-endian). */
function headerBytes(f: {
  nx: number; ny: number; nz: number; mode: number; mz: number; ispg: number;
  voxel: [number, number, number]; origin: [number, number, number];
  dmin: number; dmax: number; dmean: number; rms: number; labels: string[];
}): Uint8Array {
  const b = new Uint8Array(MRC_HEADER_BYTES);
  const v = new DataView(b.buffer);
  const i32 = (o: number, x: number) => v.setInt32(o, x, true);
  const f32 = (o: number, x: number) => v.setFloat32(o, x, true);
  [f.nx, f.ny, f.nz, f.mode, 0, 0, 0, f.nx, f.ny, f.mz].forEach((x, k) => i32(4 * k, x));
  f32(40, f.voxel[0] * f.nx);
  f32(44, f.voxel[1] * f.ny);
  f32(48, f.voxel[2] * f.mz);
  [90, 90, 90].forEach((x, k) => f32(52 + 4 * k, x));
  [1, 2, 3].forEach((x, k) => i32(64 + 4 * k, x));
  f32(76, f.dmin);
  f32(80, f.dmax);
  f32(84, f.dmean);
  i32(88, f.ispg);
  i32(92, 0);
  i32(108, 20141);
  if (f.mode === 0) {
    i32(152, IMOD_STAMP); // tells IMOD the bytes are signed, as MRC2014 says
    i32(156, 1);
  }
  f.origin.forEach((x, k) => f32(196 + 4 * k, x));
  b.set([0x4d, 0x41, 0x50, 0x20, 0x44, 0x44, 0, 0], 208);
  f32(216, f.rms);
  i32(220, f.labels.length);
  f.labels.forEach((label, k) => {
    for (let i = 0; i < Math.min(80, label.length); i++) b[224 + 80 * k + i] = label.charCodeAt(i) & 0x7f;
  });
  return b;
}

/**
 * Writes a Dataset (or ndarray) as an MRC2014 file (little-endian, 1024-byte header, no extended
 * header), atomically; `mrcfile.validate` accepts the result.
 *
 * 2D → single image (ISPG 0); 3D → image stack (ISPG 0, MZ = 1) or volume (ISPG 1, MZ = NZ);
 * 4D → volume stack (ISPG 401). CELLA = voxel size × MXYZ from `voxelSizeA`, `pixelSizeA` or the
 * axes (Å, nm or µm; signs dropped); ORIGIN from the axes' offsets in Å; DMIN/DMAX/DMEAN/RMS of
 * the values as stored (complex: RMS only, the rest marked "not computed").
 *
 * @param path - file to create; an existing file (notably the dataset's `metadata.sourceFile`)
 *   is refused unless `{overwrite: true}`.
 * @param dataset - 2D–4D real or complex (`imag`) data; RGB data is refused.
 * @param options - `mode`, `pixelSizeA`, `voxelSizeA`, `volume`, `labels`, `overwrite`.
 * @returns when the complete file is on disk.
 * @throws ShapeError for 1D, >4D or RGB data; ValueError for an unsupported mode, values that do
 *   not fit the mode's integer type, or an existing path without `overwrite`.
 * @example
 * await lowdose.io.writeMrc('/tmp/avg.mrc', img, { pixelSizeA: 0.84 });
 * await lowdose.io.writeMrc('/tmp/half.mrc', movie, { mode: 12 }); // float16
 */
export async function writeMrc(path: string, dataset: Dataset | NdArray, options: WriteMrcOptions = {}): Promise<void> {
  const ds: Dataset | undefined = isDataset(dataset) ? dataset : undefined;
  const data = ds ? ds.data : isNdArray(dataset) ? dataset : undefined;
  if (!data) throw new ValueError(`writeMrc: dataset must be a Dataset or an ndarray; got ${typeof dataset}.`);
  const imag = ds?.imag;
  const shape = data.shape.slice();
  if (ds && hasColourAxis(ds)) throw new ShapeError('writeMrc: dataset must hold grey values; got an RGB(A) image (write it with writeTiff).');
  if (shape.length < 2 || shape.length > 4) {
    throw new ShapeError(`writeMrc: dataset must be 2D, 3D or 4D; got shape [${shape.join(', ')}].`);
  }
  if (shape.some(s => !(s >= 1) || s > 2 ** 31 - 1)) throw new ShapeError(`writeMrc: every dimension must be 1..2^31-1; got [${shape.join(', ')}].`);
  if (imag && imag.shape.join() !== shape.join()) {
    throw new ShapeError(`writeMrc: imag must have the shape of data [${shape.join(', ')}]; got [${imag.shape.join(', ')}].`);
  }
  const mode = options.mode ?? defaultMode(data, !!imag);
  const type = MODE_TYPE[mode];
  if (type === undefined) throw new ValueError(`writeMrc: options.mode must be one of 0, 1, 2, 3, 4, 6, 12; got ${options.mode}.`);
  const complexMode = mode === 3 || mode === 4;
  if (imag && !complexMode) throw new ValueError(`writeMrc: options.mode must be 3 or 4 for complex data; got ${mode}.`);

  const [nx, ny] = [shape[shape.length - 1], shape[shape.length - 2]];
  const nz = shape.length === 2 ? 1 : shape.length === 3 ? shape[0] : shape[0] * shape[1];
  const axes = ds?.axes ?? [];
  const volume =
    shape.length === 4 || (shape.length === 3 && (options.volume ?? (axes[0]?.name === 'z' || ds?.metadata?.signalType === 'volume')));
  const mz = shape.length === 4 ? shape[1] : volume ? nz : 1;
  const ispg = shape.length === 4 ? 401 : volume ? 1 : 0;
  const ax = (k: number) => axes[axes.length - 1 - k];
  let voxel: [number, number, number] = [axisA(ax(0)), axisA(ax(1)), volume ? axisA(ax(2)) : 0];
  if (options.pixelSizeA !== undefined) {
    if (!(options.pixelSizeA > 0 && Number.isFinite(options.pixelSizeA))) {
      throw new ValueError(`writeMrc: options.pixelSizeA must be a positive number of Å; got ${options.pixelSizeA}.`);
    }
    voxel = [options.pixelSizeA, options.pixelSizeA, volume ? voxel[2] || options.pixelSizeA : 0];
  }
  if (options.voxelSizeA !== undefined) {
    const vs = options.voxelSizeA;
    if (!(Array.isArray(vs) && vs.length === 3 && vs.every(x => x >= 0 && Number.isFinite(x)))) {
      throw new ValueError(`writeMrc: options.voxelSizeA must be [x, y, z] in Å, each ≥ 0; got ${JSON.stringify(vs)}.`);
    }
    voxel = [vs[0], vs[1], vs[2]];
  }
  const originOf = (a: Axis | undefined) => (a && TO_A[a.units] !== undefined && Number.isFinite(a.offset) ? a.offset * TO_A[a.units] : 0);
  const origin: [number, number, number] = [originOf(ax(0)), originOf(ax(1)), volume ? originOf(ax(2)) : 0];
  const labels = (options.labels ?? ['lowdose']).slice(0, 10).filter(l => l.trim().length > 0);

  const total = sizeOf(shape);
  const st = stats(data, imag, type);
  const header = headerBytes({ nx, ny, nz, mode, mz, ispg, voxel, origin, ...st, labels });
  const zeros = complexMode && !imag ? new Float64Array(Math.min(ELEMENTS_PER_CHUNK, total)) : undefined;
  function* chunks(): Generator<Uint8Array> {
    yield header;
    for (let s = 0; s < total; s += ELEMENTS_PER_CHUNK) {
      const n = Math.min(ELEMENTS_PER_CHUNK, total - s);
      const re = denseRange(data as NdArray, s, n);
      const im = imag ? denseRange(imag, s, n) : zeros ? zeros.subarray(0, n) : undefined;
      yield encodeChunk(re, im, type, true, 'writeMrc', s);
    }
  }
  await atomicWrite(path, chunks(), { overwrite: options.overwrite, sourceFile: ds?.metadata?.sourceFile, caller: 'writeMrc' });
}
