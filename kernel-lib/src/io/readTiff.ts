import ndarray from 'ndarray';
import { ValueError } from '../errors';
import { Axis, Dataset, NumericArray } from '../types/dataset';
import { ByteSource, openByteSource } from './_internal/byteSource';
import { splitComplex } from './_internal/dtypes';
import { openTiffFile, readSeriesValues, TiffFileInfo, TiffSeries } from './_internal/tiffSeries';
import type { FormatHandler } from './formats';
import { LazySource, PathOrBytes, ReadOptions } from './types';

/** Options of {@link readTiff}: the common reader options plus TIFF's own. */
export interface TiffReadOptions extends ReadOptions {
  /**
   * Trust X/YResolution + ResolutionUnit whatever they say (like RosettaSciIO's
   * `force_read_resolution`). Default false: inches are taken for a display DPI and ignored, and
   * centimetres only when they give pixels finer than 10 µm.
   */
  forceReadResolution?: boolean;
}

/**
 * Reads a TIFF or BigTIFF file (one page, a stack of pages, or an ImageJ hyperstack) with its
 * calibration and acquisition metadata.
 *
 * Pixel layouts: either byte order, strips or tiles, planar configuration 1 or 2, 1–64 samples per pixel
 * (RGB(A) → a last axis of 3 or 4), 8/16/32/64-bit unsigned, signed and float samples (float16 is
 * widened to float32, 64-bit integers to float64) and complex floats (returned as `data` + `imag`);
 * compression none, LZW, Deflate (8 and 32946) and PackBits, with horizontal (2) or floating-point (3)
 * predictors. Same-shaped pages form one `[frame, row, col]` series (ImageJ hyperstacks:
 * `[frame, z, channel, row, col]` without the axes of size 1); pages of other shapes (thumbnails,
 * pyramid levels) are further signals.
 *
 * Calibration, in RosettaSciIO's order of precedence: Thermo Fisher / FEI tag 34682/34680
 * (`Scan/PixelWidth`), JEOL SightX XML (magnification or camera length), Gatan DigitalMicrograph tags
 * 65003–65011 (with offsets and a z/time axis; tag 65027's DM tag tree gives voltage, magnification,
 * exposure, camera, date), ImageJ `unit`/`spacing`/`finterval` with X/YResolution, else plain
 * X/YResolution in centimetres when finer than 10 µm/px (`forceReadResolution` also takes inches).
 * Normalised keys: `voltageKV`, `magnification`, `cameraLengthMm`, `exposureS`, `dwellTimeS`,
 * `frameTimeS`, `detector`, `microscope`, `acquisitionDate`, `pixelSizeA`; every tag stays under
 * `metadata.original.tags`, vendor structures under `metadata.original.fei|jeol|gatan|imagej`.
 *
 * @param pathOrBytes - file path, or the file's bytes (`options.name` labels errors).
 * @param options - `signal`: index of the series (default: the first full-resolution one);
 *   `forceReadResolution`: trust X/YResolution whatever their unit.
 * @returns the series as a Dataset, oriented as tifffile / RosettaSciIO return it (first row on top).
 * @throws FormatError naming file, field and byte offset for a truncated, corrupt or hostile file
 *   (IFD offsets past the end, cyclic IFD chains, segments past the end, decompression bombs, page
 *   sizes the file cannot hold) or an unsupported layout (JPEG compression, 1-bit samples, …).
 * @throws ValueError when `options.signal` names no series.
 * @example
 * const img = await lowdose.io.readTiff('FEI-Helios-Ebeam-16bits.tif');
 * img.axes[1]; // { name: 'x', size: 512, scale: 3.3724, offset: 0, units: 'um' }
 * img.metadata.voltageKV; // 5
 */
export async function readTiff(pathOrBytes: PathOrBytes, options: TiffReadOptions = {}): Promise<Dataset> {
  const src = await openByteSource(pathOrBytes, options.name);
  try {
    const info = await openTiffFile(src, options);
    const s = pickSeries(info, options, 'readTiff');
    return await seriesDataset(src, info, s);
  } finally {
    await src.close();
  }
}

/**
 * Opens a TIFF stack lazily: the IFDs are parsed now, each page is decoded only when asked for.
 *
 * @param pathOrBytes - file path or bytes.
 * @param options - as {@link readTiff}.
 * @returns a {@link LazySource} over the chosen series: `frame(i)` decodes page i alone,
 *   `frames({chunkSize})` yields chunks of pages; memory is bounded by the chunk. Close it when done.
 * @throws FormatError as {@link readTiff}.
 * @example
 * const movie = await lowdose.io.openTiff('stack.tif');
 * for await (const chunk of movie.frames({ chunkSize: 8 })) console.log(chunk.data.shape);
 * await movie.close();
 */
export async function openTiff(pathOrBytes: PathOrBytes, options: TiffReadOptions = {}): Promise<LazySource> {
  const src = await openByteSource(pathOrBytes, options.name);
  try {
    return await openLazy(src, options);
  } catch (e) {
    await src.close();
    throw e;
  }
}

function pickSeries(info: TiffFileInfo, options: ReadOptions, fn: string): TiffSeries {
  const sel = options.signal;
  if (sel === undefined) return info.series[0];
  if (typeof sel === 'number') {
    if (Number.isInteger(sel) && sel >= 0 && sel < info.series.length) return info.series[sel];
  } else {
    const hit = info.series.find(s => s.metadata.title === sel);
    if (hit) return hit;
  }
  throw new ValueError(
    `${fn}: options.signal must be a series index 0..${info.series.length - 1} or a title (${info.series.map(s => JSON.stringify(s.metadata.title)).join(', ')}); got ${JSON.stringify(sel)}.`
  );
}

async function seriesDataset(src: ByteSource, info: TiffFileInfo, s: TiffSeries): Promise<Dataset> {
  const values = await readSeriesValues(src, s, info.header.littleEndian, 0, s.pages.length);
  return makeTiffDataset(values, s.shape, s.axes, { ...s.metadata }, s.complex);
}

function makeTiffDataset(values: NumericArray, shape: number[], axes: Axis[], metadata: Dataset['metadata'], complex: boolean): Dataset {
  if (complex) {
    const { re, im } = splitComplex(values as Float32Array | Float64Array);
    return { data: ndarray(re, shape), imag: ndarray(im, shape), axes: axes.map(a => ({ ...a })), metadata };
  }
  return { data: ndarray(values, shape), axes: axes.map(a => ({ ...a })), metadata };
}

async function openLazy(src: ByteSource, options: TiffReadOptions): Promise<LazySource> {
  const info = await openTiffFile(src, options);
  const s = pickSeries(info, options, 'openTiff');
  const le = info.header.littleEndian;
  const frameCount = s.pages.length;
  const samples = s.pages[0].samplesPerPixel > 1 ? 1 : 0;
  const frameAxes = s.axes.slice(s.axes.length - 2 - samples);
  const leading = s.axes.slice(0, s.axes.length - 2 - samples);
  const checkIndex = (i: number, what: string): void => {
    if (!(Number.isInteger(i) && i >= 0 && i < frameCount)) {
      throw new ValueError(`openTiff: ${what} must be an integer in 0..${frameCount - 1}; got ${i}.`);
    }
  };
  let closed = false;
  const ensureOpen = (): void => {
    if (closed) throw new ValueError('openTiff: the source must be open; it was closed.');
  };
  const frame = async (i: number): Promise<Dataset> => {
    ensureOpen();
    checkIndex(i, 'frame index');
    const values = await readSeriesValues(src, s, le, i, i + 1);
    return makeTiffDataset(values, frameAxes.map(a => a.size), frameAxes, { ...s.metadata, frameIndex: i }, s.complex);
  };
  const chunk = async (start: number, stop: number): Promise<Dataset> => {
    const values = await readSeriesValues(src, s, le, start, stop);
    const lead: Axis =
      leading.length === 1
        ? { ...leading[0], size: stop - start, offset: leading[0].offset + start * leading[0].scale }
        : { name: 'frame', size: stop - start, scale: 1, offset: start, units: '' };
    const axes = [lead, ...frameAxes];
    return makeTiffDataset(values, axes.map(a => a.size), axes, { ...s.metadata, frameIndex: start }, s.complex);
  };
  return {
    shape: [...s.shape],
    axes: s.axes.map(a => ({ ...a })),
    metadata: s.metadata,
    dtype: s.dtype,
    frameCount,
    frame,
    async *frames(opts: { chunkSize?: number; start?: number; stop?: number } = {}) {
      const chunkSize = opts.chunkSize ?? 1;
      const start = opts.start ?? 0;
      const stop = opts.stop ?? frameCount;
      if (!(Number.isInteger(chunkSize) && chunkSize >= 1)) {
        throw new ValueError(`openTiff: chunkSize must be a positive integer; got ${chunkSize}.`);
      }
      if (!(Number.isInteger(start) && Number.isInteger(stop) && start >= 0 && stop <= frameCount && start <= stop)) {
        throw new ValueError(`openTiff: start and stop must satisfy 0 ≤ start ≤ stop ≤ ${frameCount}; got ${start}, ${stop}.`);
      }
      for (let k = start; k < stop; k += chunkSize) {
        ensureOpen();
        yield chunkSize === 1 ? await frame(k) : await chunk(k, Math.min(stop, k + chunkSize));
      }
    },
    async readAll() {
      ensureOpen();
      return seriesDataset(src, info, s);
    },
    async close() {
      if (!closed) {
        closed = true;
        await src.close();
      }
    }
  };
}

/** True when `head` starts with a TIFF (`II*\0`, `MM\0*`) or BigTIFF (`II+\0`, `MM\0+`) signature. */
function sniffTiff(head: Uint8Array): boolean {
  if (head.length < 4) return false;
  const ii = head[0] === 0x49 && head[1] === 0x49 && (head[2] === 42 || head[2] === 43) && head[3] === 0;
  const mm = head[0] === 0x4d && head[1] === 0x4d && head[2] === 0 && (head[3] === 42 || head[3] === 43);
  return ii || mm;
}

/**
 * TIFF / BigTIFF format handler for `io.read`, `io.readAll` and `io.open`: sniffs the byte-order mark
 * and magic number; `readAll` returns every series; `open` streams one series page by page.
 */
export const tiffFormat: FormatHandler = {
  name: 'tiff',
  extensions: ['tif', 'tiff', 'btf', 'tf8'],
  sniff: head => sniffTiff(head),
  async readAll(src: ByteSource, options: ReadOptions): Promise<Dataset[]> {
    const info = await openTiffFile(src, options as TiffReadOptions);
    const out: Dataset[] = [];
    for (const s of info.series) out.push(await seriesDataset(src, info, s));
    return out;
  },
  open(src: ByteSource, options: ReadOptions): Promise<LazySource> {
    return openLazy(src, options as TiffReadOptions);
  }
};
