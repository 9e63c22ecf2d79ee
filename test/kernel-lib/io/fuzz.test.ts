// Fuzzing the readers: seeded mutations (bit flips, byte overwrites, 4/8-byte fields set to huge,
// negative or non-finite values, chunks duplicated or deleted) and truncations of every real file in
// the corpus, at least 1,000 cases per format. Each case must end in a well-formed Dataset or a
// FormatError; anything else — another exception, a hang, a crash, memory growth over the bound —
// is a failure reported with format, file, seed, mutation and stack.
//
// Cases run in a pool of worker threads (fuzzWorker.cjs, over the built package). The main thread
// times every case: past CASE_TIMEOUT_MS it terminates the worker (which also stops a loop inside
// WebAssembly), counts a failure and starts a fresh worker. Workers run with a 512 MB old-generation
// limit and check their own memory growth per case.
//
// Knobs: LOWDOSE_FUZZ_CASES (cases per format, default 1000), LOWDOSE_FUZZ_SEED (default 0; shifts
// every seed), LOWDOSE_FUZZ_FORMATS (comma list). Reproduce one case with
// `node test/kernel-lib/io/fuzzWorker.cjs <format>/<file> <seed>`.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { CORPUS_DIR, CORPUS_PRESENT } from '../../io-conformance/corpus';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { FORMATS, corpusFiles, describeCase } = require('./fuzzWorker.cjs') as {
  FORMATS: string[];
  corpusFiles: (dir: string) => Record<string, FuzzFile[]>;
  describeCase: (file: FuzzFile, seed: number, scratch: string) => Pick<CaseResult, 'variant' | 'name' | 'mutation' | 'bytes'>;
};

interface FuzzFile {
  rel: string;
  abs: string;
  sidecar?: string;
}

interface CaseResult {
  rel: string;
  seed: number;
  variant: string;
  name: string;
  mutation: string;
  bytes: number;
  outcome: 'read' | 'format' | 'fail';
  error?: { name: string; code?: string; message: string; stack: string };
  ms: number;
  growth: number;
}

interface Summary {
  cases: number;
  reads: number;
  formatErrors: number;
  failures: CaseResult[];
  pristineProblems: string[];
  seconds: number;
  slowest?: CaseResult;
  maxGrowth: number;
  workersStarted: number;
}

const CASES = Number(process.env.LOWDOSE_FUZZ_CASES || 1000);
const SEED_BASE = Number(process.env.LOWDOSE_FUZZ_SEED || 0);
const ONLY = process.env.LOWDOSE_FUZZ_FORMATS ? process.env.LOWDOSE_FUZZ_FORMATS.split(',') : undefined;
const CASE_TIMEOUT_MS = 5000;
const READY_TIMEOUT_MS = 60_000;
const BOUND_BYTES = 512 * 2 ** 20;
const POOL = Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
/** A format whose workers time out or die this often stops early (each costs a respawn). */
const MAX_CRASHES = 20;
const WORKER = path.join(__dirname, 'fuzzWorker.cjs');

const FORMAT_TITLES: Record<string, string> = {
  mrc: 'MRC',
  tiff: 'TIFF',
  dm3: 'DM3',
  dm4: 'DM4',
  emd: 'EMD (HDF5)',
  ser: 'SER/EMI',
  mib: 'MIB',
  blo: 'BLO',
  npy: 'NPY'
};

/** Seed of case k of a format: distinct across formats, shifted by LOWDOSE_FUZZ_SEED. */
function seedOf(formatIndex: number, k: number): number {
  return (SEED_BASE * 10_000_000 + (formatIndex + 1) * 1_000_000 + k) >>> 0;
}

/**
 * Runs `count` cases over `files` in a pool of `POOL` workers; case k mutates file k mod n with
 * seed seedOf(formatIndex, k).
 */
async function fuzzFormat(formatIndex: number, files: FuzzFile[], count: number, scratchRoot: string): Promise<Summary> {
  const t0 = performance.now();
  const summary: Summary = { cases: 0, reads: 0, formatErrors: 0, failures: [], pristineProblems: [], seconds: 0, maxGrowth: 0, workersStarted: 0 };
  let next = 0;
  let crashes = 0;
  let generation = 0;
  const pristineSeen = new Set<string>();

  const record = (r: CaseResult): void => {
    summary.cases++;
    if (r.outcome === 'read') summary.reads++;
    else if (r.outcome === 'format') summary.formatErrors++;
    else summary.failures.push(r);
    if (!summary.slowest || r.ms > summary.slowest.ms) summary.slowest = r;
    summary.maxGrowth = Math.max(summary.maxGrowth, r.growth || 0);
  };
  const lost = (k: number, name: string, message: string, ms: number): void => {
    const file = files[k % files.length];
    const seed = seedOf(formatIndex, k);
    let c: Pick<CaseResult, 'variant' | 'name' | 'mutation' | 'bytes'> = { variant: '?', name: '?', mutation: '?', bytes: 0 };
    try {
      c = describeCase(file, seed, path.join(scratchRoot, 'describe'));
    } catch {
      /* the report still names file and seed */
    }
    record({ rel: file.rel, seed, ...c, outcome: 'fail', error: { name, message, stack: '' }, ms, growth: 0 });
  };

  /** One slot of the pool: a worker that takes cases until none are left, replaced when it hangs or dies. */
  const slot = async (): Promise<void> => {
    while (next < count && crashes < MAX_CRASHES) {
      const scratch = path.join(scratchRoot, `${FORMATS[formatIndex]}-w${generation++}`);
      summary.workersStarted++;
      const worker = new Worker(WORKER, {
        workerData: { lowdoseFuzz: true, files, scratch, boundBytes: BOUND_BYTES },
        // a private temporary folder (HDF5 reads of bytes go through a temporary copy), so the worker
        // can tell after every case whether the reader left a file behind
        env: { ...process.env, TMPDIR: path.join(scratch, 'tmp') },
        resourceLimits: { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 64, stackSizeMb: 4 },
        stdout: true,
        stderr: true
      });
      // worker output is not the test's; drain it so a chatty reader cannot block
      worker.stdout.resume();
      worker.stderr.resume();
      const ended = await new Promise<'retire' | 'respawn'>(resolve => {
        let current: { id: number; k: number; start: number } | undefined;
        let timer: NodeJS.Timeout | undefined;
        let done = false;
        const finish = (how: 'retire' | 'respawn'): void => {
          if (done) return;
          done = true;
          if (timer) clearTimeout(timer);
          worker.removeAllListeners('message');
          void worker.terminate();
          resolve(how);
        };
        const dispatch = (): void => {
          if (next >= count || crashes >= MAX_CRASHES) return finish('retire');
          const k = next++;
          current = { id: k, k, start: performance.now() };
          timer = setTimeout(() => {
            if (!current) return;
            crashes++;
            lost(current.k, 'Timeout', `no result within ${CASE_TIMEOUT_MS} ms: the reader hangs (worker terminated)`, performance.now() - current.start);
            current = undefined;
            finish('respawn');
          }, CASE_TIMEOUT_MS);
          worker.postMessage({ type: 'case', id: k, fileIndex: k % files.length, seed: seedOf(formatIndex, k) });
        };
        const readyTimer = setTimeout(() => {
          crashes++;
          summary.pristineProblems.push(`a worker did not start within ${READY_TIMEOUT_MS} ms`);
          finish('respawn');
        }, READY_TIMEOUT_MS);
        worker.on('message', (msg: { type: string; id?: number; pristine?: Array<{ rel: string; ok: boolean; problem?: string }> } & CaseResult) => {
          if (msg.type === 'ready') {
            clearTimeout(readyTimer);
            for (const p of msg.pristine ?? []) {
              if (!p.ok && !pristineSeen.has(p.rel)) {
                pristineSeen.add(p.rel);
                summary.pristineProblems.push(`${p.rel} (unmutated): ${p.problem}`);
              }
            }
            dispatch();
          } else if (msg.type === 'result' && current && msg.id === current.id) {
            clearTimeout(timer);
            current = undefined;
            record(msg);
            dispatch();
          }
        });
        const died = (why: string): void => {
          if (done) return;
          clearTimeout(readyTimer);
          crashes++;
          if (current) lost(current.k, 'WorkerCrash', why, performance.now() - current.start);
          else summary.pristineProblems.push(`a worker died between cases: ${why}`);
          current = undefined;
          finish('respawn');
        };
        worker.on('error', e => died(`${(e as Error & { code?: string }).code ?? ''} ${(e as Error).stack ?? e}`));
        worker.on('exit', code => died(`worker exited with code ${code}`));
      });
      if (ended === 'retire') return;
    }
  };

  await Promise.all(Array.from({ length: POOL }, slot));
  summary.seconds = (performance.now() - t0) / 1000;
  return summary;
}

function failureReport(format: string, f: CaseResult): string {
  return [
    `  ${format} ${f.rel} seed ${f.seed} [${f.variant}] ${f.mutation} (${f.bytes} bytes, name ${JSON.stringify(f.name)}, ${f.ms.toFixed(0)} ms)`,
    `    ${f.error?.name}${f.error?.code ? ` (${f.error.code})` : ''}: ${f.error?.message}`,
    ...(f.error?.stack ? f.error.stack.split('\n').slice(1, 7).map(l => `    ${l.trim()}`) : []),
    `    reproduce: node test/kernel-lib/io/fuzzWorker.cjs '${f.rel}' ${f.seed}`
  ].join('\n');
}

describe('io fuzz: seeded mutations and truncations of the real-file corpus', function () {
  let scratchRoot: string;

  before(function () {
    scratchRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'lowdose-fuzz-'));
  });
  after(function () {
    // also removes what terminated workers left in their temporary folders
    fs.rmSync(scratchRoot, { recursive: true, force: true });
  });

  FORMATS.forEach((format, formatIndex) => {
    const title = FORMAT_TITLES[format] ?? format;
    it(`io.read() meets ${CASES.toLocaleString('en-US')} seeded mutations and truncations of every real ${title} file with a result or a FormatError`, async function () {
      this.timeout(15 * 60_000);
      if (!CORPUS_PRESENT) {
        (this.test as unknown as { skipReason?: string }).skipReason = `real-data corpus not found at ${CORPUS_DIR}; set LOWDOSE_REAL_DATA to the folder holding MANIFEST.md`;
        this.skip();
      }
      if (ONLY && !ONLY.includes(format)) {
        (this.test as unknown as { skipReason?: string }).skipReason = `LOWDOSE_FUZZ_FORMATS=${ONLY.join(',')}`;
        this.skip();
      }
      const files = corpusFiles(CORPUS_DIR)[format];
      assert.ok(files.length > 0, `no ${format} files under ${path.join(CORPUS_DIR, format)}`);
      const s = await fuzzFormat(formatIndex, files, CASES, scratchRoot);
      console.log(
        `      fuzz ${format}: ${s.cases} cases over ${files.length} files, ${s.reads} reads, ${s.formatErrors} FormatErrors, ` +
          `${s.failures.length} failures, ${s.seconds.toFixed(1)} s (slowest case ${s.slowest ? `${s.slowest.ms.toFixed(0)} ms` : '-'}, ` +
          `largest memory growth ${(s.maxGrowth / 2 ** 20).toFixed(0)} MB, ${s.workersStarted} workers started)`
      );
      const problems: string[] = [];
      if (s.pristineProblems.length) problems.push(`unmutated files or workers: ${s.pristineProblems.join('; ')}`);
      if (s.failures.length) {
        console.log(s.failures.slice(0, 25).map(f => failureReport(format, f)).join('\n'));
        if (s.failures.length > 25) console.log(`  … and ${s.failures.length - 25} more`);
        const kinds = [...new Set(s.failures.map(f => f.error?.name))].join(', ');
        problems.push(`${s.failures.length} of ${s.cases} cases ended in neither a Dataset nor a FormatError (${kinds}; listed above), first: ${s.failures[0].rel} seed ${s.failures[0].seed}: ${s.failures[0].error?.message}`);
      }
      if (s.cases < CASES) problems.push(`only ${s.cases} of ${CASES} cases ran (stopped after ${MAX_CRASHES} hangs or crashes)`);
      if (problems.length) assert.fail(`fuzz ${format}: ${problems.join('; ')}`);
    });
  });

});
