import { deflateSync } from 'zlib';
import { ShapeError, ValueError } from '../errors';
import { Axis, Dataset, isDataset, isNdArray, NdArray, NumericArray } from '../types/dataset';
import { atomicWrite } from './_internal/atomicWrite';
import { encodeChunk, OutType, OUT_BYTES } from './_internal/encodeValues';
import { denseRange, sizeOf } from './_internal/ndDense';

/** Sample types {@link writeTiff} writes. */
export type TiffWriteDtype = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float16' | 'float32' | 'float64';

/** Options of {@link writeTiff}. */
export interface WriteTiffOptions {
  /** Replace an existing file, including the dataset's own source file (default false). */
  overwrite?: boolean;
  /** Sample type in the file (default: the array's own type). Integer types refuse values that do not fit. */
  dtype?: TiffWriteDtype;
  /** 'none' (default, readable everywhere) or 'deflate' (zlib, compression 8). */
  compression?: 'none' | 'deflate';
  /** Pixel size in Å for both image axes (default: from the Dataset's y/x axes). */
  pixelSizeA?: number;
  /** Byte order of the file (default 'little'). */
  byteOrder?: 'little' | 'big';
  /** Write BigTIFF (64-bit offsets); default: only when the file would pass 4 GiB. */
  bigTiff?: boolean;
}

const TYPE_OF_CTOR: { [ctor: string]: TiffWriteDtype } = {
  Float32Array: 'float32', Float64Array: 'float64', Int8Array: 'int8', Uint8Array: 'uint8', Uint8ClampedArray: 'uint8',
  Int16Array: 'int16', Uint16Array: 'uint16', Int32Array: 'int32', Uint32Array: 'uint32'
};
const SAMPLE_FORMAT: { [t in TiffWriteDtype]: number } = {
  uint8: 1, uint16: 1, uint32: 1, int8: 2, int16: 2, int32: 2, float16: 3, float32: 3, float64: 3
};
/** Ångström per length unit, for X/YResolution in pixels per micron (1 µm = 10⁴ Å). */
const A_PER_UNIT: { [u: string]: number } = { A: 1, nm: 10, um: 1e4, mm: 1e7 };
/** How ImageJ spells the units that have no TIFF resolution unit. */
const IMAGEJ_UNIT: { [u: string]: string } = { '1/nm': '1/nm', '1/A': '1/A', deg: 'degree', mrad: 'mrad' };

/**
 * Writes an image, a stack or a hyperstack as a (multi-page) TIFF that ImageJ/Fiji, tifffile and
 * HyperSpy read with the same values and calibration: X/YResolution in pixels per micron
 * (ResolutionUnit 1, as ImageJ writes) from the pixel size, plus an ImageJ ImageDescription (`unit=micron`, `spacing` or
 * `finterval`, `images`, `slices`/`frames`). Written atomically (temporary file in the same folder,
 * then rename); an existing file is never replaced without `{overwrite: true}`.
 *
 * Layout: `[row, col]` → one page; `[n, row, col]` → n pages (slices, or frames when the leading axis
 * is in seconds); `[t, z, row, col]` → an ImageJ hyperstack; a last axis named `rgb` (or `sample`) of
 * size 3 or 4 → RGB(A) pages. One strip per page uncompressed, strips of ≤ 256 KiB with Deflate.
 *
 * @param path - file to create.
 * @param datasetOrNdarray - a Dataset (its y/x axes give the pixel size; A, nm, µm, 1/nm, 1/A) or a
 *   scijs ndarray of any strides.
 * @param options - `dtype`, `compression`, `pixelSizeA`, `byteOrder`, `bigTiff`, `overwrite`.
 * @returns when the file is complete on disk.
 * @throws ValueError for an existing path without `overwrite`, complex data, an unsupported dtype,
 *   or values that do not fit the requested integer type (nothing is left on disk).
 * @throws ShapeError for fewer than 2 dimensions or empty axes.
 * @example
 * await lowdose.io.writeTiff('/tmp/sum.tif', sumImage);                       // float32, Å calibration
 * await lowdose.io.writeTiff('/tmp/movie.tif', movie, { dtype: 'uint16', compression: 'deflate' });
 */
export async function writeTiff(path: string, datasetOrNdarray: Dataset | NdArray, options: WriteTiffOptions = {}): Promise<void> {
  let data: NdArray;
  let axes: Axis[] | undefined;
  let sourceFile: unknown;
  let date: unknown;
  if (isDataset(datasetOrNdarray)) {
    if (datasetOrNdarray.imag) {
      throw new ValueError('writeTiff: data must be real; got complex data (an imag part). Write the real and imaginary parts (or the modulus) as separate files.');
    }
    data = datasetOrNdarray.data;
    axes = datasetOrNdarray.axes;
    sourceFile = datasetOrNdarray.metadata?.sourceFile;
    date = datasetOrNdarray.metadata?.acquisitionDate;
  } else if (isNdArray(datasetOrNdarray)) {
    data = datasetOrNdarray;
  } else {
    throw new ValueError(`writeTiff: datasetOrNdarray must be a Dataset or an ndarray; got ${typeof datasetOrNdarray}.`);
  }
  const shape = data.shape.slice();
  if (shape.length < 2 || shape.some(s => !(s >= 1))) {
    throw new ShapeError(`writeTiff: data must have at least 2 non-empty dimensions [row, col]; got shape [${shape.join(', ')}].`);
  }
  const ctor = (data.data as NumericArray).constructor.name;
  const dtype = options.dtype ?? TYPE_OF_CTOR[ctor];
  if (!dtype || !(dtype in SAMPLE_FORMAT)) {
    throw new ValueError(`writeTiff: options.dtype must be one of ${Object.keys(SAMPLE_FORMAT).join(', ')}; got ${JSON.stringify(options.dtype ?? ctor)}.`);
  }
  const compression = options.compression ?? 'none';
  if (compression !== 'none' && compression !== 'deflate') {
    throw new ValueError(`writeTiff: options.compression must be 'none' or 'deflate'; got ${JSON.stringify(compression)}.`);
  }
  const last = axes?.[shape.length - 1];
  const rgb = shape.length >= 3 && (last?.name === 'rgb' || last?.name === 'sample') && shape[shape.length - 1] <= 4 ? shape[shape.length - 1] : 1;
  const nImage = shape.length - (rgb > 1 ? 1 : 0);
  const [height, width] = shape.slice(nImage - 2, nImage);
  const leading = shape.slice(0, nImage - 2);
  const pages = sizeOf(leading);
  const le = options.byteOrder !== 'big';
  const bps = OUT_BYTES[dtype as OutType];
  const pageElements = height * width * rgb;
  const pageBytes = pageElements * bps;
  const cal = calibration(axes, nImage, options.pixelSizeA);
  const description = imagejDescription(leading, axes, cal, pages);
  const estimate = pages * (pageBytes * (compression === 'deflate' ? 1.01 : 1) + 4096) + description.length + 1024;
  const big = options.bigTiff ?? estimate > 0xffff_ff00;
  const rowsPerStrip = compression === 'deflate' ? Math.max(1, Math.min(height, Math.floor((256 * 1024) / (width * rgb * bps)))) : height;
  const software = 'lowdose';
  const dateTime = tiffDateTime(date);

  function* chunks(): Generator<Uint8Array> {
    const header = new Uint8Array(big ? 16 : 8);
    const hv = new DataView(header.buffer);
    header[0] = header[1] = le ? 0x49 : 0x4d;
    hv.setUint16(2, big ? 43 : 42, le);
    if (big) {
      hv.setUint16(4, 8, le);
      hv.setBigUint64(8, BigInt(header.length), le);
    } else hv.setUint32(4, header.length, le);
    yield header;
    let pos = header.length;
    for (let p = 0; p < pages; p++) {
      const raw = encodeChunk(denseRange(data, p * pageElements, pageElements), undefined, dtype as OutType, le, 'writeTiff');
      const strips: Uint8Array[] = [];
      const stripBytes = rowsPerStrip * width * rgb * bps;
      for (let s = 0; s < raw.length; s += stripBytes) {
        const part = raw.subarray(s, Math.min(raw.length, s + stripBytes));
        strips.push(compression === 'deflate' ? new Uint8Array(deflateSync(part)) : part);
      }
      const entries = (offsets: number[]): Entry[] => {
        const e: Entry[] = [
          { tag: 254, type: 4, values: [0] },
          { tag: 256, type: 4, values: [width] },
          { tag: 257, type: 4, values: [height] },
          { tag: 258, type: 3, values: new Array(rgb).fill(bps * 8) },
          { tag: 259, type: 3, values: [compression === 'deflate' ? 8 : 1] },
          { tag: 262, type: 3, values: [rgb >= 3 ? 2 : 1] },
          { tag: 273, type: big ? 16 : 4, values: offsets },
          { tag: 277, type: 3, values: [rgb] },
          { tag: 278, type: 4, values: [rowsPerStrip] },
          { tag: 279, type: big ? 16 : 4, values: strips.map(s => s.length) },
          { tag: 284, type: 3, values: [1] },
          { tag: 339, type: 3, values: new Array(rgb).fill(SAMPLE_FORMAT[dtype as TiffWriteDtype]) }
        ];
        if (rgb === 4) e.push({ tag: 338, type: 3, values: [2] });
        if (cal) {
          e.push({ tag: 282, type: 5, values: rational(cal.xPerUnit) }, { tag: 283, type: 5, values: rational(cal.yPerUnit) });
          e.push({ tag: 296, type: 3, values: [cal.cmUnit ? 3 : 1] });
        }
        if (p === 0) {
          e.push({ tag: 270, type: 2, text: description }, { tag: 305, type: 2, text: software });
          if (dateTime) e.push({ tag: 306, type: 2, text: dateTime });
        }
        return e;
      };
      // the IFD goes first, its page data right after it: sizes are known before any offset is
      const size = encodeIfd(entries(strips.map(() => 0)), 0, 0, big, le).length;
      const dataStart = align(pos + size);
      const offsets: number[] = [];
      let o = dataStart;
      for (const s of strips) {
        offsets.push(o);
        o += align(s.length);
      }
      const next = p + 1 < pages ? o : 0;
      const ifd = encodeIfd(entries(offsets), next, pos, big, le);
      yield ifd;
      yield new Uint8Array(dataStart - pos - ifd.length);
      for (const s of strips) {
        yield s;
        if (align(s.length) > s.length) yield new Uint8Array(align(s.length) - s.length);
      }
      pos = o;
      if (!big && pos > 0xffffffff) {
        throw new ValueError('writeTiff: the file must stay below 4 GiB as a classic TIFF; got more. Pass {bigTiff: true}.');
      }
    }
  }
  await atomicWrite(path, chunks(), { overwrite: options.overwrite, sourceFile, caller: 'writeTiff' });
}

function align(n: number): number {
  return n + ((8 - (n % 8)) % 8);
}

interface Entry {
  tag: number;
  type: number;
  values?: number[];
  text?: string;
}

const TYPE_BYTES: { [t: number]: number } = { 2: 1, 3: 2, 4: 4, 5: 8, 16: 8 };

/** Encodes an IFD at file offset `at`: entry count, entries, next pointer, then out-of-line values. */
function encodeIfd(unsorted: Entry[], next: number, at: number, big: boolean, le: boolean): Uint8Array {
  const entries = unsorted.slice().sort((a, b) => a.tag - b.tag);
  const countBytes = big ? 8 : 2;
  const entryBytes = big ? 20 : 12;
  const inline = big ? 8 : 4;
  const payloads = entries.map(e => payload(e, le));
  const tableEnd = countBytes + entries.length * entryBytes + (big ? 8 : 4);
  let extra = tableEnd;
  const where = payloads.map(b => {
    if (b.length <= inline) return -1;
    const w = extra;
    extra += b.length + (b.length % 2);
    return w;
  });
  const out = new Uint8Array(extra);
  const v = new DataView(out.buffer);
  if (big) v.setBigUint64(0, BigInt(entries.length), le);
  else v.setUint16(0, entries.length, le);
  entries.forEach((e, i) => {
    const p = countBytes + i * entryBytes;
    const count = e.type === 2 ? payloads[i].length : e.type === 5 ? e.values!.length / 2 : e.values!.length;
    v.setUint16(p, e.tag, le);
    v.setUint16(p + 2, e.type, le);
    if (big) v.setBigUint64(p + 4, BigInt(count), le);
    else v.setUint32(p + 4, count, le);
    const valueAt = p + (big ? 12 : 8);
    if (where[i] < 0) out.set(payloads[i], valueAt);
    else {
      out.set(payloads[i], where[i]);
      if (big) v.setBigUint64(valueAt, BigInt(at + where[i]), le);
      else v.setUint32(valueAt, at + where[i], le);
    }
  });
  const np = countBytes + entries.length * entryBytes;
  if (big) v.setBigUint64(np, BigInt(next), le);
  else v.setUint32(np, next, le);
  return out;
}

function payload(e: Entry, le: boolean): Uint8Array {
  if (e.type === 2) {
    const bytes = Buffer.from(e.text! + '\0', 'utf8');
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  }
  const size = TYPE_BYTES[e.type];
  const n = e.type === 5 ? e.values!.length / 2 : e.values!.length;
  const out = new Uint8Array(n * size);
  const v = new DataView(out.buffer);
  e.values!.forEach((x, i) => {
    if (e.type === 3) v.setUint16(2 * i, x, le);
    else if (e.type === 4 || e.type === 5) v.setUint32(4 * i, x, le);
    else v.setBigUint64(8 * i, BigInt(x), le);
  });
  return out;
}

/** Best rational approximation p/q of x with p, q < 2^32 (continued fractions). */
function rational(x: number): [number, number] {
  if (!(x > 0) || !Number.isFinite(x)) return [1, 1];
  const max = 0xffffffff;
  let [h0, h1, k0, k1] = [0, 1, 1, 0];
  let f = x;
  for (let i = 0; i < 64; i++) {
    const a = Math.floor(f);
    const h2 = a * h1 + h0;
    const k2 = a * k1 + k0;
    if (h2 > max || k2 > max) break;
    [h0, h1, k0, k1] = [h1, h2, k1, k2];
    const frac = f - a;
    if (frac < 1e-12 || Math.abs(h1 / k1 - x) <= 1e-15 * x) break;
    f = 1 / frac;
  }
  if (k1 === 0) return x > max ? [max, 1] : [Math.max(1, Math.round(x * max)), max];
  return [h1, k1];
}

interface Calibration {
  /** Pixels per unit along x and y (per cm when cmUnit). */
  xPerUnit: number;
  yPerUnit: number;
  /**
   * Lengths: X/YResolution in pixels per micron with ResolutionUnit 1 (none) and ImageJ
   * `unit=micron` — what ImageJ itself writes, and the one combination ImageJ/Fiji, tifffile and
   * HyperSpy/RosettaSciIO all read as the same calibration (RosettaSciIO only knows `micron`).
   * Other units: ResolutionUnit 1 and pixels per ImageJ `unit`.
   */
  cmUnit: boolean;
  imagejUnit: string;
}

function calibration(axes: Axis[] | undefined, nImage: number, pixelSizeA: number | undefined): Calibration | undefined {
  if (pixelSizeA !== undefined) {
    if (!(pixelSizeA > 0 && Number.isFinite(pixelSizeA))) {
      throw new ValueError(`writeTiff: options.pixelSizeA must be a positive number of Å; got ${pixelSizeA}.`);
    }
    const perUm = 1e4 / pixelSizeA;
    return { xPerUnit: perUm, yPerUnit: perUm, cmUnit: false, imagejUnit: 'micron' };
  }
  if (!axes) return undefined;
  const y = axes[nImage - 2];
  const x = axes[nImage - 1];
  if (!x || !y || !(x.scale > 0 && y.scale > 0)) return undefined;
  const xa = A_PER_UNIT[x.units];
  const ya = A_PER_UNIT[y.units];
  if (xa !== undefined && ya !== undefined) {
    return { xPerUnit: 1e4 / (x.scale * xa), yPerUnit: 1e4 / (y.scale * ya), cmUnit: false, imagejUnit: 'micron' };
  }
  if (x.units !== y.units || IMAGEJ_UNIT[x.units] === undefined) return undefined;
  // reciprocal or angular units: no TIFF resolution unit fits; ImageJ's unit carries them
  return { xPerUnit: 1 / x.scale, yPerUnit: 1 / y.scale, cmUnit: false, imagejUnit: IMAGEJ_UNIT[x.units] };
}

function imagejDescription(leading: number[], axes: Axis[] | undefined, cal: Calibration | undefined, pages: number): string {
  const lines = ['ImageJ=1.11a'];
  if (pages > 1) lines.push(`images=${pages}`);
  const lead = axes?.slice(0, leading.length);
  const timeAxis = (a: Axis | undefined): boolean => a?.units === 's';
  if (leading.length === 2) {
    lines.push(`frames=${leading[0]}`, `slices=${leading[1]}`, 'hyperstack=true');
  } else if (leading.length === 1 && timeAxis(lead?.[0])) {
    lines.push(`frames=${leading[0]}`);
  } else if (pages > 1) {
    lines.push(`slices=${pages}`);
  }
  if (cal) lines.push(`unit=${cal.imagejUnit}`);
  const z = leading.length >= 1 ? lead?.[leading.length - 1] : undefined;
  const za = z ? A_PER_UNIT[z.units] : undefined;
  if (z && cal?.imagejUnit === 'micron' && za !== undefined && z.scale > 0) {
    lines.push(`spacing=${(z.scale * za) / A_PER_UNIT.um}`); // ImageJ's z spacing is in `unit` (µm)
  }
  const t = lead?.find(timeAxis);
  if (t && t.scale > 0) lines.push(`finterval=${t.scale}`);
  if (pages > 1) lines.push('loop=false');
  return lines.join('\n') + '\n';
}

/** ISO 8601 → TIFF DateTime `YYYY:MM:DD HH:MM:SS`, or undefined. */
function tiffDateTime(iso: unknown): string | undefined {
  if (typeof iso !== 'string') return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(iso);
  return m ? `${m[1]}:${m[2]}:${m[3]} ${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}` : undefined;
}
