// MRC2014 / CCP4 / IMOD header: parsing (either byte order), plausibility checks used for sniffing,
// and the mapping from header fields to array shape and calibrated axes.
import { FormatError } from '../../errors';
import { Axis } from '../../types/dataset';

/** Size of the fixed MRC header in bytes. */
export const MRC_HEADER_BYTES = 1024;

/** IMOD's stamp at byte 152 announcing meaningful `imodFlags`. */
export const IMOD_STAMP = 1146047817;

/** Bytes per voxel for each mode (mode 101 packs two voxels per byte, rows padded to a byte). */
export const MODE_BYTES: { [mode: number]: number } = { 0: 1, 1: 2, 2: 4, 3: 4, 4: 8, 6: 2, 12: 2, 16: 3, 101: 0.5 };

export interface MrcHeader {
  littleEndian: boolean;
  nx: number;
  ny: number;
  nz: number;
  mode: number;
  nxstart: number;
  nystart: number;
  nzstart: number;
  mx: number;
  my: number;
  mz: number;
  cellaA: [number, number, number];
  cellbDeg: [number, number, number];
  mapc: number;
  mapr: number;
  maps: number;
  dmin: number;
  dmax: number;
  dmean: number;
  ispg: number;
  nsymbt: number;
  exttyp: string;
  nversion: number;
  nint: number;
  nreal: number;
  imodStamp: number;
  imodFlags: number;
  originA: [number, number, number];
  map: string;
  machst: string;
  rms: number;
  nlabl: number;
  labels: string[];
}

function ascii(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b >= 32 && b < 127 ? String.fromCharCode(b) : b === 0 ? '' : '?';
  return s;
}

function rawWords(head: Uint8Array, littleEndian: boolean) {
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  return {
    i32: (o: number) => v.getInt32(o, littleEndian),
    i16: (o: number) => v.getInt16(o, littleEndian),
    f32: (o: number) => v.getFloat32(o, littleEndian)
  };
}

/** The byte order a header declares in MACHST, or guessed from plausible MODE/NX values. */
export function mrcByteOrder(head: Uint8Array): boolean | undefined {
  if (head.length < MRC_HEADER_BYTES) return undefined;
  if (head[212] === 0x44) return true;
  if (head[212] === 0x11) return false;
  for (const le of [true, false]) {
    const w = rawWords(head, le);
    if (w.i32(12) in MODE_BYTES && w.i32(0) > 0 && w.i32(4) > 0 && w.i32(8) > 0 && w.i32(0) < 2 ** 24) return le;
  }
  return undefined;
}

/**
 * True when the first 1024 bytes look like an MRC header: known MODE, positive dimensions, and
 * either the `MAP ` identifier or (for writers that leave it blank) a MAPC/MAPR/MAPS permutation.
 */
export function looksLikeMrc(head: Uint8Array): boolean {
  const le = mrcByteOrder(head);
  if (le === undefined) return false;
  const w = rawWords(head, le);
  const [nx, ny, nz, mode] = [w.i32(0), w.i32(4), w.i32(8), w.i32(12)];
  if (!(mode in MODE_BYTES) || nx < 1 || ny < 1 || nz < 1 || nx > 2 ** 24 || ny > 2 ** 24) return false;
  if (w.i32(92) < 0) return false;
  const hasMap = head[208] === 0x4d && head[209] === 0x41 && head[210] === 0x50;
  const axes = [w.i32(64), w.i32(68), w.i32(72)].sort().join(',');
  return hasMap ? axes === '1,2,3' || axes === '0,0,0' : axes === '1,2,3';
}

/**
 * Parses and validates the 1024-byte header against the file size (no data is read here).
 * @throws FormatError naming the field and its byte offset for impossible values.
 */
export function parseMrcHeader(head: Uint8Array, file: string): MrcHeader {
  if (head.length < MRC_HEADER_BYTES) {
    throw new FormatError(file, 'header', 0, `an MRC header must be ${MRC_HEADER_BYTES} bytes; got ${head.length}.`);
  }
  const le = mrcByteOrder(head);
  if (le === undefined) {
    throw new FormatError(file, 'MODE', 12, 'neither byte order gives a known MRC mode (0, 1, 2, 3, 4, 6, 12, 16, 101) with positive NX/NY/NZ; not an MRC file.');
  }
  const w = rawWords(head, le);
  const h: MrcHeader = {
    littleEndian: le,
    nx: w.i32(0),
    ny: w.i32(4),
    nz: w.i32(8),
    mode: w.i32(12),
    nxstart: w.i32(16),
    nystart: w.i32(20),
    nzstart: w.i32(24),
    mx: w.i32(28),
    my: w.i32(32),
    mz: w.i32(36),
    cellaA: [w.f32(40), w.f32(44), w.f32(48)],
    cellbDeg: [w.f32(52), w.f32(56), w.f32(60)],
    mapc: w.i32(64),
    mapr: w.i32(68),
    maps: w.i32(72),
    dmin: w.f32(76),
    dmax: w.f32(80),
    dmean: w.f32(84),
    ispg: w.i32(88),
    nsymbt: w.i32(92),
    exttyp: ascii(head.subarray(104, 108)),
    nversion: w.i32(108),
    nint: w.i16(128),
    nreal: w.i16(130),
    imodStamp: w.i32(152),
    imodFlags: w.i32(156),
    originA: [w.f32(196), w.f32(200), w.f32(204)],
    map: ascii(head.subarray(208, 212)),
    machst: Array.from(head.subarray(212, 216), b => b.toString(16).padStart(2, '0')).join(' '),
    rms: w.f32(216),
    nlabl: w.i32(220),
    labels: []
  };
  const nl = Math.max(0, Math.min(10, h.nlabl));
  for (let i = 0; i < nl; i++) h.labels.push(ascii(head.subarray(224 + 80 * i, 304 + 80 * i)).trimEnd());
  const dims: Array<[keyof MrcHeader, number]> = [['nx', 0], ['ny', 4], ['nz', 8]];
  for (const [k, off] of dims) {
    const v = h[k] as number;
    if (!(v >= 1)) throw new FormatError(file, k.toUpperCase(), off, `must be a positive number of voxels; got ${v}.`);
  }
  if (!(h.mode in MODE_BYTES)) {
    throw new FormatError(file, 'MODE', 12, `must be one of 0, 1, 2, 3, 4, 6, 12, 16, 101; got ${h.mode}.`);
  }
  if (h.nsymbt < 0) {
    throw new FormatError(file, 'NSYMBT', 92, `the extended-header size must be ≥ 0 bytes; got ${h.nsymbt}.`);
  }
  return h;
}

/** Bytes of one section (NX × NY voxels); mode 101 rows are padded to whole bytes. */
export function sectionBytes(h: MrcHeader): number {
  if (h.mode === 101) return Math.ceil(h.nx / 2) * h.ny;
  return h.nx * h.ny * MODE_BYTES[h.mode];
}

/** Checks that the extended header and NX·NY·NZ voxels fit in the file; returns the data offset. */
export function checkMrcExtent(h: MrcHeader, file: string, fileSize: number): number {
  const dataOffset = MRC_HEADER_BYTES + h.nsymbt;
  if (dataOffset > fileSize) {
    throw new FormatError(file, 'NSYMBT', 92, `the extended header (${h.nsymbt} bytes) runs past the end of the ${fileSize}-byte file.`);
  }
  const need = sectionBytes(h) * h.nz;
  const have = fileSize - dataOffset;
  if (need > have) {
    throw new FormatError(
      file,
      'data',
      dataOffset,
      `NX×NY×NZ = ${h.nx}×${h.ny}×${h.nz} voxels of mode ${h.mode} need ${need} bytes but the file holds ${have} after the headers; it is truncated or the header is corrupt.`
    );
  }
  return dataOffset;
}

/** What the sections of a file are. */
export type MrcLayout = 'image' | 'stack' | 'volume' | 'volumeStack';

const STACK_EXTENSIONS = ['mrcs'];

/**
 * Decides image / image stack / volume / volume stack. MRC2014 says ISPG 0 = images, 1–230 =
 * volume, 401–630 = volume stack, but writers disagree: RELION marks reconstructions ISPG 0 and
 * Direct Electron marks movies ISPG 1 with CELLA.z = 0. A file is a volume when its header says so
 * and calibrates Z, or says "image" but holds a cubic-voxel grid with MZ = NZ (RELION); `.mrcs`
 * files are always stacks.
 */
export function mrcLayout(h: MrcHeader, fileName: string): MrcLayout {
  if (h.ispg >= 401 && h.ispg <= 630 && h.mz > 0 && h.nz % h.mz === 0 && h.nz / h.mz > 1) return 'volumeStack';
  if (h.nz === 1) return 'image';
  const ext = fileName.toLowerCase().split('.').pop() ?? '';
  if (STACK_EXTENSIONS.includes(ext)) return 'stack';
  const v = voxelSizeA(h);
  if (h.ispg === 0) {
    const cubic = h.mz === h.nz && v[2] > 0 && v[0] !== 1 && Math.abs(v[2] - v[0]) <= 1e-4 * v[0] && Math.abs(v[1] - v[0]) <= 1e-4 * v[0];
    return cubic ? 'volume' : 'stack';
  }
  return h.cellaA[2] === 0 ? 'stack' : 'volume';
}

/**
 * The shortest decimal d with float32(d · m) equal to the stored cell length: the voxel size a
 * writer most plausibly meant (0.8 Å × 24 is stored as 19.2000008; this returns 0.8, where
 * mrcfile's float32 quotient reads 0.800000012).
 */
function plausibleVoxel(cell: number, m: number): number {
  const q = cell / m;
  for (let digits = 1; digits <= 9; digits++) {
    const d = Number(q.toPrecision(digits));
    if (Math.fround(d * m) === cell) return d;
  }
  return q;
}

/** Voxel size (x, y, z) in Å: CELLA / (MX, MY, MZ) (see {@link plausibleVoxel}), 0 where M is 0. */
export function voxelSizeA(h: MrcHeader): [number, number, number] {
  const m = [h.mx, h.my, h.mz];
  return [0, 1, 2].map(i => (m[i] > 0 && Number.isFinite(h.cellaA[i]) ? plausibleVoxel(h.cellaA[i], m[i]) : 0)) as [number, number, number];
}

/** MAPC/MAPR/MAPS as 0-based crystallographic axes of (columns, rows, sections); 1,2,3 when invalid. */
export function axisMapping(h: MrcHeader): { map: [number, number, number]; valid: boolean } {
  const m = [h.mapc, h.mapr, h.maps];
  const valid = [...m].sort().join(',') === '1,2,3';
  return { map: valid ? [m[0] - 1, m[1] - 1, m[2] - 1] : [0, 1, 2], valid };
}

/** Shape (slowest first) and calibrated axes for a layout; an RGB mode adds a last `rgb` axis. */
export function mrcAxes(h: MrcHeader, layout: MrcLayout): { shape: number[]; axes: Axis[] } {
  const voxel = voxelSizeA(h);
  const { map } = axisMapping(h);
  const names = ['x', 'y', 'z'];
  const spatial = (size: number, k: number): Axis => {
    const s = voxel[k];
    const calibrated = Number.isFinite(s) && s !== 0;
    const o = h.originA[k];
    return {
      name: names[k],
      size,
      scale: calibrated ? s : 1,
      offset: calibrated && Number.isFinite(o) ? o : 0,
      units: calibrated ? 'A' : ''
    };
  };
  const cols = spatial(h.nx, map[0]);
  const rows = spatial(h.ny, map[1]);
  const axes: Axis[] = [];
  if (layout === 'stack') axes.push({ name: 'frame', size: h.nz, scale: 1, offset: 0, units: '' });
  else if (layout === 'volume') axes.push(spatial(h.nz, map[2]));
  else if (layout === 'volumeStack') {
    axes.push({ name: 'volume', size: h.nz / h.mz, scale: 1, offset: 0, units: '' });
    axes.push(spatial(h.mz, map[2]));
  }
  axes.push(rows, cols);
  if (h.mode === 16) axes.push({ name: 'rgb', size: 3, scale: 1, offset: 0, units: '' });
  return { shape: axes.map(a => a.size), axes };
}

/** The header as plain JSON-friendly fields for `metadata.original`. */
export function headerRecord(h: MrcHeader): Record<string, unknown> {
  const { littleEndian, ...rest } = h;
  return { ...rest, byteOrder: littleEndian ? 'little' : 'big', voxelSizeA: voxelSizeA(h) };
}
