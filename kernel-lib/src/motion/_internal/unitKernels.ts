/**
 * Fused sweeps of a refinement unit (unitMeasure.ts): each computes, element by element, exactly
 * the numbers of the separate steps it replaces (same operations in the same order), with fewer
 * passes over the ~10⁵-element cropped spectra (the unit stage is bound by memory traffic).
 */
import { HalfLayout } from '../../registration/_internal/halfSpectrumDft';
import type { Spectrum } from './alignCore';

export type Complex = { re: Float64Array; im: Float64Array };

/**
 * Row r, columns [0, cw), of one frame of a unit: acc += S·factors (the frame brought to the
 * reference frame) and pOthers −= |S|² (starting from `pInc` when given: the unit's first frame).
 * The one place both fused sweeps do it.
 */
function addFrameRow(acc: Complex, pOthers: Float64Array, pInc: Float64Array | undefined, S: Spectrum, ey: Float64Array, ex: Float64Array, r: number, cols: number, cw: number): void {
  const yr = ey[2 * r];
  const yi = ey[2 * r + 1];
  const o = r * cols;
  for (let c = 0; c < cw; c++) {
    const k = o + c;
    const fr = yr * ex[2 * c] - yi * ex[2 * c + 1];
    const fi = yr * ex[2 * c + 1] + yi * ex[2 * c];
    const a = S.re[k];
    const b = S.im[k];
    const vr = a * fr - b * fi;
    const vi = a * fi + b * fr;
    if (pInc) {
      acc.re[k] = vr;
      acc.im[k] = vi;
      pOthers[k] = pInc[k] - (a * a + b * b);
    } else {
      acc.re[k] += vr;
      acc.im[k] += vi;
      pOthers[k] -= a * a + b * b;
    }
  }
}

/**
 * One frame of a unit ({@link addFrameRow} over every row, or the window's rows). With `others`
 * (the unit's last frame) also Ru = R − acc and r2 = |Ru|² (the sum of the other frames and its
 * power), row by row while the row is in cache.
 */
export function unitFrame(
  acc: Complex,
  pOthers: Float64Array,
  pInc: Float64Array | undefined,
  S: Spectrum,
  f: { ey: Float64Array; ex: Float64Array },
  rows: number,
  cols: number,
  others?: { R: Complex; Ru: Complex; r2: Float64Array },
  win?: SweepWindow
): void {
  const nr = win ? win.rows.length : rows;
  const cw = win ? win.cw : cols;
  for (let i = 0; i < nr; i++) {
    const r = win ? win.rows[i] : i;
    addFrameRow(acc, pOthers, pInc, S, f.ey, f.ex, r, cols, cw);
    if (!others) continue;
    const { R, Ru, r2 } = others;
    const o = r * cols;
    for (let k = o; k < o + cw; k++) {
      const xr = R.re[k] - acc.re[k];
      const xi = R.im[k] - acc.im[k];
      Ru.re[k] = xr;
      Ru.im[k] = xi;
      r2[k] = xr * xr + xi * xi;
    }
  }
}

/** 3-neighbour row sums of row r of x (columns clamp at the half-spectrum's edges), into out. */
function rowSums(x: Float64Array, r: number, cols: number, out: Float64Array): void {
  const o = r * cols;
  out[0] = x[o] + (cols > 1 ? x[o + 1] : 0);
  for (let c = 1; c < cols - 1; c++) out[c] = x[o + c - 1] + x[o + c] + x[o + c + 1];
  if (cols > 1) out[cols - 1] = x[o + cols - 2] + x[o + cols - 1];
}

/** Row buffers of {@link unitLastFrame}. */
export interface FusedRing {
  /** Row sums of |R_u|² and of the others' power: rolling rows (q mod 3), row 0 and the last row. */
  a: Float64Array[];
  b: Float64Array[];
  /** One row of |R_u|². */
  r2: Float64Array;
}

export function fusedRing(cols: number): FusedRing {
  const z = (): Float64Array => new Float64Array(cols);
  return { a: [z(), z(), z(), z(), z()], b: [z(), z(), z(), z(), z()], r2: z() };
}

/**
 * {@link unitFrame} of a unit's last frame (with `others`) and its coherence weights in one sweep: row
 * q of Ua, pOthers and |R − Ua|² (kept only as row sums), then the weights, the support and the
 * cross power of row q − 1 (the box sums need rows q − 2 … q; rows wrap, so the last row goes
 * first and row 0's sums are kept). R_u = R − Ua is written only on the support. The same numbers
 * as unitFrame followed by spectralStats.coherenceWeightsOfPower (threshold 2), the extra weights
 * and the sparse cross power. Needs rows ≥ 4.
 */
export function unitLastFrame(
  Ua: Complex,
  pOthers: Float64Array,
  pInc: Float64Array | undefined,
  S: Spectrum,
  f: { ey: Float64Array; ex: Float64Array },
  R: Complex,
  Ru: Complex,
  layout: HalfLayout,
  mask: Uint8Array | undefined,
  extra: Float64Array | undefined,
  w: Float64Array,
  index: Int32Array,
  P: Complex,
  ring: FusedRing
): number {
  const { rows, cols } = layout;
  const { ey, ex } = f;
  const A = ring.a;
  const B = ring.b;
  const tmp = ring.r2;
  // row q: Ua, pOthers (dense) and the row sums of |R − Ua|² and pOthers into slot s
  const frameRow = (q: number, s: number): void => {
    addFrameRow(Ua, pOthers, pInc, S, ey, ex, q, cols, cols);
    const o = q * cols;
    for (let c = 0; c < cols; c++) {
      const xr = R.re[o + c] - Ua.re[o + c];
      const xi = R.im[o + c] - Ua.im[o + c];
      tmp[c] = xr * xr + xi * xi;
    }
    rowSums(tmp, 0, cols, A[s]);
    rowSums(pOthers, q, cols, B[s]);
  };
  let m = 0;
  // weights of row p from the row sums of rows p − 1, p, p + 1 (slots u, s, d)
  const weightsRow = (p: number, u: number, s: number, d: number): void => {
    const ha = A[s];
    const hau = A[u];
    const had = A[d];
    const hb = B[s];
    const hbu = B[u];
    const hbd = B[d];
    const o = p * cols;
    for (let c = 0; c < cols; c++) {
      const k = o + c;
      const a = ha[c] + hau[c] + had[c];
      const b = hb[c] + hbu[c] + hbd[c];
      let v = k === 0 || pOthers[k] === 0 || (mask && mask[k]) || !(a > 2 * b) ? 0 : 1 - b / a;
      if (extra) v *= extra[k];
      if (k === 0) v = 0;
      w[k] = v;
      if (v === 0) continue;
      const xr = R.re[k] - Ua.re[k];
      const xi = R.im[k] - Ua.im[k];
      Ru.re[k] = xr;
      Ru.im[k] = xi;
      index[m] = k;
      P.re[m] = (Ua.re[k] * xr + Ua.im[k] * xi) * v;
      P.im[m] = (Ua.im[k] * xr - Ua.re[k] * xi) * v;
      m++;
    }
  };
  const LAST = 3;
  const FIRST = 4;
  frameRow(rows - 1, LAST);
  for (let q = 0; q < rows - 1; q++) {
    frameRow(q, q % 3);
    if (q === 0) {
      A[FIRST].set(A[0]);
      B[FIRST].set(B[0]);
    } else weightsRow(q - 1, q === 1 ? LAST : (q - 2) % 3, (q - 1) % 3, q % 3);
  }
  weightsRow(rows - 2, (rows - 3) % 3, (rows - 2) % 3, LAST);
  weightsRow(rows - 1, (rows - 2) % 3, LAST, FIRST);
  return m;
}

/**
 * Where a coarse pass's weights can be non-zero (its extra low-pass weights, science.md §1.7): the
 * rows holding any non-zero extra weight (`weightRows`, ascending) and columns below `cw − 1`; the
 * sweep covers those rows ± 1 (`rows`, rows wrap) and columns < cw, what their 3 × 3 box sums read.
 */
export interface SweepWindow {
  rows: Int32Array;
  weightRows: Int32Array;
  cw: number;
}

/** The {@link SweepWindow} of `extra`, or undefined when it would cover most of the crop anyway. */
export function sweepWindow(extra: Float64Array, layout: HalfLayout): SweepWindow | undefined {
  const { rows, cols } = layout;
  const has = new Uint8Array(rows);
  let c1 = -1;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (extra[r * cols + c] === 0) continue;
      has[r] = 1;
      if (c > c1) c1 = c;
    }
  }
  const near = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) if (has[r]) near[(r + rows - 1) % rows] = near[r] = near[(r + 1) % rows] = 1;
  const list = (a: Uint8Array): Int32Array => Int32Array.from(a.reduce<number[]>((out, v, r) => (v ? [...out, r] : out), []));
  const win = { rows: list(near), weightRows: list(has), cw: Math.min(cols, c1 + 2) };
  return win.rows.length * win.cw < 0.8 * rows * cols ? win : undefined;
}

/** 3-neighbour sum of column c of the row at offset o (columns clamp at 0 and cols − 1, as rowSums). */
function rowSum3(x: Float64Array, o: number, c: number, cols: number): number {
  if (c === 0) return x[o] + (cols > 1 ? x[o + 1] : 0);
  if (c === cols - 1) return x[o + cols - 2] + x[o + cols - 1];
  return x[o + c - 1] + x[o + c] + x[o + c + 1];
}

/**
 * {@link unitLastFrame} of a coarse pass inside its {@link SweepWindow}: the last frame's sweep over
 * the window (Ua, pOthers, R_u and |R_u|² into `r2`), then the weights, support and cross power of
 * the window's weight rows — the same numbers there, and no weight is non-zero outside (`extra` is
 * 0 there). Ua, pOthers, R_u and w are left stale outside the window: only for passes that use
 * nothing but the support afterwards.
 */
export function unitLastWindow(
  Ua: Complex,
  pOthers: Float64Array,
  pInc: Float64Array | undefined,
  S: Spectrum,
  f: { ey: Float64Array; ex: Float64Array },
  R: Complex,
  Ru: Complex,
  ws: { r2: Float64Array; w: Float64Array; a: Float64Array; b: Float64Array },
  layout: HalfLayout,
  mask: Uint8Array | undefined,
  extra: Float64Array,
  index: Int32Array,
  P: Complex,
  win: SweepWindow
): number {
  const { rows, cols } = layout;
  unitFrame(Ua, pOthers, pInc, S, f, rows, cols, { R, Ru, r2: ws.r2 }, win);
  return windowWeights(Ua, pOthers, Ru, ws, layout, mask, extra, index, P, win);
}

/**
 * Coherence weights inside a {@link SweepWindow} (its weight rows, columns < the returned cEnd: cw − 1,
 * or every column when the window reaches the last one — the extra weights are 0 beyond): from |X|²
 * `r2` and the others' power `p`, read only inside the window, w = 1 − b/a where a > 2b (a, b their
 * 3 × 3 box sums: row sums into `ha`/`hb`, then the row, the one above and the one below, as
 * spectralStats.box3), times `extra`; 0 at DC, on masked spots and where p = 0. The same numbers as
 * the whole-crop weights there. Used by the coarse unit sweep and the chain.
 */
export function windowCoherenceWeights(r2: Float64Array, p: Float64Array, layout: HalfLayout, mask: Uint8Array | undefined, extra: Float64Array, win: SweepWindow, w: Float64Array, ha: Float64Array, hb: Float64Array): number {
  const { rows, cols } = layout;
  const cEnd = win.cw === cols ? cols : win.cw - 1;
  for (const r of win.rows) {
    const o = r * cols;
    for (let c = 0; c < cEnd; c++) {
      ha[o + c] = rowSum3(r2, o, c, cols);
      hb[o + c] = rowSum3(p, o, c, cols);
    }
  }
  for (const r of win.weightRows) {
    const o = r * cols;
    const ou = ((r + rows - 1) % rows) * cols;
    const od = ((r + 1) % rows) * cols;
    for (let c = 0; c < cEnd; c++) {
      const k = o + c;
      const a = ha[k] + ha[ou + c] + ha[od + c];
      const b = hb[k] + hb[ou + c] + hb[od + c];
      const v = p[k] === 0 || (mask && mask[k]) || !(a > 2 * b) ? 0 : 1 - b / a;
      w[k] = k === 0 ? 0 : v * extra[k];
    }
  }
  return cEnd;
}

/**
 * The second half of {@link unitLastWindow} (after the sweep left R_u and |R_u|² in the window): the
 * window's coherence weights, their support and the cross power Ua·conj(R_u)·w there; returns the
 * support's size.
 */
export function windowWeights(Ua: Complex, pOthers: Float64Array, Ru: Complex, ws: { r2: Float64Array; w: Float64Array; a: Float64Array; b: Float64Array }, layout: HalfLayout, mask: Uint8Array | undefined, extra: Float64Array, index: Int32Array, P: Complex, win: SweepWindow): number {
  const { cols } = layout;
  const w = ws.w;
  const cEnd = windowCoherenceWeights(ws.r2, pOthers, layout, mask, extra, win, w, ws.a, ws.b);
  let m = 0;
  for (const p of win.weightRows) {
    const o = p * cols;
    for (let c = 0; c < cEnd; c++) {
      const k = o + c;
      const v = w[k];
      if (v === 0) continue;
      const xr = Ru.re[k];
      const xi = Ru.im[k];
      index[m] = k;
      P.re[m] = (Ua.re[k] * xr + Ua.im[k] * xi) * v;
      P.im[m] = (Ua.im[k] * xr - Ua.re[k] * xi) * v;
      m++;
    }
  }
  return m;
}
