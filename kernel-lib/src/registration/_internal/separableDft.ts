/**
 * The two matrix products of an upsampled DFT (Guizar-Sicairos, Thurman & Fienup, Opt. Lett. 33,
 * 156 (2008), doi:10.1364/OL.33.000156), shared by matrixDft (full grids) and halfSpectrumDft
 * (Hermitian half spectra):
 *
 *   T(p, b)   = Σ_q g(p, q)·K(q, b)                 (columnStage: zero g skipped, so a sparse
 *                                                    spectrum — e.g. a coherence-weighted one — costs
 *                                                    its non-zeros times the output columns)
 *   out(a, b) = Σ_p exp(i·φ(a, p))·T(p, b)          (rowStage: rows holding no value skipped)
 *
 * Browser-safe, pure.
 */

/** Column kernel K(q, b) = exp(i·phase(q, b)), stored [q][b] (contiguous in b). */
export function columnKernel(cols: number, nb: number, phase: (q: number, b: number) => number): { kr: Float64Array; ki: Float64Array } {
  const kr = new Float64Array(cols * nb);
  const ki = new Float64Array(cols * nb);
  for (let q = 0; q < cols; q++) {
    for (let b = 0; b < nb; b++) {
      const ph = phase(q, b);
      kr[q * nb + b] = Math.cos(ph);
      ki[q * nb + b] = Math.sin(ph);
    }
  }
  return { kr, ki };
}

/** Non-zero values of a rows × cols array, row by row (CSR): for repeated evaluations of a sparse input. */
export interface SparseRows {
  rows: number;
  /** Entries of row p: rowStart[p] … rowStart[p + 1] − 1. */
  rowStart: Int32Array;
  col: Int32Array;
  re: Float64Array;
  im: Float64Array;
}

/**
 * The non-zero values of g = re + i·im (im may be null), rows × cols row-major; with `split`, two
 * lists: columns with split[q] = 0 and those with split[q] = 1.
 */
export function sparseRows(re: ArrayLike<number>, im: ArrayLike<number> | null, rows: number, cols: number, split?: Uint8Array): [SparseRows, SparseRows] {
  const count = [0, 0];
  for (let k = 0; k < rows * cols; k++) if (re[k] !== 0 || (im !== null && im[k] !== 0)) count[split ? split[k % cols] : 0]++;
  const lists = count.map(n => ({ rows, rowStart: new Int32Array(rows + 1), col: new Int32Array(n), re: new Float64Array(n), im: new Float64Array(n) }));
  const fill = [0, 0];
  for (let p = 0; p < rows; p++) {
    lists[0].rowStart[p] = fill[0];
    lists[1].rowStart[p] = fill[1];
    const base = p * cols;
    for (let q = 0; q < cols; q++) {
      const gr = re[base + q];
      const gi = im ? im[base + q] : 0;
      if (gr === 0 && gi === 0) continue;
      const which = split ? split[q] : 0;
      const l = lists[which];
      const e = fill[which]++;
      l.col[e] = q;
      l.re[e] = gr;
      l.im[e] = gi;
    }
  }
  lists[0].rowStart[rows] = fill[0];
  lists[1].rowStart[rows] = fill[1];
  return [lists[0], lists[1]];
}

/**
 * {@link sparseRows} of an array that is zero outside the ascending flat indices `index[0 … m−1]`,
 * given the values there (re[j], im[j] at index[j]): the same lists, without a scan of the array.
 */
export function sparseRowsOf(index: Int32Array, m: number, re: ArrayLike<number>, im: ArrayLike<number>, rows: number, cols: number, split: Uint8Array): [SparseRows, SparseRows] {
  const count = [0, 0];
  for (let j = 0; j < m; j++) if (re[j] !== 0 || im[j] !== 0) count[split[index[j] % cols]]++;
  const lists = count.map(n => ({ rows, rowStart: new Int32Array(rows + 1), col: new Int32Array(n), re: new Float64Array(n), im: new Float64Array(n) }));
  const fill = [0, 0];
  let p = -1;
  for (let j = 0; j < m; j++) {
    const k = index[j];
    const row = (k / cols) | 0;
    while (p < row) {
      p++;
      lists[0].rowStart[p] = fill[0];
      lists[1].rowStart[p] = fill[1];
    }
    const gr = re[j];
    const gi = im[j];
    if (gr === 0 && gi === 0) continue;
    const q = k - row * cols;
    const which = split[q];
    const l = lists[which];
    const e = fill[which]++;
    l.col[e] = q;
    l.re[e] = gr;
    l.im[e] = gi;
  }
  while (p < rows) {
    p++;
    lists[0].rowStart[p] = fill[0];
    lists[1].rowStart[p] = fill[1];
  }
  return [lists[0], lists[1]];
}

/**
 * T(p, b) += Σ_q g(p, q)·K(q, b) over the entries of g; sets used[p] for the rows that have any.
 * Each T(p, b) is summed in a register over the row's entries in order (the same numbers as adding
 * into T entry by entry), four output columns per sweep of the row (then two, then one): the
 * entries are read once per four columns instead of once per column.
 */
export function columnStage(g: SparseRows, kr: Float64Array, ki: Float64Array, nb: number, tr: Float64Array, ti: Float64Array, used: Uint8Array): void {
  const { rowStart, col, re, im } = g;
  for (let p = 0; p < g.rows; p++) {
    const e0 = rowStart[p];
    const e1 = rowStart[p + 1];
    if (e1 === e0) continue;
    used[p] = 1;
    const o = p * nb;
    let b = 0;
    for (; b + 3 < nb; b += 4) {
      const ob = o + b;
      let s0r = tr[ob];
      let s0i = ti[ob];
      let s1r = tr[ob + 1];
      let s1i = ti[ob + 1];
      let s2r = tr[ob + 2];
      let s2i = ti[ob + 2];
      let s3r = tr[ob + 3];
      let s3i = ti[ob + 3];
      for (let e = e0; e < e1; e++) {
        const q = col[e] * nb + b;
        const gr = re[e];
        const gi = im[e];
        let er = kr[q];
        let ei = ki[q];
        s0r += gr * er - gi * ei;
        s0i += gr * ei + gi * er;
        er = kr[q + 1];
        ei = ki[q + 1];
        s1r += gr * er - gi * ei;
        s1i += gr * ei + gi * er;
        er = kr[q + 2];
        ei = ki[q + 2];
        s2r += gr * er - gi * ei;
        s2i += gr * ei + gi * er;
        er = kr[q + 3];
        ei = ki[q + 3];
        s3r += gr * er - gi * ei;
        s3i += gr * ei + gi * er;
      }
      tr[ob] = s0r;
      ti[ob] = s0i;
      tr[ob + 1] = s1r;
      ti[ob + 1] = s1i;
      tr[ob + 2] = s2r;
      ti[ob + 2] = s2i;
      tr[ob + 3] = s3r;
      ti[ob + 3] = s3i;
    }
    for (; b + 1 < nb; b += 2) {
      const ob = o + b;
      let s0r = tr[ob];
      let s0i = ti[ob];
      let s1r = tr[ob + 1];
      let s1i = ti[ob + 1];
      for (let e = e0; e < e1; e++) {
        const q = col[e] * nb + b;
        const gr = re[e];
        const gi = im[e];
        let er = kr[q];
        let ei = ki[q];
        s0r += gr * er - gi * ei;
        s0i += gr * ei + gi * er;
        er = kr[q + 1];
        ei = ki[q + 1];
        s1r += gr * er - gi * ei;
        s1i += gr * ei + gi * er;
      }
      tr[ob] = s0r;
      ti[ob] = s0i;
      tr[ob + 1] = s1r;
      ti[ob + 1] = s1i;
    }
    for (; b < nb; b++) {
      const ob = o + b;
      let sr = tr[ob];
      let si = ti[ob];
      for (let e = e0; e < e1; e++) {
        const q = col[e] * nb + b;
        const gr = re[e];
        const gi = im[e];
        const er = kr[q];
        const ei = ki[q];
        sr += gr * er - gi * ei;
        si += gr * ei + gi * er;
      }
      tr[ob] = sr;
      ti[ob] = si;
    }
  }
}

/**
 * columnStage of a dense array, a row at a time (bounded memory for large images): T(p, b) =
 * Σ_q g(p, q)·K(q, b), zeros skipped. Returns T (rows × nb) and the rows that hold any value.
 */
export function denseColumnStage(re: ArrayLike<number>, im: ArrayLike<number> | null, rows: number, cols: number, kr: Float64Array, ki: Float64Array, nb: number): { tr: Float64Array; ti: Float64Array; used: Uint8Array } {
  const tr = new Float64Array(rows * nb);
  const ti = new Float64Array(rows * nb);
  const used = new Uint8Array(rows);
  const row: SparseRows = { rows: 1, rowStart: new Int32Array(2), col: new Int32Array(cols), re: new Float64Array(cols), im: new Float64Array(cols) };
  const one = new Uint8Array(1);
  for (let p = 0; p < rows; p++) {
    let e = 0;
    const base = p * cols;
    for (let q = 0; q < cols; q++) {
      const gr = re[base + q];
      const gi = im ? im[base + q] : 0;
      if (gr === 0 && gi === 0) continue;
      row.col[e] = q;
      row.re[e] = gr;
      row.im[e] = gi;
      e++;
    }
    row.rowStart[1] = e;
    one[0] = 0;
    columnStage(row, kr, ki, nb, tr.subarray(p * nb, (p + 1) * nb), ti.subarray(p * nb, (p + 1) * nb), one);
    used[p] = one[0];
  }
  return { tr, ti, used };
}

/** out(a, b) = Σ_{p used} exp(i·phase(a, p))·T(p, b), na × nb row-major. */
export function rowStage(
  tr: Float64Array,
  ti: Float64Array,
  used: Uint8Array,
  rows: number,
  na: number,
  nb: number,
  phase: (a: number, p: number) => number
): { re: Float64Array; im: Float64Array } {
  const outRe = new Float64Array(na * nb);
  const outIm = new Float64Array(na * nb);
  for (let a = 0; a < na; a++) {
    const oa = a * nb;
    for (let p = 0; p < rows; p++) {
      if (!used[p]) continue;
      const ph = phase(a, p);
      const er = Math.cos(ph);
      const ei = Math.sin(ph);
      const o = p * nb;
      for (let b = 0; b < nb; b++) {
        const vr = tr[o + b];
        const vi = ti[o + b];
        outRe[oa + b] += er * vr - ei * vi;
        outIm[oa + b] += er * vi + ei * vr;
      }
    }
  }
  return { re: outRe, im: outIm };
}
