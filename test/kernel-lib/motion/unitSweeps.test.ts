import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';
import { cropFor } from 'lowdose/dist/motion/_internal/alignCore';
import { MotionMemory } from 'lowdose/dist/motion/_internal/motionMemory';
import { UnitContext, measureUnit, referenceRows, sharedUnitScratch, sharedUnitScratchBytes, unitScratch } from 'lowdose/dist/motion/_internal/unitMeasure';

/**
 * The drift stage's sums over frames and its unit sweeps run in the FFT core (assembly/fft/frameSums.ts,
 * unitSweeps.ts) on data in a shared memory; the JavaScript loops remain as their definition. Both must
 * give the same numbers bit for bit (the shifts of alignFrames are then the same on any machine and
 * lane count): the reference R, and every unit measurement of fine and coarse passes (coarse ones
 * sweep only the window of their extra low-pass weights).
 */
describe('motion: unit sweeps in the FFT core equal the JavaScript definitions', () => {
  it('referenceRows and measureUnit (fine, coarse in a window, predictFine) agree bit for bit', () => {
    const { layout } = cropFor(128, 128, 0, 0.3);
    const { rows, cols } = layout;
    const size = rows * cols;
    const N = 7;
    const rng = lowdose.simulate.rng(5);
    const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    const kperBytes = 8 * N * (2 * rows + 2 * cols);
    const mem = new MotionMemory(8 * N * size + 16 * size + 8 * size + kperBytes + sharedUnitScratchBytes(size, rows, cols) + 64 * 8);
    const specAt = mem.alloc(8 * N * size);
    const spec = Array.from({ length: N }, (_, i) => ({ re: mem.f32(specAt + 8 * i * size, size), im: mem.f32(specAt + (8 * i + 4) * size, size) }));
    // a shared signal (decaying with |k|, a few strong "spots") plus independent noise per frame
    const k2 = new Float64Array(size);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) k2[r * cols + c] = (layout.rowFreq[r] / 128) ** 2 + (layout.colFreq[c] / 128) ** 2;
    const base = Array.from({ length: size }, (_, k) => [gauss() * Math.exp(-k2[k] / 0.004), gauss() * Math.exp(-k2[k] / 0.004)]);
    const spots = new Uint8Array(size);
    for (let j = 0; j < 6; j++) {
      const k = 1 + Math.floor(rng.next() * (size - 1));
      spots[k] = 1;
      base[k] = [8, 3];
    }
    spec.forEach(S => {
      for (let k = 0; k < size; k++) {
        S.re[k] = base[k][0] + 0.4 * gauss();
        S.im[k] = base[k][1] + 0.4 * gauss();
      }
    });
    const pInc = mem.f64(mem.alloc(8 * size), size);
    for (const S of spec) for (let k = 0; k < size; k++) pInc[k] += S.re[k] ** 2 + S.im[k] ** 2;
    const noise = new Float64Array(size).fill(0.32 * N);
    const coarseExtra = Float64Array.from(k2, v => (v < 0.02 ? Math.exp(-v / 0.01) : 0));
    const positions = Float64Array.from({ length: 2 * N }, () => 0.6 * gauss());
    const common = { spec, layout, pInc, noise, spotMask: spots, coarseExtra, weighting: 'coherence' as const, coarseRadiusPx: 6, hMinPx: 0.05 };
    const refAt = mem.alloc(16 * size);
    const Rcore = { re: mem.f64(refAt, size), im: mem.f64(refAt + 8 * size, size) };
    const scratchAt = mem.alloc(kperBytes);
    const core: UnitContext = { ...common, core: { exports: mem.core, buffer: mem.memory.buffer, scratch: scratchAt } };
    const js: UnitContext = { ...common };
    const Rjs = { re: new Float64Array(size), im: new Float64Array(size) };
    referenceRows(core, Rcore, positions, 0, rows);
    referenceRows(js, Rjs, positions, 0, rows);
    const differing = (a: ArrayLike<number>, b: ArrayLike<number>): number => Array.from(a).filter((v, i) => !Object.is(v, b[i])).length;
    assert.equal(differing(Rcore.re, Rjs.re) + differing(Rcore.im, Rjs.im), 0, 'reference R');
    assert.ok(Rjs.re.some(v => v !== 0), 'the reference is not empty');

    const sc = sharedUnitScratch(mem.memory.buffer, mem.alloc(sharedUnitScratchBytes(size, rows, cols)), size, rows, cols);
    new Uint8Array(mem.memory.buffer, sc.shared.mask, size).set(spots);
    new Float64Array(mem.memory.buffer, sc.shared.extra, size).set(coarseExtra);
    const sj = unitScratch(size, cols);
    let supportSeen = 0;
    for (const [coarse, predictFine] of [[false, false], [true, false], [true, true]]) {
      for (const unit of [{ start: 0, count: 1 }, { start: 1, count: 3 }, { start: 4, count: 3 }]) {
        const pass = { positions, coarse, radius: coarse ? 6 : 3, predictFine };
        const a = measureUnit(core, sc, { ...pass, R: Rcore }, unit);
        const b = measureUnit(js, sj, { ...pass, R: Rjs }, unit);
        const what = `unit ${unit.start}+${unit.count}, coarse ${coarse}, predictFine ${predictFine}`;
        for (const key of ['sigma', 'weight', 'edge', 'fineSigma', 'fineSnr'] as const) assert.ok(Object.is(a[key], b[key]), `${what}: ${key} ${a[key]} vs ${b[key]}`);
        assert.ok(Object.is(a.y[0], b.y[0]) && Object.is(a.y[1], b.y[1]), `${what}: y [${a.y}] vs [${b.y}]`);
        assert.ok(Number.isFinite(a.y[0]) && Number.isFinite(a.sigma), `${what}: a finite measurement`);
        supportSeen += sc.w.w.filter(v => v > 0).length;
      }
    }
    assert.ok(supportSeen > 0, 'the weights had a support');
  });
});
