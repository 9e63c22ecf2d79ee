// TIA .ser series files (little-endian): series header with dimension arrays, an offset array
// pointing at each element (1-D spectrum or 2-D image with its own calibration) and at each tag
// (time, optionally the 2-D stage/scan position). Layout after C. Boothroyd's TIA notes; field
// meanings checked against RosettaSciIO's tia reader and the corpus.
import { FormatError } from '../../errors';
import { ByteSource } from './byteSource';
import { DTYPE_BYTES, FileDtype } from './dtypes';

export const SER_SPECTRUM = 0x4120;
export const SER_IMAGE = 0x4122;
export const SER_TAG_TIME = 0x4152;
export const SER_TAG_TIME_POSITION = 0x4142;

/** Element data types of TIA (DataType field). */
export const SER_DTYPES: { [code: number]: FileDtype } = {
  1: 'uint8',
  2: 'uint16',
  3: 'uint32',
  4: 'int8',
  5: 'int16',
  6: 'int32',
  7: 'float32',
  8: 'float64',
  9: 'complex64',
  10: 'complex128'
};

export interface SerDimension {
  size: number;
  calibrationOffset: number;
  calibrationDelta: number;
  calibrationElement: number;
  description: string;
  units: string;
}

export interface SerHeader {
  seriesVersion: number;
  dataTypeId: number;
  tagTypeId: number;
  totalElements: number;
  validElements: number;
  offsetArrayOffset: number;
  dimensions: SerDimension[];
}

/** One element's own calibration and layout (all elements of a series share dtype and shape). */
export interface SerElement {
  dtype: FileDtype;
  /** [length] for spectra, [rows, cols] for images. */
  shape: number[];
  /** Byte offset of the values relative to the element start. */
  dataOffset: number;
  bytes: number;
  /** Per-axis calibration in the element's order: spectra [energy], images [y, x]. */
  calibration: Array<{ offset: number; delta: number; element: number }>;
}

export interface SerTag {
  tagTypeId: number;
  timeS: number;
  positionX?: number;
  positionY?: number;
}

/** True when `head` starts with the SER byte-order mark 0x4949 and series id 0x0197. */
export function looksLikeSer(head: Uint8Array): boolean {
  return head.length >= 6 && head[0] === 0x49 && head[1] === 0x49 && head[2] === 0x97 && head[3] === 0x01;
}

const MAX_DIMENSIONS = 16;
const MAX_TEXT = 4096;

/** Parses and validates the series header (sizes are checked against the file size). */
export async function parseSerHeader(src: ByteSource): Promise<SerHeader> {
  const head = await src.read(0, Math.min(src.size, 34), 'SER header');
  if (head.length < 30 || !looksLikeSer(head)) {
    throw new FormatError(src.name, 'ByteOrder/SeriesID', 0, 'must be 0x4949, 0x0197 (a TIA .ser file); got something else.');
  }
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const seriesVersion = v.getUint16(4, true);
  const wide = seriesVersion > 0x210;
  if (wide && head.length < 34) throw new FormatError(src.name, 'SER header', 0, 'is truncated.');
  const h: SerHeader = {
    seriesVersion,
    dataTypeId: v.getUint32(6, true),
    tagTypeId: v.getUint32(10, true),
    totalElements: v.getUint32(14, true),
    validElements: v.getUint32(18, true),
    offsetArrayOffset: wide ? Number(v.getBigUint64(22, true)) : v.getUint32(22, true),
    dimensions: []
  };
  const nDims = v.getUint32(wide ? 30 : 26, true);
  if (h.dataTypeId !== SER_SPECTRUM && h.dataTypeId !== SER_IMAGE) {
    throw new FormatError(src.name, 'DataTypeID', 6, `must be 0x4120 (spectra) or 0x4122 (images); got 0x${h.dataTypeId.toString(16)}.`);
  }
  if (h.tagTypeId !== SER_TAG_TIME && h.tagTypeId !== SER_TAG_TIME_POSITION) {
    throw new FormatError(src.name, 'TagTypeID', 10, `must be 0x4152 or 0x4142; got 0x${h.tagTypeId.toString(16)}.`);
  }
  const width = wide ? 8 : 4;
  if (h.validElements > h.totalElements) {
    throw new FormatError(src.name, 'ValidNumberElements', 18, `must not exceed TotalNumberElements ${h.totalElements}; got ${h.validElements}.`);
  }
  if (!Number.isSafeInteger(h.offsetArrayOffset) || h.offsetArrayOffset + 2 * width * h.totalElements > src.size) {
    throw new FormatError(
      src.name,
      'OffsetArrayOffset',
      22,
      `the offset arrays (${h.totalElements} × 2 entries of ${width} bytes at ${h.offsetArrayOffset}) must lie inside the ${src.size}-byte file.`
    );
  }
  if (nDims > MAX_DIMENSIONS) throw new FormatError(src.name, 'NumberDimensions', wide ? 30 : 26, `must be at most ${MAX_DIMENSIONS}; got ${nDims}.`);
  let at = wide ? 34 : 30;
  for (let i = 0; i < nDims; i++) {
    const fixed = await src.read(at, 28, `dimension ${i + 1} header`);
    const d = new DataView(fixed.buffer, fixed.byteOffset, 28);
    const descLen = d.getUint32(24, true);
    if (descLen > MAX_TEXT) throw new FormatError(src.name, `dimension ${i + 1} DescriptionLength`, at + 24, `must be at most ${MAX_TEXT}; got ${descLen}.`);
    const desc = await src.read(at + 28, descLen, `dimension ${i + 1} description`);
    const unitsLenBytes = await src.read(at + 28 + descLen, 4, `dimension ${i + 1} UnitsLength`);
    const unitsLen = new DataView(unitsLenBytes.buffer, unitsLenBytes.byteOffset, 4).getUint32(0, true);
    if (unitsLen > MAX_TEXT) throw new FormatError(src.name, `dimension ${i + 1} UnitsLength`, at + 28 + descLen, `must be at most ${MAX_TEXT}; got ${unitsLen}.`);
    const units = await src.read(at + 32 + descLen, unitsLen, `dimension ${i + 1} units`);
    h.dimensions.push({
      size: d.getUint32(0, true),
      calibrationOffset: d.getFloat64(4, true),
      calibrationDelta: d.getFloat64(12, true),
      calibrationElement: d.getInt32(20, true),
      description: Buffer.from(desc).toString('latin1'),
      units: Buffer.from(units).toString('latin1')
    });
    at += 32 + descLen + unitsLen;
  }
  return h;
}

/** Data and tag offsets of the first `count` elements. */
export async function readSerOffsets(src: ByteSource, h: SerHeader, count: number): Promise<{ data: number[]; tags: number[] }> {
  const width = h.seriesVersion > 0x210 ? 8 : 4;
  const bytes = await src.read(h.offsetArrayOffset, 2 * width * h.totalElements, 'offset arrays');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const get = (i: number) => (width === 8 ? Number(v.getBigUint64(i * 8, true)) : v.getUint32(i * 4, true));
  const data: number[] = [];
  const tags: number[] = [];
  for (let i = 0; i < count; i++) {
    data.push(get(i));
    tags.push(get(h.totalElements + i));
  }
  return { data, tags };
}

/** Reads the header of the element at `offset` and checks its values fit in the file. */
export async function readSerElement(src: ByteSource, h: SerHeader, offset: number, index: number): Promise<SerElement> {
  const field = `element ${index}`;
  if (h.dataTypeId === SER_SPECTRUM) {
    const b = await src.read(offset, 26, `${field} header`);
    const v = new DataView(b.buffer, b.byteOffset, 26);
    const code = v.getUint16(20, true);
    const length = v.getUint32(22, true);
    return finish(src, offset, field, code, [length], 26, [{ offset: v.getFloat64(0, true), delta: v.getFloat64(8, true), element: v.getInt32(16, true) }]);
  }
  const b = await src.read(offset, 50, `${field} header`);
  const v = new DataView(b.buffer, b.byteOffset, 50);
  const code = v.getUint16(40, true);
  const sx = v.getUint32(42, true);
  const sy = v.getUint32(46, true);
  const cal = (at: number) => ({ offset: v.getFloat64(at, true), delta: v.getFloat64(at + 8, true), element: v.getInt32(at + 16, true) });
  return finish(src, offset, field, code, [sy, sx], 50, [cal(20), cal(0)]);
}

function finish(
  src: ByteSource,
  offset: number,
  field: string,
  code: number,
  shape: number[],
  dataOffset: number,
  calibration: SerElement['calibration']
): SerElement {
  const dtype = SER_DTYPES[code];
  if (!dtype) throw new FormatError(src.name, `${field} DataType`, offset + dataOffset - (shape.length === 2 ? 10 : 6), `must be 1..10; got ${code}.`);
  const count = shape.reduce((a, b) => a * b, 1);
  const bytes = count * DTYPE_BYTES[dtype];
  if (!(count > 0) || offset + dataOffset + bytes > src.size) {
    throw new FormatError(src.name, `${field} size`, offset, `${shape.join('×')} values of ${dtype} must fit in the ${src.size}-byte file after byte ${offset + dataOffset}.`);
  }
  return { dtype, shape, dataOffset, bytes, calibration };
}

/** Reads one tag (acquisition time, and the scan position for 0x4142 tags). */
export async function readSerTag(src: ByteSource, h: SerHeader, offset: number, index: number): Promise<SerTag> {
  const n = h.tagTypeId === SER_TAG_TIME_POSITION ? 24 : 8;
  const b = await src.read(offset, n, `tag ${index}`);
  const v = new DataView(b.buffer, b.byteOffset, n);
  const tag: SerTag = { tagTypeId: v.getUint16(0, true), timeS: v.getUint32(4, true) };
  if (n === 24) {
    tag.positionX = v.getFloat64(8, true);
    tag.positionY = v.getFloat64(16, true);
  }
  return tag;
}
