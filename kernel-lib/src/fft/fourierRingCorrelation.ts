/**
 * Fourier ring correlation of two independent half sums (science.md §1.6): an information limit
 * that needs no noise model, with spot masks for crystals.
 */
import ndarray from 'ndarray';
import { ShapeError, ValueError } from '../errors';
import { Dataset, NdArray, toDense2d } from '../types/dataset';
import { rfft2 } from './rfft2';
import { imageInput, pixelSizes } from './powerSpectrum';
import { WINDOW_NAMES, WindowName, apodize } from './_internal/apodize';
import { noiseCorrelationSums } from './_internal/noiseCorrelationSums';

/** Threshold curves of {@link fourierRingCorrelation}. */
export type FrcThreshold = '1/7' | 'half-bit' | '3sigma' | number;

/** A spot to keep in a spot-masked FRC: a reciprocal vector, 1/Å (e.g. a `lattice.findPeaks` peak). */
export interface FrcSpot {
  kxInvA: number;
  kyInvA: number;
}

/** Options of {@link fourierRingCorrelation}. */
export interface FourierRingCorrelationOptions {
  /** Pixel size, Å, when the halves carry no calibration. */
  pixelSizeA?: number;
  /** Ring width Δk, 1/Å (default one pixel of the coarser axis, max(1/(rows·p_y), 1/(cols·p_x))). */
  binWidthInvA?: number;
  /**
   * Window applied to both halves (default 'periodic-smooth': without one the edges' cross is common
   * to both halves and correlates along the axes; unlike 'hann' it leaves Fourier pixels
   * uncorrelated, so a spot disc keeps all its independent samples and the 3σ threshold stays below 1).
   */
  window?: WindowName;
  /**
   * For crystals: keep only pixels within `spotRadiusPx` of these spots and their Friedel mates
   * (science.md §1.6: unmasked, the ring average of a lattice image is dominated by noise).
   */
  spots?: ReadonlyArray<FrcSpot>;
  /** Radius of each spot mask, pixels (default 2: the Hann-broadened spot). */
  spotRadiusPx?: number;
  /**
   * Threshold: '1/7' (0.143, for the full sum's resolution; Rosenthal & Henderson 2003), 'half-bit'
   * (van Heel & Schatz 2005), '3sigma' (van Heel 1987; default) or a fixed number. The noise σ of
   * '3sigma' and the effective pixel count of 'half-bit' are computed for the window (Hann correlates
   * neighbouring Fourier pixels) and Friedel symmetry, not taken as 1/√(n/2).
   */
  threshold?: FrcThreshold;
}

/** Result of {@link fourierRingCorrelation}. Arrays hold one value per ring. */
export interface FourierRingCorrelation {
  /** Ring centres n·Δk, 1/Å (ring n holds |k| in [(n − ½)Δk, (n + ½)Δk)). */
  kInvA: Float64Array;
  /** FRC(k) = Re Σ F₁F₂* / √(Σ|F₁|²·Σ|F₂|²) over the ring (NaN for an empty ring). */
  frc: Float64Array;
  /** Pixels in the ring over the full plane (both Friedel halves; masked pixels only with `spots`). */
  pixels: Uint32Array;
  /** Threshold per ring. */
  threshold: Float64Array;
  /**
   * Information limit, Å: without spots, 1/k where FRC first falls below the threshold (linear
   * interpolation between rings; null if it never does). With spots, the smallest d among the
   * spots whose own FRC reaches their threshold (null if none).
   */
  resolutionA: number | null;
  thresholdName: string;
  binWidthInvA: number;
  /** With `spots`: the FRC over each spot's disc and its Friedel mate's, with its own threshold. */
  spots?: FrcSpotResult[];
}

/** FRC of one spot mask. */
export interface FrcSpotResult {
  kxInvA: number;
  kyInvA: number;
  /** 1/|g|, Å. */
  dA: number;
  frc: number;
  pixels: number;
  threshold: number;
  transferred: boolean;
}

/**
 * Fourier ring correlation of two independent half sums (e.g. even and odd frames of a movie):
 * FRC(k) = Re Σ F₁(k)F₂*(k) / √(Σ|F₁|²·Σ|F₂|²) over rings of width Δk (science.md §1.6). Signal
 * common to both halves correlates; their independent noise does not, so no noise model is needed.
 * For a crystal pass the spots (`lattice.findPeaks`) to restrict the sums to spot masks. The Fourier
 * transforms are of the halves' periodic components by default (Moisan's decomposition). References: Saxton & Baumeister,
 * J. Microsc. 127, 127 (1982), doi:10.1111/j.1365-2818.1982.tb00405.x; van Heel & Schatz, J. Struct.
 * Biol. 151, 250 (2005), doi:10.1016/j.jsb.2005.05.009.
 *
 * @param half1 - first half sum, 2D Dataset or ndarray `[rows, cols]`.
 * @param half2 - second half sum, same shape and calibration.
 * @param options - see {@link FourierRingCorrelationOptions}.
 * @returns {@link FourierRingCorrelation}: `kInvA` (1/Å), `frc`, `pixels`, `threshold`, `resolutionA` (Å).
 * @throws ShapeError when the halves differ in shape or are not 2D; CalibrationError without a pixel
 *   size; ValueError for a bad option.
 * @example
 * const frc = lowdose.fft.fourierRingCorrelation(evenSum, oddSum, { pixelSizeA: 0.5, threshold: 'half-bit' });
 * frc.resolutionA; // Å
 */
export function fourierRingCorrelation(half1: Dataset | NdArray, half2: Dataset | NdArray, options: FourierRingCorrelationOptions = {}): FourierRingCorrelation {
  const fn = 'fourierRingCorrelation';
  const a = imageInput(half1, fn, 'half1');
  const b = imageInput(half2, fn, 'half2');
  const [rows, cols] = a.data.shape;
  if (b.data.shape[0] !== rows || b.data.shape[1] !== cols) {
    throw new ShapeError(`${fn}: half2 must have the shape of half1 [${rows}, ${cols}]; got [${b.data.shape.join(', ')}].`);
  }
  const [py, px] = pixelSizes(a, options.pixelSizeA, fn);
  const window = options.window ?? 'periodic-smooth';
  if (!WINDOW_NAMES.includes(window)) {
    throw new ValueError(`${fn}: window must be one of ${WINDOW_NAMES.map(w => `'${w}'`).join(', ')}; got ${JSON.stringify(window)}.`);
  }
  const sy = 1 / (rows * py);
  const sx = 1 / (cols * px);
  const dk = options.binWidthInvA ?? Math.max(sy, sx);
  if (!(dk > 0) || !Number.isFinite(dk)) throw new ValueError(`${fn}: binWidthInvA must be a positive number of 1/Å; got ${dk}.`);
  const threshold = options.threshold ?? '3sigma';
  if (!(threshold === '1/7' || threshold === 'half-bit' || threshold === '3sigma' || (typeof threshold === 'number' && threshold > 0 && threshold < 1))) {
    throw new ValueError(`${fn}: threshold must be '1/7', 'half-bit', '3sigma' or a number in (0, 1); got ${JSON.stringify(threshold)}.`);
  }
  const spots = options.spots ? checkSpots(options.spots, fn) : null;
  const radius = options.spotRadiusPx ?? 2;
  if (spots && !(radius >= 0.5 && Number.isFinite(radius))) throw new ValueError(`${fn}: spotRadiusPx must be a number ≥ 0.5; got ${radius}.`);

  const kMax = Math.min(sy * Math.floor(rows / 2), sx * Math.floor(cols / 2));
  const nBins = Math.floor(kMax / dk + 0.5) + 1;
  // Full-plane labels (unshifted DFT indices): ring of each pixel, and spot of each masked pixel.
  const spotOf = spots ? spotLabels(spots, radius, rows, cols, sy, sx) : null;
  const ringOf = new Int32Array(rows * cols).fill(-1);
  for (let r = 0; r < rows; r++) {
    const ky2 = ((r <= rows / 2 ? r : r - rows) * sy) ** 2;
    for (let c = 0; c < cols; c++) {
      const k = Math.sqrt(ky2 + ((c <= cols / 2 ? c : c - cols) * sx) ** 2);
      const i = r * cols + c;
      // Complete rings only (as radialProfile); k = 0 excluded.
      if (i > 0 && k <= kMax && (!spotOf || spotOf[i] >= 0)) ringOf[i] = Math.floor(k / dk + 0.5);
    }
  }

  const F1 = halfSpectrum(a, rows, cols, window);
  const F2 = halfSpectrum(b, rows, cols, window);
  const ring = accumulate(F1, F2, ringOf, nBins, rows, cols);
  const ringNoise = noiseCorrelationSums(ringOf, rows, cols, nBins, window);
  const kInvA = new Float64Array(nBins);
  const thr = new Float64Array(nBins);
  for (let n = 0; n < nBins; n++) {
    kInvA[n] = n * dk;
    thr[n] = thresholdAt(threshold, ring.pixels[n], ringNoise[n]);
  }
  const result: FourierRingCorrelation = {
    kInvA,
    frc: ring.frc,
    pixels: ring.pixels,
    threshold: thr,
    resolutionA: spots ? null : firstCrossing(kInvA, ring.frc, thr),
    thresholdName: typeof threshold === 'number' ? String(threshold) : threshold,
    binWidthInvA: dk
  };
  if (spots && spotOf) {
    const per = accumulate(F1, F2, spotOf, spots.length, rows, cols);
    const perNoise = noiseCorrelationSums(spotOf, rows, cols, spots.length, window);
    result.spots = spots.map((s, i) => {
      const t = thresholdAt(threshold, per.pixels[i], perNoise[i]);
      return { kxInvA: s.kxInvA, kyInvA: s.kyInvA, dA: 1 / Math.hypot(s.kxInvA, s.kyInvA), frc: per.frc[i], pixels: per.pixels[i], threshold: t, transferred: per.frc[i] >= t };
    });
    const passing = result.spots.filter(s => s.transferred).map(s => s.dA);
    result.resolutionA = passing.length ? Math.min(...passing) : null;
  }
  return result;
}

/** FRC and pixel count per label, from the half spectra (columns 1 … ⌈cols/2⌉−1 stand for their mates too). */
function accumulate(F1: Half, F2: Half, labels: Int32Array, nLabels: number, rows: number, cols: number): { frc: Float64Array; pixels: Uint32Array } {
  const cross = new Float64Array(nLabels);
  const p1 = new Float64Array(nLabels);
  const p2 = new Float64Array(nLabels);
  const pixels = new Uint32Array(nLabels);
  const nc = Math.floor(cols / 2) + 1;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < nc; c++) {
      const l = labels[r * cols + c];
      if (l < 0) continue;
      const w = c === 0 || 2 * c === cols ? 1 : 2;
      const i = r * nc + c;
      cross[l] += w * (F1.re[i] * F2.re[i] + F1.im[i] * F2.im[i]);
      p1[l] += w * (F1.re[i] * F1.re[i] + F1.im[i] * F1.im[i]);
      p2[l] += w * (F2.re[i] * F2.re[i] + F2.im[i] * F2.im[i]);
      pixels[l] += w;
    }
  }
  const frc = new Float64Array(nLabels);
  for (let l = 0; l < nLabels; l++) frc[l] = pixels[l] && p1[l] > 0 && p2[l] > 0 ? cross[l] / Math.sqrt(p1[l] * p2[l]) : NaN;
  return { frc, pixels };
}

interface Half {
  re: ArrayLike<number>;
  im: ArrayLike<number>;
}

function halfSpectrum(img: Dataset, rows: number, cols: number, window: WindowName): Half {
  const X = rfft2(ndarray(apodize(toDense2d(img.data), rows, cols, window, true), [rows, cols])); // float64 input: float64 transform
  return { re: dense(X.re), im: dense(X.im) };
}

function dense(a: NdArray): ArrayLike<number> {
  const [r, c] = a.shape;
  if (a.offset === 0 && a.stride[0] === c && a.stride[1] === 1) return a.data as ArrayLike<number>;
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[i * c + j] = a.get(i, j);
  return out;
}

function checkSpots(spots: ReadonlyArray<FrcSpot>, fn: string): ReadonlyArray<FrcSpot> {
  if (!Array.isArray(spots) || spots.length === 0) throw new ValueError(`${fn}: spots must be a non-empty array of {kxInvA, kyInvA}; got ${JSON.stringify(spots)}.`);
  spots.forEach((s, i) => {
    if (!s || !Number.isFinite(s.kxInvA) || !Number.isFinite(s.kyInvA) || (s.kxInvA === 0 && s.kyInvA === 0)) {
      throw new ValueError(`${fn}: spots[${i}] must have finite kxInvA and kyInvA (1/Å), not both 0; got ${JSON.stringify(s)}.`);
    }
  });
  return spots;
}

/** Full-plane label map (unshifted indices): the index of the spot whose disc (or its Friedel mate's) holds the pixel, else −1. */
function spotLabels(spots: ReadonlyArray<FrcSpot>, radius: number, rows: number, cols: number, sy: number, sx: number): Int32Array {
  const labels = new Int32Array(rows * cols).fill(-1);
  const reach = Math.ceil(radius);
  spots.forEach((s, i) => {
    for (const sign of [1, -1]) {
      const y = (sign * s.kyInvA) / sy;
      const x = (sign * s.kxInvA) / sx;
      for (let dy = -reach; dy <= reach; dy++) {
        for (let dx = -reach; dx <= reach; dx++) {
          const fy = Math.round(y) + dy;
          const fx = Math.round(x) + dx;
          if ((fy - y) ** 2 + (fx - x) ** 2 > radius * radius || (fy === 0 && fx === 0)) continue;
          const idx = (((fy % rows) + rows) % rows) * cols + (((fx % cols) + cols) % cols);
          if (labels[idx] < 0) labels[idx] = i;
        }
      }
    }
  });
  return labels;
}

/**
 * Threshold for a set of n pixels whose window correlation sum is `corr` (n without a window): a
 * pure-noise FRC has σ = √corr/n (1/√n unwindowed, n counting both Friedel halves); the half-bit
 * curve uses the same effective count n_eff = n²/corr.
 */
function thresholdAt(t: FrcThreshold, n: number, corr: number): number {
  if (typeof t === 'number') return t;
  if (t === '1/7') return 1 / 7;
  if (n === 0 || !(corr > 0)) return NaN;
  if (t === '3sigma') return (3 * Math.sqrt(corr)) / n;
  const s = n / Math.sqrt(corr);
  return (0.2071 + 1.9102 / s) / (1.2071 + 0.9102 / s);
}

function firstCrossing(k: Float64Array, frc: Float64Array, thr: Float64Array): number | null {
  for (let n = 1; n < k.length; n++) {
    if (!(frc[n] >= thr[n])) {
      if (n === 1 || !Number.isFinite(frc[n])) return n === 1 ? null : 1 / k[n - 1];
      const a = frc[n - 1] - thr[n - 1];
      const b = frc[n] - thr[n];
      const kc = k[n - 1] + ((k[n] - k[n - 1]) * a) / (a - b);
      return 1 / kc;
    }
  }
  return null;
}
