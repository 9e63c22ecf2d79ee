// Low-noise one-thread rfft2 comparison (issue 4 item 1): lowdose (workers 1) against
// scipy.fft.rfft2(workers=1), float32, measured as CPU time (Python: time.thread_time() of the
// computing thread) and as wall time, many repeats interleaved one by one; prints medians and
// interquartile ranges per size (paired ratios: each lowdose call over the scipy call before it);
// then each side back to back ("hot", caches warm), minimum wall time. The main thread's own
// clock (/proc/…/schedstat) is only brought up to date at scheduler ticks, too coarse at 1024²,
// so Node's CPU time is process.cpuUsage() (user + system of all its threads): an upper bound
// for the computing thread, since V8's GC helpers sweep concurrently after the gc() that precedes
// each call (+1–2 ms at 1024² when the other core is free). With the second core idle, wall time
// is the closer measure of lowdose's own work. Usage:
//   node test/bench/fftCpuBench.mjs [repeats=21] [sizes=1024,2048,4096,3840] [distDir]
// distDir: a kernel-lib dist folder to load instead of the installed `lowdose` (A/B runs).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(root, 'package.json'));
const repeats = Number(process.argv[2] ?? 21);
const sizes = (process.argv[3] ?? '1024,2048,4096,3840').split(',').map(Number);
const lowdose = process.argv[4] ? require(path.resolve(process.argv[4], 'index.js')) : require('lowdose');
const ndarray = require('ndarray');
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

/** CPU time (ms) of the process, user + system. */
const threadCpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e3; };

const PY = `
import sys, time, json, numpy as np, scipy.fft
x = None
for line in sys.stdin:
    n, reps = (int(v) for v in line.split())
    if x is None or x.shape != (n, n):
        x = np.random.default_rng(1).random((n, n), dtype=np.float32)
        scipy.fft.rfft2(x, workers=1); scipy.fft.rfft2(x, workers=1)
    out = []
    for _ in range(reps):
        c0 = time.thread_time(); t0 = time.perf_counter()
        y = scipy.fft.rfft2(x, workers=1)
        t1 = time.perf_counter(); c1 = time.thread_time()
        del y
        out.append([(c1 - c0) * 1e3, (t1 - t0) * 1e3])
    print(json.dumps(out), flush=True)
`;
const python = path.join(root, '.venv/bin/python');
const server = spawn(python, ['-c', PY], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = readline.createInterface({ input: server.stdout })[Symbol.asyncIterator]();
const scipyRuns = async (n, reps) => {
  server.stdin.write(`${n} ${reps}\n`);
  return JSON.parse((await lines.next()).value);
};
const scipyOnce = async n => (await scipyRuns(n, 1))[0];
const oursOnce = async img => {
  gc();
  await new Promise(r => setImmediate(r));
  const c0 = threadCpuMs(), t0 = process.hrtime.bigint();
  lowdose.fft.rfft2(img, { workers: 1 });
  const t1 = process.hrtime.bigint(), c1 = threadCpuMs();
  return [c1 - c0, Number(t1 - t0) / 1e6];
};
const q = (t, p) => { const s = t.slice().sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
const fmt = t => `${q(t, 0.5).toFixed(2)} [${q(t, 0.25).toFixed(2)}–${q(t, 0.75).toFixed(2)}]`;

console.log(`fftCpuBench: ${repeats} interleaved repeats, node ${process.version}, load ${os.loadavg().map(v => v.toFixed(2)).join(' ')}`);
const rows = [];
for (const n of sizes) {
  const x = new Float32Array(n * n);
  let s = 1;
  for (let i = 0; i < x.length; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; x[i] = s / 4294967296; }
  const img = ndarray(x, [n, n]);
  for (let w = 0; w < 3; w++) await oursOnce(img);
  await scipyOnce(n);
  const t = { oc: [], ow: [], sc: [], sw: [] };
  for (let r = 0; r < repeats; r++) {
    const [sc, sw] = await scipyOnce(n);
    const [oc, ow] = await oursOnce(img);
    t.sc.push(sc); t.sw.push(sw); t.oc.push(oc); t.ow.push(ow);
  }
  // Hot: each side back to back (caches and TLB warm), minimum wall time of `repeats` calls.
  const hot = { o: [], s: (await scipyRuns(n, repeats)).map(v => v[1]) };
  for (let r = 0; r < repeats; r++) hot.o.push((await oursOnce(img))[1]);
  const min = t => Math.min(...t);
  const ratio = (a, b) => a.map((v, i) => v / b[i]);
  rows.push({
    size: `${n}²`, 'ours CPU ms (+GC threads)': fmt(t.oc), 'scipy CPU ms': fmt(t.sc), 'CPU ratio (paired)': fmt(ratio(t.oc, t.sc)),
    'ours wall ms': fmt(t.ow), 'scipy wall ms': fmt(t.sw), 'wall ratio (paired)': fmt(ratio(t.ow, t.sw)),
    'hot wall min ours/scipy ms': `${min(hot.o).toFixed(2)}/${min(hot.s).toFixed(2)} = ${(min(hot.o) / min(hot.s)).toFixed(2)}`
  });
}
server.stdin.end();
console.table(rows);
console.log(`load after ${os.loadavg().map(v => v.toFixed(2)).join(' ')}`);
