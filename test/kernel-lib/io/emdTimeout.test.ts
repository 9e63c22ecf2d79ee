// EMD (HDF5) parses run in a worker thread under a timeout: a corrupt file that makes h5wasm loop
// forever inside WebAssembly ends in a FormatError naming the file, instead of hanging the caller.
// The hanging files are fuzz cases (test/kernel-lib/io/fuzz.test.ts) rebuilt byte for byte here.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as lowdose from 'lowdose';
import { corpusFile, corpusIt, CORPUS_PRESENT } from '../../io-conformance/corpus';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { makeRng, mutate } = require('./fuzzWorker.cjs') as {
  makeRng: (seed: number) => (() => number) & { int(n: number): number };
  mutate: (base: Uint8Array, rng: () => number) => { bytes: Uint8Array; mutation: string };
};

/** The bytes of fuzz case `seed` of a bare EMD corpus file (buildCase draws the variant first). */
function fuzzCase(rel: string, seed: number): { bytes: Uint8Array; mutation: string } {
  const rng = makeRng(seed);
  rng();
  return mutate(new Uint8Array(fs.readFileSync(corpusFile(rel))), rng);
}

/**
 * emd/example_spectrum.emd with the 8 bytes at 2280 set to 2^53 + 1 (little-endian): fuzz case
 * seed 5000594. h5wasm spins forever reading a variable-length string attribute.
 */
function hangingSpectrum(): Uint8Array {
  const b = new Uint8Array(fs.readFileSync(corpusFile('emd/example_spectrum.emd')));
  new DataView(b.buffer, b.byteOffset, b.byteLength).setBigUint64(2280, 2n ** 53n + 1n, true);
  return b;
}

async function expectTimeout(fn: () => Promise<unknown>, name: string, timeoutS: number): Promise<number> {
  const t0 = performance.now();
  let err: unknown;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  const ms = performance.now() - t0;
  assert.ok(err instanceof lowdose.FormatError, `expected a FormatError, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  assert.equal(err.file, name);
  assert.equal(err.field, 'HDF5 structure');
  assert.equal(err.offset, 0);
  assert.match(err.message, new RegExp(`parsing did not finish within ${timeoutS} s; the file is corrupt or hostile`));
  // the clock starts when the worker takes the job: the timeout plus a worker start (~0.2–1 s)
  assert.ok(ms >= timeoutS * 1000 - 50 && ms < timeoutS * 1000 + 8000, `took ${ms.toFixed(0)} ms`);
  return ms;
}

const temps = () => fs.readdirSync(os.tmpdir()).filter(f => f.startsWith(`lowdose-${process.pid}-`));

describe('io EMD: parsing in a worker with a timeout', function () {
  this.timeout(60_000);

  corpusIt('emd/example_spectrum.emd', 'the hand-built hanging spectrum is fuzz case seed 5000594', () => {
    const c = fuzzCase('emd/example_spectrum.emd', 5000594);
    assert.equal(c.mutation, 'u64=9007199254740993@2280le');
    assert.deepEqual(Buffer.from(c.bytes), Buffer.from(hangingSpectrum()));
  });

  corpusIt('emd/example_spectrum.emd', 'a file that makes HDF5 loop forever gives a FormatError within the timeout (io.read, readEmd, readEmdAll, io.readAll)', async () => {
    const bytes = hangingSpectrum();
    const before = temps().length;
    await expectTimeout(() => lowdose.io.read(bytes, { name: 'hang.emd', timeoutS: 1 } as lowdose.io.ReadOptions), 'hang.emd', 1);
    await expectTimeout(() => lowdose.io.readEmd(bytes, { name: 'hang.emd', timeoutS: 1.5 }), 'hang.emd', 1.5);
    await expectTimeout(() => lowdose.io.readEmdAll(bytes, { name: 'hang.emd', timeoutS: 1 }), 'hang.emd', 1);
    await expectTimeout(() => lowdose.io.readAll(bytes, { name: 'hang.emd', timeoutS: 1 } as lowdose.io.ReadOptions), 'hang.emd', 1);
    // the temporary copy h5wasm read is gone although its reader was killed
    assert.equal(temps().length, before);
  });

  corpusIt('emd/example_spectrum.emd', 'from a path: the FormatError names the path', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lowdose-emd-timeout-'));
    try {
      const file = path.join(dir, 'hang.emd');
      fs.writeFileSync(file, hangingSpectrum());
      await expectTimeout(() => lowdose.io.readEmd(file, { timeoutS: 1 }), file, 1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  corpusIt('emd/py4DSTEM_size2x3x4x5.h5', 'io.open parses the header in the worker: a hanging 4D file gives a FormatError, not a hang (fuzz seed 5000363)', async () => {
    const c = fuzzCase('emd/py4DSTEM_size2x3x4x5.h5', 5000363);
    assert.match(c.mutation, /^setff@653,590,/);
    const before = temps().length;
    await expectTimeout(() => lowdose.io.open(c.bytes, { name: 'hang4d.h5', timeoutS: 1 } as lowdose.io.ReadOptions), 'hang4d.h5', 1);
    assert.equal(temps().length, before);
  });

  corpusIt('emd/py4DSTEM_size2x3x4x5.h5', 'after a timeout the next read gets a fresh worker and works; lazy reads match the whole read', async file => {
    await expectTimeout(() => lowdose.io.readEmd(hangingSpectrum(), { name: 'hang.emd', timeoutS: 1 }), 'hang.emd', 1);
    const whole = await lowdose.io.read(file);
    assert.deepEqual(whole.data.shape, [2, 3, 4, 5]);
    const lazy = await lowdose.io.open(file);
    try {
      const p = await lazy.pattern!(1, 2);
      for (let r = 0; r < 4; r++) for (let c = 0; c < 5; c++) assert.equal(p.data.get(r, c), whole.data.get(1, 2, r, c));
      assert.equal(lazy.metadata.sourceFile, file);
    } finally {
      await lazy.close();
    }
  });

  corpusIt('emd/fei_example_dpc_titles.emd', 'errors thrown in the worker come back typed', async file => {
    await assert.rejects(() => lowdose.io.readEmd(file, { signal: 'no such signal' }), (e: unknown) => e instanceof lowdose.ValueError && /options\.signal/.test(e.message));
    await assert.rejects(() => lowdose.io.open(file, { signal: 99 }), (e: unknown) => e instanceof lowdose.ValueError);
    const cut = new Uint8Array(fs.readFileSync(file)).subarray(0, 3000);
    await assert.rejects(
      () => lowdose.io.readEmd(cut, { name: 'cut.emd' }),
      (e: unknown) => e instanceof lowdose.FormatError && e.file === 'cut.emd' && e.offset === 3000 && e.message.startsWith('cut.emd: HDF5 superblock at byte 3000: ')
    );
    for (const t of [0, -1, NaN, Infinity, '5']) {
      await assert.rejects(() => lowdose.io.readEmd(file, { timeoutS: t as number }), (e: unknown) => e instanceof lowdose.ValueError && /timeoutS/.test(e.message));
    }
  });

  corpusIt('emd/example_signal.emd', 'bytes named like a file on disk of the same size and first 4 KiB are read from the bytes, not the file', async file => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lowdose-emd-bytes-'));
    try {
      const onDisk = path.join(dir, 'twin.emd');
      fs.copyFileSync(file, onDisk);
      const bytes = new Uint8Array(fs.readFileSync(file));
      // stored arange(27) int32 at 14504 (past the first 4 KiB): make element 13 read 1000
      const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      assert.equal(dv.getInt32(14504 + 13 * 4, true), 13);
      dv.setInt32(14504 + 13 * 4, 1000, true);
      const fromBytes = await lowdose.io.read(bytes, { name: onDisk });
      assert.equal(fromBytes.data.get(1, 1, 1), 1000);
      assert.equal(fromBytes.metadata.sourceFile, onDisk);
      const fromFile = await lowdose.io.read(onDisk);
      assert.equal(fromFile.data.get(1, 1, 1), 13);
      const lazy = await lowdose.io.open(bytes, { name: onDisk });
      try {
        assert.equal((await lazy.frame(1)).data.get(1, 1), 1000);
      } finally {
        await lazy.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the worker does not keep a script alive after its read', function () {
    if (!CORPUS_PRESENT) this.skip();
    const lib = path.dirname(require.resolve('lowdose/package.json'));
    const script = `const t0 = Date.now(); require(${JSON.stringify(lib)}).io.read(${JSON.stringify(corpusFile('emd/example_signal.emd'))}).then(d => { process.on('exit', () => console.log(d.data.shape.join('x'), Date.now() - t0)); });`;
    const t0 = Date.now();
    const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
    const [shape, ms] = out.trim().split(' ');
    assert.equal(shape, '3x3x3');
    // the idle worker is kept 10 s for a next read, but unreferenced: the process exits at once
    assert.ok(Date.now() - t0 < 8000 && Number(ms) < 8000, `the script took ${Date.now() - t0} ms (${ms} ms to its exit)`);
  });
});
