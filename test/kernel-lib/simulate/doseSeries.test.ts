import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';
import { amplitudeAt } from './dftAt';

const { simulate } = lowdose;

type Truth = { label: string; kxInvA: number; kyInvA: number; dA: number; amplitude: number; amplitudeInImage: number };
type FrameTruth = { doseMidEPerA2: number; strain: number; reflections: Truth[] };

describe('simulate.doseSeries', () => {
  it('doseSeries() defaults: 30 frames × 0.717 e⁻/Å², ε(D) = 0.075·D/21.5 at the frame midpoints', () => {
    const t0 = Date.now();
    const s = simulate.doseSeries({ seed: 4 });
    const ms = Date.now() - t0;
    assert.deepEqual(s.data.shape, [30, 256, 256]);
    const cum = s.metadata.cumulativeDoseEPerA2 as number[];
    assert.ok(Math.abs(cum[29] - 21.51) < 1e-9);
    const strain = s.metadata.strain as number[];
    const mid = s.metadata.midpointDoseEPerA2 as number[];
    for (let n = 0; n < 30; n++) assert.ok(Math.abs(strain[n] - (0.075 * mid[n]) / 21.5) < 1e-15);
    assert.ok(Math.abs(strain[29] - (0.075 * (21.51 - 0.3585)) / 21.5) < 1e-12);
    assert.deepEqual(s.metadata.expansion, { strainPerEPerA2: 0.075 / 21.5, directionDeg: 0 });
    console.log(`      doseSeries() 30 × 256² generated in ${ms} ms`);
  });

  it('doseSeries() true g vectors follow g(D) = F(D)^(−T)·g₀: (100) along the expansion shrinks by 1/(1 + ε), (010) is unchanged', () => {
    const s = simulate.doseSeries({ shape: [16, 16], noise: false });
    const f = s.metadata.frameTruth as FrameTruth[];
    const g0 = 1 / 4.695;
    for (const fr of f) {
      const [g100, g010, , g110] = fr.reflections;
      assert.ok(Math.abs(g100.kxInvA - g0 / (1 + fr.strain)) < 1e-15 && Math.abs(g100.kyInvA) < 1e-15);
      assert.ok(Math.abs(g010.kyInvA - g0) < 1e-15 && Math.abs(g010.kxInvA) < 1e-15);
      assert.ok(Math.abs(g110.kxInvA - g0 / (1 + fr.strain)) < 1e-15 && Math.abs(g110.kyInvA - g0) < 1e-15);
    }
    const last = f[29].reflections[0];
    assert.ok(Math.abs(last.dA / 4.695 - 1 - f[29].strain) < 1e-12); // d grows by ε: +7.38 % at 21.15 e⁻/Å²
  });

  it('doseSeries() expansion at 30° acts along 30°: a spot along 30° stretches by 1 + ε in d, one at 120° keeps its d', () => {
    const s = simulate.doseSeries({
      shape: [16, 16],
      noise: false,
      reflections: [{ dA: 4, angleDeg: 30, amplitude: 0.1 }, { dA: 4, angleDeg: 120, amplitude: 0.1 }]
    });
    const f = (s.metadata.frameTruth as FrameTruth[])[29];
    assert.ok(Math.abs(f.reflections[0].dA - 4 * (1 + f.strain)) < 1e-12);
    assert.ok(Math.abs(f.reflections[1].dA - 4) < 1e-12);
    assert.ok(Math.abs(Math.atan2(f.reflections[0].kyInvA, f.reflections[0].kxInvA) - Math.PI / 6) < 1e-12);
  });

  it('doseSeries() last frame holds the (100) fringe at the expanded g(D), faded, not at g₀ (direct DFT)', () => {
    const s = simulate.doseSeries({ shape: [256, 256], noise: false, region: { shape: 'full' }, amorphous: { contrast: 0 }, drift: false });
    const f = (s.metadata.frameTruth as FrameTruth[])[29];
    const meanCounts = (s.metadata.meanCountsPerPxPerFrame as number[])[29];
    const at = (kx: number, ky: number): number => amplitudeAt((a, b) => s.data.get(29, a, b), 256, 256, 0.5, kx, ky, meanCounts);
    const g = f.reflections[0];
    const expected = 0.15 * Math.exp(-f.doseMidEPerA2 / (2 * 30));
    assert.ok(Math.abs(g.amplitudeInImage - expected) < 1e-12);
    assert.ok(Math.abs(at(g.kxInvA, g.kyInvA) / expected - 1) < 0.01);
    assert.ok(at(1 / 4.695, 0) < 0.1 * expected, 'no fringe left at the unstrained g₀');
  });

  it('doseSeries() with noise has Poisson counts of mean η·D_f·p² per frame (0.9 × 0.717 × 0.25) within 1 %', () => {
    const s = simulate.doseSeries({ seed: 9 });
    const d = lowdose.stats.describe(s);
    assert.ok(Math.abs(d.mean / (0.9 * 0.717 * 0.25) - 1) < 0.01, `mean ${d.mean}`);
  });
});
