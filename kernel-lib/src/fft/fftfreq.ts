/**
 * Sample frequencies of the DFT (numpy.fft.fftfreq / rfftfreq). With the pixel size in Å as `d`
 * the frequencies are spatial frequencies in 1/Å.
 */
import { ValueError } from '../errors';

function check(n: number, d: number, fn: string): void {
  if (!(Number.isInteger(n) && n >= 1)) throw new ValueError(`${fn}: n must be a positive integer; got ${n}.`);
  if (!(Number.isFinite(d) && d !== 0)) throw new ValueError(`${fn}: d (sample spacing, e.g. pixelSizeA) must be finite and non-zero; got ${d}.`);
}

/**
 * Frequencies of the n outputs of a length-n DFT: `[0, 1, …, ceil(n/2)−1, −floor(n/2), …, −1] / (n·d)`.
 * @param n - transform length.
 * @param d - sample spacing (default 1; the pixel size in Å gives 1/Å).
 * @returns Float64Array of n frequencies in 1/(unit of d).
 * @throws ValueError for n not a positive integer or d zero / not finite.
 * @example const kxInvA = lowdose.fft.fftfreq(3710, 0.52);
 */
export function fftfreq(n: number, d = 1): Float64Array {
  check(n, d, 'fftfreq');
  const out = new Float64Array(n);
  const half = Math.ceil(n / 2);
  for (let i = 0; i < n; i++) out[i] = (i < half ? i : i - n) / (n * d);
  return out;
}

/**
 * Frequencies of the floor(n/2)+1 outputs of a length-n real DFT (the columns of rfft2): `[0, 1, …, floor(n/2)] / (n·d)`.
 * @param n - transform length (of the real input).
 * @param d - sample spacing (default 1; the pixel size in Å gives 1/Å).
 * @returns Float64Array of floor(n/2)+1 frequencies.
 * @throws ValueError as {@link fftfreq}.
 * @example const kxInvA = lowdose.fft.rfftfreq(3710, 0.52);
 */
export function rfftfreq(n: number, d = 1): Float64Array {
  check(n, d, 'rfftfreq');
  const m = Math.floor(n / 2) + 1;
  const out = new Float64Array(m);
  for (let i = 0; i < m; i++) out[i] = i / (n * d);
  return out;
}
