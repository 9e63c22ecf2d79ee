// Groups the pages of a TIFF into series (what RosettaSciIO / tifffile call a series): an ImageJ
// hyperstack, a stack of same-shaped pages, or a lone page of another shape (thumbnail, pyramid
// level). Builds the axes of each series and decodes any run of its pages.
import { FormatError, ValueError } from '../../errors';
import { Axis, Metadata, NumericArray } from '../../types/dataset';
import { ByteSource, MAX_SINGLE_READ_BYTES } from './byteSource';
import { DTYPE_BYTES, widenedDtype } from './dtypes';
import { AxisCal, CalibrationOptions, tiffCalibration, TiffCalibration } from './tiffCalibration';
import { completeIfd, readIfdChain, readTiffHeader, TAG_NAMES, tagText, TiffHeader, TiffIfd } from './tiffIfd';
import { layoutKey, pageLayout, readPageValues, TiffPageLayout } from './tiffPage';
import { parseImageJDescription } from './tiffVendor';
import { MAX_EXPANSION } from './tiffDecompress';

/** A series: pages that stack into one array, with its axes and metadata. */
export interface TiffSeries {
  pages: TiffPageLayout[];
  /** Axes in array order: leading (stack) axes, y, x, then samples when there are several. */
  axes: Axis[];
  shape: number[];
  /** Element type in the file and as returned. */
  fileDtype: string;
  dtype: string;
  complex: boolean;
  calibration: TiffCalibration;
  metadata: Metadata;
}

/** A parsed TIFF: header and series (no pixels read yet). */
export interface TiffFileInfo {
  header: TiffHeader;
  series: TiffSeries[];
}

const NUMPY_CODE: { [d: string]: string } = {
  uint8: 'u1', int8: 'i1', uint16: 'u2', int16: 'i2', uint32: 'u4', int32: 'i4', uint64: 'u8', int64: 'i8',
  float16: 'f2', float32: 'f4', float64: 'f8', complex64: 'c8', complex128: 'c16'
};

const UNSUPPORTED_FIELDS = new Set(['Compression', 'BitsPerSample', 'Predictor', 'PlanarConfiguration']);

/** Reads the header, every IFD and the calibration; checks every page's layout against the file. */
export async function openTiffFile(src: ByteSource, options: CalibrationOptions = {}): Promise<TiffFileInfo> {
  const header = await readTiffHeader(src);
  const ifds = await readIfdChain(src, header);
  const layouts: TiffPageLayout[] = [];
  const skipped: string[] = [];
  for (const ifd of ifds) {
    try {
      layouts.push(pageLayout(ifd, src));
    } catch (e) {
      // a valid page lowdose cannot decode (a JPEG thumbnail, a 1-bit mask) after the first one is
      // left out with a warning; a corrupt page (offsets or sizes the file cannot hold) stays an error
      if (!(e instanceof FormatError) || ifd.index === 0 || !UNSUPPORTED_FIELDS.has(e.field)) throw e;
      skipped.push(`page ${ifd.index} skipped: ${e.message}`);
    }
  }
  const groups = groupPages(src, layouts, ifds[0]);
  const series: TiffSeries[] = [];
  for (const g of groups) {
    const first = g.pages[0].ifd.index === 0 ? ifds[0] : await completeIfd(src, header, g.pages[0].ifd);
    const s = await buildSeries(src, header, g, first, options);
    if (skipped.length > 0) s.metadata.warnings = [...((s.metadata.warnings as string[] | undefined) ?? []), ...skipped];
    series.push(s);
  }
  return { header, series };
}

interface PageGroup {
  pages: TiffPageLayout[];
  /** ImageJ hyperstack dimensions (frames, slices, channels) when the group is one. */
  imagej?: { frames: number; slices: number; channels: number };
}

function groupPages(src: ByteSource, layouts: TiffPageLayout[], ifd0: TiffIfd): PageGroup[] {
  const ij = parseImageJDescription(tagText(ifd0, 270));
  if (ij && ij.images > 1) {
    const p0 = layouts[0];
    const dims = { frames: ij.frames, slices: ij.slices, channels: ij.channels };
    if (dims.frames * dims.slices * dims.channels !== ij.images) Object.assign(dims, { frames: 1, slices: ij.images, channels: 1 });
    if (layouts.length >= ij.images && layouts.slice(0, ij.images).every(p => layoutKey(p) === layoutKey(p0))) {
      const rest = layouts.slice(ij.images);
      return [{ pages: layouts.slice(0, ij.images), imagej: dims }, ...genericGroups(rest)];
    }
    if (layouts.length === 1 && p0.compression === 1 && !p0.tiled && p0.planar === 1) {
      // ImageJ stacks > 4 GB: one IFD, frames stored back to back after the first
      const end = p0.offsets[0] + ij.images * p0.pageBytes;
      if (contiguous(p0) && end <= src.size) {
        const pages = Array.from({ length: ij.images }, (_, i) => ({ ...p0, offsets: p0.offsets.map(o => o + i * p0.pageBytes) }));
        return [{ pages, imagej: dims }];
      }
      throw new FormatError(src.name, 'ImageDescription images', ifd0.offset, `ImageJ claims ${ij.images} images stored contiguously, ending at byte ${end}, but the file has ${src.size} bytes.`);
    }
  }
  return genericGroups(layouts);
}

function contiguous(p: TiffPageLayout): boolean {
  const stripBytes = p.segmentRows * p.width * p.samplesPerPixel * p.bytesPerSample;
  return p.offsets.every((o, i) => o === p.offsets[0] + i * stripBytes);
}

/** Same-shaped pages (in order of first appearance) form one series; reduced-resolution pages their own. */
function genericGroups(layouts: TiffPageLayout[]): PageGroup[] {
  const byKey = new Map<string, TiffPageLayout[]>();
  for (const p of layouts) {
    const k = layoutKey(p);
    const list = byKey.get(k);
    if (list) list.push(p);
    else byKey.set(k, [p]);
  }
  const groups = [...byKey.values()].map(pages => ({ pages }));
  return [...groups.filter(g => !g.pages[0].reduced), ...groups.filter(g => g.pages[0].reduced)];
}

async function buildSeries(src: ByteSource, header: TiffHeader, g: PageGroup, ifd: TiffIfd, options: CalibrationOptions): Promise<TiffSeries> {
  const p = g.pages[0];
  // pages may share strips only in a hostile file: the series can hold no more than the file can
  const total = g.pages.reduce((sum, q) => sum + q.pageBytes, 0);
  const budget = p.compression === 1 ? src.size : src.size * MAX_EXPANSION[p.compression];
  if (total > budget) {
    throw new FormatError(src.name, 'StripOffsets', p.ifd.offset, `the ${g.pages.length} pages of this series claim ${total} bytes of pixels but the file (${src.size} bytes) cannot hold that many; IFDs share or overlap their data.`);
  }
  const cal = await tiffCalibration(ifd, src.name, options);
  const axes: Axis[] = [];
  const lead = (name: string, size: number, c: AxisCal | undefined): void => {
    if (size > 1) axes.push({ name, size, scale: c?.scale ?? 1, offset: c?.offset ?? 0, units: c?.units ?? '' });
  };
  let signalType: string | undefined;
  if (g.imagej) {
    lead('frame', g.imagej.frames, cal.t);
    lead('z', g.imagej.slices, cal.z);
    lead('channel', g.imagej.channels, undefined);
    if (g.imagej.slices > 1 && g.imagej.frames === 1) signalType = 'volume';
    else if (g.imagej.frames > 1) signalType = 'movie';
  } else {
    lead('frame', g.pages.length, cal.z);
    if (g.pages.length > 1 && cal.z?.units === 's') signalType = 'movie';
  }
  axes.push({ name: 'y', size: p.height, ...cal.y }, { name: 'x', size: p.width, ...cal.x });
  if (p.samplesPerPixel > 1) axes.push({ name: p.photometric === 2 ? 'rgb' : 'sample', size: p.samplesPerPixel, scale: 1, offset: 0, units: '' });
  if (axes.length === 2 || (axes.length === 3 && p.samplesPerPixel > 1)) signalType = 'image';
  const complex = p.dtype === 'complex64' || p.dtype === 'complex128';
  const code = NUMPY_CODE[p.dtype];
  const sourceDtype = (DTYPE_BYTES[p.dtype] === 1 ? '|' : header.littleEndian ? '<' : '>') + code;
  const base = src.name.replace(/^.*[\\/]/, '');
  const original: { [k: string]: unknown } = {
    tags: tagsObject(ifd),
    byteOrder: header.littleEndian ? 'II' : 'MM',
    bigTiff: header.bigTiff,
    pages: g.pages.length,
    compression: p.compression,
    predictor: p.predictor,
    planarConfiguration: p.planar,
    tiled: p.tiled,
    ...cal.original
  };
  const metadata: Metadata = {
    sourceFormat: 'tiff',
    sourceFile: src.name,
    sourceDtype,
    title: (ifd.tags.get(285)?.text || base.replace(/\.[^.]*$/, '')) ?? base,
    ...(signalType && cal.metadata.signalType === undefined ? { signalType } : {}),
    ...cal.metadata,
    original
  };
  return {
    pages: g.pages,
    axes,
    shape: axes.map(a => a.size),
    fileDtype: p.dtype,
    dtype: widenedDtype(p.dtype),
    complex,
    calibration: cal,
    metadata
  };
}

/** The first page's tags by name (TAG_NAMES, else the number), values as parsed. */
function tagsObject(ifd: TiffIfd): { [name: string]: unknown } {
  const out: { [name: string]: unknown } = {};
  for (const t of ifd.tags.values()) {
    const name = TAG_NAMES[t.code] ?? String(t.code);
    if (t.text !== undefined) out[name] = t.text;
    else if (t.bytes) out[name] = t.bytes;
    else if (t.values) out[name] = t.type === 5 || t.type === 10 ? pairs(t.values) : t.values.length === 1 ? t.values[0] : t.values;
    else out[name] = { skipped: true, type: t.type, count: t.count, valueOffset: t.valueOffset };
  }
  return out;
}

function pairs(v: number[]): number[] | number[][] {
  const out: number[][] = [];
  for (let i = 0; i + 1 < v.length; i += 2) out.push([v[i], v[i + 1]]);
  return out.length === 1 ? out[0] : out;
}

/**
 * Decodes pages [start, stop) of a series into one typed array (page after page, each
 * [row, col, sample]); complex data come back interleaved re/im.
 */
export async function readSeriesValues(src: ByteSource, s: TiffSeries, le: boolean, start: number, stop: number): Promise<NumericArray> {
  const per = s.pages[0].width * s.pages[0].height * s.pages[0].samplesPerPixel * (s.complex ? 2 : 1);
  const bytes = s.pages[0].pageBytes * (stop - start);
  if (bytes > MAX_SINGLE_READ_BYTES) {
    throw new ValueError(
      `readTiff: the pages asked for must fit in one array of ${MAX_SINGLE_READ_BYTES} bytes; got ${stop - start} pages of ${s.pages[0].pageBytes} bytes. ` +
        'Stream the file with lowdose.io.openTiff() / io.open() and read it frame by frame or in smaller chunks.'
    );
  }
  let out: NumericArray | undefined;
  for (let i = start; i < stop; i++) {
    const v = await readPageValues(src, s.pages[i], le);
    if (!out) {
      if (stop - start === 1) return v;
      const Ctor = v.constructor as new (n: number) => NumericArray;
      out = new Ctor(per * (stop - start));
    }
    out.set(v as never, (i - start) * per);
  }
  return out!;
}
