/** Small dense least-squares helpers (internal: inputs are trusted). */

/** JᵀWJ for a Jacobian given as rows (one per point) and weights w. */
export function normalMatrix(jac: number[][], w: Float64Array): number[][] {
  const p = jac[0].length;
  const a = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  jac.forEach((row, i) => {
    for (let r = 0; r < p; r++) for (let c = 0; c < p; c++) a[r][c] += w[i] * row[r] * row[c];
  });
  return a;
}

/** Inverse by Gauss–Jordan with partial pivoting; NaN entries when singular. */
export function invertSymmetric(a: number[][]): number[][] {
  const p = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: p }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < p; c++) {
    let piv = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(m[r][c]) > Math.abs(m[piv][c])) piv = r;
    if (!(Math.abs(m[piv][c]) > 0)) return a.map(row => row.map(() => NaN));
    [m[c], m[piv]] = [m[piv], m[c]];
    const inv = 1 / m[c][c];
    for (let k = 0; k < 2 * p; k++) m[c][k] *= inv;
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const f = m[r][c];
      for (let k = 0; k < 2 * p; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map(row => row.slice(p));
}
