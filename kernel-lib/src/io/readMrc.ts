import { promises as fsp } from 'fs';
import ndarray from 'ndarray';
import { ValueError } from '../errors';
import { Dataset, Metadata, NdArray, NumericArray } from '../types/dataset';
import { ByteSource, openByteSource } from './_internal/byteSource';
import { makeLazySource } from './_internal/lazySource';
import { readDeSidecars } from './_internal/mrcDirectElectron';
import { decodeMrcSections, mrcOutputDtype, mrcSourceDtype } from './_internal/mrcData';
import {
  axisMapping,
  checkMrcExtent,
  headerRecord,
  looksLikeMrc,
  MRC_HEADER_BYTES,
  MrcHeader,
  mrcAxes,
  mrcByteOrder,
  mrcLayout,
  parseMrcHeader,
  sectionBytes,
  voxelSizeA
} from './_internal/mrcHeader';
import { FeiRecord, feiNormalised, feiRecordBytes, parseFeiRecord, parseSerialEmTilts, parseSymmetryOperators } from './_internal/mrcExtendedHeader';
import { selectSignal } from './_internal/selectSignal';
import { FormatHandler } from './formats';
import { LazySource, PathOrBytes, ReadOptions } from './types';

const MRC_EXTENSIONS = ['mrc', 'mrcs', 'map', 'ccp4', 'st', 'ali', 'preali', 'rec', 'tomo'];
/** Bytes read per request when loading a whole file (bounds the transient copy). */
const CHUNK_BYTES = 64 * 2 ** 20;
/** Largest typed array Node allocates. */
const MAX_ARRAY_BYTES = 2 ** 32 - 1;

interface MrcFile {
  src: ByteSource;
  header: MrcHeader;
  shape: number[];
  axes: Dataset['axes'];
  metadata: Metadata;
  dataOffset: number;
  sectionBytes: number;
  feiRecords: Array<FeiRecord | undefined>;
  /** Direct Electron scans: file section of each scan position (random / custom scan orders). */
  order?: Int32Array;
  scan: boolean;
}

/** True when the source is the file at its own name (not bytes given a name), so sidecars can be looked up. */
async function isOnDisk(src: ByteSource): Promise<boolean> {
  try {
    const st = await fsp.stat(src.name);
    return st.isFile() && st.size === src.size;
  } catch {
    return false;
  }
}

async function parseMrc(src: ByteSource): Promise<MrcFile> {
  const head = await src.read(0, MRC_HEADER_BYTES, 'header');
  const h = parseMrcHeader(head, src.name);
  const dataOffset = checkMrcExtent(h, src.name, src.size);
  const layout = mrcLayout(h, src.name);
  let { shape, axes } = mrcAxes(h, layout);
  const warnings: string[] = [];
  const original: Record<string, unknown> = { header: headerRecord(h) };
  const metadata: Metadata = {
    sourceFormat: 'mrc',
    sourceFile: src.name,
    sourceDtype: mrcSourceDtype(h),
    signalType: { image: 'image', stack: 'stack', volume: 'volume', volumeStack: 'volume-stack' }[layout]
  };
  if (h.labels.length && h.labels[0].trim()) metadata.title = h.labels[0].trim();

  const feiRecords: Array<FeiRecord | undefined> = [];
  if (h.nsymbt > 0) {
    const ext: Record<string, unknown> = { type: h.exttyp, bytes: h.nsymbt };
    if (h.exttyp === 'FEI1' || h.exttyp === 'FEI2') {
      const first = await src.read(MRC_HEADER_BYTES, Math.min(h.nsymbt, 8), 'extended header');
      const declared = first.length >= 4 ? new DataView(first.buffer, first.byteOffset, 4).getInt32(0, h.littleEndian) : 0;
      const recBytes = declared >= 768 && declared <= h.nsymbt ? declared : feiRecordBytes(h.exttyp);
      const n = Math.min(h.nz, Math.floor(h.nsymbt / recBytes));
      if (n > 0) {
        const bytes = await src.read(MRC_HEADER_BYTES, n * recBytes, 'FEI extended header');
        for (let i = 0; i < n; i++) {
          const rec = bytes.subarray(i * recBytes, (i + 1) * recBytes);
          const size = new DataView(rec.buffer, rec.byteOffset, 4).getInt32(0, h.littleEndian);
          feiRecords.push(size > 0 ? parseFeiRecord(rec, h.littleEndian, h.exttyp) : undefined);
        }
        ext.fei = feiRecords;
        if (feiRecords[0]) Object.assign(metadata, feiNormalised(feiRecords[0]));
      }
    } else if (h.exttyp === 'CCP4' || (h.exttyp === '' && h.ispg > 0 && h.ispg < 401 && h.nsymbt % 80 === 0)) {
      const bytes = await src.read(MRC_HEADER_BYTES, Math.min(h.nsymbt, 80 * 256), 'symmetry records');
      ext.symmetryOperators = parseSymmetryOperators(bytes);
    } else if (h.nint > 0 && h.nreal > 0 && h.nint * h.nz <= h.nsymbt) {
      const bytes = await src.read(MRC_HEADER_BYTES, h.nint * h.nz, 'SerialEM extended header');
      const tilts = parseSerialEmTilts(h, bytes);
      if (tilts) metadata.tiltAnglesDeg = tilts;
    }
    original.extendedHeader = ext;
  }

  // FEI files may leave CELLA unset; their records carry the pixel size in metres.
  const fei0 = feiRecords[0];
  const feiPx = fei0 && typeof fei0['Pixel size X'] === 'number' ? (fei0['Pixel size X'] as number) * 1e10 : 0;
  const [rowAxis, colAxis] = axes.slice(axes.length - (h.mode === 16 ? 3 : 2));
  if (feiPx > 0 && colAxis.units === '' && rowAxis.units === '') {
    for (const a of [rowAxis, colAxis]) Object.assign(a, { scale: feiPx, units: 'A' });
  }
  if (colAxis.units === 'A' && colAxis.scale > 0 && Math.abs(rowAxis.scale - colAxis.scale) <= 1e-6 * colAxis.scale) {
    metadata.pixelSizeA = colAxis.scale;
  }
  const v = voxelSizeA(h);
  if (v.some(s => s < 0)) {
    warnings.push(
      `CELLA is negative (voxel size ${v.join(', ')} Å, as Direct Electron software writes); the axes keep the sign mrcfile reports and pixelSizeA is not set.`
    );
  }
  if (!axisMapping(h).valid) warnings.push(`MAPC/MAPR/MAPS = ${h.mapc}, ${h.mapr}, ${h.maps} is not a permutation of 1, 2, 3; assumed 1, 2, 3.`);
  if (h.mode === 0 && h.imodStamp === 1146047817 && !(h.imodFlags & 1)) warnings.push('mode 0 read as unsigned bytes (IMOD file without the signed-bytes flag).');
  let order: Int32Array | undefined;
  let scan = false;
  if (layout === 'stack' && h.mode !== 16 && (await isOnDisk(src))) {
    const de = await readDeSidecars(src.name, h.nz, h.ny, h.nx);
    if (de) {
      Object.assign(metadata, de.metadata);
      original.deInfo = de.info;
      warnings.push(...de.warnings);
      if (de.scan) {
        shape = [de.scan.rows, de.scan.cols, h.ny, h.nx];
        axes = [...de.scan.scanAxes, ...de.scan.detectorAxes];
        metadata.signalType = '4d-stem';
        delete metadata.pixelSizeA;
        // the scan and detector axes come from the sidecar, so CELLA's sign no longer matters
        warnings.splice(0, warnings.length, ...warnings.filter(w => !w.startsWith('CELLA is negative')));
        order = de.scan.order;
        scan = true;
      }
    }
  }
  if (warnings.length) metadata.warnings = warnings;
  metadata.original = original;
  return { src, header: h, shape, axes, metadata, dataOffset, sectionBytes: sectionBytes(h), feiRecords, order, scan };
}

async function readSections(f: MrcFile, start: number, count: number): Promise<{ data: NumericArray; imag?: NumericArray }> {
  const h = f.header;
  const perSection = h.nx * h.ny * (h.mode === 16 ? 3 : 1);
  const total = perSection * count;
  const outDtype = mrcOutputDtype(h);
  const complex = h.mode === 3 || h.mode === 4;
  const bytesPerOut = outDtype === 'float32' ? 4 : outDtype.endsWith('16') ? 2 : 1;
  if (total * bytesPerOut > MAX_ARRAY_BYTES) {
    throw new ValueError(
      `readMrc: ${f.src.name} must hold at most ${MAX_ARRAY_BYTES} bytes of decoded voxels to be read whole; got ${total * bytesPerOut}. Stream it with lowdose.io.open(path) and frames({chunkSize}).`
    );
  }
  const perRead = f.order ? 1 : Math.max(1, Math.floor(CHUNK_BYTES / Math.max(1, f.sectionBytes)));
  const section = (i: number) => (f.order ? f.order[i] : i);
  if (count <= perRead && !f.order) {
    const bytes = await f.src.read(f.dataOffset + start * f.sectionBytes, count * f.sectionBytes, 'data');
    return decodeMrcSections(h, bytes, count);
  }
  const Ctor = { int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, float32: Float32Array }[outDtype as 'int8'];
  const data = new Ctor(total) as NumericArray;
  const imag = complex ? new Float32Array(total) : undefined;
  for (let s = 0; s < count; s += perRead) {
    const n = Math.min(perRead, count - s);
    const bytes = await f.src.read(f.dataOffset + section(start + s) * f.sectionBytes, n * f.sectionBytes, 'data');
    const part = decodeMrcSections(h, bytes, n);
    data.set(part.data as never, s * perSection);
    if (imag && part.imag) imag.set(part.imag, s * perSection);
  }
  return { data, imag };
}

async function readWhole(f: MrcFile): Promise<Dataset> {
  const { data, imag } = await readSections(f, 0, f.header.nz);
  const ds: Dataset = { data: ndarray(data, f.shape) as NdArray, axes: f.axes.map(a => ({ ...a })), metadata: { ...f.metadata } };
  if (imag) ds.imag = ndarray(imag, f.shape) as NdArray;
  return ds;
}

/**
 * Streams an MRC file section by section (movie frames, stack images, volume slices).
 * @param src - an open ByteSource; closing the LazySource closes it.
 */
async function openMrcSource(src: ByteSource): Promise<LazySource> {
  const f = await parseMrc(src);
  return makeLazySource({
    name: src.name,
    shape: f.shape,
    axes: f.axes,
    metadata: f.metadata,
    dtype: mrcOutputDtype(f.header),
    frameDims: f.header.mode === 16 ? 3 : 2,
    scan: f.scan,
    read: (start, count) => readSections(f, start, count),
    frameMetadata: i => (f.feiRecords[i] ? { fei: f.feiRecords[i], ...feiNormalised(f.feiRecords[i] as FeiRecord) } : {}),
    close: () => src.close()
  });
}

/**
 * Format handler for MRC2014 / CCP4 / IMOD files (`.mrc`, `.mrcs`, `.map`, `.ccp4`, `.st`, `.rec`, …).
 * Sniffs the `MAP ` identifier or, for writers that leave it blank (RELION), a plausible header.
 */
export const mrcFormat: FormatHandler = {
  name: 'mrc',
  extensions: MRC_EXTENSIONS,
  sniff(head: Uint8Array, fileName: string): boolean {
    if (looksLikeMrc(head)) return true;
    const ext = fileName.toLowerCase().split('.').pop() ?? '';
    if (!fileName.includes('.') || !MRC_EXTENSIONS.includes(ext) || mrcByteOrder(head) === undefined) return false;
    try {
      parseMrcHeader(head, fileName);
      return true;
    } catch {
      return false;
    }
  },
  async readAll(src: ByteSource): Promise<Dataset[]> {
    return [await readWhole(await parseMrc(src))];
  },
  open: (src: ByteSource) => openMrcSource(src)
};

/**
 * Reads an MRC2014 / CCP4 / IMOD file (image, image stack or movie, volume, volume stack).
 *
 * Modes 0 (int8; unsigned for IMOD files without the signed flag), 1 (int16), 2 (float32),
 * 3 (complex int16 → float32 re/im), 4 (complex64 → float32 re/im), 6 (uint16), 12 (float16 →
 * float32), 16 (IMOD RGB → last axis `rgb` of 3) and 101 (4-bit → uint8); either byte order.
 * Axes: `[y, x]` for one section, `[frame, y, x]` for image stacks and movies, `[z, y, x]` for
 * volumes, `[volume, z, y, x]` for volume stacks; voxel size CELLA/MXYZ in Å (as mrcfile reports
 * it, sign included), offsets from ORIGIN. Arrays are in file order (not flipped, MAPC/MAPR/MAPS
 * not permuted, as mrcfile and RosettaSciIO return them); each array axis is named and
 * calibrated after the crystallographic axis MAPC/MAPR/MAPS assign to it. Thermo Fisher FEI1/FEI2
 * extended headers fill voltageKV, cameraLengthMm, dwellTimeS, frameTimeS, microscope, detector…;
 * CCP4 symmetry records and SerialEM tilt angles are kept; the raw header is `metadata.original`.
 * Direct Electron 4D-STEM movies (`<prefix>_movie.mrc` read from disk beside `<prefix>_info.txt`
 * and, for random scans, `<prefix>_scan_coordinates.csv`) come out as RosettaSciIO returns them:
 * `[scanRow, scanCol, detRow, detCol]`, frames placed at their scan positions, with the
 * sidecar's detector, magnification, frame time, voltage and dwell time.
 *
 * @param pathOrBytes - file path or the file's bytes.
 * @param options - `name` labels errors when reading bytes; `signal` may be 0 (MRC holds one).
 * @returns the Dataset (complex modes: `data` real part, `imag` imaginary part).
 * @throws FormatError (file, field, byte offset) for a bad header, an extended header or data
 *   running past the end of the file, or an unknown mode; ValueError when the decoded data would
 *   exceed 4 GiB (use {@link mrcFormat}'s `open` through `lowdose.io.open`).
 * @example
 * const vol = await lowdose.io.readMrc('EMD-3197.map');
 * vol.data.shape;        // [20, 20, 20]
 * vol.axes[2].scale;     // 11.4 (Å per voxel)
 */
export async function readMrc(pathOrBytes: PathOrBytes, options: ReadOptions = {}): Promise<Dataset> {
  const src = await openByteSource(pathOrBytes, options.name);
  try {
    return selectSignal(await mrcFormat.readAll(src, options), options.signal, 'readMrc', src.name);
  } finally {
    await src.close();
  }
}
