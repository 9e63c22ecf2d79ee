import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';
import ndarray from 'ndarray';

type Truth = { dA: number; amplitudeInImage: number };
type Image = lowdose.Dataset;

/**
 * Even/odd half sums of a 40-frame exposure (38.5 e⁻/Å² in all, science.md Part 2): two independent
 * Poisson draws of half the dose from the same noise-free object, and their sum.
 */
function halves(options: lowdose.simulate.CrystalImageOptions, seed: number): { full: Image; even: Image; odd: Image; finestA: number } {
  const expected = lowdose.simulate.crystalImage({ ...options, noise: false, doseEPerA2: 38.5 / 2 });
  const [rows, cols] = expected.data.shape;
  const mean = Float64Array.from(expected.data.data as Float32Array);
  const even = lowdose.simulate.poissonNoise(mean, lowdose.simulate.rng(1000 + 2 * seed));
  const odd = lowdose.simulate.poissonNoise(mean, lowdose.simulate.rng(1001 + 2 * seed));
  const full = even.map((v, i) => v + odd[i]);
  const image = (v: Float32Array): Image => lowdose.imageDataset(v, [rows, cols], { pixelSizeA: 0.5, metadata: { signalUnits: 'counts' } });
  const transferred = (expected.metadata.reflections as Truth[]).filter(r => r.amplitudeInImage > 0);
  return { full: image(full), even: image(even), odd: image(odd), finestA: Math.min(...transferred.map(r => r.dA)) };
}

/** α-NNB [001] fringes (a = 4.695 Å) with (110), (200) and optionally (210) weak: S ≈ 10–25 in the full sum. */
function weakOuter(rotationDeg: number, with210: boolean): lowdose.simulate.ReflectionSpec[] {
  const a = 4.695;
  const w = 0.013;
  const r = (dA: number, angleDeg: number, amplitude: number): lowdose.simulate.ReflectionSpec => ({ dA, angleDeg: angleDeg + rotationDeg, amplitude });
  const t210 = (Math.atan2(1, 2) * 180) / Math.PI;
  return [
    r(a, 0, 0.15),
    r(a, 90, 0.15),
    r(2 * a, 0, 0.045),
    r(a / Math.SQRT2, 45, 1.4 * w),
    r(a / Math.SQRT2, -45, 1.4 * w),
    r(a / 2, 0, w),
    r(a / 2, 90, w),
    r(a / Math.sqrt(5), t210, with210 ? w : 0),
    r(a / Math.sqrt(5), 90 - t210, with210 ? w : 0)
  ];
}

describe('lattice.informationLimit', function () {
  this.timeout(120000);

  it('informationLimit() reports the finest transferred reflection (within 1 %), claims nothing finer, and follows the simulated limit (2.2 → 3.0 → 4.0 Å)', () => {
    for (const [limitA, expectedA] of [
      [2.2, 2.3475],
      [3.0, 3.3199],
      [4.0, 4.695]
    ]) {
      for (const seed of [1, 2]) {
        const h = halves({ seed, informationLimitA: limitA, inPlaneRotationDeg: 13 * seed + 4 }, seed);
        assert.ok(Math.abs(h.finestA - expectedA) < 1e-3);
        const r = lowdose.lattice.informationLimit(h.full, { halves: [h.even, h.odd] });
        assert.ok(r.resolutionA !== null && Math.abs(r.resolutionA / h.finestA - 1) < 0.01, `limit ${limitA}: got ${r.resolutionA}, truth ${h.finestA}`);
        for (const s of r.spots) {
          assert.ok(s.dA >= h.finestA * 0.99, `claimed ${s.dA} Å beyond the simulated ${h.finestA} Å`);
          assert.ok(s.snrHalves !== null && s.snrHalves[0] >= 3 && s.snrHalves[1] >= 3);
        }
        assert.equal(r.threshold, 3);
        assert.ok(r.testedPositions > r.spots.length && r.expectedFalseSpots < 0.05);
        assert.equal(r.lattices.length, 1);
      }
    }
  });

  it('informationLimit() confirms weak outer reflections (S ≈ 10–25 in the full sum) and moves from 2.35 Å to 2.10 Å when the (210) fringes are transferred', () => {
    for (const seed of [1, 2, 3]) {
      const without = halves({ seed, reflections: weakOuter(19 * seed, false), informationLimitA: 0 }, seed);
      const r1 = lowdose.lattice.informationLimit(without.full, { halves: [without.even, without.odd] });
      assert.ok(r1.resolutionA !== null && Math.abs(r1.resolutionA / 2.3475 - 1) < 0.01, `without (210): ${r1.resolutionA}`);
      assert.ok(r1.spots.every(s => s.dA > 2.3475 * 0.99));
      const withIt = halves({ seed, reflections: weakOuter(19 * seed, true), informationLimitA: 0 }, seed);
      const r2 = lowdose.lattice.informationLimit(withIt.full, { halves: [withIt.even, withIt.odd] });
      assert.ok(r2.resolutionA !== null && Math.abs(r2.resolutionA / 2.0997 - 1) < 0.01, `with (210): ${r2.resolutionA}`);
    }
  });

  it('informationLimit() moves to coarser d as a smooth envelope damps the outer reflections', () => {
    const limits = [0, 40, 120].map(envelopeBA2 => {
      const h = halves({ seed: 4, envelopeBA2, informationLimitA: 0 }, 4);
      return lowdose.lattice.informationLimit(h.full, { halves: [h.even, h.odd] }).resolutionA as number;
    });
    assert.ok(limits[0] < limits[1] && limits[1] < limits[2], `limits ${limits.join(', ')}`);
  });

  it('informationLimit() on pure noise claims nothing, and half-set confirmation passes ≤ 1e-3 of tested positions (≈ 8.5e-5 expected)', () => {
    let tested = 0;
    let confirmed = 0;
    let rate = 0;
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const h = halves({ seed, shape: [256, 256], reflections: [{ dA: 4.7, angleDeg: 0, amplitude: 0 }], amorphous: { contrast: 0 } }, seed);
      const search = lowdose.lattice.informationLimit(h.full, { halves: [h.even, h.odd] });
      assert.equal(search.resolutionA, null);
      assert.deepEqual(search.spots, []);
      const random = lowdose.simulate.rng(seed);
      const positions = Array.from({ length: 2000 }, () => {
        const k = 0.05 + 0.9 * random.next();
        const t = Math.PI * (random.next() - 0.5);
        return { kxInvA: k * Math.cos(t), kyInvA: k * Math.sin(t) };
      });
      const r = lowdose.lattice.informationLimit(h.full, { halves: [h.even, h.odd], positions });
      tested += r.testedPositions;
      confirmed += r.spots.length;
      rate = r.falseSpotRatePerPosition;
    }
    assert.equal(tested, 12000);
    assert.ok(rate > 5e-5 && rate < 1.2e-4, `model rate ${rate}`);
    assert.ok(confirmed / tested <= 1e-3, `${confirmed} of ${tested} positions confirmed on noise`);
  });

  it('informationLimit() without half sums warns and asks S ≥ 5 in the one image; it refuses halves of another shape', () => {
    const h = halves({ seed: 5, shape: [256, 256] }, 5);
    const r = lowdose.lattice.informationLimit(h.full);
    assert.equal(r.threshold, 5);
    assert.match(r.warnings[0], /No half sums/);
    assert.ok(r.resolutionA !== null && Math.abs(r.resolutionA / h.finestA - 1) < 0.01);
    const ps = lowdose.fft.powerSpectrum(h.full, { window: 'periodic-smooth' });
    const viaSpectrum = lowdose.lattice.informationLimit(ps, { halves: [h.even.data, h.odd.data] });
    assert.ok(viaSpectrum.resolutionA !== null && Math.abs(viaSpectrum.resolutionA / h.finestA - 1) < 0.01);
    assert.throws(() => lowdose.lattice.informationLimit(h.full, { halves: [h.even, ndarray(new Float32Array(16), [4, 4])] }), lowdose.ShapeError);
    assert.throws(() => lowdose.lattice.informationLimit(h.full, { halves: [h.even] as unknown as [Image, Image] }), lowdose.ValueError);
    assert.throws(() => lowdose.lattice.informationLimit(h.full, { threshold: NaN }), lowdose.ValueError);
  });
});
