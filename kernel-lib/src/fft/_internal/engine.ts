/**
 * The FFT engine: one WebAssembly instance of the core over one memory, a first-fit allocator
 * for that memory, and a cache of plans. Browser-safe; Node attaches a {@link ParallelRunner}
 * (worker threads sharing the memory) in engineNode.ts.
 */
import { WasmMemory, WasmModule, wasmApi } from './wasmApi';
import { Precision, bluesteinLength, chirp, factorize, radixTable, twiddles } from './plan';

/** Exported functions of the core (kernel-lib/assembly/fft/index.ts). */
export interface CoreExports {
  heapBase(): number;
  [fn: string]: (...args: number[]) => number | void;
}

/**
 * A pass cut into `count` chunks that threads claim as they go: the calling thread from the front,
 * worker threads from the back, so a thread that starts late (or is descheduled) takes less.
 * Chunk k covers [k·step, min((k+1)·step, end)) and is written to args[lo] and args[lo + 1].
 */
export interface ChunkedPass {
  fn: string;
  /** Arguments of thread t (its scratch); args[lo], args[lo + 1] are replaced per chunk. */
  args: (thread: number) => number[];
  lo: number;
  step: number;
  end: number;
  /** Chunks below this one only the calling thread may take (their input is not in shared memory). */
  firstShared: number;
  /** How the calling thread runs chunk k (default: fn with args(0)). */
  local?: (k: number, c0: number, c1: number) => void;
  /** Run by the calling thread after the workers are woken: prepares the shared chunks, calling ready(k) once chunks ≥ k may be taken. */
  prepare?: (ready: (k: number) => void) => void;
}

/** Runs passes on several threads at once; returns when all are done. */
export interface ParallelRunner {
  readonly threads: number;
  /** Runs a chunked pass on `threads` threads (the calling thread and threads - 1 workers). */
  runChunked(pass: ChunkedPass, threads: number): void;
}

/** A plan written into the engine's memory. */
export interface PlanRecord {
  ptr: number;
  n: number;
  /** Bytes of per-thread scratch the plan needs (generic radix temporaries, Bluestein buffers). */
  scratchBytes: number;
  /** Allocations to free with the plan. */
  blocks: number[];
}

const ALIGN = 64;
const PAGE = 65536;

/** Bytes per element of a precision. */
export function bytesOf(t: Precision): number {
  return t === 'f32' ? 4 : 8;
}

/** SIMD lanes per v128 for a precision. */
export function lanesOf(t: Precision): number {
  return t === 'f32' ? 4 : 2;
}

/** First-fit allocator over [base, memory end), growing the memory when needed. */
class Heap {
  private free: Array<{ ptr: number; size: number }> = [];
  private sizes = new Map<number, number>();
  private top: number;
  constructor(private readonly memory: WasmMemory, base: number) {
    this.top = Math.ceil(base / ALIGN) * ALIGN;
  }

  alloc(bytes: number): number {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    for (let i = 0; i < this.free.length; i++) {
      const f = this.free[i];
      if (f.size >= size) {
        const ptr = f.ptr;
        if (f.size === size) this.free.splice(i, 1);
        else {
          f.ptr += size;
          f.size -= size;
        }
        this.sizes.set(ptr, size);
        return ptr;
      }
    }
    const ptr = this.top;
    const end = ptr + size;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      try {
        this.memory.grow(pages);
      } catch {
        throw new RangeError(`lowdose.fft: cannot grow the WebAssembly memory to ${Math.ceil(end / 2 ** 20)} MiB.`);
      }
    }
    this.top = end;
    this.sizes.set(ptr, size);
    return ptr;
  }

  sizeOf(ptr: number): number {
    return this.sizes.get(ptr) ?? 0;
  }

  release(ptr: number): void {
    const size = this.sizes.get(ptr);
    if (size === undefined) return;
    this.sizes.delete(ptr);
    let i = 0;
    while (i < this.free.length && this.free[i].ptr < ptr) i++;
    this.free.splice(i, 0, { ptr, size });
    // coalesce with the next, then the previous block
    if (i + 1 < this.free.length && this.free[i].ptr + this.free[i].size === this.free[i + 1].ptr) {
      this.free[i].size += this.free[i + 1].size;
      this.free.splice(i + 1, 1);
    }
    if (i > 0 && this.free[i - 1].ptr + this.free[i - 1].size === this.free[i].ptr) {
      this.free[i - 1].size += this.free[i].size;
      this.free.splice(i, 1);
      i--;
    }
    // give the last block back to the bump pointer
    const last = this.free[this.free.length - 1];
    if (last && last.ptr + last.size === this.top) {
      this.top = last.ptr;
      this.free.pop();
    }
  }
}

/**
 * Results smaller than this are copied out rather than left as views. Copying them costs little,
 * while thousands of small blocks waiting for garbage collection fragment the heap: 64² rfft2 in a
 * loop took 38–170 µs a call, 55 % of it in the first-fit search (see the fft README, round 10).
 */
const MIN_VIEW_BYTES = 64 * 1024;

/** Batch buffers at `a` (the column pass moves this many batches together; COL_GROUP in the core). */
export const COL_GROUP = 8;

/**
 * Per-thread buffers of a call: COL_GROUP batch buffers of bs bytes at a and as many at b, plan scratch,
 * and st, the row pass's staging for 2·L rows of both half-spectrum planes.
 */
export interface ThreadScratch {
  a: number;
  bs: number;
  b: number;
  sc: number;
  st: number;
}

interface Registry {
  register(target: object, held: number): void;
}
type RegistryCtor = new (cleanup: (held: number) => void) => Registry;

/** One core instance, its memory, allocator and plans. */
export class FftEngine {
  readonly exports: CoreExports;
  parallel?: ParallelRunner;
  /**
   * Bytes of results that may stay in the core's memory as views (Node's shared memory only: a
   * plain memory's buffer is replaced when it grows). Beyond it results are copied out.
   */
  resultBudgetBytes = 0;
  private liveResultBytes = 0;
  private registry?: Registry;
  private readonly heap: Heap;
  private readonly plans = new Map<string, PlanRecord>();

  constructor(readonly module: WasmModule, readonly memory: WasmMemory) {
    const instance = new (wasmApi().Instance)(module, { env: { memory } });
    this.exports = instance.exports as unknown as CoreExports;
    this.heap = new Heap(memory, Math.max(1024, this.exports.heapBase()));
  }

  alloc(bytes: number): number {
    return this.heap.alloc(bytes);
  }

  free(...ptrs: number[]): void {
    for (const p of ptrs) this.heap.release(p);
  }

  /**
   * Hands the block at ptr over as a result: a view of the core's memory, freed when the view is
   * garbage-collected (from MIN_VIEW_BYTES up, within the result budget), or else a copy (the
   * block is freed now).
   */
  takeResult(t: Precision, ptr: number, length: number): Float32Array | Float64Array {
    const bytes = length * bytesOf(t);
    const Ctor = (globalThis as unknown as { FinalizationRegistry?: RegistryCtor }).FinalizationRegistry;
    if (Ctor && bytes >= MIN_VIEW_BYTES && this.liveResultBytes + bytes <= this.resultBudgetBytes) {
      this.registry ??= new Ctor(p => {
        this.liveResultBytes -= this.heap.sizeOf(p);
        this.heap.release(p);
      });
      const v = this.view(t, ptr, length);
      this.liveResultBytes += this.heap.sizeOf(ptr);
      this.registry.register(v, ptr);
      return v;
    }
    const out = t === 'f32' ? new Float32Array(length) : new Float64Array(length);
    out.set(this.view(t, ptr, length));
    this.heap.release(ptr);
    return out;
  }

  /** A typed view of `length` elements at `ptr` (make a new one after any allocation: memory may grow). */
  view(t: Precision, ptr: number, length: number): Float32Array | Float64Array {
    return t === 'f32' ? new Float32Array(this.memory.buffer, ptr, length) : new Float64Array(this.memory.buffer, ptr, length);
  }

  /** Threads a pass may use: `requested`, capped by the runner (1 without one). */
  threadsFor(requested: number): number {
    const max = this.parallel ? this.parallel.threads : 1;
    return Math.max(1, Math.min(requested, max));
  }

  /** Runs a chunked pass on `threads` threads (in order on this thread when there is no runner or threads is 1). */
  runChunked(pass: ChunkedPass, threads: number): void {
    if (threads > 1 && this.parallel) {
      this.parallel.runChunked(pass, threads);
      return;
    }
    pass.prepare?.(() => undefined);
    if (pass.local) runChunksLocally(this, pass, 0, Math.ceil(pass.end / pass.step));
    else {
      const args = pass.args(0);
      args[pass.lo] = 0;
      args[pass.lo + 1] = pass.end;
      this.exports[pass.fn](...args);
    }
  }

  /** Allocates per-thread scratch for transforms of length ≤ maxN with plans needing scBytes. */
  scratch(threads: number, maxN: number, scBytes: number): ThreadScratch[] {
    const out: ThreadScratch[] = [];
    const buf = (maxN + 4) * 32;
    // 16 rows (f32; 8 of f64) of (maxN/2 + 1) elements, each row padded by up to 127 bytes
    const st = 16 * (Math.floor(maxN / 2 + 1) * 4 + 128);
    for (let t = 0; t < threads; t++) {
      out.push({ a: this.alloc(COL_GROUP * buf), bs: buf, b: this.alloc(COL_GROUP * buf), sc: this.alloc(Math.max(512, scBytes)), st: this.alloc(st) });
    }
    return out;
  }

  freeScratch(s: ThreadScratch[]): void {
    for (const t of s) this.free(t.a, t.b, t.sc, t.st);
  }

  /** The plan of a length-n complex FFT in precision t (cached for the engine's lifetime). */
  plan(t: Precision, n: number): PlanRecord {
    const key = `${t}:${n}`;
    let p = this.plans.get(key);
    if (!p) {
      p = this.buildPlan(t, n);
      this.plans.set(key, p);
    }
    return p;
  }

  private writeFloats(t: Precision, values: Float64Array): number {
    const ptr = this.alloc(values.length * bytesOf(t));
    this.view(t, ptr, values.length).set(values);
    return ptr;
  }

  private buildPlan(t: Precision, n: number): PlanRecord {
    const m = bluesteinLength(n);
    if (m > 0) return this.buildBluestein(t, n, m);
    const factors = factorize(n);
    const blocks: number[] = [];
    const ptr = this.alloc(32 + 16 * factors.length);
    blocks.push(ptr);
    const words: number[] = [0, n, factors.length, 0, 0, 0, 0, 0];
    let l1 = 1;
    let scratchBytes = 0;
    for (const ip of factors) {
      const ido = n / (l1 * ip);
      let tw = 0;
      if (ido > 1) {
        tw = this.writeFloats(t, twiddles(n, ip, l1));
        blocks.push(tw);
      }
      let cs = 0;
      // radix 16 keeps its middle stage (two butterflies) in 32 elements of scratch
      if (ip === 16) scratchBytes = Math.max(scratchBytes, 32 * 32);
      // radix 3 then 5 (ido 5, 1) run fused through 30 elements of scratch (core's pass35)
      else if (ip === 3) scratchBytes = Math.max(scratchBytes, 30 * 32);
      else if (ip > 5) {
        cs = this.writeFloats(t, radixTable(ip));
        blocks.push(cs);
        scratchBytes = Math.max(scratchBytes, 2 * ip * 32);
      }
      words.push(ip, tw, cs, 0);
      l1 *= ip;
    }
    new Int32Array(this.memory.buffer, ptr, words.length).set(words);
    return { ptr, n, scratchBytes, blocks };
  }

  private buildBluestein(t: Precision, n: number, m: number): PlanRecord {
    const sub = this.plan(t, m);
    const w = chirp(n);
    // b_j = conj(w_j) at j and m - j; its FFT (in f64) divided by m
    const sub64 = this.plan('f64', m);
    const [s] = this.scratch(1, m, sub64.scratchBytes);
    let bh: Float64Array;
    try {
      const a = new Float64Array(this.memory.buffer, s.a, 4 * m);
      a.fill(0);
      for (let j = 0; j < n; j++) {
        for (const k of j === 0 ? [0] : [j, m - j]) {
          a[4 * k] = a[4 * k + 1] = w[2 * j];
          a[4 * k + 2] = a[4 * k + 3] = -w[2 * j + 1];
        }
      }
      const r = this.exports.batch_f64(sub64.ptr, s.a, s.b, s.sc) as number;
      const z = new Float64Array(this.memory.buffer, r, 4 * m);
      bh = new Float64Array(2 * m);
      for (let k = 0; k < m; k++) {
        bh[2 * k] = z[4 * k] / m;
        bh[2 * k + 1] = z[4 * k + 2] / m;
      }
    } finally {
      this.freeScratch([s]);
    }
    const wp = this.writeFloats(t, w);
    const bp = this.writeFloats(t, bh);
    const ptr = this.alloc(32);
    new Int32Array(this.memory.buffer, ptr, 8).set([1, n, m, sub.ptr, wp, bp, 0, 0]);
    return { ptr, n, scratchBytes: 2 * m * 32 + sub.scratchBytes, blocks: [ptr, wp, bp] };
  }
}

/** Runs chunks k0…k1-1 of a chunked pass on the calling thread. */
export function runChunksLocally(eng: FftEngine, pass: ChunkedPass, k0: number, k1: number): void {
  const args = pass.local ? [] : pass.args(0);
  for (let k = k0; k < k1; k++) {
    const c0 = k * pass.step, c1 = Math.min(c0 + pass.step, pass.end);
    if (pass.local) pass.local(k, c0, c1);
    else {
      args[pass.lo] = c0;
      args[pass.lo + 1] = c1;
      eng.exports[pass.fn](...args);
    }
  }
}

/** Splits [0, count) into ≤ parts ranges whose boundaries are multiples of align. */
export function splitRange(count: number, parts: number, align: number): Array<[number, number]> {
  const blocks = Math.ceil(count / align);
  const p = Math.max(1, Math.min(parts, blocks));
  const out: Array<[number, number]> = [];
  let start = 0;
  for (let i = 0; i < p; i++) {
    const endBlock = Math.round(((i + 1) * blocks) / p);
    const end = Math.min(count, endBlock * align);
    if (end > start) out.push([start, end]);
    start = end;
  }
  return out;
}

/**
 * Splits [0, count) into ranges in proportion to weights (one per part), boundaries at multiples
 * of align; parts that would be empty are dropped from the end.
 */
export function splitWeighted(count: number, weights: number[], align: number): Array<[number, number]> {
  const blocks = Math.ceil(count / align);
  const total = weights.reduce((a, b) => a + b, 0);
  const out: Array<[number, number]> = [];
  let start = 0;
  let acc = 0;
  for (let i = 0; i < weights.length && start < count; i++) {
    acc += weights[i];
    const endBlock = i === weights.length - 1 ? blocks : Math.round((acc * blocks) / total);
    const end = Math.min(count, endBlock * align);
    if (end > start) out.push([start, end]);
    start = Math.max(start, end);
  }
  return out;
}

/** Precision of the factor list (for tests and docs). */
export function describePlan(n: number): { factors: number[]; bluesteinLength: number } {
  const m = bluesteinLength(n);
  return { factors: m > 0 ? factorize(m) : factorize(n), bluesteinLength: m };
}
