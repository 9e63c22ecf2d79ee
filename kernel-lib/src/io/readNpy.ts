import ndarray from 'ndarray';
import { FormatError, ValueError } from '../errors';
import { Dataset, makeDataset, Metadata, NdArray, NumericArray } from '../types/dataset';
import { ByteSource, openByteSource } from './_internal/byteSource';
import { decodeElements, DTYPE_BYTES, splitComplex, widenedDtype } from './_internal/dtypes';
import { makeLazySource } from './_internal/lazySource';
import { copyTyped, denseRange, sizeOf } from './_internal/ndDense';
import { hasNpyMagic, NpyHeader, parseNpyHeader } from './_internal/npyHeader';
import { selectSignal } from './_internal/selectSignal';
import { FormatHandler } from './formats';
import { LazySource, PathOrBytes, ReadOptions } from './types';

const CHUNK_BYTES = 64 * 2 ** 20;
const MAX_ARRAY_BYTES = 2 ** 32 - 1;

const CTORS = {
  int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array,
  uint32: Uint32Array, float32: Float32Array, float64: Float64Array
};

interface NpyFile {
  src: ByteSource;
  header: NpyHeader;
  metadata: Metadata;
}

async function parseNpy(src: ByteSource): Promise<NpyFile> {
  const header = await parseNpyHeader(src.name, src.size, (o, l, f) => src.read(o, l, f));
  const need = sizeOf(header.shape) * DTYPE_BYTES[header.dtype];
  const have = src.size - header.dataOffset;
  if (need > have) {
    throw new FormatError(
      src.name,
      'data',
      header.dataOffset,
      `shape (${header.shape.join(', ')}) of '${header.descr}' needs ${need} bytes but the file holds ${have}; it is truncated or the header is corrupt.`
    );
  }
  const metadata: Metadata = {
    sourceFormat: 'npy',
    sourceFile: src.name,
    sourceDtype: header.descr,
    original: { version: header.version, descr: header.descr, fortran_order: header.fortranOrder, shape: header.shape, dataOffset: header.dataOffset }
  };
  return { src, header, metadata };
}

/** Decodes `count` elements starting at element `start` (file order), chunk by chunk. */
async function readElements(f: NpyFile, start: number, count: number): Promise<{ data: NumericArray; imag?: NumericArray }> {
  const { dtype, littleEndian, dataOffset } = f.header;
  const item = DTYPE_BYTES[dtype];
  const complex = dtype === 'complex64' || dtype === 'complex128';
  const out = widenedDtype(dtype) as keyof typeof CTORS;
  const Ctor = CTORS[out];
  if (count * Ctor.BYTES_PER_ELEMENT > MAX_ARRAY_BYTES) {
    throw new ValueError(`readNpy: ${f.src.name} must hold at most ${MAX_ARRAY_BYTES} bytes of decoded values to be read whole; got ${count * Ctor.BYTES_PER_ELEMENT}.`);
  }
  const data = new Ctor(count);
  const imag = complex ? new Ctor(count) : undefined;
  const perRead = Math.max(1, Math.floor(CHUNK_BYTES / item));
  for (let s = 0; s < count; s += perRead) {
    const n = Math.min(perRead, count - s);
    const bytes = await f.src.read(dataOffset + (start + s) * item, n * item, 'data');
    const part = decodeElements(bytes, dtype, n, littleEndian);
    if (complex) {
      const { re, im } = splitComplex(part as Float32Array | Float64Array);
      data.set(re, s);
      imag!.set(im, s);
    } else data.set(part as never, s);
  }
  return { data, imag };
}

/** Reorders a Fortran-ordered buffer (first axis fastest) into C order. */
function fortranToC(values: NumericArray, shape: number[]): NumericArray {
  if (shape.length < 2) return values;
  const stride: number[] = [];
  let s = 1;
  for (const n of shape) {
    stride.push(s);
    s *= n;
  }
  return denseRange(ndarray(values, shape, stride, 0) as NdArray, 0, values.length);
}

async function readWhole(f: NpyFile): Promise<Dataset> {
  const { shape, fortranOrder } = f.header;
  let { data, imag } = await readElements(f, 0, sizeOf(shape));
  if (fortranOrder) {
    data = fortranToC(data, shape);
    if (imag) imag = fortranToC(imag, shape);
  }
  const ds = makeDataset(ndarray(data, shape) as NdArray, { metadata: f.metadata });
  if (imag) ds.imag = ndarray(imag, shape) as NdArray;
  return ds;
}

async function openNpySource(src: ByteSource): Promise<LazySource> {
  const f = await parseNpy(src);
  const whole = f.header.fortranOrder || f.header.shape.length < 3 ? await readWhole(f) : undefined;
  const shape = f.header.shape;
  const frameDims = Math.min(2, shape.length);
  const per = sizeOf(shape.slice(shape.length - frameDims));
  const axes = makeDataset(ndarray(new Uint8Array(0), shape.map(() => 0)) as NdArray).axes.map((a, i) => ({ ...a, size: shape[i] }));
  return makeLazySource({
    name: src.name,
    shape,
    axes,
    metadata: f.metadata,
    dtype: widenedDtype(f.header.dtype),
    frameDims,
    scan: shape.length === 4,
    read: async (start, count) => {
      if (!whole) return readElements(f, start * per, count * per);
      return {
        data: copyTyped(denseRange(whole.data, start * per, count * per)),
        imag: whole.imag ? copyTyped(denseRange(whole.imag, start * per, count * per)) : undefined
      };
    },
    close: () => src.close()
  });
}

/** Format handler for NumPy `.npy` files (magic `\x93NUMPY`). */
export const npyFormat: FormatHandler = {
  name: 'npy',
  extensions: ['npy'],
  sniff: (head: Uint8Array) => hasNpyMagic(head),
  async readAll(src: ByteSource): Promise<Dataset[]> {
    return [await readWhole(await parseNpy(src))];
  },
  open: (src: ByteSource) => openNpySource(src)
};

/**
 * Reads a NumPy `.npy` file (format versions 1.0, 2.0 and 3.0).
 *
 * Every bool, integer, float and complex dtype in either byte order (`'<f2'`, `'>i4'`, `'|b1'`,
 * `'<c16'`, …): float16 → float32, (u)int64 → float64, bool → uint8 (0/1), complex → `data` real
 * part + `imag`; `fortran_order: True` arrays come out in C order with numpy's values at each
 * index. Axes are uncalibrated index axes named by dimension (`[y, x]`, `[frame, y, x]`, …); the
 * file's descr is `metadata.sourceDtype`. Object, string, datetime and structured arrays are refused.
 *
 * @param pathOrBytes - file path or the file's bytes.
 * @param options - `name` labels errors when reading bytes.
 * @returns the Dataset with the array's shape.
 * @throws FormatError (file, field, byte offset) for a wrong magic, an unparsable or oversized
 *   header, an unsupported descr, or data shorter than the shape needs.
 * @example
 * const ds = await lowdose.io.readNpy('rand_rot_matrices32.npy');
 * ds.data.shape; // [3, 3, 32]
 */
export async function readNpy(pathOrBytes: PathOrBytes, options: ReadOptions = {}): Promise<Dataset> {
  const src = await openByteSource(pathOrBytes, options.name);
  try {
    return selectSignal(await npyFormat.readAll(src, options), options.signal, 'readNpy', src.name);
  } finally {
    await src.close();
  }
}
