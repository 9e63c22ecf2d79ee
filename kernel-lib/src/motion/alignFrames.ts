/**
 * Global motion correction of a low-dose movie (science.md §1.7–1.8): gain and defect correction,
 * drift estimation robust to frames with < 1 e⁻/pixel, Fourier-shifted sum and dose-weighted sum.
 * Streams from a LazySource with memory bounded by a few frames.
 */
import ndarray from 'ndarray';
import { ValueError } from '../errors';
import type { LazySource } from '../io/types';
import { Dataset, NdArray, makeDataset } from '../types/dataset';
import { Spectrum, cropFor, k2Of } from './_internal/alignCore';
import { latticeSpotMask, subLatticeLimit } from './_internal/spectralStats';
import { DefectPixel, defectMask, defectsPass, gainArray } from './_internal/defects';
import { driftWarnings } from './_internal/driftWarnings';
import { estimateDrift } from './_internal/estimateDrift';
import { latticeBasis } from './_internal/firstFrame';
import { checkAbort, frameSource, yieldToEventLoop } from './_internal/frameSource';
import { coreCount, endLanes, framePass, lanes } from './_internal/motionPool';
import { laneScratchBytes, spectraOf } from './_internal/motionTasks';
import { DriftMemory, MotionMemory } from './_internal/motionMemory';
import { ProgressOption, reporter } from './_internal/progress';
import { destrainOnLanes, strainAwareSpectra } from './_internal/strainStage';
import { CriticalDoseModel, ShiftSum, ShiftSumState, halfInvTwoNe } from './_internal/shiftSum';
import { exposureDoses } from './doseWeightedSum';

/** Options of {@link alignFrames}. Every one has a default. */
export interface AlignFramesOptions {
  /** Pixel size, Å (default: from the stack's axes or `metadata.pixelSizeA`; B-factors need it, else p = 1 is assumed with a warning). */
  pixelSizeA?: number;
  /** Gain reference `[rows, cols]`; every frame is multiplied by it (default none). */
  gainReference?: NdArray | Dataset;
  /** Known defective pixels: a list of `{row, col}` or a mask image (non-zero = defective). */
  defects?: DefectPixel[] | NdArray | Dataset;
  /** Also detect hot/dead pixels on the frame sum (default true; an extra read pass). */
  detectHotPixels?: boolean;
  /** Detection threshold in local robust standard deviations (default 8). */
  hotPixelSigma?: number;
  /**
   * Frames per group in the coarse stages: a number, or 'auto' (default): enough frames for ≥ 1 count
   * per pixel, at most 16. Doubled while the group-to-group correlation peaks stay within 2× of the
   * noise (SNR < 10), up to a quarter of the frames.
   */
  groupFrames?: number | 'auto';
  /**
   * Frames per unit in the fine stage: a number, or 'auto' (default): the fewest frames whose
   * predicted peak σ is ≤ 0.5 px (single frames when the dose allows), then smoothed.
   */
  fineGroupFrames?: number | 'auto';
  /**
   * B-factor, Å²: low-pass exp(−B·k²/4) on each image (default 0: the coherence weighting already
   * drops noise-only frequencies; science.md §1.7 quotes 100–500 for protein movies, where it
   * replaces that weighting). Frequencies it lowers below 1 % are cropped away (faster).
   */
  bFactorA2?: number;
  /** Extra B-factor of the coarse stages, Å² (default 0). Large values bias shifts when content leaves the field. */
  coarseBFactorA2?: number;
  /**
   * Finest detail used for alignment, Å (default 4 pixels — half of Nyquist — and no finer than the
   * frame side / 256 pixels, so the cropped spectra stay ≤ ~512²): the frames' spectra are
   * Fourier-cropped to |k| ≤ 1/maxResolutionA, which bounds memory and time.
   */
  maxResolutionA?: number;
  /**
   * Spectral weighting of the correlations: 'coherence' (default) weights every frequency by the
   * fraction of the aligned sum's power that adds coherently (data-driven matched filter: noise-only
   * frequencies get 0, Bragg spots and low k → 1); 'uniform': the B-factor only.
   */
  weighting?: 'coherence' | 'uniform';
  /**
   * Mask the lattice's Bragg-spot frequencies (found on the summed power spectrum) in the coarse
   * stages (default true): lattice translations then cannot alias, and the fine stage, which uses
   * them, only searches ±searchRadiusPx around the coarse trajectory (science.md §1.7 item 7).
   */
  maskLattice?: boolean;
  /** Sub-pixel precision 1/upsampleFactor px of the upsampled-DFT peak search, refined further by a parabola (default 20). */
  upsampleFactor?: number;
  /** Largest shift between consecutive groups in the chaining stage, px (default min(32, an eighth of the smaller frame side)). */
  maxShiftPx?: number;
  /** Fine-stage search radius around the current trajectory, px (default 3: keep it below half the lattice period). */
  searchRadiusPx?: number;
  /** Fine refinement iterations at the final unit size (default 3, fewer once a pass moves the trajectory < 0.01 px RMS; plus 3 coarse ones). */
  iterations?: number;
  /** Trajectory smoothing λ = σ²_measurement/σ²_step: 'auto' (default, estimated) or a number (≈0: follow the measurements). */
  smoothing?: 'auto' | number;
  /** Dose of each frame, e⁻/Å² (one number or one per frame): also returns the dose-weighted sum. */
  frameDosesEPerA2?: number | number[];
  /** Dose received before the first frame, e⁻/Å² (default 0). */
  preDoseEPerA2?: number;
  /** Acceleration voltage for the exposure filter, kV (default `metadata.voltageKV` or 300). */
  voltageKV?: number;
  /** Critical exposure N_e(k) of the exposure filter (default 'grant-grigorieff'; a number: a material's Dc for every k). */
  criticalDoseModel?: CriticalDoseModel;
  /**
   * Edge treatment before the alignment FFTs: 'periodic-smooth' (default; Moisan's periodic
   * component, so content leaving the field leaves no edge cross) or 'none' (for frames that are
   * exact circular shifts of each other, e.g. synthetic tests).
   */
  edges?: 'periodic-smooth' | 'none';
  /** Frames read per chunk from a LazySource (default 4). */
  chunkSize?: number;
  /**
   * Memory for the frames' full spectra between the spectra and sum passes, MiB (default 256; 0:
   * always re-read): the last frames' spectra, as many as fit, are kept and not re-read and
   * re-transformed (all of them when the movie fits). Memory otherwise stays bounded by a few frames.
   */
  cacheMB?: number;
  /**
   * Threads (Node): frames and refinement units are processed on this many worker threads at once
   * (default: every core, at most 4 — each holds its own partial sums, FFT memory and frames in
   * flight, ~150 MB at 2048²; 1: all on the calling thread, each FFT on every core). Shifts are
   * identical for any value; sums agree to float rounding (threads add their frames separately).
   */
  workers?: number;
  /** Progress: true (default) updates one output in place inside a tslab kernel; a function receives reports. */
  progress?: ProgressOption;
  /** Cancels the computation (it also stops at the kernel's Interrupt: it yields between frames). */
  signal?: AbortSignal;
}

/** Result of {@link alignFrames}. Shifts follow design.md: `[dy, dx]`, content displacement relative to frame 0. */
export interface AlignFramesResult {
  /** Drift of every frame relative to frame 0, px `[dy, dx]` (the smoothed trajectory; `shiftsPx[0]` = [0, 0]). */
  shiftsPx: Array<[number, number]>;
  /** The same in Å (when the pixel size is known). */
  shiftsA?: Array<[number, number]>;
  /** Aligned sum `[rows, cols]` (float32, the stack's x/y axes): frames moved back by −shiftsPx with the Fourier shift theorem. */
  sum: Dataset;
  /** Dose-weighted aligned sum (Grant & Grigorieff 2015) when `frameDosesEPerA2` is given. */
  doseWeightedSum?: Dataset;
  /** Coarse-stage group measurements (relative to frame 0, px) and the frames each group holds. */
  groupShiftsPx: Array<[number, number]>;
  groups: Array<{ start: number; count: number }>;
  /** Fine-stage measurements per unit (relative to frame 0, px), before smoothing. */
  measuredShiftsPx: Array<[number, number]>;
  /** Measurement − trajectory of each frame's unit, px. */
  residualsPx: Array<[number, number]>;
  /** RMS length of the residuals, px. */
  rmsResidualPx: number;
  /** Trajectory fit: λ used, estimated measurement and random-walk step σ (px), frames after which a jump was kept. */
  trajectory: { lambda: number; sigmaMeasurementPx: number; sigmaStepPx: number; jumpsAfterFrame: number[] };
  /** Frames per coarse group and per fine unit used. */
  groupFrames: number;
  fineGroupFrames: number;
  /** Mean counts per pixel per frame (after gain correction). */
  meanCountsPerPxPerFrame: number;
  /** Pixels replaced as defective (listed and detected). */
  defectPixels: DefectPixel[];
  /** Wall time of each pass, s. */
  timingsS: { defects: number; spectra: number; alignment: number; sum: number; total: number };
  /**
   * The lattice's deformation over the series, tracked on its strong Bragg spots (absent without two):
   * the phase change at half the field (cycles), its significance (standard errors of the spots' fitted
   * change) and whether the fine stage compared de-strained lattice frequencies (≥ 0.1 cycle at ≥ 5 SE).
   */
  latticeStrain?: { phaseChangeCycles: number; significance: number; destrained: boolean };
  warnings: string[];
}

/** Hot loop kept in a small function (V8 optimises it apart from the long async driver). */
function addPower(power: Float64Array, S: Spectrum): void {
  for (let k = 0; k < power.length; k++) power[k] += S.re[k] * S.re[k] + S.im[k] * S.im[k];
}

/**
 * Noise power per cropped element of all frames together: the median of Σ|S_n|²/filter² over the
 * outer half of the crop (where signal is weakest; Bragg spots do not move a median), times filter²
 * — for Poisson counts this is the total count (science.md §1.3).
 */
function whiteNoise(power: Float64Array, filter: Float64Array, k2: Float64Array): Float64Array {
  let k2max = 0;
  for (const v of k2) k2max = Math.max(k2max, v);
  const all = new Float64Array(power.length);
  let m = 0;
  for (let k = 0; k < power.length; k++) if (k2[k] > 0.25 * k2max && filter[k] > 0.1 && power[k] > 0) all[m++] = power[k] / filter[k] ** 2;
  const outer = all.subarray(0, m).sort();
  const level = outer.length ? outer[outer.length >> 1] : 0;
  return filter.map(f => level * f * f);
}

/**
 * Aligns the frames of a low-dose movie and sums them (science.md §1.7, Part 2 step 2–3).
 *
 * 1. Gain reference multiplication; defective pixels (listed, or detected as hot/dead on the frame
 *    sum) replaced by the median of their neighbours (in the frame average for sparse counting frames).
 * 2. Each frame's periodic component (Moisan 2011, doi:10.1007/s10851-010-0227-1) is Fourier
 *    transformed, low-passed by exp(−B·k²/4) and Fourier-cropped to what the B-factor leaves.
 * 3. Drift: groups of frames (≥ 1 count/px) chained, then refined against the aligned sum of all
 *    other frames, first strongly low-passed, then at the fine B-factor in a ±searchRadiusPx window;
 *    peaks by upsampled DFT (Guizar-Sicairos et al. 2008, doi:10.1364/OL.33.000156); the measurements
 *    are fitted by a robust random-walk smoother that keeps sudden jumps.
 * 4. Frames shifted by the Fourier shift theorem into the sum (and the dose-weighted sum).
 * Frames and refinement units run on worker threads (one per core, at most 4; `options.workers`) with
 * shifts identical to one thread's; the calling thread yields between frames and units, reports
 * progress in place in a tslab kernel, and stops on the kernel's Interrupt or `options.signal`.
 *
 * @param stack - movie `[frame, row, col]`: ndarray, Dataset, or a LazySource from `io.open` (streamed).
 * @param options - see {@link AlignFramesOptions}.
 * @returns shifts (px, design.md sign), aligned sum (and dose-weighted sum), diagnostics, warnings.
 * @throws ShapeError for a non-3D stack or mismatched gain/defects; ValueError for bad options; the
 *   signal's AbortError when cancelled.
 * @example
 * const movie = lowdose.simulate.movie({ seed: 1 });
 * const r = await lowdose.motion.alignFrames(movie, { frameDosesEPerA2: 0.9625 });
 * r.shiftsPx[39]; // drift of the last frame, px
 */
export async function alignFrames(stack: Dataset | NdArray | LazySource, options: AlignFramesOptions = {}): Promise<AlignFramesResult> {
  const fn = 'alignFrames';
  const t0 = Date.now();
  const src = frameSource(stack, fn);
  const { frameCount: N, rows, cols } = src;
  const warnings: string[] = [];
  const o = options;
  const num = (name: string, v: number | undefined, def: number, ok: (x: number) => boolean, what: string): number => {
    const x = v ?? def;
    if (typeof x !== 'number' || !ok(x)) throw new ValueError(`${fn}: options.${name} must be ${what}; got ${String(v)}.`);
    return x;
  };
  const pos = (x: number): boolean => Number.isFinite(x) && x > 0;
  const nonneg = (x: number): boolean => Number.isFinite(x) && x >= 0;
  let p = o.pixelSizeA ?? src.pixelSizeA;
  if (p === undefined) {
    p = 1;
    warnings.push('Pixel size unknown (no Å/nm axes, no metadata.pixelSizeA, no options.pixelSizeA): B-factors were applied as if p = 1 Å.');
  }
  num('pixelSizeA', p, 1, pos, 'a positive pixel size in Å');
  const bFine = num('bFactorA2', o.bFactorA2, 0, nonneg, 'a B-factor ≥ 0 in Å²');
  const bExtra = num('coarseBFactorA2', o.coarseBFactorA2, 0, nonneg, 'a B-factor ≥ 0 in Å²');
  const maxResA = num('maxResolutionA', o.maxResolutionA, (p as number) * Math.max(4, Math.min(rows, cols) / 256), x => x >= 2 * (p as number) && Number.isFinite(x), `a resolution in Å ≥ 2 pixels (${2 * (p as number)} Å)`);
  const edges = o.edges ?? 'periodic-smooth';
  if (edges !== 'periodic-smooth' && edges !== 'none') throw new ValueError(`${fn}: options.edges must be 'periodic-smooth' or 'none'; got ${String(edges)}.`);
  const weighting = o.weighting ?? 'coherence';
  if (weighting !== 'coherence' && weighting !== 'uniform') throw new ValueError(`${fn}: options.weighting must be 'coherence' or 'uniform'; got ${String(weighting)}.`);
  const u = num('upsampleFactor', o.upsampleFactor, 20, x => Number.isFinite(x) && x >= 1, 'a number ≥ 1');
  const maxShiftPx = num('maxShiftPx', o.maxShiftPx, Math.min(32, Math.min(rows, cols) / 8), pos, 'a positive number of pixels');
  const searchRadiusPx = num('searchRadiusPx', o.searchRadiusPx, 3, pos, 'a positive number of pixels');
  const fineIterations = num('iterations', o.iterations, 3, x => Number.isInteger(x) && x >= 0, 'an integer ≥ 0');
  const fineGroup = o.fineGroupFrames === undefined || o.fineGroupFrames === 'auto' ? 'auto' : num('fineGroupFrames', o.fineGroupFrames, 1, x => Number.isInteger(x) && x >= 1, "'auto' or a positive integer");
  const chunkSize = num('chunkSize', o.chunkSize, 4, x => Number.isInteger(x) && x >= 1, 'a positive integer');
  const cacheMB = num('cacheMB', o.cacheMB, 256, nonneg, 'a size ≥ 0 in MiB');
  const sigmaHot = num('hotPixelSigma', o.hotPixelSigma, 8, pos, 'a positive number of standard deviations');
  const smoothing = o.smoothing ?? 'auto';
  if (smoothing !== 'auto' && !nonneg(smoothing as number)) throw new ValueError(`${fn}: options.smoothing must be 'auto' or a number ≥ 0; got ${String(smoothing)}.`);
  if (o.groupFrames !== undefined && o.groupFrames !== 'auto' && !(Number.isInteger(o.groupFrames) && o.groupFrames >= 1)) {
    throw new ValueError(`${fn}: options.groupFrames must be 'auto' or a positive integer; got ${String(o.groupFrames)}.`);
  }
  const doses = o.frameDosesEPerA2 === undefined ? undefined : exposureDoses(fn, o.frameDosesEPerA2, o.preDoseEPerA2 ?? 0, N, 'end');
  const voltageKV = num('voltageKV', o.voltageKV, typeof src.metadata.voltageKV === 'number' ? (src.metadata.voltageKV as number) : 300, pos, 'a positive voltage in kV');
  const invTwoNe = doses ? halfInvTwoNe(rows, cols, p, voltageKV, o.criticalDoseModel ?? 'grant-grigorieff', fn) : undefined;
  const gain = o.gainReference ? gainArray(o.gainReference, rows, cols, fn) : undefined;
  const listed = o.defects ? defectMask(o.defects, rows, cols, fn) : undefined;
  const detect = o.detectHotPixels ?? true;
  const progress = reporter(fn, o.progress);
  const tick = async (stage: string, done: number, total: number): Promise<void> => {
    progress.report(stage, done, total);
    await yieldToEventLoop();
    checkAbort(o.signal, fn);
  };
  checkAbort(o.signal, fn);
  const threads = num('workers', o.workers, Math.min(4, coreCount()), x => Number.isInteger(x) && x >= 1, 'a positive integer');
  // alignment crop and low-pass (B-factor) of the spectra
  const bPx = (b: number): number => b / (p as number) ** 2;
  const { layout } = cropFor(rows, cols, bPx(bFine), (p as number) / maxResA);
  const k2 = k2Of(layout);
  const filter = k2.map(v => Math.exp(-0.25 * bPx(bFine) * v));
  const size = layout.rows * layout.cols;
  const nc = (cols >> 1) + 1;
  // the last frames' full spectra, as many as fit cacheMB, are kept for the sum pass (by the lanes that made them)
  const cacheFrom = Math.max(0, N - Math.floor((cacheMB * 2 ** 20) / (rows * nc * 8)));
  // worker threads (small frames: the hand-offs would cost more than they save)
  const lanesOf = lanes(rows * cols >= 256 * 256 ? threads : 1);
  const L = lanesOf.list;
  const take = (): Float32Array | undefined => lanesOf.spares.take(rows * cols);
  try {
    // the alignment spectra, the drift reference and the lanes' kernel scratch in one shared memory
    const scratchBytes = laneScratchBytes(N, layout.rows, layout.cols);
    const pad = MotionMemory.padded;
    const mem = new MotionMemory(pad(8 * N * size) + pad(16 * size) + pad(8 * size) + L.length * pad(scratchBytes));
    const spectraAt = mem.alloc(8 * N * size);
    const shared = { memory: mem.memory, reference: mem.alloc(16 * size), pInc: mem.alloc(8 * size) };
    const periodicSmooth = edges === 'periodic-smooth';
    const base = { rows, cols, frames: N, layout, filter, periodicSmooth, gain, memory: mem.memory, spectra: spectraAt, cacheFrom, invTwoNe, fftWorkers: L.length > 1 ? 1 : undefined };
    await Promise.all(L.map(l => l.call('setup', { ...base, scratch: mem.alloc(scratchBytes) })));
    return await passes(spectraOf(mem.memory.buffer, spectraAt, N, size), shared);
  } finally {
    await endLanes(lanesOf);
  }

  async function passes(spectra: Spectrum[], shared: DriftMemory): Promise<AlignFramesResult> {
    // Pass 0: frame sum → hot/dead pixels; replacement values from the frame average.
    const tDefects = Date.now();
    const def = await defectsPass(src, { gain, listed, detect, sigmaHot, chunkSize, tick: done => tick('reading (defects)', done, N) });
    const { frameTotals, index: defectIndex } = def;
    let meanCounts = def.meanCounts;
    if (def.mask) {
      const d = { mask: def.mask, index: defectIndex, meanReplacement: def.meanReplacement };
      await Promise.all(L.map(l => l.call('setDefects', d)));
    }

    // Pass 1: alignment spectra (and the frames' spectra when they fit the cache), corrected for gain
    // and defects, into shared memory.
    const tSpectra = Date.now();
    const totals = await framePass<number>(lanesOf, src.frames(chunkSize, take), 'spectrum', (n, data) => ({ n, data, needTotal: !Number.isFinite(meanCounts), frameTotal: frameTotals[n] }), done => tick('spectra', done, N));
    let countSum = 0;
    const power = new Float64Array(k2.length);
    for (let n = 0; n < N; n++) {
      addPower(power, spectra[n]);
      countSum += totals[n];
    }
    if (!Number.isFinite(meanCounts)) meanCounts = countSum / (N * rows * cols);
    const group = o.groupFrames === undefined || o.groupFrames === 'auto' ? Math.max(1, Math.min(16, Math.ceil(1 / Math.max(meanCounts, 1e-9)))) : o.groupFrames;
    if (meanCounts * Math.min(group, N) < 0.5) {
      warnings.push(`Only ${(meanCounts * Math.min(group, N)).toFixed(2)} counts per pixel per group of ${group} frames: drift estimates may be unreliable; increase groupFrames.`);
    }

    // Drift.
    const tAlign = Date.now();
    const spotMask = o.maskLattice ?? true ? latticeSpotMask(power, layout) : new Uint8Array(power.length);
    const noise = whiteNoise(power, filter, k2);
    // coarse stages: only frequencies below the lattice (no Bragg-spot sidelobe or expansion streak
    // leaks past the spot mask there, and nothing aliases by a lattice translation)
    const kSub = subLatticeLimit(power, spotMask, layout);
    const extra = bExtra > 0 || Number.isFinite(kSub);
    const coarseExtra = extra ? k2.map(v => (v < kSub * kSub ? Math.exp(-0.5 * bPx(bExtra) * v) : 0)) : undefined;
    // a lattice that deforms with dose (expansion): the fine stage compares de-strained lattice frequencies
    const resample = destrainOnLanes(lanesOf, () => src.frames(chunkSize, take), cacheFrom, frameTotals, done => tick('de-straining the lattice', done, N));
    const strain = Number.isFinite(kSub) ? strainAwareSpectra({ spec: spectra, power, layout, spotMask, rows, cols, resample }) : {};
    const drift = await estimateDrift(spectra, layout, {
      fineSpectra: strain.spectra,
      latticeBasis: Number.isFinite(kSub) ? latticeBasis(power, spotMask, layout) : undefined,
      group: Math.min(group, N),
      fineGroup: fineGroup === 'auto' ? 'auto' : Math.min(fineGroup, N),
      pInc: power,
      noise,
      spotMask,
      coarseExtra,
      weighting,
      maxShiftPx,
      coarseRadiusPx: Math.max(2 * searchRadiusPx, 10),
      searchRadiusPx,
      coarseIterations: 3,
      fineIterations,
      hMinPx: 1 / u,
      lambda: smoothing === 'auto' ? undefined : Math.max(smoothing as number, 1e-8),
      tick,
      lanes: L,
      shared
    });
    spectra.length = 0;
    const origin = drift.positions[0];
    const rel = (y: [number, number]): [number, number] => [y[0] - origin[0], y[1] - origin[1]];
    const shiftsPx = drift.positions.map(rel);
    warnings.push(...driftWarnings(drift, maxShiftPx, searchRadiusPx, Number.isFinite(kSub) ? 0.8 / kSub : Infinity));
    const residualsPx: Array<[number, number]> = new Array(N);
    drift.fineUnits.forEach((unit, i) => {
      for (let n = unit.start; n < unit.start + unit.count; n++) residualsPx[n] = drift.fit.residuals[i];
    });
    const rmsResidualPx = Math.sqrt(residualsPx.reduce((a, r) => a + (r ? r[0] ** 2 + r[1] ** 2 : 0), 0) / N);

    // Pass 2: aligned sum and dose-weighted sum.
    const tSum = Date.now();
    // frames re-read (n < cacheFrom), then those whose spectra the lanes kept
    async function* sumFrames(): AsyncGenerator<{ index: number; data?: Float32Array }> {
      if (cacheFrom > 0) {
        for await (const f of src.frames(chunkSize, take)) {
          yield f;
          if (f.index + 1 >= cacheFrom) break;
        }
      }
      for (let n = cacheFrom; n < N; n++) yield { index: n };
    }
    await framePass(lanesOf, sumFrames(), 'shiftFrame', (n, data) => ({ n, data, shift: shiftsPx[n], dose: doses?.[n], frameTotal: frameTotals[n] }), done => tick('summing', done, N));
    const acc = new ShiftSum(rows, cols, invTwoNe);
    for (const l of L) {
      const part = await l.call<ShiftSumState | undefined>('takeShiftSum');
      if (part) acc.merge(part);
    }
    const images = acc.images();
    const tEnd = Date.now();
    const defectPixels = Array.from(defectIndex, k => ({ row: Math.floor(k / cols), col: k % cols }));
    const meta = {
      generator: 'lowdose.motion.alignFrames',
      frames: N,
      shiftsPx,
      pixelSizeA: o.pixelSizeA ?? src.pixelSizeA,
      defectPixelCount: defectPixels.length,
      signalUnits: src.metadata.signalUnits ?? 'counts'
    };
    const image = (data: Float32Array, extra: object): Dataset => makeDataset(ndarray(data, [rows, cols]), { axes: src.axes.map(a => ({ ...a })), metadata: { ...meta, ...extra } });
    const s = (ms: number): number => ms / 1000;
    progress.finish(`${N} frames aligned in ${s(tEnd - t0).toFixed(1)} s; drift of the last frame [${shiftsPx[N - 1].map(v => v.toFixed(2)).join(', ')}] px.`);
    return {
      shiftsPx,
      ...(o.pixelSizeA ?? src.pixelSizeA ? { shiftsA: shiftsPx.map(([y, x]) => [y * (p as number), x * (p as number)] as [number, number]) } : {}),
      sum: image(images.sum, { summed: 'aligned' }),
      ...(images.doseWeighted && doses
        ? { doseWeightedSum: image(images.doseWeighted, { summed: 'dose-weighted', doseEPerA2: doses, voltageKV, criticalDoseModel: typeof o.criticalDoseModel === 'function' ? 'function' : o.criticalDoseModel ?? 'grant-grigorieff' }) }
        : {}),
      groupShiftsPx: drift.groupUnits.map(g => rel(g.y)),
      groups: drift.groupUnits.map(g => ({ start: g.start, count: g.count })),
      measuredShiftsPx: drift.fineUnits.map(g => rel(g.y)),
      residualsPx,
      rmsResidualPx,
      trajectory: { lambda: drift.fit.lambda, sigmaMeasurementPx: drift.fit.sigmaMeasPx, sigmaStepPx: drift.fit.sigmaStepPx, jumpsAfterFrame: drift.fit.jumps },
      groupFrames: drift.group,
      fineGroupFrames: drift.fineGroup,
      meanCountsPerPxPerFrame: meanCounts,
      defectPixels,
      timingsS: { defects: s(tSpectra - tDefects), spectra: s(tAlign - tSpectra), alignment: s(tSum - tAlign), sum: s(tEnd - tSum), total: s(tEnd - t0) },
      ...(strain.track ? { latticeStrain: { phaseChangeCycles: strain.track.maxPhaseCycles, significance: strain.track.significance, destrained: strain.track.deforms } } : {}),
      warnings
    };
  }
}

