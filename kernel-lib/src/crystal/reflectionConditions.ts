import { ValueError } from '../errors';

/**
 * Reflection (extinction) conditions in the notation of the International Tables for
 * Crystallography Vol. A, §2.2.13: `'<class>: <linear form>=<m>n'`, e.g. `'hkl: h+k=2n'` (C centring),
 * `'0kl: k=2n'` (b glide ⊥ a), `'h0l: l=2n'`, `'hhl: l=2n'`, `'h00: h=4n'`.
 *
 * The class is three symbols, one per index: `0` (that index is zero), or a letter `h`, `k`, `l`
 * naming the index; a repeated letter means those indices are equal (`hhl`: h = k). A condition
 * applies only to reflections of its class; a reflection is allowed when every applicable
 * condition holds. Fractional (supercell) indices are outside the cell's symmetry: always allowed.
 */
export interface ReflectionCondition {
  /** The source text, e.g. `'0kl: k=2n'`. */
  text: string;
  /** Returns true when the condition applies to (h, k, l) and is violated. */
  forbids(hkl: ArrayLike<number>): boolean;
}

const CLASS_RE = /^([0hkl])([0hkl])([0hkl])$/;
const TERM_RE = /([+-]?)(\d*)([hkl])/g;

/**
 * Parses one condition string.
 * @throws ValueError for text that does not follow `'<class>: <form>=<m>n'`.
 * @example parseReflectionCondition('0kl: k=2n').forbids([0, 1, 1]); // true
 */
export function parseReflectionCondition(text: string): ReflectionCondition {
  const bad = (why: string): ValueError =>
    new ValueError(
      `parseReflectionCondition: condition must look like '0kl: k=2n' or 'hkl: h+k+l=2n'; got ${JSON.stringify(text)} (${why}).`
    );
  if (typeof text !== 'string') throw bad('not a string');
  const parts = text.replace(/\s+/g, '').split(':');
  if (parts.length !== 2) throw bad('expected one colon');
  const cls = CLASS_RE.exec(parts[0]);
  if (!cls) throw bad('class must be three of 0, h, k, l');
  const eq = /^(.+)=(\d+)n$/.exec(parts[1]);
  if (!eq) throw bad('right-hand side must be <m>n');
  const modulus = Number(eq[2]);
  if (!(modulus >= 2)) throw bad('modulus must be ≥ 2');
  const symbols = [cls[1], cls[2], cls[3]];
  const coeff: { [letter: string]: number } = {};
  let consumed = '';
  for (const m of eq[1].matchAll(TERM_RE)) {
    const letter = m[3];
    if (!symbols.includes(letter)) throw bad(`index ${letter} is not free in class ${parts[0]}`);
    const c = (m[1] === '-' ? -1 : 1) * (m[2] === '' ? 1 : Number(m[2]));
    coeff[letter] = (coeff[letter] ?? 0) + c;
    consumed += m[0];
  }
  if (consumed !== eq[1]) throw bad('left-hand side must be a sum of ±n·h, ±n·k, ±n·l terms');
  const forbids = (hkl: ArrayLike<number>): boolean => {
    const bound: { [letter: string]: number } = {};
    for (let i = 0; i < 3; i++) {
      const v = hkl[i];
      if (!Number.isInteger(v)) return false;
      const s = symbols[i];
      if (s === '0') {
        if (v !== 0) return false;
      } else if (s in bound) {
        if (bound[s] !== v) return false;
      } else {
        bound[s] = v;
      }
    }
    let sum = 0;
    for (const letter of Object.keys(coeff)) sum += coeff[letter] * bound[letter];
    return sum % modulus !== 0;
  };
  return { text, forbids };
}

/**
 * Integral conditions implied by the lattice centring (first letter of a Hermann–Mauguin symbol):
 * P none; I h+k+l=2n; F h+k, h+l, k+l = 2n; A k+l=2n; B h+l=2n; C h+k=2n; R (hexagonal axes,
 * obverse) −h+k+l=3n.
 * @example centringConditions('Fm-3m'); // ['hkl: h+k=2n', 'hkl: h+l=2n', 'hkl: k+l=2n']
 */
export function centringConditions(spaceGroup: string | undefined, hexagonalAxes = true): string[] {
  switch ((spaceGroup ?? '').trim().charAt(0)) {
    case 'I':
      return ['hkl: h+k+l=2n'];
    case 'F':
      return ['hkl: h+k=2n', 'hkl: h+l=2n', 'hkl: k+l=2n'];
    case 'A':
      return ['hkl: k+l=2n'];
    case 'B':
      return ['hkl: h+l=2n'];
    case 'C':
      return ['hkl: h+k=2n'];
    case 'R':
      return hexagonalAxes ? ['hkl: -h+k+l=3n'] : [];
    default:
      return [];
  }
}
