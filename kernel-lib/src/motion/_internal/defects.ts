/**
 * Detector corrections before alignment: gain-reference multiplication, a defect mask (from a list,
 * a mask image or detected hot/dead pixels) and median replacement of the defective pixels.
 */
import { ShapeError, ValueError } from '../../errors';
import { Dataset, NdArray, isDataset, isNdArray } from '../../types/dataset';
import type { FrameSource } from './frameSource';
import { FrameSum } from './residentSums';

/** A defective pixel. */
export interface DefectPixel {
  row: number;
  col: number;
}

/** Dense float32 gain reference, validated against the frame shape. */
export function gainArray(gain: NdArray | Dataset, rows: number, cols: number, fn: string): Float32Array {
  const a = isDataset(gain) ? gain.data : gain;
  if (!isNdArray(a) || a.shape.length !== 2 || a.shape[0] !== rows || a.shape[1] !== cols) {
    throw new ShapeError(`${fn}: options.gainReference must be a 2D image of the frame shape [${rows}, ${cols}]; got ${isNdArray(a) ? `[${a.shape}]` : typeof a}.`);
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0, k = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++, k++) {
      const v = a.get(r, c);
      if (!Number.isFinite(v) || v < 0) {
        throw new ValueError(`${fn}: options.gainReference must hold finite values ≥ 0; got ${v} at (${r}, ${c}). Mark such pixels as defects instead.`);
      }
      out[k] = v;
    }
  }
  return out;
}

/** Defect mask (1 = defective) from a list of pixels or a mask image (non-zero = defective). */
export function defectMask(defects: DefectPixel[] | NdArray | Dataset, rows: number, cols: number, fn: string): Uint8Array {
  const mask = new Uint8Array(rows * cols);
  if (Array.isArray(defects)) {
    defects.forEach((p, i) => {
      if (!p || !Number.isInteger(p.row) || !Number.isInteger(p.col) || p.row < 0 || p.row >= rows || p.col < 0 || p.col >= cols) {
        throw new ValueError(`${fn}: options.defects[${i}] must be {row, col} with integers inside [${rows}, ${cols}]; got ${JSON.stringify(p)}.`);
      }
      mask[p.row * cols + p.col] = 1;
    });
    return mask;
  }
  const a = isDataset(defects) ? defects.data : defects;
  if (!isNdArray(a) || a.shape.length !== 2 || a.shape[0] !== rows || a.shape[1] !== cols) {
    throw new ShapeError(`${fn}: options.defects must be a list of {row, col} or a mask image of the frame shape [${rows}, ${cols}].`);
  }
  for (let r = 0, k = 0; r < rows; r++) for (let c = 0; c < cols; c++, k++) mask[k] = a.get(r, c) ? 1 : 0;
  return mask;
}

/** Median of the first n values of v (sorts them in place). */
function median(v: Float64Array, n: number): number {
  const s = v.subarray(0, n).sort();
  return n % 2 ? s[(n - 1) >> 1] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

/**
 * Flags pixels of the frame sum that differ from the median of their 8 neighbours by more than
 * `sigma` times the local scale max(1.4826·MAD, √median) (Poisson for counting data): hot pixels
 * (stuck high) and dead ones (stuck at zero). Only pixels that already stand out from the mean of
 * their neighbours by half that (in Poisson units) are examined, so the pass is O(pixels).
 */
export function detectHotPixels(sum: Float64Array, rows: number, cols: number, sigma: number): Uint8Array {
  const mask = new Uint8Array(rows * cols);
  const nb = new Float64Array(8);
  const half = sigma / 2;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (r > 0 && r < rows - 1 && c > 0 && c < cols - 1) {
        // interior fast path: the screening test only (most pixels stop here)
        const k = r * cols + c;
        const s8 = sum[k - cols - 1] + sum[k - cols] + sum[k - cols + 1] + sum[k - 1] + sum[k + 1] + sum[k + cols - 1] + sum[k + cols] + sum[k + cols + 1];
        const m8 = s8 / 8;
        if (Math.abs(sum[k] - m8) <= half * Math.sqrt(m8 > 1 ? m8 : 1)) continue;
      }
      let n = 0;
      let s = 0;
      for (let dr = -1; dr <= 1; dr++) {
        const rr = r + dr;
        if (rr < 0 || rr >= rows) continue;
        for (let dc = -1; dc <= 1; dc++) {
          const cc = c + dc;
          if ((dr === 0 && dc === 0) || cc < 0 || cc >= cols) continue;
          const v = sum[rr * cols + cc];
          nb[n++] = v;
          s += v;
        }
      }
      const v = sum[r * cols + c];
      const mean = s / n;
      if (Math.abs(v - mean) <= (sigma / 2) * Math.sqrt(Math.max(mean, 1))) continue;
      const med = median(nb, n);
      const dev = new Float64Array(n);
      for (let i = 0; i < n; i++) dev[i] = Math.abs(nb[i] - med);
      const scale = Math.max(1.4826 * median(dev, n), Math.sqrt(Math.max(med, 1)));
      if (Math.abs(v - med) > sigma * scale) mask[r * cols + c] = 1;
    }
  }
  return mask;
}

/**
 * Replacement value of every defective pixel: the median of its non-defective 3 × 3 neighbours
 * (5 × 5 when all 8 are defective) in `image`.
 */
export function neighbourMedians(image: ArrayLike<number>, mask: Uint8Array, index: Int32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(index.length);
  const nb = new Float64Array(24);
  index.forEach((k, i) => {
    const r = Math.floor(k / cols);
    const c = k % cols;
    for (const R of [1, 2]) {
      let n = 0;
      for (let dr = -R; dr <= R; dr++) {
        for (let dc = -R; dc <= R; dc++) {
          const rr = r + dr;
          const cc = c + dc;
          if (rr < 0 || rr >= rows || cc < 0 || cc >= cols || mask[rr * cols + cc]) continue;
          nb[n++] = image[rr * cols + cc];
        }
      }
      if (n > 0 || R === 2) {
        out[i] = n > 0 ? median(nb, n) : 0;
        break;
      }
    }
  });
  return out;
}

/** Indices of the set pixels of a mask. */
export function maskIndex(mask: Uint8Array): Int32Array {
  let n = 0;
  for (let k = 0; k < mask.length; k++) if (mask[k]) n++;
  const out = new Int32Array(n);
  for (let k = 0, i = 0; k < mask.length; k++) if (mask[k]) out[i++] = k;
  return out;
}

/** What the defects pass found: the defect mask and its replacement values, the mean count, each frame's total. */
export interface DefectsPassResult {
  mask?: Uint8Array;
  /** Flat indices of the defective pixels (ascending) and, for sparse frames, their replacement (neighbour medians of the frame average). */
  index: Int32Array;
  meanReplacement: Float32Array;
  /** Mean counts per pixel per frame over the good pixels (NaN when the pass did not run). */
  meanCounts: number;
  /** Each frame's gain-corrected total (empty when the pass did not run). */
  frameTotals: number[];
}

/**
 * alignFrames' pass 0: the frame sum (gain-corrected) → hot/dead pixels (when `detect`), joined to the
 * `listed` mask; replacement values from the frame average. Runs only when there is something to
 * find or replace. On this thread (memory-bound: threads would not help), in the FFT core
 * (residentSums.FrameSum), from in-memory frames without a copy.
 */
export async function defectsPass(
  src: FrameSource,
  o: { gain?: Float32Array; listed?: Uint8Array; detect: boolean; sigmaHot: number; chunkSize: number; tick(done: number): Promise<void> }
): Promise<DefectsPassResult> {
  const { frameCount: N, rows, cols } = src;
  let mask = o.listed;
  if (!o.detect && !mask) return { index: new Int32Array(0), meanReplacement: new Float32Array(0), meanCounts: NaN, frameTotals: [] };
  const acc = new FrameSum(rows * cols, o.gain);
  let sum: Float64Array;
  const frameTotals: number[] = new Array(N);
  // frames two at a time: the float64 sum is read and written once per pair
  const add = async (batch: Array<{ index: number; data: Float32Array }>): Promise<void> => {
    if (batch.length === 0) return;
    const t = acc.add(...batch.map(f => f.data));
    for (let j = 0; j < batch.length; j++) {
      frameTotals[batch[j].index] = t[j];
      await o.tick(batch[j].index + 1);
    }
  };
  try {
    if (src.view) {
      const view = src.view;
      for (let n = 0; n < N; n += 2) await add(n + 1 < N ? [{ index: n, data: view(n) }, { index: n + 1, data: view(n + 1) }] : [{ index: n, data: view(n) }]);
    } else {
      let batch: Array<{ index: number; data: Float32Array }> = [];
      for await (const f of src.frames(o.chunkSize)) {
        batch.push(f);
        if (batch.length === 2) {
          await add(batch);
          batch = [];
        }
      }
      await add(batch);
    }
  } finally {
    sum = acc.take();
  }
  const hot = o.detect ? detectHotPixels(sum, rows, cols, o.sigmaHot) : undefined;
  if (hot) {
    mask ??= new Uint8Array(rows * cols);
    for (let k = 0; k < hot.length; k++) if (hot[k]) mask[k] = 1;
  }
  if (!mask) return { index: new Int32Array(0), meanReplacement: new Float32Array(0), meanCounts: NaN, frameTotals };
  const index = maskIndex(mask);
  let total = 0;
  for (let k = 0; k < sum.length; k++) if (!mask[k]) total += sum[k];
  const meanCounts = total / ((rows * cols - index.length) * N);
  for (let k = 0; k < sum.length; k++) sum[k] /= N;
  return { mask, index, meanReplacement: neighbourMedians(sum, mask, index, rows, cols), meanCounts, frameTotals };
}
