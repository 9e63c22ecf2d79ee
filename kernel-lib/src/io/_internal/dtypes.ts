import { NumericArray } from '../../types/dataset';

/** Element types readers meet in files, before widening. */
export type FileDtype =
  | 'bool'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float16'
  | 'float32'
  | 'float64'
  | 'complex64'
  | 'complex128';

export const DTYPE_BYTES: { [d in FileDtype]: number } = {
  bool: 1,
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  uint64: 8,
  float16: 2,
  float32: 4,
  float64: 8,
  complex64: 8,
  complex128: 16
};

/** The dtype lowdose returns for a file dtype: float16 → float32, (u)int64 → float64, bool → uint8. */
export function widenedDtype(d: FileDtype): string {
  if (d === 'float16') return 'float32';
  if (d === 'int64' || d === 'uint64') return 'float64';
  if (d === 'bool') return 'uint8';
  if (d === 'complex64') return 'float32';
  if (d === 'complex128') return 'float64';
  return d;
}

/**
 * Decodes `count` elements of `dtype` from `bytes` (any alignment, either endianness) into a fresh
 * typed array, widening float16 and 64-bit integers. Complex types return interleaved re/im pairs
 * (2·count values) — split them with {@link splitComplex}.
 */
export function decodeElements(bytes: Uint8Array, dtype: FileDtype, count: number, littleEndian: boolean): NumericArray {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = dtype === 'complex64' || dtype === 'complex128' ? 2 * count : count;
  switch (dtype) {
    case 'uint8':
      return bytes.slice(0, count);
    case 'bool': {
      const out = new Uint8Array(count);
      for (let i = 0; i < count; i++) out[i] = bytes[i] ? 1 : 0;
      return out;
    }
    case 'int8':
      return new Int8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + count));
    case 'int16': {
      const out = new Int16Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt16(2 * i, littleEndian);
      return out;
    }
    case 'uint16': {
      const out = new Uint16Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getUint16(2 * i, littleEndian);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(4 * i, littleEndian);
      return out;
    }
    case 'uint32': {
      const out = new Uint32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getUint32(4 * i, littleEndian);
      return out;
    }
    case 'int64': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = Number(view.getBigInt64(8 * i, littleEndian));
      return out;
    }
    case 'uint64': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = Number(view.getBigUint64(8 * i, littleEndian));
      return out;
    }
    case 'float16': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(2 * i, littleEndian));
      return out;
    }
    case 'float32':
    case 'complex64': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, littleEndian);
      return out;
    }
    case 'float64':
    case 'complex128': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, littleEndian);
      return out;
    }
  }
}

/** Splits interleaved complex values into separate real and imaginary arrays. */
export function splitComplex(interleaved: Float32Array | Float64Array): { re: Float32Array | Float64Array; im: Float32Array | Float64Array } {
  const n = interleaved.length / 2;
  const Ctor = interleaved instanceof Float32Array ? Float32Array : Float64Array;
  const re = new Ctor(n);
  const im = new Ctor(n);
  for (let i = 0; i < n; i++) {
    re[i] = interleaved[2 * i];
    im[i] = interleaved[2 * i + 1];
  }
  return { re, im };
}

/** IEEE 754 half precision → number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * Math.pow(2, -14) * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * Math.pow(2, exponent - 15) * (1 + fraction / 1024);
}
