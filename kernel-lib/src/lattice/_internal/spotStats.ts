/**
 * Spot statistics on a power spectrum (science.md §1.6): box sums, the annulus noise estimate,
 * the spot SNR S and its null distribution.
 */
import { PowerSpectrum } from '../../fft/powerSpectrum';
import { WindowName, boxVarianceFactor, noiseCorrelation1d } from '../../fft/_internal/apodize';
import { median } from '../../fft/radialProfile';

/** A dense view of a power spectrum and its calibration. */
export interface Grid {
  p: Float32Array | Float64Array;
  rows: number;
  cols: number;
  /** Index of the zero frequency (row, col). */
  r0: number;
  c0: number;
  /** 1/Å per pixel along rows (ky) and columns (kx). */
  sy: number;
  sx: number;
  window: WindowName;
}

/** The spectrum as a {@link Grid} (copies only a non-dense view). */
export function gridOf(ps: PowerSpectrum): Grid {
  const a = ps.data;
  const [rows, cols] = a.shape;
  let p: Float32Array | Float64Array;
  if (a.offset === 0 && a.stride[0] === cols && a.stride[1] === 1 && (a.data instanceof Float32Array || a.data instanceof Float64Array)) {
    p = a.data;
  } else {
    p = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) p[r * cols + c] = a.get(r, c);
  }
  return { p, rows, cols, r0: Math.floor(rows / 2), c0: Math.floor(cols / 2), sy: ps.axes[0].scale, sx: ps.axes[1].scale, window: ps.metadata.window };
}

/** Options of the spot statistic. */
export interface SnrSettings {
  /** Half-width h of the (2h+1)² box W (1: 3×3). */
  half: number;
  /** Inner and outer radius of the background annulus, pixels. */
  annulus: [number, number];
}

/** Periodic index (the spectrum is periodic in k). */
const wrap = (i: number, n: number): number => ((i % n) + n) % n;

/** Σ over the (2h+1)² box around every pixel (periodic), by two separable running sums. */
export function boxSums(g: Grid, half: number): Float64Array {
  const { rows, cols, p } = g;
  const tmp = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) {
      let s = 0;
      if (c >= half && c + half < cols) for (let d = -half; d <= half; d++) s += p[base + c + d];
      else for (let d = -half; d <= half; d++) s += p[base + wrap(c + d, cols)];
      tmp[base + c] = s;
    }
  }
  const out = new Float64Array(rows * cols);
  for (let d = -half; d <= half; d++) {
    for (let r = 0; r < rows; r++) {
      const src = wrap(r + d, rows) * cols;
      const dst = r * cols;
      for (let c = 0; c < cols; c++) out[dst + c] += tmp[src + c];
    }
  }
  return out;
}

/** Offsets (dr, dc) of the annulus rIn ≤ √(dr² + dc²) ≤ rOut. */
export function annulusOffsets(rIn: number, rOut: number): Int32Array {
  const out: number[] = [];
  const R = Math.ceil(rOut);
  for (let dr = -R; dr <= R; dr++) {
    for (let dc = -R; dc <= R; dc++) {
      const d = Math.hypot(dr, dc);
      if (d >= rIn && d <= rOut) out.push(dr, dc);
    }
  }
  return Int32Array.from(out);
}

/** One spot's statistic. */
export interface SpotStat {
  /** Σ_{k∈W} |F|². */
  boxSum: number;
  /** P̂_noise: annulus median / ln 2 (the mean of exponentially distributed noise power). */
  noisePower: number;
  /** Σ_W |F|² − n_W·P̂: background-subtracted integrated spot power. */
  intensity: number;
  /** S = intensity / (P̂·√V_W). */
  snr: number;
}

/**
 * Spot SNR at integer pixel (row, col): S = (Σ_{k∈W}|F|² − n_W·P̂)/(P̂·√V_W), with V_W = Σ_{i,j∈W}|ρ_ij|²
 * the variance of the box sum of unit-mean noise (= n_W without a window, science.md §1.6's √n_W;
 * 23.4 for 3×3 under Hann, whose neighbouring noise values correlate) — so S has mean 0 and standard
 * deviation 1 on noise for every window. P̂ = median of the annulus / ln 2.
 */
export function spotStat(g: Grid, row: number, col: number, s: SnrSettings, offsets: Int32Array, scratch?: Float64Array): SpotStat {
  const { rows, cols, p } = g;
  let sum = 0;
  for (let dr = -s.half; dr <= s.half; dr++) {
    for (let dc = -s.half; dc <= s.half; dc++) sum += p[wrap(row + dr, rows) * cols + wrap(col + dc, cols)];
  }
  const m = offsets.length / 2;
  const buf = scratch && scratch.length >= m ? scratch : new Float64Array(m);
  for (let i = 0; i < m; i++) buf[i] = p[wrap(row + offsets[2 * i], rows) * cols + wrap(col + offsets[2 * i + 1], cols)];
  const noise = median(buf, 0, m) / Math.LN2;
  const nW = (2 * s.half + 1) ** 2;
  const intensity = sum - nW * noise;
  const snr = noise > 0 ? intensity / (noise * Math.sqrt(boxVarianceFactor(g.window, s.half))) : intensity > 0 ? Infinity : 0;
  return { boxSum: sum, noisePower: noise, intensity, snr };
}

/**
 * Null distribution of S (pure noise), for thresholds and false-alarm rates. The box sum of noise
 * powers is Σ λ_i·E_i (E_i unit exponentials) with λ the eigenvalues of the noise correlation |ρ| over
 * the box — all 1 without a window (Gamma(n_W, 1), science.md §1.6), {4.12, 1.69, 1.69, 0.69, …} under
 * Hann — and P̂ (the annulus median / ln 2) is itself uncertain by ≈ 1.443/√n_eff (n_eff = annulus
 * pixels / V₁, V₁ = Σ_d ρ(d)² the 2D correlation length of the noise values), so
 * P(S ≥ s) = E_δ[P(Σλ_i E_i ≥ (n_W + s·√V_W)(1 + δ))], δ ~ N(0, σ_δ²).
 */
export interface NullModel {
  /** P(S ≥ s). */
  tail(s: number): number;
  /** The s with tail(s) = p. */
  threshold(p: number): number;
}

/** Builds the {@link NullModel} of a window, box half-width and annulus size (pixels). */
export function nullModel(window: WindowName, half: number, annulusPixels: number): NullModel {
  const m = 2 * half + 1;
  const c1: number[][] = [];
  for (let i = 0; i < m; i++) c1.push(Array.from({ length: m }, (_, j) => noiseCorrelation1d(window, i - j)));
  const mu = symmetricEigenvalues(c1);
  const lambdas: number[] = [];
  for (const a of mu) for (const b of mu) lambdas.push(Math.max(a * b, 0));
  const lMax = Math.max(...lambdas);
  const nW = m * m;
  const sdW = Math.sqrt(boxVarianceFactor(window, half));
  // Density of Σλ_i·E_i on a grid by successive exact exponential convolutions (trapezoid rule).
  const xMax = nW + 60 * lMax;
  const h = Math.min(0.01, lMax / 200);
  const n = Math.ceil(xMax / h) + 1;
  let f: Float64Array | null = null;
  for (const lam of lambdas) {
    if (lam < 1e-9) continue;
    const g = new Float64Array(n);
    const decay = Math.exp(-h / lam);
    if (!f) {
      for (let k = 0; k < n; k++) g[k] = Math.exp((-k * h) / lam) / lam;
    } else {
      for (let k = 1; k < n; k++) g[k] = g[k - 1] * decay + ((h / 2) * (f[k - 1] * decay + f[k])) / lam;
    }
    f = g;
  }
  const dens = f as Float64Array;
  const tailGrid = new Float64Array(n);
  for (let k = n - 2; k >= 0; k--) tailGrid[k] = tailGrid[k + 1] + (h / 2) * (dens[k] + dens[k + 1]);
  const boxTail = (x: number): number => {
    if (x <= 0) return 1;
    const t = x / h;
    const k = Math.floor(t);
    if (k >= n - 1) return 0;
    const a = tailGrid[k];
    const b = tailGrid[k + 1];
    return a > 0 && b > 0 ? Math.exp(Math.log(a) + (t - k) * (Math.log(b) - Math.log(a))) : a + (t - k) * (b - a);
  };
  const sigma = 1.443 / Math.sqrt(Math.max(1, annulusPixels / correlationArea(window) ** 2));
  const tail = (s: number): number => {
    let acc = 0;
    let wsum = 0;
    for (let z = -6; z <= 6; z += 0.05) {
      const w = Math.exp(-0.5 * z * z);
      acc += w * boxTail((nW + s * sdW) * Math.max(0.05, 1 + sigma * z));
      wsum += w;
    }
    return acc / wsum;
  };
  const threshold = (p: number): number => {
    let lo = -3;
    let hi = 400;
    for (let i = 0; i < 80; i++) {
      const mid = (lo + hi) / 2;
      if (tail(mid) > p) lo = mid;
      else hi = mid;
    }
    return hi;
  };
  return { tail, threshold };
}

/** Σ_d ρ(d)² along one axis (1 without a window, 1.944 under Hann); squared it is the 2D correlation area. */
function correlationArea(window: WindowName): number {
  let s = 0;
  for (let d = -2; d <= 2; d++) s += noiseCorrelation1d(window, d) ** 2;
  return s;
}

/** Eigenvalues of a small symmetric matrix (cyclic Jacobi rotations). */
export function symmetricEigenvalues(a0: number[][]): number[] {
  const a = a0.map(r => r.slice());
  const n = a.length;
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] ** 2;
    if (off < 1e-24) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p][q]) < 1e-300) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
      }
    }
  }
  return a.map((r, i) => r[i]);
}
