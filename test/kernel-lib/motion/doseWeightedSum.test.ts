import assert from 'node:assert/strict';
import ndarray from 'ndarray';
import * as lowdose from 'lowdose';

const { motion, simulate } = lowdose;

/** |F(k)| of an image at integer frequency (ky, kx) by a direct DFT. */
function amplitudeAt(img: lowdose.Dataset, ky: number, kx: number): number {
  const [rows, cols] = img.data.shape;
  let re = 0;
  let im = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = img.data.get(r, c);
      const ph = -2 * Math.PI * ((ky * r) / rows + (kx * c) / cols);
      re += v * Math.cos(ph);
      im += v * Math.sin(ph);
    }
  }
  return Math.hypot(re, im);
}

describe('motion.doseWeightedSum', () => {
  // 10 identical noise-free frames (no drift) of a lattice image, 1 e⁻/Å² each, p = 0.5 Å.
  const frame = simulate.crystalImage({ shape: [64, 64], noise: false, seed: 1, doseEPerA2: 100 });
  const N = 10;
  const stack = lowdose.makeDataset(ndarray(new Float32Array(N * 64 * 64).map((_, i) => (frame.data.data as Float32Array)[i % 4096]), [N, 64, 64]), {
    axes: [{ name: 'frame' }, { scale: 0.5, units: 'A' }, { scale: 0.5, units: 'A' }]
  });
  const zero = new Array(N).fill(0).map(() => [0, 0] as [number, number]);

  /** |weighted| / |plain| sum at three frequencies against Σw_n·sqrt(N/Σw_n²)/N at 300 kV (p = 0.5 Å). */
  function assertGrantGrigorieffRatios(r: Awaited<ReturnType<typeof motion.doseWeightedSum>>): void {
    for (const [ky, kx] of [[0, 5], [7, 3], [0, 20]]) {
      const k = Math.hypot(ky, kx) / (64 * 0.5);
      const ne = 0.245 * Math.pow(k, -1.665) + 2.81;
      const w = r.exposureEPerA2.map(d => Math.exp(-d / (2 * ne)));
      const expected = w.reduce((a, b) => a + b) * Math.sqrt(N / w.reduce((a, b) => a + b * b, 0)) / N;
      const ratio = amplitudeAt(r.sum, ky, kx) / amplitudeAt(r.unweightedSum, ky, kx);
      assert.ok(Math.abs(ratio / expected - 1) < 1e-4, `k = ${k.toFixed(3)} 1/Å: ratio ${ratio} vs ${expected}`);
    }
  }

  it('doseWeightedSum() weights frequency k of frame n by exp(−D_n/(2·N_e(k))) with Grant & Grigorieff N_e(k) = 0.245·k^−1.665 + 2.81, normalised by √(N/Σw²)', async () => {
    const r = await motion.doseWeightedSum(stack, zero, { frameDosesEPerA2: 1, voltageKV: 300 });
    assert.deepEqual(r.exposureEPerA2, Array.from({ length: N }, (_, i) => i + 1));
    assertGrantGrigorieffRatios(r);
    // the mean (k = 0) is that of the plain sum
    const mean = (d: lowdose.Dataset): number => (d.data.data as Float32Array).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(mean(r.sum) / mean(r.unweightedSum) - 1) < 1e-5);
  });

  it('doseWeightedSum() weights exactly when the dose per frame changes (uneven steps break the per-step weight recurrence)', async () => {
    const doses = [1, 1, 1, 2, 2, 0.5, 0.5, 0.5, 3, 1];
    const r = await motion.doseWeightedSum(stack, zero, { frameDosesEPerA2: doses, voltageKV: 300 });
    let cum = 0;
    assert.deepEqual(r.exposureEPerA2, doses.map(d => (cum += d)));
    assertGrantGrigorieffRatios(r);
  });

  it('doseWeightedSum() with a material critical dose (one N_e for every k) and 200 kV scaling, and matches alignFrames(…, {frameDosesEPerA2})', async () => {
    const r60 = await motion.doseWeightedSum(stack, zero, { frameDosesEPerA2: 1, criticalDoseModel: 60, doseAt: 'mid' });
    const w = r60.exposureEPerA2.map(d => Math.exp(-d / 120));
    const expected = (w.reduce((a, b) => a + b) * Math.sqrt(N / w.reduce((a, b) => a + b * b, 0))) / N;
    const ratio = amplitudeAt(r60.sum, 3, 4) / amplitudeAt(r60.unweightedSum, 3, 4);
    assert.ok(Math.abs(ratio / expected - 1) < 1e-4);
    assert.ok(Math.abs(r60.exposureEPerA2[0] - 0.5) < 1e-12);
    const r200 = await motion.doseWeightedSum(stack, zero, { frameDosesEPerA2: 1, voltageKV: 200 });
    const r300 = await motion.doseWeightedSum(stack, zero, { frameDosesEPerA2: 1, voltageKV: 300 });
    assert.ok(amplitudeAt(r200.sum, 0, 20) < amplitudeAt(r300.sum, 0, 20), 'more damage per electron at 200 kV');
    // alignFrames computes the same weighted sum in its summing pass
    const m = simulate.movie({ seed: 3, frames: 8, shape: [96, 96], doseEPerA2PerFrame: 5 });
    const a = await motion.alignFrames(m, { frameDosesEPerA2: 5, progress: false });
    const d = await motion.doseWeightedSum(m, a.shiftsPx, { frameDosesEPerA2: 5 });
    const diff = Math.max(...Array.from(d.sum.data.data as Float32Array, (v, i) => Math.abs(v - (a.doseWeightedSum as lowdose.Dataset).data.data[i])));
    assert.ok(diff < 1e-3, `alignFrames vs doseWeightedSum: ${diff}`);
    await assert.rejects(motion.doseWeightedSum(m, a.shiftsPx.slice(1), { frameDosesEPerA2: 5 }), lowdose.ShapeError);
    await assert.rejects(motion.doseWeightedSum(m, a.shiftsPx, { frameDosesEPerA2: -1 }), lowdose.ValueError);
    await assert.rejects(motion.doseWeightedSum(m, a.shiftsPx, { frameDosesEPerA2: 1, criticalDoseModel: 0 }), lowdose.ValueError);
  });

  it('doseWeightedSum() moves frames back by their drift (design.md sign) before summing', async () => {
    const m = simulate.movie({ seed: 5, frames: 6, shape: [80, 80], noise: false, fading: false, drift: { velocityAPerFrame: [0.75, -0.5], randomWalkA: 0, jumpA: [0, 0] } });
    const shifts = m.metadata.shiftsPx as Array<[number, number]>;
    const r = await motion.doseWeightedSum(m, shifts, { frameDosesEPerA2: 0.5, criticalDoseModel: 1e9 });
    // every aligned frame matches frame 0 in the interior, so the sum ≈ 6 × frame 0 there
    let worst = 0;
    for (let y = 16; y < 64; y++) for (let x = 16; x < 64; x++) worst = Math.max(worst, Math.abs(r.sum.data.get(y, x) - 6 * m.data.get(0, y, x)) / (6 * m.data.get(0, y, x)));
    assert.ok(worst < 0.02, `aligned sum vs 6 × frame 0: worst relative difference ${worst}`);
  });
});
