import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';
import { checkLayeredSpec } from './checkSpec';

describe('plot.radialProfilePlot', () => {
  const img = lowdose.simulate.crystalImage({ seed: 2, shape: [256, 256] });
  const ps = lowdose.fft.powerSpectrum(img);
  const rp = lowdose.fft.radialProfile(ps);
  const peaks = lowdose.lattice.findPeaks(ps, { maxDA: 12 });

  it('radialProfilePlot() layers the log-power profile, the shot-noise floor and one labelled rule per distinct |g|', () => {
    const spec = lowdose.plot.radialProfilePlot(rp, { spots: peaks });
    const layers = checkLayeredSpec(spec);
    assert.deepEqual(layers.map(l => l.mark.type), ['line', 'rule', 'rule', 'text']);
    const [line, floor, rules, labels] = layers;
    assert.equal((line.encoding.y as { scale: { type: string } }).scale.type, 'log');
    const pts = line.data.values as Array<{ kInvA: number; power: number; dA: number }>;
    assert.equal(pts.length, rp.kInvA.length - 1, 'every bin but k = 0');
    assert.ok(pts.every((p, i) => p.power === rp.power[i + 1] && p.kInvA === rp.kInvA[i + 1] && Math.abs(p.dA * p.kInvA - 1) < 1e-12));
    assert.equal(floor.data.values[0].power, rp.noiseFloor);
    assert.equal(rp.noiseFloorMethod, 'shot');
    assert.match(floor.data.values[0].label as string, /shot-noise floor/);
    const g = rules.data.values as Array<{ kInvA: number; dA: number; label: string }>;
    assert.ok(g.length >= 4 && g.length <= peaks.length);
    for (const p of peaks) assert.ok(g.some(r => Math.abs(r.kInvA - p.gInvA) <= 2e-3 * p.gInvA));
    assert.deepEqual(labels.data.values, rules.data.values);
    assert.match(g[0].label, /^\d+\.\d\d Å$/);
    // Equal |g| (a Friedel mate, a symmetry-equivalent spot) gives one rule; the first label wins.
    const lit = [{ kxInvA: 0.213, kyInvA: 0, label: '(100)' }, { kxInvA: 0, kyInvA: -0.213 }, { dA: 1 / 0.213 }, { gInvA: 0.1065 }];
    const merged = checkLayeredSpec(lowdose.plot.radialProfilePlot(rp, { spots: lit }))[2].data.values;
    assert.deepEqual(merged.map(r => r.label), ['(100)', '9.39 Å']);
  });

  it('radialProfilePlot() plots P/P_noise when asked, decimates long profiles, and refuses mismatched or empty data', () => {
    const rel = checkLayeredSpec(lowdose.plot.radialProfilePlot(rp, { relativeToNoise: true }));
    assert.ok(Math.abs((rel[0].data.values[3].power as number) - rp.power[4] / rp.noiseFloor) < 1e-12);
    assert.equal(rel[1].data.values[0].power, 1);
    const k = Array.from({ length: 10000 }, (_, i) => i * 1e-4);
    const dec = checkLayeredSpec(lowdose.plot.radialProfilePlot({ kInvA: k, power: k.map(x => 1 + Math.sin(50 * x) ** 2) }, { maxPoints: 500 }));
    assert.ok(dec[0].data.values.length <= 500);
    assert.equal(dec.length, 1, 'no floor without one');
    assert.throws(() => lowdose.plot.radialProfilePlot({ kInvA: [1, 2], power: [1] }), lowdose.ShapeError);
    assert.throws(() => lowdose.plot.radialProfilePlot({ kInvA: [0, 1], power: [1, -1] }), lowdose.ValueError);
    assert.throws(() => lowdose.plot.radialProfilePlot({ kInvA: [1], power: [1] }, { relativeToNoise: true }), lowdose.ValueError);
    assert.throws(() => lowdose.plot.radialProfilePlot(rp, { spots: [{ label: 'no position' }] }), lowdose.ValueError);
  });
});
