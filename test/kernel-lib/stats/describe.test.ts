import assert from 'node:assert/strict';
import ndarray from 'ndarray';
import * as lowdose from 'lowdose';

describe('stats', () => {
  it('describe() gives numpy-equal min, max, mean and population std, skipping NaN', () => {
    const values = Float64Array.from([1, 2, 3, 4, NaN, 10]);
    const d = lowdose.stats.describe(ndarray(values, [2, 3]));
    assert.equal(d.count, 5);
    assert.equal(d.nanCount, 1);
    assert.equal(d.min, 1);
    assert.equal(d.max, 10);
    assert.equal(d.mean, 4);
    // numpy: np.nanstd([1, 2, 3, 4, 10]) = 3.1622776601683795
    assert.ok(Math.abs(d.std - 3.1622776601683795) < 1e-12);
    assert.equal(d.dtype, 'float64');
  });

  it('describe() walks strided views (a stack frame) exactly', () => {
    const stack = ndarray(Float32Array.from({ length: 2 * 2 * 3 }, (_, i) => i), [2, 2, 3]);
    const frame1 = stack.pick(1, null, null);
    const d = lowdose.stats.describe(frame1);
    assert.deepEqual([d.min, d.max, d.sum], [6, 11, 51]);
  });

  it('percentiles() interpolates linearly between order statistics as numpy does', () => {
    const v = Float64Array.from({ length: 101 }, (_, i) => 100 - i);
    assert.deepEqual(lowdose.stats.percentiles(v, [0, 12.5, 50, 100]), [0, 12.5, 50, 100]);
    // numpy.percentile([1, 2, 4, 8], 40) = 2.4
    assert.ok(Math.abs(lowdose.stats.percentiles([1, 8, 2, 4], [40])[0] - 2.4) < 1e-12);
  });

  it('percentiles() rejects q outside [0, 100]', () => {
    assert.throws(() => lowdose.stats.percentiles([1, 2], [101]), lowdose.ValueError);
  });
});
