import { ShapeError, ValueError } from '../errors';
import { Dataset, isDataset, isNdArray, NdArray, NumericArray } from '../types/dataset';
import { atomicWrite } from './_internal/atomicWrite';
import { encodeChunk, OutType } from './_internal/encodeValues';
import { denseRange, sizeOf } from './_internal/ndDense';

/** Options of {@link writeNpy}. */
export interface WriteNpyOptions {
  /** Replace an existing file, including the dataset's own source file (default false). */
  overwrite?: boolean;
  /**
   * numpy dtype string of the file, e.g. `'<f2'`, `'>i4'`, `'|b1'`, `'<c8'` (default: the array's
   * own type, little-endian; complex data → `'<c8'` for float32 parts, else `'<c16'`). Integer
   * targets refuse values that do not fit.
   */
  dtype?: string;
}

const ELEMENTS_PER_CHUNK = 1 << 22;

const NATIVE: { [ctor: string]: string } = {
  Float32Array: 'f4', Float64Array: 'f8', Int8Array: 'i1', Uint8Array: 'u1', Uint8ClampedArray: 'u1',
  Int16Array: 'i2', Uint16Array: 'u2', Int32Array: 'i4', Uint32Array: 'u4'
};
const CODE_TO_TYPE: { [code: string]: OutType } = {
  b1: 'bool', i1: 'int8', u1: 'uint8', i2: 'int16', u2: 'uint16', i4: 'int32', u4: 'uint32',
  i8: 'int64', u8: 'uint64', f2: 'float16', f4: 'float32', f8: 'float64', c8: 'float32', c16: 'float64'
};

/** The NPY preamble + header for a descr and shape, padded so the data start on a 64-byte boundary. */
export function npyHeaderBytes(descr: string, shape: number[]): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  let version = 1;
  let pre = 10;
  if ((pre + dict.length + 1) % 64 !== 0) dict += ' '.repeat(64 - ((pre + dict.length + 1) % 64));
  if (dict.length + 1 > 65535) {
    version = 2;
    pre = 12;
    dict = dict.trimEnd();
    dict += ' '.repeat((64 - ((pre + dict.length + 1) % 64)) % 64);
  }
  dict += '\n';
  const out = new Uint8Array(pre + dict.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const v = new DataView(out.buffer);
  if (version === 1) v.setUint16(8, dict.length, true);
  else v.setUint32(8, dict.length, true);
  for (let i = 0; i < dict.length; i++) out[pre + i] = dict.charCodeAt(i);
  return out;
}

/**
 * Writes an array (or a Dataset's array) as a NumPy `.npy` file (version 1.0, C order), atomically.
 *
 * @param path - file to create; an existing file is refused unless `{overwrite: true}`.
 * @param datasetOrNdarray - a Dataset (complex when it has `imag`) or a scijs ndarray of any strides.
 * @param options - `dtype` (numpy descr of the file) and `overwrite`.
 * @returns when the file is complete on disk (written to a temporary file, fsynced, renamed).
 * @throws ValueError for an existing path without `overwrite`, an unsupported dtype, or values
 *   that do not fit the requested integer dtype (nothing is left on disk).
 * @example
 * await lowdose.io.writeNpy('/tmp/frame.npy', ds);                 // '<f4' for float32 data
 * await lowdose.io.writeNpy('/tmp/half.npy', ds, { dtype: '<f2' }); // numpy reads float16
 */
export async function writeNpy(path: string, datasetOrNdarray: Dataset | NdArray, options: WriteNpyOptions = {}): Promise<void> {
  let data: NdArray;
  let imag: NdArray | undefined;
  let sourceFile: unknown;
  if (isDataset(datasetOrNdarray)) {
    data = datasetOrNdarray.data;
    imag = datasetOrNdarray.imag;
    sourceFile = datasetOrNdarray.metadata?.sourceFile;
  } else if (isNdArray(datasetOrNdarray)) {
    data = datasetOrNdarray;
  } else {
    throw new ValueError(`writeNpy: datasetOrNdarray must be a Dataset or an ndarray; got ${typeof datasetOrNdarray}.`);
  }
  if (imag && imag.shape.join() !== data.shape.join()) {
    throw new ShapeError(`writeNpy: imag must have the shape of data [${data.shape.join(', ')}]; got [${imag.shape.join(', ')}].`);
  }
  const ctor = (data.data as NumericArray).constructor.name;
  let descr = options.dtype;
  if (descr === undefined) {
    const code = NATIVE[ctor];
    if (!code) throw new ValueError(`writeNpy: data must be a typed array; got ${ctor}.`);
    descr = imag ? (code === 'f4' ? '<c8' : '<c16') : code.endsWith('1') ? `|${code}` : `<${code}`;
  }
  const m = /^([<>|=])?([biufc]\d+)$/.exec(descr);
  const type = m ? CODE_TO_TYPE[m[2]] : undefined;
  if (!m || !type) {
    throw new ValueError(`writeNpy: options.dtype must be a numpy dtype string such as '<f4', '>i2', '|u1', '<c8'; got ${JSON.stringify(descr)}.`);
  }
  const complex = m[2].startsWith('c');
  if (imag && !complex) {
    throw new ValueError(`writeNpy: options.dtype must be complex ('<c8' or '<c16') for complex data; got '${descr}'.`);
  }
  const le = m[1] !== '>';
  const shape = data.shape.slice();
  const total = sizeOf(shape);
  const zeros = complex && !imag ? new Float64Array(Math.min(ELEMENTS_PER_CHUNK, total)) : undefined;
  function* chunks(): Generator<Uint8Array> {
    yield npyHeaderBytes(descr as string, shape);
    for (let s = 0; s < total; s += ELEMENTS_PER_CHUNK) {
      const n = Math.min(ELEMENTS_PER_CHUNK, total - s);
      const re = denseRange(data, s, n);
      const im = imag ? denseRange(imag, s, n) : zeros ? zeros.subarray(0, n) : undefined;
      yield encodeChunk(re, im, type as OutType, le, 'writeNpy', s);
    }
  }
  await atomicWrite(path, chunks(), { overwrite: options.overwrite, sourceFile, caller: 'writeNpy' });
}
