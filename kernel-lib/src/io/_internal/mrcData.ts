// Decoding of MRC voxel data, mode by mode, into lowdose's typed arrays.
import { NumericArray } from '../../types/dataset';
import { decodeElements, FileDtype, splitComplex } from './dtypes';
import { IMOD_STAMP, MrcHeader } from './mrcHeader';

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Mode-0 signedness. MRC2014 says signed; IMOD before 4.2.23 wrote unsigned bytes and since then
 * marks signed ones with bit 0 of imodFlags, so an IMOD-stamped file without that bit is unsigned.
 */
export function modeZeroSigned(h: MrcHeader): boolean {
  return h.imodStamp === IMOD_STAMP ? (h.imodFlags & 1) === 1 : true;
}

/** numpy-style name of the file's element type for `metadata.sourceDtype`. */
export function mrcSourceDtype(h: MrcHeader): string {
  const e = h.littleEndian ? '<' : '>';
  switch (h.mode) {
    case 0:
      return modeZeroSigned(h) ? 'int8' : 'uint8';
    case 1:
      return `${e}i2`;
    case 2:
      return `${e}f4`;
    case 3:
      return `complex int16 (${e}i2 pairs)`;
    case 4:
      return `${e}c8`;
    case 6:
      return `${e}u2`;
    case 12:
      return `${e}f2`;
    case 16:
      return 'rgb uint8';
    default:
      return 'uint4 (packed)';
  }
}

/** dtype of the returned arrays (after widening) for a header. */
export function mrcOutputDtype(h: MrcHeader): string {
  switch (h.mode) {
    case 0:
      return modeZeroSigned(h) ? 'int8' : 'uint8';
    case 1:
      return 'int16';
    case 6:
      return 'uint16';
    case 16:
    case 101:
      return 'uint8';
    default:
      return 'float32';
  }
}

function fastOrDecode(bytes: Uint8Array, dtype: FileDtype, count: number, le: boolean): NumericArray {
  if (le === HOST_LITTLE_ENDIAN && dtype !== 'float16') {
    // a fresh Uint8Array copy (Buffer.slice would return a view into Node's shared pool)
    const copy = new Uint8Array(bytes).buffer;
    if (dtype === 'int16') return new Int16Array(copy, 0, count);
    if (dtype === 'uint16') return new Uint16Array(copy, 0, count);
    if (dtype === 'float32') return new Float32Array(copy, 0, count);
    if (dtype === 'complex64') return new Float32Array(copy, 0, 2 * count);
  }
  return decodeElements(bytes, dtype, count, le);
}

/**
 * Decodes `sections` whole sections of voxels from `bytes` (their raw file bytes).
 * Complex modes return the real part in `data` and the imaginary part in `imag` (float32).
 */
export function decodeMrcSections(h: MrcHeader, bytes: Uint8Array, sections: number): { data: NumericArray; imag?: Float32Array } {
  const count = h.nx * h.ny * sections;
  const le = h.littleEndian;
  switch (h.mode) {
    case 0:
      return { data: modeZeroSigned(h) ? new Int8Array(new Uint8Array(bytes.subarray(0, count)).buffer) : new Uint8Array(bytes.subarray(0, count)) };
    case 1:
      return { data: fastOrDecode(bytes, 'int16', count, le) };
    case 2:
      return { data: fastOrDecode(bytes, 'float32', count, le) };
    case 6:
      return { data: fastOrDecode(bytes, 'uint16', count, le) };
    case 12:
      return { data: decodeElements(bytes, 'float16', count, le) };
    case 4: {
      const { re, im } = splitComplex(fastOrDecode(bytes, 'complex64', count, le) as Float32Array);
      return { data: re, imag: im as Float32Array };
    }
    case 3: {
      const pairs = fastOrDecode(bytes, 'int16', 2 * count, le);
      const re = new Float32Array(count);
      const im = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        re[i] = pairs[2 * i];
        im[i] = pairs[2 * i + 1];
      }
      return { data: re, imag: im };
    }
    case 16:
      return { data: new Uint8Array(bytes.subarray(0, 3 * count)) };
    default: {
      // Mode 101: two 4-bit voxels per byte, first voxel in the low nibble, rows padded to a byte.
      const out = new Uint8Array(count);
      const rowBytes = Math.ceil(h.nx / 2);
      const rows = h.ny * sections;
      for (let r = 0, k = 0; r < rows; r++) {
        const base = r * rowBytes;
        for (let x = 0; x < h.nx; x++) {
          const b = bytes[base + (x >> 1)];
          out[k++] = x & 1 ? b >> 4 : b & 0x0f;
        }
      }
      return { data: out };
    }
  }
}
