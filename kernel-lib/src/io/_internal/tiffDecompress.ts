// TIFF segment (strip / tile) codecs: LZW, PackBits, Deflate, and the horizontal (2) and
// floating-point (3) predictors. Every decoder writes into a buffer of the size the page layout
// expects and never grows it, so a hostile stream cannot make it allocate more (decompression bomb).
import { inflateRawSync, inflateSync } from 'zlib';
import { FormatError } from '../../errors';

/** Compression schemes lowdose decodes. */
export const TIFF_COMPRESSION_NAMES: { [code: number]: string } = {
  1: 'none',
  5: 'LZW',
  8: 'Deflate',
  32946: 'Deflate',
  32773: 'PackBits'
};

/**
 * Largest decompressed/compressed size ratio each codec can reach (used to reject a page that claims
 * more pixels than its compressed bytes can hold, before allocating it).
 */
export const MAX_EXPANSION: { [code: number]: number } = { 1: 1, 5: 4096, 8: 1100, 32946: 1100, 32773: 64 };

/** Where a segment sits in the file, for error messages. */
export interface SegmentContext {
  file: string;
  field: string;
  offset: number;
}

/**
 * Decompresses one segment into exactly `expected` bytes.
 * @throws FormatError when the stream is corrupt, too short, or expands beyond `capacity` bytes.
 */
export function decompressSegment(
  compression: number,
  input: Uint8Array,
  expected: number,
  capacity: number,
  ctx: SegmentContext
): Uint8Array {
  switch (compression) {
    case 1:
      if (input.length < expected) short(ctx, input.length, expected);
      return input.subarray(0, expected);
    case 5:
      return lzwDecode(input, expected, ctx);
    case 32773:
      return packBitsDecode(input, expected, ctx);
    case 8:
    case 32946:
      return inflate(input, expected, capacity, ctx);
    default:
      throw new FormatError(
        ctx.file,
        'Compression',
        ctx.offset,
        `must be one of 1 (none), 5 (LZW), 8/32946 (Deflate), 32773 (PackBits); got ${compression}. ` +
          'Convert the file with tifffile or Fiji to one of these.'
      );
  }
}

function short(ctx: SegmentContext, got: number, expected: number): never {
  throw new FormatError(ctx.file, ctx.field, ctx.offset, `decodes to ${got} bytes but the image layout needs ${expected}; the data are truncated or corrupt.`);
}

function inflate(input: Uint8Array, expected: number, capacity: number, ctx: SegmentContext): Uint8Array {
  const maxOutputLength = Math.max(1, capacity);
  let out: Buffer;
  try {
    out = inflateSync(input, { maxOutputLength });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw new FormatError(ctx.file, ctx.field, ctx.offset, `Deflate stream expands beyond ${maxOutputLength} bytes (the segment holds ${expected}): a decompression bomb or a corrupt stream.`);
    }
    try {
      out = inflateRawSync(input, { maxOutputLength }); // a few writers omit the zlib wrapper
    } catch {
      throw new FormatError(ctx.file, ctx.field, ctx.offset, `Deflate stream is corrupt (${err.message}).`);
    }
  }
  if (out.length < expected) short(ctx, out.length, expected);
  return new Uint8Array(out.buffer, out.byteOffset, expected);
}

/** PackBits (Apple run-length) decoding into `expected` bytes. */
export function packBitsDecode(input: Uint8Array, expected: number, ctx: SegmentContext): Uint8Array {
  const out = new Uint8Array(expected);
  let i = 0;
  let o = 0;
  while (o < expected && i < input.length) {
    const n = (input[i++] << 24) >> 24;
    if (n >= 0) {
      const len = Math.min(n + 1, expected - o, input.length - i);
      out.set(input.subarray(i, i + len), o);
      i += n + 1;
      o += len;
    } else if (n !== -128) {
      if (i >= input.length) break;
      const len = Math.min(1 - n, expected - o);
      out.fill(input[i++], o, o + len);
      o += len;
    }
  }
  if (o < expected) short(ctx, o, expected);
  return out;
}

/** TIFF LZW (MSB-first codes of 9–12 bits, 256 clear, 257 end, early code-width change). */
export function lzwDecode(input: Uint8Array, expected: number, ctx: SegmentContext): Uint8Array {
  if (input.length >= 2 && input[0] === 0 && (input[1] & 1) === 1) {
    throw new FormatError(ctx.file, ctx.field, ctx.offset, 'uses the pre-TIFF-6.0 "old-style" LZW, which lowdose does not decode; rewrite the file with a current writer.');
  }
  const out = new Uint8Array(expected);
  const prefix = new Int16Array(4096);
  const suffix = new Uint8Array(4096);
  const first = new Uint8Array(4096);
  const length = new Uint16Array(4096);
  for (let c = 0; c < 256; c++) {
    suffix[c] = c;
    first[c] = c;
    length[c] = 1;
    prefix[c] = -1;
  }
  let o = 0;
  let bitBuf = 0;
  let bitCount = 0;
  let pos = 0;
  let codeLen = 9;
  let next = 258;
  let old = -1;
  while (o < expected) {
    while (bitCount < codeLen && pos < input.length) {
      bitBuf = ((bitBuf << 8) | input[pos++]) >>> 0;
      bitCount += 8;
    }
    if (bitCount < codeLen) break;
    const code = (bitBuf >>> (bitCount - codeLen)) & ((1 << codeLen) - 1);
    bitCount -= codeLen;
    bitBuf &= (1 << bitCount) - 1;
    if (code === 257) break;
    if (code === 256) {
      codeLen = 9;
      next = 258;
      old = -1;
      continue;
    }
    let emit: number;
    if (old < 0) {
      if (code > 255) throw new FormatError(ctx.file, ctx.field, ctx.offset + pos, `LZW code ${code} follows a clear code; must be a literal (0..255).`);
      emit = code;
    } else if (code < next) {
      emit = code;
      if (next < 4096) {
        prefix[next] = old;
        suffix[next] = first[code];
        first[next] = first[old];
        length[next] = length[old] + 1;
        next++;
      }
    } else if (code === next && next < 4096) {
      prefix[next] = old;
      suffix[next] = first[old];
      first[next] = first[old];
      length[next] = length[old] + 1;
      next++;
      emit = code;
    } else {
      throw new FormatError(ctx.file, ctx.field, ctx.offset + pos, `LZW code ${code} is not yet defined (next free code ${next}); the stream is corrupt.`);
    }
    // write the string of `emit` backwards from its end, clipped to the output
    const len = length[emit];
    let c = emit;
    let k = o + len - 1;
    while (c >= 0) {
      if (k < expected) out[k] = suffix[c];
      k--;
      c = prefix[c];
    }
    o += len;
    old = emit;
    if (next >= (1 << codeLen) - 1 && codeLen < 12) codeLen++;
  }
  if (o < expected) short(ctx, o, expected);
  return out;
}

/**
 * Undoes horizontal differencing (predictor 2) in place: `rows` rows of `cols` pixels with
 * `samples` interleaved samples of `bytesPerSample` bytes, in the file's byte order.
 */
export function undoHorizontalPredictor(
  buf: Uint8Array,
  rows: number,
  cols: number,
  samples: number,
  bytesPerSample: number,
  littleEndian: boolean
): void {
  const rowValues = cols * samples;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let r = 0; r < rows; r++) {
    const base = r * rowValues;
    switch (bytesPerSample) {
      case 1:
        for (let i = base + samples; i < base + rowValues; i++) buf[i] = (buf[i] + buf[i - samples]) & 0xff;
        break;
      case 2:
        for (let i = base + samples; i < base + rowValues; i++) {
          view.setUint16(2 * i, view.getUint16(2 * i, littleEndian) + view.getUint16(2 * (i - samples), littleEndian), littleEndian);
        }
        break;
      case 4:
        for (let i = base + samples; i < base + rowValues; i++) {
          view.setUint32(4 * i, (view.getUint32(4 * i, littleEndian) + view.getUint32(4 * (i - samples), littleEndian)) >>> 0, littleEndian);
        }
        break;
      case 8:
        for (let i = base + samples; i < base + rowValues; i++) {
          view.setBigUint64(8 * i, BigInt.asUintN(64, view.getBigUint64(8 * i, littleEndian) + view.getBigUint64(8 * (i - samples), littleEndian)), littleEndian);
        }
        break;
    }
  }
}

/**
 * Undoes the floating-point predictor (3): per row, byte-wise differencing over byte planes stored
 * most significant first; writes the values back in the file's byte order.
 */
export function undoFloatPredictor(
  buf: Uint8Array,
  rows: number,
  cols: number,
  samples: number,
  bytesPerSample: number,
  littleEndian: boolean
): void {
  const wc = cols * samples;
  const rowBytes = wc * bytesPerSample;
  const tmp = new Uint8Array(rowBytes);
  for (let r = 0; r < rows; r++) {
    const row = buf.subarray(r * rowBytes, (r + 1) * rowBytes);
    for (let i = samples; i < rowBytes; i++) row[i] = (row[i] + row[i - samples]) & 0xff;
    tmp.set(row);
    for (let k = 0; k < wc; k++) {
      for (let j = 0; j < bytesPerSample; j++) {
        const dst = littleEndian ? k * bytesPerSample + (bytesPerSample - 1 - j) : k * bytesPerSample + j;
        row[dst] = tmp[j * wc + k];
      }
    }
  }
}
