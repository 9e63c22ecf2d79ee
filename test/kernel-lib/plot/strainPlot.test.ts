import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';
import { checkLayeredSpec } from './checkSpec';

describe('plot.strainPlot', () => {
  // 30 frames at 0.717 e⁻/Å² with ε₁ = 0.075·D/21.5 along 30° (science.md Part 2), from strainTensor itself.
  const { midpointEPerA2: d } = lowdose.dose.cumulativeDose(new Array(30).fill(21.5 / 30));
  const ref0 = { kxInvA: 1 / 4.5, kyInvA: 0 };
  const ref1 = { kxInvA: 0, kyInvA: 1 / 4.5 };
  const strain = d.map(dose => {
    const e = (0.075 * dose) / 21.5;
    const c = Math.cos(Math.PI / 6);
    const s = Math.sin(Math.PI / 6);
    // F = R·diag(1+e, 1)·Rᵀ is symmetric, so F^(−T) = F^(−1).
    const f = [
      [1 + e * c * c, e * c * s],
      [e * c * s, 1 + e * s * s]
    ];
    const det = f[0][0] * f[1][1] - f[0][1] * f[1][0];
    const inv = (g: { kxInvA: number; kyInvA: number }) => ({
      kxInvA: (f[1][1] * g.kxInvA - f[0][1] * g.kyInvA) / det,
      kyInvA: (-f[1][0] * g.kxInvA + f[0][0] * g.kyInvA) / det
    });
    return lowdose.lattice.strainTensor(inv(ref0), inv(ref1), ref0, ref1);
  });

  it('strainPlot() draws e1 and e2 in % against dose, e1 reaching 7.5 % at 21.5 e⁻/Å² with its direction in the tooltip', () => {
    const layers = checkLayeredSpec(lowdose.plot.strainPlot(d, strain));
    assert.deepEqual(layers.map(l => l.mark.type), ['rule', 'line']);
    const rows = layers[1].data.values as Array<{ doseEPerA2: number; strain: number; component: string; angleDeg?: number }>;
    assert.equal(rows.length, 60);
    const e1 = rows.filter(r => r.component.startsWith('ε₁'));
    const e2 = rows.filter(r => r.component.startsWith('ε₂'));
    assert.equal(e1.length, 30);
    const last = e1[29];
    assert.ok(Math.abs(last.strain - (7.5 * d[29]) / 21.5) < 1e-7, `e1 at the last frame ${last.strain} %`);
    assert.ok(Math.abs((last.angleDeg as number) - 30) < 1e-6);
    assert.ok(e2.every(r => Math.abs(r.strain) < 1e-7));
    assert.equal((layers[1].encoding.y as { title?: string }).title, 'strain (%)');
  });

  it('strainPlot() draws chosen components as fractions and skips non-finite frames', () => {
    const some = strain.slice(0, 3).map((s, i) => (i === 1 ? { ...s, exx: NaN } : s));
    const layers = checkLayeredSpec(lowdose.plot.strainPlot(d.slice(0, 3), some, { components: ['exx', 'eyy'], percent: false }));
    const rows = layers[1].data.values as Array<{ strain: number; component: string }>;
    assert.equal(rows.length, 5);
    assert.ok(Math.abs(rows[0].strain - strain[0].exx) < 1e-15);
    assert.throws(() => lowdose.plot.strainPlot([1], strain.slice(0, 2)), lowdose.ShapeError);
    assert.throws(() => lowdose.plot.strainPlot([1], strain.slice(0, 1), { components: ['ezz' as 'e1'] }), lowdose.ValueError);
  });
});
