// EMD (HDF5) parsing in a worker thread, under a timeout.
//
// h5wasm runs HDF5's C code synchronously; on a corrupt or hostile file it can loop forever inside
// WebAssembly (e.g. reading a variable-length string attribute whose heap reference is garbage),
// where no JavaScript timer can interrupt it. So every parse of a whole file — and the header /
// attribute parse of `io.open` — runs here, in a worker the main thread terminates when it does not
// answer in time (Worker.terminate stops a WebAssembly loop).
//
// This one file is both sides:
// - the worker entry (compiled to dist/io/_internal/emdWorker.js; it runs its message loop only when
//   started with `workerData.lowdoseEmdWorker`), and
// - the client `runEmdJob`, which keeps one lazily started worker: referenced while a job runs,
//   unreferenced (never keeping the process alive) while idle, and terminated after IDLE_MS idle,
//   on a timeout, after a job during which h5wasm aborted or that failed in a way that suggests
//   h5wasm itself broke (a WebAssembly trap, an unexpected exception), after FAILURES_BEFORE_RECYCLE
//   ordinary parse errors, and after a job that left h5wasm's WebAssembly memory (which never
//   shrinks) above HEAP_RECYCLE_BYTES. Jobs run one at a time, in call order; each job's clock
//   starts when the worker takes it. What h5wasm prints on stderr (emscripten's "Aborted(…)" lines,
//   UTF-8 warnings) is dropped: the outcome reaches the caller as a result or a typed error. (The
//   worker's stdio is not piped: piped streams would keep the process alive.)
import path from 'path';
import { isMainThread, parentPort, Worker, workerData } from 'worker_threads';
import { FormatError } from '../../errors';
import { EmdJob, EmdJobResult, errorFromWire, errorToWire, runEmdJobHere, WireError } from './emdJobs';
import { loadH5wasm, wasmAbortCount, wasmHeapBytes } from './h5';

/** Worker → main thread. */
type Reply =
  | { type: 'ready' }
  | { type: 'startFailed'; error: WireError }
  | ({ type: 'done'; id: number; ok: true; result: EmdJobResult } & Health)
  | ({ type: 'done'; id: number; ok: false; error: WireError } & Health);

/** The worker's h5wasm after a job: its WebAssembly memory, and whether it aborted during the job. */
interface Health {
  heapBytes: number;
  aborted: boolean;
}

/** Main thread → worker. */
type Request = { id: number; job: EmdJob };

// ---------------------------------------------------------------------------------------------
// Worker side

function serve(port: NonNullable<typeof parentPort>): void {
  // h5wasm binds console.error when it loads: keep its "Aborted(…)" lines and UTF-8 warnings out of
  // the caller's output (the outcome reaches the caller as a result or a typed error)
  console.error = console.warn = () => undefined;
  const send = (m: Reply, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
  loadH5wasm().then(
    () => send({ type: 'ready' }),
    e => send({ type: 'startFailed', error: errorToWire(e) })
  );
  port.on('message', async (req: Request) => {
    const transfer = new Set<ArrayBuffer>();
    const aborts = wasmAbortCount();
    let reply: Reply;
    try {
      const result = await runEmdJobHere(req.job, transfer);
      reply = { type: 'done', id: req.id, ok: true, result, heapBytes: 0, aborted: false };
    } catch (e) {
      reply = { type: 'done', id: req.id, ok: false, error: errorToWire(e), heapBytes: 0, aborted: false };
    }
    reply.heapBytes = wasmHeapBytes();
    reply.aborted = wasmAbortCount() !== aborts;
    try {
      send(reply, [...transfer]);
    } catch (e) {
      // a value the structured clone cannot carry (it throws before anything is transferred)
      send({ type: 'done', id: req.id, ok: false, error: errorToWire(e), heapBytes: reply.heapBytes, aborted: reply.aborted });
    }
  });
}

if (!isMainThread && parentPort && (workerData as { lowdoseEmdWorker?: unknown } | null)?.lowdoseEmdWorker === true) serve(parentPort);

// ---------------------------------------------------------------------------------------------
// Main-thread side

/** The compiled worker entry: this file, next to the module that spawns it. */
export const EMD_WORKER_PATH = path.join(__dirname, 'emdWorker.js');
/** An idle worker is terminated after this long (it holds h5wasm's memory). */
const IDLE_MS = 10_000;
/** A worker whose WebAssembly memory grew past this is replaced after its job. */
const HEAP_RECYCLE_BYTES = 256 * 2 ** 20;
/**
 * A worker is replaced after this many failed jobs: an HDF5 error is thrown from HDF5's error
 * callback through WebAssembly frames, which may leak handles and shadow-stack space each time.
 */
const FAILURES_BEFORE_RECYCLE = 16;
/** Loading h5wasm in a new worker takes ~0.2 s; past this something is wrong with the installation. */
const START_TIMEOUT_MS = 60_000;

interface Pending {
  id: number;
  job: EmdJob;
  resolve(r: EmdJobResult): void;
  reject(e: Error): void;
}

class EmdWorker {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  dead = false;
  /** Jobs that ended in an error (each may leak a little of h5wasm's state). */
  private failures = 0;
  private pending: Pending | undefined;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor() {
    this.worker = new Worker(EMD_WORKER_PATH, { workerData: { lowdoseEmdWorker: true }, execArgv: [] });
    this.ready = new Promise<void>((resolve, reject) => {
      const startTimer = setTimeout(() => {
        reject(new Error(`lowdose: the EMD parsing worker (${EMD_WORKER_PATH}) did not start within ${START_TIMEOUT_MS / 1000} s.`));
        void this.retire();
      }, START_TIMEOUT_MS);
      this.worker.on('message', (m: Reply) => {
        if (m.type === 'ready') {
          clearTimeout(startTimer);
          resolve();
        } else if (m.type === 'startFailed') {
          clearTimeout(startTimer);
          reject(new Error(`lowdose: the EMD parsing worker could not load h5wasm: ${m.error.message}`));
          void this.retire();
        } else if (m.type === 'done') {
          const p = this.pending;
          if (!p || p.id !== m.id) return;
          this.pending = undefined;
          if (!m.ok) this.failures++;
          if (m.aborted || (!m.ok && !isPlainParseError(m.error)) || this.failures >= FAILURES_BEFORE_RECYCLE || m.heapBytes > HEAP_RECYCLE_BYTES) void this.retire();
          if (m.ok) p.resolve(m.result);
          else p.reject(errorFromWire(m.error));
        }
      });
      const died = (why: string) => {
        clearTimeout(startTimer);
        this.dead = true;
        this.clearIdle();
        if (current === this) current = undefined;
        reject(new Error(`lowdose: the EMD parsing worker (${EMD_WORKER_PATH}) failed to start: ${why}`));
        const p = this.pending;
        this.pending = undefined;
        // the thread died under a job: the HDF5 parser crashed on that file
        if (p) p.reject(new FormatError(p.job.name, 'HDF5 structure', 0, `the HDF5 parser died (${why}); the file is corrupt or hostile, or too large to read whole (use io.open).`));
      };
      this.worker.on('error', e => died(e instanceof Error ? `${e.name}: ${e.message}` : String(e)));
      this.worker.on('exit', code => died(`the worker exited with code ${code}`));
    });
    this.ready.catch(() => undefined);
  }

  /** Runs one job; rejects with a FormatError after `timeoutMs` (and terminates the worker). */
  run(id: number, job: EmdJob, timeoutMs: number): Promise<EmdJobResult> {
    this.clearIdle();
    this.worker.ref();
    return new Promise<EmdJobResult>((resolve, reject) => {
      const settle = () => {
        clearTimeout(timer);
        if (!this.dead) {
          // idle: never keep the process alive, and give the memory back after a while
          this.worker.unref();
          this.idleTimer = setTimeout(() => void this.retire(), IDLE_MS);
          this.idleTimer.unref();
        }
      };
      const timer = setTimeout(() => {
        if (this.pending?.id !== id) return;
        this.pending = undefined;
        const seconds = Math.round(timeoutMs / 100) / 10;
        const err = new FormatError(job.name, 'HDF5 structure', 0, `parsing did not finish within ${seconds} s; the file is corrupt or hostile.`);
        // wait (briefly) for the thread to stop, so the caller can delete a temporary copy it reads
        void this.retire().then(() => reject(err));
      }, timeoutMs);
      this.pending = {
        id,
        job,
        resolve: r => {
          settle();
          resolve(r);
        },
        reject: e => {
          settle();
          reject(e);
        }
      };
      this.worker.postMessage({ id, job } satisfies Request);
    });
  }

  clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  /** Terminates the worker (waiting at most 2 s for the thread to stop). */
  retire(): Promise<void> {
    this.clearIdle();
    if (current === this) current = undefined;
    if (this.dead) return Promise.resolve();
    this.dead = true;
    const stopped = this.worker.terminate().then(
      () => undefined,
      () => undefined
    );
    const cap = new Promise<void>(r => setTimeout(r, 2000).unref());
    return Promise.race([stopped, cap]);
  }
}

/**
 * True for an ordinary parse failure (a FormatError or ValueError from HDF5 reporting an error);
 * false for anything that suggests h5wasm itself broke (an abort, a WebAssembly trap, another
 * exception), after which the worker is not reused.
 */
function isPlainParseError(e: WireError): boolean {
  if (e.name !== 'FormatError' && e.name !== 'ValueError') return false;
  return !/abort|RuntimeError|unreachable|out of bounds|table index|call stack|memory/i.test(e.message);
}

let current: EmdWorker | undefined;
let queue: Promise<unknown> = Promise.resolve();
let nextId = 1;

async function dispatch(job: EmdJob, timeoutMs: number): Promise<EmdJobResult> {
  for (let attempt = 0; ; attempt++) {
    let w = current;
    if (!w || w.dead) w = current = new EmdWorker();
    w.clearIdle();
    await w.ready;
    if (!w.dead) return w.run(nextId++, job, timeoutMs);
    // it died between starting and taking the job (not this job's doing): start another
    if (attempt >= 2) throw new Error(`lowdose: the EMD parsing worker (${EMD_WORKER_PATH}) keeps exiting before it takes a job.`);
  }
}

/**
 * Runs `job` in the EMD parsing worker and returns its result, or throws what the parse threw
 * (the same typed error), or a FormatError(job.name, 'HDF5 structure', 0, …) when the parse does
 * not finish within `timeoutMs` or kills the worker.
 */
export function runEmdJob(job: EmdJob, timeoutMs: number): Promise<EmdJobResult> {
  const run = queue.then(() => dispatch(job, timeoutMs));
  queue = run.catch(() => undefined);
  return run;
}
