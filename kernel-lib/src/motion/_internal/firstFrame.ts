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
 * Bragg spots of `mask` (elements with ≥ `minFraction` of the strongest spot element's power), their
 * positions the power-weighted centroids of the 3 × 3 spot cores, inverted so that a_i·g_j = δ_ij.
 * Undefined without two such spots.
 */
export function latticeBasis(power: Float64Array, mask: Uint8Array, layout: HalfLayout, minFraction = 0.2): [[number, number], [number, number]] | undefined {
  const { rows, cols, ny, nx, rowFreq, colFreq } = layout;
  let top = 0;
  for (let k = 1; k < mask.length; k++) if (mask[k] && power[k] > top) top = power[k];
  if (!(top > 0)) return undefined;
  const at = (r: number, c: number): number => (c >= 0 && c < cols ? power[((r + rows) % rows) * cols + c] : 0);
  const spots: Array<[number, number]> = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const k = r * cols + c;
      const v = power[k];
      if (!mask[k] || !(v >= minFraction * top) || (rowFreq[r] === 0 && colFreq[c] === 0)) continue;
      let isMax = true;
      let sw = 0;
      let sy = 0;
      let sx = 0;
      for (let dr = -1; dr <= 1; dr++) {
        for (let dc = -1; dc <= 1; dc++) {
          const q = at(r + dr, c + dc);
          if ((dr || dc) && q > v) isMax = false;
          sw += q;
          sy += q * dr;
          sx += q * dc;
        }
      }
      if (isMax) spots.push([(rowFreq[r] + sy / sw) / ny, (colFreq[c] + sx / sw) / nx]);
    }
  }
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

/**
 * Scores frame 0 at its current position plus every lattice translation m·a1 + n·a2 (|m|, |n| ≤ 2)
 * against the sum of the other frames at `positions` (content positions, px) and returns the best.
 * `pInc` is Σ_n |S_n|² of all frames, `noise` the noise power of all frames together per element.
 */
export function chooseFirstFrameTranslation(spec: Spectrum[], layout: HalfLayout, positions: Array<[number, number]>, pInc: Float64Array, noise: Float64Array, basis: [[number, number], [number, number]], hMinPx: number): FirstFrameChoice {
  const N = spec.length;
  const { rows, cols, ny, nx, rowFreq, colFreq, colMirrored } = layout;
  const size = rows * cols;
  const R = { re: new Float64Array(size), im: new Float64Array(size) };
  for (let n = 1; n < N; n++) addShifted(R.re, R.im, spec[n], unshiftFactors(layout, positions[n]), rows, cols);
  const U = { re: new Float64Array(size), im: new Float64Array(size) };
  addShifted(U.re, U.im, spec[0], unshiftFactors(layout, positions[0]), rows, cols);
  const pOthers = new Float64Array(size);
  for (let k = 0; k < size; k++) pOthers[k] = pInc[k] - (spec[0].re[k] ** 2 + spec[0].im[k] ** 2);
  // weights from the others only: weights that saw frame 0's own noise would favour where it is now
  // (w = 1 − P_inc/|R|², the fraction of the others' power that adds coherently: a Wiener-like filter)
  const W = wienerWeights(R, pOthers, rows, cols);
  const pr = new Float64Array(size);
  const pi = new Float64Array(size);
  for (let k = 0; k < size; k++) {
    if (W[k] === 0) continue;
    pr[k] = (U.re[k] * R.re[k] + U.im[k] * R.im[k]) * W[k];
    pi[k] = (U.im[k] * R.re[k] - U.re[k] * R.im[k]) * W[k];
  }
  // prepared once for the 25 searches (alignCore.zoomPeak would prepare it per call: same numbers)
  const P = new SparseHalfSpectrum(pr, pi, layout);
  const cands: Array<{ mn: [number, number]; at: [number, number]; value: number }> = [];
  for (let m = -CANDIDATE_RANGE; m <= CANDIDATE_RANGE; m++) {
    for (let n = -CANDIDATE_RANGE; n <= CANDIDATE_RANGE; n++) {
      const c: [number, number] = [m * basis[0][0] + n * basis[1][0], m * basis[0][1] + n * basis[1][1]];
      // each candidate at its own peak (the basis comes from the summed, possibly streaked spots)
      const p = zoomPeakOf(P, c, 1, hMinPx, 0.5);
      cands.push({ mn: [m, n], at: p.position, value: p.value });
    }
  }
  cands.sort((a, b) => b.value - a.value);
  const best = cands[0];
  // σ of the score difference best − other, per other candidate; the margin is the smallest ratio
  const fu = 1 / N;
  const sigmaDiff = (d: [number, number]): number => {
    let v = 0;
    for (let r = 0; r < rows; r++) {
      const ay = (2 * Math.PI * rowFreq[r] * d[0]) / ny;
      for (let c = 0; c < cols; c++) {
        const k = r * cols + c;
        const w = W[k];
        if (w === 0) continue;
        const dd = 2 - 2 * Math.cos(ay + (2 * Math.PI * colFreq[c] * d[1]) / nx);
        const nU = noise[k] * fu;
        const nR = noise[k] * (1 - fu);
        const u2 = U.re[k] * U.re[k] + U.im[k] * U.im[k];
        const r2 = R.re[k] * R.re[k] + R.im[k] * R.im[k];
        v += (colMirrored[c] ? 2 : 1) * w * w * dd * Math.max(0, nU * r2 + nR * u2 - nU * nR);
      }
    }
    return Math.sqrt(v);
  };
  let margin = Infinity;
  for (const c of cands.slice(1)) {
    const s = sigmaDiff([c.at[0] - best.at[0], c.at[1] - best.at[1]]);
    margin = Math.min(margin, s > 0 ? (best.value - c.value) / s : Infinity);
  }
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
