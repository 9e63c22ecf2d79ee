/** Rational approximations of Miller indices (supercell reflections carry fractions such as ½). */

/** Greatest common divisor of two non-negative integers. */
export function gcd(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Smallest denominator q ≤ maxDen with |x·q − round(x·q)| ≤ tol·q, or 0 when none. */
export function denominatorOf(x: number, maxDen = 12, tol = 1e-6): number {
  for (let q = 1; q <= maxDen; q++) {
    if (Math.abs(x * q - Math.round(x * q)) <= tol * q) return q;
  }
  return 0;
}

/** Least common multiple of the denominators of an index triple (1 for integers; 0 if irrational-looking). */
export function commonDenominator(hkl: ArrayLike<number>, maxDen = 12): number {
  let l = 1;
  for (let i = 0; i < 3; i++) {
    const q = denominatorOf(hkl[i], maxDen);
    if (q === 0) return 0;
    l = (l * q) / gcd(l, q);
  }
  return l;
}

/** One index as text: `1`, `-2`, `1/2`, `-3/2`. */
export function formatIndex(x: number, maxDen = 12): string {
  const q = denominatorOf(x, maxDen);
  if (q === 0) return x.toFixed(3);
  const p = Math.round(x * q);
  if (q === 1) return String(p);
  return `${p}/${q}`;
}

/** `(1 0 0)`, `(1/2 0 0)`, `(1 -1 0)`: plain-ASCII Miller label with minus signs instead of bars. */
export function formatHkl(hkl: ArrayLike<number>, brackets: '()' | '[]' = '()'): string {
  return `${brackets[0]}${formatIndex(hkl[0])} ${formatIndex(hkl[1])} ${formatIndex(hkl[2])}${brackets[1]}`;
}
