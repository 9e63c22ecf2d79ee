// Radix-8 pass of the batch FFT (layout and twiddles as in passes.ts).
import { cmulIm, cmulRe, put } from './passes';

/**
 * One radix-8 butterfly: inputs at a + j·sIn, outputs at o + j·sOut, twiddles w + (j-1)·wOff; with
 * pl the imaginary outputs go io after the real ones (to another plane).
 */
@inline function bfly8<T>(a: usize, sIn: usize, o: usize, sOut: usize, w: usize, wOff: usize, tw: bool, pl: bool = false, io: usize = 16): void {
  const h = v128.splat<T>(<T>0.7071067811865476);
  // E = DFT4(x0, x2, x4, x6)
  let pr = v128.load(a), pi = v128.load(a, 16);
  let qr = v128.load(a + 4 * sIn), qi = v128.load(a + 4 * sIn, 16);
  const ar = v128.add<T>(pr, qr), ai = v128.add<T>(pi, qi);
  const br = v128.sub<T>(pr, qr), bi = v128.sub<T>(pi, qi);
  pr = v128.load(a + 2 * sIn);
  pi = v128.load(a + 2 * sIn, 16);
  qr = v128.load(a + 6 * sIn);
  qi = v128.load(a + 6 * sIn, 16);
  const cr = v128.add<T>(pr, qr), ci = v128.add<T>(pi, qi);
  const dr = v128.sub<T>(pr, qr), di = v128.sub<T>(pi, qi);
  const e0r = v128.add<T>(ar, cr), e0i = v128.add<T>(ai, ci);
  const e2r = v128.sub<T>(ar, cr), e2i = v128.sub<T>(ai, ci);
  const e1r = v128.add<T>(br, di), e1i = v128.sub<T>(bi, dr);
  const e3r = v128.sub<T>(br, di), e3i = v128.add<T>(bi, dr);
  // O = DFT4(x1, x3, x5, x7)
  pr = v128.load(a + sIn);
  pi = v128.load(a + sIn, 16);
  qr = v128.load(a + 5 * sIn);
  qi = v128.load(a + 5 * sIn, 16);
  const fr = v128.add<T>(pr, qr), fi = v128.add<T>(pi, qi);
  const gr = v128.sub<T>(pr, qr), gi = v128.sub<T>(pi, qi);
  pr = v128.load(a + 3 * sIn);
  pi = v128.load(a + 3 * sIn, 16);
  qr = v128.load(a + 7 * sIn);
  qi = v128.load(a + 7 * sIn, 16);
  const kr = v128.add<T>(pr, qr), ki = v128.add<T>(pi, qi);
  const lr = v128.sub<T>(pr, qr), li = v128.sub<T>(pi, qi);
  const o0r = v128.add<T>(fr, kr), o0i = v128.add<T>(fi, ki);
  const o2r = v128.sub<T>(fr, kr), o2i = v128.sub<T>(fi, ki);
  const o1r = v128.add<T>(gr, li), o1i = v128.sub<T>(gi, lr);
  const o3r = v128.sub<T>(gr, li), o3i = v128.add<T>(gi, lr);
  put<T>(o, v128.add<T>(e0r, o0r), v128.add<T>(e0i, o0i), 0, false, pl, io);
  put<T>(o + 4 * sOut, v128.sub<T>(e0r, o0r), v128.sub<T>(e0i, o0i), w + 3 * wOff, tw, pl, io);
  // W8·O1
  const t1r = v128.mul<T>(v128.add<T>(o1r, o1i), h), t1i = v128.mul<T>(v128.sub<T>(o1i, o1r), h);
  put<T>(o + sOut, v128.add<T>(e1r, t1r), v128.add<T>(e1i, t1i), w, tw, pl, io);
  put<T>(o + 5 * sOut, v128.sub<T>(e1r, t1r), v128.sub<T>(e1i, t1i), w + 4 * wOff, tw, pl, io);
  // -i·O2
  put<T>(o + 2 * sOut, v128.add<T>(e2r, o2i), v128.sub<T>(e2i, o2r), w + wOff, tw, pl, io);
  put<T>(o + 6 * sOut, v128.sub<T>(e2r, o2i), v128.add<T>(e2i, o2r), w + 5 * wOff, tw, pl, io);
  // W8³·O3
  const t3r = v128.mul<T>(v128.sub<T>(o3i, o3r), h), t3i = v128.neg<T>(v128.mul<T>(v128.add<T>(o3r, o3i), h));
  put<T>(o + 3 * sOut, v128.add<T>(e3r, t3r), v128.add<T>(e3i, t3i), w + 2 * wOff, tw, pl, io);
  put<T>(o + 7 * sOut, v128.sub<T>(e3r, t3r), v128.sub<T>(e3i, t3i), w + 6 * wOff, tw, pl, io);
}

/** Radix-8 pass (two radix-4 halves combined with eighth roots of unity). */
export function pass8<T>(ido: i32, l1: i32, cc: usize, ch: usize, wa: usize): void {
  const sIn = <usize>ido << 5;
  const sOut = (<usize>ido * <usize>l1) << 5;
  const tws = <usize>sizeof<T>() << 1;
  const wOff = <usize>ido * tws;
  if (ido == 1) {
    let a = cc, o = ch;
    for (let k = 0; k < l1; k++) {
      bfly8<T>(a, 32, o, sOut, 0, 0, false);
      a += 256;
      o += 32;
    }
    return;
  }
  for (let k = 0; k < l1; k++) {
    let a = cc + ((<usize>ido * <usize>(8 * k)) << 5);
    let o = ch + ((<usize>ido * <usize>k) << 5);
    let w = wa;
    for (let i = 0; i < ido; i++) {
      bfly8<T>(a, sIn, o, sOut, w, wOff, true);
      a += 32;
      o += 32;
      w += tws;
    }
  }
}

/**
 * The last radix-8 pass (ido = 1, l1 = n/8) of `groups` column batches cc + u·bs written straight
 * to the planes re, im (row stride rs; batch u at byte u·16 of each row), batch after batch per
 * butterfly so each output row segment is written whole (see pass16LastPlanes).
 */
export function pass8LastPlanes<T>(l1: i32, cc: usize, bs: usize, groups: i32, re: usize, im: usize, rs: usize): void {
  const sOut = <usize>l1 * rs;
  const io = im - re;
  for (let k = 0; k < l1; k++) {
    const a = cc + (<usize>k << 8), o = re + <usize>k * rs;
    for (let u = 0; u < groups; u++) bfly8<T>(a + <usize>u * bs, 32, o + (<usize>u << 4), sOut, 0, 0, false, true, io);
  }
}
