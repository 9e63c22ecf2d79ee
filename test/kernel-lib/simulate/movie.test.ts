import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';
import { amplitudeAt } from './dftAt';

const { simulate } = lowdose;

type Truth = { label: string; kxInvA: number; kyInvA: number; dA: number; amplitude: number; amplitudeInImage: number; phaseDeg: number; criticalDoseEPerA2: number };
type FrameTruth = { shiftPx: [number, number]; doseMidEPerA2: number; strain: number; reflections: Truth[] };
const frames = (m: lowdose.Dataset): FrameTruth[] => m.metadata.frameTruth as FrameTruth[];
const frameAmp = (m: lowdose.Dataset, n: number, r: { kxInvA: number; kyInvA: number }): number => {
  const [, rows, cols] = m.data.shape;
  const meanCounts = (m.metadata.meanCountsPerPxPerFrame as number[])[n];
  return amplitudeAt((a, b) => m.data.get(n, a, b), rows, cols, m.axes[1].scale, r.kxInvA, r.kyInvA, meanCounts);
};
/** Fringes only, no noise: the image is exactly 1 + Σ A cos(…) times the mean counts. */
const PURE = { noise: false, region: { shape: 'full' as const }, amorphous: { contrast: 0 } };

describe('simulate.movie', () => {
  it('movie() defaults: 40 frames × 0.9625 e⁻/Å² (38.5 in all), 256² at 0.5 Å, midpoint doses, mean counts η·D_f·p² per frame', () => {
    const t0 = Date.now();
    const m = simulate.movie({ seed: 2 });
    const ms = Date.now() - t0;
    assert.deepEqual(m.data.shape, [40, 256, 256]);
    assert.deepEqual(m.axes.map(a => [a.name, a.units]), [['frame', ''], ['y', 'A'], ['x', 'A']]);
    const cum = m.metadata.cumulativeDoseEPerA2 as number[];
    const mid = m.metadata.midpointDoseEPerA2 as number[];
    assert.ok(Math.abs(cum[39] - 38.5) < 1e-9);
    assert.ok(Math.abs(mid[0] - 0.48125) < 1e-12 && Math.abs(mid[39] - (38.5 - 0.48125)) < 1e-9);
    const perFrame = 0.9 * 0.9625 * 0.25;
    assert.ok(Math.abs((m.metadata.meanCountsPerPxPerFrame as number[])[0] - perFrame) < 1e-12);
    const d = lowdose.stats.describe(m);
    // ⟨T⟩ ≈ 1 within 1 %; Poisson error is far smaller (2.6 M pixels)
    assert.ok(Math.abs(d.mean / perFrame - 1) < 0.01, `mean ${d.mean} vs ${perFrame}`);
    assert.ok((m.data.data as Float32Array).every(v => Number.isInteger(v) && v >= 0));
    console.log(`      movie() 40 × 256² generated in ${ms} ms`);
  });

  it('movie() applies drift with the design.md sign: frame n at (r, c) equals frame 0 at (r − dy, c − dx) for integer shifts', () => {
    const m = simulate.movie({ shape: [96, 80], frames: 4, noise: false, fading: false, drift: { velocityAPerFrame: [1, 0.5], randomWalkA: 0, jumpA: [0, 0] } });
    const shifts = m.metadata.shiftsPx as Array<[number, number]>;
    assert.deepEqual(shifts, [[0, 0], [2, 1], [4, 2], [6, 3]]);
    for (let n = 1; n < 4; n++) {
      const [dy, dx] = shifts[n];
      let worst = 0;
      for (let r = dy; r < 96; r++) {
        for (let c = dx; c < 80; c++) worst = Math.max(worst, Math.abs(m.data.get(n, r, c) - m.data.get(0, r - dy, c - dx)));
      }
      assert.ok(worst < 1e-5, `frame ${n}: ${worst}`);
    }
  });

  it('movie() frames equal a direct evaluation of 1 + Σ A·cos(2π g·(r − s_n − c) + φ) at the stated sub-pixel shiftsPx (within 1e-5)', () => {
    const m = simulate.movie({ ...PURE, shape: [48, 64], frames: 6, fading: false, seed: 11 });
    const p = 0.5;
    const centre = (m.metadata.region as { centreA: { x: number; y: number } }).centreA;
    const meanCounts = (m.metadata.meanCountsPerPxPerFrame as number[])[0];
    for (const [n, f] of frames(m).entries()) {
      const [dy, dx] = f.shiftPx;
      let worst = 0;
      for (let r = 0; r < 48; r++) {
        for (let c = 0; c < 64; c++) {
          const x = c * p - dx * p - centre.x;
          const y = r * p - dy * p - centre.y;
          let t = 1;
          for (const g of f.reflections) t += g.amplitudeInImage * Math.cos(2 * Math.PI * (g.kxInvA * x + g.kyInvA * y) + (g.phaseDeg * Math.PI) / 180);
          worst = Math.max(worst, Math.abs(m.data.get(n, r, c) / meanCounts - t));
        }
      }
      assert.ok(worst < 1e-5, `frame ${n}: ${worst}`);
    }
    const s = frames(m).map(f => f.shiftPx);
    assert.deepEqual(s[0], [0, 0]);
    // frame 1 carries v + the 3 Å jump + one random-walk step (σ = 0.3 Å = 0.6 px per axis)
    assert.ok(Math.abs(s[1][0] - (0.6 + 2.4) / p) < 5 * 0.6 && Math.abs(s[1][1] - (0.8 - 1.8) / p) < 5 * 0.6);
  });

  it('movie() drift steps minus the velocity have the random-walk σ = 0.3 Å (within 25 %, 39 steps × 2 axes)', () => {
    const m = simulate.movie({ shape: [16, 16], frames: 40, noise: false, seed: 7 });
    const s = m.metadata.shiftsA as Array<[number, number]>;
    const steps: number[] = [];
    for (let n = 2; n < 40; n++) steps.push(s[n][0] - s[n - 1][0] - 0.6, s[n][1] - s[n - 1][1] - 0.8);
    const sd = Math.sqrt(steps.reduce((a, v) => a + v * v, 0) / steps.length);
    assert.ok(Math.abs(sd / 0.3 - 1) < 0.25, `σ ${sd}`);
  });

  it('movie() fading: amplitude of each reflection follows exp(−D_mid/(2·Dc_g)) with Dc ∝ d (direct DFT within 1 % up to D = 2·Dc)', () => {
    // Default rule: Dc = 60 e⁻/Å² at 9.39 Å (the doubled cell's (001)), 30 at 4.695 Å.
    const defaults = simulate.movie({ shape: [16, 16], frames: 1, noise: false }).metadata.reflections as Truth[];
    assert.ok(Math.abs(defaults[2].criticalDoseEPerA2 - 60) < 1e-9 && defaults[2].label === '(1/2 0 0)');
    assert.ok(Math.abs(defaults[0].criticalDoseEPerA2 - 30) < 1e-9);
    // Fringes commensurate with the 64 Å field (7 and 14 periods): the windowed DFT has no leakage.
    const m = simulate.movie({
      ...PURE,
      shape: [128, 128],
      frames: 12,
      doseEPerA2PerFrame: 10,
      drift: false,
      fading: { referenceDA: 64 / 7 },
      reflections: [{ dA: 64 / 7, angleDeg: 0, amplitude: 0.05 }, { dA: 64 / 14, angleDeg: 90, amplitude: 0.15 }]
    });
    const zero = m.metadata.reflections as Truth[];
    assert.ok(Math.abs(zero[0].criticalDoseEPerA2 - 60) < 1e-9 && Math.abs(zero[1].criticalDoseEPerA2 - 30) < 1e-9);
    for (const [n, f] of frames(m).entries()) {
      const D = f.doseMidEPerA2;
      assert.ok(Math.abs(D - (10 * n + 5)) < 1e-9);
      for (const k of [0, 1]) {
        const expected = zero[k].amplitude * Math.exp(-D / (2 * zero[k].criticalDoseEPerA2));
        assert.ok(Math.abs(f.reflections[k].amplitude - expected) < 1e-12);
        const got = frameAmp(m, n, f.reflections[k]);
        assert.ok(Math.abs(got / expected - 1) < 0.01, `frame ${n} ${zero[k].label}: ${got} vs ${expected}`);
      }
    }
  });

  it('movie() is reproducible for a seed, and the noise differs between seeds', () => {
    const o = { shape: [32, 32] as [number, number], frames: 3 };
    const a = simulate.movie({ ...o, seed: 5 });
    const b = simulate.movie({ ...o, seed: 5 });
    const c = simulate.movie({ ...o, seed: 6 });
    assert.deepEqual(Array.from(a.data.data as Float32Array), Array.from(b.data.data as Float32Array));
    assert.deepEqual(a.metadata.shiftsPx, b.metadata.shiftsPx);
    assert.notDeepEqual(Array.from(a.data.data as Float32Array), Array.from(c.data.data as Float32Array));
  });

  it('movie() rejects bad frame counts, doses and drift, naming the parameter', () => {
    assert.throws(() => simulate.movie({ frames: 0 }), /movie: frames must be a positive integer; got 0/);
    assert.throws(() => simulate.movie({ frames: 3, doseEPerA2PerFrame: [1, 2] }), /doseEPerA2PerFrame must be one number or 3 numbers/);
    assert.throws(() => simulate.movie({ drift: { jumpFrame: 0 } }), /drift\.jumpFrame must be an integer ≥ 1/);
    assert.throws(() => simulate.movie({ fading: { criticalDoseEPerA2: -1 } }), /fading\.criticalDoseEPerA2 must be a positive dose/);
  });
});
