// io.read / io.readAll: format detection from bytes (wrong or missing extensions), reading from
// bytes, signal selection, and the FormatError when nothing matches.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ndarray from 'ndarray';
import * as lowdose from 'lowdose';
import { CORPUS_PRESENT, corpusFile } from '../../io-conformance/corpus';

let dir: string;
let mrcFile: string;
let npyFile: string;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lowdose-read-'));
  mrcFile = path.join(dir, 'stack.mrc');
  npyFile = path.join(dir, 'array.npy');
  const values = Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => i - 5);
  const ds = lowdose.makeDataset(ndarray(values, [2, 3, 4]) as lowdose.NdArray, {
    axes: [{ name: 'frame' }, { name: 'y', scale: 0.5, units: 'A' }, { name: 'x', scale: 0.5, units: 'A' }],
    metadata: { title: 'synthetic' }
  });
  await lowdose.io.writeMrc(mrcFile, ds);
  await lowdose.io.writeNpy(npyFile, ds);
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function copyAs(src: string, name: string): string {
  const dst = path.join(dir, name);
  fs.copyFileSync(src, dst);
  return dst;
}

describe('io/read', () => {
  it('read() detects MRC and NPY from their bytes even behind a wrong extension', async () => {
    const mrcAsTif = await lowdose.io.read(copyAs(mrcFile, 'really-an-mrc.tif'));
    assert.equal(mrcAsTif.metadata.sourceFormat, 'mrc');
    assert.deepEqual(mrcAsTif.data.shape, [2, 3, 4]);
    const npyAsMrc = await lowdose.io.read(copyAs(npyFile, 'really-an-npy.mrc'));
    assert.equal(npyAsMrc.metadata.sourceFormat, 'npy');
    const noExtension = await lowdose.io.read(copyAs(mrcFile, 'no_extension'));
    assert.equal(noExtension.metadata.sourceFormat, 'mrc');
  });

  it('read() reads from a byte array and labels it with options.name', async () => {
    const ds = await lowdose.io.read(new Uint8Array(fs.readFileSync(mrcFile)), { name: 'upload.mrc' });
    assert.equal(ds.metadata.sourceFile, 'upload.mrc');
    assert.equal(ds.axes[2].scale, 0.5);
    assert.equal(ds.data.get(1, 2, 3), 18);
    const unnamed = await lowdose.io.read(fs.readFileSync(npyFile));
    assert.equal(unnamed.metadata.sourceFile, '<bytes>');
  });

  it('readAll() returns every signal as a list (one for MRC and NPY)', async () => {
    const all = await lowdose.io.readAll(mrcFile);
    assert.equal(all.length, 1);
    assert.deepEqual(all[0].data.shape, [2, 3, 4]);
    assert.equal((await lowdose.io.readAll(npyFile)).length, 1);
  });

  it('read() picks a signal by index or title and names the choices when it does not exist', async () => {
    assert.equal((await lowdose.io.read(mrcFile, { signal: 0 })).metadata.sourceFormat, 'mrc');
    assert.equal((await lowdose.io.read(mrcFile, { signal: 'lowdose' })).metadata.title, 'lowdose', 'MRC label 0 is the title');
    assert.equal((await lowdose.io.read(mrcFile, { signal: 'LOWDOSE' })).metadata.title, 'lowdose', 'titles match ignoring case');
    await assert.rejects(lowdose.io.read(mrcFile, { signal: 1 }), (e: Error) => e instanceof lowdose.ValueError && /options\.signal must be an integer in 0\.\.0/.test(e.message));
    await assert.rejects(lowdose.io.read(mrcFile, { signal: 'HAADF' }), /one of the titles \["lowdose"\]/);
  });

  it('read() defaults to the first image-like signal of a multi-signal file (multi_signal.dm3: HAADF, not the line plot)', async function () {
    const file = corpusFile('dm3/multi_signal.dm3');
    const dm = CORPUS_PRESENT ? await lowdose.io.readAll(file).catch(() => undefined) : undefined;
    if (!dm || dm.length < 2) {
      (this.test as unknown as { skipReason?: string }).skipReason = 'needs the corpus and a registered DM3 reader';
      this.skip();
    }
    const first = await lowdose.io.read(file);
    assert.deepEqual(first.data.shape, [512, 512]);
    const plot = await lowdose.io.read(file, { signal: 1 });
    assert.deepEqual(plot.data.shape, [512]);
  });

  it('read() rejects unknown bytes with a FormatError at byte 0 listing the formats it tried', async () => {
    const junk = path.join(dir, 'notes.xyz');
    fs.writeFileSync(junk, 'just some text, not an image\n'.repeat(50));
    await assert.rejects(lowdose.io.read(junk), (e: unknown) => {
      assert.ok(e instanceof lowdose.FormatError);
      assert.equal(e.file, junk);
      assert.equal(e.field, 'magic');
      assert.equal(e.offset, 0);
      assert.match(e.message, /tried .*npy.*mrc|tried .*mrc/);
      return true;
    });
    await assert.rejects(lowdose.io.read(new Uint8Array(0), { name: 'empty' }), lowdose.FormatError);
  });

  it('detectFormat() accepts a plausible MRC header without the MAP stamp only by its byte layout', async () => {
    const bytes = new Uint8Array(fs.readFileSync(mrcFile));
    bytes.fill(0, 208, 216); // blank MAP and MACHST, as RELION 3.1 writes them
    const ds = await lowdose.io.read(bytes, { name: 'particles' });
    assert.equal(ds.metadata.sourceFormat, 'mrc');
    assert.equal(ds.data.get(1, 2, 3), 18);
  });
});
