/**
 * One way to walk the frames of an in-memory stack (ndarray or Dataset `[frame, row, col]`) or of a
 * lazy source (`io.open`), a chunk at a time, as dense float32 frames; plus the calibration found
 * on it, cooperative yielding, cancellation and in-place progress reports.
 */
import { copyFloats } from '../../fft/_internal/copyFloats';
import { ShapeError, ValueError } from '../../errors';
import type { LazySource } from '../../io/types';
import { Axis, Dataset, Metadata, NdArray, isDataset, isNdArray } from '../../types/dataset';

export interface FrameSource {
  frameCount: number;
  rows: number;
  cols: number;
  /** Axes of one frame ([y, x]) as found (index axes when the input had none). */
  axes: Axis[];
  metadata: Metadata;
  /** Pixel size in Å from the axes (Å or nm) or `metadata.pixelSizeA`; undefined when unknown. */
  pixelSizeA?: number;
  /** Frames in order, as dense float32 copies (rows·cols), into buffers from `take` when it gives one. */
  frames(chunkSize: number, take?: () => Float32Array | undefined): AsyncGenerator<{ index: number; data: Float32Array }>;
  /** In-memory float32 stacks with contiguous frames: frame i itself (a view, no copy; do not modify it). */
  view?(index: number): Float32Array;
}

function isLazy(x: unknown): x is LazySource {
  const s = x as LazySource;
  return typeof x === 'object' && x !== null && typeof s.frames === 'function' && typeof s.frame === 'function' && Array.isArray(s.shape);
}

function pixelSizeOf(axes: Axis[], metadata: Metadata): number | undefined {
  const x = axes[axes.length - 1];
  if (x && x.units === 'A' && x.scale > 0) return x.scale;
  if (x && x.units === 'nm' && x.scale > 0) return x.scale * 10;
  const p = metadata.pixelSizeA;
  return typeof p === 'number' && p > 0 && Number.isFinite(p) ? p : undefined;
}

/** Copies frame f of a 3D ndarray into a dense float32 array. */
function copyFrame(a: NdArray, f: number, out: Float32Array): void {
  const [, rows, cols] = a.shape;
  const [s0, s1, s2] = a.stride;
  const d = a.data;
  if (s2 === 1 && s1 === cols && typeof (d as { subarray?: unknown }).subarray === 'function') {
    const start = a.offset + f * s0;
    copyFloats(out, (d as Float32Array).subarray(start, start + rows * cols));
    return;
  }
  let k = 0;
  for (let r = 0; r < rows; r++) {
    let idx = a.offset + f * s0 + r * s1;
    for (let c = 0; c < cols; c++, idx += s2) out[k++] = d[idx];
  }
}

/** Wraps a stack or lazy source; throws ShapeError unless it is `[frame, row, col]` with ≥ 1 frame. */
export function frameSource(input: Dataset | NdArray | LazySource, fn: string): FrameSource {
  if (isLazy(input)) {
    const shape = input.shape;
    if (shape.length !== 3) throw new ShapeError(`${fn}: stack must be a movie [frame, row, col]; got a source of shape [${shape}].`);
    const [frameCount, rows, cols] = shape;
    const axes = input.axes.slice(-2);
    return {
      frameCount,
      rows,
      cols,
      axes,
      metadata: input.metadata,
      pixelSizeA: pixelSizeOf(axes, input.metadata),
      async *frames(chunkSize: number, take?: () => Float32Array | undefined) {
        let index = 0;
        for await (const chunk of input.frames({ chunkSize })) {
          const a = chunk.data;
          const n = a.shape.length === 3 ? a.shape[0] : 1;
          for (let f = 0; f < n; f++) {
            const out = take?.() ?? new Float32Array(rows * cols);
            if (a.shape.length === 3) copyFrame(a, f, out);
            else for (let r = 0, k = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[k++] = a.get(r, c);
            yield { index: index++, data: out };
          }
        }
      }
    };
  }
  const ds = isDataset(input) ? input : null;
  const a = ds ? ds.data : input;
  if (!isNdArray(a)) throw new ValueError(`${fn}: stack must be an ndarray or Dataset [frame, row, col], or a LazySource from io.open; got ${typeof input}.`);
  if (a.shape.length !== 3 || a.shape.some(s => !(s >= 1))) {
    throw new ShapeError(`${fn}: stack must be 3D [frame, row, col] with at least one frame; got shape [${a.shape}].`);
  }
  const [frameCount, rows, cols] = a.shape;
  const axes: Axis[] = ds
    ? ds.axes.slice(-2)
    : [
        { name: 'y', size: rows, scale: 1, offset: 0, units: '' },
        { name: 'x', size: cols, scale: 1, offset: 0, units: '' }
      ];
  const metadata = ds ? ds.metadata : {};
  const [s0, s1, s2] = a.stride;
  const contiguous = a.data instanceof Float32Array && s2 === 1 && s1 === cols && s0 === rows * cols;
  return {
    ...(contiguous ? { view: (f: number) => (a.data as Float32Array).subarray(a.offset + f * s0, a.offset + f * s0 + rows * cols) } : {}),
    frameCount,
    rows,
    cols,
    axes,
    metadata,
    pixelSizeA: pixelSizeOf(axes, metadata),
    async *frames(_chunkSize: number, take?: () => Float32Array | undefined) {
      for (let f = 0; f < frameCount; f++) {
        const out = take?.() ?? new Float32Array(rows * cols);
        copyFrame(a, f, out);
        yield { index: f, data: out };
      }
    }
  };
}

/** Lets the event loop run (a macrotask): the kernel's Interrupt, timers and I/O get their turn. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise(resolve => {
    const g = globalThis as { setImmediate?: (cb: () => void) => void };
    if (typeof g.setImmediate === 'function') g.setImmediate(resolve);
    else setTimeout(resolve, 0);
  });
}

/** Throws the signal's reason (an AbortError) when it is aborted. */
export function checkAbort(signal: AbortSignal | undefined, fn: string): void {
  if (signal?.aborted) {
    const reason = (signal as { reason?: unknown }).reason;
    if (reason instanceof Error) throw reason;
    const e = new Error(`${fn}: aborted.`);
    e.name = 'AbortError';
    throw e;
  }
}
