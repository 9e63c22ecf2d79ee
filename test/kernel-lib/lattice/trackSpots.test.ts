import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';

const { lattice, simulate } = lowdose;

/** Least-squares line y = a + b·x. */
function line(x: number[], y: number[]): { a: number; b: number } {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  x.forEach((v, i) => {
    sxy += (v - mx) * (y[i] - my);
    sxx += (v - mx) ** 2;
  });
  const b = sxy / sxx;
  return { a: my - b * mx, b };
}

describe('lattice.trackSpots', function () {
  this.timeout(30000);

  it('trackSpots() measures the exact strain of a noise-free dose series (relative to frame 0, to 2e-5)', async () => {
    const s = simulate.doseSeries({ seed: 1, noise: false, frames: 10 });
    const r = await lattice.trackSpots(s, { dA: 4.7, progress: false });
    assert.equal(r.spots.length, 2);
    assert.deepEqual(r.strainSpots, [0, 1]);
    const eps = s.metadata.strain as number[];
    r.strain.forEach((q, n) => {
      const expected = (1 + eps[n]) / (1 + eps[0]) - 1; // F_n·F_0⁻¹ of a unidirectional stretch
      assert.ok(Math.abs(q.e1 - expected) < 2e-5, `frame ${n}: e1 ${q.e1} vs ${expected}`);
      assert.ok(Math.abs(q.e2) < 2e-5, `frame ${n}: e2 ${q.e2}`);
    });
    assert.ok(Math.abs(r.strain[9].angleDeg) < 0.05, `direction ${r.strain[9].angleDeg}°`);
    // d of the expanding (100) spot follows d₀·(1 + ε)
    const j = r.spots.findIndex(q => Math.abs(q.angleDeg) < 10 || Math.abs(Math.abs(q.angleDeg) - 180) < 10);
    assert.ok(Math.abs(r.dA[9][j] / r.dA[0][j] - (1 + eps[9]) / (1 + eps[0])) < 2e-5);
  });

  it('trackSpots() recovers the NNB expansion from single frames of a 512² dose series at 0.717 e⁻/Å²/frame: ε₁(21.5 e⁻/Å²) = 7.5 ± 0.2 %, |ε₂| ≤ 0.2 %, direction within 2°', async () => {
    const s = simulate.doseSeries({ seed: 5, shape: [512, 512] });
    const t0 = Date.now();
    const r = await lattice.trackSpots(s, { dA: 4.7, progress: false });
    const ms = Date.now() - t0;
    const d = r.doseEPerA2 as number[];
    assert.equal(d.length, 30);
    // slopes over the series (frame 0's own noise is a common offset of every relative strain, so it drops out)
    const e1 = 100 * 21.5 * line(d, r.strain.map(q => q.e1)).b;
    const e2 = 100 * 21.5 * line(d, r.strain.map(q => q.e2)).b;
    const angle = r.strain.slice(-10).reduce((a, q) => a + q.angleDeg, 0) / 10;
    console.log(`      ε₁(21.5) = ${e1.toFixed(3)} %, ε₂(21.5) = ${e2.toFixed(3)} %, direction ${angle.toFixed(2)}°, 30 frames in ${ms} ms`);
    assert.ok(Math.abs(e1 - 7.5) <= 0.2, `ε₁ ${e1} %`);
    assert.ok(Math.abs(e2) <= 0.2, `ε₂ ${e2} %`);
    assert.ok(Math.abs(angle) <= 2, `direction ${angle}°`);
    // the spots fade with dose (Dc ∝ 1/|g|, 60 e⁻/Å² at 9.39 Å): later frames carry less spot power
    const early = r.intensity.slice(0, 10).reduce((a, q) => a + q[0], 0);
    const late = r.intensity.slice(20).reduce((a, q) => a + q[0], 0);
    assert.ok(late < early, `intensity early ${early} late ${late}`);
  });

  it('trackSpots() takes spots from the picker, groups frames and aligns them with shiftsPx', async () => {
    const s = simulate.doseSeries({ seed: 2, frames: 12, shape: [256, 256] });
    const spots = lattice.spots([{ dA: 4.695, angleDeg: 0 }, { dA: 4.695, angleDeg: 90 }]);
    const r = await lattice.trackSpots(s, { spots, groupFrames: 3, shiftsPx: s.metadata.shiftsPx as Array<[number, number]>, progress: false });
    assert.deepEqual(r.frames, [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10, 11]]);
    assert.equal(r.dA.length, 4);
    const eps = s.metadata.strain as number[];
    const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;
    const expected = (1 + mean(eps.slice(9))) / (1 + mean(eps.slice(0, 3))) - 1;
    assert.ok(Math.abs(r.strain[3].e1 - expected) < 0.004, `grouped e1 ${r.strain[3].e1} vs ${expected}`);
    assert.ok(r.snr.every(row => row.every(v => v > 5)));
    await assert.rejects(lattice.trackSpots(s, {} as lowdose.lattice.TrackSpotsOptions), lowdose.ValueError);
    await assert.rejects(lattice.trackSpots(s, { dA: 4.7, shiftsPx: [[0, 0]] }), lowdose.ShapeError);
    await assert.rejects(lattice.trackSpots(s, { dA: 7.7 }), lowdose.ValueError);
  });

  it('trackSpots() holds a faded (or absent) spot at its last confident box: its background-subtracted intensity stays unbiased instead of following the strongest noise', async () => {
    // No (½½0) fringe in this crystal: a pick there sees only noise. Searching ±3 px for the maximum
    // would report a positive "intensity"; the fixed box averages to zero.
    const s = simulate.doseSeries({ seed: 7, frames: 24, shape: [256, 256], drift: false, expansion: false, fading: false });
    const p = s.metadata.pixelSizeA as number;
    const absent = lattice.spots([{ kxInvA: 1 / 9.39, kyInvA: 1 / 9.39 }]);
    const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;
    const held = await lattice.trackSpots(s, { spots: absent, pixelSizeA: p, progress: false });
    const searched = await lattice.trackSpots(s, { spots: absent, pixelSizeA: p, progress: false, holdBelowSnr: -Infinity });
    assert.ok(held.held.every(row => row[0]), `held throughout: ${JSON.stringify(held.held.map(r => r[0]))}`);
    assert.ok(searched.held.every(row => !row[0]));
    const snrHeld = mean(held.snr.map(r => r[0]));
    const snrSearched = mean(searched.snr.slice(2).map(r => r[0]));
    // The SNR statistic has σ = 1 on pure noise: the mean of 24 held boxes is 0 ± 0.2; the searched maximum is biased up by ≈ 2.
    assert.ok(Math.abs(snrHeld) < 0.7, `held mean SNR ${snrHeld.toFixed(2)}`);
    assert.ok(snrSearched > 1.2, `searched mean SNR ${snrSearched.toFixed(2)}`);
  });
});
