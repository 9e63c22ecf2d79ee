/**
 * Real-input 2D FFT and its inverse (numpy.fft.rfft2 / irfft2 conventions).
 */
import { ShapeError } from '../errors';
import { ComplexArray, Dataset, NdArray } from '../types/dataset';
import { FftOptions, complexInput, irfft2Impl, realInput, rfft2Impl } from './_internal/transforms';

/**
 * 2D FFT of real data over the last two axes: `[ny, nx]` → `[ny, floor(nx/2)+1]` (the
 * non-negative column frequencies; the rest follow by Hermitian symmetry), any size.
 *
 * Synchronous. Rows are transformed two at a time as the real and imaginary parts of one complex
 * transform inside the WebAssembly core (4 float32 or 2 float64 transforms per SIMD vector), then
 * columns; in Node both passes are split across worker threads sharing the core's memory (the
 * calling thread waits for them, so the result is ready when the call returns).
 *
 * @param x - real ndarray or Dataset `[rows, cols]` (or `[..., rows, cols]`); float32 input is
 *   computed in float32, anything else in float64.
 * @param options - `workers`: threads (Node; default every core from 256×256 up; results are
 *   identical for any number of workers).
 * @returns `{re, im}`, each `[..., rows, floor(cols/2)+1]`, unnormalised: X(k) = Σ x(r)·exp(−2πi k·r).
 *   In Node the arrays may be views of the core's shared memory (no copy; freed when collected):
 *   their `.buffer` is that whole memory, so use `.slice()` for a standalone copy.
 * @throws ShapeError for fewer than two dimensions or an empty axis.
 * @example
 * const { re, im } = lowdose.fft.rfft2(img);              // img: Dataset [3838, 3710] float32
 * const power = re.data.map((v, i) => v * v + im.data[i] ** 2);
 */
export function rfft2(x: NdArray | Dataset, options?: FftOptions): ComplexArray {
  return rfft2Impl(realInput(x, 'rfft2'), options, 'rfft2');
}

/** Options of {@link irfft2}. */
export interface Irfft2Options extends FftOptions {
  /**
   * Output `[rows, cols]`. Default: `[ny, 2·(nc−1)]` for an input `[ny, nc]` — pass it for odd
   * widths. The input is cropped or zero-padded at the ends to `[rows, floor(cols/2)+1]` (numpy's `s`).
   */
  shape?: [number, number];
}

/**
 * Inverse of {@link rfft2}: a half spectrum `[ny, nc]` → real `[rows, cols]`, with 1/(rows·cols).
 * As numpy does, the imaginary parts of the zero-frequency column (and of the Nyquist column for
 * even `cols`) are ignored.
 *
 * @param X - `{re, im}` half spectrum (`[..., ny, nc]`) or a complex Dataset.
 * @param options - `shape` of the output, `workers`.
 * @returns a real ndarray `[..., rows, cols]` (float32 if both parts are float32, else float64).
 * @throws ShapeError for fewer than two dimensions; ValueError for a bad `shape`.
 * @example const back = lowdose.fft.irfft2(lowdose.fft.rfft2(img), { shape: [3838, 3710] });
 */
export function irfft2(X: ComplexArray | Dataset, options: Irfft2Options = {}): NdArray {
  const z = complexInput(X, 'irfft2');
  const shape = options.shape;
  if (shape !== undefined && !(Array.isArray(shape) && shape.length === 2)) {
    throw new ShapeError(`irfft2: options.shape must be [rows, cols]; got ${JSON.stringify(shape)}.`);
  }
  return irfft2Impl(z, shape, options, 'irfft2');
}
