/**
 * Node-only: lanes that run alignFrames' tasks (motionTasks.ts). One local lane (the calling thread,
 * synchronous) or one lane per worker thread of a persistent pool (motionWorker.js beside this file,
 * so it works from dist/ — also under tslab; where the compiled worker is missing, e.g. sources run
 * through a TypeScript loader, the local lane is used). Workers start on first use, one per core,
 * and are unref'd while idle so a script or the kernel exits; the calling thread awaits their
 * messages, so its event loop stays free for progress reports and the kernel's Interrupt.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { MotionTasks, TaskName } from './motionTasks';

/** Runs tasks on one thread. */
export interface Lane {
  /** Runs a task; a frame passed as `arg.data` comes back into the call's spare frames once used. */
  call<T = unknown>(method: TaskName, arg?: unknown, transfer?: ArrayBuffer[]): Promise<T>;
}

/** Frame buffers the lanes are done with, for the next frames read (no fresh 16 MB allocations). */
export class Spares {
  private list: Float32Array[] = [];
  constructor(private readonly max: number) {}
  put(x: unknown): void {
    if (x instanceof Float32Array && x.byteLength > 0 && this.list.length < this.max) this.list.push(x);
  }
  take(length: number): Float32Array | undefined {
    const i = this.list.findIndex(x => x.length === length);
    return i < 0 ? undefined : this.list.splice(i, 1)[0];
  }
  clear(): void {
    this.list = [];
  }
}

class LocalLane implements Lane {
  private readonly tasks = new MotionTasks();
  constructor(private readonly spares: Spares) {}
  async call<T>(method: TaskName, arg?: unknown): Promise<T> {
    const r = (this.tasks[method] as (a: unknown) => T).call(this.tasks, arg);
    this.spares.put((arg as { data?: unknown } | undefined)?.data);
    return r;
  }
}

type Waiter = { resolve(v: unknown): void; reject(e: unknown): void; spares?: Spares };

class PoolWorker {
  readonly worker: Worker;
  private readonly waiting = new Map<number, Waiter>();
  private next = 0;
  dead = false;
  constructor(script: string, onDeath: (w: PoolWorker) => void) {
    this.worker = new Worker(script);
    this.worker.unref();
    this.worker.on('message', (m: { id: number; result?: unknown; error?: { name: string; message: string }; data?: Float32Array }) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      w.spares?.put(m.data);
      this.waiting.delete(m.id);
      if (this.waiting.size === 0) this.worker.unref();
      if (m.error) {
        const e = new Error(m.error.message);
        e.name = m.error.name;
        w.reject(e);
      } else w.resolve(m.result);
    });
    const fail = (e: unknown): void => {
      this.dead = true;
      onDeath(this);
      for (const w of this.waiting.values()) w.reject(e instanceof Error ? e : new Error(`lowdose.motion: worker thread stopped (${String(e)}).`));
      this.waiting.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', code => fail(new Error(`lowdose.motion: worker thread exited with code ${code}.`)));
  }

  call(callId: number, method: TaskName, arg: unknown, transfer: ArrayBuffer[], spares: Spares): Promise<unknown> {
    if (this.dead) return Promise.reject(new Error('lowdose.motion: worker thread stopped.'));
    const id = this.next++;
    return new Promise((resolve, reject) => {
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(id, { resolve, reject, spares });
      this.worker.postMessage({ id, call: callId, method, arg }, transfer);
    });
  }
}

class WorkerLane implements Lane {
  constructor(private readonly w: PoolWorker, private readonly callId: number, private readonly spares: Spares) {}
  call<T>(method: TaskName, arg?: unknown, transfer: ArrayBuffer[] = []): Promise<T> {
    return this.w.call(this.callId, method, arg, transfer, this.spares) as Promise<T>;
  }
}

const SCRIPT = path.join(__dirname, 'motionWorker.js');
const pool: PoolWorker[] = [];
let calls = 0;

/** Cores available to this process. */
export function coreCount(): number {
  const o = os as { availableParallelism?: () => number };
  return Math.max(1, typeof o.availableParallelism === 'function' ? o.availableParallelism() : os.cpus().length);
}

/** The lanes of one alignFrames call and their spare frame buffers. */
export interface Lanes {
  list: Lane[];
  spares: Spares;
}

/**
 * Lanes for one alignFrames call: `threads` worker lanes (capped to the cores), or one local lane
 * when threads ≤ 1 or the compiled worker script is absent. Call {@link endLanes} when done.
 */
export function lanes(threads: number): Lanes {
  const n = Math.min(Math.floor(threads), coreCount());
  const spares = new Spares(2 * n + 2);
  if (!(n > 1) || !fs.existsSync(SCRIPT)) return { list: [new LocalLane(spares)], spares };
  while (pool.length < n) {
    pool.push(
      new PoolWorker(SCRIPT, w => {
        const i = pool.indexOf(w);
        if (i >= 0) pool.splice(i, 1);
      })
    );
  }
  const id = ++calls;
  return { list: pool.slice(0, n).map(w => new WorkerLane(w, id, spares)), spares };
}

/** Frees every lane's state of this call (errors ignored: a stopped worker holds nothing). */
export async function endLanes(ls: Lanes): Promise<void> {
  await Promise.allSettled(ls.list.map(l => l.call('end')));
  ls.spares.clear();
}

/**
 * One pass over frames: frame n goes to lane n mod lanes (its buffer transferred, not copied), at
 * most two waiting per lane (memory stays bounded by a few frames); results by frame index.
 */
export async function framePass<T>(lanesOf: Lanes, frames: AsyncIterable<{ index: number; data?: Float32Array }>, method: TaskName, arg: (n: number, data?: Float32Array) => object, tick: (done: number) => Promise<void>): Promise<T[]> {
  const L = lanesOf.list;
  const out: T[] = [];
  const queues: Array<Array<Promise<void>>> = L.map(() => []);
  const all: Array<Promise<void>> = [];
  try {
    for await (const f of frames) {
      const q = queues[f.index % L.length];
      if (q.length >= 2) await q.shift();
      const p = L[f.index % L.length].call<T>(method, arg(f.index, f.data), f.data ? [f.data.buffer as ArrayBuffer] : []).then(r => {
        out[f.index] = r;
      });
      p.catch(() => undefined);
      q.push(p);
      all.push(p);
      await tick(f.index + 1);
    }
  } finally {
    await Promise.allSettled(all);
  }
  await Promise.all(all);
  return out;
}
