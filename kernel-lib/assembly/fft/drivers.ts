// 2D drivers: gather rows or columns of row-major planes into SIMD lanes (transposing L×L blocks
// inside WebAssembly), run the batch FFT, and scatter the result. Each driver works on a range of
// rows or columns, so threads sharing one memory split a pass between them.
import { cfft, cfftFrom } from './plan';
import { pass4LastPlanes, tp } from './passes';
import { pass8LastPlanes } from './radix8';
import { pass16LastPlanes, pass16Planes, pass16Rows } from './radix16';

/** Lanes per v128 for element type T. */
@inline function lanes<T>(): i32 {
  return 16 / sizeof<T>();
}

/**
 * Copies `count` rows of a row-major plane (row length `len`, rows row0…) into lane `lane0 + q`
 * of the batch's part `part` (0 real, 16 imaginary), elements 0…len-1; rows ≥ ny read as zero.
 */
function gatherRows<T>(src: usize, ny: i32, len: i32, row0: i32, count: i32, buf: usize, part: usize, scale: T): void {
  const L = lanes<T>();
  const sz = <usize>sizeof<T>();
  const rs = <usize>len * sz;
  const sv = v128.splat<T>(scale);
  let j = 0;
  if (count == L && row0 + L <= ny) {
    const base = src + <usize>row0 * rs;
    if (scale == <T>1) for (; j + L <= len; j += L) tp<T>(base + <usize>j * sz, rs, buf + (<usize>j << 5) + part, 32, sv, false);
    else for (; j + L <= len; j += L) tp<T>(base + <usize>j * sz, rs, buf + (<usize>j << 5) + part, 32, sv, true);
  }
  for (let q = 0; q < L; q++) {
    const row = row0 + q;
    const ok = q < count && row < ny;
    const rp = src + <usize>row * rs;
    for (let jj = j; jj < len; jj++) {
      store<T>(buf + (<usize>jj << 5) + part + <usize>q * sz, ok ? load<T>(rp + <usize>jj * sz) * scale : <T>0);
    }
  }
}

/** The inverse of gatherRows: lanes q < count go to rows row0 + q (< ny) of the plane, times scale. */
function scatterRows<T>(buf: usize, part: usize, dst: usize, ny: i32, len: i32, row0: i32, count: i32, scale: T): void {
  const L = lanes<T>();
  const sz = <usize>sizeof<T>();
  const rs = <usize>len * sz;
  const sv = v128.splat<T>(scale);
  let j = 0;
  if (count == L && row0 + L <= ny) {
    const base = dst + <usize>row0 * rs;
    if (scale == <T>1) for (; j + L <= len; j += L) tp<T>(buf + (<usize>j << 5) + part, 32, base + <usize>j * sz, rs, sv, false);
    else for (; j + L <= len; j += L) tp<T>(buf + (<usize>j << 5) + part, 32, base + <usize>j * sz, rs, sv, true);
  }
  for (let q = 0; q < L; q++) {
    const row = row0 + q;
    if (q >= count || row >= ny) break;
    const rp = dst + <usize>row * rs;
    for (let jj = j; jj < len; jj++) {
      store<T>(rp + <usize>jj * sz, load<T>(buf + (<usize>jj << 5) + part + <usize>q * sz) * scale);
    }
  }
}

/**
 * Row stride of a staging buffer for rows of `bytes`: whole 64-byte lines, an odd number of them,
 * so up to 64 staged rows fall in distinct L1 sets (a stride near a multiple of 4 KiB puts every
 * row in one set, and the transposed stores then evict each other: half the row pass at 2048²).
 */
@inline function stageStride(bytes: usize): usize {
  let s = (bytes + 63) & ~(<usize>63);
  if (((s >> 6) & 1) == 0) s += 64;
  return s;
}

/**
 * Real-to-complex FFT of rows r0…r1-1 of src [ny, nx] into the half-spectrum planes outRe, outIm
 * [ny, nx/2+1]: two real rows per complex transform (one in the real lanes, one in the imaginary).
 * stg: staging for 2·L rows of both planes (4·L·stageStride((nx/2+1)·sizeof<T>()) bytes).
 */
export function rowsR2C<T>(src: usize, ny: i32, nx: i32, r0: i32, r1: i32, outRe: usize, outIm: usize, plan: usize, a: usize, b: usize, sc: usize, stg: usize): void {
  const L = lanes<T>();
  const nc = (nx >> 1) + 1;
  const half = v128.splat<T>(<T>0.5);
  const sz = <usize>sizeof<T>();
  const ors = <usize>nc * sz;
  const S = stageStride(ors);
  const sIm = stg + <usize>(2 * L) * S;
  const rs = <usize>nx * sz;
  // Radix plans starting with 16 whose n/16 is a multiple of a line's elements (nx = 256·k for
  // f32, 128·k for f64): rows go straight into pass 1 (pass16Rows; its 8 or 4 KiB in stg).
  const fused = load<i32>(plan) == 0 && load<i32>(plan + 32) == 16 && load<i32>(plan, 8) >= 2 && ((nx >> 4) % (64 / <i32>sz)) == 0;
  for (let r = r0; r < r1; r += 2 * L) {
    const n1 = min(L, r1 - r), n2 = min(L, r1 - r - L);
    let z: usize;
    if (fused && n1 == L && n2 == L) {
      // The gather fused into the first radix-16 pass (into b, so the rest ping-pongs as before).
      pass16Rows<T>(nx >> 4, src + <usize>r * rs, rs, b, <usize>load<i32>(plan + 32, 4), stg, sc);
      z = cfftFrom<T>(plan, 1, load<i32>(plan, 8), 16, b, a, sc);
    } else {
      gatherRows<T>(src, ny, nx, r, n1, a, 0, <T>1);
      gatherRows<T>(src, ny, nx, r + L, n2 > 0 ? n2 : 0, a, 16, <T>1);
      z = cfft<T>(plan, a, b, sc);
    }
    if (n1 == L && n2 == L) {
      // Separate L frequencies at a time into sc (L elements of X1, then L of X2), transpose them
      // into the staged rows, then copy whole rows to the planes (contiguous stores).
      const one = v128.splat<T>(<T>1);
      const t2 = sc + (<usize>L << 5);
      const x2 = <usize>L * S;
      let k0 = 0;
      for (; k0 + L <= nc; k0 += L) {
        for (let t = 0; t < L; t++) separate<T>(z, nx, k0 + t, sc + (<usize>t << 5), t2 + (<usize>t << 5), half);
        const o = <usize>k0 * sz;
        tp<T>(sc, 32, stg + o, S, one, false);
        tp<T>(sc + 16, 32, sIm + o, S, one, false);
        tp<T>(t2, 32, stg + x2 + o, S, one, false);
        tp<T>(t2 + 16, 32, sIm + x2 + o, S, one, false);
      }
      for (let k = k0; k < nc; k++) {
        separate<T>(z, nx, k, sc, t2, half);
        const o = <usize>k * sz;
        for (let q = 0; q < L; q++) {
          const l = <usize>q * sz, d = <usize>q * S + o;
          store<T>(stg + d, load<T>(sc + l));
          store<T>(sIm + d, load<T>(sc + 16 + l));
          store<T>(stg + x2 + d, load<T>(t2 + l));
          store<T>(sIm + x2 + d, load<T>(t2 + 16 + l));
        }
      }
      const d = <usize>r * ors;
      for (let q = 0; q < 2 * L; q++) {
        memory.copy(outRe + d + <usize>q * ors, stg + <usize>q * S, ors);
        memory.copy(outIm + d + <usize>q * ors, sIm + <usize>q * S, ors);
      }
      continue;
    }
    const o = z == a ? b : a;
    const o2 = o + (<usize>nc << 5);
    for (let k = 0; k < nc; k++) separate<T>(z, nx, k, o + (<usize>k << 5), o2 + (<usize>k << 5), half);
    scatterCols<T>(o, 0, outRe, ny, nc, r, n1, 0);
    scatterCols<T>(o, 16, outIm, ny, nc, r, n1, 0);
    if (n2 > 0) {
      scatterCols<T>(o2, 0, outRe, ny, nc, r + L, n2, 0);
      scatterCols<T>(o2, 16, outIm, ny, nc, r + L, n2, 0);
    }
  }
}

/** X1 = (Z_k + conj Z_(n-k))/2 and X2 = (Z_k − conj Z_(n-k))/(2i) of the two real rows in Z. */
@inline function separate<T>(z: usize, nx: i32, k: i32, d1: usize, d2: usize, half: v128): void {
  const nk = k == 0 ? 0 : nx - k;
  const p = z + (<usize>k << 5), q = z + (<usize>nk << 5);
  const zr = v128.load(p), zi = v128.load(p, 16), wr = v128.load(q), wi = v128.load(q, 16);
  v128.store(d1, v128.mul<T>(v128.add<T>(zr, wr), half));
  v128.store(d1, v128.mul<T>(v128.sub<T>(zi, wi), half), 16);
  v128.store(d2, v128.mul<T>(v128.add<T>(zi, wi), half));
  v128.store(d2, v128.mul<T>(v128.sub<T>(wr, zr), half), 16);
}

/** Scalar store of elements k0…len-1 of lanes q < count (rows row0 + q < ny) of buf part into a plane. */
function scatterCols<T>(buf: usize, part: usize, dst: usize, ny: i32, len: i32, row0: i32, count: i32, k0: i32): void {
  const sz = <usize>sizeof<T>();
  const rs = <usize>len * sz;
  for (let q = 0; q < count; q++) {
    const row = row0 + q;
    if (row >= ny) break;
    const rp = dst + <usize>row * rs;
    for (let k = k0; k < len; k++) store<T>(rp + <usize>k * sz, load<T>(buf + (<usize>k << 5) + part + <usize>q * sz));
  }
}

/**
 * Complex FFT along rows r0…r1-1 of planes [ny, nx] (in → out; may be the same planes). With
 * conj != 0 the input and output are conjugated (the inverse transform); outputs are times scale.
 */
export function rowsC2C<T>(inRe: usize, inIm: usize, outRe: usize, outIm: usize, ny: i32, nx: i32, r0: i32, r1: i32, plan: usize, a: usize, b: usize, sc: usize, conj: i32, scale: T): void {
  const L = lanes<T>();
  const si: T = conj ? <T>-1 : <T>1;
  for (let r = r0; r < r1; r += L) {
    const n = min(L, r1 - r);
    gatherRows<T>(inRe, ny, nx, r, n, a, 0, <T>1);
    gatherRows<T>(inIm, ny, nx, r, n, a, 16, si);
    const z = cfft<T>(plan, a, b, sc);
    scatterRows<T>(z, 0, outRe, ny, nx, r, n, scale);
    scatterRows<T>(z, 16, outIm, ny, nx, r, n, si * scale);
  }
}

/** Stores COL_GROUP batches a + u·bs (times vs, vsi) into the planes' columns at re, im (row stride rs). */
function colsScatter<T>(a: usize, bs: usize, re: usize, im: usize, ny: i32, rs: usize, vs: v128, vsi: v128): void {
  let p = re, q = im, s = a;
  for (let r = 0; r < ny; r++) {
    let e = s, o: usize = 0;
    for (let u = 0; u < COL_GROUP; u++) {
      v128.store(p + o, v128.mul<T>(v128.load(e), vs));
      v128.store(q + o, v128.mul<T>(v128.load(e, 16), vsi));
      e += bs;
      o += 16;
    }
    p += rs;
    q += rs;
    s += 32;
  }
}

/**
 * Longest columns whose last pass writes straight to the planes: with 8 more batch buffers live
 * (ny·32 bytes each) and the last pass's 16 output streams 256 rows apart, 2048 and 4096 ran
 * 12 % and 24–28 % slower than the separate scatter; 1024 ran 5–9 % faster.
 */
const FUSE_LAST_MAX = 1024;

/** Batches of L columns the column pass moves together (the scratch holds as many buffers). */
export const COL_GROUP = 8;

/**
 * Complex FFT along columns c0…c1-1 of planes [ny, stride] in place (conj and scale as rowsC2C).
 * Columns go COL_GROUP·L at a time (two 64-byte lines of each row) into batches a + u·bs, so each
 * row is visited once per group: the strided visits (a page each, no hardware prefetch across
 * pages) dominate the pass (gather and scatter alone: 8 batches 10–20 % faster than 4); b is the
 * ping-pong buffer.
 */
export function colsC2C<T>(re: usize, im: usize, ny: i32, stride: i32, c0: i32, c1: i32, plan: usize, a: usize, bs: usize, b: usize, sc: usize, conj: i32, scale: T): void {
  const L = lanes<T>();
  const sz = <usize>sizeof<T>();
  const rs = <usize>stride * sz;
  const si: T = conj ? <T>-1 : <T>1;
  const vs = v128.splat<T>(scale), vsi = v128.splat<T>(si * scale), vi = v128.splat<T>(si);
  // Forward radix plans that start with 16 and have an even number of passes after it run the
  // first pass straight from the planes (the rest then ends in a, with no copy).
  const fused = conj == 0 && load<i32>(plan) == 0 && load<i32>(plan + 32) == 16 && load<i32>(plan, 8) >= 2;
  let c = c0;
  // Of those, plans of three passes whose last is radix 4, 8 or 16 (1024, 2048, 4096) with scale 1
  // also run the last pass straight to the planes (scatter fused): the middle pass of batch u goes
  // to b + u·bs, then the last pass of all batches row after row.
  const nf = load<i32>(plan, 8);
  const ipL = fused && nf == 3 ? load<i32>(plan + 32 + 32) : 0;
  if ((ipL == 4 || ipL == 8 || ipL == 16) && ny <= FUSE_LAST_MAX && scale == <T>1) {
    const ido = ny >> 4, l1 = ny / ipL;
    for (; c + COL_GROUP * L <= c1; c += COL_GROUP * L) {
      const pr = re + <usize>c * sz, pi = im + <usize>c * sz;
      pass16Planes<T>(ido, pr, pi, rs, a, bs, COL_GROUP, <usize>load<i32>(plan + 32, 4), sc);
      for (let u = 0; u < COL_GROUP; u++) cfftFrom<T>(plan, 1, 2, 16, a + <usize>u * bs, b + <usize>u * bs, sc);
      if (ipL == 16) pass16LastPlanes<T>(l1, b, bs, COL_GROUP, pr, pi, rs, sc);
      else if (ipL == 8) pass8LastPlanes<T>(l1, b, bs, COL_GROUP, pr, pi, rs);
      else pass4LastPlanes<T>(l1, b, bs, COL_GROUP, pr, pi, rs);
    }
  }
  if (fused) {
    const ido = ny >> 4;
    for (; c + COL_GROUP * L <= c1; c += COL_GROUP * L) {
      pass16Planes<T>(ido, re + <usize>c * sz, im + <usize>c * sz, rs, a, bs, COL_GROUP, <usize>load<i32>(plan + 32, 4), sc);
      for (let u = 0; u < COL_GROUP; u++) {
        const au = a + <usize>u * bs;
        const z = cfftFrom<T>(plan, 1, load<i32>(plan, 8), 16, au, b, sc);
        if (z != au) memory.copy(au, z, <usize>ny << 5);
      }
      colsScatter<T>(a, bs, re + <usize>c * sz, im + <usize>c * sz, ny, rs, vs, vsi);
    }
  }
  for (; c + COL_GROUP * L <= c1; c += COL_GROUP * L) {
    let p = re + <usize>c * sz, q = im + <usize>c * sz, d = a;
    for (let r = 0; r < ny; r++) {
      let e = d, o: usize = 0;
      for (let u = 0; u < COL_GROUP; u++) {
        v128.store(e, v128.load(p + o));
        v128.store(e, v128.mul<T>(v128.load(q + o), vi), 16);
        e += bs;
        o += 16;
      }
      p += rs;
      q += rs;
      d += 32;
    }
    for (let u = 0; u < COL_GROUP; u++) {
      const au = a + <usize>u * bs;
      const z = cfft<T>(plan, au, b, sc);
      if (z != au) memory.copy(au, z, <usize>ny << 5);
    }
    colsScatter<T>(a, bs, re + <usize>c * sz, im + <usize>c * sz, ny, rs, vs, vsi);
  }
  for (; c < c1; c += L) {
    const full = c + L <= c1;
    const cnt = min(L, c1 - c);
    if (full) {
      let p = re + <usize>c * sz, q = im + <usize>c * sz, d = a;
      for (let r = 0; r < ny; r++) {
        v128.store(d, v128.load(p));
        v128.store(d, v128.mul<T>(v128.load(q), vi), 16);
        p += rs;
        q += rs;
        d += 32;
      }
    } else {
      for (let r = 0; r < ny; r++) {
        const d = a + (<usize>r << 5);
        for (let t = 0; t < L; t++) {
          const off = <usize>r * rs + <usize>(c + t) * sz;
          store<T>(d + <usize>t * sz, t < cnt ? load<T>(re + off) : <T>0);
          store<T>(d + 16 + <usize>t * sz, t < cnt ? load<T>(im + off) * si : <T>0);
        }
      }
    }
    const z = cfft<T>(plan, a, b, sc);
    if (full) {
      let p = re + <usize>c * sz, q = im + <usize>c * sz, s = z;
      for (let r = 0; r < ny; r++) {
        v128.store(p, v128.mul<T>(v128.load(s), vs));
        v128.store(q, v128.mul<T>(v128.load(s, 16), vsi));
        p += rs;
        q += rs;
        s += 32;
      }
    } else {
      for (let r = 0; r < ny; r++) {
        const s = z + (<usize>r << 5);
        for (let t = 0; t < cnt; t++) {
          const off = <usize>r * rs + <usize>(c + t) * sz;
          store<T>(re + off, load<T>(s + <usize>t * sz) * scale);
          store<T>(im + off, load<T>(s + 16 + <usize>t * sz) * si * scale);
        }
      }
    }
  }
}

/**
 * Complex-to-real inverse FFT of rows r0…r1-1 of half-spectrum planes [ny, nx/2+1] into
 * out [ny, nx], times scale. As numpy does, the imaginary parts of X_0 (and X_(nx/2) for even nx)
 * are ignored. Two rows per transform: Z = X1 + i·X2, inverted as conj(FFT(conj Z)).
 */
export function rowsC2R<T>(inRe: usize, inIm: usize, out: usize, ny: i32, nx: i32, r0: i32, r1: i32, plan: usize, a: usize, b: usize, sc: usize, scale: T): void {
  const L = lanes<T>();
  const nc = (nx >> 1) + 1;
  const b2 = b + (<usize>nc << 5);
  const zero = v128.splat<T>(<T>0);
  for (let r = r0; r < r1; r += 2 * L) {
    const n1 = min(L, r1 - r), n2 = min(L, r1 - r - L);
    gatherRows<T>(inRe, ny, nc, r, n1, b, 0, <T>1);
    gatherRows<T>(inIm, ny, nc, r, n1, b, 16, <T>1);
    gatherRows<T>(inRe, ny, nc, r + L, n2 > 0 ? n2 : 0, b2, 0, <T>1);
    gatherRows<T>(inIm, ny, nc, r + L, n2 > 0 ? n2 : 0, b2, 16, <T>1);
    v128.store(b, zero, 16);
    v128.store(b2, zero, 16);
    if ((nx & 1) == 0) {
      v128.store(b + (<usize>(nx >> 1) << 5), zero, 16);
      v128.store(b2 + (<usize>(nx >> 1) << 5), zero, 16);
    }
    for (let k = 0; k < nx; k++) {
      let x1r: v128, x1i: v128, x2r: v128, x2i: v128;
      if (k < nc) {
        const p = b + (<usize>k << 5), q = b2 + (<usize>k << 5);
        x1r = v128.load(p);
        x1i = v128.load(p, 16);
        x2r = v128.load(q);
        x2i = v128.load(q, 16);
      } else {
        const p = b + (<usize>(nx - k) << 5), q = b2 + (<usize>(nx - k) << 5);
        x1r = v128.load(p);
        x1i = v128.neg<T>(v128.load(p, 16));
        x2r = v128.load(q);
        x2i = v128.neg<T>(v128.load(q, 16));
      }
      // conj(Z) with Z = X1 + i X2
      const d = a + (<usize>k << 5);
      v128.store(d, v128.sub<T>(x1r, x2i));
      v128.store(d, v128.neg<T>(v128.add<T>(x1i, x2r)), 16);
    }
    const z = cfft<T>(plan, a, b, sc);
    scatterRows<T>(z, 0, out, ny, nx, r, n1, scale);
    if (n2 > 0) scatterRows<T>(z, 16, out, ny, nx, r + L, n2, -scale);
  }
}

/** Runs one batch FFT (for building Bluestein tables and for tests). */
export function batch<T>(plan: usize, a: usize, b: usize, sc: usize): usize {
  return cfft<T>(plan, a, b, sc);
}
