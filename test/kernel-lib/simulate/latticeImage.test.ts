import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';

describe('simulate', () => {
  it('rng() repeats its sequence for a seed and differs between seeds', () => {
    const a = lowdose.simulate.rng(42);
    const b = lowdose.simulate.rng(42);
    const c = lowdose.simulate.rng(43);
    const sa = Array.from({ length: 5 }, () => a.next());
    assert.deepEqual(sa, Array.from({ length: 5 }, () => b.next()));
    assert.notDeepEqual(sa, Array.from({ length: 5 }, () => c.next()));
    assert.ok(sa.every(x => x >= 0 && x < 1));
  });

  it('rng().normal() has mean 0 and standard deviation 1 within 4 standard errors (n = 200000)', () => {
    const r = lowdose.simulate.rng(5);
    const n = 200000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const x = r.normal();
      s += x;
      s2 += x * x;
    }
    const mean = s / n;
    const variance = s2 / n - mean * mean;
    assert.ok(Math.abs(mean) < 4 / Math.sqrt(n), `mean ${mean}`);
    assert.ok(Math.abs(variance - 1) < 4 * Math.sqrt(2 / n), `variance ${variance}`);
  });

  for (const mean of [0.24, 3.7, 12, 250]) {
    it(`poisson() at mean ${mean} has mean and variance equal to ${mean} within 4 standard errors`, () => {
      const draw = lowdose.simulate.poisson(lowdose.simulate.rng(11));
      const n = 100000;
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < n; i++) {
        const k = draw(mean);
        assert.ok(Number.isInteger(k) && k >= 0);
        s += k;
        s2 += k * k;
      }
      const m = s / n;
      const v = s2 / n - m * m;
      assert.ok(Math.abs(m - mean) < 4 * Math.sqrt(mean / n), `mean ${m}`);
      // Var of the sample variance of a Poisson ≈ (μ + 2μ²)/n.
      assert.ok(Math.abs(v - mean) < 4 * Math.sqrt((mean + 2 * mean * mean) / n), `variance ${v}`);
    });
  }

  it('poisson() P(0) at mean 0.24 equals exp(−0.24) within 4 standard errors', () => {
    const draw = lowdose.simulate.poisson(lowdose.simulate.rng(3));
    const n = 100000;
    let zeros = 0;
    for (let i = 0; i < n; i++) if (draw(0.24) === 0) zeros++;
    const p = Math.exp(-0.24);
    assert.ok(Math.abs(zeros / n - p) < 4 * Math.sqrt((p * (1 - p)) / n));
  });

  it('latticeImage() noise-free has mean counts η·D·p² and the lattice period in pixels', () => {
    const img = lowdose.simulate.latticeImage({ shape: [128, 128], pixelSizeA: 0.5, latticeA: 5, doseEPerA2: 40, countsPerElectron: 0.9, noise: false });
    const d = lowdose.stats.describe(img);
    assert.ok(Math.abs(d.mean - 0.9 * 40 * 0.25) < 1e-4, `mean ${d.mean}`);
    // 5 Å / 0.5 Å = 10 px period along rows and columns (away from the edges).
    for (const [r, c] of [[40, 40], [57, 61], [80, 33]]) {
      assert.ok(Math.abs(img.data.get(r, c) - img.data.get(r, c + 10)) < 1e-4);
      assert.ok(Math.abs(img.data.get(r, c) - img.data.get(r + 10, c)) < 1e-4);
    }
    assert.equal(img.axes[0].scale, 0.5);
    assert.equal(img.axes[1].units, 'A');
    assert.equal(img.metadata.meanCountsPerPx, 9);
  });

  it('latticeImage() with noise is seeded, integer-valued, and its mean matches the dose', () => {
    const opts = { shape: [128, 128] as [number, number], doseEPerA2: 20, seed: 9 };
    const a = lowdose.simulate.latticeImage(opts);
    const b = lowdose.simulate.latticeImage(opts);
    assert.deepEqual(Array.from(a.data.data as Float32Array), Array.from(b.data.data as Float32Array));
    const d = lowdose.stats.describe(a);
    const expected = 20 * 0.25;
    assert.ok(Math.abs(d.mean - expected) < 4 * Math.sqrt(expected / d.count));
    assert.ok((a.data.data as Float32Array).every(v => Number.isInteger(v) && v >= 0));
  });

  it('latticeImage() rejects a non-positive pixel size with a message naming it', () => {
    assert.throws(() => lowdose.simulate.latticeImage({ pixelSizeA: 0 }), /latticeImage: pixelSizeA must be a positive number; got 0/);
  });
});
