import { ValueError } from '../errors';
import { Rng } from './rng';

/**
 * A Poisson sampler drawing from `random`: `poisson(r)(mean)` → a non-negative integer.
 *
 * Means below 10 use inversion by sequential search; larger means use Hörmann's transformed
 * rejection with squeeze (PTRS), exact for every mean.
 * Hörmann, W. (1993) "The transformed rejection method for generating Poisson random variables",
 * Insurance: Mathematics and Economics 12, 39–45. doi:10.1016/0167-6687(93)90997-4
 * @example const draw = poisson(rng(1)); draw(0.24); // usually 0, sometimes 1
 */
export function poisson(random: Rng): (mean: number) => number {
  return (mean: number): number => {
    if (!(mean >= 0) || !Number.isFinite(mean)) {
      throw new ValueError(`poisson: mean must be a finite number ≥ 0; got ${mean}.`);
    }
    if (mean === 0) return 0;
    return mean < 10 ? byInversion(mean, random) : byPtrs(mean, random);
  };
}

function byInversion(mean: number, random: Rng): number {
  const u = random.next();
  let k = 0;
  let p = Math.exp(-mean);
  let cdf = p;
  while (u > cdf && k < 1000) {
    k++;
    p *= mean / k;
    cdf += p;
  }
  return k;
}

function byPtrs(mean: number, random: Rng): number {
  const slam = Math.sqrt(mean);
  const logMean = Math.log(mean);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = random.next() - 0.5;
    const v = random.next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -mean + k * logMean - logFactorial(k)) {
      return k;
    }
  }
}

const LOG_FACTORIAL_TABLE: number[] = (() => {
  const t = [0];
  for (let k = 1; k < 64; k++) t.push(t[k - 1] + Math.log(k));
  return t;
})();

/** ln(k!) — exact table below 64, Stirling series (error < 1e-12) above. */
export function logFactorial(k: number): number {
  if (k < 64) return LOG_FACTORIAL_TABLE[k];
  const x = k + 1;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x * x * x);
}

/**
 * Poisson counts around an expected image (one draw per pixel), returned as float32 counts.
 * Inputs are not modified.
 */
export function poissonNoise(expected: ArrayLike<number>, random: Rng): Float32Array {
  const draw = poisson(random);
  const out = new Float32Array(expected.length);
  for (let i = 0; i < expected.length; i++) out[i] = draw(expected[i]);
  return out;
}
