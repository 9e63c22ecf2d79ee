/**
 * Complex 2D discrete Fourier transforms, numpy's conventions: unnormalised forward transform
 * F(k) = Σ f(x)·exp(−2πi k·x), 1/N on the inverse.
 */
import { ComplexArray, Dataset, NdArray } from '../types/dataset';
import { FftOptions, complexInput, fft2Impl } from './_internal/transforms';

export { FftOptions };

/**
 * 2D FFT over the last two axes (`[rows, cols]`, or `[..., rows, cols]` frame by frame), any size.
 *
 * Sizes with factors 2, 3, 5 run radix passes; larger prime factors run generic odd-radix passes
 * or Bluestein's chirp-z convolution, whichever costs less, so every size is exact. Computed in
 * float32 when every input is float32, else in float64 (as scipy.fft does).
 *
 * @param x - complex `{re, im}` (two ndarrays of one shape), a complex Dataset, or a real ndarray/Dataset.
 * @param options - `workers`: threads (Node; see {@link FftOptions}).
 * @returns `{re, im}` of the same shape, unnormalised (numpy.fft.fft2).
 * @throws ShapeError for fewer than two dimensions, an empty axis, or re/im of different shapes.
 * @example
 * const X = lowdose.fft.fft2({ re: ndarray(new Float64Array(64 * 64), [64, 64]), im: ndarray(new Float64Array(64 * 64), [64, 64]) });
 */
export function fft2(x: ComplexArray | Dataset | NdArray, options?: FftOptions): ComplexArray {
  return fft2Impl(complexInput(x, 'fft2', 'x'), false, options, 'fft2');
}

/**
 * Inverse 2D FFT over the last two axes, with the 1/N factor (numpy.fft.ifft2): ifft2(fft2(x)) ≈ x.
 *
 * @param X - complex `{re, im}`, a complex Dataset, or a real ndarray/Dataset.
 * @param options - `workers`: threads (Node).
 * @returns `{re, im}` of the same shape.
 * @throws ShapeError as {@link fft2}.
 * @example const x = lowdose.fft.ifft2(lowdose.fft.fft2(z));
 */
export function ifft2(X: ComplexArray | Dataset | NdArray, options?: FftOptions): ComplexArray {
  return fft2Impl(complexInput(X, 'ifft2'), true, options, 'ifft2');
}
