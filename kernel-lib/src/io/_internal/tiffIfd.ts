// TIFF / BigTIFF container: header, image file directories (IFDs) and tag values.
// Every size a file claims is checked against the file size before anything is read or allocated,
// and the IFD chain is walked with a visited set so a cyclic chain is reported, never followed.
import { FormatError } from '../../errors';
import { ByteSource } from './byteSource';

/** Parsed 8-byte (classic) or 16-byte (BigTIFF) header. */
export interface TiffHeader {
  littleEndian: boolean;
  bigTiff: boolean;
  firstIfdOffset: number;
}

/** One tag of an IFD with its decoded value. */
export interface TiffTag {
  code: number;
  /** TIFF field type (1 BYTE, 2 ASCII, 3 SHORT, 4 LONG, 5 RATIONAL, …, 16 LONG8). */
  type: number;
  count: number;
  /** Byte offset of the value (inline values: offset of the value field inside the IFD entry). */
  valueOffset: number;
  /** Numeric values (RATIONAL / SRATIONAL as numerator, denominator pairs); absent for ASCII. */
  values?: number[];
  /** ASCII values, decoded (UTF-8, else Latin-1), trailing NULs removed. */
  text?: string;
  /** Raw bytes of BYTE / UNDEFINED / SBYTE values (in file order). */
  bytes?: Uint8Array;
  /** True when the value was too large to load and was left in the file. */
  skipped?: boolean;
}

/** One image file directory. */
export interface TiffIfd {
  /** Byte offset of the IFD in the file. */
  offset: number;
  /** Zero-based position in the IFD chain. */
  index: number;
  tags: Map<number, TiffTag>;
}

/** Byte size of one value of each TIFF field type. */
export const TIFF_TYPE_BYTES: { [type: number]: number } = {
  1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8
};

/** Tags that describe the pixel layout (enough to decode a page). */
export const LAYOUT_TAGS = new Set([
  254, 256, 257, 258, 259, 262, 266, 273, 277, 278, 279, 284, 317, 322, 323, 324, 325, 338, 339
]);

/** Tag values larger than this are left in the file (their offset stays known). */
const MAX_TAG_VALUE_BYTES = 64 * 1024 * 1024;

/** Reads and validates the TIFF / BigTIFF header. */
export async function readTiffHeader(src: ByteSource): Promise<TiffHeader> {
  const head = await src.read(0, Math.min(16, src.size), 'header');
  if (head.length < 8) {
    throw new FormatError(src.name, 'header', 0, `a TIFF header needs 8 bytes; the file has ${src.size}.`);
  }
  const bo = String.fromCharCode(head[0], head[1]);
  if (bo !== 'II' && bo !== 'MM') {
    throw new FormatError(src.name, 'byte order', 0, `must be "II" or "MM"; got ${JSON.stringify(bo)}.`);
  }
  const littleEndian = bo === 'II';
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const magic = view.getUint16(2, littleEndian);
  if (magic === 42) {
    return { littleEndian, bigTiff: false, firstIfdOffset: view.getUint32(4, littleEndian) };
  }
  if (magic === 43) {
    if (head.length < 16) {
      throw new FormatError(src.name, 'BigTIFF header', 0, `needs 16 bytes; the file has ${src.size}.`);
    }
    const offsetSize = view.getUint16(4, littleEndian);
    if (offsetSize !== 8) {
      throw new FormatError(src.name, 'BigTIFF offset size', 4, `must be 8; got ${offsetSize}.`);
    }
    return { littleEndian, bigTiff: true, firstIfdOffset: safeNumber(view.getBigUint64(8, littleEndian), src, 'first IFD offset', 8) };
  }
  throw new FormatError(src.name, 'magic number', 2, `must be 42 (TIFF) or 43 (BigTIFF); got ${magic}.`);
}

function safeNumber(v: bigint, src: ByteSource, field: string, offset: number): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new FormatError(src.name, field, offset, `must fit in 53 bits; got ${v}.`);
  }
  return Number(v);
}

/**
 * Reads one IFD at `offset`. With `layoutOnly`, tags other than the pixel-layout ones are listed
 * but their out-of-line values are not read (cheap for the pages of a long movie).
 * Returns the IFD and the offset of the next one (0 at the end of the chain).
 */
export async function readIfd(
  src: ByteSource,
  header: TiffHeader,
  offset: number,
  index: number,
  layoutOnly: boolean
): Promise<{ ifd: TiffIfd; next: number; nextAt: number }> {
  const le = header.littleEndian;
  const big = header.bigTiff;
  const countBytes = big ? 8 : 2;
  const entryBytes = big ? 20 : 12;
  const field = `IFD ${index}`;
  if (offset < (big ? 16 : 8) || offset >= src.size) {
    throw new FormatError(src.name, `${field} offset`, offset, `must point inside the file (size ${src.size}); got ${offset}.`);
  }
  const cb = await src.read(offset, countBytes, `${field} entry count`);
  const cview = new DataView(cb.buffer, cb.byteOffset, cb.byteLength);
  const count = big ? safeNumber(cview.getBigUint64(0, le), src, `${field} entry count`, offset) : cview.getUint16(0, le);
  const tableBytes = count * entryBytes + (big ? 8 : 4);
  if (count === 0 || offset + countBytes + tableBytes > src.size) {
    throw new FormatError(
      src.name,
      `${field} entry count`,
      offset,
      `must be 1..${Math.floor((src.size - offset - countBytes) / entryBytes)} entries that fit in the file; got ${count}.`
    );
  }
  const table = await src.read(offset + countBytes, tableBytes, `${field} entries`);
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const tags = new Map<number, TiffTag>();
  for (let i = 0; i < count; i++) {
    const p = i * entryBytes;
    const entryOffset = offset + countBytes + p;
    const code = view.getUint16(p, le);
    const type = view.getUint16(p + 2, le);
    const n = big ? safeNumber(view.getBigUint64(p + 4, le), src, `tag ${code} count`, entryOffset + 4) : view.getUint32(p + 4, le);
    const size = TIFF_TYPE_BYTES[type];
    if (size === undefined) continue; // unknown field type: skipped, as the TIFF spec asks
    const valueBytes = n * size;
    const inlineBytes = big ? 8 : 4;
    let valueOffset: number;
    if (valueBytes <= inlineBytes) {
      valueOffset = entryOffset + (big ? 12 : 8);
    } else {
      valueOffset = big
        ? safeNumber(view.getBigUint64(p + 12, le), src, `tag ${code} value offset`, entryOffset + 12)
        : view.getUint32(p + 8, le);
      if (valueOffset + valueBytes > src.size) {
        if (LAYOUT_TAGS.has(code)) {
          throw new FormatError(
            src.name,
            `tag ${code} (${TAG_NAMES[code] ?? 'value'})`,
            valueOffset,
            `its ${n} values (${valueBytes} bytes) must lie inside the file (size ${src.size}).`
          );
        }
        continue; // a broken private tag does not stop the image from being read
      }
    }
    const tag: TiffTag = { code, type, count: n, valueOffset };
    const wanted = !layoutOnly || LAYOUT_TAGS.has(code);
    if (!wanted || valueBytes > MAX_TAG_VALUE_BYTES) {
      tag.skipped = true;
    } else {
      const raw =
        valueBytes <= inlineBytes
          ? table.subarray(p + (big ? 12 : 8), p + (big ? 12 : 8) + valueBytes)
          : await src.read(valueOffset, valueBytes, `tag ${code} value`);
      decodeTagValue(tag, raw, le);
    }
    tags.set(code, tag);
  }
  const np = count * entryBytes;
  const next = big ? safeNumber(view.getBigUint64(np, le), src, `${field} next offset`, offset + countBytes + np) : view.getUint32(np, le);
  return { ifd: { offset, index, tags }, next, nextAt: offset + countBytes + np };
}

function decodeTagValue(tag: TiffTag, raw: Uint8Array, le: boolean): void {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const n = tag.count;
  switch (tag.type) {
    case 2:
      tag.text = decodeText(raw);
      return;
    case 1:
    case 6:
    case 7:
      tag.bytes = raw.slice();
      tag.values = tag.type === 6 ? Array.from(new Int8Array(tag.bytes.buffer)) : n <= 16 ? Array.from(raw) : undefined;
      return;
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    switch (tag.type) {
      case 3: out.push(view.getUint16(2 * i, le)); break;
      case 8: out.push(view.getInt16(2 * i, le)); break;
      case 4: case 13: out.push(view.getUint32(4 * i, le)); break;
      case 9: out.push(view.getInt32(4 * i, le)); break;
      case 5: out.push(view.getUint32(8 * i, le), view.getUint32(8 * i + 4, le)); break;
      case 10: out.push(view.getInt32(8 * i, le), view.getInt32(8 * i + 4, le)); break;
      case 11: out.push(view.getFloat32(4 * i, le)); break;
      case 12: out.push(view.getFloat64(8 * i, le)); break;
      case 16: case 18: out.push(Number(view.getBigUint64(8 * i, le))); break;
      case 17: out.push(Number(view.getBigInt64(8 * i, le))); break;
    }
  }
  tag.values = out;
}

/** Decodes NUL-terminated text: UTF-8 when valid, else Latin-1 (DM writes "µm" as one byte). */
export function decodeText(raw: Uint8Array): string {
  let end = raw.length;
  while (end > 0 && raw[end - 1] === 0) end--;
  const body = raw.subarray(0, end);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return new TextDecoder('latin1').decode(body);
  }
}

/**
 * Walks the IFD chain from the header. The first IFD is read in full, later ones layout-only unless
 * `allTags`. Throws FormatError on an IFD offset outside the file or a cyclic chain.
 */
export async function readIfdChain(src: ByteSource, header: TiffHeader, allTags = false): Promise<TiffIfd[]> {
  const ifds: TiffIfd[] = [];
  const seen = new Set<number>();
  let offset = header.firstIfdOffset;
  let prevField = 'first IFD offset';
  let prevAt = header.bigTiff ? 8 : 4;
  while (offset !== 0) {
    if (seen.has(offset)) {
      throw new FormatError(src.name, prevField, prevAt, `points back to IFD at byte ${offset}: the IFD chain is cyclic.`);
    }
    if (offset >= src.size) {
      throw new FormatError(src.name, prevField, prevAt, `must point inside the file (size ${src.size}); got ${offset}.`);
    }
    seen.add(offset);
    const { ifd, next, nextAt } = await readIfd(src, header, offset, ifds.length, allTags ? false : ifds.length > 0);
    ifds.push(ifd);
    prevField = `IFD ${ifd.index} next offset`;
    prevAt = nextAt;
    offset = next;
  }
  if (ifds.length === 0) {
    throw new FormatError(src.name, 'first IFD offset', header.bigTiff ? 8 : 4, 'must not be 0: the file holds no image.');
  }
  return ifds;
}

/** Reads all tags (not only the layout ones) of an IFD that was read layout-only. */
export async function completeIfd(src: ByteSource, header: TiffHeader, ifd: TiffIfd): Promise<TiffIfd> {
  const { ifd: full } = await readIfd(src, header, ifd.offset, ifd.index, false);
  return full;
}

/** First value of a numeric tag, or `fallback`. */
export function tagNumber(ifd: TiffIfd, code: number, fallback?: number): number | undefined {
  const v = ifd.tags.get(code)?.values;
  return v && v.length > 0 ? v[0] : fallback;
}

/** All values of a numeric tag, or undefined. */
export function tagNumbers(ifd: TiffIfd, code: number): number[] | undefined {
  return ifd.tags.get(code)?.values;
}

/** Text of an ASCII tag, or undefined. */
export function tagText(ifd: TiffIfd, code: number): string | undefined {
  const t = ifd.tags.get(code);
  if (!t) return undefined;
  if (t.text !== undefined) return t.text;
  return t.bytes ? decodeText(t.bytes) : undefined;
}

/** Value of a RATIONAL tag as a number (numerator / denominator), or undefined. */
export function tagRational(ifd: TiffIfd, code: number): number | undefined {
  const v = ifd.tags.get(code)?.values;
  if (!v || v.length < 2 || v[1] === 0) return undefined;
  return v[0] / v[1];
}

/** Names of the baseline and EM tags lowdose reports in `metadata.original`. */
export const TAG_NAMES: { [code: number]: string } = {
  254: 'NewSubfileType', 256: 'ImageWidth', 257: 'ImageLength', 258: 'BitsPerSample', 259: 'Compression',
  262: 'PhotometricInterpretation', 266: 'FillOrder', 269: 'DocumentName', 270: 'ImageDescription',
  271: 'Make', 272: 'Model', 273: 'StripOffsets', 274: 'Orientation', 277: 'SamplesPerPixel',
  278: 'RowsPerStrip', 279: 'StripByteCounts', 282: 'XResolution', 283: 'YResolution',
  284: 'PlanarConfiguration', 285: 'PageName', 296: 'ResolutionUnit', 297: 'PageNumber', 305: 'Software',
  306: 'DateTime', 315: 'Artist', 317: 'Predictor', 320: 'ColorMap', 322: 'TileWidth', 323: 'TileLength',
  324: 'TileOffsets', 325: 'TileByteCounts', 338: 'ExtraSamples', 339: 'SampleFormat',
  33471: 'OlympusSIS', 33560: 'OlympusSIS2', 34665: 'ExifTag', 34680: 'FEI_SFEG', 34682: 'FEI_HELIOS',
  37706: 'TVIPS', 50838: 'IJMetadataByteCounts', 50839: 'IJMetadata'
};
