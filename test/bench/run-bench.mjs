#!/usr/bin/env node
// npm run bench: lowdose against its reference implementation, measured in the same run on the
// same machine (medians of several repeats; the machine is shared and noisy, so only ratios mean
// anything). Prints a table; exits non-zero only if a case fails to run.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(root, 'package.json'));
const lowdose = require('lowdose');
const REPEATS = Number(process.env.LOWDOSE_BENCH_REPEATS || 5);

function medianTime(fn) {
  const times = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const cases = {
  'poisson 2048² at 0.24 counts/px': (() => {
    const expected = new Float64Array(2048 * 2048).fill(0.24);
    return () => lowdose.simulate.poissonNoise(expected, lowdose.simulate.rng(1));
  })(),
  'percentiles [0.5, 99.5] of 4096² float32': (() => {
    const r = lowdose.simulate.rng(1);
    const values = Float32Array.from({ length: 4096 * 4096 }, () => r.next());
    return () => lowdose.stats.percentiles(values, [0.5, 99.5]);
  })()
};

const ref = spawnSync(path.join(root, '.venv/bin/python'), [path.join(root, 'test/bench/reference.py'), String(REPEATS)], { encoding: 'utf8' });
if (ref.status !== 0) {
  console.error(`reference.py failed: ${ref.stderr}`);
  process.exit(1);
}
const reference = JSON.parse(ref.stdout);
const rows = [];
for (const [name, fn] of Object.entries(cases)) {
  const ours = medianTime(fn);
  const theirs = reference[name];
  rows.push({ case: name, 'lowdose ms': (ours * 1e3).toFixed(1), 'numpy ms': (theirs * 1e3).toFixed(1), 'ratio (lowdose / numpy)': (ours / theirs).toFixed(2) });
}
// --- io: lazy open of a 2 GiB MRC movie, frame 100 (test/bench/lazyMrcMovie.mjs) --------------
const { benchLazyMrcMovie } = await import('./lazyMrcMovie.mjs');
const lazyMrc = await benchLazyMrcMovie({
  lowdose,
  ndarray: require('ndarray'),
  python: path.join(root, '.venv/bin/python'),
  referenceScript: path.join(root, 'test/bench/reference.py'),
  repeats: REPEATS,
  columns: ['case', 'lowdose ms', 'numpy ms', 'ratio (lowdose / numpy)']
});
rows.push(...(lazyMrc.rows ?? []));
// --- end lazy MRC movie -------------------------------------------------------------------------
console.log(`lowdose bench, medians of ${REPEATS} repeats, node ${process.version}`);
console.table(rows);
console.log('note: percentiles() sorts a ≤ 2^20-value strided sample (documented); numpy sorts every value.');
// --- fft: rfft2 against scipy/numpy (test/bench/fftBench.mjs) -----------------------------------
if (!process.env.LOWDOSE_BENCH_ONLY || process.env.LOWDOSE_BENCH_ONLY === 'fft') {
  const { benchFft } = await import('./fftBench.mjs');
  const fft = await benchFft({
    lowdose,
    ndarray: require('ndarray'),
    python: path.join(root, '.venv/bin/python'),
    referenceScript: path.join(root, 'test/bench/reference.py'),
    repeats: REPEATS
  });
  console.log('FFT (targets: issue 4 item 1)');
  console.table(fft.rows);
  for (const n of fft.notes) console.log(`note: ${n}`);
}
// --- end fft -------------------------------------------------------------------------------------
// --- motion: alignFrames against skimage and a numpy port (test/bench/alignBench.mjs) -----------
if (!process.env.LOWDOSE_BENCH_ONLY || process.env.LOWDOSE_BENCH_ONLY === 'align') {
  const { benchAlign } = await import('./alignBench.mjs');
  const align = await benchAlign({ lowdose, python: path.join(root, '.venv/bin/python'), repeats: Math.max(3, Math.min(REPEATS, 5)) });
  console.log('Motion correction (targets: issue #5)');
  console.table(align.rows);
  for (const n of align.notes) console.log(`note: ${n}`);
}
// --- end motion ----------------------------------------------------------------------------------
// --- io: lazy MRC movie notes (fails the bench when frame 100 reads wrong or the bounds are missed)
for (const n of lazyMrc.notes ?? [lazyMrc.skipped]) console.log(`note: ${n}`);
if (lazyMrc.ok === false) process.exitCode = 1;
// --- end lazy MRC movie notes -------------------------------------------------------------------
