import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ndarray from 'ndarray';
import * as lowdose from 'lowdose';

const PYTHON = path.resolve(__dirname, '../../../.venv/bin/python');
const { registration } = lowdose;

/**
 * Content displaced by [dy, dx] px (Fourier shift theorem; periodic), float64. Nyquist terms are
 * zeroed (a sampled real image has no exact sub-pixel shift there), so pass the reference through
 * with [0, 0] too.
 */
export function fourierShift(img: lowdose.NdArray, [dy, dx]: [number, number]): lowdose.NdArray {
  const [ny, nx] = img.shape;
  const X = lowdose.fft.fft2(img);
  const re = X.re.data as Float64Array;
  const im = X.im.data as Float64Array;
  for (let r = 0; r < ny; r++) {
    const fy = r < Math.ceil(ny / 2) ? r : r - ny;
    for (let c = 0; c < nx; c++) {
      const fx = c < Math.ceil(nx / 2) ? c : c - nx;
      const ph = -2 * Math.PI * ((fy * dy) / ny + (fx * dx) / nx);
      const k = r * nx + c;
      if (2 * r === ny || 2 * c === nx) {
        re[k] = im[k] = 0;
        continue;
      }
      const a = re[k];
      const b = im[k];
      re[k] = a * Math.cos(ph) - b * Math.sin(ph);
      im[k] = a * Math.sin(ph) + b * Math.cos(ph);
    }
  }
  return ndarray(Float64Array.from(lowdose.fft.ifft2(X).re.data), [ny, nx]);
}

function texture(shape: [number, number], seed: number): lowdose.NdArray {
  const img = lowdose.simulate.crystalImage({ shape, noise: false, seed, doseEPerA2: 400 });
  return ndarray(Float64Array.from(img.data.data), shape);
}

function poissonOf(img: lowdose.NdArray, seed: number): lowdose.NdArray {
  const draw = lowdose.simulate.poisson(lowdose.simulate.rng(seed));
  return ndarray(Float32Array.from(img.data as Float64Array, v => draw(Math.max(0, v))), img.shape.slice());
}

describe('registration.phaseCrossCorrelation', () => {
  it('phaseCrossCorrelation() recovers noise-free sub-pixel shifts within 0.01 px (upsampleFactor 100), sign as scikit-image', () => {
    // a smooth texture plus a white one, so that phase normalisation has signal at every frequency
    const r = lowdose.simulate.rng(5);
    const smooth = texture([128, 144], 3);
    const ref = fourierShift(ndarray(Float64Array.from(smooth.data as Float64Array, v => v + 20 * r.next()), [128, 144]), [0, 0]);
    for (const d of [[0.37, -1.62], [-3.25, 2.8], [5.04, 0.01]] as Array<[number, number]>) {
      const moving = fourierShift(ref, d);
      for (const normalization of ['phase', null] as const) {
        const r = registration.phaseCrossCorrelation(ref, moving, { upsampleFactor: 100, normalization });
        // the shift that registers moving onto ref is minus the content displacement
        assert.ok(Math.abs(r.shiftPx[0] + d[0]) < 0.01 && Math.abs(r.shiftPx[1] + d[1]) < 0.01, `${normalization}: ${r.shiftPx} for content moved by ${d}`);
        assert.ok(Math.abs(r.phaseDiff) < 1e-6);
      }
    }
    const whole = registration.phaseCrossCorrelation(ref, fourierShift(ref, [4, -7]), { normalization: null });
    assert.deepEqual(whole.shiftPx, [-4, 7]);
    assert.ok(whole.error < 1e-6, `error ${whole.error}`);
  });

  it('phaseCrossCorrelation() agrees with scikit-image phase_cross_correlation within 0.02 px (shifts, error, phaseDiff) on noisy, odd-sized and Fourier-space inputs', function () {
    if (!fs.existsSync(PYTHON)) this.skip();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pcc-'));
    type Case = { ref: lowdose.NdArray; moving: lowdose.NdArray; upsampleFactor: number; normalization: 'phase' | null; space?: 'fourier' };
    const cases: Case[] = [];
    const shapes: Array<[number, number]> = [[128, 128], [97, 130], [120, 75]];
    let seed = 10;
    for (const shape of shapes) {
      const base = texture(shape, seed);
      for (const d of [[1.3, -2.45], [-6.71, 3.08]] as Array<[number, number]>) {
        const a = poissonOf(base, seed++);
        const b = poissonOf(fourierShift(base, d), seed++);
        for (const upsampleFactor of [1, 20, 100]) for (const normalization of ['phase', null] as const) cases.push({ ref: a, moving: b, upsampleFactor, normalization });
      }
    }
    // low-dose pair: ~2 counts per pixel
    const low = texture([128, 128], 99);
    const scale = (img: lowdose.NdArray, f: number): lowdose.NdArray => ndarray(Float64Array.from(img.data as Float64Array, v => v * f), img.shape.slice());
    cases.push({ ref: poissonOf(scale(low, 0.02), 1), moving: poissonOf(scale(fourierShift(low, [0.4, 0.9]), 0.02), 2), upsampleFactor: 20, normalization: null });
    const t0 = process.hrtime.bigint();
    const ours = cases.map(c => registration.phaseCrossCorrelation(c.ref, c.moving, c));
    const msOurs = Number(process.hrtime.bigint() - t0) / 1e6;
    // one spectrum pair in Fourier space
    const f0 = lowdose.fft.fft2(cases[2].ref);
    const f1 = lowdose.fft.fft2(cases[2].moving);
    const fourier = registration.phaseCrossCorrelation(f0, f1, { upsampleFactor: 20, space: 'fourier' });
    return (async () => {
      for (let i = 0; i < cases.length; i++) {
        await lowdose.io.writeNpy(path.join(dir, `a${i}.npy`), cases[i].ref);
        await lowdose.io.writeNpy(path.join(dir, `b${i}.npy`), cases[i].moving);
      }
      const params = cases.map(c => ({ u: c.upsampleFactor, norm: c.normalization }));
      const script = `
import json, sys, numpy as np
from skimage.registration import phase_cross_correlation as pcc
d = sys.argv[1]; params = json.loads(sys.argv[2]); out = []
for i, p in enumerate(params):
    a = np.load(f'{d}/a{i}.npy'); b = np.load(f'{d}/b{i}.npy')
    s, e, ph = pcc(a, b, upsample_factor=p['u'], normalization=p['norm'])
    out.append([float(s[0]), float(s[1]), float(e), float(ph)])
a = np.load(f'{d}/a2.npy').astype(np.float64); b = np.load(f'{d}/b2.npy').astype(np.float64)
s, e, ph = pcc(np.fft.fft2(a), np.fft.fft2(b), upsample_factor=20, space='fourier')
out.append([float(s[0]), float(s[1]), float(e), float(ph)])
print(json.dumps(out))`;
      const ref = JSON.parse(execFileSync(PYTHON, ['-c', script, dir, JSON.stringify(params)], { encoding: 'utf8' })) as number[][];
      fs.rmSync(dir, { recursive: true, force: true });
      let worst = 0;
      let worstError = 0;
      let worstPhase = 0;
      const all = [...ours, fourier];
      all.forEach((r, i) => {
        const [sy, sx, e] = ref[i];
        worst = Math.max(worst, Math.abs(r.shiftPx[0] - sy), Math.abs(r.shiftPx[1] - sx));
        worstError = Math.max(worstError, Math.abs(r.error - e));
        worstPhase = Math.max(worstPhase, Math.abs(r.phaseDiff - ref[i][3]));
      });
      console.log(`      ${all.length} cases: worst shift difference ${worst.toExponential(2)} px, worst error difference ${worstError.toExponential(2)}, worst phaseDiff difference ${worstPhase.toExponential(2)} rad; ours ${(msOurs / cases.length).toFixed(1)} ms per pair`);
      assert.ok(worst <= 0.02, `worst shift difference ${worst}`);
      assert.ok(worstError < 1e-3, `worst error difference ${worstError}`);
      assert.ok(worstPhase < 1e-2, `worst phaseDiff difference ${worstPhase}`);
    })();
  });

  it('phaseCrossCorrelation() validates its inputs', () => {
    const a = ndarray(new Float64Array(64), [8, 8]);
    assert.throws(() => registration.phaseCrossCorrelation(a, ndarray(new Float64Array(72), [8, 9])), lowdose.ShapeError);
    assert.throws(() => registration.phaseCrossCorrelation(a, a, { upsampleFactor: 0 }), lowdose.ValueError);
    assert.throws(() => registration.phaseCrossCorrelation(a, a, { normalization: 'abs' as 'phase' }), lowdose.ValueError);
    assert.throws(() => registration.phaseCrossCorrelation(ndarray(new Float64Array(8), [8]), ndarray(new Float64Array(8), [8])), lowdose.ShapeError);
  });
});
