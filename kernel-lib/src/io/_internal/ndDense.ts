// Row-major (C-order) access to any-strided ndarrays, in bounded chunks.
import { NdArray, NumericArray } from '../../types/dataset';

type TypedCtor = { new (n: number): NumericArray };

/** True when the ndarray's elements are its typed array's [offset, offset + size) in C order. */
export function isCContiguous(a: NdArray): boolean {
  let expected = 1;
  for (let d = a.shape.length - 1; d >= 0; d--) {
    if (a.shape[d] !== 1 && a.stride[d] !== expected) return false;
    expected *= a.shape[d];
  }
  return true;
}

/** Number of elements (product of the shape; 1 for a 0-d array). */
export function sizeOf(shape: number[]): number {
  return shape.reduce((p, s) => p * s, 1);
}

/**
 * Elements [start, start + count) of `a` in C order, as a typed array of the same type (a view
 * when the array is contiguous, a copy otherwise).
 */
export function denseRange(a: NdArray, start: number, count: number): NumericArray {
  const data = a.data as NumericArray;
  if (isCContiguous(a)) return data.subarray(a.offset + start, a.offset + start + count);
  const out = new (data.constructor as TypedCtor)(count);
  const nd = a.shape.length;
  const idx = new Array<number>(nd).fill(0);
  let rem = start;
  for (let d = nd - 1; d >= 0; d--) {
    idx[d] = rem % a.shape[d];
    rem = Math.floor(rem / a.shape[d]);
  }
  let ptr = a.offset;
  for (let d = 0; d < nd; d++) ptr += idx[d] * a.stride[d];
  for (let k = 0; k < count; k++) {
    out[k] = data[ptr];
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]++;
      ptr += a.stride[d];
      if (idx[d] < a.shape[d] || d === 0) break;
      ptr -= idx[d] * a.stride[d];
      idx[d] = 0;
    }
  }
  return out;
}

/** Yields `a` in C order in chunks of at most `chunkElements` elements. */
export function* denseChunks(a: NdArray, chunkElements: number): Generator<NumericArray> {
  const total = sizeOf(a.shape);
  for (let s = 0; s < total; s += chunkElements) yield denseRange(a, s, Math.min(chunkElements, total - s));
}

/** A copy with its own buffer (also for Node Buffers, whose slice() is a view into a shared pool). */
export function copyTyped(a: NumericArray): NumericArray {
  return a instanceof Uint8Array && a.constructor !== Uint8Array ? new Uint8Array(a) : a.slice();
}
