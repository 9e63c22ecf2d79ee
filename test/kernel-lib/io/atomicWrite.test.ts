// Atomic writes of writeMrc / writeNpy: no overwrite without the flag, the input file is never
// clobbered, and a failed write leaves neither a temporary file nor a partial target behind.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ndarray from 'ndarray';
import * as lowdose from 'lowdose';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lowdose-atomic-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const image = (fill: number) => lowdose.makeDataset(ndarray(new Float32Array(12).fill(fill), [3, 4]) as lowdose.NdArray);
const tempFiles = () => fs.readdirSync(dir).filter(f => f.endsWith('.tmp'));

describe('io/atomic writes', () => {
  it('writeNpy() and writeMrc() refuse to replace an existing file unless {overwrite: true}', async () => {
    for (const [write, name] of [
      [lowdose.io.writeNpy, 'a.npy'],
      [lowdose.io.writeMrc, 'a.mrc']
    ] as const) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, 'precious');
      await assert.rejects(write(file, image(1)), (e: Error) => e instanceof lowdose.ValueError && /must not name an existing file/.test(e.message) && /overwrite: true/.test(e.message));
      assert.equal(fs.readFileSync(file, 'utf8'), 'precious');
      await write(file, image(2), { overwrite: true });
      assert.equal((await lowdose.io.read(file)).data.get(2, 3), 2);
      assert.deepEqual(tempFiles(), []);
    }
  });

  it('writing a dataset back onto the file it was read from is refused, and the input stays byte-identical', async () => {
    const file = path.join(dir, 'input.mrc');
    await lowdose.io.writeMrc(file, image(5));
    const original = fs.readFileSync(file);
    const ds = await lowdose.io.read(file);
    assert.equal(ds.metadata.sourceFile, file);
    ds.data.set(0, 0, 99);
    // also through another spelling of the same path
    const sameFile = path.join(dir, '.', 'input.mrc');
    await assert.rejects(lowdose.io.writeMrc(sameFile, ds), /must not be the file this dataset was read from/);
    await assert.rejects(lowdose.io.writeNpy(file, ds), /must not be the file this dataset was read from/);
    assert.deepEqual(fs.readFileSync(file), original);
    await lowdose.io.writeMrc(file, ds, { overwrite: true });
    assert.equal((await lowdose.io.read(file)).data.get(0, 0), 99, 'an explicit overwrite replaces it');
  });

  it('a write that fails while encoding leaves no temporary file and no target', async () => {
    const big = lowdose.makeDataset(ndarray(Float32Array.from({ length: 3 * 4 }, (_, i) => (i === 11 ? 1e6 : i)), [3, 4]) as lowdose.NdArray);
    const file = path.join(dir, 'fails.mrc');
    await assert.rejects(lowdose.io.writeMrc(file, big, { mode: 1 }), /got 1000000 at element 11/);
    await assert.rejects(lowdose.io.writeNpy(path.join(dir, 'fails.npy'), big, { dtype: '<u2' }), lowdose.ValueError);
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it('a write that fails at the final rename leaves no temporary file and the target untouched', async () => {
    const target = path.join(dir, 'a-directory.npy');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'keep.txt'), 'x');
    await assert.rejects(lowdose.io.writeNpy(target, image(1), { overwrite: true }));
    assert.deepEqual(tempFiles(), []);
    assert.deepEqual(fs.readdirSync(target), ['keep.txt']);
  });

  it('writing into a missing directory fails cleanly with the path in the error', async () => {
    const file = path.join(dir, 'missing', 'x.mrc');
    await assert.rejects(lowdose.io.writeMrc(file, image(1)), /ENOENT|no such file/);
    assert.deepEqual(fs.readdirSync(dir), []);
  });
});
