/**
 * The 2D transforms over the engine: input validation, copying frames into the core's memory,
 * the two passes (rows, then columns; split across threads), and copying results out.
 * Arrays of more than two dimensions are transformed frame by frame over their last two axes.
 */
import ndarray from 'ndarray';
import { ShapeError, ValueError } from '../../errors';
import { ComplexArray, Dataset, NdArray, isDataset, isNdArray } from '../../types/dataset';
import { COL_GROUP, FftEngine, ThreadScratch, bytesOf, lanesOf, splitWeighted } from './engine';
import { copyFloats } from './copyFloats';
import { getEngine } from './engineRegistry';
import { Precision } from './plan';

/** Options shared by the transforms. */
export interface FftOptions {
  /**
   * Threads to use (Node only; the browser and `workers: 1` compute on the calling thread).
   * Default: every available core for transforms of ≥ 256×256 elements, one thread below that.
   * More than the machine's cores are capped to them. Results are identical for any value.
   */
  workers?: number;
}

type Floats = Float32Array | Float64Array;

/**
 * Rows of the rfft2 row pass the calling thread keeps for itself per row of a worker thread (it
 * also copies the input of all other rows, about 1/4 of a row's transform time, measured); the
 * other rows go to whichever thread is free first, the calling thread included.
 */
const ROW_SHARE_CALLER = 0.6;

/**
 * Rows per chunk of the row passes (chunks are claimed by threads as they go), in units of the
 * rows one core call transforms together: 2 × 2 SIMD vectors of real rows, 4 of complex rows.
 */
const ROW_CHUNK = 2;

/** Elements from which the default uses every core. */
const PARALLEL_MIN = 256 * 256;

/** An ndarray from an ndarray or a Dataset argument. */
export function realInput(x: NdArray | Dataset, fn: string, name = 'x'): NdArray {
  const nd = isDataset(x) ? x.data : x;
  if (!isNdArray(nd)) throw new ValueError(`${fn}: ${name} must be an ndarray or a Dataset; got ${typeof x}.`);
  checkShape(nd.shape, fn, name);
  return nd;
}

/** `{re, im}` from a complex argument (a `{re, im}` pair, or a complex Dataset). */
export function complexInput(z: ComplexArray | Dataset | NdArray, fn: string, name = 'X'): { re: NdArray; im: NdArray | null } {
  if (isDataset(z)) return complexInput(z.imag ? { re: z.data, im: z.imag } : z.data, fn, name);
  if (isNdArray(z)) {
    checkShape(z.shape, fn, name);
    return { re: z, im: null };
  }
  const c = z as ComplexArray;
  if (!c || !isNdArray(c.re) || !isNdArray(c.im)) {
    throw new ValueError(`${fn}: ${name} must be {re, im} (two ndarrays of one shape), a complex Dataset or a real ndarray.`);
  }
  if (c.re.shape.length !== c.im.shape.length || c.re.shape.some((s, i) => s !== c.im.shape[i])) {
    throw new ShapeError(`${fn}: ${name}.re and ${name}.im must have one shape; got [${c.re.shape}] and [${c.im.shape}].`);
  }
  checkShape(c.re.shape, fn, name);
  return { re: c.re, im: c.im };
}

function checkShape(shape: number[], fn: string, name: string): void {
  if (shape.length < 2) throw new ShapeError(`${fn}: ${name} must have at least 2 dimensions ([..., rows, cols]); got shape [${shape}].`);
  if (shape.some(s => !(s >= 1))) throw new ShapeError(`${fn}: ${name} must have no empty axis; got shape [${shape}].`);
}

/** Precision of the computation: f32 when every input is float32, else f64 (as scipy.fft does). */
export function precisionOf(...arrays: Array<NdArray | null>): Precision {
  return arrays.every(a => a === null || a.data instanceof Float32Array) ? 'f32' : 'f64';
}

/** Threads for a transform of `elements` per frame. */
export function threadsFor(eng: FftEngine, options: FftOptions | undefined, elements: number, fn: string): number {
  const w = options?.workers;
  if (w === undefined) return elements >= PARALLEL_MIN ? eng.threadsFor(Infinity) : 1;
  if (!(Number.isInteger(w) && w >= 1)) throw new ValueError(`${fn}: options.workers must be a positive integer; got ${w}.`);
  return eng.threadsFor(w);
}

function frameCount(shape: number[]): number {
  return shape.slice(0, -2).reduce((a, b) => a * b, 1);
}

/** Offset of frame f of an N-D ndarray (leading axes unravelled in row-major order). */
function frameOffset(a: NdArray, f: number): number {
  let off = a.offset;
  for (let d = a.shape.length - 3; d >= 0; d--) {
    const i = f % a.shape[d];
    f = (f - i) / a.shape[d];
    off += i * a.stride[d];
  }
  return off;
}

/**
 * Copies rows r0…r1-1 of frame f of `a` (its last two axes; rows/cols beyond `a` read as zero,
 * extra ones are dropped) into dst [r1 - r0, cols].
 */
function copyFrameIn(a: NdArray | null, f: number, dst: Floats, rows: number, cols: number, r0 = 0, r1 = rows): void {
  if (a === null) {
    dst.fill(0);
    return;
  }
  const nd = a.shape.length;
  const ar = a.shape[nd - 2], ac = a.shape[nd - 1];
  const s0 = a.stride[nd - 2], s1 = a.stride[nd - 1];
  const base = frameOffset(a, f) + r0 * s0;
  const d = a.data as unknown as ArrayLike<number> & { subarray?: (s: number, e: number) => ArrayLike<number> };
  const r = Math.max(0, Math.min(r1, ar) - r0), c = Math.min(cols, ac);
  if (r < r1 - r0 || c < cols) dst.fill(0);
  if (s1 === 1 && s0 === ac && ac === cols && d.subarray && (a.data instanceof Float32Array || a.data instanceof Float64Array)) {
    copyFloats(r * cols === dst.length ? dst : dst.subarray(0, r * cols), (d as Floats).subarray(base, base + r * cols));
    return;
  }
  for (let i = 0; i < r; i++) {
    let idx = base + i * s0;
    const o = i * cols;
    if (s1 === 1) for (let j = 0; j < c; j++) dst[o + j] = d[idx + j];
    else for (let j = 0; j < c; j++, idx += s1) dst[o + j] = d[idx];
  }
}

/**
 * Allocates the real and imaginary planes of a result, the first block padded so that, placed
 * next to each other, im starts half a page after re modulo 4 KiB. Planes of ny·nc elements are
 * often whole pages (ny a multiple of 1024), and then re[r, c] and im[r, c] fall in the same L1 and
 * L2 sets: 3–6 % slower at 2048² and 4096² (rows and columns, one thread, interleaved).
 */
function allocPlanes(eng: FftEngine, bytes: number): [number, number] {
  const rounded = Math.ceil(bytes / 64) * 64;
  const pad = (2048 - (rounded % 4096) + 4096) % 4096;
  const re = eng.alloc(rounded + pad);
  try {
    return [re, eng.alloc(bytes)];
  } catch (e) {
    eng.free(re);
    throw e;
  }
}

/** Allocates blocks, runs body, frees everything (scratch included). */
function withBlocks<R>(eng: FftEngine, sizes: number[], body: (ptrs: number[], scratch: (th: number, maxN: number, sc: number) => ThreadScratch[]) => R): R {
  const ptrs: number[] = [];
  const scratches: ThreadScratch[][] = [];
  try {
    for (const s of sizes) ptrs.push(eng.alloc(s));
    return body(ptrs, (th, maxN, sc) => {
      const s = eng.scratch(th, maxN, sc);
      scratches.push(s);
      return s;
    });
  } finally {
    for (const s of scratches) eng.freeScratch(s);
    eng.free(...ptrs);
  }
}

/** rfft2 over the last two axes. */
export function rfft2Impl(x: NdArray, options: FftOptions | undefined, fn: string): ComplexArray {
  const eng = getEngine();
  const { t, re, im, length, shape, nc } = rfft2Planes(eng, x, options, fn);
  const outRe = eng.takeResult(t, re, length), outIm = eng.takeResult(t, im, length);
  const outShape = [...shape.slice(0, -1), nc];
  return { re: ndarray(outRe, outShape), im: ndarray(outIm, outShape) };
}

/**
 * A half spectrum left in the engine's memory for the core's own kernels to read in place (no copy
 * out, no garbage collection to wait for): planes of `length` elements at byte offsets re and im.
 * The owner calls free() once done with it; views() are valid until then.
 */
export interface ResidentSpectrum {
  eng: FftEngine;
  t: Precision;
  re: number;
  im: number;
  length: number;
  views(): { re: Floats; im: Floats };
  free(): void;
}

/** {@link rfft2Impl} into a {@link ResidentSpectrum} (internal: the caller frees it). */
export function rfft2Resident(x: NdArray, options: FftOptions | undefined, fn: string): ResidentSpectrum {
  const eng = getEngine();
  const { t, re, im, length } = rfft2Planes(eng, x, options, fn);
  let live = true;
  return {
    eng,
    t,
    re,
    im,
    length,
    views: () => {
      if (!live) throw new Error(`${fn}: resident spectrum used after free().`);
      return { re: eng.view(t, re, length), im: eng.view(t, im, length) };
    },
    free: () => {
      if (live) eng.free(re, im);
      live = false;
    }
  };
}

/** The rfft2 of x into freshly allocated planes of the engine's memory (the caller owns them). */
function rfft2Planes(eng: FftEngine, x: NdArray, options: FftOptions | undefined, fn: string): { t: Precision; re: number; im: number; length: number; shape: number[]; nc: number } {
  const t = precisionOf(x);
  const sz = bytesOf(t), L = lanesOf(t);
  const shape = x.shape.slice();
  const [ny, nx] = shape.slice(-2);
  const nc = (nx >> 1) + 1;
  const frames = frameCount(shape);
  const th = threadsFor(eng, options, ny * nx, fn);
  const pr = eng.plan(t, nx), pc = eng.plan(t, ny);
  const plane = ny * nc;
  const [re, im] = allocPlanes(eng, frames * plane * sz);
  const group = 2 * L;
  try {
    // Row chunks of `step` rows are claimed as threads go (engine.runChunked). Chunks from
    // `first` on may go to worker threads: the calling thread copies their input into src (from the
    // last chunk down, a quarter at a time, so workers start early) and takes what is left of them
    // when its own chunks, copied `group` rows at a time into a staging buffer that stays in cache, are
    // done. It keeps ROW_SHARE_CALLER of a worker's rows, since it also copies the workers' input.
    const step = ROW_CHUNK * group;
    const ranges = splitWeighted(ny, Array.from({ length: th }, (_, i) => (i === 0 && th > 1 ? ROW_SHARE_CALLER : 1)), step);
    const firstRow = ranges[0][1];
    const first = Math.ceil(firstRow / step);
    withBlocks(eng, [Math.max(1, (ny - firstRow) * nx * sz), group * nx * sz], ([srcBlock, stage], scratch) => {
      const s = scratch(th, Math.max(nx, ny), Math.max(pr.scratchBytes, pc.scratchBytes));
      const src = srcBlock - firstRow * nx * sz;
      for (let f = 0; f < frames; f++) {
        const fre = re + f * plane * sz, fim = im + f * plane * sz;
        const rowArgs = (i: number) => [src, ny, nx, 0, 0, fre, fim, pr.ptr, s[i].a, s[i].b, s[i].sc, s[i].st];
        const rows = eng.exports[`rowsR2C_${t}`], stageView = eng.view(t, stage, group * nx);
        const local = (k: number, c0: number, c1: number) => {
          if (k >= first) rows(src, ny, nx, c0, c1, fre, fim, pr.ptr, s[0].a, s[0].b, s[0].sc, s[0].st);
          else {
            for (let g = c0; g < c1; g += group) {
              const g1 = Math.min(g + group, c1);
              copyFrameIn(x, f, g1 - g === group ? stageView : stageView.subarray(0, (g1 - g) * nx), ny, nx, g, g1);
              rows(stage - g * nx * sz, ny, nx, g, g1, fre, fim, pr.ptr, s[0].a, s[0].b, s[0].sc, s[0].st);
            }
          }
        };
        const prepare = (ready: (k: number) => void) => {
          const count = Math.ceil(ny / step);
          const piece = Math.max(1, Math.ceil((count - first) / 4));
          for (let k1 = count; k1 > first; k1 -= piece) {
            const k0 = Math.max(first, k1 - piece);
            const r0 = k0 * step, r1 = Math.min(ny, k1 * step);
            copyFrameIn(x, f, eng.view(t, src + r0 * nx * sz, (r1 - r0) * nx), ny, nx, r0, r1);
            ready(k0);
          }
        };
        eng.runChunked({ fn: `rowsR2C_${t}`, args: rowArgs, lo: 3, step, end: ny, firstShared: first, local, prepare }, th);
        eng.runChunked({ fn: `colsC2C_${t}`, args: i => [fre, fim, ny, nc, 0, 0, pc.ptr, s[i].a, s[i].bs, s[i].b, s[i].sc, 0, 1], lo: 4, step: COL_GROUP * L, end: nc, firstShared: 0 }, th);
      }
    });
  } catch (e) {
    eng.free(re, im);
    throw e;
  }
  return { t, re, im, length: frames * plane, shape, nc };
}

/** fft2 (inverse = false) or ifft2 (inverse = true, with 1/N) over the last two axes. */
export function fft2Impl(z: { re: NdArray; im: NdArray | null }, inverse: boolean, options: FftOptions | undefined, fn: string): ComplexArray {
  const eng = getEngine();
  const t = precisionOf(z.re, z.im);
  const sz = bytesOf(t), L = lanesOf(t);
  const shape = z.re.shape.slice();
  const [ny, nx] = shape.slice(-2);
  const frames = frameCount(shape);
  const th = threadsFor(eng, options, ny * nx, fn);
  const pr = eng.plan(t, nx), pc = eng.plan(t, ny);
  const n = ny * nx;
  const conj = inverse ? 1 : 0;
  const [re, im] = allocPlanes(eng, frames * n * sz);
  try {
    withBlocks(eng, [], (_, scratch) => {
      const s = scratch(th, Math.max(nx, ny), Math.max(pr.scratchBytes, pc.scratchBytes));
      for (let f = 0; f < frames; f++) {
        const fre = re + f * n * sz, fim = im + f * n * sz;
        copyFrameIn(z.re, f, eng.view(t, fre, n), ny, nx);
        copyFrameIn(z.im, f, eng.view(t, fim, n), ny, nx);
        eng.runChunked({ fn: `rowsC2C_${t}`, args: i => [fre, fim, fre, fim, ny, nx, 0, 0, pr.ptr, s[i].a, s[i].b, s[i].sc, conj, 1], lo: 6, step: 2 * ROW_CHUNK * L, end: ny, firstShared: 0 }, th);
        eng.runChunked({ fn: `colsC2C_${t}`, args: i => [fre, fim, ny, nx, 0, 0, pc.ptr, s[i].a, s[i].bs, s[i].b, s[i].sc, conj, inverse ? 1 / n : 1], lo: 4, step: COL_GROUP * L, end: nx, firstShared: 0 }, th);
      }
    });
  } catch (e) {
    eng.free(re, im);
    throw e;
  }
  const outRe = eng.takeResult(t, re, frames * n), outIm = eng.takeResult(t, im, frames * n);
  return { re: ndarray(outRe, shape), im: ndarray(outIm, shape) };
}

/** irfft2 over the last two axes to output rows × cols (input cropped or zero-padded as numpy does). */
export function irfft2Impl(z: { re: NdArray; im: NdArray | null }, rowsCols: [number, number] | undefined, options: FftOptions | undefined, fn: string): NdArray {
  const eng = getEngine();
  const t = precisionOf(z.re, z.im);
  const sz = bytesOf(t), L = lanesOf(t);
  const inShape = z.re.shape.slice();
  const [ny, nx] = rowsCols ?? [inShape[inShape.length - 2], 2 * (inShape[inShape.length - 1] - 1)];
  if (!(Number.isInteger(ny) && ny >= 1 && Number.isInteger(nx) && nx >= 1)) {
    throw new ValueError(`${fn}: options.shape must be two positive integers [rows, cols]; got [${ny}, ${nx}] (an input of one column needs options.shape).`);
  }
  const nc = (nx >> 1) + 1;
  const frames = frameCount(inShape);
  const th = threadsFor(eng, options, ny * nx, fn);
  const pr = eng.plan(t, nx), pc = eng.plan(t, ny);
  const dst = eng.alloc(frames * ny * nx * sz);
  try {
    withBlocks(eng, [ny * nc * sz, ny * nc * sz], ([re, im], scratch) => {
      const s = scratch(th, Math.max(nx + 2, ny), Math.max(pr.scratchBytes, pc.scratchBytes));
      for (let f = 0; f < frames; f++) {
        const fdst = dst + f * ny * nx * sz;
        copyFrameIn(z.re, f, eng.view(t, re, ny * nc), ny, nc);
        copyFrameIn(z.im, f, eng.view(t, im, ny * nc), ny, nc);
        eng.runChunked({ fn: `colsC2C_${t}`, args: i => [re, im, ny, nc, 0, 0, pc.ptr, s[i].a, s[i].bs, s[i].b, s[i].sc, 1, 1], lo: 4, step: COL_GROUP * L, end: nc, firstShared: 0 }, th);
        eng.runChunked({ fn: `rowsC2R_${t}`, args: i => [re, im, fdst, ny, nx, 0, 0, pr.ptr, s[i].a, s[i].b, s[i].sc, 1 / (ny * nx)], lo: 5, step: 2 * ROW_CHUNK * L, end: ny, firstShared: 0 }, th);
      }
    });
  } catch (e) {
    eng.free(dst);
    throw e;
  }
  const out = eng.takeResult(t, dst, frames * ny * nx);
  return ndarray(out, [...inShape.slice(0, -2), ny, nx]);
}
