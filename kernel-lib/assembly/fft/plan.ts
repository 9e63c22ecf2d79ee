// Executes a complex FFT plan (built in JavaScript, see src/fft/_internal/plan.ts) on one batch.
//
// Plan record (i32 words): [0] kind (0 = radix passes, 1 = Bluestein), [1] n,
// [2] number of factors (kind 0) or convolution length m (kind 1), [3] plan of m (kind 1),
// [4] chirp w_k = exp(-πi k²/n) (kind 1, n complex T), [5] FFT of the conjugate chirp / m
// (kind 1, m complex T). Kind 0 factors follow at byte 32, 16 bytes each: ip, twiddles, cos/sin
// table (generic radix only), unused.
import { pass2, pass3, pass35, pass4, pass5, cmulRe, cmulIm } from './passes';
import { pass8 } from './radix8';
import { pass16 } from './radix16';
import { passg } from './radixGeneric';

/**
 * Forward complex FFT of the batch in `a` (n elements of 32 bytes); `b` is a second buffer of n
 * elements, `sc` scratch (see the plan builder for its size). Returns the buffer holding the result.
 */
export function cfft<T>(plan: usize, a: usize, b: usize, sc: usize): usize {
  if (load<i32>(plan) == 1) return bluestein<T>(plan, a, sc);
  return cfftFrom<T>(plan, 0, load<i32>(plan, 8), 1, a, b, sc);
}

/**
 * Radix passes f0…f1-1 of a kind-0 plan (l1: the product of the factors before f0) on the batch in
 * `a`, ping-ponging with `b`; returns the buffer holding the result. The column pass runs the
 * first radix-16 pass itself, straight from the planes (drivers.ts), then the rest from here (and
 * for some plans the last pass itself again, straight to the planes).
 */
export function cfftFrom<T>(plan: usize, f0: i32, f1: i32, l1: i32, a: usize, b: usize, sc: usize): usize {
  const n = load<i32>(plan, 4);
  let p1 = a, p2 = b;
  for (let f = f0; f < f1; f++) {
    const rec = plan + 32 + (<usize>f << 4);
    const ip = load<i32>(rec);
    const tw = <usize>load<i32>(rec, 4);
    const ido = n / (l1 * ip);
    if (ip == 3 && ido == 5 && f + 1 < f1 && load<i32>(rec, 16) == 5) {
      // the last two factors 3, 5 in one sweep (bitwise as the two passes)
      pass35<T>(l1, p1, p2, tw, sc);
      const t = p1;
      p1 = p2;
      p2 = t;
      l1 *= 15;
      f++;
      continue;
    }
    if (ip == 4) pass4<T>(ido, l1, p1, p2, tw);
    else if (ip == 8) pass8<T>(ido, l1, p1, p2, tw);
    else if (ip == 16) pass16<T>(ido, l1, p1, p2, tw, sc);
    else if (ip == 2) pass2<T>(ido, l1, p1, p2, tw);
    else if (ip == 3) pass3<T>(ido, l1, p1, p2, tw);
    else if (ip == 5) pass5<T>(ido, l1, p1, p2, tw);
    else passg<T>(ido, l1, ip, p1, p2, tw, <usize>load<i32>(rec, 8), sc);
    const t = p1;
    p1 = p2;
    p2 = t;
    l1 *= ip;
  }
  return p1;
}

function bluestein<T>(plan: usize, a: usize, sc: usize): usize {
  const n = load<i32>(plan, 4);
  const m = load<i32>(plan, 8);
  const sub = <usize>load<i32>(plan, 12);
  const w = <usize>load<i32>(plan, 16);
  const bh = <usize>load<i32>(plan, 20);
  const tws = <usize>sizeof<T>() << 1;
  const c = sc, d = sc + (<usize>m << 5), sc2 = sc + (<usize>m << 6);
  // c = x · w, zero-padded to m
  for (let k = 0; k < n; k++) {
    const p = a + (<usize>k << 5), q = c + (<usize>k << 5), t = w + <usize>k * tws;
    const xr = v128.load(p), xi = v128.load(p, 16);
    const wr = v128.load_splat<T>(t), wi = v128.load_splat<T>(t + sizeof<T>());
    v128.store(q, cmulRe<T>(xr, xi, wr, wi));
    v128.store(q, cmulIm<T>(xr, xi, wr, wi), 16);
  }
  const zero = v128.splat<T>(<T>0);
  for (let k = n; k < m; k++) {
    const q = c + (<usize>k << 5);
    v128.store(q, zero);
    v128.store(q, zero, 16);
  }
  const r = cfft<T>(sub, c, d, sc2);
  // r = conj(r · bh): the inverse FFT as conj(FFT(conj(·))), 1/m folded into bh
  for (let k = 0; k < m; k++) {
    const p = r + (<usize>k << 5), t = bh + <usize>k * tws;
    const xr = v128.load(p), xi = v128.load(p, 16);
    const wr = v128.load_splat<T>(t), wi = v128.load_splat<T>(t + sizeof<T>());
    v128.store(p, cmulRe<T>(xr, xi, wr, wi));
    v128.store(p, v128.neg<T>(cmulIm<T>(xr, xi, wr, wi)), 16);
  }
  const r2 = cfft<T>(sub, r, r == c ? d : c, sc2);
  // X_k = w_k · conj(r2_k)
  for (let k = 0; k < n; k++) {
    const p = r2 + (<usize>k << 5), q = a + (<usize>k << 5), t = w + <usize>k * tws;
    const xr = v128.load(p), xi = v128.neg<T>(v128.load(p, 16));
    const wr = v128.load_splat<T>(t), wi = v128.load_splat<T>(t + sizeof<T>());
    v128.store(q, cmulRe<T>(xr, xi, wr, wi));
    v128.store(q, cmulIm<T>(xr, xi, wr, wi), 16);
  }
  return a;
}
