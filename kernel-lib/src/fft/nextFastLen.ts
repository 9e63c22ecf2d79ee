/**
 * nextFastLen: the padding length for fast transforms.
 */
import { ValueError } from '../errors';
import { smooth235 } from './_internal/plan';

/**
 * Smallest length ≥ n whose only prime factors are 2, 3 and 5 — the lengths lowdose's FFT runs
 * with its fastest radix passes (8, 4, 2, 3, 5). Zero-padding to it (for a power spectrum, say)
 * avoids the generic-radix and Bluestein paths of lengths with large prime factors:
 * nextFastLen(3838) = 3840, nextFastLen(3710) = 3750.
 * @param n - a positive integer.
 * @returns the padded length.
 * @throws ValueError for n not a positive integer.
 * @example const [py, px] = [lowdose.fft.nextFastLen(3838), lowdose.fft.nextFastLen(3710)];
 */
export function nextFastLen(n: number): number {
  if (!(Number.isInteger(n) && n >= 1)) throw new ValueError(`nextFastLen: n must be a positive integer; got ${n}.`);
  return smooth235(n);
}
