/**
 * Sub-pixel image registration by (phase) cross-correlation with upsampled-DFT refinement:
 * a port of scikit-image's `skimage.registration.phase_cross_correlation` (same conventions and
 * results; unmasked form). Guizar-Sicairos, Thurman & Fienup, "Efficient subpixel image
 * registration algorithms", Opt. Lett. 33, 156 (2008), doi:10.1364/OL.33.000156; phase
 * correlation: Kuglin & Hines (1975).
 */
import { ShapeError, ValueError } from '../errors';
import { fft2, ifft2, irfft2, rfft2 } from '../fft';
import ndarray from 'ndarray';
import { ComplexArray, Dataset, NdArray, isDataset, isNdArray, toDense2d } from '../types/dataset';
import { matrixDft, upsampledGrid } from './matrixDft';
import { fullHalfLayout, fullSpectrumPower, halfSpectrumDft } from './_internal/halfSpectrumDft';

/** Options of {@link phaseCrossCorrelation} (scikit-image's keywords, camel-cased). */
export interface PhaseCrossCorrelationOptions {
  /**
   * Upsampling factor u: the shift is refined to 1/u pixel by an upsampled DFT over a region of
   * ceil(1.5·u) points (±0.75 px) around the whole-pixel peak (default 1: whole pixels only).
   */
  upsampleFactor?: number;
  /**
   * `'phase'` (default, as scikit-image): divide the cross-power spectrum by its magnitude (phase
   * correlation; robust to illumination, less so to noise). `null`: plain cross-correlation,
   * usually better for very noisy (low-dose) images.
   */
  normalization?: 'phase' | null;
  /**
   * `'real'` (default): inputs are images (real ndarrays/Datasets, or complex `{re, im}` images).
   * `'fourier'`: inputs are already full complex spectra (`fft2` output, `[ny, nx]`).
   */
  space?: 'real' | 'fourier';
}

/** Result of {@link phaseCrossCorrelation}. */
export interface PhaseCrossCorrelationResult {
  /**
   * `[dy, dx]`, pixels: the translation that registers `moving` onto `ref` (apply it to `moving`),
   * i.e. minus the displacement of `moving`'s content relative to `ref`. With design.md's
   * `shiftsPx[i]` (content displacement of frame i relative to frame 0):
   * `shiftsPx[i] = −phaseCrossCorrelation(frame0, frameI).shiftPx`.
   * Modulo the image size: a peak past the middle (index > floor(n/2)) reads as negative.
   */
  shiftPx: [number, number];
  /** Translation-invariant normalised RMS error between the images (Fienup 1997), 0 … 1. */
  error: number;
  /** Global phase difference between the images, radians (≈ 0 for non-negative real images). */
  phaseDiff: number;
}

type Image = NdArray | Dataset | ComplexArray;

/**
 * Finds the translation between two images to 1/upsampleFactor pixel (scikit-image's
 * `phase_cross_correlation`, unmasked): the cross-power spectrum R·conj(M) (optionally
 * phase-normalised) is inverse-transformed, its largest magnitude gives the whole-pixel shift,
 * and an upsampled DFT evaluated by matrix products on a 1.5-pixel neighbourhood refines it.
 * For real images the refinement works on the `rfft2` half spectrum (half the work of the full
 * product) and still equals scikit-image's full-spectrum evaluation, Nyquist terms included.
 *
 * @param ref - reference image `[rows, cols]` (ndarray or Dataset; complex `{re, im}` allowed).
 * @param moving - image to register, same shape.
 * @param options - `upsampleFactor` (default 1), `normalization` ('phase' | null, default 'phase'),
 *   `space` ('real' | 'fourier', default 'real').
 * @returns `{shiftPx: [dy, dx] (px), error, phaseDiff (rad)}`.
 * @throws ShapeError for non-2D inputs or different shapes; ValueError for a bad option or NaN values.
 * @example
 * const { shiftPx } = lowdose.registration.phaseCrossCorrelation(frame0, frame5, { upsampleFactor: 20 });
 * // frame 5's content moved by −shiftPx relative to frame 0
 */
export function phaseCrossCorrelation(ref: Image, moving: Image, options: PhaseCrossCorrelationOptions = {}): PhaseCrossCorrelationResult {
  const fn = 'phaseCrossCorrelation';
  const u = options.upsampleFactor ?? 1;
  if (!(typeof u === 'number' && Number.isFinite(u) && u >= 1)) {
    throw new ValueError(`${fn}: options.upsampleFactor must be a number ≥ 1; got ${String(u)}.`);
  }
  const normalization = options.normalization === undefined ? 'phase' : options.normalization;
  if (normalization !== 'phase' && normalization !== null) {
    throw new ValueError(`${fn}: options.normalization must be 'phase' or null; got ${JSON.stringify(normalization)}.`);
  }
  const space = (options.space ?? 'real').toLowerCase();
  if (space !== 'real' && space !== 'fourier') {
    throw new ValueError(`${fn}: options.space must be 'real' or 'fourier'; got ${JSON.stringify(options.space)}.`);
  }
  const a = asInput(ref, fn, 'ref');
  const b = asInput(moving, fn, 'moving');
  if (a.shape[0] !== b.shape[0] || a.shape[1] !== b.shape[1]) {
    throw new ShapeError(`${fn}: ref and moving must have the same shape; got [${a.shape}] and [${b.shape}].`);
  }
  const single = a.f32 && b.f32;
  const eps = single ? 1.1920928955078125e-7 : 2.220446049250313e-16;
  const result = space === 'real' && !a.im && !b.im ? realPath(a.re, b.re, u, normalization, eps) : complexPath(a, b, space === 'fourier', u, normalization, eps);
  const [ny, nx] = a.shape;
  if (ny === 1) result.shiftPx[0] = 0;
  if (nx === 1) result.shiftPx[1] = 0;
  if (!Number.isFinite(result.error) && !Number.isNaN(result.error)) result.error = NaN;
  if (result.shiftPx.some(Number.isNaN) || Number.isNaN(result.phaseDiff)) {
    throw new ValueError(`${fn}: ref and moving must hold finite values; got NaN in the correlation. Replace NaNs (e.g. by the image mean) first.`);
  }
  return result;
}

interface Input {
  re: NdArray;
  im: NdArray | null;
  shape: [number, number];
  f32: boolean;
}

function asInput(x: Image, fn: string, name: string): Input {
  let re: unknown;
  let im: unknown = null;
  if (isDataset(x)) {
    re = x.data;
    im = x.imag ?? null;
  } else if (isNdArray(x)) {
    re = x;
  } else if (x && typeof x === 'object' && isNdArray((x as ComplexArray).re) && isNdArray((x as ComplexArray).im)) {
    re = (x as ComplexArray).re;
    im = (x as ComplexArray).im;
  } else {
    throw new ValueError(`${fn}: ${name} must be a 2D ndarray, a Dataset or a complex {re, im}; got ${typeof x}.`);
  }
  const r = re as NdArray;
  if (r.shape.length !== 2 || r.shape[0] < 1 || r.shape[1] < 1) {
    throw new ShapeError(`${fn}: ${name} must be a 2D image [rows, cols]; got shape [${r.shape}].`);
  }
  const i = im as NdArray | null;
  if (i && (i.shape.length !== 2 || i.shape[0] !== r.shape[0] || i.shape[1] !== r.shape[1])) {
    throw new ShapeError(`${fn}: ${name}.im must have the shape of ${name}.re [${r.shape}]; got [${i.shape}].`);
  }
  const f32 = r.data instanceof Float32Array && (!i || i.data instanceof Float32Array);
  return { re: r, im: i, shape: [r.shape[0], r.shape[1]], f32 };
}

/** Integer peak → signed shift as scikit-image: indices past trunc(n/2) wrap to negative. */
function wrapShift(i: number, n: number): number {
  return i > Math.trunc(n / 2) ? i - n : i;
}

/** R·conj(M) per frequency into (pr, pi); with 'phase', divided by its modulus (floored at 100·eps, as scikit-image). */
function crossPower(ar: ArrayLike<number>, ai: ArrayLike<number>, br: ArrayLike<number>, bi: ArrayLike<number>, pr: Float64Array, pi: Float64Array, normalization: 'phase' | null, eps: number): void {
  for (let k = 0; k < pr.length; k++) {
    let re = ar[k] * br[k] + ai[k] * bi[k];
    let im = ai[k] * br[k] - ar[k] * bi[k];
    if (normalization === 'phase') {
      const m = Math.max(Math.sqrt(re * re + im * im), 100 * eps);
      re /= m;
      im /= m;
    }
    pr[k] = re;
    pi[k] = im;
  }
}

function realPath(ref: NdArray, mov: NdArray, u: number, normalization: 'phase' | null, eps: number): PhaseCrossCorrelationResult {
  const [ny, nx] = ref.shape;
  const A = rfft2(ref);
  const B = rfft2(mov);
  const n = A.re.data.length;
  const pr = new Float64Array(n);
  const pi = new Float64Array(n);
  const ar = A.re.data, ai = A.im.data, br = B.re.data, bi = B.im.data;
  crossPower(ar, ai, br, bi, pr, pi, normalization, eps);
  const layout = fullHalfLayout(ny, nx);
  const nc = layout.cols;
  const cc = irfft2({ re: ndarray(pr, [ny, nc]), im: ndarray(pi, [ny, nc]) }, { shape: [ny, nx] }).data;
  let best = 0;
  let bestAbs = -1;
  for (let k = 0; k < cc.length; k++) {
    const v = Math.abs(cc[k]);
    if (v > bestAbs) {
      bestAbs = v;
      best = k;
    }
  }
  let sy = wrapShift(Math.floor(best / nx), ny);
  let sx = wrapShift(best % nx, nx);
  const ampA = fullSpectrumPower(ar, ai, layout);
  const ampB = fullSpectrumPower(br, bi, layout);
  if (u === 1) {
    const N = ny * nx;
    return finish([sy, sx], cc[best], 0, ampA / N, ampB / N);
  }
  sy = Math.round(sy * u) / u;
  sx = Math.round(sx * u) / u;
  const region = Math.ceil(u * 1.5);
  const dftshift = Math.trunc(region / 2);
  const up = halfSpectrumDft(pr, pi, layout, upsampledGrid(sy, region, u), upsampledGrid(sx, region, u));
  const k = argmaxAbs(up.re, up.im);
  const my = Math.floor(k / region);
  const mx = k % region;
  return finish([sy + (my - dftshift) / u, sx + (mx - dftshift) / u], up.re[k], up.im[k], ampA, ampB);
}

function complexPath(a: Input, b: Input, fourier: boolean, u: number, normalization: 'phase' | null, eps: number): PhaseCrossCorrelationResult {
  const [ny, nx] = a.shape;
  const spec = (x: Input): { re: ArrayLike<number>; im: ArrayLike<number> } => {
    if (fourier) return { re: toDense2d(x.re), im: x.im ? toDense2d(x.im) : new Float64Array(ny * nx) };
    const X = fft2(x.im ? { re: x.re, im: x.im } : x.re);
    return { re: X.re.data, im: X.im.data };
  };
  const A = spec(a);
  const B = spec(b);
  const n = ny * nx;
  const pr = new Float64Array(n);
  const pi = new Float64Array(n);
  let ampA = 0;
  let ampB = 0;
  crossPower(A.re, A.im, B.re, B.im, pr, pi, normalization, eps);
  for (let k = 0; k < n; k++) {
    ampA += A.re[k] * A.re[k] + A.im[k] * A.im[k];
    ampB += B.re[k] * B.re[k] + B.im[k] * B.im[k];
  }
  const cc = ifft2({ re: ndarray(pr, [ny, nx]), im: ndarray(pi, [ny, nx]) });
  const best = argmaxAbs(cc.re.data, cc.im.data);
  let sy = wrapShift(Math.floor(best / nx), ny);
  let sx = wrapShift(best % nx, nx);
  if (u === 1) return finish([sy, sx], cc.re.data[best], cc.im.data[best], ampA / n, ampB / n);
  sy = Math.round(sy * u) / u;
  sx = Math.round(sx * u) / u;
  const region = Math.ceil(u * 1.5);
  const dftshift = Math.trunc(region / 2);
  const up = matrixDft(pr, pi, ny, nx, { rowCoords: upsampledGrid(sy, region, u), colCoords: upsampledGrid(sx, region, u), sign: 1, indexing: 'signed' });
  const k = argmaxAbs(up.re, up.im);
  return finish([sy + (Math.floor(k / region) - dftshift) / u, sx + ((k % region) - dftshift) / u], up.re[k], up.im[k], ampA, ampB);
}

/** error = sqrt|1 − |CC|²/(ampA·ampB)| and phaseDiff = arg CC, as scikit-image's `_compute_error`. */
function finish(shift: [number, number], ccRe: number, ccIm: number, ampA: number, ampB: number): PhaseCrossCorrelationResult {
  const amp = ampA * ampB;
  const error = amp === 0 ? NaN : Math.sqrt(Math.abs(1 - (ccRe * ccRe + ccIm * ccIm) / amp));
  return { shiftPx: [shift[0] + 0, shift[1] + 0], error, phaseDiff: Math.atan2(ccIm, ccRe) };
}

/** First index of the largest |z| (numpy's argmax order). */
function argmaxAbs(re: ArrayLike<number>, im: ArrayLike<number>): number {
  let best = 0;
  let bestAbs = -1;
  for (let k = 0; k < re.length; k++) {
    const v = re[k] * re[k] + im[k] * im[k];
    if (v > bestAbs) {
      bestAbs = v;
      best = k;
    }
  }
  return best;
}
