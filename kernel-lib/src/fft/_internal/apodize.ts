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

/** Periodic 2D Hann window w(r)·w(c), w(n) = ½ − ½·cos(2πn/N) (fft.hann2d with periodic: true), row-major. */
export function hannPeriodic(rows: number, cols: number): Float64Array {
  return hann2d([rows, cols], { periodic: true }).data as Float64Array;
}

/**
 * The image apodised as the window says: `w·f` (periodic Hann), the periodic component `p` of
 * f = p + s (fft.periodicSmoothDecomposition), or a copy (none). With `subtractMean`, the
 * (window-weighted) mean is removed first, so the zero-frequency lobe does not leak into neighbouring
 * frequencies — the spectrum away from k = 0 is unchanged for 'none' and 'periodic-smooth' and barely
 * changed for 'hann'.
 */
export function apodize(img: ArrayLike<number>, rows: number, cols: number, window: WindowName, subtractMean = false): Float64Array {
  const n = rows * cols;
  if (window === 'hann') {
    const w = hannPeriodic(rows, cols);
    let mean = 0;
    if (subtractMean) {
      let sw = 0;
      let swf = 0;
      for (let i = 0; i < n; i++) {
        sw += w[i];
        swf += w[i] * img[i];
      }
      mean = sw > 0 ? swf / sw : 0;
    }
    for (let i = 0; i < n; i++) w[i] *= img[i] - mean;
    return w;
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
  return hannPeriodic(rows, cols).reduce((a, x) => a + x * x, 0);
}

/**
 * Shot-noise floor E|F(k)|² = Σ w(x)²·c(x) of a counting image (science.md §1.3), every k ≠ 0;
 * Σ c for none and periodic-smooth (the smooth part changes it negligibly away from k = 0).
 * Null when a value is negative or not finite (not a counting image).
 */
export function shotNoiseFloor(img: ArrayLike<number>, rows: number, cols: number, window: WindowName): number | null {
  const w = window === 'hann' ? hannPeriodic(rows, cols) : null;
  let s = 0;
  for (let i = 0; i < rows * cols; i++) {
    const v = img[i];
    if (!(v >= 0) || !Number.isFinite(v)) return null;
    s += w ? w[i] * w[i] * v : v;
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
