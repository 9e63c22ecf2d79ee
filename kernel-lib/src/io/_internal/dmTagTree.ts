// Gatan DigitalMicrograph DM3/DM4 tag-tree parser, hardened against hostile files.
//
// Layout (Boothroyd's "DM3 format" notes, the DM4 addenda, rsciio's digitalmicrograph reader):
// header (big-endian) = version, root length (uint32 in DM3, uint64 in DM4), byte-order flag; then
// the root tag group. Structural integers are big-endian; tag values follow the byte-order flag.
// The parser only ever moves forward through the file, so a tag tree cannot loop; every count and
// size is checked against the bytes left in the file before anything is allocated or skipped.
import { FormatError } from '../../errors';
import { ByteSource } from './byteSource';

/** An array tag too large to keep inline (image pixels): where its bytes are, for a later read. */
export class DmArrayRef {
  constructor(
    /** Byte offset of the first element in the file. */
    readonly offset: number,
    /** Number of elements of `elementType`. */
    readonly count: number,
    /** DM tag element type code (2 int16 … 12 uint64, 15 struct, 18 string, 20 array). */
    readonly elementType: number,
    /** Total bytes of the array. */
    readonly byteLength: number,
    /** True when the values are little-endian. */
    readonly littleEndian: boolean
  ) {}
}

/** A parsed DM tag value: numbers, booleans, strings, arrays (structs become arrays), groups. */
export type DmValue = number | boolean | string | DmValue[] | DmArrayRef | DmTagGroup;

/** A tag group as a plain object; unnamed children are named `TagGroup<i>` / `Data<i>`. */
export interface DmTagGroup {
  [name: string]: DmValue;
}

/** The parsed file: header fields, the whole tag tree, and the byte offset of each data tag's value. */
export interface DmFile {
  version: 3 | 4;
  littleEndian: boolean;
  /** Root tag group length claimed by the header. */
  rootLengthBytes: number;
  tags: DmTagGroup;
  /** Byte offset of each data tag's value, keyed by its dotted path (`ImageList.TagGroup1.ImageData.DataType`). */
  offsets: Map<string, number>;
}

/** Limits that keep a hostile file from costing time or memory. */
export const DM_LIMITS = {
  /** Deepest nesting of tag groups accepted. */
  maxDepth: 64,
  /** Most entries (groups + data tags) in one file. */
  maxEntries: 4_000_000,
  /** Longest info array (type description) of one data tag, in words. */
  maxInfoWords: 4096,
  /** Arrays with more elements than this are kept as a {@link DmArrayRef} instead of being read. */
  maxInlineElements: 65536,
  /** Arrays with more bytes than this are kept as a {@link DmArrayRef}; other values this long are refused. */
  maxInlineBytes: 1 << 20
};

const CHUNK_BYTES = 65536;
// Smallest possible entry: kind(1) + name length(2) + group is_sorted/is_open(2) + count(4).
const MIN_ENTRY_BYTES = { 3: 9, 4: 21 } as const;

const SIMPLE_BYTES: { [t: number]: number } = { 2: 2, 3: 4, 4: 2, 5: 4, 6: 4, 7: 8, 8: 1, 9: 1, 10: 1, 11: 8, 12: 8 };

type TypeDesc =
  | { kind: 'simple'; t: number; bytes: number }
  | { kind: 'string'; length: number; bytes: number }
  | { kind: 'struct'; fields: TypeDesc[]; bytes: number }
  | { kind: 'array'; elem: TypeDesc; count: number; bytes: number };

/** Buffered forward reader over a ByteSource: big-endian structure, header-ordered values. */
class Cursor {
  pos: number;
  private buf = new Uint8Array(0);
  private bufStart = 0;
  private view = new DataView(this.buf.buffer);
  constructor(readonly src: ByteSource, start: number, readonly littleEndian: boolean) {
    this.pos = start;
  }

  fail(field: string, message: string, offset = this.pos): never {
    throw new FormatError(this.src.name, field, offset, message);
  }

  get remaining(): number {
    return this.src.size - this.pos;
  }

  /** Makes bytes [pos, pos + n) available, or throws FormatError(field) when the file ends first. */
  async need(n: number, field: string): Promise<void> {
    if (n > this.remaining) {
      this.fail(field, `needs ${n} bytes but the file has ${Math.max(0, this.remaining)} left (file size ${this.src.size}); it is truncated or corrupt.`);
    }
    if (this.pos >= this.bufStart && this.pos + n <= this.bufStart + this.buf.length) return;
    const length = Math.min(Math.max(n, CHUNK_BYTES), this.remaining);
    this.buf = await this.src.read(this.pos, length, field);
    this.bufStart = this.pos;
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  skip(n: number, field: string): void {
    if (n > this.remaining) this.fail(field, `needs ${n} bytes but the file has ${Math.max(0, this.remaining)} left; it is truncated or corrupt.`);
    this.pos += n;
  }

  private at(n: number): number {
    const i = this.pos - this.bufStart;
    this.pos += n;
    return i;
  }

  u8(): number {
    return this.buf[this.at(1)];
  }
  u16be(): number {
    return this.view.getUint16(this.at(2), false);
  }
  i32be(): number {
    return this.view.getInt32(this.at(4), false);
  }
  u32be(): number {
    return this.view.getUint32(this.at(4), false);
  }
  /** Big-endian int64 as a number; values beyond 2^53 are reported as corrupt. */
  i64be(field: string): number {
    const start = this.pos;
    const v = this.view.getBigInt64(this.at(8), false);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      this.fail(field, `must be a 64-bit integer below 2^53; got ${v}.`, start);
    }
    return Number(v);
  }
  bytes(n: number): Uint8Array {
    const i = this.at(n);
    return this.buf.subarray(i, i + n);
  }
  /** One simple value of DM type `t` in the file's value byte order. */
  simple(t: number): number | boolean {
    const le = this.littleEndian;
    switch (t) {
      case 2: return this.view.getInt16(this.at(2), le);
      case 3: return this.view.getInt32(this.at(4), le);
      case 4: return this.view.getUint16(this.at(2), le);
      case 5: return this.view.getUint32(this.at(4), le);
      case 6: return this.view.getFloat32(this.at(4), le);
      case 7: return this.view.getFloat64(this.at(8), le);
      case 8: return this.buf[this.at(1)] !== 0;
      case 9:
      case 10: return this.view.getInt8(this.at(1));
      case 11: return Number(this.view.getBigInt64(this.at(8), le));
      default: return Number(this.view.getBigUint64(this.at(8), le));
    }
  }
}

/**
 * Parses a DM3/DM4 file's header and whole tag tree.
 *
 * @param src - bounds-checked byte source of the file.
 * @returns header fields, the tag tree as plain objects (image pixel arrays as {@link DmArrayRef})
 *   and the byte offset of every data tag.
 * @throws FormatError naming the file, the tag path and the byte offset for a wrong version, a
 *   truncated file, counts or sizes larger than the file, nesting deeper than DM_LIMITS.maxDepth.
 */
export async function parseDmFile(src: ByteSource): Promise<DmFile> {
  const head = await src.read(0, Math.min(16, src.size), 'header');
  if (head.length < 16) {
    throw new FormatError(src.name, 'header', 0, `must be at least 16 bytes for a DM3/DM4 header; got a ${src.size}-byte file.`);
  }
  const hv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const version = hv.getInt32(0, false);
  if (version !== 3 && version !== 4) {
    throw new FormatError(src.name, 'header.version', 0, `DM version must be 3 or 4; got ${version}.`);
  }
  const rootLengthBytes = version === 3 ? hv.getUint32(4, false) : Number(hv.getBigUint64(4, false));
  const flagOffset = version === 3 ? 8 : 12;
  const flag = hv.getInt32(flagOffset, false);
  if (flag !== 0 && flag !== 1) {
    throw new FormatError(src.name, 'header.byteOrder', flagOffset, `byte-order flag must be 0 (big-endian) or 1 (little-endian); got ${flag}.`);
  }
  const cur = new Cursor(src, flagOffset + 4, flag === 1);
  const parser = new TagParser(cur, version);
  const tags: DmTagGroup = {};
  await parser.groupBody(tags, '', 0);
  return { version, littleEndian: flag === 1, rootLengthBytes, tags, offsets: parser.offsets };
}

class TagParser {
  readonly offsets = new Map<string, number>();
  private entries = 0;
  private readonly wide: boolean;
  constructor(private readonly cur: Cursor, private readonly version: 3 | 4) {
    this.wide = version === 4;
  }

  /** A structural count/size: int32 in DM3, int64 in DM4, big-endian, never negative. */
  private async count(field: string): Promise<number> {
    const start = this.cur.pos;
    await this.cur.need(this.wide ? 8 : 4, field);
    const v = this.wide ? this.cur.i64be(field) : this.cur.i32be();
    if (v < 0) this.cur.fail(field, `must be a non-negative count; got ${v}.`, start);
    return v;
  }

  async groupBody(into: DmTagGroup, path: string, depth: number): Promise<void> {
    const cur = this.cur;
    const field = path ? `${path} (tag group)` : 'root tag group';
    await cur.need(2, field);
    cur.u8(); // is_sorted
    cur.u8(); // is_open
    const countAt = cur.pos;
    const n = await this.count(`${field}.count`);
    const minBytes = n * MIN_ENTRY_BYTES[this.version];
    if (minBytes > cur.remaining) {
      cur.fail(`${field}.count`, `claims ${n} tags, which need at least ${minBytes} bytes, but only ${cur.remaining} bytes are left in the file.`, countAt);
    }
    let unnamedGroups = 0;
    let unnamedData = 0;
    for (let i = 0; i < n; i++) {
      const entryAt = cur.pos;
      if (++this.entries > DM_LIMITS.maxEntries) {
        cur.fail(field, `must hold at most ${DM_LIMITS.maxEntries} tags in all; the file claims more.`, entryAt);
      }
      await cur.need(3, `${field}[${i}]`);
      const kind = cur.u8();
      const nameLength = cur.u16be();
      await cur.need(nameLength, `${field}[${i}].name`);
      let name = latin1OrUtf8(cur.bytes(nameLength));
      if (this.wide) {
        const sizeAt = cur.pos;
        const entryBytes = await this.count(`${field}[${i}].size`);
        if (entryBytes > cur.remaining) {
          cur.fail(`${joinPath(path, name)}.size`, `claims ${entryBytes} bytes but only ${cur.remaining} are left in the file.`, sizeAt);
        }
      }
      if (kind === 20) {
        if (!name) name = `TagGroup${unnamedGroups++}`;
        const childPath = joinPath(path, name);
        if (depth + 1 > DM_LIMITS.maxDepth) {
          cur.fail(childPath, `tag groups must nest at most ${DM_LIMITS.maxDepth} deep; this file nests deeper.`, entryAt);
        }
        const child: DmTagGroup = {};
        setOwn(into, name, child);
        await this.groupBody(child, childPath, depth + 1);
      } else if (kind === 21) {
        if (!name) name = `Data${unnamedData++}`;
        const childPath = joinPath(path, name);
        const forceRef = name === 'Data' && path.endsWith('ImageData');
        setOwn(into, name, await this.dataTag(childPath, forceRef));
      } else {
        cur.fail(`${field}[${i}].kind`, `tag entry kind must be 20 (group) or 21 (data); got ${kind}.`, entryAt);
      }
    }
  }

  private async dataTag(path: string, forceRef: boolean): Promise<DmValue> {
    const cur = this.cur;
    const delimAt = cur.pos;
    await cur.need(4, `${path}.delimiter`);
    const delim = latin1OrUtf8(cur.bytes(4));
    if (delim !== '%%%%') cur.fail(`${path}.delimiter`, `data tag must start with '%%%%'; got ${JSON.stringify(delim)}.`, delimAt);
    const infoAt = cur.pos;
    const nInfo = await this.count(`${path}.infoLength`);
    const word = this.wide ? 8 : 4;
    if (nInfo < 1 || nInfo > DM_LIMITS.maxInfoWords) {
      cur.fail(`${path}.infoLength`, `info array length must be 1..${DM_LIMITS.maxInfoWords}; got ${nInfo}.`, infoAt);
    }
    await cur.need(nInfo * word, `${path}.info`);
    const info: number[] = [];
    for (let k = 0; k < nInfo; k++) info.push(this.wide ? cur.i64be(`${path}.info`) : cur.i32be());
    if (info.some(w => w < 0)) cur.fail(`${path}.info`, `info array words must be non-negative; got [${info.slice(0, 16).join(', ')}].`, infoAt + word);
    const { desc, next } = this.parseType(info, 0, path, infoAt, 0);
    if (next !== info.length) {
      cur.fail(`${path}.info`, `info array must describe one type exactly; ${info.length - next} words are left over in [${info.join(', ')}].`, infoAt);
    }
    const valueAt = cur.pos;
    if (desc.bytes > cur.remaining) {
      cur.fail(path, `value needs ${desc.bytes} bytes but only ${cur.remaining} are left in the file; it is truncated or the tag is corrupt.`, valueAt);
    }
    this.offsets.set(path, valueAt);
    if (desc.kind === 'array' && (forceRef || desc.count > DM_LIMITS.maxInlineElements || desc.bytes > DM_LIMITS.maxInlineBytes)) {
      cur.skip(desc.bytes, path);
      const e = desc.elem;
      const elementType = e.kind === 'simple' ? e.t : e.kind === 'struct' ? 15 : e.kind === 'string' ? 18 : 20;
      return new DmArrayRef(valueAt, desc.count, elementType, desc.bytes, cur.littleEndian);
    }
    if (desc.bytes > DM_LIMITS.maxInlineBytes) {
      cur.fail(path, `value of ${desc.bytes} bytes is too large to be a metadata tag.`, valueAt);
    }
    await cur.need(desc.bytes, path);
    return this.readValue(desc);
  }

  /** Decodes a type description from the info array (checked against the file size). */
  private parseType(info: number[], i: number, path: string, at: number, depth: number): { desc: TypeDesc; next: number } {
    const cur = this.cur;
    const bad = (what: string): never => cur.fail(`${path}.info`, `${what}; got info array [${info.slice(0, 16).join(', ')}${info.length > 16 ? ', …' : ''}].`, at);
    if (depth > 4) bad('type descriptions must nest at most 4 deep');
    if (i >= info.length) bad('info array is too short for its type');
    const t = info[i];
    if (SIMPLE_BYTES[t] !== undefined) return { desc: { kind: 'simple', t, bytes: SIMPLE_BYTES[t] }, next: i + 1 };
    if (t === 18) {
      if (i + 1 >= info.length) bad('string type needs a length');
      return { desc: { kind: 'string', length: info[i + 1], bytes: info[i + 1] }, next: i + 2 };
    }
    if (t === 15) {
      if (i + 2 >= info.length) bad('struct type needs a field count');
      const nFields = info[i + 2];
      if (nFields > (info.length - i - 3) / 2) bad(`struct claims ${nFields} fields, more than the info array holds`);
      const fields: TypeDesc[] = [];
      let bytes = 0;
      let k = i + 3;
      for (let f = 0; f < nFields; f++) {
        const r = this.parseType(info, k + 1, path, at, depth + 1); // skip the field-name length word
        fields.push(r.desc);
        bytes += r.desc.bytes;
        k = r.next;
      }
      return { desc: { kind: 'struct', fields, bytes }, next: k };
    }
    if (t === 20) {
      const r = this.parseType(info, i + 1, path, at, depth + 1);
      if (r.next >= info.length) bad('array type needs an element count');
      const count = info[r.next];
      if (count > 0 && r.desc.bytes === 0) bad('array elements must have a non-zero size');
      const bytes = count * r.desc.bytes;
      if (!Number.isSafeInteger(bytes) || bytes > cur.remaining) {
        cur.fail(path, `array claims ${count} elements of ${r.desc.bytes} bytes (${bytes} bytes) but only ${cur.remaining} bytes are left in the file.`, cur.pos);
      }
      return { desc: { kind: 'array', elem: r.desc, count, bytes }, next: r.next + 1 };
    }
    return bad(`element type must be one of 2–12, 15, 18, 20; got ${t}`);
  }

  /** Reads a value whose bytes are already buffered. */
  private readValue(desc: TypeDesc): DmValue {
    const cur = this.cur;
    switch (desc.kind) {
      case 'simple':
        return cur.simple(desc.t);
      case 'string':
        return latin1OrUtf8(cur.bytes(desc.length));
      case 'struct':
        return desc.fields.map(f => this.readValue(f));
      case 'array': {
        if (desc.elem.kind === 'simple' && desc.elem.t === 4) {
          // Arrays of uint16 are how DM stores text (UTF-16 code units).
          const units: number[] = [];
          for (let k = 0; k < desc.count; k++) units.push(cur.simple(4) as number);
          let s = '';
          for (let k = 0; k < units.length; k += 4096) s += String.fromCharCode(...units.slice(k, k + 4096));
          return s;
        }
        const out: DmValue[] = [];
        for (let k = 0; k < desc.count; k++) out.push(this.readValue(desc.elem));
        return out;
      }
    }
  }
}

function joinPath(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

/** Defines an own property even for names such as `__proto__`, so tag names never touch prototypes. */
function setOwn(obj: DmTagGroup, name: string, value: DmValue): void {
  Object.defineProperty(obj, name, { value, enumerable: true, writable: true, configurable: true });
}

function latin1OrUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    let s = '';
    for (let k = 0; k < bytes.length; k++) s += String.fromCharCode(bytes[k]);
    return s;
  }
}

/** The group at a dotted path of names (`['ImageData', 'Calibrations']`), or undefined. */
export function dmGet(group: DmTagGroup | undefined, ...names: string[]): DmValue | undefined {
  let v: DmValue | undefined = group;
  for (const name of names) {
    if (!isGroup(v) || !Object.prototype.hasOwnProperty.call(v, name)) return undefined;
    v = v[name];
  }
  return v;
}

/** True for a tag group (not an array, array reference or simple value). */
export function isGroup(v: DmValue | undefined): v is DmTagGroup {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !isArrayRef(v);
}

/** True for a {@link DmArrayRef}. */
export function isArrayRef(v: DmValue | undefined): v is DmArrayRef {
  return v instanceof DmArrayRef;
}
