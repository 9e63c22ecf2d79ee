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
  const { rows, cols, ny, nx, rowFreq, rowMirror, colFreq, colMirrored } = layout;
  const na = ys.length;
  const nb = xs.length;
  // Column kernel K(c, b) = exp(2πi·f_c·x_b/nx), stored per b (contiguous in c for the inner loop).
  const kr = new Float64Array(nb * cols);
  const ki = new Float64Array(nb * cols);
  for (let b = 0; b < nb; b++) {
    for (let c = 0; c < cols; c++) {
      const ph = (2 * Math.PI * colFreq[c] * xs[b]) / nx;
      kr[b * cols + c] = Math.cos(ph);
      ki[b * cols + c] = Math.sin(ph);
    }
  }
  // The mirrored columns form one run [c1, c2]; the others (DC, Nyquist) are handled one by one.
  let c1 = -1;
  let c2 = -2;
  const single: number[] = [];
  for (let c = 0; c < cols; c++) {
    if (colMirrored[c]) {
      if (c1 < 0) c1 = c;
      c2 = c;
    } else single.push(c);
  }
  // M(r, b): sum over mirrored columns; S(r, b): the others.
  const mr = new Float64Array(rows * nb);
  const mi = new Float64Array(rows * nb);
  const sr = new Float64Array(rows * nb);
  const si = new Float64Array(rows * nb);
  for (let r = 0; r < rows; r++) {
    const o = r * nb;
    const base = r * cols;
    let empty = true;
    for (let c = 0; c < cols && empty; c++) if (re[base + c] !== 0 || im[base + c] !== 0) empty = false;
    if (empty) continue;
    for (let b = 0; b < nb; b++) {
      const kb = b * cols;
      let ar = 0;
      let ai = 0;
      for (let c = c1; c <= c2; c++) {
        const pr = re[base + c];
        const pi = im[base + c];
        const er = kr[kb + c];
        const ei = ki[kb + c];
        ar += pr * er - pi * ei;
        ai += pr * ei + pi * er;
      }
      mr[o + b] = ar;
      mi[o + b] = ai;
      let br = 0;
      let bi = 0;
      for (const c of single) {
        const pr = re[base + c];
        const pi = im[base + c];
        const er = kr[kb + c];
        const ei = ki[kb + c];
        br += pr * er - pi * ei;
        bi += pr * ei + pi * er;
      }
      sr[o + b] = br;
      si[o + b] = bi;
    }
  }
  // T(r, b) = M(r, b) + S(r, b) + conj(M(mirror(r), b)): the mirrored columns' conjugate half.
  const tr = new Float64Array(rows * nb);
  const ti = new Float64Array(rows * nb);
  for (let r = 0; r < rows; r++) {
    const o = r * nb;
    const m = rowMirror[r];
    const om = m * nb;
    for (let b = 0; b < nb; b++) {
      let vr = mr[o + b] + sr[o + b];
      let vi = mi[o + b] + si[o + b];
      if (m >= 0) {
        vr += mr[om + b];
        vi -= mi[om + b];
      }
      tr[o + b] = vr;
      ti[o + b] = vi;
    }
  }
  // out(a, b) = Σ_r exp(2πi·f_r·y_a/ny)·T(r, b).
  const outRe = new Float64Array(na * nb);
  const outIm = new Float64Array(na * nb);
  for (let a = 0; a < na; a++) {
    const oa = a * nb;
    const w = (2 * Math.PI * ys[a]) / ny;
    for (let r = 0; r < rows; r++) {
      const ph = w * rowFreq[r];
      const er = Math.cos(ph);
      const ei = Math.sin(ph);
      const o = r * nb;
      for (let b = 0; b < nb; b++) {
        const vr = tr[o + b];
        const vi = ti[o + b];
        outRe[oa + b] += er * vr - ei * vi;
        outIm[oa + b] += er * vi + ei * vr;
      }
    }
  }
  return { re: outRe, im: outIm, rows: na, cols: nb };
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
