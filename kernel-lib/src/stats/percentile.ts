import { ValueError } from '../errors';

/** Most values {@link percentiles} sorts; larger inputs are subsampled on an even stride. */
export const PERCENTILE_SAMPLE_LIMIT = 1 << 20;

/**
 * Percentiles of the finite values, with linear interpolation between order statistics
 * (numpy's default method). Inputs longer than {@link PERCENTILE_SAMPLE_LIMIT} are subsampled on an
 * even stride first, which is plenty for contrast limits and keeps a 4096² image fast.
 *
 * @param values - any array of numbers; NaN and ±Infinity are ignored.
 * @param q - percentiles in [0, 100].
 * @returns one value per requested percentile (NaN when no finite value exists).
 */
export function percentiles(values: ArrayLike<number>, q: number[]): number[] {
  for (const p of q) {
    if (!(p >= 0 && p <= 100)) {
      throw new ValueError(`percentiles: q must lie in [0, 100]; got ${p}.`);
    }
  }
  const stride = Math.max(1, Math.ceil(values.length / PERCENTILE_SAMPLE_LIMIT));
  const sample = new Float64Array(Math.ceil(values.length / stride));
  let n = 0;
  for (let i = 0; i < values.length; i += stride) {
    const v = values[i];
    if (Number.isFinite(v)) sample[n++] = v;
  }
  if (n === 0) return q.map(() => NaN);
  const sorted = sample.subarray(0, n).sort();
  return q.map(p => {
    const pos = (p / 100) * (n - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(lo + 1, n - 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  });
}
