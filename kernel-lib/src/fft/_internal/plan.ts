/**
 * FFT plans: factorisation, cost model (direct radix passes or Bluestein's chirp-z), twiddles.
 * The WebAssembly core (kernel-lib/assembly/fft/plan.ts) executes what is written here.
 */

/** Element type of a transform: 4-byte or 8-byte floats. */
export type Precision = 'f32' | 'f64';

/** Smallest 2^a·3^b·5^c ≥ n (n ≥ 1). */
export function smooth235(n: number): number {
  if (n <= 6) return Math.max(1, Math.ceil(n));
  let best = 2 * n;
  for (let f5 = 1; f5 < best; f5 *= 5) {
    for (let f35 = f5; f35 < best; f35 *= 3) {
      let x = f35;
      while (x < n) x *= 2;
      if (x < best) best = x;
      if (x === n) return n;
    }
  }
  return best;
}

/**
 * Radix passes for n: the power of two 2^k as radix 16 (then one radix 8 or 4 for the rest, or
 * 8·4 when k ≡ 1 mod 4; k < 4 as 8, 4 or 2), then odd factors ascending (3, 5 and generic odd radices).
 */
export function factorize(n: number): number[] {
  const f: number[] = [];
  let m = n;
  let k = 0;
  while (m % 2 === 0) {
    m /= 2;
    k++;
  }
  if (k === 1) f.push(2);
  else if (k > 1 && k < 4) f.push(1 << k);
  else if (k === 5) f.push(8, 4);
  else if (k > 1) {
    const r = k % 4;
    const sixteens = r === 1 ? Math.floor(k / 4) - 1 : Math.floor(k / 4);
    for (let i = 0; i < sixteens; i++) f.push(16);
    if (r === 2) f.push(4);
    if (r === 3) f.push(8);
    if (r === 1) f.push(8, 4);
  }
  for (let p = 3; p * p <= m; p += 2) {
    while (m % p === 0) {
      f.push(p);
      m /= p;
    }
  }
  if (m > 1) f.push(m);
  return f;
}

/**
 * Relative cost of a direct transform of length n: per element and pass, calibrated on the core
 * (radix 8: 3, 4: 2.2, 2: 1.6, 3: 3, 5: 4.5, generic odd p: 0.6·p + 2; radix 16: 3.8, estimated, not calibrated).
 */
export function directCost(n: number): number {
  let c = 0;
  for (const p of factorize(n)) c += p === 16 ? 3.8 : p === 8 ? 3 : p === 4 ? 2.2 : p === 2 ? 1.6 : p === 3 ? 3 : p === 5 ? 4.5 : 0.6 * p + 2;
  return c * n;
}

/** Bluestein convolution length for n, or 0 when direct radix passes are cheaper. */
export function bluesteinLength(n: number): number {
  if (n < 64) return 0;
  const f = factorize(n);
  if (f[f.length - 1] <= 13) return 0;
  const m = smooth235(2 * n - 1);
  // two length-m transforms plus the chirp products: 3.4 times one, as measured (3838: direct
  // 2·19·101 passes 178 µs, Bluestein over 7680 331 µs per batch of four)
  const cost = 3.4 * directCost(m);
  return cost < directCost(n) ? m : 0;
}

/** Twiddles of factor ip at l1: exp(-2πi·j·l1·i/n) for j < ip (from 1), i < ido; (re, im) pairs. */
export function twiddles(n: number, ip: number, l1: number): Float64Array {
  const ido = n / (l1 * ip);
  const out = new Float64Array(2 * (ip - 1) * ido);
  for (let j = 1; j < ip; j++) {
    for (let i = 0; i < ido; i++) {
      const [c, s] = unitRoot((j * l1 * i) % n, n);
      const k = 2 * ((j - 1) * ido + i);
      out[k] = c;
      out[k + 1] = -s;
    }
  }
  return out;
}

/** cos and sin of 2πt/p for t < p, interleaved (generic odd-radix butterflies). */
export function radixTable(p: number): Float64Array {
  const out = new Float64Array(2 * p);
  for (let t = 0; t < p; t++) {
    const [c, s] = unitRoot(t, p);
    out[2 * t] = c;
    out[2 * t + 1] = s;
  }
  return out;
}

/** Bluestein chirp w_k = exp(-πi·k²/n), k < n, interleaved. */
export function chirp(n: number): Float64Array {
  const out = new Float64Array(2 * n);
  for (let k = 0; k < n; k++) {
    const [c, s] = unitRoot((k * k) % (2 * n), 2 * n);
    out[2 * k] = c;
    out[2 * k + 1] = -s;
  }
  return out;
}

/** cos, sin of 2π·m/n, reduced to |angle| ≤ π/4 around the nearest quarter turn for accuracy. */
export function unitRoot(m: number, n: number): [number, number] {
  let k = m % n;
  if (k < 0) k += n;
  const q = Math.round((4 * k) / n) % 4;
  const r = (2 * Math.PI * (4 * k - Math.round((4 * k) / n) * n)) / (4 * n);
  const c = Math.cos(r), s = Math.sin(r);
  switch (q) {
    case 0:
      return [c, s];
    case 1:
      return [-s, c];
    case 2:
      return [-c, -s];
    default:
      return [s, -c];
  }
}
