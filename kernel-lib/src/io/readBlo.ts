import ndarray from 'ndarray';
import { FormatError } from '../errors';
import { Axis, Dataset, Metadata, NdArray } from '../types/dataset';
import { ByteSource, openByteSource } from './_internal/byteSource';
import { makeLazySource } from './_internal/lazySource';
import { selectSignal } from './_internal/selectSignal';
import { FormatHandler } from './formats';
import { LazySource, PathOrBytes, ReadOptions } from './types';

/** Fixed header: 'IMGBLO', fields, 8 centring and 14 distortion float64 coefficients (240 bytes). */
const HEADER_BYTES = 240;
/** Each pattern is preceded by 0xAA 0x55 and a uint32 frame number. */
const FRAME_PREFIX = 6;
const CHUNK_BYTES = 64 * 2 ** 20;

interface BloHeader {
  magic: number;
  offsetNavigator: number;
  offsetPatterns: number;
  unknown1: number;
  patternSize: number;
  patternRotation: number;
  nx: number;
  ny: number;
  scanRotation: number;
  stepXNm: number;
  stepYNm: number;
  beamEnergyV: number;
  sdp: number;
  cameraLength: number;
  acquisitionSerialDate: number;
  centering: number[];
  distortion: number[];
  note: string;
}

interface BloFile {
  src: ByteSource;
  header: BloHeader;
  axes: Axis[];
  metadata: Metadata;
}

/** True when `head` starts with 'IMGBLO'. */
function looksLikeBlo(head: Uint8Array): boolean {
  return head.length >= 6 && Buffer.from(head.subarray(0, 6)).toString('latin1') === 'IMGBLO';
}

/** Spreadsheet serial date (days since 1899-12-30) → ISO 8601 (time as recorded, no zone). */
function serialDateToIso(days: number): string | undefined {
  if (!Number.isFinite(days) || days <= 0 || days > 2958465) return undefined;
  const ms = Math.round((days - 25569) * 86400000);
  return new Date(ms).toISOString().replace('Z', '');
}

async function parseBlo(src: ByteSource): Promise<BloFile> {
  const head = await src.read(0, HEADER_BYTES, 'header');
  if (!looksLikeBlo(head)) throw new FormatError(src.name, 'ID', 0, "must be 'IMGBLO' (a NanoMegas blockfile); got something else.");
  const v = new DataView(head.buffer, head.byteOffset, HEADER_BYTES);
  const h: BloHeader = {
    magic: v.getUint16(6, true),
    offsetNavigator: v.getUint32(8, true),
    offsetPatterns: v.getUint32(12, true),
    unknown1: v.getUint32(16, true),
    patternSize: v.getUint16(20, true),
    patternRotation: v.getUint16(22, true),
    nx: v.getUint16(24, true),
    ny: v.getUint16(26, true),
    scanRotation: v.getUint16(28, true),
    stepXNm: v.getFloat64(30, true),
    stepYNm: v.getFloat64(38, true),
    beamEnergyV: v.getUint32(46, true),
    sdp: v.getUint16(50, true),
    cameraLength: v.getUint32(52, true),
    acquisitionSerialDate: v.getFloat64(56, true),
    centering: Array.from({ length: 8 }, (_, i) => v.getFloat64(64 + 8 * i, true)),
    distortion: Array.from({ length: 14 }, (_, i) => v.getFloat64(128 + 8 * i, true)),
    note: ''
  };
  const { nx, ny, patternSize: dp } = h;
  if (nx < 1 || ny < 1) throw new FormatError(src.name, 'NX/NY', 24, `scan size must be positive; got ${nx}×${ny}.`);
  if (dp < 1) throw new FormatError(src.name, 'DP_SZ', 20, `pattern size must be positive; got ${dp}.`);
  if (h.offsetNavigator < HEADER_BYTES || h.offsetNavigator > src.size) {
    throw new FormatError(src.name, 'Data_offset_1', 8, `navigator offset must lie in ${HEADER_BYTES}..${src.size}; got ${h.offsetNavigator}.`);
  }
  if (h.offsetPatterns < h.offsetNavigator || h.offsetPatterns > src.size) {
    throw new FormatError(src.name, 'Data_offset_2', 12, `pattern offset must lie in ${h.offsetNavigator}..${src.size}; got ${h.offsetPatterns}.`);
  }
  const need = nx * ny * (dp * dp + FRAME_PREFIX);
  if (h.offsetPatterns + need > src.size) {
    throw new FormatError(
      src.name,
      'NX/NY/DP_SZ',
      h.offsetPatterns,
      `${ny}×${nx} patterns of ${dp}×${dp} bytes need ${need} bytes from byte ${h.offsetPatterns} but the file has ${src.size - h.offsetPatterns}; it is truncated or the header is corrupt.`
    );
  }
  const noteBytes = await src.read(HEADER_BYTES, h.offsetNavigator - HEADER_BYTES, 'Note');
  h.note = Buffer.from(noteBytes).toString('latin1').replace(/\0+$/, '').replace(/\0/g, '');

  // detector-plane pixel: 100/SDP cm (= 1000/SDP mm), RosettaSciIO's reading of the SDP field
  const detScale = h.sdp ? 1000 / h.sdp : 1;
  const detUnits = h.sdp ? 'mm' : '';
  const axes: Axis[] = [
    { name: 'y', size: ny, scale: h.stepYNm || 1, offset: 0, units: 'nm' },
    { name: 'x', size: nx, scale: h.stepXNm || 1, offset: 0, units: 'nm' },
    { name: 'dy', size: dp, scale: detScale, offset: 0, units: detUnits },
    { name: 'dx', size: dp, scale: detScale, offset: 0, units: detUnits }
  ];
  const date = serialDateToIso(h.acquisitionSerialDate);
  const metadata: Metadata = {
    sourceFormat: 'blo',
    sourceFile: src.name,
    sourceDtype: 'uint8',
    title: src.name.split(/[\\/]/).pop()?.replace(/\.blo$/i, '') ?? '',
    signalType: '4d-stem',
    voltageKV: h.beamEnergyV / 1000,
    cameraLengthMm: h.cameraLength / 10,
    scanRotationDeg: h.scanRotation / 100,
    ...(date ? { acquisitionDate: date } : {}),
    notes: h.note,
    ...(h.magic !== 0x0102 ? { warnings: [`unrecognised blockfile magic 0x${h.magic.toString(16)}; read as 0x0102`] } : {}),
    original: { blockfileHeader: { ...h } }
  };
  return { src, header: h, axes, metadata };
}

/** Reads patterns [start, start + count) (raster order), checking each 0xAA55 frame marker. */
async function readPatterns(b: BloFile, start: number, count: number): Promise<{ data: Uint8Array }> {
  const dp = b.header.patternSize;
  const frame = dp * dp + FRAME_PREFIX;
  const out = new Uint8Array(count * dp * dp);
  const batch = Math.max(1, Math.floor(CHUNK_BYTES / frame));
  for (let k = 0; k < count; k += batch) {
    const n = Math.min(batch, count - k);
    const at = b.header.offsetPatterns + (start + k) * frame;
    const bytes = await b.src.read(at, n * frame, `patterns ${start + k}..${start + k + n - 1}`);
    for (let j = 0; j < n; j++) {
      const f = bytes.subarray(j * frame, (j + 1) * frame);
      if (f[0] !== 0xaa || f[1] !== 0x55) {
        throw new FormatError(b.src.name, `pattern ${start + k + j} marker`, at + j * frame, `must be 0xAA 0x55; got 0x${f[0].toString(16)} 0x${f[1].toString(16)}.`);
      }
      out.set(f.subarray(FRAME_PREFIX), (k + j) * dp * dp);
    }
  }
  return { data: out };
}

/**
 * Format handler for NanoMegas ASTAR blockfiles (`.blo`, 'IMGBLO'); `open` reads one diffraction
 * pattern or a chunk of patterns at a time.
 */
export const bloFormat: FormatHandler = {
  name: 'blo',
  extensions: ['blo'],
  sniff: (head: Uint8Array) => looksLikeBlo(head),
  async readAll(src: ByteSource): Promise<Dataset[]> {
    const b = await parseBlo(src);
    const { nx, ny, patternSize: dp } = b.header;
    const { data } = await readPatterns(b, 0, nx * ny);
    const scan: Dataset = { data: ndarray(data, [ny, nx, dp, dp]) as NdArray, axes: b.axes.map(a => ({ ...a })), metadata: { ...b.metadata } };
    const vbf = await b.src.read(b.header.offsetNavigator, Math.min(nx * ny, b.header.offsetPatterns - b.header.offsetNavigator), 'navigator');
    const out = [scan];
    if (vbf.length === nx * ny) {
      out.push({
        data: ndarray(Uint8Array.from(vbf), [ny, nx]) as NdArray,
        axes: b.axes.slice(0, 2).map(a => ({ ...a })),
        metadata: { ...b.metadata, title: 'virtual bright field', signalType: 'image' }
      });
    }
    return out;
  },
  async open(src: ByteSource): Promise<LazySource> {
    const b = await parseBlo(src);
    const { nx, ny, patternSize: dp } = b.header;
    return makeLazySource({
      name: src.name,
      shape: [ny, nx, dp, dp],
      axes: b.axes,
      metadata: b.metadata,
      dtype: 'uint8',
      frameDims: 2,
      scan: true,
      read: (start, count) => readPatterns(b, start, count),
      close: () => src.close()
    });
  }
};

/**
 * Reads a NanoMegas ASTAR blockfile (`.blo`): a 4D-STEM / precession scan
 * `[y, x, dy, dx]` of uint8 diffraction patterns, as RosettaSciIO returns it; signal 1 is the
 * virtual bright-field navigator stored in the file.
 *
 * Axes: scan steps SX, SY in nm; detector pixels 100/SDP cm, given in mm. Metadata: voltageKV
 * (beam energy), cameraLengthMm (header value in 0.1 mm), scanRotationDeg, acquisitionDate (from the
 * header's serial date), notes; the raw header (centring and distortion coefficients included)
 * under `original.blockfileHeader`.
 *
 * @param pathOrBytes - file path or the file's bytes.
 * @param options - `signal`: 0 (the scan, default) or 1 / 'virtual bright field'.
 * @returns the Dataset.
 * @throws FormatError (file, field, offset) for a wrong ID, offsets outside the file, a header
 *   claiming more patterns than the file holds, or a missing 0xAA55 pattern marker.
 * @example
 * const scan = await lowdose.io.readBlo('test1.blo');
 * scan.data.shape;          // [3, 2, 144, 144]
 * scan.axes[0].scale;       // 12.8 (nm)
 */
export async function readBlo(pathOrBytes: PathOrBytes, options: ReadOptions = {}): Promise<Dataset> {
  const src = await openByteSource(pathOrBytes, options.name);
  try {
    return selectSignal(await bloFormat.readAll(src, options), options.signal, 'readBlo', src.name);
  } finally {
    await src.close();
  }
}
