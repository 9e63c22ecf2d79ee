// The per-unit sweeps of alignFrames' drift refinement (kernel-lib/src/motion/_internal/unitKernels.ts)
// over the cropped alignment spectra in the lanes' shared memory. Each does, element by element,
// the same floating-point operations in the same order as the JavaScript it replaces (scalar f64,
// no FMA in WebAssembly), so results are bit-identical; the gain is compiled code without bounds
// checks on ~10⁵-element rows of typed data.

/**
 * Rows [r0, r1), columns [0, cw) (row stride `cols`) of one frame of a unit: Ua += S·(ey ⊗ ex) (the
 * frame brought to the reference frame) and pOthers −= |S|²; with pInc (≠ 0: the unit's first frame)
 * Ua = S·(ey ⊗ ex) and pOthers = pInc − |S|². S f32, the rest f64; ey (re, im) pairs, exRe/exIm.
 */
export function unitFrameRows_f32(sRe: usize, sIm: usize, cols: i32, cw: i32, r0: i32, r1: i32, ey: usize, exRe: usize, exIm: usize, uaRe: usize, uaIm: usize, pOthers: usize, pInc: usize): void {
  for (let r = r0; r < r1; r++) frameRow(sRe, sIm, cols, cw, r, ey, exRe, exIm, uaRe, uaIm, pOthers, pInc);
}

@inline function frameRow(sRe: usize, sIm: usize, cols: i32, cw: i32, r: i32, ey: usize, exRe: usize, exIm: usize, uaRe: usize, uaIm: usize, pOthers: usize, pInc: usize): void {
  const yr = load<f64>(ey + (<usize>r << 4));
  const yi = load<f64>(ey + (<usize>r << 4) + 8);
  const o = <usize>r * <usize>cols;
  for (let c = 0; c < cw; c++) {
    const k = o + <usize>c;
    const xr = load<f64>(exRe + (<usize>c << 3));
    const xi = load<f64>(exIm + (<usize>c << 3));
    const fr = yr * xr - yi * xi;
    const fi = yr * xi + yi * xr;
    const a = <f64>load<f32>(sRe + (k << 2));
    const b = <f64>load<f32>(sIm + (k << 2));
    const vr = a * fr - b * fi;
    const vi = a * fi + b * fr;
    if (pInc) {
      store<f64>(uaRe + (k << 3), vr);
      store<f64>(uaIm + (k << 3), vi);
      store<f64>(pOthers + (k << 3), load<f64>(pInc + (k << 3)) - (a * a + b * b));
    } else {
      store<f64>(uaRe + (k << 3), load<f64>(uaRe + (k << 3)) + vr);
      store<f64>(uaIm + (k << 3), load<f64>(uaIm + (k << 3)) + vi);
      store<f64>(pOthers + (k << 3), load<f64>(pOthers + (k << 3)) - (a * a + b * b));
    }
  }
}

/** Rows [r0, r1), columns [0, cw): Ru = R − Ua and r2 = |Ru|² (f64). */
export function othersRows(cols: i32, cw: i32, r0: i32, r1: i32, rRe: usize, rIm: usize, uaRe: usize, uaIm: usize, ruRe: usize, ruIm: usize, r2: usize): void {
  for (let r = r0; r < r1; r++) {
    const o = <usize>r * <usize>cols;
    for (let c = 0; c < cw; c++) {
      const k = (o + <usize>c) << 3;
      const xr = load<f64>(rRe + k) - load<f64>(uaRe + k);
      const xi = load<f64>(rIm + k) - load<f64>(uaIm + k);
      store<f64>(ruRe + k, xr);
      store<f64>(ruIm + k, xi);
      store<f64>(r2 + k, xr * xr + xi * xi);
    }
  }
}

/** 3-neighbour sums of the `cols` values at x into out (columns clamp at the half-spectrum's edges). */
@inline function rowSums(x: usize, cols: i32, out: usize): void {
  store<f64>(out, load<f64>(x) + (cols > 1 ? load<f64>(x + 8) : 0.0));
  for (let c = 1; c < cols - 1; c++) {
    const p = x + (<usize>c << 3);
    store<f64>(out + (<usize>c << 3), load<f64>(p - 8) + load<f64>(p) + load<f64>(p + 8));
  }
  if (cols > 1) store<f64>(out + (<usize>(cols - 1) << 3), load<f64>(x + (<usize>(cols - 2) << 3)) + load<f64>(x + (<usize>(cols - 1) << 3)));
}

/**
 * A unit's last frame and its coherence weights in one sweep (unitKernels.unitLastFrame): row q of
 * Ua and pOthers, the row sums of |R − Ua|² and of pOthers into ring slots, then the weights of row
 * q − 1 from the 3 × 3 box sums (w = 1 − b/a where a > 2b, × extra, 0 at DC, masked spots and
 * pOthers = 0), R_u = R − Ua on the support, the support's flat indices and the cross power
 * Ua·conj(R_u)·w. `ring`: 11 rows of `cols` f64 (slots 0–4 of |R_u|² sums, 5–9 of pOthers sums, one
 * row of |R_u|²). mask (u8) and extra (f64) may be 0 (none). Returns the support's size. rows ≥ 4.
 */
export function unitLastFrame_f32(
  sRe: usize, sIm: usize, rows: i32, cols: i32, ey: usize, exRe: usize, exIm: usize,
  rRe: usize, rIm: usize, uaRe: usize, uaIm: usize, ruRe: usize, ruIm: usize,
  pOthers: usize, pInc: usize, mask: usize, extra: usize,
  w: usize, index: usize, pRe: usize, pIm: usize, ring: usize
): i32 {
  const rowBytes = <usize>cols << 3;
  const tmp = ring + 10 * rowBytes;
  let m: i32 = 0;
  const LAST = 3;
  const FIRST = 4;
  // row q → slot s
  for (let step = -1; step < rows - 1; step++) {
    const q = step < 0 ? rows - 1 : step;
    const s = step < 0 ? LAST : q % 3;
    frameRow(sRe, sIm, cols, cols, q, ey, exRe, exIm, uaRe, uaIm, pOthers, pInc);
    const o = <usize>q * <usize>cols;
    for (let c = 0; c < cols; c++) {
      const k = (o + <usize>c) << 3;
      const xr = load<f64>(rRe + k) - load<f64>(uaRe + k);
      const xi = load<f64>(rIm + k) - load<f64>(uaIm + k);
      store<f64>(tmp + (<usize>c << 3), xr * xr + xi * xi);
    }
    rowSums(tmp, cols, ring + <usize>s * rowBytes);
    rowSums(pOthers + (o << 3), cols, ring + <usize>(5 + s) * rowBytes);
    if (step < 0) continue;
    if (q == 0) {
      memory.copy(ring + <usize>FIRST * rowBytes, ring, rowBytes);
      memory.copy(ring + <usize>(5 + FIRST) * rowBytes, ring + 5 * rowBytes, rowBytes);
    } else m = weightsRow(q - 1, q == 1 ? LAST : (q - 2) % 3, (q - 1) % 3, q % 3, m, cols, ring, rRe, rIm, uaRe, uaIm, ruRe, ruIm, pOthers, mask, extra, w, index, pRe, pIm);
  }
  m = weightsRow(rows - 2, (rows - 3) % 3, (rows - 2) % 3, LAST, m, cols, ring, rRe, rIm, uaRe, uaIm, ruRe, ruIm, pOthers, mask, extra, w, index, pRe, pIm);
  m = weightsRow(rows - 1, (rows - 2) % 3, LAST, FIRST, m, cols, ring, rRe, rIm, uaRe, uaIm, ruRe, ruIm, pOthers, mask, extra, w, index, pRe, pIm);
  return m;
}

/** Weights, support and cross power of row p from the ring slots u, s, d (rows p − 1, p, p + 1); returns the new support size. */
@inline function weightsRow(
  p: i32, u: i32, s: i32, d: i32, m: i32, cols: i32, ring: usize,
  rRe: usize, rIm: usize, uaRe: usize, uaIm: usize, ruRe: usize, ruIm: usize,
  pOthers: usize, mask: usize, extra: usize, w: usize, index: usize, pRe: usize, pIm: usize
): i32 {
  const rowBytes = <usize>cols << 3;
  const ha = ring + <usize>s * rowBytes;
  const hau = ring + <usize>u * rowBytes;
  const had = ring + <usize>d * rowBytes;
  const hb = ring + <usize>(5 + s) * rowBytes;
  const hbu = ring + <usize>(5 + u) * rowBytes;
  const hbd = ring + <usize>(5 + d) * rowBytes;
  const o = <usize>p * <usize>cols;
  for (let c = 0; c < cols; c++) {
    const k = o + <usize>c;
    const cc = <usize>c << 3;
    const a = load<f64>(ha + cc) + load<f64>(hau + cc) + load<f64>(had + cc);
    const b = load<f64>(hb + cc) + load<f64>(hbu + cc) + load<f64>(hbd + cc);
    let v: f64 = k == 0 || load<f64>(pOthers + (k << 3)) == 0 || (mask != 0 && load<u8>(mask + k) != 0) || !(a > 2 * b) ? 0 : 1 - b / a;
    if (extra) v *= load<f64>(extra + (k << 3));
    if (k == 0) v = 0;
    store<f64>(w + (k << 3), v);
    if (v == 0) continue;
    const xr = load<f64>(rRe + (k << 3)) - load<f64>(uaRe + (k << 3));
    const xi = load<f64>(rIm + (k << 3)) - load<f64>(uaIm + (k << 3));
    store<f64>(ruRe + (k << 3), xr);
    store<f64>(ruIm + (k << 3), xi);
    store<i32>(index + (<usize>m << 2), <i32>k);
    const ar = load<f64>(uaRe + (k << 3));
    const ai = load<f64>(uaIm + (k << 3));
    store<f64>(pRe + (<usize>m << 3), (ar * xr + ai * xi) * v);
    store<f64>(pIm + (<usize>m << 3), (ai * xr - ar * xi) * v);
    m++;
  }
  return m;
}
