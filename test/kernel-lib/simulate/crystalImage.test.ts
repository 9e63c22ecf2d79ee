import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';
import { amplitudeAt } from './dftAt';

const { simulate, crystal } = lowdose;

type Truth = { label: string; kxInvA: number; kyInvA: number; dA: number; angleDeg: number; amplitude: number; transfer: number; amplitudeInImage: number; beyondInformationLimit: boolean };
const truthOf = (ds: lowdose.Dataset): Truth[] => ds.metadata.reflections as Truth[];
const amp = (ds: lowdose.Dataset, r: { kxInvA: number; kyInvA: number }): number =>
  amplitudeAt((a, b) => ds.data.get(a, b), ds.data.shape[0], ds.data.shape[1], ds.axes[0].scale, r.kxInvA, r.kyInvA, ds.metadata.meanCountsPerPx as number);
/** Only the fringes: crystal everywhere, no amorphous field, no noise. */
const PURE = { shape: [256, 256] as [number, number], noise: false, region: { shape: 'full' as const }, amorphous: { contrast: 0 } };

describe('simulate.crystalImage', () => {
  it('crystalImage() counts have mean η·D·p²·⟨T⟩ within 4 standard errors and ⟨T⟩ = 1 within 1 %', () => {
    const img = simulate.crystalImage({ shape: [256, 256], doseEPerA2: 38.5, seed: 5 });
    const d = lowdose.stats.describe(img);
    const meanCounts = 0.9 * 38.5 * 0.25;
    assert.equal(img.metadata.meanCountsPerPx, meanCounts);
    const t = img.metadata.meanTransmission as number;
    assert.ok(Math.abs(t - 1) < 0.01, `⟨T⟩ ${t}`);
    assert.ok(Math.abs(d.mean - meanCounts * t) < 4 * Math.sqrt((meanCounts * t) / d.count), `mean ${d.mean}`);
    assert.ok((img.data.data as Float32Array).every(v => Number.isInteger(v) && v >= 0));
    assert.deepEqual([img.axes[0].units, img.axes[1].units, img.axes[1].scale], ['A', 'A', 0.5]);
  });

  it('crystalImage() puts each true reflection in the image with amplitude A_g (direct DFT, within 0.001) and nothing beyond the 2.2 Å limit', () => {
    const img = simulate.crystalImage(PURE);
    const truth = truthOf(img);
    assert.deepEqual(truth.map(r => r.label), ['(1 0 0)', '(0 1 0)', '(1/2 0 0)', '(1 1 0)', '(1 -1 0)', '(2 0 0)', '(0 2 0)', '(2 1 0)', '(1 2 0)']);
    assert.ok(Math.abs(truth[2].dA - 9.39) < 1e-9 && Math.abs(truth[0].dA - 4.695) < 1e-9);
    assert.ok(Math.abs(truth[1].angleDeg - 90) < 1e-9 && Math.abs(truth[3].angleDeg - 45) < 1e-9);
    for (const r of truth) {
      const got = amp(img, r);
      if (r.dA < 2.2) {
        assert.equal(r.beyondInformationLimit, true);
        assert.equal(r.amplitudeInImage, 0);
        assert.ok(got < 1e-3, `${r.label} beyond the limit: ${got}`);
      } else {
        assert.ok(Math.abs(got - r.amplitudeInImage) < 1e-3, `${r.label}: ${got} vs ${r.amplitudeInImage}`);
      }
    }
    assert.ok(Math.abs(amp(img, truth[2]) / amp(img, truth[0]) - 0.3) < 0.01); // ½00 at 0.3·A(100)
  });

  it('crystalImage() information limit moves with informationLimitA: 2.5 Å removes (200), 2.0 Å keeps (210)', () => {
    const tight = simulate.crystalImage({ ...PURE, informationLimitA: 2.5 });
    const t200 = truthOf(tight).find(r => r.label === '(2 0 0)')!;
    assert.equal(t200.amplitudeInImage, 0);
    assert.ok(amp(tight, t200) < 1e-3);
    const loose = simulate.crystalImage({ ...PURE, informationLimitA: 2.0 });
    const t210 = truthOf(loose).find(r => r.label === '(2 1 0)')!;
    assert.equal(t210.amplitudeInImage, 0.04);
    assert.ok(Math.abs(amp(loose, t210) - 0.04) < 1e-3);
  });

  it('crystalImage() in the default scene (65 % disk, amorphous 10 %): crystal fraction 0.65 and A(100)/A(1/2 0 0) = 0.15/0.045 within 3 %', () => {
    const img = simulate.crystalImage({ shape: [256, 256], noise: false });
    assert.ok(Math.abs((img.metadata.crystalAreaFraction as number) - 0.65) < 0.01);
    const truth = truthOf(img);
    const ratio = amp(img, truth[0]) / amp(img, truth[2]);
    assert.ok(Math.abs(ratio / (0.15 / 0.045) - 1) < 0.03, `ratio ${ratio}`);
  });

  it('crystalImage() amorphous field has the requested 10 % standard deviation outside the crystal (within 30 % of it)', () => {
    const img = simulate.crystalImage({ shape: [256, 256], noise: false, region: { radiusA: 1, edgeWidthA: 0 }, amorphous: { contrast: 0.1, correlationLengthA: 5 } });
    const d = lowdose.stats.describe(img);
    const rel = d.std / d.mean;
    assert.ok(rel > 0.07 && rel < 0.13, `relative std ${rel}`);
  });

  it('crystalImage() is reproducible for a seed and differs between seeds', () => {
    const a = simulate.crystalImage({ shape: [64, 64], seed: 3 });
    const b = simulate.crystalImage({ shape: [64, 64], seed: 3 });
    const c = simulate.crystalImage({ shape: [64, 64], seed: 4 });
    assert.deepEqual(Array.from(a.data.data as Float32Array), Array.from(b.data.data as Float32Array));
    assert.notDeepEqual(Array.from(a.data.data as Float32Array), Array.from(c.data.data as Float32Array));
  });

  it('crystalImage() projects hkl along a zone: rotation 30° puts (100) at 30° and (010) at 120°; β-NNB [1-10] has (110) ⊥ (002)', () => {
    const rot = simulate.crystalImage({ shape: [32, 32], noise: false, inPlaneRotationDeg: 30 });
    const t = truthOf(rot);
    assert.ok(Math.abs(t[0].angleDeg - 30) < 1e-9 && Math.abs(t[1].angleDeg - 120) < 1e-9);
    const beta = simulate.crystalImage({
      shape: [32, 32],
      noise: false,
      cell: crystal.cells.betaNNB,
      zoneAxis: [1, -1, 0],
      reflections: [{ hkl: [1, 1, 0], amplitude: 0.1 }, { hkl: [0, 0, 2], amplitude: 0.1 }, { hkl: [1, 1, 2], amplitude: 0.05 }]
    });
    const b = truthOf(beta);
    assert.ok(Math.abs(b[0].dA - 4.6083) < 1e-4 && Math.abs(b[1].dA - 4.9256) < 1e-4 && Math.abs(b[2].dA - 3.3651) < 1e-4);
    assert.ok(Math.abs(b[1].angleDeg - 90) < 1e-9, `${b[1].angleDeg}`);
    // and indexPeaks recovers the zone from the simulator's own ground truth
    const r = lowdose.lattice.indexPeaks(b, crystal.cells.betaNNB);
    assert.deepEqual(r.peaks.map(p => p.label), ['(1 1 0)', '(0 0 2)', '(1 1 2)']);
    assert.deepEqual(r.zoneAxis, [1, -1, 0]);
  });

  it('crystalImage() transfer: envelope exp(−B|g|²/4), CTF −sin χ (Kirkland), pixel sinc — as stated in the ground truth', () => {
    const env = truthOf(simulate.crystalImage({ ...PURE, shape: [32, 32], envelopeBA2: 4 }))[0];
    assert.ok(Math.abs(env.transfer - Math.exp(-((1 / 4.695) ** 2))) < 1e-12);
    const ctf = truthOf(simulate.crystalImage({ ...PURE, shape: [32, 32], ctf: { defocusA: 700, csMm: 2.7, voltageKV: 300 } }))[3];
    const lam = 0.0196875; // Å at 300 kV
    const g2 = 2 / 4.695 ** 2;
    const chi = Math.PI * lam * g2 * (0.5 * 2.7e7 * lam * lam * g2 - 700);
    assert.ok(Math.abs(ctf.transfer + Math.sin(chi)) < 2e-4, `${ctf.transfer} vs ${-Math.sin(chi)}`);
    const mtf = truthOf(simulate.crystalImage({ ...PURE, shape: [32, 32], detectorMtf: 'sinc' }))[0];
    const x = 0.5 / 4.695;
    assert.ok(Math.abs(mtf.transfer - Math.sin(Math.PI * x) / (Math.PI * x)) < 1e-12);
  });

  it('crystalImage() ordered domains (ξ = 15 Å) spread the (1/2 0 0) spot: peak amplitude < 0.5·A, while ξ = ∞ keeps A', () => {
    const refl = (domainSizeA?: number) => [{ dA: 9.39, angleDeg: 0, amplitude: 0.1, domainSizeA }];
    const ordered = simulate.crystalImage({ ...PURE, reflections: refl() });
    const domains = simulate.crystalImage({ ...PURE, reflections: refl(15) });
    const g = truthOf(ordered)[0];
    assert.ok(Math.abs(amp(ordered, g) - 0.1) < 1e-3);
    assert.ok(amp(domains, g) < 0.05, `${amp(domains, g)}`);
  });

  it('crystalImage() rejects a reflection outside the zone and hkl without a cell, naming the parameter', () => {
    assert.throws(() => simulate.crystalImage({ reflections: [{ hkl: [1, 0, 1], amplitude: 0.1 }], cell: crystal.cells.alphaNNB }), /reflections\[0\]\.hkl must lie in zone \[0 0 1\]/);
    assert.throws(() => simulate.crystalImage({ reflections: [{ hkl: [1, 0, 0], amplitude: 0.1 }] }), /cell must be given/);
    assert.throws(() => simulate.crystalImage({ reflections: [{ dA: -1, angleDeg: 0, amplitude: 0.1 }] }), /reflections\[0\]\.dA must be a positive number/);
    assert.throws(() => simulate.crystalImage({ region: { shape: 'polygon', verticesA: [{ x: 0, y: 0 }] } }), /region\.verticesA must list at least 3 points/);
  });

  it('crystalImage() polygon region: the crystal fraction equals the polygon area fraction within 1 %', () => {
    const L = 128; // 256 px × 0.5 Å
    const img = simulate.crystalImage({
      shape: [256, 256],
      noise: false,
      region: { shape: 'polygon', edgeWidthA: 0, verticesA: [{ x: 10, y: 10 }, { x: 110, y: 20 }, { x: 100, y: 115 }, { x: 20, y: 100 }] }
    });
    // shoelace area of the quadrilateral
    const v = [[10, 10], [110, 20], [100, 115], [20, 100]];
    let a2 = 0;
    for (let i = 0; i < 4; i++) a2 += v[i][0] * v[(i + 1) % 4][1] - v[(i + 1) % 4][0] * v[i][1];
    const frac = Math.abs(a2) / 2 / (L * L);
    assert.ok(Math.abs((img.metadata.crystalAreaFraction as number) / frac - 1) < 0.01);
  });
});

describe('simulate.latticeImage (crystal model and unchanged column model)', () => {
  it('latticeImage() column model is bit-for-bit unchanged (fingerprints of the previous implementation)', () => {
    const fingerprint = (ds: lowdose.Dataset): number => {
      const a = ds.data.data as Float32Array;
      let s = 0;
      for (let i = 0; i < a.length; i++) s += a[i] * ((i % 7) + 1);
      return s;
    };
    assert.equal(fingerprint(simulate.latticeImage({})), 1306720);
    assert.equal(fingerprint(simulate.latticeImage({ shape: [128, 96], latticeA: 5, rotationDeg: 13, contrast: -0.4, doseEPerA2: 7, countsPerElectron: 0.9, seed: 5 })), 77510);
    assert.equal(fingerprint(simulate.latticeImage({ noise: false, shape: [64, 64] })), 81890.49625062943);
  });

  it('latticeImage({supercell}) switches to the crystal model: (1/2 0) at 2a with its amplitude, columns as Fourier terms exp(−2π²σ²g²)', () => {
    const img = simulate.latticeImage({ noise: false, supercell: { amplitude: 0.05 }, region: { shape: 'full' }, amorphous: { contrast: 0 } });
    assert.equal(img.metadata.model, 'crystal');
    assert.equal(img.metadata.meanCountsPerPx, 20 * 0.25); // latticeImage defaults: D = 20, η = 1
    const t = truthOf(img);
    const sup = t.find(r => r.label === '(1/2 0)')!;
    assert.ok(Math.abs(sup.dA - 9.4) < 1e-9);
    const g10 = t.find(r => r.label === '(1 0)')!;
    assert.ok(Math.abs(g10.amplitude - 0.3 * Math.exp(-2 * Math.PI ** 2 * 0.49 / 4.7 ** 2)) < 1e-12);
    assert.ok(Math.abs(amp(img, sup) - 0.05) < 1e-3);
    assert.ok(Math.abs(amp(img, g10) - g10.amplitudeInImage) < 1e-3);
    assert.ok(t.filter(r => r.dA < 2.2).every(r => r.amplitudeInImage === 0));
  });
});
