/**
 * Node-only: the FFT engine over a shared WebAssembly.Memory, with a pool of worker threads that
 * instantiate the same module over the same memory. The calling thread is thread 0; workers are
 * started on first use, sized to the cores, unref'd so a script (or the tslab kernel) exits while
 * they idle. Dispatch is synchronous: Atomics.notify wakes the workers, every thread claims chunks
 * of the pass from a shared counter (the calling thread from the front, workers from the back) until
 * none is left, and the calling thread then Atomics.waits for the rest (Node allows Atomics.wait on
 * its main thread). Threads poll briefly before waiting, since the column pass follows at once.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { base64ToBytes } from '../../display/decodePreview';
import { ChunkedPass, CoreExports, FftEngine, ParallelRunner, runChunksLocally, splitRange } from './engine';
import { MAX_PAGES, registerEngine } from './engineRegistry';
import { WasmMemory, WasmModule, wasmApi } from './wasmApi';
import { WASM_BASE64 } from './wasmSingle';
import { withSharedMemoryImport } from './sharedMemoryImport';

const GEN = 0;
const DONE = 1;
const READY = 2;
const QUIT = 3;
const FAILED = 4;
/** Chunk claims of a chunked pass: next front chunk << 16 | one past the last unclaimed chunk. */
const CLAIM = 5;
/** Chunks from this one on may be taken by workers (their input is in shared memory). */
const READY_FROM = 6;
const SLOT = 256;
const MAX_ARGS = 24;
/** Slot words before the arguments: fn, nargs, mode, lo, step, end, firstShared. */
const SLOT_HEAD = 32;
/**
 * Milliseconds a thread polls a shared word before Atomics.wait: a wake-up through the futex takes
 * 50–100 µs, and the column pass is dispatched a few µs after the row pass ends. (An iteration
 * count is no bound: 20 000 polls took 0.2–0.3 ms optimized and 1–6 ms before.)
 */
const SPIN_MS = 0.05;


const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctrl, index, names } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory } });
const fns = names.map(n => instance.exports[n]);
const i32 = new Int32Array(memory.buffer, ctrl, 16);
const base = ctrl + 64 + (index - 1) * ${SLOT};
const slot = new Int32Array(memory.buffer, base, 8);
const args = new Float64Array(memory.buffer, base + ${SLOT_HEAD}, ${MAX_ARGS});
function chunks(fn, a) {
  const lo = slot[3], step = slot[4], end = slot[5], first = slot[6];
  for (;;) {
    const v = Atomics.load(i32, ${CLAIM});
    const f = v >>> 16, b = v & 0xffff, k = b - 1;
    if (b <= f || k < first) return;
    const r = Atomics.load(i32, ${READY_FROM});
    if (k < r) {
      Atomics.wait(i32, ${READY_FROM}, r, 1);
      continue;
    }
    if (Atomics.compareExchange(i32, ${CLAIM}, v, (f << 16) | k) !== v) continue;
    a[lo] = k * step;
    a[lo + 1] = Math.min(a[lo] + step, end);
    fn(...a);
  }
}
Atomics.add(i32, ${READY}, 1);
Atomics.notify(i32, ${READY});
let seen = 0;
for (;;) {
  let g = Atomics.load(i32, ${GEN});
  for (const until = performance.now() + ${SPIN_MS}; g === seen && performance.now() < until; ) g = Atomics.load(i32, ${GEN});
  if (g === seen) {
    Atomics.wait(i32, ${GEN}, seen);
    g = Atomics.load(i32, ${GEN});
    if (g === seen) continue;
  }
  seen = g;
  if (Atomics.load(i32, ${QUIT}) === 1) break;
  const fn = slot[0];
  if (fn >= 0) {
    try {
      const a = Array.from(args.subarray(0, slot[1]));
      if (slot[2] === 1) chunks(fns[fn], a);
      else fns[fn](...a);
    } catch (e) {
      Atomics.store(i32, ${FAILED}, 1);
    }
  }
  Atomics.add(i32, ${DONE}, 1);
  Atomics.notify(i32, ${DONE});
}
`;

/** Worker threads sharing the engine's memory. */
class WorkerPool implements ParallelRunner {
  private workers: Worker[] = [];
  private ctrl = 0;
  private names: string[];
  /** 'dynamic': chunks claimed as threads go; 'static': the workers get the shared chunks, the caller the rest (for A/B measurements). */
  chunkMode: 'dynamic' | 'static' = 'dynamic';
  constructor(private readonly engine: FftEngine, readonly threads: number) {
    this.names = Object.keys(engine.exports).filter(k => typeof engine.exports[k] === 'function');
  }

  private start(): void {
    const n = this.threads - 1;
    this.ctrl = this.engine.alloc(64 + SLOT * Math.max(1, n));
    new Int32Array(this.engine.memory.buffer, this.ctrl, 16).fill(0);
    for (let i = 1; i <= n; i++) {
      const w = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module: this.engine.module, memory: this.engine.memory, ctrl: this.ctrl, index: i, names: this.names }
      });
      w.unref();
      this.workers.push(w);
    }
    const i32 = new Int32Array(this.engine.memory.buffer, this.ctrl, 16);
    const t0 = Date.now();
    for (;;) {
      const r = Atomics.load(i32, READY);
      if (r >= n) break;
      if (Date.now() - t0 > 30000) throw new Error('lowdose.fft: FFT worker threads did not start within 30 s.');
      Atomics.wait(i32, READY, r, 100);
    }
  }

  /** Writes call i's function and arguments into worker i's slot (mode 1: chunked). */
  private setSlot(buf: ArrayBufferLike, i: number, fn: string | undefined, args: number[], mode = 0, chunk: number[] = []): void {
    const base = this.ctrl + 64 + (i - 1) * SLOT;
    const slot = new Int32Array(buf, base, 8);
    if (fn === undefined) {
      slot[0] = -1;
      return;
    }
    if (args.length > MAX_ARGS) throw new Error('lowdose.fft: too many arguments for a worker call.');
    slot[0] = this.names.indexOf(fn);
    slot[1] = args.length;
    slot[2] = mode;
    slot.set(chunk, 3);
    new Float64Array(buf, base + SLOT_HEAD, MAX_ARGS).set(args);
  }

  /** Wakes the workers (slots written), runs mine on this thread, waits for them; rethrows failures. */
  private dispatch(i32: Int32Array, mine: () => void): void {
    Atomics.store(i32, DONE, 0);
    Atomics.add(i32, GEN, 1);
    Atomics.notify(i32, GEN);
    let error: unknown;
    try {
      mine();
    } catch (e) {
      error = e;
    }
    const n = this.threads - 1;
    let d = Atomics.load(i32, DONE);
    for (const until = performance.now() + SPIN_MS; d < n && performance.now() < until; ) d = Atomics.load(i32, DONE);
    const t0 = Date.now();
    while (d < n) {
      if (Date.now() - t0 > 600000) throw new Error('lowdose.fft: an FFT worker thread did not answer within 10 min.');
      Atomics.wait(i32, DONE, d, 1000);
      d = Atomics.load(i32, DONE);
    }
    if (error) throw error;
    if (Atomics.load(i32, FAILED)) {
      Atomics.store(i32, FAILED, 0);
      throw new Error('lowdose.fft: an FFT worker thread failed.');
    }
  }

  runChunked(pass: ChunkedPass, threads: number): void {
    const count = Math.ceil(pass.end / pass.step);
    const first = Math.min(pass.firstShared, count);
    if (this.workers.length === 0) this.start();
    const buf = this.engine.memory.buffer;
    const i32 = new Int32Array(buf, this.ctrl, 16);
    const nw = Math.min(threads, this.threads) - 1;
    if (this.chunkMode === 'static' || count >= 0x10000) {
      pass.prepare?.(() => undefined);
      const shared = splitRange(count - first, nw, 1);
      for (let i = 1; i < this.threads; i++) {
        const r = shared[i - 1];
        const args = r ? pass.args(i) : [];
        if (r) {
          args[pass.lo] = (first + r[0]) * pass.step;
          args[pass.lo + 1] = Math.min((first + r[1]) * pass.step, pass.end);
        }
        this.setSlot(buf, i, r ? pass.fn : undefined, args);
      }
      this.dispatch(i32, () => runChunksLocally(this.engine, pass, 0, first));
      return;
    }
    Atomics.store(i32, CLAIM, count);
    Atomics.store(i32, READY_FROM, pass.prepare ? count : first);
    for (let i = 1; i < this.threads; i++) {
      this.setSlot(buf, i, i <= nw ? pass.fn : undefined, i <= nw ? pass.args(i) : [], 1, [pass.lo, pass.step, pass.end, first]);
    }
    this.dispatch(i32, () => {
      try {
        pass.prepare?.(k => {
          Atomics.store(i32, READY_FROM, Math.max(k, first));
          Atomics.notify(i32, READY_FROM);
        });
        for (;;) {
          const v = Atomics.load(i32, CLAIM);
          const f = v >>> 16, b = v & 0xffff;
          if (f >= b) return;
          if (Atomics.compareExchange(i32, CLAIM, v, ((f + 1) << 16) | b) !== v) continue;
          runChunksLocally(this.engine, pass, f, f + 1);
        }
      } catch (e) {
        // no chunk left to claim, so workers waiting for input that will not come stop
        Atomics.store(i32, CLAIM, 0);
        Atomics.notify(i32, READY_FROM);
        throw e;
      }
    });
  }
}

let engine: FftEngine | undefined;

/**
 * Results kept as views of the shared memory (no copy out of WebAssembly, no fresh pages to fault
 * in): up to 256 MiB live at once; each block is freed when its view is garbage-collected.
 */
const RESULT_BUDGET = 256 * 2 ** 20;

/** Threads the pool uses: the machine's available parallelism. */
export function defaultThreads(): number {
  const o = os as { availableParallelism?: () => number };
  return Math.max(1, o.availableParallelism ? o.availableParallelism() : os.cpus().length);
}

let sharedModule: WasmModule | undefined;

/** The core compiled for a shared imported memory (once per thread). */
function coreModule(): WasmModule {
  sharedModule ??= new (wasmApi().Module)(withSharedMemoryImport(base64ToBytes(WASM_BASE64)));
  return sharedModule;
}

/**
 * The core's functions over a shared memory of the caller's (e.g. alignFrames' spectra, which
 * several threads read): an instance of its own, no allocator — the caller places data from
 * exports.heapBase() on (the core's static data lies below it).
 */
export function coreOn(memory: WasmMemory): CoreExports {
  return new (wasmApi().Instance)(coreModule(), { env: { memory } }).exports as unknown as CoreExports;
}

/** The Node engine (created on first use). */
export function nodeEngine(): FftEngine {
  if (!engine) {
    const module = coreModule();
    const memory = new (wasmApi().Memory)({ initial: 17, maximum: MAX_PAGES, shared: true });
    engine = new FftEngine(module, memory);
    engine.resultBudgetBytes = RESULT_BUDGET;
    const threads = defaultThreads();
    if (threads > 1) engine.parallel = new WorkerPool(engine, threads);
  }
  return engine;
}

registerEngine(nodeEngine);
