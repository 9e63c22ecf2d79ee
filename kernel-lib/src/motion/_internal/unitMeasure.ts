/**
 * One unit of a refinement pass of estimateDrift (science.md §1.7): the unit's frames brought to the
 * reference frame (Ua), correlated with the sum of all *other* frames (R − Ua) under coherence
 * weights from the others alone, peak by upsampled DFT (Guizar-Sicairos et al. 2008,
 * doi:10.1364/OL.33.000156) and its first-order σ. Units of one pass are independent given the pass's
 * fixed reference R and positions, so they run on any thread (motionTasks.ts) with identical results.
 */
import { CoreExports } from '../../fft/_internal/engine';
import { HalfLayout, SparseHalfSpectrum } from '../../registration/_internal/halfSpectrumDft';
import { Spectrum, addShiftedRow, correlationAt, packFactors, unshiftFactors, zoomPeak, zoomPeakOf } from './alignCore';
import { WeightScratch, coherenceWeights, coherenceWeightsOfPower, peakSigma, peakSnr, weightScratch } from './spectralStats';
import { Complex, FusedRing, SweepWindow, fusedRing, sweepWindow, unitFrame, unitLastFrame, unitLastWindow, windowWeights } from './unitKernels';

export type { Complex };


/** What every unit of a drift estimation shares (read-only during a pass). */
export interface UnitContext {
  spec: Spectrum[];
  layout: HalfLayout;
  /** Incoherent sum of the frames' alignment powers Σ|S_n|². */
  pInc: Float64Array;
  /** Noise power of all frames together per element. */
  noise: Float64Array;
  spotMask: Uint8Array;
  coarseExtra?: Float64Array;
  weighting: 'coherence' | 'uniform';
  coarseRadiusPx: number;
  hMinPx: number;
  /**
   * The FFT core over the lanes' shared memory, where spec and the reference live, and the byte
   * offset of this lane's scratch there (8·frames·(2·rows + 2·cols) bytes): sums over frames run in
   * its kernels (assembly/fft/frameSums.ts; the same numbers as the JavaScript loops).
   */
  core?: { exports: CoreExports; buffer: ArrayBufferLike; scratch: number };
}

/** A unit of consecutive frames. */
export interface UnitSpan {
  start: number;
  count: number;
}

/** One pass's fixed inputs: reference R (sum of all frames at `positions`) and the search. */
export interface PassInput {
  R: Complex;
  positions: ArrayLike<number>;
  coarse: boolean;
  radius: number;
  predictFine: boolean;
}

/** Result of {@link measureUnit}. */
export interface UnitMeasurement {
  y: [number, number];
  sigma: number;
  weight: number;
  /** The peak lay on the fine window's edge (counted as an edge hit). */
  edge: boolean;
  /** predictFine: the unit's σ and SNR under the fine weights. */
  fineSigma?: number;
  fineSnr?: number;
}

/** Buffers of one thread's unit measurements (allocated once per drift estimation). */
export interface UnitScratch {
  Ua: Complex;
  Ru: Complex;
  /** Flat indices where the weights are non-zero (ascending) and the cross power there. */
  index: Int32Array;
  P: Complex;
  P2: Complex;
  pOthers: Float64Array;
  w: WeightScratch;
  f: WeightScratch;
  ring: FusedRing;
  /** Present when the arrays above lie in the shared memory (core kernels). */
  shared?: SharedUnitScratch;
}

export function unitScratch(size: number, cols: number): UnitScratch {
  const z = (): Complex => ({ re: new Float64Array(size), im: new Float64Array(size) });
  return { Ua: z(), Ru: z(), index: new Int32Array(size), P: z(), P2: z(), pOthers: new Float64Array(size), w: weightScratch(size), f: weightScratch(size), ring: fusedRing(cols) };
}

/** Where a lane's {@link UnitScratch} lies in the shared memory, for the core's unit kernels. */
export interface SharedUnitScratch {
  /** Byte offsets of the spot mask (u8) and the coarse extra weights (f64): the lane's copies. */
  mask: number;
  extra: number;
  /** The current frame's factors: row (re, im) pairs, then the columns' re, then their im. */
  factors: Float64Array;
}

/** Bytes of a lane's unit scratch in the shared memory ({@link sharedUnitScratch}). */
export function sharedUnitScratchBytes(size: number, rows: number, cols: number): number {
  const pad = (b: number): number => Math.ceil(b / 64) * 64;
  return 10 * pad(8 * size) + pad(4 * size) + pad(size) + pad(88 * cols) + pad(8 * (2 * rows + 2 * cols));
}

/**
 * A {@link UnitScratch} whose arrays the unit kernels touch (Ua, Ru, pOthers, w, |R_u|², the support
 * and its cross power, the fused sweep's ring) lie in the shared memory at byte offset `at`, with
 * room for the lane's copies of the spot mask and extra weights (filled by the caller).
 */
export function sharedUnitScratch(buffer: ArrayBufferLike, at: number, size: number, rows: number, cols: number): UnitScratch & { shared: SharedUnitScratch } {
  let top = at;
  const take = (bytes: number): number => {
    const o = top;
    top += Math.ceil(bytes / 64) * 64;
    return o;
  };
  const f64 = (n: number): Float64Array => new Float64Array(buffer, take(8 * n), n);
  const z = (): Complex => ({ re: f64(size), im: f64(size) });
  const Ua = z();
  const Ru = z();
  const P = z();
  const pOthers = f64(size);
  // r2 and w are read by the kernels; a, b, h only by JavaScript
  const w = { r2: f64(size), w: f64(size), a: new Float64Array(size), b: new Float64Array(size), h: new Float64Array(size) };
  const index = new Int32Array(buffer, take(4 * size), size);
  const ringAt = take(88 * cols);
  const row = (i: number): Float64Array => new Float64Array(buffer, ringAt + 8 * cols * i, cols);
  const ring = { a: [0, 1, 2, 3, 4].map(row), b: [5, 6, 7, 8, 9].map(row), r2: row(10) };
  const factors = f64(2 * rows + 2 * cols);
  const mask = take(size);
  const extra = take(8 * size);
  return { Ua, Ru, index, P, P2: { re: new Float64Array(size), im: new Float64Array(size) }, pOthers, w, f: weightScratch(size), ring, shared: { mask, extra, factors } };
}

/** P = U·conj(R)·W (into `out` when given). */
export function crossPower(U: Complex, R: Complex, W: Float64Array, out?: Complex): Complex {
  const n = U.re.length;
  const re = out ? out.re : new Float64Array(n);
  const im = out ? out.im : new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const w = W[k];
    if (w === 0) {
      re[k] = 0;
      im[k] = 0;
      continue;
    }
    re[k] = (U.re[k] * R.re[k] + U.im[k] * R.im[k]) * w;
    im[k] = (U.im[k] * R.re[k] - U.re[k] * R.im[k]) * w;
  }
  return { re, im };
}

/**
 * The cross power P = U·conj(R)·W on the support of W only: its flat indices into `index` (ascending),
 * the values into out.re/out.im[0 … count−1] (the same numbers as {@link crossPower}); returns count.
 */
function sparseCrossPower(U: Complex, R: Complex, W: Float64Array, index: Int32Array, out: Complex): number {
  let m = 0;
  for (let k = 0; k < W.length; k++) {
    const w = W[k];
    if (w === 0) continue;
    index[m] = k;
    out.re[m] = (U.re[k] * R.re[k] + U.im[k] * R.im[k]) * w;
    out.im[m] = (U.im[k] * R.re[k] - U.re[k] * R.im[k]) * w;
    m++;
  }
  return m;
}

const windows = new WeakMap<Float64Array, SweepWindow | null>();

/**
 * The sweep window of the coarse stages' extra weights (computed once per drift estimation): they
 * are 0 outside it, and so is every coarse weight (undefined: no extra weights, or a window that
 * would cover most of the crop).
 */
export function coarseWindow(extra: Float64Array | undefined, layout: HalfLayout): SweepWindow | undefined {
  if (!extra) return undefined;
  let w = windows.get(extra);
  if (w === undefined) {
    w = sweepWindow(extra, layout) ?? null;
    windows.set(extra, w);
  }
  return w ?? undefined;
}

/**
 * The window of a refinement pass that needs nothing off its weights' support (a coarse pass
 * without predictFine, fused sweeps): {@link measureUnit} then sweeps only the window and reads the
 * pass's reference R only there (its rows, columns < cw), so R is built only there. Undefined: the
 * pass reads R everywhere.
 */
export function passWindow(ctx: Pick<UnitContext, 'weighting' | 'coarseExtra' | 'layout'>, coarse: boolean, predictFine: boolean): SweepWindow | undefined {
  const fused = ctx.weighting === 'coherence' && ctx.layout.rows >= 4;
  return fused && coarse && !predictFine ? coarseWindow(ctx.coarseExtra, ctx.layout) : undefined;
}

/** Weights of a correlation against R into a scratch (its `w`: valid until the scratch's next use). */
export function weightsFor(ctx: UnitContext, R: Complex, coarse: boolean, pInc: Float64Array, scratch: WeightScratch): Float64Array {
  const size = pInc.length;
  const w = ctx.weighting === 'coherence' ? coherenceWeights(R, pInc, ctx.layout, coarse ? ctx.spotMask : undefined, 2, scratch) : scratch.w.fill(1);
  if (ctx.weighting !== 'coherence' && coarse) for (let k = 0; k < size; k++) if (ctx.spotMask[k]) w[k] = 0;
  if (coarse && ctx.coarseExtra) for (let k = 0; k < size; k++) w[k] *= ctx.coarseExtra[k];
  w[0] = 0;
  return w;
}

/**
 * R = Σ_{n ≥ from} S_n·unshift(positions_n) over rows [r0, r1) (R's other rows untouched), in blocks of
 * rows that stay in cache while every frame is added (frames in order: the same sums). With `win`
 * (a {@link passWindow}): over its rows win.rows[r0 … r1 − 1] and columns < win.cw only, the same
 * numbers there.
 */
export function referenceRows(ctx: UnitContext, R: Complex, positions: ArrayLike<number>, r0: number, r1: number, from = 0, win?: SweepWindow): void {
  const { layout, spec } = ctx;
  const { cols } = layout;
  const cw = win ? win.cw : cols;
  const row = (i: number): number => (win ? win.rows[i] : i);
  for (let i = r0; i < r1; i++) {
    const o = row(i) * cols;
    R.re.fill(0, o, o + cw);
    R.im.fill(0, o, o + cw);
  }
  const BLOCK = Math.max(1, Math.floor(4096 / cw));
  const core = ctx.core;
  if (core) {
    // every frame's factors into this lane's scratch: row pairs, then the columns' re and im
    const per = 2 * layout.rows + 2 * cols;
    const packed = spec.map((_, n) => (n < from ? undefined : packFactors(new Float64Array(core.buffer, core.scratch + 8 * n * per, per), unshiftFactors(layout, [positions[2 * n], positions[2 * n + 1]]), layout.rows, cols)));
    const add = core.exports.shiftAccumulate_f32;
    for (let b0 = r0; b0 < r1; b0 += BLOCK) {
      const b1 = Math.min(r1, b0 + BLOCK);
      for (let n = from; n < spec.length; n++) {
        const p = packed[n] as { ey: number; exRe: number; exIm: number };
        const args = [p.ey, p.exRe, p.exIm, R.re.byteOffset, R.im.byteOffset];
        if (win) for (let i = b0; i < b1; i++) add(spec[n].re.byteOffset, spec[n].im.byteOffset, cols, cw, row(i), row(i) + 1, ...args);
        else add(spec[n].re.byteOffset, spec[n].im.byteOffset, cols, cw, b0, b1, ...args);
      }
    }
    return;
  }
  const factors = spec.map((_, n) => unshiftFactors(layout, [positions[2 * n], positions[2 * n + 1]]));
  for (let b0 = r0; b0 < r1; b0 += BLOCK) {
    const b1 = Math.min(r1, b0 + BLOCK);
    for (let n = from; n < spec.length; n++) for (let i = b0; i < b1; i++) addShiftedRow(R, spec[n], factors[n], row(i), cols, cw);
  }
}

/**
 * One frame of a unit in the core's kernels (assembly/fft/unitSweeps.ts: the numbers of unitFrame,
 * unitLastWindow and unitLastFrame): for the last frame of a fused unit, also its weights, support
 * and cross power (returns the support's size; 0 for the other frames).
 */
function unitFrameInCore(core: CoreExports, s: UnitScratch, sh: SharedUnitScratch, f: { ey: Float64Array; ex: Float64Array }, S: Spectrum, pInc: Float64Array | undefined, last: boolean, R: Complex, layout: HalfLayout, win: SweepWindow | undefined, mask: Uint8Array | undefined, extra: Float64Array | undefined): number {
  const { rows, cols } = layout;
  const { ey, exRe, exIm } = packFactors(sh.factors, f, rows, cols);
  const { Ua, Ru, pOthers } = s;
  const pi = pInc ? pInc.byteOffset : 0;
  const cw = win ? win.cw : cols;
  if (!last || win) {
    const rowsOf = win ? win.rows : undefined;
    const sweep = (r0: number, r1: number): void => {
      core.unitFrameRows_f32(S.re.byteOffset, S.im.byteOffset, cols, cw, r0, r1, ey, exRe, exIm, Ua.re.byteOffset, Ua.im.byteOffset, pOthers.byteOffset, pi);
      if (last) core.othersRows(cols, cw, r0, r1, R.re.byteOffset, R.im.byteOffset, Ua.re.byteOffset, Ua.im.byteOffset, Ru.re.byteOffset, Ru.im.byteOffset, s.w.r2.byteOffset);
    };
    if (rowsOf) for (const r of rowsOf) sweep(r, r + 1);
    else sweep(0, rows);
    return last && win && extra ? windowWeights(Ua, pOthers, Ru, s.w, layout, mask, extra, s.index, s.P, win) : 0;
  }
  return Number(
    core.unitLastFrame_f32(S.re.byteOffset, S.im.byteOffset, rows, cols, ey, exRe, exIm, R.re.byteOffset, R.im.byteOffset, Ua.re.byteOffset, Ua.im.byteOffset, Ru.re.byteOffset, Ru.im.byteOffset, pOthers.byteOffset, pi, mask ? sh.mask : 0, extra ? sh.extra : 0, s.w.w.byteOffset, s.index.byteOffset, s.P.re.byteOffset, s.P.im.byteOffset, s.ring.a[0].byteOffset)
  );
}

/**
 * Measures unit `u` against the others in the pass's reference: its content position (px) as the
 * mean of its frames' positions plus the correlation peak's offset, with σ and a weight (0.01 when
 * the peak lay on the window's edge).
 */
export function measureUnit(ctx: UnitContext, s: UnitScratch, pass: PassInput, u: UnitSpan): UnitMeasurement {
  const { layout, spec } = ctx;
  const { rows, cols } = layout;
  const { R, positions, coarse, radius } = pass;
  const N = spec.length;
  const { Ua, Ru, pOthers } = s;
  const center: [number, number] = [0, 0];
  for (let n = u.start; n < u.start + u.count; n++) {
    center[0] += positions[2 * n] / u.count;
    center[1] += positions[2 * n + 1] / u.count;
  }
  // Ua: the unit's frames brought to the reference frame; R_u = R − Ua (the sum of the others);
  // the correlation of Ua with R_u peaks at the unit's offset from its current position (≈ 0).
  // weights from the others only (R_u and their incoherent power): weights that saw the unit's
  // own noise would favour its current position and freeze errors in place
  // coherence weights are mostly 0 (~7 % non-zero at 2048²): the cross power, the prepared
  // spectrum of the peak search and σ only visit the weights' support; the last frame's sweep also
  // makes the weights and the support (unitKernels.unitLastFrame), R_u only on the support
  const last = u.start + u.count - 1;
  const fused = ctx.weighting === 'coherence' && rows >= 4;
  const mask = coarse ? ctx.spotMask : undefined;
  const extra = coarse ? ctx.coarseExtra : undefined;
  // a coarse pass that needs nothing off the weights' support sweeps only the bounding box of its
  // extra low-pass weights (and the rows and column next to it): R is read only there (and the
  // pass built it only there, estimateDrift's refine)
  const win = passWindow(ctx, coarse, pass.predictFine);
  let m = 0;
  const core = ctx.core && s.shared ? ctx.core.exports : undefined;
  for (let n = u.start; n <= last; n++) {
    const f = unshiftFactors(layout, [positions[2 * n], positions[2 * n + 1]]);
    const pInc = n === u.start ? ctx.pInc : undefined;
    if (core && s.shared && (n < last || fused)) {
      m = unitFrameInCore(core, s, s.shared, f, spec[n], pInc, n === last, R, layout, win, mask, extra);
      continue;
    }
    if (n < last) unitFrame(Ua, pOthers, pInc, spec[n], f, rows, cols, undefined, win);
    else if (win && extra) m = unitLastWindow(Ua, pOthers, pInc, spec[n], f, R, Ru, s.w, layout, mask, extra, s.index, s.P, win);
    else if (fused) m = unitLastFrame(Ua, pOthers, pInc, spec[n], f, R, Ru, layout, mask, extra, s.w.w, s.index, s.P, s.ring);
    else unitFrame(Ua, pOthers, pInc, spec[n], f, rows, cols, { R, Ru, r2: s.w.r2 });
  }
  let W = s.w.w;
  if (!fused) {
    if (ctx.weighting === 'coherence') {
      coherenceWeightsOfPower(s.w.r2, pOthers, layout, mask, 2, s.w);
      if (extra) for (let k = 0; k < W.length; k++) W[k] *= extra[k];
      W[0] = 0;
    } else W = weightsFor(ctx, Ru, coarse, pOthers, s.w);
    m = sparseCrossPower(Ua, Ru, W, s.index, s.P);
  }
  // the rare uses of R_u off the support complete it first
  const othersEverywhere = (): void => {
    if (fused) for (let k = 0; k < Ru.re.length; k++) {
      Ru.re[k] = R.re[k] - Ua.re[k];
      Ru.im[k] = R.im[k] - Ua.im[k];
    }
  };
  const support = { index: s.index, count: m };
  const P = SparseHalfSpectrum.fromSupport(s.index, m, s.P.re, s.P.im, layout);
  let p = zoomPeakOf(P, [0, 0], radius, ctx.hMinPx);
  if (p.atEdge && !coarse) {
    // the trajectory missed this unit (a jump inside a coarse group): look again in the wide
    // window with the lattice-free weights, then refine there with every frequency
    othersEverywhere();
    const Pc = crossPower(Ua, Ru, weightsFor(ctx, Ru, true, pOthers, s.f), s.P2);
    const wide = zoomPeak(Pc.re, Pc.im, layout, [0, 0], ctx.coarseRadiusPx, ctx.hMinPx * 4);
    if (!wide.atEdge) {
      const again = zoomPeakOf(P, wide.position, radius, ctx.hMinPx);
      if (!again.atEdge) p = again;
    }
  }
  const offset = p.position;
  const fu = u.count / N;
  const sig = peakSigma(Ua, Ru, W, ctx.noise, fu, 1 - fu, layout, offset, support);
  const out: UnitMeasurement = { y: [center[0] + offset[0], center[1] + offset[1]], sigma: Math.max(sig[0], sig[1], 0.01), weight: p.atEdge ? 0.01 : 1, edge: p.atEdge && !coarse };
  if (pass.predictFine) {
    if (!(p.atEdge && !coarse)) othersEverywhere();
    const Wf = weightsFor(ctx, Ru, false, pOthers, s.f);
    out.fineSigma = Math.max(...peakSigma(Ua, Ru, Wf, ctx.noise, fu, 1 - fu, layout, offset));
    const Pf = crossPower(Ua, Ru, Wf, s.P2);
    const at = correlationAt(Pf.re, Pf.im, layout, [offset[0]], [offset[1]])[0];
    out.fineSnr = peakSnr(at, Ua, Ru, Wf, ctx.noise, fu, 1 - fu, layout);
  }
  return out;
}
