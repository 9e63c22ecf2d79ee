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
  // Column kernel: E_col(q, b) = exp(sign·2πi·v_q·x_b/cols)
  const ecRe = new Float64Array(cols * nx);
  const ecIm = new Float64Array(cols * nx);
  for (let q = 0; q < cols; q++) {
    const vq = u(q, cols);
    for (let b = 0; b < nx; b++) {
      const phase = (s * vq * options.colCoords[b]) / cols;
      ecRe[q * nx + b] = Math.cos(phase);
      ecIm[q * nx + b] = Math.sin(phase);
    }
  }
  // T(p, b) = Σ_q g(p, q) E_col(q, b)
  const tRe = new Float64Array(rows * nx);
  const tIm = new Float64Array(rows * nx);
  for (let p = 0; p < rows; p++) {
    const rowBase = p * cols;
    const tBase = p * nx;
    for (let q = 0; q < cols; q++) {
      const gr = re[rowBase + q];
      const gi = im ? im[rowBase + q] : 0;
      if (gr === 0 && gi === 0) continue;
      const kBase = q * nx;
      for (let b = 0; b < nx; b++) {
        const er = ecRe[kBase + b];
        const ei = ecIm[kBase + b];
        tRe[tBase + b] += gr * er - gi * ei;
        tIm[tBase + b] += gr * ei + gi * er;
      }
    }
  }
  // out(a, b) = Σ_p E_row(a, p) T(p, b)
  const outRe = new Float64Array(ny * nx);
  const outIm = new Float64Array(ny * nx);
  for (let a = 0; a < ny; a++) {
    const ya = options.rowCoords[a];
    for (let p = 0; p < rows; p++) {
      const phase = (s * u(p, rows) * ya) / rows;
      const er = Math.cos(phase);
      const ei = Math.sin(phase);
      const tBase = p * nx;
      const oBase = a * nx;
      for (let b = 0; b < nx; b++) {
        const tr = tRe[tBase + b];
        const ti = tIm[tBase + b];
        outRe[oBase + b] += er * tr - ei * ti;
        outIm[oBase + b] += er * ti + ei * tr;
      }
    }
  }
  return { re: outRe, im: outIm, rows: ny, cols: nx };
}

/** Coordinates `center + (i − half)/upsampleFactor` for i in 0…size−1 (half = floor(size/2)). */
export function upsampledGrid(center: number, size: number, upsampleFactor: number): Float64Array {
  const out = new Float64Array(size);
  const half = Math.floor(size / 2);
  for (let i = 0; i < size; i++) out[i] = center + (i - half) / upsampleFactor;
  return out;
}
