#!/usr/bin/env node
// Re-executes the committed notebooks in place (npm run notebooks:execute) so their saved outputs
// match the code. Run after changing a notebook; commit the result.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const python = path.join(root, '.venv/bin/python');
const dir = path.join(root, 'notebooks');
const only = process.argv.slice(2);
const env = { ...process.env, JUPYTER_PATH: path.join(root, '.venv/share/jupyter') };
let failed = 0;
for (const name of fs.readdirSync(dir).filter(f => /^\d\d-.*\.ipynb$/.test(f)).sort()) {
  if (only.length && !only.includes(name)) continue;
  const file = path.join(dir, name);
  const report = path.join(root, 'test/artifacts', `${name}.report.json`);
  fs.mkdirSync(path.dirname(report), { recursive: true });
  const r = spawnSync(python, [path.join(root, 'test/notebooks/execute_notebook.py'), file, file, report], { stdio: 'inherit', env });
  const rep = JSON.parse(fs.readFileSync(report, 'utf8'));
  const bad = r.status !== 0 || rep.fatal || rep.errors.length;
  console.log(`${name}: ${bad ? 'FAILED' : 'ok'} in ${rep.seconds} s`);
  if (bad) {
    failed++;
    console.log(JSON.stringify(rep.errors, null, 1));
  }
}
process.exit(failed ? 1 : 0);
