// Fuzz worker for test/kernel-lib/io/fuzz.test.ts: turns (corpus file, seed) into a mutated or
// truncated copy of the file, reads it with lowdose.io.read, and says how the read ended.
//
// Plain JavaScript over the built package (`lowdose` → kernel-lib/dist), so a worker starts fast and
// a case is cheap: each worker loads its base files once and mutates copies. Everything about a case
// (mutation, file name handed to the reader, sidecar variant) follows from its seed, so a case is
// reproduced from the command line:
//
//   node test/kernel-lib/io/fuzzWorker.cjs <corpus-relative file> <seed>
//   e.g. node test/kernel-lib/io/fuzzWorker.cjs mrc/EMD-3001.map 1000417
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { isMainThread, parentPort, workerData } = require('node:worker_threads');
const lowdose = require('lowdose');

// ---------------------------------------------------------------------------------------------
// Seeded randomness

/** mulberry32: a small, fast 32-bit PRNG; `rng()` is uniform in [0, 1). */
function makeRng(seed) {
  let a = (seed ^ 0x6d2b79f5) >>> 0;
  const rng = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  rng.int = n => Math.floor(rng() * n);
  rng.pick = list => list[Math.floor(rng() * list.length)];
  return rng;
}

/** A byte position biased towards the places headers live: the first and last 4 KiB. */
function position(rng, len) {
  if (len <= 0) return 0;
  const r = rng();
  if (r < 0.45) return rng.int(Math.min(len, 4096));
  if (r < 0.6) return len - 1 - rng.int(Math.min(len, 4096));
  return rng.int(len);
}

const U32_VALUES = len => [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7ffffffe, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, len, len + 1, len - 1, 2 * len];
const U64_VALUES = len => [0n, 1n, 2n ** 31n, 2n ** 32n, 2n ** 53n, 2n ** 53n + 1n, 10n ** 12n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n, BigInt(len), BigInt(len) + 1n];
const F64_VALUES = [NaN, Infinity, -Infinity, 1e308, -1e308, 1e-308, -0, 1e12, -1e12];
const F32_VALUES = [NaN, Infinity, -Infinity, 3.4e38, -3.4e38, 1e-45, 1e9, -1e9];

/**
 * Applies 1–3 seeded mutations and, for a quarter of the cases, a truncation.
 * @returns the new bytes and a description of every edit (offsets into the bytes as edited so far).
 */
function mutate(base, rng) {
  let b = base.slice();
  const edits = [];
  const truncateOnly = rng() < 0.15;
  const nOps = truncateOnly ? 0 : 1 + (rng() < 0.3 ? rng.int(3) : 0);
  for (let i = 0; i < nOps; i++) {
    const len = b.length;
    if (len === 0) break;
    const r = rng();
    if (r < 0.2) {
      const n = 1 + rng.int(8);
      const at = [];
      for (let j = 0; j < n; j++) {
        const p = position(rng, len);
        const bit = rng.int(8);
        b[p] ^= 1 << bit;
        at.push(`${p}.${bit}`);
      }
      edits.push(`bitflip@${at.join(',')}`);
    } else if (r < 0.42) {
      const v = rng.pick(['00', 'ff', 'rand']);
      const n = 1 + rng.int(16);
      const run = rng() < 0.5; // a run of bytes, else scattered ones
      const p0 = position(rng, len);
      const at = [];
      for (let j = 0; j < n; j++) {
        const p = run ? Math.min(len - 1, p0 + j) : position(rng, len);
        b[p] = v === '00' ? 0 : v === 'ff' ? 0xff : rng.int(256);
        at.push(p);
      }
      edits.push(`set${v}@${run ? `${p0}+${n}` : at.join(',')}`);
    } else if (r < 0.85) {
      const width = rng() < 0.6 ? 4 : 8;
      if (len < width) continue;
      let p = Math.min(position(rng, len), len - width);
      if (rng() < 0.7) p -= p % width; // fields are mostly aligned
      const le = rng() < 0.5;
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      const kind = rng();
      let what;
      if (width === 4) {
        if (kind < 0.55) {
          const v = rng.pick(U32_VALUES(len)) >>> 0;
          dv.setUint32(p, v, le);
          what = `u32=${v}`;
        } else if (kind < 0.8) {
          // nudge what is there: off-by-a-few sizes, doubled or negated counts
          const old = dv.getInt32(p, le);
          const v = rng.pick([old + 1, old - 1, old + 1 + rng.int(64), old * 2, old * 256, -old, ~old]) | 0;
          dv.setInt32(p, v, le);
          what = `i32 ${old}→${v}`;
        } else if (kind < 0.9) {
          const v = rng.pick(F32_VALUES);
          dv.setFloat32(p, v, le);
          what = `f32=${v}`;
        } else {
          const v = (rng() * 2 ** 32) >>> 0;
          dv.setUint32(p, v, le);
          what = `u32=${v}`;
        }
      } else if (kind < 0.6) {
        const v = rng.pick(U64_VALUES(len));
        dv.setBigUint64(p, v, le);
        what = `u64=${v}`;
      } else if (kind < 0.8) {
        const old = dv.getBigInt64(p, le);
        const v = BigInt.asIntN(64, rng.pick([old + 1n, old - 1n, old * 2n, -old, old + 4096n]));
        dv.setBigInt64(p, v, le);
        what = `i64 ${old}→${v}`;
      } else {
        const v = rng.pick(F64_VALUES);
        dv.setFloat64(p, v, le);
        what = `f64=${v}`;
      }
      edits.push(`${what}@${p}${le ? 'le' : 'be'}`);
    } else if (r < 0.93) {
      const n = 1 + rng.int(Math.min(len, rng() < 0.7 ? 64 : 4096));
      const from = rng.int(len - n + 1);
      const to = position(rng, len + 1);
      const out = new Uint8Array(len + n);
      out.set(b.subarray(0, to), 0);
      out.set(b.subarray(from, from + n), to);
      out.set(b.subarray(to), to + n);
      b = out;
      edits.push(`dup[${from},+${n}]→${to}`);
    } else {
      const p = position(rng, len);
      const n = 1 + rng.int(Math.min(len - p, rng() < 0.7 ? 64 : 4096));
      const out = new Uint8Array(len - n);
      out.set(b.subarray(0, p), 0);
      out.set(b.subarray(p + n), p);
      b = out;
      edits.push(`del[${p},+${n}]`);
    }
  }
  if (truncateOnly || rng() < 0.12) {
    const len = b.length;
    const to = rng() < 0.5 ? rng.int(Math.min(len, 4096) + 1) : rng.int(len + 1);
    b = b.subarray(0, to);
    edits.push(`truncate→${to}`);
  }
  return { bytes: b, mutation: edits.join(' ') || 'none' };
}

// ---------------------------------------------------------------------------------------------
// Cases

/**
 * What the reader is handed for one case. Names are never the real path of a file whose bytes are
 * not exactly the bytes passed (HDF5 reads once opened a same-named file on disk when its size and
 * first 4 KiB agreed; emdTimeout.test.ts now guards that), except where the point is to let a reader
 * find a sidecar beside it:
 * - SER: `_N.ser` with its real `.emi` beside it, bare (no sidecar), or pristine with a mutated
 *   `.emi`; an `.emi` is read with its real `.ser` files beside it.
 * - MIB: with its real `.hdr`, bare, or pristine with a mutated `.hdr`.
 * - everything else: bare, named `fuzz/<format>/<file>` (a path that does not exist).
 */
function buildCase(file, seed, bases, scratch) {
  const rng = makeRng(seed);
  const base = bases.get(file.rel);
  const bare = `fuzz/${file.rel}`;
  const ext = path.extname(file.rel).toLowerCase();
  let variant = 'bare';
  let name = bare;
  let bytes;
  let mutation;
  const r = rng();
  if (ext === '.emi') {
    variant = 'emi+real ser';
    name = file.abs;
  } else if (ext === '.ser' && file.sidecar) {
    variant = r < 0.4 ? 'ser+real emi' : r < 0.7 ? 'bare' : 'ser+mutated emi';
  } else if (ext === '.mib' && file.sidecar) {
    variant = r < 0.4 ? 'mib+real hdr' : r < 0.7 ? 'bare' : 'mib+mutated hdr';
  }
  if (variant === 'ser+real emi' || variant === 'mib+real hdr') name = file.abs;
  if (variant === 'ser+mutated emi' || variant === 'mib+mutated hdr') {
    const side = bases.get(file.sidecar);
    const m = mutate(side, rng);
    fs.mkdirSync(scratch, { recursive: true });
    name = path.join(scratch, path.basename(file.rel));
    fs.writeFileSync(path.join(scratch, path.basename(file.sidecar)), m.bytes);
    bytes = base;
    mutation = `${path.basename(file.sidecar)}: ${m.mutation}`;
  } else {
    const m = mutate(base, rng);
    bytes = m.bytes;
    mutation = m.mutation;
  }
  return { bytes, name, variant, mutation, unchanged: (variant === 'bare' || variant === 'emi+real ser') && bytes.length === base.length && Buffer.compare(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), Buffer.from(base)) === 0 };
}

const AXIS_UNITS = new Set(lowdose.AXIS_UNITS);

/** Why `ds` is not a well-formed Dataset (the invariants makeDataset enforces), or undefined. */
function datasetProblem(ds) {
  if (!ds || typeof ds !== 'object' || !ds.data || !Array.isArray(ds.data.shape)) return 'not a Dataset with an ndarray';
  const shape = ds.data.shape;
  if (!shape.every(s => Number.isSafeInteger(s) && s >= 0)) return `shape ${JSON.stringify(shape)} is not non-negative integers`;
  const size = shape.reduce((a, s) => a * s, 1);
  if (!ArrayBuffer.isView(ds.data.data)) return 'data is not over a typed array';
  if (ds.data.size !== size) return `ndarray size ${ds.data.size} ≠ product of shape ${size}`;
  if (size > 0) {
    // every corner of the view must lie inside the buffer (negative strides flip rows)
    for (let c = 0; c < 2 ** shape.length; c++) {
      const idx = shape.map((s, i) => ((c >> i) & 1 ? s - 1 : 0));
      const off = ds.data.index(...idx);
      if (!(off >= 0 && off < ds.data.data.length)) return `element ${JSON.stringify(idx)} is at ${off}, outside the ${ds.data.data.length}-element buffer`;
    }
  }
  if (!Array.isArray(ds.axes) || ds.axes.length !== shape.length) return `${ds.axes && ds.axes.length} axes for ${shape.length} dimensions`;
  for (let i = 0; i < shape.length; i++) {
    const a = ds.axes[i];
    if (!a || a.size !== shape[i]) return `axes[${i}].size ${a && a.size} ≠ shape[${i}] ${shape[i]}`;
    if (!Number.isFinite(a.scale) || a.scale === 0) return `axes[${i}].scale ${a.scale} is not finite and non-zero`;
    if (!Number.isFinite(a.offset)) return `axes[${i}].offset ${a.offset} is not finite`;
    if (!AXIS_UNITS.has(a.units)) return `axes[${i}].units ${JSON.stringify(a.units)} is not one of AXIS_UNITS`;
  }
  if (ds.imag && (ds.imag.size !== size || ds.imag.shape.join() !== shape.join())) return 'imag has another shape than data';
  if (!ds.metadata || typeof ds.metadata !== 'object') return 'no metadata object';
  return undefined;
}

/** A value-level fingerprint of a read (shape and a sum over at most 2^20 elements). */
function fingerprint(ds) {
  const a = ds.data.data;
  let s = 0;
  const step = Math.max(1, Math.floor(a.length / 2 ** 20));
  for (let i = 0; i < a.length; i += step) s += Number.isFinite(a[i]) ? a[i] : 0;
  return `${ds.data.shape.join('x')}:${a.constructor.name}:${s}`;
}

function describeError(e) {
  if (e instanceof Error) {
    return { name: e.name, code: e.code, message: String(e.message).slice(0, 600), stack: String(e.stack || '').split('\n').slice(0, 12).join('\n') };
  }
  return { name: typeof e, message: String(e).slice(0, 600), stack: '' };
}

function memory() {
  const m = process.memoryUsage();
  return { rss: m.rss, arrayBuffers: m.arrayBuffers, heapUsed: m.heapUsed };
}

/**
 * HDF5 (EMD) parses run in lowdose's own worker under a timeout that ends a hang with a FormatError;
 * under fuzz it is 2 s, well inside the test's 5 s per case (the repro's 10 s), so a hostile file
 * must end as a FormatError, not a timeout. Corpus EMD files parse in well under 0.1 s.
 */
const EMD_TIMEOUT_S = 2;

function readOptions(file) {
  return file.rel.startsWith('emd/') ? { timeoutS: EMD_TIMEOUT_S } : {};
}

/**
 * Runs one case. Outcome `read` (a well-formed Dataset), `format` (a FormatError), or `fail`
 * (anything else: another exception, a malformed Dataset, a changed read of unchanged bytes,
 * allocation growth over `boundBytes`).
 */
async function runCase(file, seed, ctx) {
  const c = buildCase(file, seed, ctx.bases, ctx.scratch);
  const info = { rel: file.rel, seed, variant: c.variant, name: c.name, mutation: c.mutation, bytes: c.bytes.length };
  const before = memory();
  const t0 = performance.now();
  let outcome;
  let error;
  let ds;
  try {
    ds = await lowdose.io.read(c.bytes, { name: c.name, ...readOptions(file) });
    const problem = datasetProblem(ds);
    if (problem) {
      outcome = 'fail';
      error = { name: 'MalformedDataset', message: `read returned a malformed Dataset: ${problem}`, stack: '' };
    } else if (c.unchanged && ctx.fingerprints.has(file.rel) && fingerprint(ds) !== ctx.fingerprints.get(file.rel)) {
      outcome = 'fail';
      error = { name: 'WrongRead', message: `the bytes are unchanged but the read differs: ${fingerprint(ds)} vs ${ctx.fingerprints.get(file.rel)}`, stack: '' };
    } else {
      outcome = 'read';
    }
  } catch (e) {
    if (e instanceof lowdose.FormatError && e.code === 'FORMAT') {
      outcome = c.unchanged ? 'fail' : 'format';
      info.formatError = String(e.message).slice(0, 300);
      if (c.unchanged) error = { ...describeError(e), name: 'WrongRead', message: `the bytes are unchanged but the read failed: ${e.message}` };
    } else {
      outcome = 'fail';
      error = describeError(e);
    }
  }
  const ms = performance.now() - t0;
  const left = leftovers(ctx.tmp);
  if (left.length && outcome !== 'fail') {
    outcome = 'fail';
    error = { name: 'TempFileLeak', message: `the read left ${left.join(', ')} in the temporary folder`, stack: '' };
  }
  const after = memory(); // measured while the result is still held
  ds = undefined;
  const growth = Math.max(after.rss - before.rss, after.arrayBuffers - before.arrayBuffers, after.heapUsed - before.heapUsed);
  if (growth > ctx.boundBytes && outcome !== 'fail') {
    outcome = 'fail';
    error = { name: 'MemoryBound', message: `memory grew by ${(growth / 2 ** 20).toFixed(0)} MB during the case (bound ${(ctx.boundBytes / 2 ** 20).toFixed(0)} MB): rss ${mb(after.rss - before.rss)}, arrayBuffers ${mb(after.arrayBuffers - before.arrayBuffers)}, heap ${mb(after.heapUsed - before.heapUsed)}`, stack: '' };
  }
  return { ...info, outcome, error, ms, growth };
}

/** Files a case left in the worker's private temporary folder (removed, so the next case starts clean). */
function leftovers(tmp) {
  if (!tmp || !fs.existsSync(tmp)) return [];
  const names = fs.readdirSync(tmp);
  for (const n of names) fs.rmSync(path.join(tmp, n), { recursive: true, force: true });
  return names;
}

const mb = x => `${(x / 2 ** 20).toFixed(1)} MB`;

/** Loads every base file (and sidecar) once, reads each pristine one, and records its fingerprint. */
async function prepare(files, scratch, boundBytes) {
  // the test gives each worker TMPDIR=<scratch>/tmp; elsewhere (repro from the shell) nothing is checked
  const tmp = os.tmpdir().startsWith(scratch) ? os.tmpdir() : undefined;
  if (tmp) fs.mkdirSync(tmp, { recursive: true });
  const bases = new Map();
  for (const f of files) {
    bases.set(f.rel, new Uint8Array(fs.readFileSync(f.abs)));
    if (f.sidecar) bases.set(f.sidecar, new Uint8Array(fs.readFileSync(path.join(path.dirname(f.abs), path.basename(f.sidecar)))));
  }
  const fingerprints = new Map();
  const pristine = [];
  for (const f of files) {
    const name = path.extname(f.rel).toLowerCase() === '.emi' ? f.abs : `fuzz/${f.rel}`;
    try {
      const ds = await lowdose.io.read(bases.get(f.rel), { name });
      const problem = datasetProblem(ds);
      fingerprints.set(f.rel, fingerprint(ds));
      pristine.push({ rel: f.rel, ok: !problem, problem });
    } catch (e) {
      pristine.push({ rel: f.rel, ok: false, problem: `${e && e.name}: ${e && e.message}` });
    }
  }
  return { bases, fingerprints, pristine, scratch, boundBytes, tmp };
}

/** Fuzzed formats and the corpus files of each (data files only: .txt/.csv notes and the .hdr sidecars, which are fuzzed as sidecars, are left out). */
const FORMATS = ['mrc', 'tiff', 'dm3', 'dm4', 'emd', 'ser', 'mib', 'blo', 'npy'];

function corpusFiles(corpusDir) {
  const out = {};
  for (const fmt of FORMATS) {
    const dir = path.join(corpusDir, fmt);
    const names = fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
    out[fmt] = names
      .filter(n => !/\.(txt|csv|hdr|md)$/i.test(n))
      .map(n => {
        const abs = path.join(dir, n);
        let sidecar;
        const ser = /^(.*)_\d+\.ser$/i.exec(n);
        if (ser && names.includes(`${ser[1]}.emi`)) sidecar = `${fmt}/${ser[1]}.emi`;
        if (/\.mib$/i.test(n) && names.includes(n.replace(/\.mib$/i, '.hdr'))) sidecar = `${fmt}/${n.replace(/\.mib$/i, '.hdr')}`;
        return { rel: `${fmt}/${n}`, abs, sidecar };
      });
  }
  return out;
}

if (!isMainThread && workerData && workerData.lowdoseFuzz) {
  const { files, scratch, boundBytes } = workerData;
  prepare(files, scratch, boundBytes).then(
    ctx => {
      parentPort.postMessage({ type: 'ready', pristine: ctx.pristine });
      parentPort.on('message', async msg => {
        if (msg.type !== 'case') return;
        const res = await runCase(files[msg.fileIndex], msg.seed, ctx);
        parentPort.postMessage({ type: 'result', id: msg.id, ...res });
      });
    },
    e => {
      throw e;
    }
  );
} else if (require.main === module) {
  // Reproduce one case: node fuzzWorker.cjs <corpus-relative file> <seed> — in a worker, as the
  // test runs it, so a hang ends after 10 s instead of spinning forever.
  const { Worker } = require('node:worker_threads');
  const [rel, seedText] = process.argv.slice(2);
  const corpus = process.env.LOWDOSE_REAL_DATA ? path.resolve(process.env.LOWDOSE_REAL_DATA) : path.resolve(__dirname, '../../../../shared/data/real');
  const file = Object.values(corpusFiles(corpus))
    .flat()
    .find(f => f.rel === rel);
  if (!file || !seedText) {
    console.error('usage: node fuzzWorker.cjs <corpus-relative file, e.g. mrc/EMD-3001.map> <seed>');
    process.exit(2);
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lowdose-fuzz-repro-'));
  const done = () => fs.rmSync(scratch, { recursive: true, force: true });
  const worker = new Worker(__filename, {
    workerData: { lowdoseFuzz: true, files: [file], scratch, boundBytes: 512 * 2 ** 20 },
    env: { ...process.env, TMPDIR: path.join(scratch, 'tmp') },
    resourceLimits: { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 64, stackSizeMb: 4 }
  });
  let timer;
  worker.on('message', msg => {
    if (msg.type === 'ready') {
      timer = setTimeout(() => {
        console.log(JSON.stringify({ rel, seed: Number(seedText), ...describeCase(file, Number(seedText), path.join(scratch, 'describe')), outcome: 'fail', error: 'Timeout: no result within 10 s (worker terminated)' }, null, 2));
        void worker.terminate().then(done);
      }, 10_000);
      worker.postMessage({ type: 'case', id: 0, fileIndex: 0, seed: Number(seedText) });
    } else if (msg.type === 'result') {
      clearTimeout(timer);
      const { type, id, ...res } = msg;
      console.log(JSON.stringify({ ...res, error: res.error && { ...res.error, stack: undefined } }, null, 2));
      if (res.error && res.error.stack) console.log(res.error.stack);
      void worker.terminate().then(done);
    }
  });
  worker.on('error', e => {
    clearTimeout(timer);
    console.log(`worker crashed: ${e && e.stack}`);
    done();
  });
}

/** The mutation and variant of one case, without reading it (for reports of cases that hung). */
function describeCase(file, seed, scratch) {
  const bases = new Map([[file.rel, new Uint8Array(fs.readFileSync(file.abs))]]);
  if (file.sidecar) bases.set(file.sidecar, new Uint8Array(fs.readFileSync(path.join(path.dirname(file.abs), path.basename(file.sidecar)))));
  const c = buildCase(file, seed, bases, scratch);
  return { variant: c.variant, name: c.name, mutation: c.mutation, bytes: c.bytes.length };
}

module.exports = { FORMATS, corpusFiles, describeCase, makeRng, mutate };
