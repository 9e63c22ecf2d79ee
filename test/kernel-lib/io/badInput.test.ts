// Hostile and broken MRC / NPY files: each gives a FormatError naming the file, the field and the
// byte offset — fast, and without allocating what a header merely claims.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ndarray from 'ndarray';
import * as lowdose from 'lowdose';

let dir: string;
let mrcBytes: Uint8Array;
let npyBytes: Uint8Array;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lowdose-bad-'));
  const ds = lowdose.makeDataset(ndarray(Float32Array.from({ length: 4 * 8 * 8 }, (_, i) => i), [4, 8, 8]) as lowdose.NdArray);
  await lowdose.io.writeMrc(path.join(dir, 'good.mrc'), ds);
  await lowdose.io.writeNpy(path.join(dir, 'good.npy'), ds);
  mrcBytes = new Uint8Array(fs.readFileSync(path.join(dir, 'good.mrc')));
  npyBytes = new Uint8Array(fs.readFileSync(path.join(dir, 'good.npy')));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function patched(bytes: Uint8Array, edits: (v: DataView, b: Uint8Array) => void, length = bytes.length): Uint8Array {
  const b = bytes.slice(0, length);
  edits(new DataView(b.buffer), b);
  return b;
}

async function expectFormatError(
  p: Promise<unknown>,
  expected: { file: string; field: string | RegExp; offset: number; message?: RegExp }
): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof lowdose.FormatError, `expected a FormatError, got ${String(e)}`);
    assert.equal(e.file, expected.file);
    if (expected.field instanceof RegExp) assert.match(e.field, expected.field);
    else assert.equal(e.field, expected.field);
    assert.equal(e.offset, expected.offset);
    if (expected.message) assert.match(e.message, expected.message);
    assert.match(e.message, new RegExp(`^${expected.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    return true;
  });
}

describe('io/bad input: MRC', () => {
  it('a truncated MRC file names the data field at the data offset and the missing bytes', async () => {
    const file = path.join(dir, 'truncated.mrc');
    fs.writeFileSync(file, mrcBytes.subarray(0, 1024 + 100));
    await expectFormatError(lowdose.io.readMrc(file), { file, field: 'data', offset: 1024, message: /need 1024 bytes but the file holds 100/ });
    await expectFormatError(lowdose.io.read(file), { file, field: 'data', offset: 1024 });
    await expectFormatError(lowdose.io.open(file), { file, field: 'data', offset: 1024 });
  });

  it('an MRC file shorter than its 1024-byte header gives a FormatError for the header at byte 0', async () => {
    await expectFormatError(lowdose.io.readMrc(mrcBytes.subarray(0, 500), { name: 'short.mrc' }), { file: 'short.mrc', field: 'header', offset: 0 });
  });

  it('a header claiming 10^12 voxels fails in milliseconds without allocating them', async () => {
    const huge = patched(mrcBytes, v => [10000, 10000, 10000].forEach((n, k) => v.setInt32(4 * k, n, true)));
    const before = process.memoryUsage().arrayBuffers;
    const t0 = performance.now();
    await expectFormatError(lowdose.io.read(huge, { name: 'huge.mrc' }), { file: 'huge.mrc', field: 'data', offset: 1024, message: /10000×10000×10000 voxels/ });
    await expectFormatError(lowdose.io.open(huge, { name: 'huge.mrc' }), { file: 'huge.mrc', field: 'data', offset: 1024 });
    assert.ok(performance.now() - t0 < 500, 'fails fast');
    assert.ok(process.memoryUsage().arrayBuffers - before < 16 * 2 ** 20, 'allocates nothing near the claimed size');
  });

  it('a negative NSYMBT is refused at byte 92', async () => {
    const neg = patched(mrcBytes, v => v.setInt32(92, -4096, true));
    await expectFormatError(lowdose.io.readMrc(neg, { name: 'neg.mrc' }), { file: 'neg.mrc', field: 'NSYMBT', offset: 92, message: /≥ 0 bytes; got -4096/ });
  });

  it('an NSYMBT larger than the file is refused at byte 92', async () => {
    const big = patched(mrcBytes, v => v.setInt32(92, 2 ** 30, true));
    await expectFormatError(lowdose.io.readMrc(big, { name: 'ext.mrc' }), { file: 'ext.mrc', field: 'NSYMBT', offset: 92, message: /runs past the end/ });
    // an extended header that fits but pushes the data past the end
    const shifted = patched(mrcBytes, v => v.setInt32(92, 512, true));
    await expectFormatError(lowdose.io.readMrc(shifted, { name: 'shift.mrc' }), { file: 'shift.mrc', field: 'data', offset: 1536 });
  });

  it('an unknown MODE, zero or negative dimensions are refused with their field and offset', async () => {
    await expectFormatError(lowdose.io.readMrc(patched(mrcBytes, v => v.setInt32(12, 7, true)), { name: 'm.mrc' }), { file: 'm.mrc', field: 'MODE', offset: 12 });
    await expectFormatError(lowdose.io.readMrc(patched(mrcBytes, v => v.setInt32(4, 0, true)), { name: 'ny.mrc' }), { file: 'ny.mrc', field: 'NY', offset: 4, message: /positive number of voxels; got 0/ });
    await expectFormatError(lowdose.io.readMrc(patched(mrcBytes, v => v.setInt32(8, -3, true)), { name: 'nz.mrc' }), { file: 'nz.mrc', field: 'NZ', offset: 8 });
  });

  it('FEI records claimed past the end of a small extended header are not read', async () => {
    // FEI2 type, 888-byte extended header that holds fewer records than sections: reads what is there
    const withExt = new Uint8Array(1024 + 888 + 4 * 8 * 8 * 4);
    withExt.set(mrcBytes.subarray(0, 1024));
    withExt.set(mrcBytes.subarray(1024), 1024 + 888);
    const v = new DataView(withExt.buffer);
    v.setInt32(92, 888, true);
    withExt.set([0x46, 0x45, 0x49, 0x32], 104);
    v.setInt32(1024, 888, true);
    v.setInt32(1028, 2, true);
    v.setFloat64(1024 + 84, 200000, true);
    const ds = await lowdose.io.read(withExt, { name: 'fei.mrc' });
    assert.equal(ds.metadata.voltageKV, 200);
    assert.equal(ds.data.get(3, 7, 7), 255);
  });
});

describe('io/bad input: NPY', () => {
  it('a truncated NPY file names the data field at the data offset', async () => {
    const file = path.join(dir, 'truncated.npy');
    fs.writeFileSync(file, npyBytes.subarray(0, 128 + 10));
    await expectFormatError(lowdose.io.readNpy(file), { file, field: 'data', offset: 128, message: /needs 1024 bytes but the file holds 10/ });
    await expectFormatError(lowdose.io.read(file), { file, field: 'data', offset: 128 });
  });

  it('a file cut inside the preamble or the header dictionary is refused', async () => {
    await expectFormatError(lowdose.io.readNpy(npyBytes.subarray(0, 9), { name: 'p.npy' }), { file: 'p.npy', field: 'header length', offset: 8 });
    await expectFormatError(lowdose.io.readNpy(npyBytes.subarray(0, 60), { name: 'h.npy' }), { file: 'h.npy', field: 'header length', offset: 8 });
  });

  it('a garbage header dictionary gives a FormatError at the offending byte', async () => {
    const text = "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 8, 8), }";
    const bad = patched(npyBytes, (_, b) => {
      const garbage = text.replace('False', 'Fals@');
      for (let i = 0; i < garbage.length; i++) b[10 + i] = garbage.charCodeAt(i);
    });
    await expectFormatError(lowdose.io.readNpy(bad, { name: 'g.npy' }), { file: 'g.npy', field: 'header', offset: 10 + text.indexOf('False'), message: /Python dict literal/ });
    const deep = patched(npyBytes, (_, b) => b.fill(0x28, 10, 10 + 100)); // '(((((…'
    await expectFormatError(lowdose.io.readNpy(deep, { name: 'deep.npy' }), { file: 'deep.npy', field: 'header', offset: 10 + 17, message: /nesting/ });
  });

  it('object, string and structured dtypes are refused at the descr field', async () => {
    for (const descr of ['|O', '<U8', "[('a', '<f4')]"]) {
      const quoted = descr.startsWith('[') ? descr : `'${descr}'`;
      const header = `{'descr': ${quoted}, 'fortran_order': False, 'shape': (2,), }`.padEnd(117, ' ') + '\n';
      const b = new Uint8Array(10 + header.length + 64);
      b.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
      new DataView(b.buffer).setUint16(8, header.length, true);
      for (let i = 0; i < header.length; i++) b[10 + i] = header.charCodeAt(i);
      await expectFormatError(lowdose.io.readNpy(b, { name: 'o.npy' }), { file: 'o.npy', field: 'descr', offset: 10 });
    }
  });

  it('a shape claiming 10^12 elements fails fast without allocating', async () => {
    const text = "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }".padEnd(117, ' ') + '\n';
    const b = new Uint8Array(128 + 64);
    b.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    new DataView(b.buffer).setUint16(8, text.length, true);
    for (let i = 0; i < text.length; i++) b[10 + i] = text.charCodeAt(i);
    const t0 = performance.now();
    await expectFormatError(lowdose.io.readNpy(b, { name: 'huge.npy' }), { file: 'huge.npy', field: 'data', offset: 128, message: /needs 8000000000000 bytes/ });
    assert.ok(performance.now() - t0 < 500);
  });

  it('a wrong magic is a FormatError at byte 0 for readNpy, and read() lists the formats tried', async () => {
    const wrong = patched(npyBytes, (_, b) => b.set([0x92], 0));
    await expectFormatError(lowdose.io.readNpy(wrong, { name: 'w.npy' }), { file: 'w.npy', field: 'magic', offset: 0 });
    await expectFormatError(lowdose.io.read(new Uint8Array(2048).fill(7), { name: 'sevens' }), { file: 'sevens', field: 'magic', offset: 0, message: /tried .*npy.*mrc/ });
    await expectFormatError(lowdose.io.readMrc(new Uint8Array(2048).fill(7), { name: 'sevens.mrc' }), { file: 'sevens.mrc', field: 'MODE', offset: 12 });
  });
});
