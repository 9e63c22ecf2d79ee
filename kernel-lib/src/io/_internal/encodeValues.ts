// Encoding of numbers into file element types (either byte order), with range checks so a writer
// never silently wraps an integer; float16 rounds to nearest even like numpy.
import { ValueError } from '../../errors';
import { NumericArray } from '../../types/dataset';

export type OutType = 'bool' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'float16' | 'float32' | 'float64';

export const OUT_BYTES: { [t in OutType]: number } = {
  bool: 1, int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8, float16: 2, float32: 4, float64: 8
};

const INT_RANGE: { [t: string]: [number, number] } = {
  int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], uint16: [0, 65535],
  int32: [-(2 ** 31), 2 ** 31 - 1], uint32: [0, 2 ** 32 - 1],
  int64: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER], uint64: [0, Number.MAX_SAFE_INTEGER]
};

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** number → IEEE 754 half bits, rounding to nearest even (overflow → ±Inf, NaN kept). */
export function floatToHalf(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1))) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++;
  e = h >>> 10;
  return sign | (e >= 0x1f ? 0x7c00 : h);
}

/** True when every value is an integer inside the type's range (for picking a file type). */
export function fitsInteger(values: ArrayLike<number>, t: OutType): boolean {
  const [lo, hi] = INT_RANGE[t];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= lo && v <= hi && Number.isInteger(v))) return false;
  }
  return true;
}

/**
 * Encodes `values` as `t` in the given byte order into `out` at byte `offset`.
 * @throws ValueError naming `caller` when a value does not fit an integer type.
 */
export function encodeInto(
  values: ArrayLike<number>,
  t: OutType,
  littleEndian: boolean,
  out: Uint8Array,
  offset: number,
  stride = OUT_BYTES[t],
  caller = 'write',
  firstIndex = 0
): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const range = INT_RANGE[t];
  for (let i = 0, o = offset; i < values.length; i++, o += stride) {
    const v = values[i];
    if (range && !(v >= range[0] && v <= range[1] && Number.isInteger(v))) {
      throw new ValueError(`${caller}: data must be integers in [${range[0]}, ${range[1]}] to be stored as ${t}; got ${v} at element ${firstIndex + i}. Choose a wider type.`);
    }
    switch (t) {
      case 'bool':
        view.setUint8(o, v ? 1 : 0);
        break;
      case 'int8':
        view.setInt8(o, v);
        break;
      case 'uint8':
        view.setUint8(o, v);
        break;
      case 'int16':
        view.setInt16(o, v, littleEndian);
        break;
      case 'uint16':
        view.setUint16(o, v, littleEndian);
        break;
      case 'int32':
        view.setInt32(o, v, littleEndian);
        break;
      case 'uint32':
        view.setUint32(o, v, littleEndian);
        break;
      case 'int64':
        view.setBigInt64(o, BigInt(v), littleEndian);
        break;
      case 'uint64':
        view.setBigUint64(o, BigInt(v), littleEndian);
        break;
      case 'float16':
        view.setUint16(o, floatToHalf(v), littleEndian);
        break;
      case 'float32':
        view.setFloat32(o, v, littleEndian);
        break;
      case 'float64':
        view.setFloat64(o, v, littleEndian);
        break;
    }
  }
}

/** Encodes one chunk (with an optional imaginary part interleaved after each real value). */
export function encodeChunk(re: NumericArray, im: NumericArray | undefined, t: OutType, littleEndian: boolean, caller: string, firstIndex = 0): Uint8Array {
  const b = OUT_BYTES[t];
  const out = new Uint8Array(re.length * b * (im ? 2 : 1));
  if (!im) encodeInto(re, t, littleEndian, out, 0, b, caller, firstIndex);
  else {
    encodeInto(re, t, littleEndian, out, 0, 2 * b, caller, firstIndex);
    encodeInto(im, t, littleEndian, out, b, 2 * b, caller, firstIndex);
  }
  return out;
}

/** The value a number becomes once stored as `t` (float32/float16 rounding). */
export function storedValue(v: number, t: OutType): number {
  if (t === 'float32') return Math.fround(v);
  if (t === 'float16') return halfBitsToNumber(floatToHalf(v));
  if (t === 'bool') return v ? 1 : 0;
  return v;
}

function halfBitsToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}
