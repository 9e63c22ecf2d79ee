import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as lowdose from 'lowdose';

const PYTHON = path.resolve(__dirname, '../../../.venv/bin/python');
const DC = 60;

/** Frame-midpoint doses and Poisson counts of I(D) = i0·exp(−D/Dc) + b (science.md §1.9, Part 2). */
function fadingSeries(seed: number, nFrames: number, frameDoseEPerA2: number, i0: number, b: number): { d: number[]; counts: number[] } {
  const draw = lowdose.simulate.poisson(lowdose.simulate.rng(seed));
  const { midpointEPerA2 } = lowdose.dose.cumulativeDose(new Array(nFrames).fill(frameDoseEPerA2));
  return { d: midpointEPerA2, counts: midpointEPerA2.map(d => draw(i0 * Math.exp(-d / DC) + b)) };
}

interface Summary {
  worstRelativeError: number;
  covered: number;
  flagged: number;
}

function repeat(seeds: number, fit: (seed: number) => lowdose.dose.CriticalDoseFit): Summary {
  const s: Summary = { worstRelativeError: 0, covered: 0, flagged: 0 };
  for (let seed = 1; seed <= seeds; seed++) {
    const f = fit(seed);
    s.worstRelativeError = Math.max(s.worstRelativeError, Math.abs(f.criticalDoseEPerA2 / DC - 1));
    if (f.ci95[0] <= DC && DC <= f.ci95[1]) s.covered++;
    if (f.underdetermined) s.flagged++;
  }
  return s;
}

describe('dose.fitCriticalDose', () => {
  it('fitCriticalDose() recovers Dc, I₀ and B of noise-free data to 1e-6', () => {
    const d = Array.from({ length: 30 }, (_, i) => 2.5 + 5 * i);
    const y = d.map(x => 1000 * Math.exp(-x / DC) + 50);
    for (const weighting of ['poisson', 'uniform'] as const) {
      const f = lowdose.dose.fitCriticalDose(d, y, { weighting });
      assert.ok(Math.abs(f.criticalDoseEPerA2 / DC - 1) < 1e-6, `${weighting}: Dc ${f.criticalDoseEPerA2}`);
      assert.ok(Math.abs(f.i0 / 1000 - 1) < 1e-6, `${weighting}: I0 ${f.i0}`);
      assert.ok(Math.abs(f.background - 50) < 1e-4, `${weighting}: B ${f.background}`);
      assert.ok(Math.abs(f.halfDoseEPerA2 - DC * Math.LN2) < 1e-4);
      assert.equal(f.underdetermined, false);
      assert.equal(f.converged, true);
      assert.ok(Math.max(...f.residuals.map(Math.abs)) < 1e-6);
    }
  });

  it('fitCriticalDose() with B fixed at 0 is within 5 % of Dc = 60 in 60 of 60 Poisson series reaching 2·Dc, its 95 % CI covering the truth ≥ 90 %', () => {
    // 40 frames × 3 e⁻/Å² (to 120 = 2·Dc), I₀ = 2000 counts, background already subtracted.
    const s = repeat(60, seed => {
      const { d, counts } = fadingSeries(seed, 40, 3, 2000, 0);
      return lowdose.dose.fitCriticalDose(d, counts, { fixedBackground: 0 });
    });
    assert.ok(s.worstRelativeError < 0.05, `worst error ${s.worstRelativeError}`);
    assert.ok(s.covered >= 54, `CI covered Dc in ${s.covered}/60`);
    assert.equal(s.flagged, 0);
  });

  it('fitCriticalDose() with B free is within 5 % of Dc = 60 in 60 of 60 series reaching 2·Dc (I₀ = 5·10⁴, B = 2000 counts), CI coverage ≥ 90 %', () => {
    const s = repeat(60, seed => {
      const { d, counts } = fadingSeries(1000 + seed, 40, 3, 50000, 2000);
      return lowdose.dose.fitCriticalDose(d, counts);
    });
    assert.ok(s.worstRelativeError < 0.05, `worst error ${s.worstRelativeError}`);
    assert.ok(s.covered >= 54, `CI covered Dc in ${s.covered}/60`);
    assert.equal(s.flagged, 0);
  });

  it('fitCriticalDose() flags every series ending at the study’s 38.5 e⁻/Å² as under-determined with a warning (B free and B = 0)', () => {
    for (const fixedBackground of [undefined, 0]) {
      let flagged = 0;
      for (let seed = 1; seed <= 50; seed++) {
        const { d, counts } = fadingSeries(2000 + seed, 40, 0.9625, 2000, fixedBackground === undefined ? 200 : 0);
        const f = lowdose.dose.fitCriticalDose(d, counts, { fixedBackground });
        if (f.underdetermined && f.warnings.some(w => /spans 37\.5 e⁻\/Å²|interval/.test(w))) flagged++;
      }
      assert.equal(flagged, 50, `B ${fixedBackground ?? 'free'}: flagged ${flagged}/50`);
    }
  });

  it('fitCriticalDose() agrees with scipy.optimize.curve_fit to 1e-4 (parameters and standard errors, with sigmas and unweighted)', function () {
    if (!fs.existsSync(PYTHON)) {
      (this.test as unknown as { skipReason?: string }).skipReason = `no Python reference environment at ${PYTHON}; run npm run setup`;
      this.skip();
    }
    const { d, counts } = fadingSeries(7, 40, 3, 2000, 200);
    const sigmas = counts.map(c => Math.sqrt(Math.max(c, 1)));
    const ours = [
      lowdose.dose.fitCriticalDose(d, counts, { sigmas }),
      lowdose.dose.fitCriticalDose(d, counts, { weighting: 'uniform' })
    ];
    const script = `
import sys, json, numpy as np
from scipy.optimize import curve_fit
d, y, s = (np.array(v, dtype=float) for v in json.loads(sys.argv[1]))
f = lambda x, i0, dc, b: i0 * np.exp(-x / dc) + b
out = []
for sigma in (s, None):
    p, c = curve_fit(f, d, y, p0=[y[0], 30.0, y.min()], sigma=sigma, xtol=1e-14, ftol=1e-14, gtol=1e-14, maxfev=100000)
    out.append(dict(popt=p.tolist(), perr=np.sqrt(np.diag(c)).tolist()))
print(json.dumps(out))`;
    const ref = JSON.parse(execFileSync(PYTHON, ['-c', script, JSON.stringify([d, counts, sigmas])], { encoding: 'utf8' })) as Array<{
      popt: number[];
      perr: number[];
    }>;
    ours.forEach((f, k) => {
      const got = [f.i0, f.criticalDoseEPerA2, f.background];
      const se = [f.standardErrors.i0, f.standardErrors.criticalDoseEPerA2, f.standardErrors.background];
      for (let j = 0; j < 3; j++) {
        assert.ok(Math.abs(got[j] / ref[k].popt[j] - 1) < 1e-4, `fit ${k} param ${j}: ${got[j]} vs scipy ${ref[k].popt[j]}`);
        assert.ok(Math.abs(se[j] / ref[k].perr[j] - 1) < 1e-4, `fit ${k} SE ${j}: ${se[j]} vs scipy ${ref[k].perr[j]}`);
      }
    });
  });

  it('fitCriticalDose() flags data that do not fade instead of throwing', () => {
    const d = Array.from({ length: 20 }, (_, i) => i + 0.5);
    const draw = lowdose.simulate.poisson(lowdose.simulate.rng(3));
    const flat = d.map(() => draw(1000));
    const f = lowdose.dose.fitCriticalDose(d, flat);
    assert.equal(f.underdetermined, true);
    assert.ok(f.warnings.length >= 1);
    const rising = d.map(x => 100 + 10 * x);
    assert.equal(lowdose.dose.fitCriticalDose(rising, rising.map(v => v)).underdetermined, true);
  });

  it('fitCriticalDose() refuses mismatched lengths, too few points, non-finite values and bad sigmas', () => {
    assert.throws(() => lowdose.dose.fitCriticalDose([1, 2, 3, 4], [1, 2, 3]), lowdose.ValueError);
    assert.throws(() => lowdose.dose.fitCriticalDose([1, 2, 3], [3, 2, 1]), /at least 4 points/);
    assert.throws(() => lowdose.dose.fitCriticalDose([1, 2, 3, 4], [4, NaN, 2, 1]), /intensities\[1\] must be finite/);
    assert.throws(() => lowdose.dose.fitCriticalDose([1, 2, 3, 4], [4, 3, 2, 1], { sigmas: [1, 0, 1, 1] }), /sigmas\[1\]/);
    assert.throws(() => lowdose.dose.fitCriticalDose([1, -2, 3, 4], [4, 3, 2, 1]), /dosesEPerA2\[1\]/);
  });
});
