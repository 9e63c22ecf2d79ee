/**
 * The chaining stage of estimateDrift (science.md §1.7): groups of frames summed, and each group
 * correlated with the previous one under coherence weights from the other groups (lattice spots and,
 * with a lattice, everything above the sub-lattice limit masked: no alias by a lattice translation),
 * whole-field peak search. Groups and steps are independent, so any lane (motionTasks.ts) runs them,
 * with the same numbers; the group sums live in one SharedArrayBuffer.
 */
import { Spectrum, addShifted, addShiftedRow, globalPeak, unshiftFactors } from './alignCore';
import { WeightScratch, peakSnr, weightScratch } from './spectralStats';
import { SweepWindow, windowCoherenceWeights } from './unitKernels';
import { Complex, UnitContext, UnitSpan, crossPower, weightsFor } from './unitMeasure';

/** Shared sums of the chain's groups: spectrum (re, im) and incoherent power of each, and their total. */
export interface ChainBuffers {
  buf: SharedArrayBuffer;
  groups: UnitSpan[];
  /**
   * The coarse extra weights' window (unitMeasure.coarseWindow): the chain's weights are 0 outside
   * it, so the sums, the total and the weights are computed (and read) only inside it.
   */
  window?: SweepWindow;
}

/** Float64 elements of a {@link ChainBuffers} buffer for `groups` groups of `size` elements. */
export function chainBufferLength(groups: number, size: number): number {
  return (3 * groups + 2) * size;
}

function views(b: ChainBuffers, size: number): { spec: Complex[]; power: Float64Array[]; total: Complex } {
  const G = b.groups.length;
  const at = (i: number): Float64Array => new Float64Array(b.buf, 8 * i * size, size);
  return {
    spec: b.groups.map((_, g) => ({ re: at(3 * g), im: at(3 * g + 1) })),
    power: b.groups.map((_, g) => at(3 * g + 2)),
    total: { re: at(3 * G), im: at(3 * G + 1) }
  };
}

/** Sums groups [from, to): their spectra Σ S_n (as a shift by 0) and powers Σ|S_n|². */
export function groupSums(ctx: UnitContext, b: ChainBuffers, from: number, to: number): void {
  const { layout, spec } = ctx;
  const { rows, cols } = layout;
  const size = rows * cols;
  const v = views(b, size);
  const win = b.window;
  if (win) return windowSums(ctx, v, b.groups, from, to, win);
  for (let g = from; g < to; g++) {
    const { start, count } = b.groups[g];
    const s = v.spec[g];
    const q = v.power[g];
    s.re.fill(0);
    s.im.fill(0);
    q.fill(0);
    for (let n = start; n < start + count; n++) addShifted(s.re, s.im, spec[n], unshiftFactors(layout, [0, 0]), rows, cols);
    for (let n = start; n < start + count; n++) for (let k = 0; k < size; k++) q[k] += spec[n].re[k] ** 2 + spec[n].im[k] ** 2;
  }
}

/** {@link groupSums} inside the window (its rows, columns < cw): the same numbers there (addShiftedRow ≡ addShifted by 0). */
function windowSums(ctx: UnitContext, v: ReturnType<typeof views>, groups: UnitSpan[], from: number, to: number, win: SweepWindow): void {
  const { layout, spec } = ctx;
  const { cols } = layout;
  const { cw } = win;
  const f0 = unshiftFactors(layout, [0, 0]);
  for (let g = from; g < to; g++) {
    const { start, count } = groups[g];
    const s = v.spec[g];
    const q = v.power[g];
    // row by row (the row stays in cache while the group's frames are added; frames in order)
    for (const r of win.rows) {
      const o = r * cols;
      s.re.fill(0, o, o + cw);
      s.im.fill(0, o, o + cw);
      q.fill(0, o, o + cw);
      for (let n = start; n < start + count; n++) addShiftedRow(s, spec[n], f0, r, cols, cw);
      for (let n = start; n < start + count; n++) addPowerRow(q, spec[n], o, o + cw);
    }
  }
}

/** q += |S|² over [k0, k1) (as groupSums: re² + im²). */
function addPowerRow(q: Float64Array, S: Spectrum, k0: number, k1: number): void {
  for (let k = k0; k < k1; k++) q[k] += S.re[k] ** 2 + S.im[k] ** 2;
}

/** The total of all groups' spectra, over rows [r0, r1) (groups summed in order); with a window, its rows r0 … r1 − 1 and columns < cw. */
export function groupTotal(ctx: UnitContext, b: ChainBuffers, r0: number, r1: number): void {
  const { cols } = ctx.layout;
  const v = views(b, ctx.layout.rows * cols);
  const { total } = v;
  const win = b.window;
  const cw = win ? win.cw : cols;
  for (let i = r0; i < r1; i++) {
    const o = (win ? win.rows[i] : i) * cols;
    total.re.fill(0, o, o + cw);
    total.im.fill(0, o, o + cw);
    for (const g of v.spec) {
      for (let k = o; k < o + cw; k++) {
        total.re[k] += g.re[k];
        total.im[k] += g.im[k];
      }
    }
  }
}

/** Buffers of one thread's chain steps. */
export interface ChainScratch {
  rest: Complex;
  pRest: Float64Array;
  P: Complex;
  w: WeightScratch;
}

export function chainScratch(size: number): ChainScratch {
  const z = (): Complex => ({ re: new Float64Array(size), im: new Float64Array(size) });
  return { rest: z(), pRest: new Float64Array(size), P: z(), w: weightScratch(size) };
}

/** rest = total − A − B and pRest = pInc − pA − pB (the chain's other groups), one sweep over [k0, k1). */
function restOf(total: Complex, pInc: Float64Array, A: Complex, B: Complex, pA: Float64Array, pB: Float64Array, rest: Complex, pRest: Float64Array, k0 = 0, k1 = pRest.length): void {
  for (let k = k0; k < k1; k++) {
    rest.re[k] = total.re[k] - A.re[k] - B.re[k];
    rest.im[k] = total.im[k] - A.im[k] - B.im[k];
    pRest[k] = pInc[k] - pA[k] - pB[k];
  }
}

/**
 * weightsFor(ctx, X, true, p) when the coarse extra weights vanish outside `win`: 0 off its weight
 * rows and columns < cw − 1 (unless cw reaches the last column), there the same numbers from |X|²
 * and p inside the window (unitKernels.windowCoherenceWeights; 'uniform': the spot mask only).
 */
function windowWeights(ctx: UnitContext, X: Complex, p: Float64Array, win: SweepWindow, s: WeightScratch): Float64Array {
  const { cols } = ctx.layout;
  const extra = ctx.coarseExtra as Float64Array;
  const mask = ctx.spotMask;
  const w = s.w.fill(0);
  if (ctx.weighting === 'coherence') {
    const r2 = s.r2;
    for (const r of win.rows) for (let k = r * cols; k < r * cols + win.cw; k++) r2[k] = X.re[k] * X.re[k] + X.im[k] * X.im[k];
    windowCoherenceWeights(r2, p, ctx.layout, mask, extra, win, w, s.a, s.b);
    return w;
  }
  const cEnd = win.cw === cols ? cols : win.cw - 1;
  for (const r of win.weightRows) for (let k = r * cols; k < r * cols + cEnd; k++) w[k] = k === 0 || mask[k] ? 0 : extra[k];
  return w;
}

/** Step g − 1 → g: group g's offset from group g − 1 (px), the peak's edge flag and SNR. */
export function chainStep(ctx: UnitContext, b: ChainBuffers, g: number, maxShiftPx: number, s: ChainScratch): { d: [number, number]; atEdge: boolean; snr: number } {
  const { layout } = ctx;
  const N = ctx.spec.length;
  const v = views(b, layout.rows * layout.cols);
  const groups = b.groups;
  // weights from the other groups only (no selection on the pair's own noise)
  // with a window (b.window) only its elements: everything below reads the sums only where W0 ≠ 0
  const win = b.window;
  const { cols } = layout;
  let W0: Float64Array;
  if (groups.length > 2) {
    const rest = (k0: number, k1: number): void => restOf(v.total, ctx.pInc, v.spec[g - 1], v.spec[g], v.power[g - 1], v.power[g], s.rest, s.pRest, k0, k1);
    if (win) for (const r of win.rows) rest(r * cols, r * cols + win.cw);
    else rest(0, s.pRest.length);
    W0 = win ? windowWeights(ctx, s.rest, s.pRest, win, s.w) : weightsFor(ctx, s.rest, true, s.pRest, s.w);
  } else W0 = win ? windowWeights(ctx, v.total, ctx.pInc, win, s.w) : weightsFor(ctx, v.total, true, ctx.pInc, s.w);
  const P = crossPower(v.spec[g], v.spec[g - 1], W0, s.P);
  const p = globalPeak(P.re, P.im, layout, maxShiftPx, ctx.hMinPx * 4);
  const fa = groups[g].count / N;
  const fb = groups[g - 1].count / N;
  const snr = peakSnr(p.value, v.spec[g], v.spec[g - 1], W0, ctx.noise, fa, fb, layout);
  return { d: p.position, atEdge: p.atEdge, snr };
}
