// Sums over whole frames that alignFrames (kernel-lib/src/motion) makes for every frame: the
// defects pass's frame sum and the sum pass's Fourier-shifted accumulation. Both are a few
// operations per element on 16–34 MB of data per frame, so scalar JavaScript (~3 ns per element)
// was their cost; here two f64 lanes per instruction. Every element gets the same floating-point
// operations, in the same order, as scalar JavaScript would (motion/_internal/shiftSum.ts
// addShiftedRows; test/kernel-lib/motion/residentSums.test.ts): bit-identical (no FMA in WebAssembly).

/**
 * For `frames` (1 or 2) frames at x, x + xStride: sum[k] += x_j[k]·gain[k] (the product rounded to
 * f32; gain 0: no gain) for k < n, frame after frame (the sum is read and written once for both),
 * with four running partial sums per frame of those values in part[4j … 4j+3] (element k goes to
 * partial k mod 4; a tail of n mod 4 elements to partial 0). f32 x and gain, f64 sum and part; n a
 * multiple of 4 except in the last call of a frame.
 */
export function accumulateFrames_f32(x: usize, xStride: usize, frames: i32, gain: usize, sum: usize, n: i32, part: usize): void {
  const two = frames > 1;
  const y = x + xStride;
  let p01 = v128.load(part);
  let p23 = v128.load(part + 16);
  let q01 = v128.load(part + 32);
  let q23 = v128.load(part + 48);
  const n4 = n & ~3;
  for (let k = 0; k < n4; k += 4) {
    const g = gain ? v128.load(gain + (<usize>k << 2)) : f32x4.splat(1);
    let v = v128.load(x + (<usize>k << 2));
    if (gain) v = v128.mul<f32>(v, g);
    const lo = f64x2.promote_low_f32x4(v);
    const hi = f64x2.promote_low_f32x4(v128.shuffle<u32>(v, v, 2, 3, 0, 1));
    const s = sum + (<usize>k << 3);
    let s0 = v128.add<f64>(v128.load(s), lo);
    let s1 = v128.add<f64>(v128.load(s + 16), hi);
    p01 = v128.add<f64>(p01, lo);
    p23 = v128.add<f64>(p23, hi);
    if (two) {
      let u = v128.load(y + (<usize>k << 2));
      if (gain) u = v128.mul<f32>(u, g);
      const ulo = f64x2.promote_low_f32x4(u);
      const uhi = f64x2.promote_low_f32x4(v128.shuffle<u32>(u, u, 2, 3, 0, 1));
      s0 = v128.add<f64>(s0, ulo);
      s1 = v128.add<f64>(s1, uhi);
      q01 = v128.add<f64>(q01, ulo);
      q23 = v128.add<f64>(q23, uhi);
    }
    v128.store(s, s0);
    v128.store(s + 16, s1);
  }
  v128.store(part, p01);
  v128.store(part + 16, p23);
  v128.store(part + 32, q01);
  v128.store(part + 48, q23);
  for (let k = n4; k < n; k++) {
    const s = sum + (<usize>k << 3);
    for (let j = 0; j < frames; j++) {
      let v = load<f32>(x + <usize>j * xStride + (<usize>k << 2));
      if (gain) v = v * load<f32>(gain + (<usize>k << 2));
      const d = <f64>v;
      store<f64>(s, load<f64>(s) + d);
      store<f64>(part + 32 * <usize>j, load<f64>(part + 32 * <usize>j) + d);
    }
  }
}

/**
 * acc += F·(ey ⊗ ex) over rows [r0, r1), columns [0, cw) of half spectra with rows of `stride`
 * elements: F f32 planes (re, im), acc f64 planes, ey the row factors as (re, im) pairs (f64),
 * exRe/exIm the column factors (f64). Per element, as the scalar code: fr = yr·xr − yi·xi,
 * fi = yr·xi + yi·xr, then accRe += a·fr − b·fi, accIm += a·fi + b·fr.
 */
export function shiftAccumulate_f32(fRe: usize, fIm: usize, stride: i32, cw: i32, r0: i32, r1: i32, ey: usize, exRe: usize, exIm: usize, accRe: usize, accIm: usize): void {
  const c2 = cw & ~1;
  for (let r = r0; r < r1; r++) {
    const yr = load<f64>(ey + (<usize>r << 4));
    const yi = load<f64>(ey + (<usize>r << 4) + 8);
    const vyr = f64x2.splat(yr);
    const vyi = f64x2.splat(yi);
    const o = <usize>r * <usize>stride;
    for (let c = 0; c < c2; c += 2) {
      const xr = v128.load(exRe + (<usize>c << 3));
      const xi = v128.load(exIm + (<usize>c << 3));
      const fr = v128.sub<f64>(v128.mul<f64>(vyr, xr), v128.mul<f64>(vyi, xi));
      const fi = v128.add<f64>(v128.mul<f64>(vyr, xi), v128.mul<f64>(vyi, xr));
      const k = o + <usize>c;
      const a = f64x2.promote_low_f32x4(v128.load64_zero(fRe + (k << 2)));
      const b = f64x2.promote_low_f32x4(v128.load64_zero(fIm + (k << 2)));
      const pr = accRe + (k << 3);
      const pi = accIm + (k << 3);
      v128.store(pr, v128.add<f64>(v128.load(pr), v128.sub<f64>(v128.mul<f64>(a, fr), v128.mul<f64>(b, fi))));
      v128.store(pi, v128.add<f64>(v128.load(pi), v128.add<f64>(v128.mul<f64>(a, fi), v128.mul<f64>(b, fr))));
    }
    for (let c = c2; c < cw; c++) {
      const xr = load<f64>(exRe + (<usize>c << 3));
      const xi = load<f64>(exIm + (<usize>c << 3));
      const fr = yr * xr - yi * xi;
      const fi = yr * xi + yi * xr;
      const k = o + <usize>c;
      const a = <f64>load<f32>(fRe + (k << 2));
      const b = <f64>load<f32>(fIm + (k << 2));
      const pr = accRe + (k << 3);
      const pi = accIm + (k << 3);
      store<f64>(pr, load<f64>(pr) + (a * fr - b * fi));
      store<f64>(pi, load<f64>(pi) + (a * fi + b * fr));
    }
  }
}
