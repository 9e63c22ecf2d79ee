// MRC extended headers: Thermo Fisher FEI1/FEI2 per-section metadata records, CCP4 symmetry
// operators and SerialEM/IMOD per-section tilt angles. Layouts follow the FEI MRC2014 specification
// as transcribed by ccpem/mrcfile (mrcfile/dtypes.py) and IMOD's mrc_format.txt.
import { MrcHeader } from './mrcHeader';

type FieldType = 'i4' | 'u4le' | 'i8' | 'f8' | 'b1' | `S${number}`;

// FEI1 (metadata version 0/1, 768 bytes); FEI2 (version 2, 888 bytes) appends FEI2_EXTRA.
const FEI1_FIELDS: Array<[string, FieldType]> = [
  ['Metadata size', 'i4'], ['Metadata version', 'i4'], ['Bitmask 1', 'u4le'], ['Timestamp', 'f8'],
  ['Microscope type', 'S16'], ['D-Number', 'S16'], ['Application', 'S16'], ['Application version', 'S16'],
  ['HT', 'f8'], ['Dose', 'f8'], ['Alpha tilt', 'f8'], ['Beta tilt', 'f8'], ['X-Stage', 'f8'], ['Y-Stage', 'f8'],
  ['Z-Stage', 'f8'], ['Tilt axis angle', 'f8'], ['Dual axis rotation', 'f8'], ['Pixel size X', 'f8'],
  ['Pixel size Y', 'f8'], ['Unused range', 'S48'], ['Defocus', 'f8'], ['STEM Defocus', 'f8'],
  ['Applied defocus', 'f8'], ['Instrument mode', 'i4'], ['Projection mode', 'i4'], ['Objective lens mode', 'S16'],
  ['High magnification mode', 'S16'], ['Probe mode', 'i4'], ['EFTEM On', 'b1'], ['Magnification', 'f8'],
  ['Bitmask 2', 'u4le'], ['Camera length', 'f8'], ['Spot index', 'i4'], ['Illuminated area', 'f8'],
  ['Intensity', 'f8'], ['Convergence angle', 'f8'], ['Illumination mode', 'S16'],
  ['Wide convergence angle range', 'b1'], ['Slit inserted', 'b1'], ['Slit width', 'f8'],
  ['Acceleration voltage offset', 'f8'], ['Drift tube voltage', 'f8'], ['Energy shift', 'f8'],
  ['Shift offset X', 'f8'], ['Shift offset Y', 'f8'], ['Shift X', 'f8'], ['Shift Y', 'f8'],
  ['Integration time', 'f8'], ['Binning Width', 'i4'], ['Binning Height', 'i4'], ['Camera name', 'S16'],
  ['Readout area left', 'i4'], ['Readout area top', 'i4'], ['Readout area right', 'i4'],
  ['Readout area bottom', 'i4'], ['Ceta noise reduction', 'b1'], ['Ceta frames summed', 'i4'],
  ['Direct detector electron counting', 'b1'], ['Direct detector align frames', 'b1'],
  ['Camera param reserved 0', 'i4'], ['Camera param reserved 1', 'i4'], ['Camera param reserved 2', 'i4'],
  ['Camera param reserved 3', 'i4'], ['Bitmask 3', 'u4le'], ['Camera param reserved 4', 'i4'],
  ['Camera param reserved 5', 'i4'], ['Camera param reserved 6', 'i4'], ['Camera param reserved 7', 'i4'],
  ['Camera param reserved 8', 'i4'], ['Camera param reserved 9', 'i4'], ['Phase Plate', 'b1'],
  ['STEM Detector name', 'S16'], ['Gain', 'f8'], ['Offset', 'f8'], ['STEM param reserved 0', 'i4'],
  ['STEM param reserved 1', 'i4'], ['STEM param reserved 2', 'i4'], ['STEM param reserved 3', 'i4'],
  ['STEM param reserved 4', 'i4'], ['Dwell time', 'f8'], ['Frame time', 'f8'], ['Scan size left', 'i4'],
  ['Scan size top', 'i4'], ['Scan size right', 'i4'], ['Scan size bottom', 'i4'], ['Full scan FOV X', 'f8'],
  ['Full scan FOV Y', 'f8'], ['Element', 'S16'], ['Energy interval lower', 'f8'],
  ['Energy interval higher', 'f8'], ['Method', 'i4'], ['Is dose fraction', 'b1'], ['Fraction number', 'i4'],
  ['Start frame', 'i4'], ['End frame', 'i4'], ['Input stack filename', 'S80'], ['Bitmask 4', 'u4le'],
  ['Alpha tilt min', 'f8'], ['Alpha tilt max', 'f8']
];
const FEI2_EXTRA: Array<[string, FieldType]> = [
  ['Scan rotation', 'f8'], ['Diffraction pattern rotation', 'f8'], ['Image rotation', 'f8'],
  ['Scan mode enumeration', 'i4'], ['Acquisition time stamp', 'i8'], ['Detector commercial name', 'S16'],
  ['Start tilt angle', 'f8'], ['End tilt angle', 'f8'], ['Tilt per image', 'f8'], ['Tilt speed', 'f8'],
  ['Beam center X pixel', 'i4'], ['Beam center Y pixel', 'i4'], ['CFEG flash timestamp', 'i8'],
  ['Phase plate position index', 'i4'], ['Objective aperture name', 'S16']
];

function fieldBytes(t: FieldType): number {
  if (t === 'i4' || t === 'u4le') return 4;
  if (t === 'i8' || t === 'f8') return 8;
  if (t === 'b1') return 1;
  return Number(t.slice(1));
}

/** One FEI record as {field name: value}; strings trimmed of NULs, reserved fields dropped. */
export type FeiRecord = Record<string, number | string | boolean>;

/** Size of one FEI record for a metadata version (768 for FEI1, 888 for FEI2). */
export function feiRecordBytes(exttyp: string): number {
  return exttyp === 'FEI2' ? 888 : 768;
}

/** Decodes one FEI1/FEI2 record (`bytes` must hold at least its size). */
export function parseFeiRecord(bytes: Uint8Array, littleEndian: boolean, exttyp: string): FeiRecord {
  const fields = exttyp === 'FEI2' ? [...FEI1_FIELDS, ...FEI2_EXTRA] : FEI1_FIELDS;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: FeiRecord = {};
  let o = 0;
  for (const [name, t] of fields) {
    const n = fieldBytes(t);
    if (o + n > bytes.length) break;
    if (!name.includes('reserved') && name !== 'Unused range') {
      if (t === 'i4') out[name] = v.getInt32(o, littleEndian);
      else if (t === 'u4le') out[name] = v.getUint32(o, true);
      else if (t === 'i8') out[name] = Number(v.getBigInt64(o, littleEndian));
      else if (t === 'f8') out[name] = v.getFloat64(o, littleEndian);
      else if (t === 'b1') out[name] = bytes[o] !== 0;
      else {
        let s = '';
        for (let i = o; i < o + n && bytes[i] !== 0; i++) s += String.fromCharCode(bytes[i]);
        out[name] = s.trim();
      }
    }
    o += n;
  }
  return out;
}

/** Normalised lowdose metadata keys from an FEI record (SI units converted; zero means unset). */
export function feiNormalised(r: FeiRecord): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  const pos = (k: string) => (typeof r[k] === 'number' && Number.isFinite(r[k]) && (r[k] as number) > 0 ? (r[k] as number) : undefined);
  if (pos('HT') !== undefined) m.voltageKV = (r.HT as number) / 1000;
  if (pos('Dose') !== undefined) m.doseEPerA2 = (r.Dose as number) * 1e-20; // e⁻/m² → e⁻/Å²
  if (pos('Integration time') !== undefined) m.exposureS = r['Integration time'];
  if (pos('Frame time') !== undefined) m.frameTimeS = r['Frame time'];
  if (pos('Dwell time') !== undefined) m.dwellTimeS = r['Dwell time'];
  if (pos('Camera length') !== undefined) m.cameraLengthMm = (r['Camera length'] as number) * 1000;
  if (pos('Magnification') !== undefined) m.magnification = r.Magnification;
  if (r['Microscope type']) m.microscope = r['Microscope type'];
  const stem = r['Instrument mode'] === 2 && r['STEM Detector name'];
  const det = stem || r['Detector commercial name'] || r['Camera name'] || r['STEM Detector name'];
  if (det) m.detector = det;
  const ts = pos('Timestamp');
  // Days since 1899-12-30 (OLE automation date); 25569 days separate it from the Unix epoch.
  if (ts !== undefined && ts > 25569 && ts < 25569 + 365.25 * 200) m.acquisitionDate = new Date((ts - 25569) * 86400000).toISOString();
  return m;
}

/** CCP4 symmetry records: NSYMBT bytes of 80-character operator lines. */
export function parseSymmetryOperators(bytes: Uint8Array): string[] {
  const ops: string[] = [];
  for (let o = 0; o + 80 <= bytes.length; o += 80) {
    let s = '';
    for (let i = o; i < o + 80; i++) s += bytes[i] >= 32 && bytes[i] < 127 ? String.fromCharCode(bytes[i]) : ' ';
    if (s.trim()) ops.push(s.trim());
  }
  return ops;
}

const SERIALEM_FLAG_BYTES: Array<[number, number]> = [[1, 2], [2, 6], [4, 4], [8, 2], [16, 2], [32, 4], [64, 2], [128, 4], [256, 2], [512, 4], [1024, 2]];

/**
 * SerialEM per-section tilt angles (degrees) when NINT/NREAL describe SerialEM short records
 * with the tilt flag set (IMOD mrc_format.txt); undefined otherwise.
 */
export function parseSerialEmTilts(h: MrcHeader, ext: Uint8Array): number[] | undefined {
  if (!(h.exttyp === 'SERI' || h.exttyp === '' || h.exttyp === 'AGAR') || h.nint <= 0 || h.nreal <= 0 || !(h.nreal & 1)) return undefined;
  let bytes = 0;
  for (const [flag, n] of SERIALEM_FLAG_BYTES) if (h.nreal & flag) bytes += n;
  if (bytes !== h.nint || h.nint * h.nz > ext.length) return undefined;
  const v = new DataView(ext.buffer, ext.byteOffset, ext.byteLength);
  const tilts: number[] = [];
  for (let z = 0; z < h.nz; z++) tilts.push(v.getInt16(z * h.nint, h.littleEndian) / 100);
  return tilts;
}
