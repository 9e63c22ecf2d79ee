/**
 * Node-only: the FFT engine over a shared WebAssembly.Memory, with a pool of worker threads that
 * instantiate the same module over the same memory. The calling thread is thread 0; workers are
 * started on first use, sized to the cores, unref'd so a script (or the tslab kernel) exits while
 * they idle. Dispatch is synchronous: Atomics.notify wakes the workers, the calling thread does its
 * share, then Atomics.wait for the rest (Node allows Atomics.wait on its main thread).
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { base64ToBytes } from '../../display/decodePreview';
import { FftEngine, ParallelRunner, PassCall } from './engine';
import { MAX_PAGES, registerEngine } from './engineRegistry';
import { wasmApi } from './wasmApi';
import { WASM_BASE64 } from './wasmSingle';
import { withSharedMemoryImport } from './sharedMemoryImport';

const GEN = 0;
const DONE = 1;
const READY = 2;
const QUIT = 3;
const FAILED = 4;
const SLOT = 256;
const MAX_ARGS = 24;

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctrl, index, names } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory } });
const fns = names.map(n => instance.exports[n]);
const i32 = new Int32Array(memory.buffer, ctrl, 16);
const base = ctrl + 64 + (index - 1) * ${SLOT};
const slot = new Int32Array(memory.buffer, base, 2);
const args = new Float64Array(memory.buffer, base + 8, ${MAX_ARGS});
Atomics.add(i32, ${READY}, 1);
Atomics.notify(i32, ${READY});
let seen = 0;
for (;;) {
  Atomics.wait(i32, ${GEN}, seen);
  const g = Atomics.load(i32, ${GEN});
  if (g === seen) continue;
  seen = g;
  if (Atomics.load(i32, ${QUIT}) === 1) break;
  const fn = slot[0];
  if (fn >= 0) {
    try {
      fns[fn](...Array.from(args.subarray(0, slot[1])));
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

  run(calls: PassCall[]): void {
    if (this.workers.length === 0) this.start();
    const buf = this.engine.memory.buffer;
    const i32 = new Int32Array(buf, this.ctrl, 16);
    Atomics.store(i32, DONE, 0);
    for (let i = 1; i < this.threads; i++) {
      const base = this.ctrl + 64 + (i - 1) * SLOT;
      const slot = new Int32Array(buf, base, 2);
      const c = calls[i];
      if (c) {
        if (c.args.length > MAX_ARGS) throw new Error('lowdose.fft: too many arguments for a worker call.');
        slot[0] = this.names.indexOf(c.fn);
        slot[1] = c.args.length;
        new Float64Array(buf, base + 8, MAX_ARGS).set(c.args);
      } else {
        slot[0] = -1;
      }
    }
    Atomics.add(i32, GEN, 1);
    Atomics.notify(i32, GEN);
    let error: unknown;
    try {
      const c = calls[0];
      if (c?.local) c.local();
      else if (c) this.engine.exports[c.fn](...c.args);
    } catch (e) {
      error = e;
    }
    const n = this.threads - 1;
    const t0 = Date.now();
    for (;;) {
      const d = Atomics.load(i32, DONE);
      if (d >= n) break;
      if (Date.now() - t0 > 600000) throw new Error('lowdose.fft: an FFT worker thread did not answer within 10 min.');
      Atomics.wait(i32, DONE, d, 1000);
    }
    if (error) throw error;
    if (Atomics.load(i32, FAILED)) {
      Atomics.store(i32, FAILED, 0);
      throw new Error('lowdose.fft: an FFT worker thread failed.');
    }
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

/** The Node engine (created on first use). */
export function nodeEngine(): FftEngine {
  if (!engine) {
    const module = new (wasmApi().Module)(withSharedMemoryImport(base64ToBytes(WASM_BASE64)));
    const memory = new (wasmApi().Memory)({ initial: 17, maximum: MAX_PAGES, shared: true });
    engine = new FftEngine(module, memory);
    engine.resultBudgetBytes = RESULT_BUDGET;
    const threads = defaultThreads();
    if (threads > 1) engine.parallel = new WorkerPool(engine, threads);
  }
  return engine;
}

registerEngine(nodeEngine);
