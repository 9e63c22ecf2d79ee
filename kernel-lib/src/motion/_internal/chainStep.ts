/**
 * The chaining stage of estimateDrift (science.md §1.7): groups of frames summed, and each group
 * correlated with the previous one under coherence weights from the other groups (lattice spots and,
 * with a lattice, everything above the sub-lattice limit masked: no alias by a lattice translation),
 * whole-field peak search. Groups and steps are independent, so any lane (motionTasks.ts) runs them,
 * with the same numbers; the group sums live in one SharedArrayBuffer.
 */
import { addShifted, globalPeak, unshiftFactors } from './alignCore';
import { WeightScratch, peakSnr, weightScratch } from './spectralStats';
import { Complex, UnitContext, UnitSpan, crossPower, weightsFor } from './unitMeasure';

/** Shared sums of the chain's groups: spectrum (re, im) and incoherent power of each, and their total. */
export interface ChainBuffers {
  buf: SharedArrayBuffer;
  groups: UnitSpan[];
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

/** The total of all groups' spectra, over rows [r0, r1) (groups summed in order). */
export function groupTotal(ctx: UnitContext, b: ChainBuffers, r0: number, r1: number): void {
  const { cols } = ctx.layout;
  const v = views(b, ctx.layout.rows * cols);
  const { total } = v;
  total.re.fill(0, r0 * cols, r1 * cols);
  total.im.fill(0, r0 * cols, r1 * cols);
  for (const g of v.spec) {
    for (let k = r0 * cols; k < r1 * cols; k++) {
      total.re[k] += g.re[k];
      total.im[k] += g.im[k];
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

/** rest = total − A − B and pRest = pInc − pA − pB (the chain's other groups), one sweep. */
function restOf(total: Complex, pInc: Float64Array, A: Complex, B: Complex, pA: Float64Array, pB: Float64Array, rest: Complex, pRest: Float64Array): void {
  for (let k = 0; k < pRest.length; k++) {
    rest.re[k] = total.re[k] - A.re[k] - B.re[k];
    rest.im[k] = total.im[k] - A.im[k] - B.im[k];
    pRest[k] = pInc[k] - pA[k] - pB[k];
  }
}

/** Step g − 1 → g: group g's offset from group g − 1 (px), the peak's edge flag and SNR. */
export function chainStep(ctx: UnitContext, b: ChainBuffers, g: number, maxShiftPx: number, s: ChainScratch): { d: [number, number]; atEdge: boolean; snr: number } {
  const { layout } = ctx;
  const N = ctx.spec.length;
  const v = views(b, layout.rows * layout.cols);
  const groups = b.groups;
  // weights from the other groups only (no selection on the pair's own noise)
  let W0: Float64Array;
  if (groups.length > 2) {
    restOf(v.total, ctx.pInc, v.spec[g - 1], v.spec[g], v.power[g - 1], v.power[g], s.rest, s.pRest);
    W0 = weightsFor(ctx, s.rest, true, s.pRest, s.w);
  } else W0 = weightsFor(ctx, v.total, true, ctx.pInc, s.w);
  const P = crossPower(v.spec[g], v.spec[g - 1], W0, s.P);
  const p = globalPeak(P.re, P.im, layout, maxShiftPx, ctx.hMinPx * 4);
  const fa = groups[g].count / N;
  const fb = groups[g - 1].count / N;
  const snr = peakSnr(p.value, v.spec[g], v.spec[g - 1], W0, ctx.noise, fa, fb, layout);
  return { d: p.position, atEdge: p.atEdge, snr };
}
