// Quantum Detectors Merlin .mib: a run of frames, each an ASCII header ('MQ1,…', comma separated,
// padded to its declared size) followed by the pixels (big-endian unsigned integers, or packed
// RAW 'R64' counters). Plus the .hdr acquisition sidecar and RAW unpacking as LiberTEM documents it.
import { FormatError } from '../../errors';
import { NumericArray } from '../../types/dataset';

/** What one frame header says (every frame of a file shares layout). */
export interface MibHeader {
  headerBytes: number;
  sequence: number;
  chips: number;
  /** Pixels per row (header field 4) and rows (field 5). */
  width: number;
  height: number;
  pixelType: string;
  layout: string;
  timestamp: string;
  shutterS: number;
  thresholdsKeV: number[];
  /** MQ1A extension: ISO UTC timestamp with ns, exposure (ns), counter depth. */
  isoTimestamp?: string;
  exposureNs?: number;
  counterDepth?: number;
  raw: boolean;
  /** Bits per pixel as stored (RAW: packed depth; processed: 8, 16 or 32). */
  bitsPerPixel: number;
  frameBytes: number;
  fields: string[];
}

const MAX_SIDE = 65536;

/** True when `head` starts with 'MQ1,'. */
export function looksLikeMib(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x4d && head[1] === 0x51 && head[2] === 0x31 && head[3] === 0x2c;
}

/** Parses a frame header (the first `headerBytes` bytes of a frame). */
export function parseMibHeader(bytes: Uint8Array, file: string, at: number, hdrDepth?: number): MibHeader {
  if (!looksLikeMib(bytes)) throw new FormatError(file, 'frame header', at, "must start with 'MQ1,' (a Merlin .mib frame); got something else.");
  const text = Buffer.from(bytes).toString('latin1');
  const fields = text.split(',');
  const int = (i: number, name: string, min: number, max: number): number => {
    const v = Number(fields[i]);
    if (!Number.isInteger(v) || v < min || v > max) throw new FormatError(file, `frame header ${name}`, at, `must be an integer in ${min}..${max}; got ${JSON.stringify(fields[i])}.`);
    return v;
  };
  const headerBytes = int(2, 'header size', 16, 1 << 20);
  const width = int(4, 'width', 1, MAX_SIDE);
  const height = int(5, 'height', 1, MAX_SIDE);
  const pixelType = (fields[6] ?? '').trim();
  const mq1a = fields.indexOf('MQ1A');
  const h: MibHeader = {
    headerBytes,
    sequence: Number(fields[1]),
    chips: Number(fields[3]),
    width,
    height,
    pixelType,
    layout: (fields[7] ?? '').trim(),
    timestamp: (fields[9] ?? '').trim(),
    shutterS: Number(fields[10]),
    thresholdsKeV: fields.slice(14, 22).map(Number).filter(Number.isFinite),
    raw: pixelType === 'R64',
    bitsPerPixel: 0,
    frameBytes: 0,
    fields: fields.map(f => f.replace(/\0+$/, '')).slice(0, mq1a >= 0 ? mq1a + 4 : fields.length)
  };
  if (mq1a >= 0) {
    h.isoTimestamp = fields[mq1a + 1];
    const ns = /^(\d+)ns$/.exec(fields[mq1a + 2] ?? '');
    if (ns) h.exposureNs = Number(ns[1]);
    const depth = Number(fields[mq1a + 3]);
    if (Number.isInteger(depth)) h.counterDepth = depth;
  }
  if (!h.counterDepth && hdrDepth) h.counterDepth = hdrDepth;
  if (pixelType === 'U08') h.bitsPerPixel = 8;
  else if (pixelType === 'U16') h.bitsPerPixel = 16;
  else if (pixelType === 'U32') h.bitsPerPixel = 32;
  else if (h.raw) {
    const depth = h.counterDepth ?? 0;
    h.bitsPerPixel = depth === 1 ? 1 : depth === 6 ? 8 : depth === 12 ? 16 : 0;
    if (!h.bitsPerPixel) {
      throw new FormatError(file, 'counter depth', at, `RAW (R64) frames must have counter depth 1, 6 or 12 to be unpacked; got ${h.counterDepth ?? 'none'}.`);
    }
    if (width % 64 !== 0 && h.bitsPerPixel === 1) throw new FormatError(file, 'frame header width', at, `RAW 1-bit rows must hold a multiple of 64 pixels; got ${width}.`);
  } else {
    throw new FormatError(file, 'frame header pixel type', at, `must be U08, U16, U32 or R64; got ${JSON.stringify(pixelType)}.`);
  }
  h.frameBytes = headerBytes + (width * height * h.bitsPerPixel) / 8;
  return h;
}

/** The .hdr sidecar as key → value ('Frames in Acquisition (Number)' → '8'). */
export function parseHdr(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.replace(/\0/g, '').split(/\r?\n/)) {
    if (line.startsWith('HDR') || line.startsWith('End')) continue;
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    out[line.slice(0, tab).replace(/:$/, '').trim()] = line.slice(tab + 1).trim();
  }
  return out;
}

/** Scan shape [rows, cols] from the .hdr: ScanX/ScanY, else the line trigger (frames per trigger). */
export function navFromHdr(hdr: Record<string, string>, frames: number): number[] | undefined {
  const sx = Number(hdr.ScanX);
  const sy = Number(hdr.ScanY);
  if (Number.isInteger(sx) && Number.isInteger(sy) && sx > 0 && sy > 0 && sx * sy <= frames) return [sy, sx];
  const fpt = Number(hdr['Frames per Trigger (Number)']);
  const total = Number(hdr['Frames in Acquisition (Number)']);
  if (Number.isInteger(fpt) && fpt > 1 && Number.isInteger(total) && total >= fpt) {
    const rows = Math.floor(Math.min(total, frames) / fpt);
    if (rows >= 1) return [rows, fpt];
  }
  return undefined;
}

/**
 * Scan line length from frame timestamps: with a line trigger, the gap after the last frame of a
 * line (fly-back) is longer than every gap inside a line. Returns [rows, cols] only when that
 * pattern is clear (at least 2 lines, fly-back margin above the jitter), else undefined.
 */
export function navFromTimestamps(timesNs: number[]): number[] | undefined {
  const n = timesNs.length;
  if (n < 4) return undefined;
  const gaps = timesNs.slice(1).map((t, i) => t - timesNs[i]);
  if (gaps.some(g => !Number.isFinite(g) || g <= 0)) return undefined;
  for (let len = 2; len <= n / 2; len++) {
    if (n % len !== 0) continue;
    let flyMin = Infinity;
    let inMax = -Infinity;
    let inMin = Infinity;
    gaps.forEach((g, i) => {
      if ((i + 1) % len === 0) flyMin = Math.min(flyMin, g);
      else {
        inMax = Math.max(inMax, g);
        inMin = Math.min(inMin, g);
      }
    });
    const margin = flyMin - inMax;
    if (margin > 1000 && margin > 5 * (inMax - inMin)) return [n / len, len];
  }
  return undefined;
}

/** Nanoseconds since the epoch of a MQ1A 'YYYY-MM-DDTHH:MM:SS.fffffffffZ' timestamp. */
export function isoToNs(iso: string | undefined): number {
  const m = iso && /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z?$/.exec(iso.trim());
  if (!m) return NaN;
  const s = Date.parse(`${m[1]}Z`);
  return s * 1e6 + Number((m[2] ?? '0').padEnd(9, '0'));
}

/** Unpacks one 64-pixel stripe set of a RAW row segment (LiberTEM's byte/word swaps). */
function unpackRawSegment(inp: Uint8Array, bits: number, out: NumericArray, outAt: number, count: number, reverse: boolean): void {
  const put = (i: number, v: number) => {
    out[reverse ? outAt + count - 1 - i : outAt + i] = v;
  };
  if (bits === 1) {
    // 64 pixels per 8-byte word: pixel 8·b + k of a word is bit k of byte 7 − b
    for (let s = 0; s < count / 64; s++) {
      for (let b = 0; b < 8; b++) {
        const byte = inp[s * 8 + 7 - b];
        for (let k = 0; k < 8; k++) put(64 * s + 8 * b + k, (byte >> k) & 1);
      }
    }
  } else if (bits === 8) {
    // one byte per pixel, order reversed within groups of 8
    for (let i = 0; i < count; i++) put((Math.floor(i / 8) + 1) * 8 - (i % 8) - 1, inp[i]);
  } else {
    // big-endian 16-bit words, order reversed within groups of 4
    for (let i = 0; i < count; i++) put((Math.floor(i / 4) + 1) * 4 - (i % 4) - 1, (inp[2 * i] << 8) | inp[2 * i + 1]);
  }
}

/**
 * Decodes one frame's pixel bytes into `out` at `outAt` (file row order, not yet flipped). RAW quad
 * frames (header width 4 × 256 chips side by side) are assembled into 512 × 512 with quadrants 3
 * and 4 rotated by 180°, as LiberTEM does.
 */
export function decodeMibFrame(h: MibHeader, px: Uint8Array, out: NumericArray, outAt: number): void {
  const { width, height } = h;
  if (!h.raw) {
    const v = new DataView(px.buffer, px.byteOffset, px.byteLength);
    const n = width * height;
    if (h.bitsPerPixel === 8) for (let i = 0; i < n; i++) out[outAt + i] = px[i];
    else if (h.bitsPerPixel === 16) for (let i = 0; i < n; i++) out[outAt + i] = v.getUint16(2 * i, false);
    else for (let i = 0; i < n; i++) out[outAt + i] = v.getUint32(4 * i, false);
    return;
  }
  const bits = h.bitsPerPixel;
  if (h.chips === 4 && /2x2/.test(h.layout) && width === 4 * height) {
    const half = height; // one chip is height × height (256 × 256)
    const side = 2 * half;
    const segBytes = (half * bits) / 8;
    for (let y = 0; y < side; y++) {
      const top = y < half;
      const rawRow = top ? y : side - 1 - y;
      const rowAt = (rawRow * width * bits) / 8;
      // raw row = [Q4 | Q3 | Q2 | Q1]; the bottom quadrants are stored rotated by 180°
      const left = px.subarray(rowAt + (top ? 3 : 1) * segBytes, rowAt + (top ? 4 : 2) * segBytes);
      const right = px.subarray(rowAt + (top ? 2 : 0) * segBytes, rowAt + (top ? 3 : 1) * segBytes);
      unpackRawSegment(left, bits, out, outAt + y * side, half, !top);
      unpackRawSegment(right, bits, out, outAt + y * side + half, half, !top);
    }
    return;
  }
  const rowBytes = (width * bits) / 8;
  for (let y = 0; y < height; y++) unpackRawSegment(px.subarray(y * rowBytes, (y + 1) * rowBytes), bits, out, outAt + y * width, width, false);
}

/** Shape [rows, cols] of a decoded frame (RAW quads are assembled to a square). */
export function mibFrameShape(h: MibHeader): [number, number] {
  if (h.raw && h.chips === 4 && /2x2/.test(h.layout) && h.width === 4 * h.height) return [2 * h.height, 2 * h.height];
  return [h.height, h.width];
}
