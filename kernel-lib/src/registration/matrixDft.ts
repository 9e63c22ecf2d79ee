/**
 * DFT evaluated at arbitrary (fractional) coordinates by two matrix products — the "upsampled DFT"
 * of Guizar-Sicairos, Thurman & Fienup (2008), Opt. Lett. 33, 156, doi:10.1364/OL.33.000156.
 *
 * out(a, b) = Σ_p Σ_q g(p, q) · exp(sign · 2πi · (u_p · y_a / rows + v_q · x_b / cols))
 *
 * where p, q run over the input grid and u_p, v_q are either the plain indices (0 … n−1: the input
 * is an image, the coordinates are frequencies in cycles per image) or the signed FFT frequencies
 * (0, 1, …, −1: the input is a spectrum, the coordinates are positions in pixels). Cost
 * O(rows·cols·nx + rows·ny·nx), so a small region at a high upsampling factor is cheap.
 * Browser-safe, pure.
 */
import { columnKernel, denseColumnStage, rowStage } from './_internal/separableDft';
export interface MatrixDftOptions {
  /** Coordinates along rows at which to evaluate (frequencies or positions, see `indexing`). */
  rowCoords: ArrayLike<number>;
  /** Coordinates along columns at which to evaluate. */
  colCoords: ArrayLike<number>;
  /** −1: forward transform (image → spectrum); +1: inverse without 1/N (spectrum → image). */
  sign: -1 | 1;
  /**
   * How input indices enter the phase: 'index' uses p itself (input is an image sampled at
   * 0…n−1), 'signed' uses the FFT frequency of p (input is an unshifted spectrum).
   */
  indexing: 'index' | 'signed';
}

/** Complex result of {@link matrixDft}: `rowCoords.length × colCoords.length`, row-major. */
export interface MatrixDftResult {
  re: Float64Array;
  im: Float64Array;
  rows: number;
  cols: number;
}

/**
 * Evaluates the DFT of `re + i·im` (`rows × cols`, row-major; `im` may be null for real input) at
 * the given coordinates.
 * @example
 * // Forward DFT of an image at a fractional frequency (3.25, −7.5) cycles per image:
 * matrixDft(img, null, ny, nx, { rowCoords: [3.25], colCoords: [-7.5], sign: -1, indexing: 'index' })
 */
export function matrixDft(
  re: ArrayLike<number>,
  im: ArrayLike<number> | null,
  rows: number,
  cols: number,
  options: MatrixDftOptions
): MatrixDftResult {
  const ny = options.rowCoords.length;
  const nx = options.colCoords.length;
  const s = options.sign * 2 * Math.PI;
  const u = (p: number, n: number): number => (options.indexing === 'signed' && p >= Math.ceil(n / 2) ? p - n : p);
  // T(p, b) = Σ_q g(p, q)·exp(sign·2πi·v_q·x_b/cols), then out(a, b) = Σ_p exp(sign·2πi·u_p·y_a/rows)·T(p, b)
  const { kr, ki } = columnKernel(cols, nx, (q, b) => (s * u(q, cols) * options.colCoords[b]) / cols);
  const t = denseColumnStage(re, im, rows, cols, kr, ki, nx);
  const out = rowStage(t.tr, t.ti, t.used, rows, ny, nx, (a, p) => (s * u(p, rows) * options.rowCoords[a]) / rows);
  return { re: out.re, im: out.im, rows: ny, cols: nx };
}

/** Coordinates `center + (i − half)/upsampleFactor` for i in 0…size−1 (half = floor(size/2)). */
export function upsampledGrid(center: number, size: number, upsampleFactor: number): Float64Array {
  const out = new Float64Array(size);
  const half = Math.floor(size / 2);
  for (let i = 0; i < size; i++) out[i] = center + (i - half) / upsampleFactor;
  return out;
}
