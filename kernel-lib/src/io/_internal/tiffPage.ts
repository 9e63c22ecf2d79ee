// One TIFF page: pixel layout from its IFD (checked against the file before anything is allocated)
// and decoding of its strips or tiles into a typed array laid out [row, col, sample].
import { FormatError } from '../../errors';
import { NumericArray } from '../../types/dataset';
import { ByteSource, MAX_SINGLE_READ_BYTES } from './byteSource';
import { decodeElements, FileDtype } from './dtypes';
import { decompressSegment, MAX_EXPANSION, undoFloatPredictor, undoHorizontalPredictor } from './tiffDecompress';
import { TiffIfd, tagNumber, tagNumbers } from './tiffIfd';

/** Pixel layout of one page, validated. */
export interface TiffPageLayout {
  ifd: TiffIfd;
  width: number;
  height: number;
  samplesPerPixel: number;
  bitsPerSample: number;
  bytesPerSample: number;
  /** Element type in the file. */
  dtype: FileDtype;
  /** 1 interleaved (chunky), 2 separate planes. */
  planar: number;
  compression: number;
  predictor: number;
  photometric: number;
  /** 1 bit of NewSubfileType: a reduced-resolution copy (thumbnail / pyramid level). */
  reduced: boolean;
  tiled: boolean;
  /** Strip rows or tile height; tile width (= image width for strips). */
  segmentRows: number;
  segmentCols: number;
  offsets: number[];
  byteCounts: number[];
  /** Decoded bytes of the whole page. */
  pageBytes: number;
}

/** Key that says whether two pages can be stacked into one array. */
export function layoutKey(p: TiffPageLayout): string {
  return `${p.height}x${p.width}x${p.samplesPerPixel}:${p.dtype}:${p.reduced ? 'r' : ''}`;
}

/** Reads the layout tags of a page and checks every claimed size against the file. */
export function pageLayout(ifd: TiffIfd, src: ByteSource): TiffPageLayout {
  const file = src.name;
  const at = ifd.offset;
  const need = (code: number, name: string): number => {
    const v = tagNumber(ifd, code);
    if (v === undefined) throw new FormatError(file, name, at, `is required in IFD ${ifd.index} but missing.`);
    return v;
  };
  const width = need(256, 'ImageWidth');
  const height = need(257, 'ImageLength');
  const samplesPerPixel = tagNumber(ifd, 277, 1)!;
  const bpsAll = tagNumbers(ifd, 258) ?? [1];
  const bitsPerSample = bpsAll[0];
  const formatAll = tagNumbers(ifd, 339) ?? [1];
  const sampleFormat = formatAll[0];
  const compression = tagNumber(ifd, 259, 1)!;
  const predictor = tagNumber(ifd, 317, 1)!;
  const planar = samplesPerPixel > 1 ? tagNumber(ifd, 284, 1)! : 1;
  const photometric = tagNumber(ifd, 262, samplesPerPixel >= 3 ? 2 : 1)!;
  const reduced = ((tagNumber(ifd, 254, 0) ?? 0) & 1) === 1;
  if (!(width >= 1 && height >= 1 && samplesPerPixel >= 1 && samplesPerPixel <= 64)) {
    throw new FormatError(file, 'ImageWidth × ImageLength × SamplesPerPixel', at, `must be positive (samples ≤ 64); got ${width} × ${height} × ${samplesPerPixel}.`);
  }
  if (bpsAll.some(b => b !== bitsPerSample) || formatAll.some(f => f !== sampleFormat)) {
    throw new FormatError(file, 'BitsPerSample', at, `must be the same for every sample; got [${bpsAll.join(', ')}] / SampleFormat [${formatAll.join(', ')}].`);
  }
  const dtype = fileDtype(bitsPerSample, sampleFormat);
  if (!dtype) {
    throw new FormatError(file, 'BitsPerSample', at, `must be 8, 16, 32 or 64 bits of SampleFormat 1 (uint), 2 (int), 3 (float) or 6 (complex float); got ${bitsPerSample} bits, SampleFormat ${sampleFormat}.`);
  }
  if (!(compression in MAX_EXPANSION)) {
    throw new FormatError(file, 'Compression', at, `must be 1 (none), 5 (LZW), 8/32946 (Deflate) or 32773 (PackBits); got ${compression}. Convert the file with tifffile or Fiji.`);
  }
  if (predictor !== 1 && predictor !== 2 && predictor !== 3) {
    throw new FormatError(file, 'Predictor', at, `must be 1, 2 or 3; got ${predictor}.`);
  }
  if (planar !== 1 && planar !== 2) {
    throw new FormatError(file, 'PlanarConfiguration', at, `must be 1 or 2; got ${planar}.`);
  }
  const bytesPerSample = bitsPerSample / 8;
  const pageBytes = width * height * samplesPerPixel * bytesPerSample;
  if (pageBytes > MAX_SINGLE_READ_BYTES) {
    throw new FormatError(file, 'ImageWidth × ImageLength', at, `page of ${width} × ${height} × ${samplesPerPixel} × ${bytesPerSample} B = ${pageBytes} bytes exceeds the ${MAX_SINGLE_READ_BYTES}-byte limit of one page.`);
  }
  const tiled = ifd.tags.has(322);
  let segmentRows: number;
  let segmentCols: number;
  let offsets: number[] | undefined;
  let byteCounts: number[] | undefined;
  let segments: number;
  const planes = planar === 2 ? samplesPerPixel : 1;
  if (tiled) {
    segmentCols = need(322, 'TileWidth');
    segmentRows = need(323, 'TileLength');
    if (segmentCols < 1 || segmentRows < 1) throw new FormatError(file, 'TileWidth', at, `tiles must be at least 1 × 1; got ${segmentCols} × ${segmentRows}.`);
    segments = Math.ceil(width / segmentCols) * Math.ceil(height / segmentRows) * planes;
    offsets = tagNumbers(ifd, 324);
    byteCounts = tagNumbers(ifd, 325);
  } else {
    segmentCols = width;
    const rps = tagNumber(ifd, 278, height)!;
    segmentRows = Math.max(1, Math.min(rps, height));
    segments = Math.ceil(height / segmentRows) * planes;
    offsets = tagNumbers(ifd, 273);
    byteCounts = tagNumbers(ifd, 279);
  }
  const offField = tiled ? 'TileOffsets' : 'StripOffsets';
  const cntField = tiled ? 'TileByteCounts' : 'StripByteCounts';
  if (!offsets || offsets.length < segments) {
    throw new FormatError(file, offField, at, `must list ${segments} ${tiled ? 'tiles' : 'strips'} for this layout; got ${offsets?.length ?? 0}.`);
  }
  const sampleSeg = planar === 2 ? 1 : samplesPerPixel;
  const nominal = segmentRows * segmentCols * sampleSeg * bytesPerSample;
  if (!byteCounts) {
    if (compression !== 1 || segments !== 1) throw new FormatError(file, cntField, at, 'is required but missing.');
    byteCounts = [pageBytes];
  }
  if (byteCounts.length < segments) {
    throw new FormatError(file, cntField, at, `must list ${segments} byte counts; got ${byteCounts.length}.`);
  }
  offsets = offsets.slice(0, segments);
  byteCounts = byteCounts.slice(0, segments);
  const ratio = MAX_EXPANSION[compression];
  let stored = 0;
  for (let i = 0; i < segments; i++) {
    const off = offsets[i];
    // uncompressed segments are read by the size the layout needs (some writers get counts wrong)
    const cnt = compression === 1 ? Math.min(byteCounts[i], nominal) : byteCounts[i];
    if (!(off >= 0 && off + cnt <= src.size)) {
      throw new FormatError(file, `${cntField}[${i}]`, off, `segment of ${cnt} bytes at byte ${off} must lie inside the file (size ${src.size}).`);
    }
    stored += cnt;
  }
  const budget = compression === 1 ? src.size : Math.min(stored, src.size) * ratio + segments * 1024;
  if (pageBytes > budget) {
    throw new FormatError(
      file,
      'ImageWidth × ImageLength',
      at,
      `the page claims ${width} × ${height} × ${samplesPerPixel} samples of ${bytesPerSample} B (${pageBytes} bytes) but the file ` +
        `(${src.size} bytes, ${stored} in this page's segments, compression ${compression}) cannot hold that many; the header is corrupt.`
    );
  }
  return {
    ifd, width, height, samplesPerPixel, bitsPerSample, bytesPerSample, dtype, planar, compression, predictor,
    photometric, reduced, tiled, segmentRows, segmentCols, offsets, byteCounts, pageBytes
  };
}

function fileDtype(bits: number, format: number): FileDtype | undefined {
  if (format === 1 || format === 4) return ({ 8: 'uint8', 16: 'uint16', 32: 'uint32', 64: 'uint64' } as { [b: number]: FileDtype })[bits];
  if (format === 2) return ({ 8: 'int8', 16: 'int16', 32: 'int32', 64: 'int64' } as { [b: number]: FileDtype })[bits];
  if (format === 3) return ({ 16: 'float16', 32: 'float32', 64: 'float64' } as { [b: number]: FileDtype })[bits];
  if (format === 6) return ({ 64: 'complex64', 128: 'complex128' } as { [b: number]: FileDtype })[bits];
  return undefined;
}

/**
 * Decodes a page into its file-order bytes, laid out [row, col, sample] for interleaved pages and
 * [sample, row, col] for planar ones.
 */
export async function readPageBytes(src: ByteSource, p: TiffPageLayout, littleEndian: boolean): Promise<Uint8Array> {
  const out = new Uint8Array(p.pageBytes);
  const planes = p.planar === 2 ? p.samplesPerPixel : 1;
  const sampleSeg = p.planar === 2 ? 1 : p.samplesPerPixel;
  const pixelBytes = sampleSeg * p.bytesPerSample;
  const planeBytes = p.width * p.height * pixelBytes;
  const across = Math.ceil(p.width / p.segmentCols);
  const down = Math.ceil(p.height / p.segmentRows);
  const perPlane = across * down;
  const field = p.tiled ? 'TileOffsets' : 'StripOffsets';
  for (let s = 0; s < perPlane * planes; s++) {
    const plane = Math.floor(s / perPlane);
    const within = s % perPlane;
    const r0 = Math.floor(within / across) * p.segmentRows;
    const c0 = (within % across) * p.segmentCols;
    // strips hold only the rows left; tiles are always full size
    const segRows = p.tiled ? p.segmentRows : Math.min(p.segmentRows, p.height - r0);
    const expected = segRows * p.segmentCols * pixelBytes;
    const nominal = p.segmentRows * p.segmentCols * pixelBytes;
    const offset = p.offsets[s];
    const count = p.compression === 1 ? expected : p.byteCounts[s];
    const ctx = { file: src.name, field: `${field}[${s}]`, offset };
    const raw = await src.read(offset, count, ctx.field);
    let seg = decompressSegment(p.compression, raw, expected, Math.max(nominal, expected) + 4096, ctx);
    if (p.predictor !== 1) {
      if (seg.buffer === raw.buffer || p.compression === 1) seg = seg.slice(); // never modify the caller's bytes
      if (p.predictor === 2) undoHorizontalPredictor(seg, segRows, p.segmentCols, sampleSeg, p.bytesPerSample, littleEndian);
      else undoFloatPredictor(seg, segRows, p.segmentCols, sampleSeg, p.bytesPerSample, littleEndian);
    }
    const rows = Math.min(segRows, p.height - r0);
    const cols = Math.min(p.segmentCols, p.width - c0);
    const rowBytes = cols * pixelBytes;
    const segRowBytes = p.segmentCols * pixelBytes;
    for (let r = 0; r < rows; r++) {
      const dst = plane * planeBytes + ((r0 + r) * p.width + c0) * pixelBytes;
      out.set(seg.subarray(r * segRowBytes, r * segRowBytes + rowBytes), dst);
    }
  }
  return out;
}

/** Decodes a page to typed values laid out [row, col, sample] (complex: interleaved re/im). */
export async function readPageValues(src: ByteSource, p: TiffPageLayout, littleEndian: boolean): Promise<NumericArray> {
  const bytes = await readPageBytes(src, p, littleEndian);
  const n = p.width * p.height * p.samplesPerPixel;
  const complex = p.dtype === 'complex64' || p.dtype === 'complex128';
  const values = viewOrDecode(bytes, p.dtype, n, littleEndian);
  if (p.planar !== 2 || p.samplesPerPixel === 1) return values;
  // separate planes → interleaved samples
  const spp = p.samplesPerPixel;
  const per = complex ? 2 : 1;
  const pixels = p.width * p.height;
  const Ctor = values.constructor as new (n: number) => NumericArray;
  const inter = new Ctor(values.length);
  for (let s = 0; s < spp; s++) {
    for (let i = 0; i < pixels; i++) {
      for (let k = 0; k < per; k++) inter[(i * spp + s) * per + k] = values[(s * pixels + i) * per + k];
    }
  }
  return inter;
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const VIEWS: { [d: string]: new (b: ArrayBuffer, offset: number, length: number) => NumericArray } = {
  uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array, uint32: Uint32Array,
  int32: Int32Array, float32: Float32Array, float64: Float64Array
};

/**
 * `bytes` is a fresh buffer this module owns: when the file's byte order is the host's (or samples
 * are single bytes) its elements are viewed in place instead of copied one by one.
 */
function viewOrDecode(bytes: Uint8Array, dtype: FileDtype, n: number, littleEndian: boolean): NumericArray {
  const View = VIEWS[dtype];
  const size = View ? (View as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT : 0;
  if (View && (size === 1 || littleEndian === HOST_LITTLE_ENDIAN) && bytes.byteOffset % size === 0) {
    return new View(bytes.buffer as ArrayBuffer, bytes.byteOffset, n);
  }
  return decodeElements(bytes, dtype, n, littleEndian);
}
