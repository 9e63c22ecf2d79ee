/**
 * Frame 0's lattice translation, decided by scoring candidates (issue #5).
 *
 * A jump after frame 0 leaves it alone: measured without the lattice (sub-lattice frequencies, the
 * only way nothing aliases) its position has a σ of several px at < 0.2 counts/px, and the fine
 * stage (every frequency, ±searchRadius) then sits on the lattice peak nearest to it — often one
 * lattice translation off. The lattice itself cannot tell translations apart, but everything else
 * can: the amorphous texture, the crystal's edge (the Bragg spots' sidelobes), a superlattice.
 * So frame 0 is placed at each candidate p + m·a1 + n·a2 (p: its lattice-locked fine position,
 * |m|, |n| ≤ 2) and scored by its correlation with the aligned sum of all other frames, every
 * frequency, Wiener-like weights from that sum's coherence. The lattice's own contribution is common to all
 * candidates (exp(2πi g·t) = 1 at the spot centres), so the σ of a score *difference* comes from the
 * other frequencies only: σ²(t1 − t2) = Σ m_k w_k² |e^{2πik·t1} − e^{2πik·t2}|² (n_U|R|² + n_R|U|² − n_U·n_R)
 * (first order, U = frame 0, R = the others, n their noise powers per element). The best candidate's
 * smallest margin over any other, in these σ, says whether the choice is safe (≥ 3).
 * Cross-correlation peaks by upsampled DFT: Guizar-Sicairos et al., Opt. Lett. 33, 156 (2008),
 * doi:10.1364/OL.33.000156.
 */
import { HalfLayout, SparseHalfSpectrum } from '../../registration/_internal/halfSpectrumDft';
import { Spectrum, addShifted, unshiftFactors, zoomPeakOf } from './alignCore';
import type { Lane } from './motionPool';
import { halfSpectrumIndex, spotRegions } from './spectralStats';

/** Candidates m·a1 + n·a2 with |m|, |n| ≤ this. */
const CANDIDATE_RANGE = 2;
/**
 * Weights' box (frequencies) and threshold: the candidates differ mostly at frequencies where the
 * others' sum is weak per element (the crystal edge's sidelobes, the texture's tail), so |R|² and the
 * noise power are averaged over 7 × 7 elements (3 × 3 left too much noise in the weights) and kept
 * down to 1.2× the noise (2×, the alignment's value, dropped most of that signal). Notebook 02's scene,
 * 8 seeds: mean margin of the right choice 1.2 σ with these, 0.6 σ with 3 × 3 and 2×.
 */
const WEIGHT_BOX = 7;
const WEIGHT_THRESHOLD = 1.2;

/**
 * Real-space basis (px, `[dy, dx]` each) of the main lattice: the two shortest non-collinear strong
 * Bragg spots of `mask` (regions of it with ≥ `minFraction` of the strongest region's summed power,
 * spectralStats.spotRegions: a spot that moves with dose is smeared), their positions the
 * power-weighted centroids of the 3 × 3 cores about their strongest elements, inverted so that
 * a_i·g_j = δ_ij. Undefined without two such spots.
 */
export function latticeBasis(power: Float64Array, mask: Uint8Array, layout: HalfLayout, minFraction = 0.2): [[number, number], [number, number]] | undefined {
  const { ny, nx } = layout;
  const idx = halfSpectrumIndex(layout);
  const at = (fr: number, fc: number): number => {
    const k = idx(fr, fc);
    return k < 0 ? 0 : power[k];
  };
  const spots = spotRegions(power, mask, layout, minFraction).map(({ peak: [r, c] }): [number, number] => {
      let sw = 0;
      let sy = 0;
      let sx = 0;
      for (let dr = -1; dr <= 1; dr++) {
        for (let dc = -1; dc <= 1; dc++) {
          const q = at(r + dr, c + dc);
          sw += q;
          sy += q * dr;
          sx += q * dc;
        }
      }
      return [(r + sy / sw) / ny, (c + sx / sw) / nx];
    });
  spots.sort((a, b) => Math.hypot(a[0], a[1]) - Math.hypot(b[0], b[1]));
  const g1 = spots[0];
  if (!g1) return undefined;
  const g2 = spots.find(g => Math.abs(g1[0] * g[1] - g1[1] * g[0]) > 0.3 * Math.hypot(...g1) * Math.hypot(...g));
  if (!g2) return undefined;
  // rows g1, g2 of G; A = G⁻¹ has the real-space vectors as columns
  const det = g1[0] * g2[1] - g1[1] * g2[0];
  return [
    [g2[1] / det, -g2[0] / det],
    [-g1[1] / det, g1[0] / det]
  ];
}

export interface FirstFrameChoice {
  /** Correction to frame 0's position, px (a lattice translation plus its fine re-centring; [0, 0]: kept). */
  correctionPx: [number, number];
  /** min over the other candidates of (best − its score)/σ of that difference. */
  marginSigma: number;
  /** Lattice translation chosen, in basis vectors [m, n]. */
  translation: [number, number];
}

/** What the lanes need to score the candidates (shared memory; {@link firstFrameScoring}). */
export interface FirstFrameScoring {
  /** Weighted cross power of frame 0 with the others, U·conj(R)·W, re and im (layout size each). */
  pr: Float64Array;
  pi: Float64Array;
  /** Ascending flat indices where W > 0; there a = m_k·w_k² (m_k: 2 for mirrored columns) and b = max(0, n_U|R|² + n_R|U|² − n_U·n_R). */
  index: Int32Array;
  a: Float64Array;
  b: Float64Array;
}

const shared = (n: number): Float64Array => new Float64Array(new SharedArrayBuffer(8 * Math.max(1, n)));

/**
 * The scoring's inputs from frame 0's spectrum `spec0` at `position0`, the others' aligned sum `R`
 * (Σ_{n ≥ 1} S_n·unshift(p_n)), `pInc` = Σ_n |S_n|² of all frames and `noise` (all frames' noise
 * power per element) for `frames` frames.
 */
export function firstFrameScoring(spec0: Spectrum, R: { re: Float64Array; im: Float64Array }, layout: HalfLayout, position0: [number, number], pInc: Float64Array, noise: Float64Array, frames: number): FirstFrameScoring {
  const { rows, cols, colMirrored } = layout;
  const size = rows * cols;
  const U = { re: new Float64Array(size), im: new Float64Array(size) };
  addShifted(U.re, U.im, spec0, unshiftFactors(layout, position0), rows, cols);
  const pOthers = new Float64Array(size);
  for (let k = 0; k < size; k++) pOthers[k] = pInc[k] - (spec0.re[k] ** 2 + spec0.im[k] ** 2);
  // weights from the others only: weights that saw frame 0's own noise would favour where it is now
  // (w = 1 − P_inc/|R|², the fraction of the others' power that adds coherently: a Wiener-like filter)
  const W = wienerWeights(R, pOthers, rows, cols);
  const pr = shared(size);
  const pi = shared(size);
  let count = 0;
  for (let k = 0; k < size; k++) {
    if (W[k] === 0) continue;
    count++;
    pr[k] = (U.re[k] * R.re[k] + U.im[k] * R.im[k]) * W[k];
    pi[k] = (U.im[k] * R.re[k] - U.re[k] * R.im[k]) * W[k];
  }
  // the σ of a score difference: Σ a·(2 − 2cos 2πk·d)·b over the weights' support
  const index = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, count))).subarray(0, count);
  const a = shared(count).subarray(0, count);
  const b = shared(count).subarray(0, count);
  const fu = 1 / frames;
  for (let k = 0, j = 0; k < size; k++) {
    const w = W[k];
    if (w === 0) continue;
    const nU = noise[k] * fu;
    const nR = noise[k] * (1 - fu);
    const u2 = U.re[k] * U.re[k] + U.im[k] * U.im[k];
    const r2 = R.re[k] * R.re[k] + R.im[k] * R.im[k];
    index[j] = k;
    a[j] = (colMirrored[k % cols] ? 2 : 1) * w * w;
    b[j++] = Math.max(0, nU * r2 + nR * u2 - nU * nR);
  }
  return { pr, pi, index, a, b };
}

/**
 * Each candidate's correlation peak (`centres`: flat [y0, x0, y1, x1, …], px) found within ±1 px by
 * the zoomed search (0.5 px start, down to `hMinPx`) on the scoring's cross power: flat [y, x, value] each.
 */
export function searchCandidates(s: FirstFrameScoring, layout: HalfLayout, centres: ArrayLike<number>, hMinPx: number): Float64Array {
  // prepared once for all of this lane's searches (alignCore.zoomPeak would prepare it per call: same numbers)
  const P = new SparseHalfSpectrum(s.pr, s.pi, layout);
  const out = new Float64Array((3 * centres.length) / 2);
  for (let i = 0; 2 * i < centres.length; i++) {
    const p = zoomPeakOf(P, [centres[2 * i], centres[2 * i + 1]], 1, hMinPx, 0.5);
    out.set([p.position[0], p.position[1], p.value], 3 * i);
  }
  return out;
}

/** σ of the score difference between frame 0 displaced by each d (flat [dy, dx, …], px) and not (first order). */
export function scoreDifferenceSigmas(s: FirstFrameScoring, layout: HalfLayout, ds: ArrayLike<number>): Float64Array {
  const { cols, ny, nx, rowFreq, colFreq } = layout;
  const { index, a, b } = s;
  const out = new Float64Array(ds.length / 2);
  for (let i = 0; i < out.length; i++) {
    const d0 = ds[2 * i];
    const d1 = ds[2 * i + 1];
    let v = 0;
    for (let j = 0; j < index.length; j++) {
      const k = index[j];
      const r = (k / cols) | 0;
      const ay = (2 * Math.PI * rowFreq[r] * d0) / ny;
      const dd = 2 - 2 * Math.cos(ay + (2 * Math.PI * colFreq[k - r * cols] * d1) / nx);
      v += a[j] * dd * b[j];
    }
    out[i] = Math.sqrt(v);
  }
  return out;
}

/** Runs `task` on one block of [0, n) per lane; the blocks' results in order. */
async function onBlocks<T>(lanes: Lane[], n: number, task: (l: Lane, from: number, to: number) => Promise<T>): Promise<T[]> {
  const per = Math.ceil(n / lanes.length);
  return Promise.all(lanes.map((l, i) => task(l, Math.min(n, i * per), Math.min(n, (i + 1) * per))));
}

/**
 * Scores frame 0 at its current position plus every lattice translation m·a1 + n·a2 (|m|, |n| ≤ 2)
 * against the sum of the other frames at `positions` (content positions, px) and returns the best.
 * `pInc` is Σ_n |S_n|² of all frames, `noise` the noise power of all frames together per element.
 * The lanes (set up for the drift stage, sharing `spec`) sum the others into their shared reference
 * `R` (row blocks), search the candidates and compute the σ (blocks of candidates); the weights and
 * the cross power are made here. The same numbers for any number of lanes.
 */
export async function chooseFirstFrameTranslation(spec: Spectrum[], layout: HalfLayout, positions: Array<[number, number]>, pInc: Float64Array, noise: Float64Array, basis: [[number, number], [number, number]], hMinPx: number, lanes: Lane[], R: { re: Float64Array; im: Float64Array }): Promise<FirstFrameChoice> {
  const N = spec.length;
  const flat = new Float64Array(2 * N);
  positions.forEach((y, n) => flat.set(y, 2 * n));
  await onBlocks(lanes, layout.rows, (l, r0, r1) => l.call('reference', { positions: flat, r0, r1, from: 1 }));
  const scoring = firstFrameScoring(spec[0], R, layout, positions[0], pInc, noise, N);
  const mn: Array<[number, number]> = [];
  const centres: number[] = [];
  for (let m = -CANDIDATE_RANGE; m <= CANDIDATE_RANGE; m++) {
    for (let n = -CANDIDATE_RANGE; n <= CANDIDATE_RANGE; n++) {
      mn.push([m, n]);
      // each candidate at its own peak (the basis comes from the summed, possibly streaked spots)
      centres.push(m * basis[0][0] + n * basis[1][0], m * basis[0][1] + n * basis[1][1]);
    }
  }
  const found = await onBlocks(lanes, mn.length, (l, i0, i1) => (i1 > i0 ? l.call<Float64Array>('firstFrameSearch', { scoring, centres: centres.slice(2 * i0, 2 * i1), hMinPx }) : Promise.resolve(new Float64Array(0))));
  const peaks = Float64Array.from(found.flatMap(f => Array.from(f)));
  const cands = mn.map((v, i) => ({ mn: v, at: [peaks[3 * i], peaks[3 * i + 1]] as [number, number], value: peaks[3 * i + 2] }));
  cands.sort((p, q) => q.value - p.value);
  const best = cands[0];
  // σ of the score difference best − other, per other candidate; the margin is the smallest ratio
  const others = cands.slice(1);
  const ds = others.flatMap(c => [c.at[0] - best.at[0], c.at[1] - best.at[1]]);
  const sig = await onBlocks(lanes, others.length, (l, i0, i1) => (i1 > i0 ? l.call<Float64Array>('firstFrameSigmas', { scoring, ds: ds.slice(2 * i0, 2 * i1) }) : Promise.resolve(new Float64Array(0))));
  const sigmas = sig.flatMap(f => Array.from(f));
  let margin = Infinity;
  others.forEach((c, i) => {
    const s = sigmas[i];
    margin = Math.min(margin, s > 0 ? (best.value - c.value) / s : Infinity);
  });
  return { correctionPx: best.at, marginSigma: margin, translation: best.mn };
}

/**
 * w = 1 − ⟨P_inc⟩/⟨|R|²⟩ (⟨⟩: WEIGHT_BOX² box means; rows wrap, columns clamp at the half spectrum's
 * edges), 0 where ⟨|R|²⟩ ≤ WEIGHT_THRESHOLD·⟨P_inc⟩ and at DC.
 */
function wienerWeights(R: { re: Float64Array; im: Float64Array }, pInc: Float64Array, rows: number, cols: number): Float64Array {
  const n = rows * cols;
  const r2 = new Float64Array(n);
  for (let k = 0; k < n; k++) r2[k] = R.re[k] * R.re[k] + R.im[k] * R.im[k];
  const a = boxSum(r2, rows, cols, WEIGHT_BOX >> 1);
  const b = boxSum(pInc, rows, cols, WEIGHT_BOX >> 1);
  const w = new Float64Array(n);
  for (let k = 1; k < n; k++) w[k] = pInc[k] === 0 || !(a[k] > WEIGHT_THRESHOLD * b[k]) ? 0 : 1 - b[k] / a[k];
  return w;
}

/** Box sums of half-width h (rows wrap: they are frequencies; columns clamp). */
function boxSum(x: Float64Array, rows: number, cols: number, h: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) {
      let s = 0;
      for (let d = Math.max(0, c - h); d <= Math.min(cols - 1, c + h); d++) s += x[o + d];
      t[o + c] = s;
    }
  }
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let d = -h; d <= h; d++) {
      const src = ((r + d) % rows + rows) % rows;
      for (let c = 0; c < cols; c++) out[r * cols + c] += t[src * cols + c];
    }
  }
  return out;
}
