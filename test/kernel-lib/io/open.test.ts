// io.open: frames streamed one at a time and in chunks equal the full read; memory stays bounded
// by the frame, not the file (a 3.4 GB sparse movie is opened and sampled).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ndarray from 'ndarray';
import * as lowdose from 'lowdose';
import { corpusIt } from '../../io-conformance/corpus';

let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lowdose-open-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const FRAMES = 200;
const [NY, NX] = [24, 20];
const value = (f: number, y: number, x: number) => ((f * 7 + y * 3 + x) % 65536);

async function syntheticMovie(): Promise<string> {
  const file = path.join(dir, 'movie-200.mrc');
  if (fs.existsSync(file)) return file;
  const data = Uint16Array.from({ length: FRAMES * NY * NX }, (_, i) => value(Math.floor(i / (NY * NX)), Math.floor(i / NX) % NY, i % NX));
  const ds = lowdose.makeDataset(ndarray(data, [FRAMES, NY, NX]) as lowdose.NdArray, {
    axes: [{ name: 'frame' }, { name: 'y', scale: 0.8, units: 'A' }, { name: 'x', scale: 0.8, units: 'A' }]
  });
  await lowdose.io.writeMrc(file, ds);
  return file;
}

describe('io/open', () => {
  it('open() exposes shape, axes, dtype and frameCount of a 200-frame MRC movie before reading pixels', async () => {
    const src = await lowdose.io.open(await syntheticMovie());
    try {
      assert.deepEqual(src.shape, [FRAMES, NY, NX]);
      assert.equal(src.frameCount, FRAMES);
      assert.equal(src.dtype, 'uint16');
      assert.deepEqual(src.axes.map(a => [a.name, a.scale, a.units]), [['frame', 1, ''], ['y', 0.8, 'A'], ['x', 0.8, 'A']]);
      assert.equal(src.metadata.sourceFormat, 'mrc');
      assert.equal(src.pattern, undefined, 'a movie has no 4D pattern access');
    } finally {
      await src.close();
    }
  });

  it('frame(i) and frames() one at a time equal the full read, frame by frame', async () => {
    const file = await syntheticMovie();
    const full = await lowdose.io.read(file);
    const src = await lowdose.io.open(file);
    try {
      const f150 = await src.frame(150);
      assert.deepEqual(f150.data.shape, [NY, NX]);
      assert.equal(f150.metadata.frameIndex, 150);
      assert.equal(f150.data.get(5, 7), value(150, 5, 7));
      let k = 0;
      for await (const frame of src.frames()) {
        assert.deepEqual(frame.data.shape, [NY, NX]);
        const expected = (full.data.data as Uint16Array).subarray(k * NY * NX, (k + 1) * NY * NX);
        assert.deepEqual(frame.data.data, expected, `frame ${k}`);
        k++;
      }
      assert.equal(k, FRAMES);
    } finally {
      await src.close();
    }
  });

  it('frames({chunkSize, start, stop}) yields 3D chunks that tile the requested range exactly', async () => {
    const file = await syntheticMovie();
    const full = (await lowdose.io.read(file)).data.data as Uint16Array;
    const src = await lowdose.io.open(file);
    try {
      const sizes: number[] = [];
      let next = 30;
      for await (const chunk of src.frames({ chunkSize: 16, start: 30, stop: 101 })) {
        const n = chunk.data.shape[0];
        sizes.push(n);
        assert.deepEqual(chunk.data.shape, [n, NY, NX]);
        assert.equal(chunk.axes[0].name, 'frame');
        assert.equal(chunk.axes[0].offset, next, 'the chunk axis starts at its first frame');
        assert.deepEqual(chunk.data.data, full.subarray(next * NY * NX, (next + n) * NY * NX));
        next += n;
      }
      assert.deepEqual(sizes, [16, 16, 16, 16, 7]);
      const all = await src.readAll();
      assert.deepEqual(all.data.data, full);
    } finally {
      await src.close();
    }
  });

  it('frame() rejects out-of-range indices and a closed source', async () => {
    const src = await lowdose.io.open(await syntheticMovie());
    await assert.rejects(src.frame(FRAMES), /index must be an integer in 0\.\.199; got 200/);
    await assert.rejects(src.frame(1.5), lowdose.ValueError);
    assert.throws(() => src.frames({ chunkSize: 0 }), /chunkSize must be a positive integer/);
    await src.close();
    await src.close();
    await assert.rejects(src.frame(0), /closed source/);
  });

  it('open() of a 3.4 GB sparse 200-frame movie reads frame 100 fast and keeps memory bounded by the frame', async function () {
    this.timeout(60000);
    const [ny, nx, frames] = [2048, 2048, 200];
    const frameBytes = ny * nx * 4;
    const file = path.join(dir, 'sparse-movie.mrc');
    // header from a one-frame file, then extend to 200 frames without writing them (sparse)
    const one = lowdose.makeDataset(ndarray(new Float32Array(4), [2, 2]) as lowdose.NdArray);
    await lowdose.io.writeMrc(file, one);
    const fd = fs.openSync(file, 'r+');
    try {
      const h = Buffer.alloc(12);
      h.writeInt32LE(nx, 0);
      h.writeInt32LE(ny, 4);
      h.writeInt32LE(frames, 8);
      fs.writeSync(fd, h, 0, 12, 0);
      fs.ftruncateSync(fd, 1024 + frames * frameBytes);
      const marker = Buffer.alloc(16);
      marker.writeFloatLE(100.5, 0);
      marker.writeFloatLE(-3.25, 12);
      fs.writeSync(fd, marker, 0, 16, 1024 + 100 * frameBytes);
    } finally {
      fs.closeSync(fd);
    }
    const before = process.memoryUsage().arrayBuffers;
    const t0 = performance.now();
    const src = await lowdose.io.open(file);
    const f100 = await src.frame(100);
    const elapsedMs = performance.now() - t0;
    try {
      assert.deepEqual(src.shape, [frames, ny, nx]);
      assert.equal(f100.data.get(0, 0), 100.5);
      assert.equal(f100.data.get(0, 3), -3.25);
      assert.ok(elapsedMs < 2000, `opening and reading frame 100 took ${elapsedMs.toFixed(0)} ms`);
      const grown = process.memoryUsage().arrayBuffers - before;
      // Bounded by a few frames, not by the 200-frame file (slack for garbage other tests leave behind).
      assert.ok(grown < 6 * frameBytes, `array-buffer memory grew by ${(grown / 2 ** 20).toFixed(0)} MiB for one 16 MiB frame`);
      let count = 0;
      for await (const chunk of src.frames({ chunkSize: 2, start: 98, stop: 102 })) {
        count += chunk.data.shape[0];
        assert.ok(process.memoryUsage().arrayBuffers - before < 12 * frameBytes, 'memory stays bounded by the chunk');
      }
      assert.equal(count, 4);
    } finally {
      await src.close();
      fs.rmSync(file);
    }
  });

  it('read() of an 80 MB movie (more than one 64 MiB request) equals frame-by-frame streaming at marked pixels', async function () {
    this.timeout(60000);
    const [ny, nx, frames] = [1024, 1024, 20];
    const frameBytes = ny * nx * 4;
    const file = path.join(dir, 'eighty.mrc');
    await lowdose.io.writeMrc(file, lowdose.makeDataset(ndarray(new Float32Array(4), [2, 2]) as lowdose.NdArray));
    const fd = fs.openSync(file, 'r+');
    try {
      const h = Buffer.alloc(12);
      [nx, ny, frames].forEach((n, k) => h.writeInt32LE(n, 4 * k));
      fs.writeSync(fd, h, 0, 12, 0);
      fs.ftruncateSync(fd, 1024 + frames * frameBytes);
      for (let f = 0; f < frames; f++) {
        const m = Buffer.alloc(4);
        m.writeFloatLE(f + 0.5, 0);
        fs.writeSync(fd, m, 0, 4, 1024 + f * frameBytes + ((f * 4099) % (ny * nx)) * 4);
      }
    } finally {
      fs.closeSync(fd);
    }
    const full = await lowdose.io.read(file);
    const src = await lowdose.io.open(file);
    try {
      for (let f = 0; f < frames; f++) {
        const k = (f * 4099) % (ny * nx);
        const [y, x] = [Math.floor(k / nx), k % nx];
        assert.equal(full.data.get(f, y, x), f + 0.5, `frame ${f} in the full read`);
        assert.equal((await src.frame(f)).data.get(y, x), f + 0.5, `frame ${f} streamed`);
      }
    } finally {
      await src.close();
      fs.rmSync(file);
    }
  });

  it('open() wraps formats without streaming (and 2D files) in the same LazySource interface', async () => {
    const file = path.join(dir, 'image.npy');
    await lowdose.io.writeNpy(file, ndarray(Float64Array.from({ length: 12 }, (_, i) => i), [3, 4]) as lowdose.NdArray);
    const src = await lowdose.io.open(file);
    assert.equal(src.frameCount, 1);
    const f = await src.frame(0);
    assert.deepEqual(f.data.shape, [3, 4]);
    assert.equal(f.data.get(2, 3), 11);
    await src.close();
  });

  corpusIt('mrc/20241021_00405_movie.mrc', 'open() streams the DE 4D-STEM movie: pattern(row, col) and frame k are constant k, in chunks of 5', async file => {
    const src = await lowdose.io.open(file);
    try {
      assert.deepEqual(src.shape, [4, 8, 4, 8]);
      assert.equal(src.frameCount, 32);
      assert.deepEqual(Array.from(new Set((await src.pattern!(2, 1)).data.data as Uint16Array)), [17]);
      await assert.rejects(src.pattern!(4, 0), /inside 4×8/);
      assert.deepEqual(Array.from(new Set((await src.frame(17)).data.data as Uint16Array)), [17]);
      let k = 0;
      for await (const chunk of src.frames({ chunkSize: 5 })) {
        for (let i = 0; i < chunk.data.shape[0]; i++, k++) assert.equal(chunk.data.get(i, 2, 2), k);
      }
      assert.equal(k, 32);
    } finally {
      await src.close();
    }
  });
});
