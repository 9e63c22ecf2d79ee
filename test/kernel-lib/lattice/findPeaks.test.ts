import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';
import ndarray from 'ndarray';

type Truth = { label: string; kxInvA: number; kyInvA: number; dA: number; amplitudeInImage: number };

/** The found peak at ±g of a true reflection (within 0.003 1/Å), or undefined. */
function match(peaks: lowdose.lattice.Peak[], t: { kxInvA: number; kyInvA: number }): lowdose.lattice.Peak | undefined {
  return peaks.find(p => Math.min(Math.hypot(p.kxInvA - t.kxInvA, p.kyInvA - t.kyInvA), Math.hypot(p.kxInvA + t.kxInvA, p.kyInvA + t.kyInvA)) < 0.003);
}

describe('lattice.findPeaks', function () {
  this.timeout(120000);
  // science.md Part 2: α-NNB [001] with the doubled-cell (½00) spots, 1024² at p = 0.5 Å, 38.5 e⁻/Å² (Fig. 1), η = 0.9.
  const SEEDS = [1, 2, 3, 4, 5];
  const runs: Array<{ truth: Truth[]; peaks: lowdose.lattice.Peak[] }> = [];
  before(() => {
    for (const seed of SEEDS) {
      const img = lowdose.simulate.crystalImage({ seed, shape: [1024, 1024], inPlaneRotationDeg: 23 * seed + 5 });
      const truth = (img.metadata.reflections as Truth[]).filter(r => r.amplitudeInImage > 0);
      runs.push({ truth, peaks: lowdose.lattice.findPeaks(lowdose.fft.powerSpectrum(img), { minDA: 2, maxDA: 12 }) });
    }
  });

  it('findPeaks() recovers every transferred reflection of a simulated α-NNB image (1024², 38.5 e⁻/Å²) within 0.1 % in d, bias ≤ 0.05 % over 5 seeds', () => {
    const errors: { [label: string]: number[] } = {};
    for (const { truth, peaks } of runs) {
      assert.equal(peaks.length, truth.length, 'one peak per transferred Friedel pair, nothing else');
      for (const t of truth) {
        const p = match(peaks, t);
        assert.ok(p, `${t.label} found`);
        const e = p.dA / t.dA - 1;
        assert.ok(Math.abs(e) < 1e-3, `${t.label}: d error ${(100 * e).toFixed(4)} %`);
        (errors[t.label] ??= []).push(e);
      }
    }
    const all = Object.values(errors).flat();
    const mean = (a: number[]): number => a.reduce((s, x) => s + x, 0) / a.length;
    assert.ok(Math.abs(mean(all)) <= 5e-4, `overall bias ${(100 * mean(all)).toFixed(4)} %`);
    for (const [label, e] of Object.entries(errors)) assert.ok(Math.abs(mean(e)) <= 5e-4, `${label}: bias ${(100 * mean(e)).toFixed(4)} %`);
  });

  it('findPeaks() gives the calibration-free ratio |g(4.7 Å)|/|g(9.4 Å)| = 2.000 ± 0.002 in every seed', () => {
    for (const { truth, peaks } of runs) {
      const g100 = match(peaks, truth.find(t => t.label === '(1 0 0)') as Truth) as lowdose.lattice.Peak;
      const gHalf = match(peaks, truth.find(t => t.label === '(1/2 0 0)') as Truth) as lowdose.lattice.Peak;
      const ratio = g100.gInvA / gHalf.gInvA;
      assert.ok(Math.abs(ratio - 2) <= 0.002, `ratio ${ratio}`);
    }
  });

  it('findPeaks() lists spots strongest first, each Friedel pair once (kx > 0) with its mate, angleDeg = atan2(ky, kx) and d = 1/|g|', () => {
    for (const { peaks } of runs) {
      for (let i = 1; i < peaks.length; i++) assert.ok(peaks[i - 1].intensity >= peaks[i].intensity);
      for (const p of peaks) {
        assert.ok(p.kxInvA > 0 || (p.kxInvA === 0 && p.kyInvA > 0));
        assert.equal(p.friedelMate.kxInvA, -p.kxInvA);
        assert.equal(p.friedelMate.kyInvA, -p.kyInvA);
        assert.ok(Math.abs(p.angleDeg - (Math.atan2(p.kyInvA, p.kxInvA) * 180) / Math.PI) < 1e-12);
        assert.ok(Math.abs(Math.abs(p.friedelMate.angleDeg - p.angleDeg) - 180) < 1e-9);
        assert.ok(Math.abs(p.dA * Math.hypot(p.kxInvA, p.kyInvA) - 1) < 1e-12);
        assert.ok(p.snr >= 9 && p.refinedBy === 'upsampled-dft');
        assert.ok(!peaks.some(q => q !== p && Math.hypot(q.kxInvA + p.kxInvA, q.kyInvA + p.kyInvA) < 0.003), 'mate not listed');
      }
    }
  });

  it('refinePeak() snaps a click 2 px off onto the spot; the upsampled DFT is unbiased (≤ 0.002 %) where parabolic refinement on the pixel grid is off by up to ~0.03 %', () => {
    let worstParabolic = 0;
    for (const seed of [1, 2, 3, 4]) {
      const img = lowdose.simulate.crystalImage({ seed, noise: false, inPlaneRotationDeg: 11 * seed });
      const ps = lowdose.fft.powerSpectrum(img);
      const t = (img.metadata.reflections as Truth[])[0];
      const byVector = lowdose.lattice.refinePeak(ps, { kxInvA: t.kxInvA, kyInvA: t.kyInvA });
      assert.ok(Math.abs(byVector.dA / t.dA - 1) <= 2e-5, `DFT d error ${byVector.dA / t.dA - 1}`);
      assert.ok(Math.abs(byVector.angleDeg - (Math.atan2(t.kyInvA, t.kxInvA) * 180) / Math.PI) < 2e-3);
      const row = t.kyInvA / ps.axes[0].scale + Math.floor(512 / 2) + 2;
      const col = t.kxInvA / ps.axes[1].scale + Math.floor(512 / 2) - 1.5;
      const byClick = lowdose.lattice.refinePeak(ps, { row, col });
      assert.ok(Math.hypot(byClick.kxInvA - byVector.kxInvA, byClick.kyInvA - byVector.kyInvA) < 1e-3 * ps.axes[1].scale);
      // Without its source (a spectrum copied by spread) only the pixel grid is left.
      const bare = { ...ps, metadata: { ...ps.metadata } } as lowdose.fft.PowerSpectrum;
      const par = lowdose.lattice.refinePeak(bare, t);
      assert.equal(par.refinedBy, 'parabolic');
      worstParabolic = Math.max(worstParabolic, Math.abs(par.dA / t.dA - 1));
    }
    assert.ok(worstParabolic > 1e-4, `parabolic worst error ${worstParabolic}`);
  });

  it('findPeaks() finds no spot in pure Poisson noise at its default (family-wise) threshold', () => {
    let found = 0;
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const draw = lowdose.simulate.poisson(lowdose.simulate.rng(100 + seed));
      const img = lowdose.imageDataset(Float32Array.from({ length: 256 * 256 }, () => draw(8.66)), [256, 256], { pixelSizeA: 0.5 });
      for (const window of ['hann', 'periodic-smooth'] as const) found += lowdose.lattice.findPeaks(img, { window }).length;
    }
    assert.ok(found <= 1, `${found} false spots in 12 noise spectra (expected 0.12)`);
  });

  it('findPeaks() measures fringes on a non-square image with non-square pixels within 0.005 %', () => {
    const [rows, cols, py, px] = [300, 416, 0.45, 0.6];
    const g = [
      { kxInvA: 1 / 5.3, kyInvA: 0.05 },
      { kxInvA: -0.08, kyInvA: 1 / 4.1 }
    ];
    const v = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        v[r * cols + c] = 100 * (1 + g.reduce((s, q) => s + 0.2 * Math.cos(2 * Math.PI * (q.kxInvA * c * px + q.kyInvA * r * py)), 0));
      }
    }
    const img = lowdose.makeDataset(ndarray(v, [rows, cols]), { axes: [{ scale: py, units: 'A' }, { scale: px, units: 'A' }] });
    const peaks = lowdose.lattice.findPeaks(img, { maxPeaks: 4 });
    assert.equal(peaks.length, 2);
    for (const q of g) {
      const p = match(peaks, q) as lowdose.lattice.Peak;
      assert.ok(p, 'found');
      assert.ok(Math.abs(p.dA * Math.hypot(q.kxInvA, q.kyInvA) - 1) < 5e-5, `d error ${p.dA * Math.hypot(q.kxInvA, q.kyInvA) - 1}`);
    }
  });

  it('findPeaks() and refinePeak() validate their options', () => {
    const img = lowdose.simulate.crystalImage({ shape: [64, 64], seed: 1 });
    const ps = lowdose.fft.powerSpectrum(img);
    assert.throws(() => lowdose.lattice.findPeaks(ps, { minDA: 5, maxDA: 3 }), lowdose.ValueError);
    assert.throws(() => lowdose.lattice.findPeaks(ps, { maxPeaks: 0 }), lowdose.ValueError);
    assert.throws(() => lowdose.lattice.findPeaks(ps, { boxPx: 4 as 3 }), lowdose.ValueError);
    assert.throws(() => lowdose.lattice.findPeaks(ps, { annulusPx: [1, 3] }), lowdose.ValueError);
    assert.throws(() => lowdose.lattice.findPeaks(ndarray(new Float32Array(64 * 64), [64, 64])), lowdose.CalibrationError);
    assert.throws(() => lowdose.lattice.refinePeak(ps, { x: 1 } as unknown as lowdose.lattice.PeakStart), lowdose.ValueError);
    assert.throws(() => lowdose.lattice.refinePeak(ps, { row: 32, col: 32 }, { searchRadiusPx: 0 }), lowdose.ValueError);
  });
});
