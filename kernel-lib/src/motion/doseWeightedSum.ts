/**
 * Dose-weighted (exposure-filtered) sum of aligned frames — Grant & Grigorieff, "Measuring the
 * optimal exposure for single particle cryo-EM using a 2.6 Å reconstruction of rotavirus VP6",
 * eLife 4, e06980 (2015), doi:10.7554/eLife.06980 (science.md §1.8).
 */
import ndarray from 'ndarray';
import { ShapeError, ValueError } from '../errors';
import type { LazySource } from '../io/types';
import { Dataset, NdArray, makeDataset } from '../types/dataset';
import { checkAbort, frameSource, yieldToEventLoop } from './_internal/frameSource';
import { ProgressOption, reporter } from './_internal/progress';
import { CriticalDoseModel, ShiftSum, halfInvTwoNe } from './_internal/shiftSum';

export type { CriticalDoseModel };

/** Options of {@link doseWeightedSum}. */
export interface DoseWeightedSumOptions {
  /** Dose of each frame at the specimen, e⁻/Å²: one number (every frame) or one per frame. Required. */
  frameDosesEPerA2: number | number[];
  /** Pixel size, Å (default from the stack's axes or `metadata.pixelSizeA`; required when a model depends on k). */
  pixelSizeA?: number;
  /** Acceleration voltage, kV (default `metadata.voltageKV` or 300): scales the Grant–Grigorieff curve (×0.8 at 200 kV, ×0.64 at 100 kV). */
  voltageKV?: number;
  /**
   * Critical exposure N_e(k) in e⁻/Å² (amplitudes fall as exp(−D/(2N_e)), intensities as exp(−D/N_e),
   * so N_e is the Dc of science.md §1.9): 'grant-grigorieff' (default; 0.245·k^−1.665 + 2.81, measured
   * on frozen-hydrated protein at 300 kV), a number (one material Dc for all k, e.g. 60 for NNB {001}),
   * or a function of k (1/Å).
   */
  criticalDoseModel?: CriticalDoseModel;
  /** Dose before the first frame, e⁻/Å² (default 0). */
  preDoseEPerA2?: number;
  /** Exposure a frame is weighted at: its accumulated dose at the 'end' (default, as RELION) or 'mid'point. */
  doseAt?: 'end' | 'mid';
  /** Frames read per chunk from a LazySource (default 4). */
  chunkSize?: number;
  progress?: ProgressOption;
  signal?: AbortSignal;
}

/** Result of {@link doseWeightedSum}. */
export interface DoseWeightedSumResult {
  /** Dose-weighted aligned sum `[rows, cols]` (float32, the stack's x/y axes). */
  sum: Dataset;
  /** Plain aligned sum (same shifts, no weights), for comparison. */
  unweightedSum: Dataset;
  /** Exposure each frame was weighted at, e⁻/Å². */
  exposureEPerA2: number[];
  warnings: string[];
}

/** Accumulated exposure per frame (end or midpoint) from per-frame doses. */
export function exposureDoses(fn: string, d: number | number[], pre: number, n: number, at: 'end' | 'mid'): number[] {
  const list = Array.isArray(d) ? d.slice() : new Array<number>(n).fill(d);
  if (list.length !== n) throw new ShapeError(`${fn}: options.frameDosesEPerA2 must be one number or ${n} numbers (one per frame); got ${list.length}.`);
  if (!(Number.isFinite(pre) && pre >= 0)) throw new ValueError(`${fn}: options.preDoseEPerA2 must be a finite dose ≥ 0 in e⁻/Å²; got ${pre}.`);
  let acc = pre;
  return list.map((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new ValueError(`${fn}: options.frameDosesEPerA2${Array.isArray(d) ? `[${i}]` : ''} must be a finite dose ≥ 0 in e⁻/Å²; got ${v}.`);
    }
    acc += v;
    return at === 'end' ? acc : acc - v / 2;
  });
}

/**
 * Sums frames after moving each back by −shiftsPx[n] (Fourier shift theorem), weighting every
 * spatial frequency k of frame n by w_n(k) = exp(−D_n/(2·N_e(k))) (Grant & Grigorieff 2015):
 * F(k) = Σ w_n(k)·F_n(k) · sqrt(N / Σ w_n(k)²) — their optimal-SNR sum, times √N so that low
 * frequencies (w ≈ 1) keep the plain sum's scale and the noise stays white at the plain sum's level.
 * Streams from a LazySource (memory: two half spectra of one frame plus the accumulators).
 *
 * @param stack - movie `[frame, row, col]` (ndarray, Dataset or LazySource).
 * @param shiftsPx - `[dy, dx]` per frame, px: content displacement relative to frame 0 (as alignFrames returns).
 * @param options - doses (required), pixel size, voltage, critical-exposure model, see {@link DoseWeightedSumOptions}.
 * @returns `{sum, unweightedSum, exposureEPerA2, warnings}`.
 * @throws ShapeError when shiftsPx or the doses do not have one entry per frame; ValueError for bad options.
 * @example
 * const r = await lowdose.motion.alignFrames(movie);
 * const dw = await lowdose.motion.doseWeightedSum(movie, r.shiftsPx, { frameDosesEPerA2: 0.9625, voltageKV: 300 });
 */
export async function doseWeightedSum(stack: Dataset | NdArray | LazySource, shiftsPx: ReadonlyArray<readonly [number, number]>, options: DoseWeightedSumOptions): Promise<DoseWeightedSumResult> {
  const fn = 'doseWeightedSum';
  const src = frameSource(stack, fn);
  const { frameCount: N, rows, cols } = src;
  const o = options ?? ({} as DoseWeightedSumOptions);
  if (o.frameDosesEPerA2 === undefined) throw new ValueError(`${fn}: options.frameDosesEPerA2 must be given (e⁻/Å² per frame); got undefined.`);
  if (!Array.isArray(shiftsPx) || shiftsPx.length !== N) throw new ShapeError(`${fn}: shiftsPx must hold one [dy, dx] per frame (${N}); got ${Array.isArray(shiftsPx) ? shiftsPx.length : typeof shiftsPx}.`);
  shiftsPx.forEach((s, i) => {
    if (!Array.isArray(s) || s.length !== 2 || !s.every(Number.isFinite)) throw new ValueError(`${fn}: shiftsPx[${i}] must be [dy, dx] in px; got ${JSON.stringify(s)}.`);
  });
  const warnings: string[] = [];
  const at = o.doseAt ?? 'end';
  if (at !== 'end' && at !== 'mid') throw new ValueError(`${fn}: options.doseAt must be 'end' or 'mid'; got ${String(at)}.`);
  const exposure = exposureDoses(fn, o.frameDosesEPerA2, o.preDoseEPerA2 ?? 0, N, at);
  const model = o.criticalDoseModel ?? 'grant-grigorieff';
  if (!(model === 'grant-grigorieff' || typeof model === 'function' || (typeof model === 'number' && model > 0 && Number.isFinite(model)))) {
    throw new ValueError(`${fn}: options.criticalDoseModel must be 'grant-grigorieff', a positive dose in e⁻/Å² or a function of k (1/Å); got ${String(model)}.`);
  }
  let p = o.pixelSizeA ?? src.pixelSizeA;
  if (p === undefined) {
    if (typeof model !== 'number') warnings.push('Pixel size unknown: frequencies were converted with p = 1 Å; pass options.pixelSizeA.');
    p = 1;
  }
  if (!(p > 0 && Number.isFinite(p))) throw new ValueError(`${fn}: options.pixelSizeA must be a positive pixel size in Å; got ${p}.`);
  const voltageKV = o.voltageKV ?? (typeof src.metadata.voltageKV === 'number' ? (src.metadata.voltageKV as number) : 300);
  if (!(voltageKV > 0 && Number.isFinite(voltageKV))) throw new ValueError(`${fn}: options.voltageKV must be a positive voltage in kV; got ${voltageKV}.`);
  if (model === 'grant-grigorieff' && (voltageKV < 100 || voltageKV > 300)) {
    warnings.push(`Grant–Grigorieff's curve is scaled for 100–300 kV only; ${voltageKV} kV used the nearest scale.`);
  }
  const chunkSize = o.chunkSize ?? 4;
  if (!(Number.isInteger(chunkSize) && chunkSize >= 1)) throw new ValueError(`${fn}: options.chunkSize must be a positive integer; got ${chunkSize}.`);
  const progress = reporter(fn, o.progress);
  const acc = new ShiftSum(rows, cols, halfInvTwoNe(rows, cols, p, voltageKV, model, fn));
  for await (const f of src.frames(chunkSize)) {
    acc.addFrame(f.data, [shiftsPx[f.index][0], shiftsPx[f.index][1]], exposure[f.index], fn);
    progress.report('summing', f.index + 1, N);
    await yieldToEventLoop();
    checkAbort(o.signal, fn);
  }
  const images = acc.images();
  progress.finish(`${N} frames summed with exposure weighting.`);
  const meta = { generator: 'lowdose.motion.doseWeightedSum', frames: N, shiftsPx: shiftsPx.map(s => [s[0], s[1]]), exposureEPerA2: exposure, voltageKV, pixelSizeA: p, criticalDoseModel: typeof model === 'function' ? 'function' : model };
  const image = (data: Float32Array, summed: string): Dataset => makeDataset(ndarray(data, [rows, cols]), { axes: src.axes.map(a => ({ ...a })), metadata: { ...meta, summed } });
  return { sum: image(images.doseWeighted as Float32Array, 'dose-weighted'), unweightedSum: image(images.sum, 'aligned'), exposureEPerA2: exposure, warnings };
}
