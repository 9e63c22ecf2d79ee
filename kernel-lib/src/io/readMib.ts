import fs from 'fs';
import ndarray from 'ndarray';
import { FormatError, ValueError } from '../errors';
import { Axis, Dataset, Metadata, NdArray, NumericArray } from '../types/dataset';
import { ByteSource, openByteSource } from './_internal/byteSource';
import { makeLazySource } from './_internal/lazySource';
import {
  decodeMibFrame,
  isoToNs,
  looksLikeMib,
  MibHeader,
  mibFrameShape,
  navFromHdr,
  navFromTimestamps,
  parseHdr,
  parseMibHeader
} from './_internal/mibHeader';
import { selectSignal } from './_internal/selectSignal';
import { FormatHandler } from './formats';
import { LazySource, PathOrBytes, ReadOptions } from './types';

/** Options of {@link readMib}. */
export interface MibReadOptions extends ReadOptions {
  /** Scan shape `[rows, cols]` (slowest first); default from the .hdr, else from frame timestamps. */
  navigationShape?: number[];
}

interface MibFile {
  src: ByteSource;
  header: MibHeader;
  frameShape: [number, number];
  shape: number[];
  axes: Axis[];
  metadata: Metadata;
  dtype: string;
}

/** Frames whose headers are read to infer a scan shape from timestamps (bounds the work). */
const MAX_TIMESTAMP_FRAMES = 1 << 17;
/** Bytes per read when loading many frames. */
const CHUNK_BYTES = 64 * 2 ** 20;

function readHdrSidecar(mibPath: string): Record<string, string> | undefined {
  const hdrPath = mibPath.replace(/\.mib$/i, '.hdr');
  if (hdrPath === mibPath || !fs.existsSync(hdrPath)) return undefined;
  const st = fs.statSync(hdrPath);
  if (!st.isFile() || st.size > 2 ** 20) return undefined;
  return parseHdr(fs.readFileSync(hdrPath, 'latin1'));
}

async function frameTimestamps(src: ByteSource, h: MibHeader, frames: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < frames; i++) {
    const at = i * h.frameBytes;
    const head = await src.read(at, Math.min(h.headerBytes, 512), `frame ${i} header`);
    const f = Buffer.from(head).toString('latin1').split(',');
    const k = f.indexOf('MQ1A');
    // MQ1A: UTC with ns; older files: local time with µs (only differences matter here)
    const ns = k >= 0 ? isoToNs(f[k + 1]) : isoToNs((f[9] ?? '').trim().replace(' ', 'T'));
    out.push(ns);
  }
  return out;
}

async function parseMib(src: ByteSource, options: MibReadOptions): Promise<MibFile> {
  const first = await src.read(0, Math.min(src.size, 2048), 'frame header');
  if (!looksLikeMib(first)) throw new FormatError(src.name, 'frame header', 0, "must start with 'MQ1,' (a Merlin .mib file); got something else.");
  const hdr = readHdrSidecar(src.name);
  const hdrDepth = hdr ? Number(hdr['Counter Depth (number)']) || undefined : undefined;
  const declared = Number(Buffer.from(first.subarray(0, 32)).toString('latin1').split(',')[2]);
  const headBytes = Number.isInteger(declared) && declared > 0 && declared <= first.length ? first.subarray(0, declared) : first;
  const h = parseMibHeader(headBytes, src.name, 0, hdrDepth);
  if (h.frameBytes > src.size) {
    throw new FormatError(src.name, 'frame size', 0, `a frame needs ${h.frameBytes} bytes (${h.width}×${h.height} ${h.pixelType} + ${h.headerBytes}-byte header) but the file has ${src.size}; it is truncated or the header is corrupt.`);
  }
  const frames = Math.floor(src.size / h.frameBytes);

  let nav: number[] | undefined;
  let navSource = 'frames';
  if (options.navigationShape !== undefined) {
    const ns = options.navigationShape;
    if (!Array.isArray(ns) || ns.length < 1 || ns.length > 2 || ns.some(v => !Number.isInteger(v) || v < 1) || ns.reduce((a, b) => a * b, 1) > frames) {
      throw new ValueError(`readMib: options.navigationShape must be 1 or 2 positive integers whose product is at most the ${frames} frames in the file; got ${JSON.stringify(ns)}.`);
    }
    nav = ns.slice();
    navSource = 'option';
  }
  if (!nav && hdr) {
    nav = navFromHdr(hdr, frames);
    if (nav) navSource = 'hdr';
  }
  if (!nav && frames >= 4 && frames <= MAX_TIMESTAMP_FRAMES) {
    nav = navFromTimestamps(await frameTimestamps(src, h, frames));
    if (nav) navSource = 'timestamps';
  }
  if (!nav) nav = frames > 1 ? [frames] : [];

  const frameShape = mibFrameShape(h);
  const navAxes: Axis[] =
    nav.length === 2
      ? [
          { name: 'scanRow', size: nav[0], scale: 1, offset: 0, units: '' },
          { name: 'scanCol', size: nav[1], scale: 1, offset: 0, units: '' }
        ]
      : nav.map(n => ({ name: 'frame', size: n, scale: 1, offset: 0, units: '' }));
  const sigAxes: Axis[] = [
    { name: 'detRow', size: frameShape[0], scale: 1, offset: 0, units: '' },
    { name: 'detCol', size: frameShape[1], scale: 1, offset: 0, units: '' }
  ];
  const exposureS = h.exposureNs !== undefined ? h.exposureNs / 1e9 : Number.isFinite(h.shutterS) ? h.shutterS : undefined;
  const chip = hdr?.['Chip Type (Medipix 3.0, Medipix 3.1, Medipix 3RX)'];
  const metadata: Metadata = {
    sourceFormat: 'mib',
    sourceFile: src.name,
    sourceDtype: h.raw ? `R64 ${h.counterDepth}-bit` : `>u${h.bitsPerPixel / 8}`,
    title: src.name.split(/[\\/]/).pop()?.replace(/\.mib$/i, '') ?? '',
    signalType: nav.length === 2 ? '4d-stem' : 'diffraction',
    detector: chip ? `Merlin ${chip}` : 'Merlin',
    detectorLayout: `${h.chips === 4 ? 'quad' : 'single chip'} ${h.layout}`,
    ...(exposureS !== undefined ? { exposureS, ...(nav.length === 2 ? { dwellTimeS: exposureS } : {}) } : {}),
    ...(h.isoTimestamp ? { acquisitionDate: h.isoTimestamp } : h.timestamp ? { acquisitionDate: h.timestamp.replace(' ', 'T') } : {}),
    counterDepth: h.counterDepth,
    thresholdsKeV: h.thresholdsKeV,
    framesInFile: frames,
    navigationShapeFrom: navSource,
    original: { header: h.fields, ...(hdr ? { hdr } : {}) }
  };
  const dtype = h.raw ? (h.bitsPerPixel === 16 ? 'uint16' : 'uint8') : h.bitsPerPixel === 8 ? 'uint8' : h.bitsPerPixel === 16 ? 'uint16' : 'uint32';
  return { src, header: h, frameShape, shape: [...nav, ...frameShape], axes: [...navAxes, ...sigAxes], metadata, dtype };
}

const CTORS: { [d: string]: { new (n: number): NumericArray } } = { uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array };

/** Reads frames [start, start + count), decoded and flipped vertically as RosettaSciIO returns them. */
async function readFrames(m: MibFile, start: number, count: number): Promise<{ data: NumericArray }> {
  const h = m.header;
  const [rows, cols] = m.frameShape;
  const per = rows * cols;
  const out = new CTORS[m.dtype](per * count);
  const tmp = new CTORS[m.dtype](per);
  const batch = Math.max(1, Math.floor(CHUNK_BYTES / h.frameBytes));
  for (let k = 0; k < count; k += batch) {
    const n = Math.min(batch, count - k);
    const at = (start + k) * h.frameBytes;
    const bytes = await m.src.read(at, n * h.frameBytes, `frames ${start + k}..${start + k + n - 1}`);
    for (let j = 0; j < n; j++) {
      const f = bytes.subarray(j * h.frameBytes, (j + 1) * h.frameBytes);
      if (!(f[0] === 0x4d && f[1] === 0x51 && f[2] === 0x31 && f[3] === 0x2c)) {
        throw new FormatError(m.src.name, `frame ${start + k + j} header`, at + j * h.frameBytes, "must start with 'MQ1,' (frames of one file share a size); got something else.");
      }
      decodeMibFrame(h, f.subarray(h.headerBytes), tmp, 0);
      const base = (k + j) * per;
      for (let r = 0; r < rows; r++) out.set(tmp.subarray((rows - 1 - r) * cols, (rows - r) * cols), base + r * cols);
    }
  }
  return { data: out };
}

/**
 * Format handler for Quantum Detectors Merlin `.mib` files (sniffs 'MQ1,'); `open` reads patterns
 * and chunks of frames on demand, never the whole file.
 */
export const mibFormat: FormatHandler = {
  name: 'mib',
  extensions: ['mib'],
  sniff(head: Uint8Array): boolean {
    return looksLikeMib(head);
  },
  async readAll(src: ByteSource, options: MibReadOptions): Promise<Dataset[]> {
    const m = await parseMib(src, options);
    const n = m.shape.slice(0, -2).reduce((a, b) => a * b, 1);
    const { data } = await readFrames(m, 0, n);
    return [{ data: ndarray(data, m.shape) as NdArray, axes: m.axes.map(a => ({ ...a })), metadata: { ...m.metadata } }];
  },
  async open(src: ByteSource, options: MibReadOptions): Promise<LazySource> {
    const m = await parseMib(src, options);
    return makeLazySource({
      name: src.name,
      shape: m.shape,
      axes: m.axes,
      metadata: m.metadata,
      dtype: m.dtype,
      frameDims: 2,
      scan: m.shape.length === 4,
      read: (start, count) => readFrames(m, start, count),
      close: () => src.close()
    });
  }
};

/**
 * Reads a Quantum Detectors Merlin `.mib` file: single frames, frame series and 4D-STEM scans
 * `[scanRow, scanCol, detRow, detCol]`.
 *
 * Counter depths 1 and 6 (U08), 12 (U16) and 24 (U32) are read as stored (big-endian); RAW 'R64'
 * frames of depth 1, 6 or 12 are unpacked (quad RAW frames assembled to 512 × 512). Every frame is
 * flipped vertically, as RosettaSciIO does. The scan shape comes from `options.navigationShape`,
 * else the `.hdr` sidecar (ScanX/ScanY, or frames per line trigger), else the fly-back gaps in the
 * frame timestamps; otherwise frames form a 1-D series. Metadata: exposureS (dwellTimeS for scans),
 * acquisitionDate (ns-resolved UTC), counterDepth, thresholdsKeV, detector; header fields and the
 * `.hdr` under `original`. Axes are uncalibrated pixel indices (Merlin files carry no calibration).
 *
 * @param pathOrBytes - path of a `.mib` file (its `.hdr` is read when beside it) or its bytes.
 * @param options - `navigationShape: [rows, cols]` to impose a scan shape.
 * @returns the Dataset.
 * @throws FormatError (file, field, offset) for a bad or truncated frame header or unsupported
 *   pixel type; ValueError when `navigationShape` does not fit the frames in the file.
 * @example
 * const scan = await lowdose.io.readMib('001_4x2_6bit.mib');
 * scan.data.shape;   // [2, 4, 256, 256]
 */
export async function readMib(pathOrBytes: PathOrBytes, options: MibReadOptions = {}): Promise<Dataset> {
  const src = await openByteSource(pathOrBytes, options.name);
  try {
    return selectSignal(await mibFormat.readAll(src, options), options.signal, 'readMib', src.name);
  } finally {
    await src.close();
  }
}
