// Builds a LazySource (frame / frames / pattern / readAll / close) from a function that reads a
// range of frames, so every streaming reader shares one implementation of the bookkeeping.
import ndarray from 'ndarray';
import { ValueError } from '../../errors';
import { Axis, Dataset, dtypeOf, Metadata, NdArray, NumericArray } from '../../types/dataset';
import { LazySource } from '../types';
import { copyTyped, denseRange, sizeOf } from './ndDense';

/** What a format supplies to {@link makeLazySource}. */
export interface FrameReader {
  /** Label for error messages (the file path). */
  name: string;
  shape: number[];
  axes: Axis[];
  metadata: Metadata;
  dtype: string;
  /** How many trailing axes make one frame (2, or 3 for RGB). */
  frameDims: number;
  /** True for a 4D-STEM scan (then `pattern(row, col)` exists). */
  scan?: boolean;
  /** Reads `count` consecutive frames from flat frame index `start`, in C order. */
  read(start: number, count: number): Promise<{ data: NumericArray; imag?: NumericArray }>;
  /** Extra metadata of one frame (per-frame extended-header records, …). */
  frameMetadata?(index: number): Metadata;
  close(): Promise<void>;
}

function isIndex(i: unknown, n: number): i is number {
  return typeof i === 'number' && Number.isInteger(i) && i >= 0 && i < n;
}

/** Wraps a {@link FrameReader} as a {@link LazySource}. */
export function makeLazySource(r: FrameReader): LazySource {
  const lead = r.shape.slice(0, r.shape.length - r.frameDims);
  const frameShape = r.shape.slice(r.shape.length - r.frameDims);
  const frameAxes = r.axes.slice(r.axes.length - r.frameDims);
  const frameCount = sizeOf(lead);
  let closed = false;
  const guard = (fn: string) => {
    if (closed) throw new ValueError(`LazySource.${fn}: the source of ${r.name} must be open; got a closed source. Call io.open() again.`);
  };
  const wrap = (data: NumericArray, imag: NumericArray | undefined, shape: number[], axes: Axis[], metadata: Metadata): Dataset => {
    const ds: Dataset = { data: ndarray(data, shape) as NdArray, axes, metadata };
    if (imag) ds.imag = ndarray(imag, shape) as NdArray;
    return ds;
  };
  const chunkAxis = (start: number, n: number): Axis => {
    if (lead.length === 1) {
      const a = r.axes[0];
      return { ...a, size: n, offset: a.offset + start * a.scale };
    }
    return { name: 'frame', size: n, scale: 1, offset: start, units: '' };
  };
  const source: LazySource = {
    shape: [...r.shape],
    axes: r.axes.map(a => ({ ...a })),
    metadata: r.metadata,
    dtype: r.dtype,
    frameCount,
    async frame(index: number): Promise<Dataset> {
      guard('frame');
      if (!isIndex(index, frameCount)) {
        throw new ValueError(`LazySource.frame: index must be an integer in 0..${frameCount - 1}; got ${index}.`);
      }
      const { data, imag } = await r.read(index, 1);
      const md = { ...r.metadata, frameIndex: index, ...(r.frameMetadata?.(index) ?? {}) };
      return wrap(data, imag, frameShape, frameAxes.map(a => ({ ...a })), md);
    },
    frames(options: { chunkSize?: number; start?: number; stop?: number } = {}): AsyncIterableIterator<Dataset> {
      const start = options.start ?? 0;
      const stop = options.stop ?? frameCount;
      const chunk = options.chunkSize;
      if (!(Number.isInteger(start) && start >= 0 && start <= frameCount)) {
        throw new ValueError(`LazySource.frames: start must be an integer in 0..${frameCount}; got ${start}.`);
      }
      if (!(Number.isInteger(stop) && stop >= start && stop <= frameCount)) {
        throw new ValueError(`LazySource.frames: stop must be an integer in ${start}..${frameCount}; got ${stop}.`);
      }
      if (chunk !== undefined && !(Number.isInteger(chunk) && chunk >= 1)) {
        throw new ValueError(`LazySource.frames: chunkSize must be a positive integer; got ${chunk}.`);
      }
      async function* gen(): AsyncGenerator<Dataset> {
        for (let i = start; i < stop; i += chunk ?? 1) {
          if (chunk === undefined) {
            yield await source.frame(i);
            continue;
          }
          guard('frames');
          const n = Math.min(chunk, stop - i);
          const { data, imag } = await r.read(i, n);
          const axes = [chunkAxis(i, n), ...frameAxes.map(a => ({ ...a }))];
          yield wrap(data, imag, [n, ...frameShape], axes, { ...r.metadata, frameIndex: i });
        }
      }
      return gen();
    },
    async readAll(): Promise<Dataset> {
      guard('readAll');
      const { data, imag } = await r.read(0, frameCount);
      return wrap(data, imag, [...r.shape], r.axes.map(a => ({ ...a })), { ...r.metadata });
    },
    async close(): Promise<void> {
      if (!closed) {
        closed = true;
        await r.close();
      }
    }
  };
  if (r.scan && lead.length === 2) {
    source.pattern = async (row: number, col: number) => {
      if (!isIndex(row, lead[0]) || !isIndex(col, lead[1])) {
        throw new ValueError(`LazySource.pattern: (row, col) must be integers inside ${lead[0]}×${lead[1]}; got (${row}, ${col}).`);
      }
      return source.frame(row * lead[1] + col);
    };
  }
  return source;
}

/** True for a trailing colour axis (RGB(A) images carry a last axis of 3 or 4 named so). */
export function hasColourAxis(ds: { axes: Axis[]; data: NdArray }): boolean {
  const last = ds.axes[ds.axes.length - 1];
  const n = ds.data.shape.length;
  return n >= 3 && !!last && /^(rgb|rgba|channel|colou?r)$/i.test(last.name) && (last.size === 3 || last.size === 4);
}

/** A LazySource over a Dataset already in memory (formats without streaming). */
export function lazyFromDataset(ds: Dataset, name: string): LazySource {
  const shape = ds.data.shape.slice();
  const frameDims = Math.min(shape.length, hasColourAxis(ds) ? 3 : 2);
  const per = sizeOf(shape.slice(shape.length - frameDims));
  return makeLazySource({
    name,
    shape,
    axes: ds.axes,
    metadata: ds.metadata,
    dtype: dtypeOf(ds.data),
    frameDims,
    scan: shape.length === 4 && frameDims === 2,
    async read(start, count) {
      return {
        data: copyTyped(denseRange(ds.data, start * per, count * per)),
        imag: ds.imag ? copyTyped(denseRange(ds.imag, start * per, count * per)) : undefined
      };
    },
    async close() {
      /* nothing to release */
    }
  });
}
