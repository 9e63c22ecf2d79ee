import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';
import { checkLayeredSpec } from './checkSpec';

describe('plot.dSpacingChart', () => {
  it('dSpacingChart() lists one row per spot, coarsest first, with d, |g|, angle, SNR and the calibration-free ratio |g|/|g_min|', () => {
    const spots = [
      { kxInvA: 1 / 4.695, kyInvA: 0, snr: 812 },
      { kxInvA: 0, kyInvA: 1 / 4.695, snr: 790 },
      { kxInvA: 1 / 9.39, kyInvA: 0, snr: 103.4, label: '(½00)' }
    ];
    const spec = lowdose.plot.dSpacingChart(spots, { reference: [{ dA: 9.39, label: '(½00)' }, { dA: 4.695 }] });
    const layers = checkLayeredSpec(spec);
    assert.deepEqual(layers.map(l => l.mark.type), ['rule', 'point', 'text']);
    const rows = layers[1].data.values as Array<{ spot: string; dA: number; gInvA: number; angleDeg: number; snr: number; gRatio: number; text: string }>;
    assert.deepEqual(rows.map(r => r.spot), ['1 (½00)', '2', '3']);
    assert.ok(Math.abs(rows[0].dA - 9.39) < 1e-12 && Math.abs(rows[1].gRatio - 2) < 1e-12 && rows[0].gRatio === 1);
    assert.equal(rows[2].angleDeg, 90);
    assert.match(rows[1].text, /^d = 4\.6950 Å · \|g\| = 0\.21299 1\/Å · 0\.0° · S = 812 · \|g\|\/\|g_min\| = 2\.0000$/);
    assert.deepEqual(layers[2].data.values, layers[1].data.values);
    assert.equal(spec.height, 72);
    assert.deepEqual(layers[0].data.values, [{ dA: 9.39, label: '(½00)' }, { dA: 4.695, label: '4.695 Å' }]);
  });

  it('dSpacingChart() takes findPeaks output and lattice.spots literals, and refuses an empty list or a spot without a d', () => {
    const img = lowdose.simulate.crystalImage({ seed: 3, shape: [256, 256] });
    const peaks = lowdose.lattice.findPeaks(img, { maxDA: 12 });
    const layers = checkLayeredSpec(lowdose.plot.dSpacingChart(peaks));
    assert.equal(layers[0].data.values.length, peaks.length);
    const lit = lowdose.lattice.spots([{ dA: 9.39, angleDeg: 0 }, { dA: 4.695, angleDeg: 0 }]);
    const rows = checkLayeredSpec(lowdose.plot.dSpacingChart(lit))[0].data.values;
    assert.ok(Math.abs((rows[1].gRatio as number) - 2) < 1e-9);
    assert.throws(() => lowdose.plot.dSpacingChart([]), lowdose.ValueError);
    assert.throws(() => lowdose.plot.dSpacingChart([{ snr: 3 }]), lowdose.ValueError);
  });
});
