// Where one-thread rfft2 (float32) spends its time: wraps the FFT core's rowsR2C_f32 and
// colsC2C_f32 exports with timers (the rest of the call, mainly copying the JS input, is the
// remainder). Minimum and median of R repeats per size. Usage:
//   node test/bench/fftPassProfile.mjs [repeats=15] [sizes=1024,2048,4096,3840,3838x3710] [distDir]
// With BENCH_PAUSE=1 each call follows a 3 ms pause after the gc, as in `npm run bench` (caches and
// clocks then cool down: every part takes ~1.5–2× its back-to-back time on the shared VM).
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(root, 'package.json'));
const repeats = Number(process.argv[2] ?? 15);
const sizes = (process.argv[3] ?? '1024,2048,4096,3840').split(',').map(s => s.split('x').map(Number));
const pause = process.env.BENCH_PAUSE === '1';
const dist = process.argv[4] ? path.resolve(process.argv[4]) : path.dirname(require.resolve('lowdose'));
const lowdose = require(path.join(dist, 'index.js'));
const { getEngine } = require(path.join(dist, 'fft/_internal/engineRegistry.js'));
const ndarray = require('ndarray');
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

const eng = getEngine();
const acc = { rows: 0, cols: 0 };
const wrapped = Object.create(null);
for (const [k, f] of Object.entries(eng.exports)) wrapped[k] = f;
for (const [k, name] of [['rowsR2C_f32', 'rows'], ['colsC2C_f32', 'cols']]) {
  const f = eng.exports[k];
  wrapped[k] = (...a) => { const t0 = process.hrtime.bigint(); const r = f(...a); acc[name] += Number(process.hrtime.bigint() - t0); return r; };
}
eng.exports = wrapped;
const q = (t, p) => t.slice().sort((a, b) => a - b)[Math.floor(p * t.length)];
console.log(`fftPassProfile ${dist}: ${repeats} repeats, load ${os.loadavg().map(v => v.toFixed(2)).join(' ')}`);
for (const [n, m = n] of sizes) {
  const x = new Float32Array(n * m);
  let s = 1;
  for (let i = 0; i < x.length; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; x[i] = s / 4294967296; }
  const img = ndarray(x, [n, m]);
  const t = { total: [], rows: [], cols: [], rest: [] };
  for (let r = 0; r < repeats + 3; r++) {
    gc();
    await new Promise(res => setImmediate(res));
    if (pause) await new Promise(res => setTimeout(res, 3));
    acc.rows = acc.cols = 0;
    const t0 = process.hrtime.bigint();
    lowdose.fft.rfft2(img, { workers: 1 });
    const total = Number(process.hrtime.bigint() - t0);
    if (r < 3) continue;
    t.total.push(total / 1e6); t.rows.push(acc.rows / 1e6); t.cols.push(acc.cols / 1e6); t.rest.push((total - acc.rows - acc.cols) / 1e6);
  }
  console.log(`${n}×${m}${pause ? ' (after a pause)' : ''}: ` + Object.entries(t).map(([k, v]) => `${k} ${q(v, 0).toFixed(2)}/${q(v, 0.5).toFixed(2)}`).join(', ') + ' ms (min/median)');
}
