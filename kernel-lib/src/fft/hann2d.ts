/**
 * 2D Hann window (outer product of 1D Hann windows), to taper an image before its FFT.
 */
import ndarray from 'ndarray';
import { ShapeError } from '../errors';
import { NdArray } from '../types/dataset';

/** Options of {@link hann2d}. */
export interface Hann2dOptions {
  /**
   * `false` (default): symmetric window, w(i) = 0.5 − 0.5·cos(2πi/(n−1)) (numpy.hanning), zero at both ends.
   * `true`: periodic window, w(i) = 0.5 − 0.5·cos(2πi/n) (scipy.signal.get_window('hann', n)), for spectral analysis.
   */
  periodic?: boolean;
}

function hann1d(n: number, periodic: boolean): Float64Array {
  const w = new Float64Array(n);
  const m = periodic ? n : n - 1;
  if (n === 1) {
    w[0] = 1;
    return w;
  }
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / m);
  return w;
}

/**
 * The 2D Hann window w(r, c) = h_rows(r)·h_cols(c).
 * @param shape - `[rows, cols]`.
 * @param options - `periodic` (default false, numpy.hanning's symmetric window).
 * @returns Float64 ndarray `[rows, cols]` with values in [0, 1].
 * @throws ShapeError unless shape is two positive integers.
 * @example
 * const w = lowdose.fft.hann2d([512, 512]);
 * const tapered = img.data.data.map((v, i) => v * w.data[i]);
 */
export function hann2d(shape: [number, number], options: Hann2dOptions = {}): NdArray {
  const [rows, cols] = shape ?? [];
  if (!(Number.isInteger(rows) && rows >= 1 && Number.isInteger(cols) && cols >= 1)) {
    throw new ShapeError(`hann2d: shape must be [rows, cols] of positive integers; got ${JSON.stringify(shape)}.`);
  }
  const periodic = options.periodic ?? false;
  const hr = hann1d(rows, periodic), hc = hann1d(cols, periodic);
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = hr[r] * hc[c];
  return ndarray(out, [rows, cols]);
}
