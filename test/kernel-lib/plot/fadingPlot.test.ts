import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';
import { checkLayeredSpec } from './checkSpec';

describe('plot.fadingPlot', () => {
  const d = Array.from({ length: 40 }, (_, i) => 1.5 + 3 * i);
  const draw = lowdose.simulate.poisson(lowdose.simulate.rng(5));
  const y = d.map(x => draw(2000 * Math.exp(-x / 60) + 200));
  const spec = (fit: lowdose.dose.CriticalDoseFit): lowdose.plot.VegaLiteSpec => lowdose.plot.fadingPlot(d, y, fit);

  it('fadingPlot() layers the CI band, the measured points, the fitted curve and the Dc rule', () => {
    const fit = lowdose.dose.fitCriticalDose(d, y);
    const layers = checkLayeredSpec(spec(fit));
    assert.deepEqual(layers.map(l => l.mark.type), ['rect', 'point', 'line', 'rule']);
    const [band, points, curve, rule] = layers;
    assert.equal(points.data.values.length, 40);
    assert.deepEqual(points.data.values[3], { doseEPerA2: d[3], intensity: y[3] });
    assert.ok(Math.abs((band.data.values[0].lo as number) - fit.ci95[0]) < 1e-12);
    assert.ok(Math.abs((band.data.values[0].hi as number) - fit.ci95[1]) < 1e-12);
    assert.equal(rule.data.values[0].doseEPerA2, fit.criticalDoseEPerA2);
    for (const p of curve.data.values as Array<{ doseEPerA2: number; intensity: number; part: string }>) {
      const want = fit.i0 * Math.exp(-p.doseEPerA2 / fit.criticalDoseEPerA2) + fit.background;
      assert.ok(Math.abs(p.intensity - want) < 1e-9 * want);
      if (p.doseEPerA2 !== d[39]) assert.equal(p.part, p.doseEPerA2 < d[39] ? 'fit' : 'extrapolated');
    }
    assert.ok(curve.data.values.length >= 200);
    assert.match(spec(fit).title as string, /^Dc = \d+\.?\d* e⁻\/Å² \(95 % CI/);
  });

  it('fadingPlot() marks an under-determined fit, clips an unbounded CI at the axis, and omits a Dc far beyond the data', () => {
    const short = d.slice(0, 8);
    const fit = lowdose.dose.fitCriticalDose(short, y.slice(0, 8));
    assert.equal(fit.underdetermined, true);
    const s = lowdose.plot.fadingPlot(short, y.slice(0, 8), { ...fit, criticalDoseEPerA2: 60, ci95: [20, Infinity] });
    const layers = checkLayeredSpec(s);
    const band = layers.find(l => l.mark.type === 'rect')!;
    assert.equal(band.data.values[0].hi, 60 * 1.05);
    assert.match(s.title as string, /under-determined/);
    const far = lowdose.plot.fadingPlot(short, y.slice(0, 8), { criticalDoseEPerA2: 1e4, i0: 2000, background: 0, ci95: [30, Infinity] });
    assert.ok(!checkLayeredSpec(far).some(l => l.mark.type === 'rule'));
    assert.match(far.title as string, /beyond the plotted range/);
  });

  it('fadingPlot() drops non-finite points and refuses mismatched lengths or a fit without a finite Dc', () => {
    const fit = { criticalDoseEPerA2: 60, i0: 2000, background: 0 };
    const layers = checkLayeredSpec(lowdose.plot.fadingPlot([1, 2, NaN], [5, Infinity, 3], fit));
    assert.equal(layers.find(l => l.mark.type === 'point')!.data.values.length, 1);
    assert.throws(() => lowdose.plot.fadingPlot([1, 2], [1], fit), lowdose.ShapeError);
    assert.throws(() => lowdose.plot.fadingPlot([1, 2], [1, 2], { ...fit, criticalDoseEPerA2: Infinity }), lowdose.ValueError);
  });
});
