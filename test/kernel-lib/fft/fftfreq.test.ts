import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';
import { numpy } from './numpyRef';

describe('fft.fftfreq / rfftfreq / nextFastLen', () => {
  it('fftfreq() and rfftfreq() match numpy, in 1/Å for a pixel size in Å', () => {
    const empty = { x: { data: new Float64Array(1), shape: [1] } };
    for (const [n, d] of [[1, 1], [8, 1], [9, 0.52], [3710, 0.52]]) {
      const ref = numpy(`out["f"] = np.fft.fftfreq(${n}, ${d})\nout["r"] = np.fft.rfftfreq(${n}, ${d})`, empty);
      const f = lowdose.fft.fftfreq(n, d), r = lowdose.fft.rfftfreq(n, d);
      assert.equal(f.length, ref.f.re.length);
      assert.equal(r.length, ref.r.re.length);
      f.forEach((v, i) => assert.ok(Math.abs(v - ref.f.re[i]) <= 1e-15 * Math.max(1, Math.abs(v)), `fftfreq(${n}, ${d})[${i}]`));
      r.forEach((v, i) => assert.ok(Math.abs(v - ref.r.re[i]) <= 1e-15 * Math.max(1, Math.abs(v)), `rfftfreq(${n}, ${d})[${i}]`));
    }
    assert.throws(() => lowdose.fft.fftfreq(0), lowdose.ValueError);
    assert.throws(() => lowdose.fft.rfftfreq(4, 0), lowdose.ValueError);
  });

  it('nextFastLen() returns the smallest 2^a·3^b·5^c ≥ n (3838 → 3840, 3710 → 3750)', () => {
    const smooth = (m: number) => {
      for (const p of [2, 3, 5]) while (m % p === 0) m /= p;
      return m === 1;
    };
    for (let n = 1; n <= 5000; n++) {
      let want = n;
      while (!smooth(want)) want++;
      assert.equal(lowdose.fft.nextFastLen(n), want, `n = ${n}`);
    }
    assert.equal(lowdose.fft.nextFastLen(3838), 3840);
    assert.equal(lowdose.fft.nextFastLen(3710), 3750);
    assert.throws(() => lowdose.fft.nextFastLen(2.5), lowdose.ValueError);
  });
});
