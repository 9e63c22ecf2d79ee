/**
 * The inverse DFT of a real image's spectrum, evaluated at arbitrary (fractional) positions from
 * its stored half (`rfft2` layout), by two matrix products — the upsampled DFT of Guizar-Sicairos,
 * Thurman & Fienup, Opt. Lett. 33, 156 (2008), doi:10.1364/OL.33.000156 — with the implicit
 * conjugate half folded in, so it costs half of the full-spectrum product.
 *
 * The conjugate mirror of stored column c (1 ≤ c < nx/2) is column −c, valued conj(P(−f_y, c)).
 * The Nyquist column of an even width is used once at frequency −nx/2 and the Nyquist row at
 * −ny/2, exactly as numpy's `fftfreq` (and so scikit-image's `_upsampled_dft`) does, so the result
 * equals the full-spectrum evaluation to rounding.
 * Browser-safe, pure.
 */
import { SparseRows, columnKernel, columnStage, rowStage, sparseRows, sparseRowsOf } from './separableDft';

/** How the stored rows/columns of a half spectrum map to frequencies of the full ny × nx grid. */
export interface HalfLayout {
  /** Full grid (phases use these): rows. */
  ny: number;
  /** Full grid: columns. */
  nx: number;
  /** Stored rows. */
  rows: number;
  /** Stored columns. */
  cols: number;
  /** Signed row frequency (cycles per ny pixels) of each stored row. */
  rowFreq: Int32Array;
  /** Stored index of the row with frequency −rowFreq[r], or −1. */
  rowMirror: Int32Array;
  /** Column frequency of each stored column (the Nyquist column of an even nx: −nx/2). */
  colFreq: Int32Array;
  /** 1 when column c has an implicit conjugate mirror at −c (1 ≤ c < nx/2). */
  colMirrored: Uint8Array;
}

/** numpy's fftfreq index → signed frequency. */
export function signedFreq(i: number, n: number): number {
  return i < Math.ceil(n / 2) ? i : i - n;
}

/** Layout of a full `rfft2` half spectrum `[ny, floor(nx/2)+1]`. */
export function fullHalfLayout(ny: number, nx: number): HalfLayout {
  const cols = (nx >> 1) + 1;
  const rowFreq = new Int32Array(ny);
  const rowMirror = new Int32Array(ny);
  for (let r = 0; r < ny; r++) {
    rowFreq[r] = signedFreq(r, ny);
    rowMirror[r] = (ny - r) % ny;
  }
  const colFreq = new Int32Array(cols);
  const colMirrored = new Uint8Array(cols);
  for (let c = 0; c < cols; c++) {
    const nyquist = nx % 2 === 0 && 2 * c === nx;
    colFreq[c] = nyquist ? -c : c;
    colMirrored[c] = c >= 1 && !nyquist ? 1 : 0;
  }
  return { ny, nx, rows: ny, cols, rowFreq, rowMirror, colFreq, colMirrored };
}

/**
 * Layout of a Fourier-cropped half spectrum `[my, mx/2+1]` holding the frequencies |f_y| ≤ my/2 − 1,
 * 0 ≤ f_x ≤ mx/2 − 1 of a full ny × nx grid (its Nyquist row and column are stored as zeros, so
 * the array is also a valid `irfft2` input for the my × mx grid).
 */
export function croppedHalfLayout(ny: number, nx: number, my: number, mx: number): HalfLayout {
  const cols = (mx >> 1) + 1;
  const rowFreq = new Int32Array(my);
  const rowMirror = new Int32Array(my);
  for (let r = 0; r < my; r++) {
    rowFreq[r] = r < my / 2 ? r : r - my;
    rowMirror[r] = (my - r) % my;
  }
  const colFreq = new Int32Array(cols);
  const colMirrored = new Uint8Array(cols);
  for (let c = 0; c < cols; c++) {
    colFreq[c] = c;
    colMirrored[c] = c >= 1 && c < mx / 2 ? 1 : 0;
  }
  return { ny, nx, rows: my, cols, rowFreq, rowMirror, colFreq, colMirrored };
}

/** Complex values on a grid of `rows × cols` points, row-major. */
export interface ComplexGrid {
  re: Float64Array;
  im: Float64Array;
  rows: number;
  cols: number;
}

type Floats = ArrayLike<number>;

/**
 * c(y_a, x_b) = Σ_{full k} P(k)·exp(+2πi(f_y·y_a/ny + f_x·x_b/nx)) (no 1/N) at positions ys × xs (pixels
 * of the full grid), where P is given by its stored half (`re`, `im`, `layout.rows × layout.cols`).
 */
export function halfSpectrumDft(re: Floats, im: Floats, layout: HalfLayout, ys: Floats, xs: Floats): ComplexGrid {
  return new SparseHalfSpectrum(re, im, layout).at(ys, xs);
}

/**
 * A half spectrum prepared for repeated {@link halfSpectrumDft} evaluations (a peak search zooming
 * in): only its non-zero values are kept, so a sparse spectrum (e.g. coherence-weighted, most
 * frequencies 0) costs its non-zeros × the output columns per evaluation.
 */
export class SparseHalfSpectrum {
  /** Values of the columns that have no implicit mirror (DC, Nyquist), and of those that have one. */
  private readonly single: SparseRows;
  private readonly mirrored: SparseRows;

  constructor(re: Floats, im: Floats, readonly layout: HalfLayout, support?: { index: Int32Array; count: number }) {
    [this.single, this.mirrored] = support
      ? sparseRowsOf(support.index, support.count, re, im, layout.rows, layout.cols, layout.colMirrored)
      : sparseRows(re, im, layout.rows, layout.cols, layout.colMirrored);
  }

  /**
   * A spectrum that is zero outside the ascending flat indices `index[0 … count−1]`, from its values
   * there (`re[j]`, `im[j]` at `index[j]`): the same as the constructor on the dense array, without
   * scanning it.
   */
  static fromSupport(index: Int32Array, count: number, re: Floats, im: Floats, layout: HalfLayout): SparseHalfSpectrum {
    return new SparseHalfSpectrum(re, im, layout, { index, count });
  }

  /** The DFT at positions ys × xs (pixels of the full grid), as {@link halfSpectrumDft}. */
  at(ys: Floats, xs: Floats): ComplexGrid {
    const { rows, ny, nx, rowFreq, rowMirror, colFreq } = this.layout;
    const na = ys.length;
    const nb = xs.length;
    // T(r, b): over the columns without a mirror; M(r, b): over the mirrored ones.
    const { kr, ki } = columnKernel(this.layout.cols, nb, (c, b) => (2 * Math.PI * colFreq[c] * xs[b]) / nx);
    const tr = new Float64Array(rows * nb);
    const ti = new Float64Array(rows * nb);
    const mr = new Float64Array(rows * nb);
    const mi = new Float64Array(rows * nb);
    const used = new Uint8Array(rows);
    const usedM = new Uint8Array(rows);
    columnStage(this.single, kr, ki, nb, tr, ti, used);
    columnStage(this.mirrored, kr, ki, nb, mr, mi, usedM);
    // T(r, b) += M(r, b) + conj(M(mirror(r), b)): the mirrored columns' conjugate half.
    for (let r = 0; r < rows; r++) {
      const m = rowMirror[r];
      const fromMirror = m >= 0 && usedM[m] === 1;
      if (usedM[r] || fromMirror) used[r] = 1;
      if (!used[r]) continue;
      const o = r * nb;
      const om = m * nb;
      for (let b = 0; b < nb; b++) {
        tr[o + b] += mr[o + b];
        ti[o + b] += mi[o + b];
        if (fromMirror) {
          tr[o + b] += mr[om + b];
          ti[o + b] -= mi[om + b];
        }
      }
    }
    // out(a, b) = Σ_r exp(2πi·f_r·y_a/ny)·T(r, b).
    const out = rowStage(tr, ti, used, rows, na, nb, (a, r) => (2 * Math.PI * ys[a] * rowFreq[r]) / ny);
    return { re: out.re, im: out.im, rows: na, cols: nb };
  }
}

/** Σ over the full spectrum of |X|² from its stored half (mirrored columns count twice). */
export function fullSpectrumPower(re: Floats, im: Floats, layout: HalfLayout): number {
  let s = 0;
  for (let r = 0; r < layout.rows; r++) {
    const base = r * layout.cols;
    for (let c = 0; c < layout.cols; c++) {
      const p = re[base + c] * re[base + c] + im[base + c] * im[base + c];
      s += layout.colMirrored[c] ? 2 * p : p;
    }
  }
  return s;
}
