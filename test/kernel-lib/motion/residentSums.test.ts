import assert from 'node:assert/strict';
import ndarray from 'ndarray';
import * as lowdose from 'lowdose';
import { FrameSum, ResidentShiftSum } from 'lowdose/dist/motion/_internal/residentSums';
import { ShiftSum } from 'lowdose/dist/motion/_internal/shiftSum';
import { rfft2Resident } from 'lowdose/dist/fft/_internal/transforms';

/** The scalar definition FrameSum must reproduce bit for bit: sum += fround(x·gain), total from four partial sums (k mod 4; tail to the first). */
function scalarAdd(sum: Float64Array, x: Float32Array, gain?: Float32Array): number {
  const s = [0, 0, 0, 0];
  const n4 = x.length - (x.length % 4);
  for (let k = 0; k < x.length; k++) {
    const v = gain ? Math.fround(x[k] * gain[k]) : x[k];
    sum[k] += v;
    s[k < n4 ? k % 4 : 0] += v;
  }
  return s[0] + s[1] + s[2] + s[3];
}

function randomFrame(n: number, seed: number, scale = 3): Float32Array {
  const rng = lowdose.simulate.rng(seed);
  return Float32Array.from({ length: n }, () => Math.floor(rng.next() * scale) + (rng.next() < 0.1 ? rng.next() : 0));
}

describe('motion: frame sums on the FFT core (residentSums)', () => {
  it('FrameSum adds frames (one or two per call) exactly as the scalar loop does (sums and totals bit-identical, with and without gain, odd lengths)', () => {
    for (const n of [16384 * 3 + 7, 1001, 4]) {
      for (const withGain of [false, true]) {
        const gain = withGain ? Float32Array.from({ length: n }, (_, k) => 0.8 + ((k * 7919) % 97) / 200) : undefined;
        const acc = new FrameSum(n, gain);
        const ref = new Float64Array(n);
        // frames one at a time and in pairs (the pair's sum is read once: the same additions in the same order)
        for (const batch of [[0], [1, 2], [3], [4, 5]]) {
          const xs = batch.map(f => randomFrame(n, 10 * n + f));
          const copies = xs.map(x => x.slice());
          const t = acc.add(...xs);
          xs.forEach((x, j) => {
            assert.ok(Object.is(t[j], scalarAdd(ref, x, gain)), `total of frame ${batch[j]} (n ${n}, gain ${withGain})`);
            assert.deepEqual(x, copies[j], 'the frame is not changed');
          });
        }
        const sum = acc.take();
        let diff = 0;
        for (let k = 0; k < n; k++) if (!Object.is(sum[k], ref[k])) diff++;
        assert.equal(diff, 0, `sum elements differing from the scalar loop (n ${n}, gain ${withGain})`);
      }
    }
  });

  it('ResidentShiftSum equals ShiftSum bit for bit (even and odd widths), and the shifted sum moves content by −shift', () => {
    for (const [ny, nx] of [[64, 96], [50, 37]] as Array<[number, number]>) {
      const shifts: Array<[number, number]> = [[0, 0], [1.25, -3.5], [-7.1, 2.3]];
      const js = new ShiftSum(ny, nx);
      const core = new ResidentShiftSum(ny, nx);
      const frames = shifts.map((_, i) => randomFrame(ny * nx, 100 + i, 50));
      frames.forEach((f, i) => {
        const F = rfft2Resident(ndarray(f, [ny, nx]), { workers: 1 }, 'test');
        try {
          js.add(F.views(), shifts[i]);
          core.add(F, shifts[i]);
        } finally {
          F.free();
        }
      });
      const a = js.state();
      const b = core.take();
      assert.equal(b.frames, 3);
      for (const part of ['re', 'im'] as const) {
        let diff = 0;
        for (let k = 0; k < a[part].length; k++) if (!Object.is(a[part][k], b[part][k])) diff++;
        assert.equal(diff, 0, `${part} elements differing (${ny}×${nx})`);
      }
    }
    // an integer shift of one frame is a circular shift: content moved back by −shift
    const [ny, nx] = [32, 48];
    const f = randomFrame(ny * nx, 7, 100);
    const acc = new ResidentShiftSum(ny, nx);
    const F = rfft2Resident(ndarray(f, [ny, nx]), { workers: 1 }, 'test');
    acc.add(F, [3, -5]);
    F.free();
    const st = acc.take();
    const back = new ShiftSum(ny, nx);
    back.merge(st);
    const img = back.images().sum;
    let worst = 0;
    for (let r = 0; r < ny; r++) for (let c = 0; c < nx; c++) worst = Math.max(worst, Math.abs(img[r * nx + c] - f[((r + 3) % ny) * nx + ((c - 5 + nx) % nx)]));
    assert.ok(worst < 1e-3, `circular shift reproduced within 1e-3 (worst ${worst})`);
  });

  it('a resident spectrum refuses use after free()', () => {
    const F = rfft2Resident(ndarray(new Float32Array(64), [8, 8]), { workers: 1 }, 'test');
    F.free();
    assert.throws(() => F.views(), /after free/);
  });
});
