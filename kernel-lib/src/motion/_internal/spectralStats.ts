/**
 * Spectral statistics of alignFrames' correlations: Bragg-spot masks, data-driven (coherence)
 * weights, and the first-order σ and SNR of a correlation peak.
 */
import { HalfLayout } from '../../registration/_internal/halfSpectrumDft';
import { unshiftFactors } from './alignCore';

/**
 * Lattice (Bragg-spot) frequencies of the frames' summed power spectrum Σ|S_n|² (drift-invariant):
 * elements above the median of their ring by > `sigma` robust standard deviations and > 3× the
 * median, with their 8 neighbours; rings inside 4 px of the origin are never masked. Returns 1 on
 * spot elements. The coarse stages ignore these frequencies, so lattice translations cannot alias.
 */
export function latticeSpotMask(power: Float64Array, layout: HalfLayout, sigma = 8): Uint8Array {
  const { rows, cols, ny, nx, rowFreq, colFreq } = layout;
  const n = Math.min(ny, nx);
  const ring = new Int32Array(rows * cols);
  let maxRing = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const b = Math.floor(Math.hypot((rowFreq[r] / ny) * n, (colFreq[c] / nx) * n));
      ring[r * cols + c] = b;
      maxRing = Math.max(maxRing, b);
    }
  }
  // each ring's positive powers, in typed arrays (numeric sorts)
  const count = new Int32Array(maxRing + 2);
  for (let k = 0; k < ring.length; k++) if (power[k] > 0) count[ring[k] + 1]++;
  for (let b = 0; b <= maxRing; b++) count[b + 1] += count[b];
  const values = new Float64Array(count[maxRing + 1]);
  const fill = count.slice(0, maxRing + 1);
  for (let k = 0; k < ring.length; k++) if (power[k] > 0) values[fill[ring[k]]++] = power[k];
  const thr = new Float64Array(maxRing + 1).fill(Infinity);
  for (let b = 4; b <= maxRing; b++) {
    const v = values.subarray(count[b], count[b + 1]);
    if (v.length < 8) continue;
    v.sort();
    const med = v[v.length >> 1];
    const dev = v.map(x => Math.abs(x - med)).sort();
    thr[b] = Math.max(med + sigma * 1.4826 * dev[dev.length >> 1], 3 * med);
  }
  const mask = new Uint8Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const k = r * cols + c;
      if (!(power[k] > thr[ring[k]])) continue;
      for (let dr = -1; dr <= 1; dr++) {
        const rr = (r + dr + rows) % rows;
        for (let dc = -1; dc <= 1; dc++) {
          const cc = c + dc;
          if (cc >= 0 && cc < cols) mask[rr * cols + cc] = 1;
        }
      }
    }
  }
  return mask;
}

/**
 * Flat index in the half spectrum of the signed frequency bins (fr, fc) — an element with fc < 0 is
 * stored as its conjugate at (−fr, −fc) — or −1 outside it.
 */
export function halfSpectrumIndex(layout: HalfLayout): (fr: number, fc: number) => number {
  const { rows, cols } = layout;
  return (fr, fc) => {
    if (fc < 0) {
      fr = -fr;
      fc = -fc;
    }
    if (fc >= cols || Math.abs(fr) >= rows / 2) return -1;
    return (fr >= 0 ? fr : rows + fr) * cols + fc;
  };
}

/** A connected region of the spot mask: its elements as signed frequency bins, its summed power and its strongest element. */
export interface SpotRegion {
  fr: Int32Array;
  fc: Int32Array;
  total: number;
  peak: [number, number];
}

/**
 * The Bragg spots of `mask` as connected regions (8 neighbours) of the half spectrum, strongest summed
 * `power` first, one per ±g pair: a region that reaches column 0 continues into the conjugate half
 * (fc < 0), so its elements keep one continuous set of signed frequencies. A spot that moves with
 * dose is smeared along its path in Σ|S|² (notebook 02's (100) spot over ~8 bins at 1024²): its
 * summed power, not its peak, says how strong it is, and its region holds the whole path. Only
 * regions with ≥ `minFraction` of the strongest one's summed power are returned (0.2: the main lattice,
 * not weak superlattice or texture peaks).
 */
export function spotRegions(power: Float64Array, mask: Uint8Array, layout: HalfLayout, minFraction = 0): SpotRegion[] {
  const { rows, cols, rowFreq, colFreq } = layout;
  const idx = halfSpectrumIndex(layout);
  const seen = new Uint8Array(mask.length);
  const out: SpotRegion[] = [];
  for (let k0 = 1; k0 < mask.length; k0++) {
    if (!mask[k0] || seen[k0]) continue;
    const fr: number[] = [];
    const fc: number[] = [];
    // column 0 stores both g and −g (conjugates): an element there is seen with its mirror
    const visit = (r: number, c: number): void => {
      seen[idx(r, c)] = 1;
      if (c === 0 && idx(-r, 0) >= 0) seen[idx(-r, 0)] = 1;
      fr.push(r);
      fc.push(c);
    };
    visit(rowFreq[Math.floor(k0 / cols)], colFreq[k0 % cols]);
    let total = 0;
    let best = -1;
    let peak: [number, number] = [fr[0], fc[0]];
    for (let i = 0; i < fr.length; i++) {
      const v = power[idx(fr[i], fc[i])];
      total += v;
      if (v > best) {
        best = v;
        peak = [fr[i], fc[i]];
      }
      for (let dr = -1; dr <= 1; dr++) {
        for (let dc = -1; dc <= 1; dc++) {
          const k = idx(fr[i] + dr, fc[i] + dc);
          if (k >= 0 && mask[k] && !seen[k]) visit(fr[i] + dr, fc[i] + dc);
        }
      }
    }
    // not the origin's neighbourhood (the mask leaves it out; a region reaching it is no spot)
    if (fr.some((r, i) => Math.abs(r) + Math.abs(fc[i]) < 4) || fr.length > (rows * cols) / 16) continue;
    out.push({ fr: Int32Array.from(fr), fc: Int32Array.from(fc), total, peak });
  }
  out.sort((a, b) => b.total - a.total);
  return out.filter(g => g.total >= minFraction * out[0].total);
}

/**
 * Highest frequency (cycles/px) below the lattice: 0.8 × the lowest |k| of the strong Bragg spots of
 * `mask` ({@link spotRegions} with ≥ `minFraction` of the strongest one's summed power: the main
 * lattice, not weak superlattice or texture peaks, which the mask removes anyway), over each spot's
 * core (its elements with ≥ `minFraction` of its peak power: the whole path of a spot that moves with
 * dose), or Infinity without spots (or when that lies inside 4 px of the origin). No lattice
 * translation aliases below it, and there the Airy sidelobes of the crystal's finite extent and the
 * streaks of a lattice that expands with dose — lattice power well outside the masked spot cores,
 * which coherence weights would amplify — are absent.
 */
export function subLatticeLimit(power: Float64Array, mask: Uint8Array, layout: HalfLayout, minFraction = 0.2): number {
  const { ny, nx } = layout;
  const idx = halfSpectrumIndex(layout);
  let kmin = Infinity;
  for (const g of spotRegions(power, mask, layout, minFraction)) {
    const peak = power[idx(g.peak[0], g.peak[1])];
    for (let i = 0; i < g.fr.length; i++) {
      if (power[idx(g.fr[i], g.fc[i])] >= minFraction * peak) kmin = Math.min(kmin, Math.hypot(g.fr[i] / ny, g.fc[i] / nx));
    }
  }
  const limit = 0.8 * kmin;
  return limit * Math.min(ny, nx) > 4 ? limit : Infinity;
}

/**
 * Spectral weights of the cross-correlation from the data themselves (a Wiener-like matched filter):
 * w(k) = 1 − P_inc(k)/|R(k)|², the fraction of the aligned sum's power that adds coherently, where
 * P_inc = Σ_n |S_n(k)|² is the incoherent (drift-invariant) sum of the frames' powers; both are
 * averaged over 3 × 3 neighbours first, and w = 0 where |R|² < `threshold`·P_inc (noise only).
 * Frequencies carrying aligned signal (low k, Bragg spots once aligned) get w → 1, pure noise 0, so
 * the weights sharpen as the trajectory improves. `mask` (1 = drop) removes e.g. lattice spots.
 */
export function coherenceWeights(R: { re: Float64Array; im: Float64Array }, pInc: Float64Array, layout: HalfLayout, mask?: Uint8Array, threshold = 2, scratch?: WeightScratch): Float64Array {
  const { rows, cols } = layout;
  const n = rows * cols;
  const s = scratch ?? weightScratch(n);
  const r2 = s.r2;
  for (let k = 0; k < n; k++) r2[k] = R.re[k] * R.re[k] + R.im[k] * R.im[k];
  return coherenceWeightsOfPower(r2, pInc, layout, mask, threshold, s);
}

/** {@link coherenceWeights} from |R|² (`r2`, may be `scratch.r2`) instead of R. */
export function coherenceWeightsOfPower(r2: Float64Array, pInc: Float64Array, layout: HalfLayout, mask: Uint8Array | undefined, threshold: number, s: WeightScratch): Float64Array {
  const { rows, cols } = layout;
  const n = rows * cols;
  const a = box3(r2, rows, cols, s.a, s.h);
  const b = box3(pInc, rows, cols, s.b, s.h);
  const w = s.w;
  w[0] = 0;
  for (let k = 1; k < n; k++) w[k] = pInc[k] === 0 || (mask && mask[k]) || !(a[k] > threshold * b[k]) ? 0 : 1 - b[k] / a[k];
  return w;
}

/** Reusable buffers of {@link coherenceWeights} (its result is `w`: copy it before the next call). */
export interface WeightScratch {
  r2: Float64Array;
  a: Float64Array;
  b: Float64Array;
  h: Float64Array;
  w: Float64Array;
}

export function weightScratch(n: number): WeightScratch {
  return { r2: new Float64Array(n), a: new Float64Array(n), b: new Float64Array(n), h: new Float64Array(n), w: new Float64Array(n) };
}

/** 3 × 3 box sums into `out` (rows wrap: they are frequencies; columns clamp at the half-spectrum's edges). */
function box3(x: Float64Array, rows: number, cols: number, out: Float64Array, h: Float64Array): Float64Array {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    h[o] = x[o] + (cols > 1 ? x[o + 1] : 0);
    for (let c = 1; c < cols - 1; c++) h[o + c] = x[o + c - 1] + x[o + c] + x[o + c + 1];
    if (cols > 1) h[o + cols - 1] = x[o + cols - 2] + x[o + cols - 1];
  }
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const up = ((r + rows - 1) % rows) * cols;
    const dn = ((r + 1) % rows) * cols;
    for (let c = 0; c < cols; c++) out[o + c] = h[o + c] + h[up + c] + h[dn + c];
  }
  return out;
}

/**
 * Standard deviation (px, per axis) of a correlation-peak position, to first order: the noise of the
 * correlation's gradient at the peak over its curvature there. The cross-spectrum is P = U·conj(R)·W;
 * the noise powers of U and R per element are `noiseU` and `noiseR` (full-spectrum convention:
 * total counts for Poisson data).
 */
export function peakSigma(U: { re: Float64Array; im: Float64Array }, R: { re: Float64Array; im: Float64Array }, W: Float64Array | undefined, noiseU: Float64Array, scaleU: number, scaleR: number, layout: HalfLayout, peak: [number, number], support?: { index: Int32Array; count: number }): [number, number] {
  const { rows, cols, ny, nx, rowFreq, colFreq, colMirrored } = layout;
  const f = unshiftFactors(layout, peak);
  let dy = 0;
  let dx = 0;
  let vy = 0;
  let vx = 0;
  // every element in row-major order, or only the support's (W is 0 elsewhere: they add nothing)
  const count = support ? support.count : rows * cols;
  const index = support?.index;
  for (let j = 0; j < count; j++) {
    const k = index ? index[j] : j;
    const r = (k / cols) | 0;
    const c = k - r * cols;
    if (!colMirrored[c]) continue;
    const ay = (2 * Math.PI * rowFreq[r]) / ny;
    const yr = f.ey[2 * r];
    const yi = f.ey[2 * r + 1];
    const w = W ? W[k] : 1;
    if (w === 0) continue;
    const ax = (2 * Math.PI * colFreq[c]) / nx;
    const pr = (U.re[k] * R.re[k] + U.im[k] * R.im[k]) * w;
    const pi = (U.im[k] * R.re[k] - U.re[k] * R.im[k]) * w;
    const er = yr * f.ex[2 * c] - yi * f.ex[2 * c + 1];
    const ei = yr * f.ex[2 * c + 1] + yi * f.ex[2 * c];
    const re = pr * er - pi * ei;
    const u2 = U.re[k] * U.re[k] + U.im[k] * U.im[k];
    const r2 = R.re[k] * R.re[k] + R.im[k] * R.im[k];
    const v = 2 * w * w * noiseU[k] * (scaleU * r2 + scaleR * u2);
    dy += 2 * ay * ay * re;
    dx += 2 * ax * ax * re;
    vy += ay * ay * v;
    vx += ax * ax * v;
  }
  return [dy > 0 ? Math.sqrt(vy) / dy : Infinity, dx > 0 ? Math.sqrt(vx) / dx : Infinity];
}

/**
 * Signal-to-noise ratio of a correlation peak: its value over the standard deviation the noise of
 * U and R gives the correlation at any one position (same noise model as {@link peakSigma}).
 * Below ~6 the largest value in a search window is often a noise peak (the non-linear regime).
 */
export function peakSnr(value: number, U: { re: Float64Array; im: Float64Array }, R: { re: Float64Array; im: Float64Array }, W: Float64Array | undefined, noiseU: Float64Array, scaleU: number, scaleR: number, layout: HalfLayout): number {
  const { rows, cols, colMirrored } = layout;
  let v = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const k = r * cols + c;
      const w = W ? W[k] : 1;
      if (w === 0) continue;
      const u2 = U.re[k] * U.re[k] + U.im[k] * U.im[k];
      const r2 = R.re[k] * R.re[k] + R.im[k] * R.im[k];
      const m = colMirrored[c] ? 2 : 1;
      v += m * w * w * noiseU[k] * (scaleU * r2 + scaleR * u2);
    }
  }
  return v > 0 ? value / Math.sqrt(v) : Infinity;
}
