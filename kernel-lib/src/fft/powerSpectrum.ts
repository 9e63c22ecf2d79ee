/**
 * Calibrated power spectrum |F(k)|² of an image (science.md §1.4, §1.6) — issue 4 item 2, the
 * input of lattice.findPeaks / refinePeak / informationLimit. Built on fft.rfft2, fft.hann2d and
 * fft.periodicSmoothDecomposition.
 */
import ndarray from 'ndarray';
import { CalibrationError, ShapeError, ValueError } from '../errors';
import { Dataset, Metadata, NdArray, isDataset, isNdArray, makeDataset, toDense2d } from '../types/dataset';
import { rfft2 } from './rfft2';
import { FftOptions } from './_internal/transforms';
import { WINDOW_NAMES, WindowName, apodize, shotNoiseFloor, windowSumSq } from './_internal/apodize';

export { WindowName };

/** Options of {@link powerSpectrum}. */
export interface PowerSpectrumOptions extends FftOptions {
  /**
   * Pixel size at the specimen, Å (square pixels). Default: from the image's axes (units `A`, `nm`
   * or `um`, per axis, so non-square pixels work) or `metadata.pixelSizeA`.
   */
  pixelSizeA?: number;
  /**
   * Apodisation (default 'hann'): 'hann' — separable periodic Hann window (fft.hann2d, periodic),
   * kills the edge cross, broadens spots to ±2 px and correlates neighbouring noise values;
   * 'periodic-smooth' — the periodic component of Moisan's decomposition (no cross, spots as sharp
   * as without a window, independent noise values); 'none' — |F|² of the raw image (numpy's
   * |fft2(x)|²). 'periodicSmooth' is accepted for 'periodic-smooth'.
   */
  window?: WindowName | 'periodicSmooth';
  /** Storage of the power values (default 'float32'; computed in float64 either way). */
  dtype?: 'float32' | 'float64';
}

/** Metadata of a {@link PowerSpectrum}. */
export interface PowerSpectrumMetadata extends Metadata {
  kind: 'powerSpectrum';
  window: WindowName;
  /** Pixel size of the source along rows and along columns, Å. */
  pixelSizeYA: number;
  pixelSizeXA: number;
  /** Source pixel size, Å, when the pixels are square (else null). */
  pixelSizeA: number | null;
  /** Σ w² of the window (rows·cols without one): white noise of variance σ² has mean power σ²·Σw². */
  windowSumSq: number;
  /**
   * Shot-noise floor Σ w²·c (science.md §1.3) in power units — the expected |F|² of pure Poisson
   * noise at every k ≠ 0 when the source holds detected counts; null when the source has negative
   * or non-finite values. Meaningless for gain-normalised or linear-mode images.
   */
  shotNoiseFloor: number | null;
  /** `signalUnits` of the source (e.g. 'counts'), if it had one. */
  sourceSignalUnits: string | null;
  /**
   * The source image (a 2D Dataset; NOT enumerable, so it is not copied by spreads, JSON or
   * display): peaks are refined by an upsampled DFT of it (`lattice.refinePeak`).
   */
  source: Dataset;
}

/**
 * A power-spectrum Dataset: `data` is `[rows, cols]` |F|², fftshifted (zero frequency at row
 * floor(rows/2), column floor(cols/2)); axes `ky`, `kx` in 1/Å. `source` (non-enumerable) is the
 * image, as `metadata.source`.
 */
export interface PowerSpectrum extends Dataset {
  metadata: PowerSpectrumMetadata;
  readonly source: Dataset;
}

/**
 * Power spectrum |F(k)|² of an image, fftshifted, with reciprocal axes in 1/Å (no 2π): pixel
 * (i, j) is at ky = (i − ⌊rows/2⌋)/(rows·p_y), kx = (j − ⌊cols/2⌋)/(cols·p_x) (science.md §1.4;
 * each axis calibrated separately, any size). F is the unnormalised forward DFT of the apodised
 * image, so with `window: 'none'` the values equal numpy's `abs(fftshift(fft2(x)))**2`.
 * The result keeps a reference to its source (`metadata.source` and `source`, non-enumerable) so
 * that spots can be refined by an upsampled DFT of the image rather than on the pixel grid
 * (science.md §1.5).
 *
 * Hann: periodic, separable, w(n) = ½ − ½cos(2πn/N). Periodic-plus-smooth: Moisan, J. Math.
 * Imaging Vis. 39, 161 (2011), doi:10.1007/s10851-010-0227-1.
 *
 * @param image - 2D Dataset or ndarray `[rows, cols]` (counts or any real values).
 * @param options - `pixelSizeA`, `window` (default 'hann'), `dtype` (default 'float32'), `workers`.
 * @returns {@link PowerSpectrum}: Dataset `[rows, cols]` with axes ky/kx (1/Å), metadata with the
 *   window, pixel sizes (Å), Σw², the shot-noise floor and the source.
 * @throws ShapeError when the image is not 2D; CalibrationError when no pixel size is known;
 *   ValueError for an unknown window or a bad pixel size.
 * @example
 * const ps = lowdose.fft.powerSpectrum(img, { pixelSizeA: 0.5, window: 'hann' });
 * ps.axes[1].scale; // 1/(cols·0.5) 1/Å per pixel
 */
export function powerSpectrum(image: Dataset | NdArray, options: PowerSpectrumOptions = {}): PowerSpectrum {
  const fn = 'powerSpectrum';
  const given = options.window ?? 'hann';
  const window: WindowName = given === 'periodicSmooth' ? 'periodic-smooth' : given;
  if (!WINDOW_NAMES.includes(window)) {
    throw new ValueError(`${fn}: window must be one of ${WINDOW_NAMES.map(w => `'${w}'`).join(', ')}; got ${JSON.stringify(given)}.`);
  }
  const dtype = options.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new ValueError(`${fn}: dtype must be 'float32' or 'float64'; got ${JSON.stringify(dtype)}.`);
  }
  const src = imageInput(image, fn);
  const [rows, cols] = src.data.shape;
  const [py, px] = pixelSizes(src, options.pixelSizeA, fn);
  const values = toDense2d(src.data);
  const X = rfft2(ndarray(apodize(values, rows, cols, window), [rows, cols]), { workers: options.workers });
  const nc = X.re.shape[1];
  const re = denseData(X.re);
  const im = denseData(X.im);
  const out = dtype === 'float32' ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
  const r0 = Math.floor(rows / 2);
  const c0 = Math.floor(cols / 2);
  for (let r = 0; r < rows; r++) {
    const rr = (r + r0) % rows; // output row of frequency index r
    const rm = (((rows - r) % rows) + r0) % rows; // output row of frequency −r
    for (let c = 0; c < nc; c++) {
      const i = r * nc + c;
      const p = re[i] * re[i] + im[i] * im[i];
      out[rr * cols + ((c + c0) % cols)] = p;
      if (c > 0) out[rm * cols + ((cols - c + c0) % cols)] = p; // Hermitian mirror: F(−k) = conj F(k)
    }
  }
  const axis = (name: string, n: number, p: number): { name: string; scale: number; offset: number; units: '1/A' } => ({
    name,
    scale: 1 / (n * p),
    offset: -Math.floor(n / 2) / (n * p),
    units: '1/A'
  });
  const sourceUnits = typeof src.metadata.signalUnits === 'string' ? src.metadata.signalUnits : null;
  const metadata: Omit<PowerSpectrumMetadata, 'source'> = {
    kind: 'powerSpectrum',
    window,
    pixelSizeYA: py,
    pixelSizeXA: px,
    pixelSizeA: py === px ? px : null,
    windowSumSq: windowSumSq(rows, cols, window),
    shotNoiseFloor: shotNoiseFloor(values, rows, cols, window),
    sourceSignalUnits: sourceUnits,
    signalUnits: sourceUnits ? `(${sourceUnits})²` : 'power'
  };
  const ds = makeDataset(ndarray(out, [rows, cols]), { axes: [axis('ky', rows, py), axis('kx', cols, px)], metadata });
  const hidden = { value: src, enumerable: false, writable: false, configurable: true };
  Object.defineProperty(ds.metadata, 'source', hidden);
  Object.defineProperty(ds, 'source', hidden);
  return ds as PowerSpectrum;
}

/** True for a Dataset made by {@link powerSpectrum} (metadata.kind 'powerSpectrum', 2D, ky/kx axes in 1/Å). */
export function isPowerSpectrum(x: unknown): x is PowerSpectrum {
  return isDataset(x) && (x.metadata as Metadata)?.kind === 'powerSpectrum' && x.data.shape.length === 2 && x.axes[1]?.units === '1/A';
}

/** A 2D Dataset view of an image argument (ndarrays are wrapped; Datasets are used as they are). */
export function imageInput(image: Dataset | NdArray, fn: string, name = 'image'): Dataset {
  const ds = isDataset(image) ? image : isNdArray(image) ? makeDataset(image) : null;
  if (!ds) throw new ValueError(`${fn}: ${name} must be a 2D Dataset or ndarray; got ${typeof image}.`);
  if (ds.data.shape.length !== 2 || ds.data.shape.some(s => !(s >= 1))) {
    throw new ShapeError(
      `${fn}: ${name} must be 2D [rows, cols]; got shape [${ds.data.shape.join(', ')}]. Sum or pick a frame of a stack first.`
    );
  }
  return ds;
}

const TO_A: { [u: string]: number } = { A: 1, nm: 10, um: 1e4 };

/** Pixel sizes `[p_y, p_x]` in Å: the option, else the image axes (A/nm/um), else metadata.pixelSizeA. */
export function pixelSizes(img: Dataset, pixelSizeA: number | undefined, fn: string): [number, number] {
  if (pixelSizeA !== undefined) {
    if (typeof pixelSizeA !== 'number' || !(pixelSizeA > 0) || !Number.isFinite(pixelSizeA)) {
      throw new ValueError(`${fn}: pixelSizeA must be a positive number of Å; got ${JSON.stringify(pixelSizeA)}.`);
    }
    return [pixelSizeA, pixelSizeA];
  }
  const ax = img.axes;
  const fromAxis = (a: Dataset['axes'][number] | undefined): number | null =>
    a && TO_A[a.units] !== undefined && Math.abs(a.scale) > 0 ? Math.abs(a.scale) * TO_A[a.units] : null;
  const py = fromAxis(ax[ax.length - 2]);
  const pxA = fromAxis(ax[ax.length - 1]);
  if (py !== null && pxA !== null) return [py, pxA];
  const m = img.metadata?.pixelSizeA;
  if (typeof m === 'number' && m > 0 && Number.isFinite(m)) return [m, m];
  throw new CalibrationError(
    `${fn}: pixel size must be known (axes in A/nm/um or metadata.pixelSizeA); got axes in ${JSON.stringify(ax.map(a => a.units))}. ` +
      'Pass { pixelSizeA } (use 1 for calibration-free ratios).'
  );
}

/** The typed array of a dense row-major ndarray (copies otherwise). */
function denseData(a: NdArray): ArrayLike<number> {
  const [n0, n1] = a.shape;
  if (a.offset === 0 && a.stride[0] === n1 && a.stride[1] === 1 && a.data.length >= n0 * n1) return a.data;
  return toDense2d(a);
}
