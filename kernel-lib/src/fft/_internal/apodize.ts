/**
 * Apodisation for power spectra and peak refinement — the periodic Hann window (fft.hann2d) or the
 * periodic component of Moisan's decomposition (fft.periodicSmoothDecomposition) — and what a window
 * does to white noise (Σw², correlation of neighbouring coefficients). Browser-safe.
 */
import ndarray from 'ndarray';
import { hann2d } from '../hann2d';
import { periodicSmoothDecomposition } from '../periodicSmoothDecomposition';

/** Apodisation before the transform. */
export type WindowName = 'hann' | 'periodic-smooth' | 'none';

/** Every {@link WindowName}, for validation. */
export const WINDOW_NAMES: readonly WindowName[] = ['hann', 'periodic-smooth', 'none'];

/** Periodic 1D Hann window w(n) = ½ − ½·cos(2πn/N) (the row of fft.hann2d([1, n], {periodic: true})). */
export function hannPeriodic1d(n: number): Float64Array {
  return hann2d([1, n], { periodic: true }).data as Float64Array;
}

/**
 * The image apodised as the window says: `w(y)·w(x)·f` (periodic Hann, separable), the periodic
 * component `p` of f = p + s (fft.periodicSmoothDecomposition), or a copy (none). With
 * `subtractMean`, the (window-weighted) mean is removed first, so the zero-frequency lobe does not
 * leak into neighbouring frequencies — the spectrum away from k = 0 is unchanged for 'none' and
 * 'periodic-smooth' and barely changed for 'hann'.
 */
export function apodize(img: ArrayLike<number>, rows: number, cols: number, window: WindowName, subtractMean = false): Float64Array {
  const n = rows * cols;
  if (window === 'hann') {
    const wy = hannPeriodic1d(rows);
    const wx = hannPeriodic1d(cols);
    let mean = 0;
    if (subtractMean) {
      let swf = 0;
      for (let r = 0; r < rows; r++) {
        let s = 0;
        for (let c = 0; c < cols; c++) s += wx[c] * img[r * cols + c];
        swf += wy[r] * s;
      }
      const sw = wy.reduce((a, x) => a + x, 0) * wx.reduce((a, x) => a + x, 0);
      mean = sw > 0 ? swf / sw : 0;
    }
    const out = new Float64Array(n);
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      const a = wy[r];
      for (let c = 0; c < cols; c++) out[base + c] = a * wx[c] * (img[base + c] - mean);
    }
    return out;
  }
  const out =
    window === 'periodic-smooth'
      ? (periodicSmoothDecomposition(ndarray(Float64Array.from(img as ArrayLike<number>), [rows, cols])).periodic.data as Float64Array)
      : Float64Array.from(img as ArrayLike<number>);
  if (subtractMean) {
    let s = 0;
    for (let i = 0; i < n; i++) s += out[i];
    const mean = s / n;
    for (let i = 0; i < n; i++) out[i] -= mean;
  }
  return out;
}

/** Σ w² over the image: the factor a white-noise power takes from the window (N for none/periodic-smooth). */
export function windowSumSq(rows: number, cols: number, window: WindowName): number {
  if (window !== 'hann') return rows * cols;
  const sq = (w: Float64Array): number => w.reduce((a, x) => a + x * x, 0);
  return sq(hannPeriodic1d(rows)) * sq(hannPeriodic1d(cols));
}

/**
 * Shot-noise floor E|F(k)|² = Σ w(x)²·c(x) of a counting image (science.md §1.3), every k ≠ 0;
 * Σ c for none and periodic-smooth (the smooth part changes it negligibly away from k = 0).
 * Null when a value is negative or not finite (not a counting image).
 */
export function shotNoiseFloor(img: ArrayLike<number>, rows: number, cols: number, window: WindowName): number | null {
  const wy = window === 'hann' ? hannPeriodic1d(rows) : null;
  const wx = window === 'hann' ? hannPeriodic1d(cols) : null;
  let s = 0;
  for (let r = 0; r < rows; r++) {
    let row = 0;
    for (let c = 0; c < cols; c++) {
      const v = img[r * cols + c];
      if (!(v >= 0) || !Number.isFinite(v)) return null;
      row += wx ? wx[c] * wx[c] * v : v;
    }
    s += wy ? wy[r] * wy[r] * row : row;
  }
  return s;
}

/**
 * Correlation ρ of white-noise Fourier coefficients d pixels apart along one axis under the window:
 * Hann gives ρ(±1) = −2/3, ρ(±2) = 1/6 (the DFT of w² normalised); the others have ρ = δ.
 */
export function noiseCorrelation1d(window: WindowName, d: number): number {
  const a = Math.abs(d);
  if (a === 0) return 1;
  if (window !== 'hann') return 0;
  return a === 1 ? -2 / 3 : a === 2 ? 1 / 6 : 0;
}

/**
 * Var(Σ_{k∈W}|F(k)|²)/P² for a (2h+1)² box W of white noise with mean power P: Σ_{i,j∈W} |ρ_ij|²
 * (complex Gaussian coefficients). 9 for a 3×3 box without a window, 23.36 with Hann.
 */
export function boxVarianceFactor(window: WindowName, half: number): number {
  let s = 0;
  for (let i = -half; i <= half; i++) for (let j = -half; j <= half; j++) s += noiseCorrelation1d(window, i - j) ** 2;
  return s * s;
}
