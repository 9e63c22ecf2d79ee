// Lazy DM reading: frames streamed one at a time (or in chunks) equal the full read, and reading a
// frame touches only that frame's bytes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as lowdose from 'lowdose';
import { corpusIt } from '../../io-conformance/corpus';
import { dmFile, group, imageEntry, text, typedBytes } from './dmFixtures';

const dense = (a: lowdose.NdArray): number[] => {
  const size = a.shape.reduce((x, y) => x * y, 1);
  const strides = a.shape.map((_, i) => a.shape.slice(i + 1).reduce((x, y) => x * y, 1));
  if (a.offset === 0 && a.data.length === size && a.stride.every((s, i) => s === strides[i])) return Array.from(a.data as ArrayLike<number>);
  const out: number[] = [];
  const walk = (idx: number[], d: number): void => {
    if (d === a.shape.length) {
      out.push(a.get(...idx));
      return;
    }
    for (let i = 0; i < a.shape[d]; i++) walk([...idx, i], d + 1);
  };
  walk([], 0);
  return out;
};

/** Streams every frame, one at a time and in chunks, and compares with the whole read. */
async function expectFramesEqualFullRead(target: string | Uint8Array, frameCount: number): Promise<void> {
  const full = await lowdose.io.read(target);
  const src = await lowdose.io.open(target);
  try {
    assert.deepEqual(src.shape, full.data.shape);
    assert.deepEqual(src.axes, full.axes);
    assert.equal(src.frameCount, frameCount);
    const frameShape = full.data.shape.slice(-2);
    const perFrame = frameShape[0] * frameShape[1];
    const all = dense(full.data);
    const allImag = full.imag ? dense(full.imag) : undefined;
    let i = 0;
    for await (const f of src.frames()) {
      assert.deepEqual(f.data.shape, frameShape);
      assert.equal(f.metadata.frameIndex, i);
      assert.deepEqual(f.axes, full.axes.slice(-2));
      assert.deepEqual(dense(f.data), all.slice(i * perFrame, (i + 1) * perFrame), `frame ${i}`);
      if (allImag) assert.deepEqual(dense(f.imag!), allImag.slice(i * perFrame, (i + 1) * perFrame), `frame ${i} imag`);
      assert.equal((f.data.data as object).constructor, (full.data.data as object).constructor);
      i++;
    }
    assert.equal(i, frameCount);
    const chunked: number[] = [];
    for await (const c of src.frames({ chunkSize: 3 })) {
      assert.equal(c.data.shape.length, 3);
      assert.equal(c.axes[0].size, c.data.shape[0]);
      chunked.push(...dense(c.data));
    }
    assert.deepEqual(chunked, all);
    const last = await src.frame(frameCount - 1);
    assert.deepEqual(dense(last.data), all.slice(-perFrame));
    await assert.rejects(src.frame(frameCount), lowdose.ValueError);
    assert.deepEqual(dense((await src.readAll()).data), all);
  } finally {
    await src.close();
  }
}

describe('openDm(): frames streamed from DM files', () => {
  const stacks: [string, number][] = [
    ['dm3/3D_test-1.dm3', 2],
    ['dm3/3D_test-2.dm3', 2],
    ['dm3/3D_test-6.dm3', 2],
    ['dm3/3D_test-10.dm3', 2],
    ['dm4/3D_test-1.dm4', 2],
    ['dm4/3D_test-2.dm4', 2],
    ['dm4/3D_test-10.dm4', 2],
    ['dm3/dmTest_3D_int16_64,65,66.dm3', 66],
    ['dm4/dmTest_3D_int16_64,65,66.dm4', 66],
    ['dm4/EELS_SI.dm4', 2]
  ];
  for (const [rel, n] of stacks) {
    corpusIt(rel, `io.open() streams its ${n} frames one at a time and in chunks, equal to the full read`, file => expectFramesEqualFullRead(file, n));
  }

  corpusIt('dm4/dmTest_3D_int16_64,65,66.dm4', 'a frame keeps the calibrated z offset in chunk axes and the y/x calibration', async file => {
    const src = await lowdose.io.openDm(file);
    try {
      const chunk = (await src.frames({ chunkSize: 4, start: 8, stop: 12 }).next()).value as lowdose.Dataset;
      assert.deepEqual(chunk.data.shape, [4, 65, 64]);
      assert.deepEqual(chunk.axes[0], { name: 'z', size: 4, scale: 4, offset: 32, units: 'um' });
      assert.equal(chunk.data.get(3, 64, 63), 63);
      assert.equal(src.metadata.title, 'image3D_int16_64,65,66');
      assert.equal(src.dtype, 'int16');
    } finally {
      await src.close();
    }
  });

  it('frames of a synthetic packed-FFT stack and a spectrum image equal the full read', async () => {
    const packed: number[] = [];
    for (let k = 0; k < 5 * 3 * 3 * 2; k++) packed.push(k % 17, -(k % 5));
    await expectFramesEqualFullRead(dmFile(4, [imageEntry({ dataType: 27, dims: [4, 3, 5], data: typedBytes('float32', packed) })]), 5);
    const si: number[] = [];
    for (let e = 0; e < 7; e++) for (let y = 0; y < 4; y++) for (let x = 0; x < 3; x++) si.push(100 * e + 10 * y + x);
    const tags = [group('Meta Data', [text('Format', 'Spectrum image'), text('Signal', 'EELS')])];
    await expectFramesEqualFullRead(dmFile(3, [imageEntry({ dataType: 2, dims: [3, 4, 7], data: typedBytes('float32', si), imageTags: tags })]), 4);
  });

  it('a 4D DM scan gives pattern(row, col) = frame(row · cols + col)', async () => {
    const v = Array.from({ length: 3 * 2 * 4 * 5 }, (_, i) => i);
    const src = await lowdose.io.openDm(dmFile(4, [imageEntry({ dataType: 10, dims: [5, 4, 2, 3], data: typedBytes('uint16', v) })]));
    assert.deepEqual(src.shape, [3, 2, 4, 5]);
    assert.equal(src.frameCount, 6);
    const p = await src.pattern!(2, 1);
    assert.deepEqual(dense(p.data), v.slice(5 * 20, 6 * 20));
    await assert.rejects(src.pattern!(0, 2), lowdose.ValueError);
    await src.close();
  });

  it('reading frame i of a file reads that frame’s bytes only, after a header parse that skips the pixels', async () => {
    const frames = 32;
    const side = 64;
    const v = Array.from({ length: frames * side * side }, (_, i) => i % 1000);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lowdose-dm-')), 'stack.dm4');
    fs.writeFileSync(file, dmFile(4, [imageEntry({ dataType: 2, dims: [side, side, frames], data: typedBytes('float32', v) })]));
    // Count bytes read through Node's FileHandle (the ByteSource reads files through it).
    const probe = await fs.promises.open(file, 'r');
    const proto = Object.getPrototypeOf(probe) as { read: (...args: unknown[]) => Promise<{ bytesRead: number }> };
    await probe.close();
    const original = proto.read;
    let bytesRead = 0;
    proto.read = async function (this: unknown, ...args: unknown[]) {
      const r = await original.apply(this, args);
      bytesRead += r.bytesRead;
      return r;
    };
    try {
      const src = await lowdose.io.open(file);
      const fileBytes = fs.statSync(file).size;
      assert.ok(bytesRead < fileBytes / 2, `open() read ${bytesRead} of ${fileBytes} bytes`);
      bytesRead = 0;
      const f = await src.frame(20);
      assert.equal(bytesRead, side * side * 4, 'one frame of float32');
      assert.deepEqual(dense(f.data), v.slice(20 * side * side, 21 * side * side));
      await src.close();
    } finally {
      proto.read = original;
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });
});
