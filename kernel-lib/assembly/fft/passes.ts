// Radix passes of a forward complex FFT on a batch of transforms held in SIMD lanes.
//
// Layout: element e of a batch buffer is 32 bytes at buf + e*32: a v128 of real parts (one lane per
// transform: 4 × f32 or 2 × f64) then a v128 of imaginary parts. Each pass is one step of FFTPACK's
// self-sorting (Stockham) scheme, as in pocketfft's cfftp: for every k < l1, i < ido it reads
// CC(i, j, k) = cc[i + ido*(j + ip*k)] for j < ip and writes CH(i, k, j) = ch[i + ido*(k + l1*j)]
// multiplied by the twiddle wa[(j-1)*ido + i] = exp(-2πi·j·l1·i/n). Twiddles are scalar complex
// (re, im) pairs of T, splatted to all lanes; ido == 1 passes need none.

@inline export function cmulRe<T>(ar: v128, ai: v128, wr: v128, wi: v128): v128 {
  return v128.sub<T>(v128.mul<T>(ar, wr), v128.mul<T>(ai, wi));
}
@inline export function cmulIm<T>(ar: v128, ai: v128, wr: v128, wi: v128): v128 {
  return v128.add<T>(v128.mul<T>(ar, wi), v128.mul<T>(ai, wr));
}

/**
 * Transposes an L×L block: reads L vectors at src + q·ss, writes vector t (lane q = element t of
 * source vector q) times `scale` to dst + t·ds.
 */
@inline export function tp<T>(src: usize, ss: usize, dst: usize, ds: usize, scale: v128, scaled: bool): void {
  if (sizeof<T>() == 4) {
    const a = v128.load(src), b = v128.load(src + ss), c = v128.load(src + 2 * ss), d = v128.load(src + 3 * ss);
    const t0 = v128.shuffle<f32>(a, b, 0, 4, 1, 5), t1 = v128.shuffle<f32>(a, b, 2, 6, 3, 7);
    const t2 = v128.shuffle<f32>(c, d, 0, 4, 1, 5), t3 = v128.shuffle<f32>(c, d, 2, 6, 3, 7);
    let r0 = v128.shuffle<f32>(t0, t2, 0, 1, 4, 5), r1 = v128.shuffle<f32>(t0, t2, 2, 3, 6, 7);
    let r2 = v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), r3 = v128.shuffle<f32>(t1, t3, 2, 3, 6, 7);
    if (scaled) {
      r0 = v128.mul<T>(r0, scale);
      r1 = v128.mul<T>(r1, scale);
      r2 = v128.mul<T>(r2, scale);
      r3 = v128.mul<T>(r3, scale);
    }
    v128.store(dst, r0);
    v128.store(dst + ds, r1);
    v128.store(dst + 2 * ds, r2);
    v128.store(dst + 3 * ds, r3);
  } else {
    const a = v128.load(src), b = v128.load(src + ss);
    let r0 = v128.shuffle<f64>(a, b, 0, 2), r1 = v128.shuffle<f64>(a, b, 1, 3);
    if (scaled) {
      r0 = v128.mul<T>(r0, scale);
      r1 = v128.mul<T>(r1, scale);
    }
    v128.store(dst, r0);
    v128.store(dst + ds, r1);
  }
}

/** Real and imaginary parts of the twiddle (re, im) at p, splatted to all lanes. */
@inline export function twr<T>(p: usize): v128 {
  return v128.load_splat<T>(p);
}
@inline export function twi<T>(p: usize): v128 {
  return v128.load_splat<T>(p + sizeof<T>());
}

/** Stores y (re, im) to o, times the twiddle at w when tw; with pl the imaginary part to o + io. */
@inline export function put<T>(o: usize, yr: v128, yi: v128, w: usize, tw: bool, pl: bool, io: usize): void {
  let zr = yr, zi = yi;
  if (tw) {
    const wr = twr<T>(w), wi = twi<T>(w);
    zr = cmulRe<T>(yr, yi, wr, wi);
    zi = cmulIm<T>(yr, yi, wr, wi);
  }
  v128.store(o, zr);
  if (pl) v128.store(o + io, zi);
  else v128.store(o, zi, 16);
}

/** Radix-2 pass. */
export function pass2<T>(ido: i32, l1: i32, cc: usize, ch: usize, wa: usize): void {
  const sIn = <usize>ido << 5;
  const sOut = (<usize>ido * <usize>l1) << 5;
  const tws = <usize>sizeof<T>() << 1;
  for (let k = 0; k < l1; k++) {
    let a = cc + ((<usize>ido * <usize>(2 * k)) << 5);
    let o = ch + ((<usize>ido * <usize>k) << 5);
    if (ido == 1) {
      const x0r = v128.load(a), x0i = v128.load(a, 16);
      const x1r = v128.load(a + sIn), x1i = v128.load(a + sIn, 16);
      v128.store(o, v128.add<T>(x0r, x1r));
      v128.store(o, v128.add<T>(x0i, x1i), 16);
      v128.store(o + sOut, v128.sub<T>(x0r, x1r));
      v128.store(o + sOut, v128.sub<T>(x0i, x1i), 16);
      continue;
    }
    let w = wa;
    for (let i = 0; i < ido; i++) {
      const x0r = v128.load(a), x0i = v128.load(a, 16);
      const x1r = v128.load(a + sIn), x1i = v128.load(a + sIn, 16);
      v128.store(o, v128.add<T>(x0r, x1r));
      v128.store(o, v128.add<T>(x0i, x1i), 16);
      const dr = v128.sub<T>(x0r, x1r), di = v128.sub<T>(x0i, x1i);
      put<T>(o + sOut, dr, di, w, true, false, 0);
      a += 32;
      o += 32;
      w += tws;
    }
  }
}

/** Radix-3 pass. */
export function pass3<T>(ido: i32, l1: i32, cc: usize, ch: usize, wa: usize): void {
  const sIn = <usize>ido << 5;
  const sOut = (<usize>ido * <usize>l1) << 5;
  const tws = <usize>sizeof<T>() << 1;
  const wOff = <usize>ido * tws;
  const half = v128.splat<T>(<T>0.5);
  const s3 = v128.splat<T>(<T>0.8660254037844386);
  for (let k = 0; k < l1; k++) {
    let a = cc + ((<usize>ido * <usize>(3 * k)) << 5);
    let o = ch + ((<usize>ido * <usize>k) << 5);
    let w = wa;
    for (let i = 0; i < ido; i++) {
      bfly3<T>(a, sIn, o, sOut, ido != 1, w, wOff, half, s3);
      a += 32;
      o += 32;
      w += tws;
    }
  }
}

/**
 * The last radix-4 pass (ido = 1, l1 = n/4) of `groups` column batches cc + u·bs written straight
 * to row-major planes re, im (row stride rs; batch u at byte u·16 of each row), batch after batch
 * per butterfly, so each output row segment is written whole (the column scatter fused).
 */
export function pass4LastPlanes<T>(l1: i32, cc: usize, bs: usize, groups: i32, re: usize, im: usize, rs: usize): void {
  const sOut = <usize>l1 * rs;
  const io = im - re;
  for (let k = 0; k < l1; k++) {
    const ak = cc + (<usize>k << 7), ok = re + <usize>k * rs;
    for (let u = 0; u < groups; u++) {
      const a = ak + <usize>u * bs, o = ok + (<usize>u << 4);
      const x0r = v128.load(a), x0i = v128.load(a, 16);
      const x1r = v128.load(a, 32), x1i = v128.load(a, 48);
      const x2r = v128.load(a, 64), x2i = v128.load(a, 80);
      const x3r = v128.load(a, 96), x3i = v128.load(a, 112);
      const t2r = v128.add<T>(x0r, x2r), t2i = v128.add<T>(x0i, x2i);
      const t1r = v128.sub<T>(x0r, x2r), t1i = v128.sub<T>(x0i, x2i);
      const t3r = v128.add<T>(x1r, x3r), t3i = v128.add<T>(x1i, x3i);
      const t4r = v128.sub<T>(x1r, x3r), t4i = v128.sub<T>(x1i, x3i);
      v128.store(o, v128.add<T>(t2r, t3r));
      v128.store(o + io, v128.add<T>(t2i, t3i));
      v128.store(o + 2 * sOut, v128.sub<T>(t2r, t3r));
      v128.store(o + 2 * sOut + io, v128.sub<T>(t2i, t3i));
      v128.store(o + sOut, v128.add<T>(t1r, t4i));
      v128.store(o + sOut + io, v128.sub<T>(t1i, t4r));
      v128.store(o + 3 * sOut, v128.sub<T>(t1r, t4i));
      v128.store(o + 3 * sOut + io, v128.add<T>(t1i, t4r));
    }
  }
}

/** Radix-4 pass. */
export function pass4<T>(ido: i32, l1: i32, cc: usize, ch: usize, wa: usize): void {
  const sIn = <usize>ido << 5;
  const sOut = (<usize>ido * <usize>l1) << 5;
  const tws = <usize>sizeof<T>() << 1;
  const wOff = <usize>ido * tws;
  for (let k = 0; k < l1; k++) {
    let a = cc + ((<usize>ido * <usize>(4 * k)) << 5);
    let o = ch + ((<usize>ido * <usize>k) << 5);
    if (ido == 1) {
      const x0r = v128.load(a), x0i = v128.load(a, 16);
      const x1r = v128.load(a + sIn), x1i = v128.load(a + sIn, 16);
      const x2r = v128.load(a + 2 * sIn), x2i = v128.load(a + 2 * sIn, 16);
      const x3r = v128.load(a + 3 * sIn), x3i = v128.load(a + 3 * sIn, 16);
      const t2r = v128.add<T>(x0r, x2r), t2i = v128.add<T>(x0i, x2i);
      const t1r = v128.sub<T>(x0r, x2r), t1i = v128.sub<T>(x0i, x2i);
      const t3r = v128.add<T>(x1r, x3r), t3i = v128.add<T>(x1i, x3i);
      const t4r = v128.sub<T>(x1r, x3r), t4i = v128.sub<T>(x1i, x3i);
      v128.store(o, v128.add<T>(t2r, t3r));
      v128.store(o, v128.add<T>(t2i, t3i), 16);
      v128.store(o + 2 * sOut, v128.sub<T>(t2r, t3r));
      v128.store(o + 2 * sOut, v128.sub<T>(t2i, t3i), 16);
      v128.store(o + sOut, v128.add<T>(t1r, t4i));
      v128.store(o + sOut, v128.sub<T>(t1i, t4r), 16);
      v128.store(o + 3 * sOut, v128.sub<T>(t1r, t4i));
      v128.store(o + 3 * sOut, v128.add<T>(t1i, t4r), 16);
      continue;
    }
    let w = wa;
    for (let i = 0; i < ido; i++) {
      const x0r = v128.load(a), x0i = v128.load(a, 16);
      const x1r = v128.load(a + sIn), x1i = v128.load(a + sIn, 16);
      const x2r = v128.load(a + 2 * sIn), x2i = v128.load(a + 2 * sIn, 16);
      const x3r = v128.load(a + 3 * sIn), x3i = v128.load(a + 3 * sIn, 16);
      const t2r = v128.add<T>(x0r, x2r), t2i = v128.add<T>(x0i, x2i);
      const t1r = v128.sub<T>(x0r, x2r), t1i = v128.sub<T>(x0i, x2i);
      const t3r = v128.add<T>(x1r, x3r), t3i = v128.add<T>(x1i, x3i);
      const t4r = v128.sub<T>(x1r, x3r), t4i = v128.sub<T>(x1i, x3i);
      v128.store(o, v128.add<T>(t2r, t3r));
      v128.store(o, v128.add<T>(t2i, t3i), 16);
      const y2r = v128.sub<T>(t2r, t3r), y2i = v128.sub<T>(t2i, t3i);
      const y1r = v128.add<T>(t1r, t4i), y1i = v128.sub<T>(t1i, t4r);
      const y3r = v128.sub<T>(t1r, t4i), y3i = v128.add<T>(t1i, t4r);
      put<T>(o + sOut, y1r, y1i, w, true, false, 0);
      put<T>(o + 2 * sOut, y2r, y2i, w + wOff, true, false, 0);
      put<T>(o + 3 * sOut, y3r, y3i, w + 2 * wOff, true, false, 0);
      a += 32;
      o += 32;
      w += tws;
    }
  }
}

/** Radix-5 pass. */
export function pass5<T>(ido: i32, l1: i32, cc: usize, ch: usize, wa: usize): void {
  const sIn = <usize>ido << 5;
  const sOut = (<usize>ido * <usize>l1) << 5;
  const tws = <usize>sizeof<T>() << 1;
  const wOff = <usize>ido * tws;
  const c1 = v128.splat<T>(<T>0.30901699437494745);
  const c2 = v128.splat<T>(<T>-0.8090169943749475);
  const s1 = v128.splat<T>(<T>0.9510565162951535);
  const s2 = v128.splat<T>(<T>0.5877852522924731);
  for (let k = 0; k < l1; k++) {
    let a = cc + ((<usize>ido * <usize>(5 * k)) << 5);
    let o = ch + ((<usize>ido * <usize>k) << 5);
    let w = wa;
    for (let i = 0; i < ido; i++) {
      bfly5<T>(a, sIn, o, sOut, ido != 1, w, wOff, c1, c2, s1, s2);
      a += 32;
      o += 32;
      w += tws;
    }
  }
}

/**
 * A radix-3 pass (ido = 5, twiddled) and the radix-5 pass after it (ido = 1; the plans' last two
 * factors 3, 5, as at 3840 = 16·16·3·5) in one sweep: the radix-5 butterfly k + l1·j reads the
 * outputs j of the five radix-3 butterflies (k, i < 5), so those 15 values go through sc (L1)
 * instead of a round trip through the batch buffers. Two neighbouring k at a time (sc: 30
 * elements), so each output line is written whole (the 15 output streams of a k are multiples of
 * 8 KiB apart at 3840, all in one L1 set: one k at a time ran 13 % slower than the two passes).
 * The same operations in the same order as pass3 then pass5 (bitwise identical results); l1 is
 * the radix-3 pass's.
 */
export function pass35<T>(l1: i32, cc: usize, ch: usize, wa: usize, sc: usize): void {
  const sOut = (<usize>(3 * l1)) << 5;
  let k = 0;
  for (; k + 2 <= l1; k += 2) {
    r3of15<T>(cc + (<usize>(15 * k) << 5), wa, sc);
    r3of15<T>(cc + (<usize>(15 * k + 15) << 5), wa, sc + 480);
    for (let j = 0; j < 3; j++) {
      const o = ch + (<usize>(k + l1 * j) << 5);
      r5of15<T>(sc + <usize>(160 * j), o, sOut);
      r5of15<T>(sc + 480 + <usize>(160 * j), o + 32, sOut);
    }
  }
  if (k < l1) {
    r3of15<T>(cc + (<usize>(15 * k) << 5), wa, sc);
    for (let j = 0; j < 3; j++) r5of15<T>(sc + <usize>(160 * j), ch + (<usize>(k + l1 * j) << 5), sOut);
  }
}

/** pass35's radix-3 stage of one k: 15 inputs at a, output j of butterfly i to d + (5j + i)·32 (pass3's butterfly, twiddled). */
@inline function r3of15<T>(a: usize, wa: usize, d0: usize): void {
  const tws = <usize>sizeof<T>() << 1;
  const wOff = 5 * tws;
  const sIn = <usize>5 << 5;
  const half = v128.splat<T>(<T>0.5);
  const s3 = v128.splat<T>(<T>0.8660254037844386);
  let w = wa;
  for (let i = 0; i < 5; i++) {
    bfly3<T>(a, sIn, d0 + (<usize>i << 5), 160, true, w, wOff, half, s3);
    a += 32;
    w += tws;
  }
}

/** pass35's radix-5 stage: 5 inputs at p (32 bytes apart), outputs m to o + m·sOut (pass5's butterfly, ido = 1). */
@inline function r5of15<T>(p: usize, o: usize, sOut: usize): void {
  const c1 = v128.splat<T>(<T>0.30901699437494745);
  const c2 = v128.splat<T>(<T>-0.8090169943749475);
  const s1 = v128.splat<T>(<T>0.9510565162951535);
  const s2 = v128.splat<T>(<T>0.5877852522924731);
  bfly5<T>(p, 32, o, sOut, false, 0, 0, c1, c2, s1, s2);
}

/**
 * One radix-3 butterfly: inputs a + m·sIn, outputs o + m·sOut (m < 3), outputs 1, 2 multiplied by
 * the twiddles at w, w + wOff when `twiddled` (pass3 with ido > 1, pass35's radix-3 stage).
 * half = ½, s3 = sin(2π/3), splatted once by the caller.
 */
@inline function bfly3<T>(a: usize, sIn: usize, o: usize, sOut: usize, twiddled: bool, w: usize, wOff: usize, half: v128, s3: v128): void {
  const x0r = v128.load(a), x0i = v128.load(a, 16);
  const x1r = v128.load(a + sIn), x1i = v128.load(a + sIn, 16);
  const x2r = v128.load(a + 2 * sIn), x2i = v128.load(a + 2 * sIn, 16);
  const t1r = v128.add<T>(x1r, x2r), t1i = v128.add<T>(x1i, x2i);
  const t2r = v128.sub<T>(x1r, x2r), t2i = v128.sub<T>(x1i, x2i);
  v128.store(o, v128.add<T>(x0r, t1r));
  v128.store(o, v128.add<T>(x0i, t1i), 16);
  const cr = v128.sub<T>(x0r, v128.mul<T>(half, t1r)), ci = v128.sub<T>(x0i, v128.mul<T>(half, t1i));
  const sr = v128.mul<T>(s3, t2r), si = v128.mul<T>(s3, t2i);
  // y1 = c - i s, y2 = c + i s
  const y1r = v128.add<T>(cr, si), y1i = v128.sub<T>(ci, sr);
  const y2r = v128.sub<T>(cr, si), y2i = v128.add<T>(ci, sr);
  // one branch per butterfly (twiddled is loop-invariant in pass3), not one per output
  if (!twiddled) {
    put<T>(o + sOut, y1r, y1i, 0, false, false, 0);
    put<T>(o + 2 * sOut, y2r, y2i, 0, false, false, 0);
  } else {
    put<T>(o + sOut, y1r, y1i, w, true, false, 0);
    put<T>(o + 2 * sOut, y2r, y2i, w + wOff, true, false, 0);
  }
}

/**
 * One radix-5 butterfly: inputs a + m·sIn, outputs o + m·sOut (m < 5), outputs 1–4 multiplied by
 * the twiddles at w + (m − 1)·wOff when `twiddled` (pass5 with ido > 1). c1, c2, s1, s2: cos and
 * sin of 2π/5 and 4π/5, splatted once by the caller.
 */
@inline function bfly5<T>(a: usize, sIn: usize, o: usize, sOut: usize, twiddled: bool, w: usize, wOff: usize, c1: v128, c2: v128, s1: v128, s2: v128): void {
  const x0r = v128.load(a), x0i = v128.load(a, 16);
  const x1r = v128.load(a + sIn), x1i = v128.load(a + sIn, 16);
  const x2r = v128.load(a + 2 * sIn), x2i = v128.load(a + 2 * sIn, 16);
  const x3r = v128.load(a + 3 * sIn), x3i = v128.load(a + 3 * sIn, 16);
  const x4r = v128.load(a + 4 * sIn), x4i = v128.load(a + 4 * sIn, 16);
  const a1r = v128.add<T>(x1r, x4r), a1i = v128.add<T>(x1i, x4i);
  const b1r = v128.sub<T>(x1r, x4r), b1i = v128.sub<T>(x1i, x4i);
  const a2r = v128.add<T>(x2r, x3r), a2i = v128.add<T>(x2i, x3i);
  const b2r = v128.sub<T>(x2r, x3r), b2i = v128.sub<T>(x2i, x3i);
  v128.store(o, v128.add<T>(x0r, v128.add<T>(a1r, a2r)));
  v128.store(o, v128.add<T>(x0i, v128.add<T>(a1i, a2i)), 16);
  const r1r = v128.add<T>(x0r, v128.add<T>(v128.mul<T>(c1, a1r), v128.mul<T>(c2, a2r)));
  const r1i = v128.add<T>(x0i, v128.add<T>(v128.mul<T>(c1, a1i), v128.mul<T>(c2, a2i)));
  const r2r = v128.add<T>(x0r, v128.add<T>(v128.mul<T>(c2, a1r), v128.mul<T>(c1, a2r)));
  const r2i = v128.add<T>(x0i, v128.add<T>(v128.mul<T>(c2, a1i), v128.mul<T>(c1, a2i)));
  const q1r = v128.add<T>(v128.mul<T>(s1, b1r), v128.mul<T>(s2, b2r));
  const q1i = v128.add<T>(v128.mul<T>(s1, b1i), v128.mul<T>(s2, b2i));
  const q2r = v128.sub<T>(v128.mul<T>(s2, b1r), v128.mul<T>(s1, b2r));
  const q2i = v128.sub<T>(v128.mul<T>(s2, b1i), v128.mul<T>(s1, b2i));
  // y1 = r1 - i q1, y4 = r1 + i q1, y2 = r2 - i q2, y3 = r2 + i q2
  const y1r = v128.add<T>(r1r, q1i), y1i = v128.sub<T>(r1i, q1r);
  const y4r = v128.sub<T>(r1r, q1i), y4i = v128.add<T>(r1i, q1r);
  const y2r = v128.add<T>(r2r, q2i), y2i = v128.sub<T>(r2i, q2r);
  const y3r = v128.sub<T>(r2r, q2i), y3i = v128.add<T>(r2i, q2r);
  if (!twiddled) {
    put<T>(o + sOut, y1r, y1i, 0, false, false, 0);
    put<T>(o + 2 * sOut, y2r, y2i, 0, false, false, 0);
    put<T>(o + 3 * sOut, y3r, y3i, 0, false, false, 0);
    put<T>(o + 4 * sOut, y4r, y4i, 0, false, false, 0);
  } else {
    put<T>(o + sOut, y1r, y1i, w, true, false, 0);
    put<T>(o + 2 * sOut, y2r, y2i, w + wOff, true, false, 0);
    put<T>(o + 3 * sOut, y3r, y3i, w + 2 * wOff, true, false, 0);
    put<T>(o + 4 * sOut, y4r, y4i, w + 3 * wOff, true, false, 0);
  }
}
