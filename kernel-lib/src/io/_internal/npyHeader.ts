// NPY header (NEP 1 / numpy/lib/format.py): magic, version, length, and the Python dict literal
// describing dtype, memory order and shape — parsed by a small literal parser, never evaluated.
import { FormatError } from '../../errors';
import { FileDtype } from './dtypes';

/** The NPY magic string `\x93NUMPY`. */
export const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** Longest header text accepted (numpy itself refuses more than 10 000 characters by default). */
const MAX_HEADER_BYTES = 1 << 20;
const MAX_DEPTH = 16;

export interface NpyHeader {
  version: string;
  /** Byte offset of the first data byte. */
  dataOffset: number;
  descr: string;
  dtype: FileDtype;
  littleEndian: boolean;
  fortranOrder: boolean;
  shape: number[];
}

const KIND: { [k: string]: FileDtype } = {
  b1: 'bool', i1: 'int8', u1: 'uint8', i2: 'int16', u2: 'uint16', i4: 'int32', u4: 'uint32',
  i8: 'int64', u8: 'uint64', f2: 'float16', f4: 'float32', f8: 'float64', c8: 'complex64', c16: 'complex128'
};

/** True when `head` starts with the NPY magic. */
export function hasNpyMagic(head: Uint8Array): boolean {
  return head.length >= 6 && NPY_MAGIC.every((b, i) => head[i] === b);
}

type PyValue = string | number | boolean | null | PyValue[] | { [k: string]: PyValue };

/** Parses the restricted Python literal numpy writes (dict, tuple, list, str, int, bool, None). */
function parseLiteral(text: string, fail: (pos: number, msg: string) => never): PyValue {
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const value = (depth: number): PyValue => {
    if (depth > MAX_DEPTH) fail(i, `nesting must be at most ${MAX_DEPTH} deep`);
    ws();
    const c = text[i];
    if (c === '{' || c === '(' || c === '[') {
      const close = c === '{' ? '}' : c === '(' ? ')' : ']';
      i++;
      const items: PyValue[] = [];
      const dict: { [k: string]: PyValue } = {};
      for (;;) {
        ws();
        if (text[i] === close) {
          i++;
          break;
        }
        const v = value(depth + 1);
        if (c === '{') {
          if (typeof v !== 'string') fail(i, 'dictionary keys must be strings');
          ws();
          if (text[i] !== ':') fail(i, "expected ':' after a dictionary key");
          i++;
          dict[v as string] = value(depth + 1);
        } else items.push(v);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== close) fail(i, `expected ',' or '${close}'`);
      }
      return c === '{' ? dict : items;
    }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) fail(i, 'unterminated string');
      const s = text.slice(i + 1, end);
      i = end + 1;
      return s;
    }
    const m = /^(True|False|None|-?\d+L?)/.exec(text.slice(i, i + 24));
    if (!m) fail(i, `unexpected character ${JSON.stringify(c ?? 'end of header')}`);
    i += m![0].length;
    if (m![0] === 'True') return true;
    if (m![0] === 'False') return false;
    if (m![0] === 'None') return null;
    return Number(m![0].replace('L', ''));
  };
  const v = value(0);
  ws();
  if (i !== text.length) fail(i, 'unexpected text after the dictionary');
  return v;
}

/**
 * Parses the preamble and header dictionary from the file's first bytes.
 * @param readHeader - reads `length` bytes at `offset` (bounds-checked by the caller's ByteSource).
 * @throws FormatError naming the field (magic, version, header length, descr, shape…) and offset.
 */
export async function parseNpyHeader(
  file: string,
  fileSize: number,
  readHeader: (offset: number, length: number, field: string) => Promise<Uint8Array>
): Promise<NpyHeader> {
  const pre = await readHeader(0, Math.min(fileSize, 12), 'magic');
  if (!hasNpyMagic(pre)) throw new FormatError(file, 'magic', 0, 'an NPY file must start with \\x93NUMPY; got other bytes.');
  if (pre.length < 10) throw new FormatError(file, 'header length', 8, 'the file ends inside the NPY preamble.');
  const major = pre[6];
  if (major < 1 || major > 3) throw new FormatError(file, 'version', 6, `NPY major version must be 1, 2 or 3; got ${major}.`);
  const v = new DataView(pre.buffer, pre.byteOffset, pre.byteLength);
  if (major > 1 && pre.length < 12) throw new FormatError(file, 'header length', 8, 'the file ends inside the NPY preamble.');
  const start = major === 1 ? 10 : 12;
  const len = major === 1 ? v.getUint16(8, true) : v.getUint32(8, true);
  if (len > MAX_HEADER_BYTES || start + len > fileSize) {
    throw new FormatError(file, 'header length', 8, `the header must fit in the file and be at most ${MAX_HEADER_BYTES} bytes; got ${len} (file size ${fileSize}).`);
  }
  const raw = await readHeader(start, len, 'header');
  const text = major === 3 ? new TextDecoder('utf-8').decode(raw) : Array.from(raw, b => String.fromCharCode(b)).join('');
  const fail = (pos: number, msg: string): never => {
    throw new FormatError(file, 'header', start + pos, `the header must be a Python dict literal: ${msg}.`);
  };
  const d = parseLiteral(text.trim(), fail);
  if (typeof d !== 'object' || d === null || Array.isArray(d)) fail(0, 'expected a dictionary');
  const dict = d as { [k: string]: PyValue };
  const { descr, fortran_order: fo, shape } = dict;
  if (typeof descr !== 'string') {
    throw new FormatError(file, 'descr', start, `descr must be a simple dtype string (structured dtypes are not supported); got ${JSON.stringify(descr)}.`);
  }
  const dm = /^([<>|=])?([biufc]\d+)$/.exec(descr);
  const dtype = dm ? KIND[dm[2]] : undefined;
  if (!dm || !dtype) {
    throw new FormatError(
      file,
      'descr',
      start,
      `descr must be a bool, integer, float16/32/64 or complex64/128 dtype such as '<f4'; got '${descr}' (object, string, datetime and structured arrays are refused).`
    );
  }
  if (typeof fo !== 'boolean') throw new FormatError(file, 'fortran_order', start, `fortran_order must be True or False; got ${JSON.stringify(fo)}.`);
  if (!Array.isArray(shape) || !shape.every(s => typeof s === 'number' && Number.isSafeInteger(s) && s >= 0)) {
    throw new FormatError(file, 'shape', start, `shape must be a tuple of non-negative integers; got ${JSON.stringify(shape)}.`);
  }
  return {
    version: `${major}.${pre[7]}`,
    dataOffset: start + len,
    descr,
    dtype,
    littleEndian: dm[1] !== '>',
    fortranOrder: fo,
    shape: shape as number[]
  };
}
