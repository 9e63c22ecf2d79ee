import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const VENV = path.join(ROOT, '.venv');

// `npm test` has just run the set-up; these check what it left and that it is idempotent.
describe('set-up (binder/setup.mjs)', function () {
  this.timeout(5 * 60 * 1000);

  for (const mode of [['--for-tests'], []]) {
  it(`a second set-up run ${mode.length ? '(npm test)' : '(npm start, after npm test)'} skips every step (nothing reinstalled)`, () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'binder/setup.mjs'), '--target', 'venv', ...mode], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const steps = r.stdout.split('\n').filter(l => l.startsWith('[lowdose setup]'));
    const skipped = steps.filter(l => l.endsWith('up to date, skipped'));
    assert.deepEqual(steps, skipped, `steps that ran again:\n${steps.filter(l => !skipped.includes(l)).join('\n')}`);
    assert.equal(skipped.length, 6, steps.join('\n'));
  });
  }

  it('the tslab kernelspec lives in .venv only and starts the pinned tslab of this repository', () => {
    const out = execFileSync(path.join(VENV, 'bin/jupyter'), ['kernelspec', 'list', '--json'], {
      encoding: 'utf8',
      env: { ...process.env, JUPYTER_PATH: path.join(VENV, 'share/jupyter') }
    });
    const spec = JSON.parse(out).kernelspecs.tslab;
    assert.ok(spec, 'tslab kernelspec listed');
    assert.equal(fs.realpathSync(spec.resource_dir), fs.realpathSync(path.join(VENV, 'share/jupyter/kernels/tslab')));
    assert.equal(spec.spec.argv[1], path.join(ROOT, 'node_modules/tslab/bin/tslab'));
    const tslab = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/tslab/package.json'), 'utf8'));
    assert.equal(tslab.version, '1.0.22');
    const rootPkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.equal(rootPkg.dependencies.tslab, '1.0.22', 'tslab is pinned exactly');
  });

  it('JupyterLab 4.6 in .venv lists the lowdose-jupyterlab prebuilt extension as enabled', () => {
    const version = execFileSync(path.join(VENV, 'bin/jupyter'), ['lab', '--version'], { encoding: 'utf8' }).trim();
    assert.match(version, /^4\.6\./);
    const r = spawnSync(path.join(VENV, 'bin/jupyter'), ['labextension', 'list'], { encoding: 'utf8' });
    // eslint-disable-next-line no-control-regex
    const text = (r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, '');
    assert.match(text, /lowdose-jupyterlab v0\.1\.0 enabled\s+OK \(python, lowdose[-_]jupyterlab\)/);
    const labextensions = path.join(VENV, 'share/jupyter/labextensions');
    assert.ok(text.includes(labextensions), `listed from ${labextensions}`);
    assert.ok(fs.existsSync(path.join(labextensions, 'lowdose-jupyterlab/package.json')), 'installed into .venv by the wheel');
  });
});
