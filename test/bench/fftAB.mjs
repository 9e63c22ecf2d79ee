// A/B of two kernel-lib builds in one process (FFT core changes): one-thread rfft2 (float32) of
// each size, old and new alternating (order swapped every repeat), CPU time (process.cpuUsage,
// user + system) and wall per call; prints medians, new/old ratios and whether the results are
// bitwise equal (and the wall minima, the steadiest statistic on a shared machine). Usage:
//   node test/bench/fftAB.mjs OLD_DIST NEW_DIST [repeats=15] [sizes=1024,2048,4096,3840]
// (a dist copied outside the repository must sit where `ndarray` resolves, e.g. node_modules/.x)
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(root, 'package.json'));
const [oldDir, newDir] = process.argv.slice(2, 4).map(d => path.resolve(d));
const repeats = Number(process.argv[4] ?? 15);
const sizes = (process.argv[5] ?? '1024,2048,4096,3840').split(',').map(s => s.split('x').map(Number));
const libs = { old: require(path.join(oldDir, 'index.js')), new: require(path.join(newDir, 'index.js')) };
const ndarray = require('ndarray');
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e3; };
const med = t => t.slice().sort((a, b) => a - b)[t.length >> 1];
const load = () => os.loadavg().map(v => v.toFixed(2)).join(' ');

console.log(`fftAB old=${oldDir} new=${newDir}, ${repeats} alternating repeats, load ${load()}`);
for (const [ny, nx0] of sizes) {
  const nx = nx0 ?? ny;
  const x = new Float32Array(ny * nx);
  let s = 1;
  for (let i = 0; i < x.length; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; x[i] = s / 4294967296; }
  const img = ndarray(x, [ny, nx]);
  const a = libs.old.fft.rfft2(img, { workers: 1 }), b = libs.new.fft.rfft2(img, { workers: 1 });
  const same = ['re', 'im'].every(k => Buffer.compare(Buffer.from(a[k].data.buffer, a[k].data.byteOffset, a[k].data.byteLength), Buffer.from(b[k].data.buffer, b[k].data.byteOffset, b[k].data.byteLength)) === 0);
  const t = { old: { c: [], w: [] }, new: { c: [], w: [] } };
  const once = async k => {
    gc();
    await new Promise(r => setImmediate(r));
    const c0 = cpu(), t0 = process.hrtime.bigint();
    libs[k].fft.rfft2(img, { workers: 1 });
    const w = Number(process.hrtime.bigint() - t0) / 1e6;
    t[k].c.push(cpu() - c0);
    t[k].w.push(w);
  };
  for (let r = 0; r < 3; r++) { await once('old'); await once('new'); }
  for (const k of ['old', 'new']) t[k] = { c: [], w: [] };
  for (let r = 0; r < repeats; r++) for (const k of r & 1 ? ['new', 'old'] : ['old', 'new']) await once(k);
  const f = v => v.toFixed(2);
  const min = v => Math.min(...v);
  console.log(`${ny}×${nx}: CPU old ${f(med(t.old.c))} new ${f(med(t.new.c))} ratio ${(med(t.new.c) / med(t.old.c)).toFixed(3)}; ` +
    `wall old ${f(med(t.old.w))} new ${f(med(t.new.w))} ratio ${(med(t.new.w) / med(t.old.w)).toFixed(3)}; ` +
    `wall min old ${f(min(t.old.w))} new ${f(min(t.new.w))} ratio ${(min(t.new.w) / min(t.old.w)).toFixed(3)}; bitwise equal ${same}; load ${load()}`);
}
