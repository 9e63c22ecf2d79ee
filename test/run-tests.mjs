#!/usr/bin/env node
// Runs the whole mocha suite over test/ (TypeScript through tsx) and ends with
// "N passed, N failed, N skipped". Extra arguments go to mocha (e.g. --grep Dataset).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const mocha = path.join(root, 'node_modules/mocha/bin/mocha.js');
const args = [
  mocha,
  '--require', 'tsx/cjs',
  '--reporter', path.join(root, 'test/reporter.cjs'),
  '--timeout', '20000',
  ...(process.argv.length > 2 ? process.argv.slice(2) : ['test/**/*.test.ts'])
];
const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
