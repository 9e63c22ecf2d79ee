import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';

const close = (got: number, want: number, tol: number, what: string): void =>
  assert.ok(Math.abs(got - want) <= tol, `${what}: got ${got}, want ${want} ± ${tol}`);

describe('dose.frameDoses', () => {
  it('frameDoses() spreads the NNB Fig. 1 total of 38.5 e⁻/Å² over 40 frames as 0.9625 e⁻/Å² each', () => {
    const r = lowdose.dose.frameDoses({ totalDoseEPerA2: 38.5, nFrames: 40 });
    assert.equal(r.frameDosesEPerA2.length, 40);
    for (const d of r.frameDosesEPerA2) close(d, 0.9625, 1e-12, 'frame dose');
    close(r.totalDoseEPerA2, 38.5, 1e-12, 'total');
    assert.equal(r.source, 'total');
    assert.equal(r.doseRateEPerA2PerS, null);
    assert.deepEqual(r.warnings, []);
    // Fig. 2: 21.5 e⁻/Å² over 30 frames → 0.717 e⁻/Å² per frame (science.md §1.2).
    close(lowdose.dose.frameDoses({ totalDoseEPerA2: 21.5, nFrames: 30 }).meanFrameDoseEPerA2, 0.71667, 1e-5, 'Fig. 2 frame dose');
  });

  it('frameDoses() converts vacuum counts with η = 0.9 and p = 0.5 Å to 0.9625 e⁻/Å² (0.24 e⁻/px) per frame', () => {
    const counts = 0.9625 * 0.9 * 0.25;
    const r = lowdose.dose.frameDoses({ meanCountsPerPxPerFrame: counts, nFrames: 40, countsPerElectron: 0.9, pixelSizeA: 0.5, frameTimeS: 0.2 });
    close(r.frameDosesEPerA2[39], 0.9625, 1e-12, 'frame dose');
    close(r.electronsPerPxPerFrame!, 0.240625, 1e-12, 'e⁻/px/frame');
    close(r.doseRateEPerA2PerS!, 4.8125, 1e-12, 'dose rate');
    close(r.fluxEPerPxPerS!, 1.203125, 1e-12, 'flux');
    assert.deepEqual(r.warnings, []);
    // Per-frame counts give per-frame doses.
    const perFrame = lowdose.dose.frameDoses({ meanCountsPerPxPerFrame: [0.225, 0.45], countsPerElectron: 0.9, pixelSizeA: 0.5 });
    assert.deepEqual(perFrame.frameDosesEPerA2, [1, 2]);
    assert.equal(perFrame.fluxEPerPxPerS, null);
  });

  it('frameDoses() warns when the detector flux exceeds 10 e⁻/px/s (K2 coincidence loss)', () => {
    const r = lowdose.dose.frameDoses({ meanCountsPerPxPerFrame: 0.2165625, nFrames: 4, countsPerElectron: 0.9, pixelSizeA: 0.5, frameTimeS: 0.01 });
    close(r.fluxEPerPxPerS!, 24.0625, 1e-9, 'flux');
    assert.equal(r.warnings.length, 1);
    assert.match(r.warnings[0], /24\.1 e⁻\/px\/s exceeds 10/);
  });

  it('frameDoses() multiplies a stated dose rate by the frame time, and converts a beam current over an area', () => {
    const r = lowdose.dose.frameDoses({ doseRateEPerA2PerS: 5, frameTimeS: 0.2, nFrames: 10, pixelSizeA: 1 });
    assert.deepEqual(r.frameDosesEPerA2, new Array(10).fill(1));
    close(r.totalDoseEPerA2, 10, 1e-12, 'total');
    close(r.fluxEPerPxPerS!, 5, 1e-12, 'flux');
    // 1 pA over 100 nm × 100 nm = 1e6 Å²: 1e-12 / (1.602176634e-19 · 1e6) = 6.2415 e⁻/Å²/s.
    const b = lowdose.dose.frameDoses({ beamCurrentPA: 1, illuminatedAreaA2: 1e6, frameTimeS: 1, nFrames: 2 });
    close(b.doseRateEPerA2PerS!, 6.241509, 1e-6, 'rate from current');
    assert.equal(b.source, 'beamCurrent');
  });

  it('frameDoses() refuses no source, two sources, or counts without calibration', () => {
    assert.throws(() => lowdose.dose.frameDoses({ nFrames: 3 }), lowdose.ValueError);
    assert.throws(() => lowdose.dose.frameDoses({ totalDoseEPerA2: 3, doseRateEPerA2PerS: 1, frameTimeS: 1, nFrames: 3 }), /exactly one dose source/);
    assert.throws(() => lowdose.dose.frameDoses({ meanCountsPerPxPerFrame: 1, nFrames: 3, pixelSizeA: 1 }), lowdose.CalibrationError);
    assert.throws(() => lowdose.dose.frameDoses({ doseRateEPerA2PerS: 1, nFrames: 3 }), /frameTimeS must be given/);
    assert.throws(() => lowdose.dose.frameDoses({ totalDoseEPerA2: -1, nFrames: 3 }), lowdose.ValueError);
    assert.throws(() => lowdose.dose.frameDoses({ totalDoseEPerA2: 1, nFrames: 2.5 }), /nFrames must be an integer/);
  });
});

describe('dose.cumulativeDose', () => {
  it('cumulativeDose() gives end-of-frame and midpoint doses, D_n − D_f,n/2', () => {
    const r = lowdose.dose.cumulativeDose([1, 1, 2]);
    assert.deepEqual(r.cumulativeEPerA2, [1, 2, 4]);
    assert.deepEqual(r.midpointEPerA2, [0.5, 1.5, 3]);
    assert.equal(r.totalEPerA2, 4);
    const pre = lowdose.dose.cumulativeDose([1, 1], { preDoseEPerA2: 10 });
    assert.deepEqual(pre.cumulativeEPerA2, [11, 12]);
    assert.deepEqual(pre.midpointEPerA2, [10.5, 11.5]);
  });

  it('cumulativeDose() of the 40 × 0.9625 e⁻/Å² series ends at 38.5 with the last midpoint at 38.01875', () => {
    const { frameDosesEPerA2 } = lowdose.dose.frameDoses({ totalDoseEPerA2: 38.5, nFrames: 40 });
    const r = lowdose.dose.cumulativeDose(frameDosesEPerA2);
    close(r.totalEPerA2, 38.5, 1e-12, 'total');
    close(r.midpointEPerA2[0], 0.48125, 1e-12, 'first midpoint');
    close(r.midpointEPerA2[39], 38.01875, 1e-12, 'last midpoint');
  });

  it('cumulativeDose() refuses an empty list and negative doses', () => {
    assert.throws(() => lowdose.dose.cumulativeDose([]), lowdose.ValueError);
    assert.throws(() => lowdose.dose.cumulativeDose([1, -1]), /frameDosesEPerA2\[1\] must be a finite number ≥ 0/);
  });
});

describe('dose.probeDose', () => {
  it('probeDose() gives 12.5 e⁻/Å² for 1 pA, 20 ms, 10 nm step and 15.6 for 100 pA, 10 µs, 2 nm (science.md §1.2)', () => {
    const a = lowdose.dose.probeDose({ beamCurrentPA: 1, dwellTimeS: 0.02, stepA: 100 });
    close(a.electronsPerPosition, 124830.1, 0.1, 'electrons per position');
    close(a.frameDoseEPerA2, 12.483, 1e-3, 'dose');
    const b = lowdose.dose.probeDose({ beamCurrentPA: 100, dwellTimeS: 10e-6, stepA: 20, nFrames: 10 });
    close(b.frameDoseEPerA2, 15.604, 1e-3, 'EDX frame dose');
    close(b.totalDoseEPerA2, 156.04, 1e-2, 'EDX total');
    assert.throws(() => lowdose.dose.probeDose({ beamCurrentPA: 0, dwellTimeS: 1, stepA: 1 }), lowdose.ValueError);
  });
});
