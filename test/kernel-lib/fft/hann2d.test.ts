import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';
import { numpy } from './numpyRef';

describe('fft.hann2d', () => {
  it('hann2d() is the outer product of numpy.hanning (symmetric) or the periodic Hann window', () => {
    const empty = { x: { data: new Float64Array(1), shape: [1] } };
    for (const [ny, nx] of [[1, 1], [4, 7], [16, 9]]) {
      const ref = numpy(
        `out["s"] = np.outer(np.hanning(${ny}), np.hanning(${nx}))\n` +
          `p = lambda n: 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n) if n > 1 else np.ones(1)\n` +
          `out["p"] = np.outer(p(${ny}), p(${nx}))`,
        empty
      );
      const s = lowdose.fft.hann2d([ny, nx]), p = lowdose.fft.hann2d([ny, nx], { periodic: true });
      assert.deepEqual(s.shape, [ny, nx]);
      (s.data as Float64Array).forEach((v, i) => assert.ok(Math.abs(v - ref.s.re[i]) < 1e-15, `symmetric ${ny}×${nx} [${i}]`));
      (p.data as Float64Array).forEach((v, i) => assert.ok(Math.abs(v - ref.p.re[i]) < 1e-15, `periodic ${ny}×${nx} [${i}]`));
    }
    assert.throws(() => lowdose.fft.hann2d([0, 4]), lowdose.ShapeError);
  });
});
