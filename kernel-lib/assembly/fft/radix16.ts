// Radix-16 pass of the batch FFT (layout and twiddles as in passes.ts): one pass instead of two
// radix-4 passes, the 16-point butterfly done as 4 × 4 with its middle stage in the L1-resident
// scratch (1 KiB, two butterflies), so each element makes one round trip through the batch buffers
// instead of two.
import { cmulIm, cmulRe, put, tp } from './passes';

/** y = x·exp(-2πi·e/16) for e in 0…9 (the products q·k1 of the 4 × 4 split), constants splatted. */
@inline function w16<T>(e: i32, xr: v128, xi: v128, d: usize): void {
  const c = v128.splat<T>(<T>0.9238795325112867), s = v128.splat<T>(<T>0.3826834323650898);
  const h = v128.splat<T>(<T>0.7071067811865476);
  if (e == 0) {
    v128.store(d, xr);
    v128.store(d, xi, 16);
  } else if (e == 1) {
    // (c − i s)
    v128.store(d, v128.add<T>(v128.mul<T>(xr, c), v128.mul<T>(xi, s)));
    v128.store(d, v128.sub<T>(v128.mul<T>(xi, c), v128.mul<T>(xr, s)), 16);
  } else if (e == 2) {
    // h(1 − i)
    v128.store(d, v128.mul<T>(v128.add<T>(xr, xi), h));
    v128.store(d, v128.mul<T>(v128.sub<T>(xi, xr), h), 16);
  } else if (e == 3) {
    // (s − i c)
    v128.store(d, v128.add<T>(v128.mul<T>(xr, s), v128.mul<T>(xi, c)));
    v128.store(d, v128.sub<T>(v128.mul<T>(xi, s), v128.mul<T>(xr, c)), 16);
  } else if (e == 4) {
    // −i
    v128.store(d, xi);
    v128.store(d, v128.neg<T>(xr), 16);
  } else if (e == 6) {
    // −h(1 + i)
    v128.store(d, v128.mul<T>(v128.sub<T>(xi, xr), h));
    v128.store(d, v128.neg<T>(v128.mul<T>(v128.add<T>(xr, xi), h)), 16);
  } else {
    // e == 9: (−c + i s)
    v128.store(d, v128.sub<T>(v128.neg<T>(v128.mul<T>(xr, c)), v128.mul<T>(xi, s)));
    v128.store(d, v128.sub<T>(v128.mul<T>(xr, s), v128.mul<T>(xi, c)), 16);
  }
}

/**
 * First stage for input q (real parts at p = a + q·sIn, imaginary parts at pi = p + 16 in a batch
 * buffer, or in the other plane): DFT4 of x_q, x_(q+4), x_(q+8), x_(q+12), times
 * exp(-2πi·q·k1/16) (e1…e3 = q, 2q, 3q), to d + k1·128.
 */
@inline function colA<T>(p: usize, pi: usize, sIn: usize, d: usize, e1: i32, e2: i32, e3: i32): void {
  const x0r = v128.load(p), x0i = v128.load(pi);
  const x1r = v128.load(p + 4 * sIn), x1i = v128.load(pi + 4 * sIn);
  const x2r = v128.load(p + 8 * sIn), x2i = v128.load(pi + 8 * sIn);
  const x3r = v128.load(p + 12 * sIn), x3i = v128.load(pi + 12 * sIn);
  const t2r = v128.add<T>(x0r, x2r), t2i = v128.add<T>(x0i, x2i);
  const t1r = v128.sub<T>(x0r, x2r), t1i = v128.sub<T>(x0i, x2i);
  const t3r = v128.add<T>(x1r, x3r), t3i = v128.add<T>(x1i, x3i);
  const t4r = v128.sub<T>(x1r, x3r), t4i = v128.sub<T>(x1i, x3i);
  v128.store(d, v128.add<T>(t2r, t3r));
  v128.store(d, v128.add<T>(t2i, t3i), 16);
  w16<T>(e1, v128.add<T>(t1r, t4i), v128.sub<T>(t1i, t4r), d + 128);
  w16<T>(e2, v128.sub<T>(t2r, t3r), v128.sub<T>(t2i, t3i), d + 256);
  w16<T>(e3, v128.sub<T>(t1r, t4i), v128.add<T>(t1i, t4r), d + 384);
}

/**
 * Second stage for k1 (p = sc + k1·128): DFT4 over q, outputs k1 + 4·k2 to o + k2·4·sOut, twiddled
 * from wb when tw (pl, io: as put).
 */
@inline function colC<T>(p: usize, o: usize, sOut: usize, wb: usize, wOff: usize, tw: bool, tw0: bool, pl: bool, io: usize): void {
  const x0r = v128.load(p), x0i = v128.load(p, 16);
  const x1r = v128.load(p, 32), x1i = v128.load(p, 48);
  const x2r = v128.load(p, 64), x2i = v128.load(p, 80);
  const x3r = v128.load(p, 96), x3i = v128.load(p, 112);
  const t2r = v128.add<T>(x0r, x2r), t2i = v128.add<T>(x0i, x2i);
  const t1r = v128.sub<T>(x0r, x2r), t1i = v128.sub<T>(x0i, x2i);
  const t3r = v128.add<T>(x1r, x3r), t3i = v128.add<T>(x1i, x3i);
  const t4r = v128.sub<T>(x1r, x3r), t4i = v128.sub<T>(x1i, x3i);
  put<T>(o, v128.add<T>(t2r, t3r), v128.add<T>(t2i, t3i), wb, tw0, pl, io);
  put<T>(o + 4 * sOut, v128.add<T>(t1r, t4i), v128.sub<T>(t1i, t4r), wb + 4 * wOff, tw, pl, io);
  put<T>(o + 8 * sOut, v128.sub<T>(t2r, t3r), v128.sub<T>(t2i, t3i), wb + 8 * wOff, tw, pl, io);
  put<T>(o + 12 * sOut, v128.sub<T>(t1r, t4i), v128.add<T>(t1i, t4r), wb + 12 * wOff, tw, pl, io);
}

/**
 * 16-point butterflies: `count` (1 or 2) of them, the second with inputs dIn, outputs 32 bytes and
 * twiddles dw after the first. Inputs at a + j·sIn, outputs at o + j·sOut (times the twiddles
 * w + (j-1)·wOff when tw); sc: 32 elements of scratch. Input j = 4m + q, output k = k1 + 4·k2:
 * DFT4 over m for each q, times exp(-2πi·q·k1/16), then DFT4 over q for each k1. Two neighbours
 * at once use both elements of each 64-byte line as it arrives (and fill each output line at
 * once): a pass's 16 input or output streams are n·2 bytes apart, all in one L1 set when n is a
 * multiple of 2048, where lines otherwise leave L1 between the two halves. With pl the outputs go
 * to planes (imaginary parts io after the real ones, the second butterfly's dOut after the first).
 */
@inline function bfly16<T>(a: usize, ai: usize, dIn: usize, sIn: usize, o: usize, sOut: usize, w: usize, dw: usize, wOff: usize, tw: bool, sc: usize, count: i32, pl: bool = false, io: usize = 16, dOut: usize = 32): void {
  colA<T>(a, ai, sIn, sc, 0, 0, 0);
  if (count == 2) colA<T>(a + dIn, ai + dIn, sIn, sc + 512, 0, 0, 0);
  colA<T>(a + sIn, ai + sIn, sIn, sc + 32, 1, 2, 3);
  if (count == 2) colA<T>(a + dIn + sIn, ai + dIn + sIn, sIn, sc + 544, 1, 2, 3);
  colA<T>(a + 2 * sIn, ai + 2 * sIn, sIn, sc + 64, 2, 4, 6);
  if (count == 2) colA<T>(a + dIn + 2 * sIn, ai + dIn + 2 * sIn, sIn, sc + 576, 2, 4, 6);
  colA<T>(a + 3 * sIn, ai + 3 * sIn, sIn, sc + 96, 3, 6, 9);
  if (count == 2) colA<T>(a + dIn + 3 * sIn, ai + dIn + 3 * sIn, sIn, sc + 608, 3, 6, 9);
  for (let k1 = 0; k1 < 4; k1++) {
    const ob = o + <usize>k1 * sOut, wb = w + <usize>(k1 - 1) * wOff;
    colC<T>(sc + (<usize>k1 << 7), ob, sOut, wb, wOff, tw, tw && k1 > 0, pl, io);
    if (count == 2) colC<T>(sc + 512 + (<usize>k1 << 7), ob + dOut, sOut, wb + dw, wOff, tw, tw && k1 > 0, pl, io);
  }
}

/** Radix-16 pass; sc: scratch for 32 elements (1 KiB). */
export function pass16<T>(ido: i32, l1: i32, cc: usize, ch: usize, wa: usize, sc: usize): void {
  const sIn = <usize>ido << 5;
  const sOut = (<usize>ido * <usize>l1) << 5;
  const tws = <usize>sizeof<T>() << 1;
  const wOff = <usize>ido * tws;
  if (ido == 1) {
    let a = cc, o = ch;
    let k = 0;
    for (; k + 2 <= l1; k += 2) {
      bfly16<T>(a, a + 16, 512, 32, o, sOut, 0, 0, 0, false, sc, 2);
      a += 1024;
      o += 64;
    }
    if (k < l1) bfly16<T>(a, a + 16, 512, 32, o, sOut, 0, 0, 0, false, sc, 1);
    return;
  }
  for (let k = 0; k < l1; k++) {
    let a = cc + ((<usize>ido * <usize>(16 * k)) << 5);
    let o = ch + ((<usize>ido * <usize>k) << 5);
    let w = wa;
    let i = 0;
    for (; i + 2 <= ido; i += 2) {
      bfly16<T>(a, a + 16, 32, sIn, o, sOut, w, tws, wOff, true, sc, 2);
      a += 64;
      o += 64;
      w += 2 * tws;
    }
    if (i < ido) bfly16<T>(a, a + 16, 32, sIn, o, sOut, w, tws, wOff, true, sc, 1);
  }
}

/**
 * The first radix-16 pass (l1 = 1, ido = n/16 > 1) of `groups` column batches read straight from
 * row-major planes re, im (row stride rs bytes; batch u is the L columns at byte u·16 of each
 * row) into batch buffers out + u·bs: the column pass's gather fused into its first pass, so the
 * batch is written once instead of gathered, read and written. Butterflies of rows i, i + 1 go
 * batch after batch, so the 128 bytes of each visited row are used while in L1.
 */
export function pass16Planes<T>(ido: i32, re: usize, im: usize, rs: usize, out: usize, bs: usize, groups: i32, wa: usize, sc: usize): void {
  const sIn = <usize>ido * rs;
  const sOut = <usize>ido << 5;
  const tws = <usize>sizeof<T>() << 1;
  const wOff = <usize>ido * tws;
  let i = 0;
  for (; i + 2 <= ido; i += 2) {
    const r = <usize>i * rs, o = out + (<usize>i << 5), w = wa + <usize>i * tws;
    for (let u = 0; u < groups; u++) {
      const e = <usize>u << 4;
      bfly16<T>(re + r + e, im + r + e, rs, sIn, o + <usize>u * bs, sOut, w, tws, wOff, true, sc, 2);
    }
  }
  if (i < ido) {
    const r = <usize>i * rs, o = out + (<usize>i << 5), w = wa + <usize>i * tws;
    for (let u = 0; u < groups; u++) {
      const e = <usize>u << 4;
      bfly16<T>(re + r + e, im + r + e, rs, sIn, o + <usize>u * bs, sOut, w, tws, wOff, true, sc, 1);
    }
  }
}

/**
 * The first radix-16 pass (l1 = 1, ido = n/16, a multiple of E = 64/sizeof<T>) of one row batch
 * read straight from 2·L real rows at src (row stride rs bytes; rows 0…L-1 to the real lanes,
 * L…2L-1 to the imaginary ones) into the batch buffer out: the row gather fused into the first
 * pass. E elements (one 64-byte line of each row) of each of the 16 input streams are transposed
 * into mini (16·E·32 bytes, L1) and run as pairs of butterflies, so the batch is written once
 * instead of gathered, read and written, and each row line is used whole as it arrives (the 16
 * streams of the 2·L rows share few L1 sets when rows are a multiple of 4 KiB apart).
 */
export function pass16Rows<T>(ido: i32, src: usize, rs: usize, out: usize, wa: usize, mini: usize, sc: usize): void {
  const L = 16 / sizeof<T>(), E = 64 / sizeof<T>();
  const sIn = <usize>ido * sizeof<T>();
  const sOut = <usize>ido << 5;
  const tws = <usize>sizeof<T>() << 1;
  const wOff = <usize>ido * tws;
  const one = v128.splat<T>(<T>1);
  const src2 = src + <usize>L * rs;
  const ms = <usize>E << 5;
  for (let i = 0; i < ido; i += E) {
    const e = <usize>i * sizeof<T>();
    for (let j = 0; j < 16; j++) {
      const s = e + <usize>j * sIn, d = mini + <usize>j * ms;
      for (let c = 0; c < E; c += L) {
        const sc2 = s + <usize>c * sizeof<T>(), dc = d + (<usize>c << 5);
        tp<T>(src + sc2, rs, dc, 32, one, false);
        tp<T>(src2 + sc2, rs, dc + 16, 32, one, false);
      }
    }
    const o = out + (<usize>i << 5), w = wa + <usize>i * tws;
    for (let h = 0; h < E; h += 2) {
      const m = mini + (<usize>h << 5);
      bfly16<T>(m, m + 16, 32, ms, o + (<usize>h << 5), sOut, w + <usize>h * tws, tws, wOff, true, sc, 2);
    }
  }
}

/**
 * The last radix-16 pass (ido = 1, l1 = n/16) of `groups` column batches cc + u·bs written straight
 * to row-major planes re, im (row stride rs bytes; batch u to the L columns at byte u·16 of each
 * row): the column pass's scatter fused into its last pass. Butterflies k, k + 1 go batch after
 * batch, so each output row segment (groups·16 bytes) is written whole while in L1.
 */
export function pass16LastPlanes<T>(l1: i32, cc: usize, bs: usize, groups: i32, re: usize, im: usize, rs: usize, sc: usize): void {
  const sOut = <usize>l1 * rs;
  const io = im - re;
  let k = 0;
  for (; k + 2 <= l1; k += 2) {
    const a = cc + (<usize>k << 9), o = re + <usize>k * rs;
    for (let u = 0; u < groups; u++) {
      const au = a + <usize>u * bs;
      bfly16<T>(au, au + 16, 512, 32, o + (<usize>u << 4), sOut, 0, 0, 0, false, sc, 2, true, io, rs);
    }
  }
  if (k < l1) {
    const a = cc + (<usize>k << 9), o = re + <usize>k * rs;
    for (let u = 0; u < groups; u++) {
      const au = a + <usize>u * bs;
      bfly16<T>(au, au + 16, 512, 32, o + (<usize>u << 4), sOut, 0, 0, 0, false, sc, 1, true, io, rs);
    }
  }
}
