import { Dataset, NdArray, dtypeOf, isDataset, isNdArray } from '../types/dataset';
import { ValueError } from '../errors';

/** Summary statistics of an array (NaNs excluded and counted). */
export interface Description {
  shape: number[];
  dtype: string;
  count: number;
  nanCount: number;
  min: number;
  max: number;
  mean: number;
  /** Population standard deviation (numpy's default, ddof = 0). */
  std: number;
  sum: number;
}

/**
 * Shape, dtype, min, max, mean, standard deviation and sum of a Dataset or ndarray.
 * Uses Welford's update, so large counts images keep full precision.
 * @example lowdose.stats.describe(img) // → { shape: [256, 256], mean: 0.24, … }
 */
export function describe(x: Dataset | NdArray): Description {
  const a = isDataset(x) ? x.data : x;
  if (!isNdArray(a)) {
    throw new ValueError('describe: x must be a Dataset or an ndarray; got ' + typeof x + '.');
  }
  let count = 0;
  let nanCount = 0;
  let mean = 0;
  let m2 = 0;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  forEachValue(a, v => {
    if (v !== v) {
      nanCount++;
      return;
    }
    count++;
    sum += v;
    const delta = v - mean;
    mean += delta / count;
    m2 += delta * (v - mean);
    if (v < min) min = v;
    if (v > max) max = v;
  });
  return {
    shape: a.shape.slice(),
    dtype: dtypeOf(a),
    count,
    nanCount,
    min: count ? min : NaN,
    max: count ? max : NaN,
    mean: count ? mean : NaN,
    std: count ? Math.sqrt(m2 / count) : NaN,
    sum
  };
}

/** Calls `fn` on every element of an any-dimensional, any-strided ndarray in row-major order. */
export function forEachValue(a: NdArray, fn: (v: number) => void): void {
  const shape = a.shape;
  const stride = a.stride;
  const d = a.data;
  const ndim = shape.length;
  if (shape.some(s => s === 0)) return;
  if (ndim === 0) {
    fn(d[a.offset]);
    return;
  }
  const idx = new Array<number>(ndim).fill(0);
  const last = ndim - 1;
  const n = shape[last];
  const sLast = stride[last];
  for (;;) {
    let base = a.offset;
    for (let k = 0; k < last; k++) base += idx[k] * stride[k];
    for (let i = 0; i < n; i++) fn(d[base + i * sLast]);
    let k = last - 1;
    while (k >= 0) {
      idx[k]++;
      if (idx[k] < shape[k]) break;
      idx[k] = 0;
      k--;
    }
    if (k < 0) return;
  }
}
