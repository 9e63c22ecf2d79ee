import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';

const { lattice, crystal } = lowdose;

/** A spot at d (Å) and angle (deg) in the array frame. */
const at = (dA: number, angleDeg: number): { kxInvA: number; kyInvA: number } => ({
  kxInvA: Math.cos((angleDeg * Math.PI) / 180) / dA,
  kyInvA: Math.sin((angleDeg * Math.PI) / 180) / dA
});

describe('lattice.indexPeaks', () => {
  it('indexPeaks() flags the 9.39 Å spot of α-NNB as (1/2 0 0), supercell ×2, with |g(4.695)|/|g(9.39)| = 2.000', () => {
    const peaks = [at(9.39, 12), at(4.695, 12), at(4.695, 102), at(3.32, 57), at(2.3475, 12)];
    const r = lattice.indexPeaks(peaks, crystal.cells.alphaNNB);
    const p0 = r.peaks[0];
    assert.equal(p0.supercell, true);
    assert.equal(p0.supercellMultiplier, 2);
    assert.equal(p0.label, '(1/2 0 0)');
    assert.ok(Math.abs(p0.dCalcA! - 9.39) < 1e-12);
    assert.ok(Math.abs(p0.dErrorPercent!) < 1e-9);
    for (const p of r.peaks.slice(1)) {
      assert.equal(p.supercell, false, `${p.label}`);
      assert.equal(p.supercellMultiplier, 1);
      assert.equal(p.inZone, true);
    }
    assert.deepEqual(r.peaks.map(p => p.label), ['(1/2 0 0)', '(1 0 0)', '(0 1 0)', '(1 1 0)', '(2 0 0)']);
    assert.deepEqual(r.zoneAxis, [0, 0, 1]);
    const pair = r.pairs.find(q => q.i === 1 && q.j === 0)!;
    assert.ok(Math.abs(pair.gRatio - 2) < 0.002, `ratio ${pair.gRatio}`);
    assert.ok(Math.abs(pair.predictedGRatio! - 2) < 1e-12);
    assert.ok(Math.abs(pair.angleDeg) < 1e-6);
    const right = r.pairs.find(q => q.i === 2 && q.j === 0)!;
    assert.ok(Math.abs(right.angleDeg - 90) < 1e-9 && Math.abs(right.predictedAngleDeg! - 90) < 1e-9);
    assert.equal(r.warnings.length, 0);
  });

  it('indexPeaks() flags no supercell when the 9.39 Å spots are absent', () => {
    const r = lattice.indexPeaks([at(4.695, 0), at(4.695, 90), at(3.32, 45), at(3.32, -45)], crystal.cells.alphaNNB);
    assert.ok(r.peaks.every(p => !p.supercell && p.supercellMultiplier === 1 && p.inZone && p.hkl !== null));
    assert.deepEqual(r.peaks.map(p => p.label), ['(1 0 0)', '(0 1 0)', '(1 1 0)', '(1 -1 0)']);
    assert.deepEqual(r.zoneAxis, [0, 0, 1]);
  });

  it('indexPeaks() flags the doubling also from collinear spots alone (9.4 and 4.7 Å along one line), zone undetermined', () => {
    const r = lattice.indexPeaks([at(9.4, 30), at(4.7, 30)], crystal.cells.alphaNNB);
    assert.equal(r.peaks[0].supercell, true);
    assert.equal(r.peaks[0].supercellMultiplier, 2);
    assert.equal(r.peaks[1].supercell, false);
    assert.equal(r.zoneAxis, null);
    assert.ok(Math.abs(r.pairs[0].gRatio - 2) < 1e-12);
    assert.ok(r.warnings.some(w => /zone axis undetermined/.test(w)));
  });

  it('indexPeaks() does not force ~4.5 Å spots onto {100} of α-NNB (−4.2 %) but names the nearest reflection', () => {
    const r = lattice.indexPeaks([at(4.5, 0), at(4.5, 90)], crystal.cells.alphaNNB);
    assert.ok(r.peaks.every(p => p.hkl === null && !p.supercell));
    assert.equal(r.peaks[0].nearest!.label, '(1 0 0)');
    assert.ok(Math.abs(r.peaks[0].nearest!.dErrorPercent - 100 * (4.5 / 4.695 - 1)) < 1e-9);
    assert.ok(r.warnings.some(w => /matches no reflection within 3.0 %; nearest \(1 0 0\)/.test(w)));
    // with a looser tolerance the same spots index as {100}, 4.15 % short
    const loose = lattice.indexPeaks([at(4.5, 0), at(4.5, 90)], crystal.cells.alphaNNB, { dTolerance: 0.05 });
    assert.deepEqual(loose.peaks.map(p => p.label), ['(1 0 0)', '(0 1 0)']);
    assert.ok(Math.abs(loose.peaks[0].dErrorPercent! + 4.153) < 0.001);
  });

  it('indexPeaks() survives a 2 % pixel-size error: same indices, dScale = 1.020, |g| ratios exact', () => {
    const s = 1.02;
    const r = lattice.indexPeaks([at(9.39 * s, 0), at(4.695 * s, 0), at(4.695 * s, 90), at(3.32 * s, 45)], crystal.cells.alphaNNB);
    assert.deepEqual(r.peaks.map(p => p.label), ['(1/2 0 0)', '(1 0 0)', '(0 1 0)', '(1 1 0)']);
    assert.ok(Math.abs(r.dScale! - 1.02) < 1e-3, `dScale ${r.dScale}`);
    assert.ok(Math.abs(r.pairs.find(q => q.i === 1 && q.j === 0)!.gRatio - 2) < 1e-9);
  });

  it('indexPeaks() is invariant under an in-plane rotation of all spots (37°)', () => {
    const base = [[4.695, 0], [4.695, 90], [3.32, 45], [9.39, 90]];
    const a = lattice.indexPeaks(base.map(([d, t]) => at(d, t)), crystal.cells.alphaNNB);
    const b = lattice.indexPeaks(base.map(([d, t]) => at(d, t + 37)), crystal.cells.alphaNNB);
    assert.deepEqual(a.peaks.map(p => p.label), b.peaks.map(p => p.label));
    assert.deepEqual(a.peaks.map(p => p.label), ['(1 0 0)', '(0 1 0)', '(1 1 0)', '(0 1/2 0)']);
  });

  it('indexPeaks() finds zone [1 -1 0] of β-NNB from (110) and (002) and indexes (112) by position; (001) is flagged forbidden', () => {
    const cell = crystal.cells.betaNNB;
    // In-plane geometry: g(110) along 10°, g(002) along 100° (they are perpendicular in zone [1-10]).
    const g110 = 1 / crystal.dSpacing(cell, [1, 1, 0]);
    const g002 = 1 / crystal.dSpacing(cell, [0, 0, 2]);
    const u = [Math.cos(Math.PI / 18), Math.sin(Math.PI / 18)];
    const v = [-u[1], u[0]];
    const vec = (a: number, b: number): { kxInvA: number; kyInvA: number } => ({ kxInvA: a * u[0] + b * v[0], kyInvA: a * u[1] + b * v[1] });
    const r = lattice.indexPeaks([vec(g110, 0), vec(0, g002), vec(g110, g002), vec(0, g002 / 2)], cell);
    assert.deepEqual(r.peaks.map(p => p.label), ['(1 1 0)', '(0 0 2)', '(1 1 2)', '(0 0 1)']);
    assert.deepEqual(r.zoneAxis, [1, -1, 0]);
    assert.ok(r.peaks.every(p => p.inZone && !p.supercell));
    assert.equal(r.peaks[3].forbidden, true);
    assert.ok(r.warnings.some(w => /forbidden in Pbcm/.test(w)));
    const pair = r.pairs.find(q => q.i === 2 && q.j === 0)!;
    assert.ok(Math.abs(pair.angleErrorDeg!) < 1e-9);
    // a 4.926 Å spot alone matches (002) and — equally well — nothing else of β: not ambiguous
    assert.equal(r.peaks[1].ambiguous, false);
  });

  it('indexPeaks() reports near-coincident families as alternatives (Li₂CO₃ (020) 2.486 vs (31-1) 2.430 within 3 %)', () => {
    const r = lattice.indexPeaks([at(2.486, 0)], crystal.cells.li2co3);
    assert.equal(r.peaks[0].label, '(0 2 0)');
    assert.equal(r.peaks[0].ambiguous, true);
    assert.ok(r.peaks[0].alternatives.some(a => Math.abs(a.dCalcA - crystal.dSpacing(crystal.cells.li2co3, [3, 1, -1])) < 1e-9));
  });

  it('indexPeaks() indexes noisy spots (σ_d = 0.3 %, σ_angle = 1°, random rotation) correctly in 50 of 50 seeded trials', () => {
    const random = lowdose.simulate.rng(1);
    const base: Array<[number, number, string]> = [[9.39, 0, '1/2'], [4.695, 0, '1'], [4.695, 90, '1'], [3.32, 45, '1'], [2.3475, 90, '1'], [3.32, 135, '1']];
    for (let trial = 0; trial < 50; trial++) {
      const rot = 360 * random.next();
      const peaks = base.map(([d, a]) => at(d * (1 + 0.003 * random.normal()), a + rot + random.normal()));
      const r = lattice.indexPeaks(peaks, crystal.cells.alphaNNB);
      assert.deepEqual(r.peaks.map(p => p.supercellMultiplier), [2, 1, 1, 1, 1, 1], `trial ${trial}`);
      assert.ok(r.peaks.every(p => p.inZone), `trial ${trial}`);
      assert.equal(Math.abs(r.zoneAxis![2]), 1);
      // the assignment is geometrically consistent: pair angles agree within 6° (4σ of a difference of two 1° errors)
      assert.ok(r.pairs.every(q => Math.abs(q.angleErrorDeg!) < 6), `trial ${trial}`);
    }
  });

  it('indexPeaks() rejects an empty list and a zero vector with a message naming peaks', () => {
    assert.throws(() => lattice.indexPeaks([], crystal.cells.alphaNNB), /indexPeaks: peaks must be a non-empty array/);
    assert.throws(() => lattice.indexPeaks([{ kxInvA: 0, kyInvA: 0 }], crystal.cells.alphaNNB), /indexPeaks: peaks\[0\] must have finite kxInvA/);
    assert.throws(() => lattice.indexPeaks([at(4, 0)], crystal.cells.alphaNNB, { dTolerance: 0 }), /dTolerance must lie in/);
  });
});
