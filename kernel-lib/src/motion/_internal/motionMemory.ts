/**
 * Node-only: the memory alignFrames' threads share for the drift stage — the frames' alignment
 * spectra, the pass reference and per-lane scratch — as one shared WebAssembly.Memory, so that the
 * FFT core's kernels (assembly/fft/frameSums.ts) run on them in place from any thread (each thread
 * instantiates the core over it: fft/_internal/engineNode.coreOn). JavaScript reads the same bytes
 * through typed arrays on memory.buffer (a SharedArrayBuffer). Sized once; never grows.
 */
import { CoreExports } from '../../fft/_internal/engine';
import { coreOn } from '../../fft/_internal/engineNode';
import { WasmMemory, wasmApi } from '../../fft/_internal/wasmApi';

const PAGE = 65536;
const ALIGN = 64;
let heapBase: number | undefined;

/** Where the core's static data ends (asked once, of a throwaway instance). */
function coreHeapBase(): number {
  heapBase ??= Number(coreOn(new (wasmApi().Memory)({ initial: 17, maximum: 17, shared: true })).heapBase());
  return heapBase;
}

/** Bump allocation of the regions of one alignFrames call (byte offsets). */
export class MotionMemory {
  readonly memory: WasmMemory;
  readonly core: CoreExports;
  private top: number;
  private readonly end: number;

  /** A memory with room for `bytes` of regions (each padded to 64 bytes: count them with {@link MotionMemory.padded}). */
  constructor(bytes: number) {
    // the core's static data lies below its heap base
    const base = Math.ceil(coreHeapBase() / ALIGN) * ALIGN;
    // (at least the 17 pages the core declares as its initial memory)
    const pages = Math.max(17, Math.ceil((base + bytes) / PAGE));
    this.memory = new (wasmApi().Memory)({ initial: pages, maximum: pages, shared: true });
    this.core = coreOn(this.memory);
    this.top = base;
    this.end = pages * PAGE;
  }

  static padded(bytes: number): number {
    return Math.ceil(bytes / ALIGN) * ALIGN;
  }

  /** A zeroed region of `bytes` (64-byte aligned); returns its byte offset. */
  alloc(bytes: number): number {
    const at = this.top;
    if (at + bytes > this.end) throw new Error(`lowdose.motion: shared memory of ${this.end} bytes is too small for another ${bytes}.`);
    this.top = at + MotionMemory.padded(bytes);
    return at;
  }

  f32(offset: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, offset, length);
  }

  f64(offset: number, length: number): Float64Array {
    return new Float64Array(this.memory.buffer, offset, length);
  }
}

/** The drift stage's regions of the shared memory: the pass reference R (re then im, float64) and Σ|S|² (float64). */
export interface DriftMemory {
  memory: WasmMemory;
  reference: number;
  pInc: number;
}
