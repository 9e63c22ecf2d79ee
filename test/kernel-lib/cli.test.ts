// The command-line entry `lowdose info FILE` (kernel-lib/dist/cli.js, the package's bin).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ndarray from 'ndarray';
import * as lowdose from 'lowdose';
import { corpusIt } from '../io-conformance/corpus';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'kernel-lib/dist/cli.js');

function lowdoseCli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: ROOT });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cli: lowdose info', () => {
  it('the package declares the lowdose bin and the built CLI starts with a node shebang', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'kernel-lib/package.json'), 'utf8'));
    assert.equal(pkg.bin.lowdose, 'dist/cli.js');
    assert.match(fs.readFileSync(CLI, 'utf8'), /^#!\/usr\/bin\/env node\n/);
  });

  corpusIt('mrc/EMD-3197.map', 'lowdose info prints the format, the 20×20×20 shape and the 11.4 Å voxel size', file => {
    const r = lowdoseCli('info', file);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^format: mrc$/m);
    assert.match(r.stdout, /shape: 20 × 20 × 20 \(z, y, x\)/);
    assert.match(r.stdout, /dtype: float32 \(file: <f4\)/);
    assert.match(r.stdout, /x: 20 × 11\.4 A\/px/);
    assert.match(r.stdout, /pixelSizeA: 11\.4$/m);
  });

  corpusIt('mrc/HAADFscan.mrc', 'lowdose info --json gives shape, axes and the FEI metadata as JSON', file => {
    const r = lowdoseCli('info', file, '--json');
    assert.equal(r.status, 0, r.stderr);
    const info = JSON.parse(r.stdout);
    assert.equal(info.format, 'mrc');
    assert.equal(info.signals.length, 1);
    const s = info.signals[0];
    assert.deepEqual(s.shape, [16, 16]);
    assert.equal(s.dtype, 'uint16');
    assert.ok(Math.abs(s.axes[1].scale - 56.79131317) < 1e-5);
    assert.equal(s.axes[1].units, 'A');
    assert.equal(s.metadata.voltageKV, 300);
    assert.equal(s.metadata.microscope, 'Spectra');
    assert.equal(s.metadata.original, undefined, 'raw headers are left out');
  });

  it('lowdose info reads a file written by lowdose (and --signal 0 selects it)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lowdose-cli-'));
    try {
      const file = path.join(dir, 'movie.mrc');
      const ds = lowdose.makeDataset(ndarray(new Uint16Array(3 * 4 * 5), [3, 4, 5]) as lowdose.NdArray, {
        axes: [{ name: 'frame' }, { name: 'y', scale: 0.5, units: 'A' }, { name: 'x', scale: 0.5, units: 'A' }]
      });
      await lowdose.io.writeMrc(file, ds);
      const r = lowdoseCli('info', file, '--signal', '0');
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /shape: 3 × 4 × 5 \(frame, y, x\)/);
      assert.match(r.stdout, /frame: 3 × index/);
      const bad = lowdoseCli('info', file, '--signal', '4');
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /options\.signal must be an integer in 0\.\.0/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lowdose info exits with status 2 and one line on stderr for a file it cannot read', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lowdose-cli-'));
    try {
      const junk = path.join(dir, 'junk.mrc');
      fs.writeFileSync(junk, Buffer.alloc(2000, 7));
      const r = lowdoseCli('info', junk);
      assert.equal(r.status, 2);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trim().split('\n').length, 1);
      assert.match(r.stderr, /^lowdose: .*junk\.mrc/);
      const missing = lowdoseCli('info', path.join(dir, 'nope.mrc'));
      assert.equal(missing.status, 2);
      assert.match(missing.stderr, /ENOENT|no such file/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lowdose --help prints the usage and exits 0; unknown commands and options exit 2', () => {
    const help = lowdoseCli('--help');
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^Usage: lowdose info FILE/);
    assert.equal(lowdoseCli('convert', 'x').status, 2);
    assert.equal(lowdoseCli('info', 'x', '--frobnicate').status, 2);
    assert.equal(lowdoseCli('info').status, 2);
  });
});
