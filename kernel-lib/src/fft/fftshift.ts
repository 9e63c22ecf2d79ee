/**
 * fftshift / ifftshift: move the zero frequency to the centre of a spectrum and back (numpy.fft).
 */
import ndarray from 'ndarray';
import { ValueError } from '../errors';
import { ComplexArray, NdArray, isNdArray } from '../types/dataset';

/** Options of {@link fftshift} and {@link ifftshift}. */
export interface ShiftOptions {
  /** Axes to shift (negative counts from the end). Default: every axis, as numpy does. */
  axes?: number[];
}

function roll(x: NdArray, shifts: number[]): NdArray {
  const shape = x.shape.slice();
  const nd = shape.length;
  const size = shape.reduce((a, b) => a * b, 1);
  const Ctor = (x.data as unknown as { constructor: new (n: number) => NdArray['data'] }).constructor;
  const out = new Ctor(size) as NdArray['data'];
  const src = x.data;
  // destination index of source index i along axis d: (i + shift) mod n
  const idx = new Array<number>(nd).fill(0);
  const outStride = new Array<number>(nd);
  let s = 1;
  for (let d = nd - 1; d >= 0; d--) {
    outStride[d] = s;
    s *= shape[d];
  }
  const last = nd - 1;
  const nLast = shape[last], shLast = shifts[last], stLast = x.stride[last];
  for (let done = 0; done < size; done += nLast) {
    let inBase = x.offset, outBase = 0;
    for (let d = 0; d < last; d++) {
      inBase += idx[d] * x.stride[d];
      outBase += ((idx[d] + shifts[d]) % shape[d]) * outStride[d];
    }
    for (let i = 0; i < nLast; i++) {
      let j = i + shLast;
      if (j >= nLast) j -= nLast;
      out[outBase + j] = src[inBase + i * stLast];
    }
    for (let d = last - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return ndarray(out, shape);
}

function shiftImpl(x: NdArray | ComplexArray, options: ShiftOptions, inverse: boolean, fn: string): NdArray | ComplexArray {
  if (!isNdArray(x)) {
    const c = x as ComplexArray;
    if (!c || !isNdArray(c.re) || !isNdArray(c.im)) throw new ValueError(`${fn}: x must be an ndarray or {re, im}; got ${typeof x}.`);
    return { re: shiftImpl(c.re, options, inverse, fn) as NdArray, im: shiftImpl(c.im, options, inverse, fn) as NdArray };
  }
  const nd = x.shape.length;
  const axes = (options.axes ?? x.shape.map((_, i) => i)).map(a => {
    if (!Number.isInteger(a) || a < -nd || a >= nd) throw new ValueError(`${fn}: options.axes entries must be integers in [${-nd}, ${nd}); got ${a}.`);
    return a < 0 ? a + nd : a;
  });
  const shifts = x.shape.map((n, d) => (axes.includes(d) ? (inverse ? n - Math.floor(n / 2) : Math.floor(n / 2)) % n : 0));
  return roll(x, shifts);
}

/**
 * Shifts the zero-frequency element to the centre (index floor(n/2) on each axis), as numpy.fft.fftshift.
 * @param x - an ndarray, or `{re, im}` (both parts shifted).
 * @param options - `axes` to shift (default all).
 * @returns a new array (same element type) of the same shape.
 * @throws ValueError for an axis out of range.
 * @example const centred = lowdose.fft.fftshift(power);   // DC at [ny/2, nx/2]
 */
export function fftshift<T extends NdArray | ComplexArray>(x: T, options: ShiftOptions = {}): T {
  return shiftImpl(x, options, false, 'fftshift') as T;
}

/**
 * The inverse of {@link fftshift} (differs from it for odd lengths), as numpy.fft.ifftshift.
 * @example const back = lowdose.fft.ifftshift(lowdose.fft.fftshift(x));   // equals x
 */
export function ifftshift<T extends NdArray | ComplexArray>(x: T, options: ShiftOptions = {}): T {
  return shiftImpl(x, options, true, 'ifftshift') as T;
}
