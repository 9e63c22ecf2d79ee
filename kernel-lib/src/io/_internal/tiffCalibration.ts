// Calibration and acquisition metadata of a TIFF, from whichever flavour wrote it: Thermo Fisher /
// FEI (INI text in tag 34682 / 34680), JEOL SightX (TemReporter XML in ImageDescription), Gatan
// DigitalMicrograph (private tags 65003–65027), ImageJ (ImageDescription + X/YResolution), or plain
// resolution tags. The precedence and the axis mapping follow RosettaSciIO (rsciio/tiff/_api.py), so
// scales, units and offsets match what HyperSpy users see; units are mapped onto lowdose's list.
import { AxisUnits, Metadata } from '../../types/dataset';
import { FormatError } from '../../errors';
import { openByteSource } from './byteSource';
import { dmNormalisedMetadata } from './dmMetadata';
import { parseDmFile } from './dmTagTree';
import { TiffIfd, tagNumber, tagRational, tagText } from './tiffIfd';
import { ImageJInfo, isoDateTime, num, parseImageJDescription, parseIni, parseSimpleXml, XmlNode, xmlPath } from './tiffVendor';

/** Calibration of one axis. */
export interface AxisCal {
  scale: number;
  offset: number;
  units: AxisUnits;
}

/** What the tags say about axes and acquisition. */
export interface TiffCalibration {
  y: AxisCal;
  x: AxisCal;
  /** Stack axis (DM z axis, ImageJ slices). */
  z?: AxisCal;
  /** ImageJ frames (time). */
  t?: AxisCal;
  imagej?: ImageJInfo;
  /** Which flavours contributed ('fei', 'jeol-sightx', 'gatan', 'imagej', 'resolution'). */
  flavours: string[];
  /** Normalised metadata keys (voltageKV, magnification, …) and vendor extras with units in names. */
  metadata: Metadata;
  /** Parsed vendor structures for `metadata.original`. */
  original: { [key: string]: unknown };
}

const UNCAL: AxisCal = { scale: 1, offset: 0, units: '' };

/** Options of {@link tiffCalibration}. */
export interface CalibrationOptions {
  /** Use X/YResolution + ResolutionUnit even when they look like a display DPI (as rsciio's force_read_resolution). */
  forceReadResolution?: boolean;
}

/** Reads calibration and metadata from the first page's tags. */
export async function tiffCalibration(ifd: TiffIfd, fileName: string, options: CalibrationOptions = {}): Promise<TiffCalibration> {
  const cal: TiffCalibration = { y: { ...UNCAL }, x: { ...UNCAL }, flavours: [], metadata: {}, original: {} };
  const md = cal.metadata;
  const description = tagText(ifd, 270);
  const feiText = tagText(ifd, 34682) ?? tagText(ifd, 34680);
  if (feiText !== undefined) {
    fei(cal, parseIni(feiText));
  } else if (tagText(ifd, 271) === 'JEOL Ltd.' && description && description.includes('<TemReporter')) {
    jeolSightX(cal, ifd, description);
  } else {
    if ([65003, 65004, 65005, 65006, 65007, 65008, 65009, 65010, 65011].some(c => ifd.tags.has(c))) await gatan(cal, ifd, fileName);
    const ij = parseImageJDescription(description);
    if (ij) imagej(cal, ifd, ij);
    if (cal.flavours.length === 0) resolution(cal, ifd, options.forceReadResolution === true);
  }
  const dt = tagText(ifd, 306);
  if (md.acquisitionDate === undefined && dt) {
    const iso = isoDateTime(dt);
    if (iso) md.acquisitionDate = iso;
  }
  if (isLength(cal.x.units) && cal.x.units === cal.y.units && Math.abs(cal.x.scale - cal.y.scale) <= 1e-6 * Math.abs(cal.x.scale)) {
    md.pixelSizeA = cal.x.scale * LENGTH_IN_A[cal.x.units];
  }
  return cal;
}

function fei(cal: TiffCalibration, ini: { [section: string]: { [key: string]: string } }): void {
  cal.flavours.push('fei');
  cal.original.fei = ini;
  const md = cal.metadata;
  const s = (section: string, key: string): string | undefined => ini[section]?.[key];
  let pw = num(s('Scan', 'PixelWidth'));
  let ph = num(s('Scan', 'PixelHeight'));
  if (pw === undefined) {
    const hfw = num(s('IRBeam', 'HFW'));
    const vfw = num(s('IRBeam', 'VFW'));
    const nx = num(s('Image', 'ResolutionX'));
    const ny = num(s('Image', 'ResolutionY'));
    if (hfw && vfw && nx && ny) [pw, ph] = [hfw / nx, vfw / ny];
  }
  if (pw && pw > 0) {
    cal.x = toAxisCal('m', pw, 0);
    cal.y = toAxisCal('m', ph && ph > 0 ? ph : pw, 0);
  }
  const hv = num(s('Beam', 'HV')) ?? num(s('EBeam', 'HV'));
  if (hv !== undefined) md.voltageKV = hv / 1000;
  set(md, 'dwellTimeS', num(s('Scan', 'Dwelltime')));
  set(md, 'frameTimeS', num(s('Scan', 'FrameTime')));
  set(md, 'microscope', s('System', 'SystemType') || undefined);
  set(md, 'detector', s('Detectors', 'Name') || undefined);
  set(md, 'acquisitionDate', isoDateTime(s('User', 'Date'), s('User', 'Time')));
  const wd = num(s('Stage', 'WorkingDistance')) ?? num(s('EBeam', 'WD'));
  if (wd !== undefined) md.workingDistanceMm = wd * 1e3;
  const current = num(s('EBeam', 'BeamCurrent'));
  if (current !== undefined) md.beamCurrentNA = current * 1e9;
  const stage: { [k: string]: number } = {};
  const put = (k: string, v: number | undefined): void => {
    if (v !== undefined) stage[k] = v;
  };
  put('xM', num(s('Stage', 'StageX')));
  put('yM', num(s('Stage', 'StageY')));
  put('zM', num(s('Stage', 'StageZ')));
  const r = num(s('Stage', 'StageR'));
  const t = num(s('Stage', 'StageT'));
  put('rotationDeg', r === undefined ? undefined : (r * 180) / Math.PI);
  put('tiltDeg', t === undefined ? undefined : (t * 180) / Math.PI);
  if (Object.keys(stage).length > 0) md.stage = stage;
  md.signalType = 'image';
}

function jeolSightX(cal: TiffCalibration, ifd: TiffIfd, description: string): void {
  const xml = parseSimpleXml(description);
  const rep: XmlNode | undefined = xml && typeof xml !== 'string' ? (xml.TemReporter as XmlNode) : undefined;
  if (!rep) return;
  cal.flavours.push('jeol-sightx');
  cal.original.jeol = rep;
  const md = cal.metadata;
  const x = (...path: string[]): string | undefined => xmlPath(rep, path);
  const eos = x('Eos', 'EosMode');
  const mode = x('ImageFormingSystem', 'ModeString');
  const selector = num(x('ImageFormingSystem', 'SelectorValue'));
  const voltageV = num(x('ElectronGun', 'AccelerationVoltage'));
  // resolution is pixels per inch (or per cm) on the camera; scale follows rsciio's SightX reader
  const unitM = tagNumber(ifd, 296, 2) === 2 ? 0.0254 : 0.01;
  const xres = tagRational(ifd, 282);
  const yres = tagRational(ifd, 283);
  if (eos === 'eosTEM' && mode === 'MAG' && selector && xres && yres) {
    cal.x = toAxisCal('nm', ((unitM / selector) * 1e9) / xres, 0);
    cal.y = toAxisCal('nm', ((unitM / selector) * 1e9) / yres, 0);
    md.magnification = selector;
    md.signalType = 'image';
  } else if (eos === 'eosTEM' && mode === 'DIFF' && selector && voltageV && xres && yres) {
    const unit = x('ImageFormingSystem', 'SelectorUnitString');
    const cameraLengthM = unit === 'cm' ? selector / 100 : unit === 'm' ? selector : selector / 1000;
    const perPx = unitM / (cameraLengthM * electronWavelengthM(voltageV) * 1e9);
    cal.x = toAxisCal('1/nm', perPx / xres, 0);
    cal.y = toAxisCal('1/nm', perPx / yres, 0);
    md.cameraLengthMm = cameraLengthM * 1000;
    md.signalType = 'diffraction';
  }
  if (voltageV !== undefined) md.voltageKV = voltageV / 1000;
  set(md, 'microscope', x('Instruments'));
  set(md, 'acquisitionDate', isoDateTime(x('DateTime')));
  set(md, 'detector', x('JemBaumerCamera', 'Modelname') ?? x('ImageSourceDetector'));
  set(md, 'exposureS', parseDuration(x('JemBaumerCamera', 'Parameter', 'ExposureTimeString')));
}

/** Relativistic electron wavelength in metres at `voltageV` volts. */
export function electronWavelengthM(voltageV: number): number {
  const m = 9.1093837015e-31;
  const e = 1.602176634e-19;
  const c = 299792458.0;
  const h = 6.62607015e-34;
  return h / Math.sqrt(2 * m * e * voltageV * (1 + (e * voltageV) / (2 * m * c * c)));
}

function parseDuration(s: string | undefined): number | undefined {
  const m = s ? /^\s*([-+\d.eE]+)\s*(s|sec|ms|msec|us|µs|usec)?\s*$/.exec(s) : null;
  if (!m) return undefined;
  const v = Number(m[1]);
  const f = !m[2] || m[2].startsWith('s') ? 1 : m[2].startsWith('m') ? 1e-3 : 1e-6;
  return Number.isFinite(v) ? v * f : undefined;
}

async function gatan(cal: TiffCalibration, ifd: TiffIfd, fileName: string): Promise<void> {
  cal.flavours.push('gatan');
  const n = (c: number): number | undefined => tagNumber(ifd, c);
  // rsciio: 65003/65009/65006 describe the columns (x), 65004/65010/65007 the rows (y), 65005/65011/65008 z
  cal.x = toAxisCal(tagText(ifd, 65003) ?? '', n(65009) ?? 1, n(65006) ?? 0);
  cal.y = toAxisCal(tagText(ifd, 65004) ?? '', n(65010) ?? 1, n(65007) ?? 0);
  if ([65005, 65008, 65011].some(c => ifd.tags.has(c))) cal.z = toAxisCal(tagText(ifd, 65005) ?? '', n(65011) ?? 1, n(65008) ?? 0);
  const intensity: { [k: string]: unknown } = {};
  if (tagText(ifd, 65022)) intensity.units = tagText(ifd, 65022);
  if (n(65024) !== undefined) intensity.offset = n(65024);
  if (n(65025) !== undefined) intensity.scale = n(65025);
  if (Object.keys(intensity).length > 0) cal.metadata.intensityCalibration = intensity;
  // tag 65027 holds the image's DM tag tree (a DM4-style header + root group): parsed and normalised
  // exactly as the DM reader does, so a DM-saved TIFF carries the metadata of its .dm4 twin
  const blob = ifd.tags.get(65027)?.bytes;
  if (!blob) return;
  try {
    const dm = await parseDmFile(await openByteSource(blob, `${fileName} (tag 65027)`));
    cal.original.gatan = dm.tags;
    Object.assign(cal.metadata, dmNormalisedMetadata({ ImageTags: dm.tags }));
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    cal.metadata.warnings = [`the DigitalMicrograph tag tree in tag 65027 is unreadable (${e.message}); calibration comes from tags 65003–65011.`];
  }
}

function imagej(cal: TiffCalibration, ifd: TiffIfd, ij: ImageJInfo): void {
  cal.imagej = ij;
  cal.original.imagej = ij.entries;
  const e = ij.entries;
  const unit = typeof e.unit === 'string' ? e.unit : undefined;
  if (unit !== undefined) {
    cal.flavours.push('imagej');
    const xres = tagRational(ifd, 282);
    const yres = tagRational(ifd, 283);
    const yunit = typeof e.yunit === 'string' ? e.yunit : unit;
    // ImageJ takes 1/XResolution in `unit`; with ResolutionUnit = cm it converts "um" from cm (FileOpener)
    const perCm = tagNumber(ifd, 296, 1) === 3 && isLength(toAxisCal(unit, 1, 0).units);
    const axis = (u: string, res: number, origin: unknown): AxisCal =>
      perCm ? niceLength((1e8 / res) * 1, -(num(origin as number) ?? 0) * (1e8 / res)) : toAxisCal(u, 1 / res, -(num(origin as number) ?? 0) / res);
    if (xres && xres > 0) cal.x = axis(unit, xres, e.xorigin);
    if (yres && yres > 0) cal.y = axis(yunit, yres, e.yorigin);
  }
  const spacing = num(e.spacing as number);
  if (spacing !== undefined && spacing > 0) {
    const z = toAxisCal(typeof e.zunit === 'string' ? e.zunit : unit ?? '', spacing, 0);
    // keep z in the unit of the image axes when both are lengths
    cal.z = isLength(z.units) && isLength(cal.x.units) ? { scale: (z.scale * LENGTH_IN_A[z.units]) / LENGTH_IN_A[cal.x.units], offset: 0, units: cal.x.units } : z;
  }
  const finterval = num(e.finterval as number);
  if (finterval !== undefined && finterval > 0) {
    cal.t = toAxisCal(typeof e.tunit === 'string' ? e.tunit : 's', finterval, 0);
  }
  if ((cal.z || cal.t) && !cal.flavours.includes('imagej')) cal.flavours.push('imagej');
}

/** A length given in Å, in the unit that keeps it readable (µm from 1 µm, nm from 1 nm, else Å). */
function niceLength(scaleA: number, offsetA: number): AxisCal {
  const units: AxisUnits = scaleA >= 1e4 ? 'um' : scaleA >= 10 ? 'nm' : 'A';
  return { scale: scaleA / LENGTH_IN_A[units], offset: offsetA / LENGTH_IN_A[units], units };
}

/** Plain X/YResolution: honoured for centimetre units finer than 10 µm (coarser looks like a display DPI). */
function resolution(cal: TiffCalibration, ifd: TiffIfd, force: boolean): void {
  const unit = tagNumber(ifd, 296, 2);
  const xres = tagRational(ifd, 282);
  const yres = tagRational(ifd, 283) ?? xres;
  if (!xres || !yres || xres <= 0 || yres <= 0) return;
  const aPerUnit = unit === 3 ? 1e8 : unit === 2 ? 2.54e8 : 0;
  if (aPerUnit === 0 || (unit === 2 && !force)) return;
  const xA = aPerUnit / xres;
  const yA = aPerUnit / yres;
  if (!force && Math.max(xA, yA) > 1e5) return;
  cal.flavours.push('resolution');
  cal.x = niceLength(xA, 0);
  cal.y = niceLength(yA, 0);
}

function set(md: Metadata, key: string, value: unknown): void {
  if (value !== undefined && value !== null && value !== '' && !(typeof value === 'number' && !Number.isFinite(value))) md[key] = value;
}

const LENGTH_IN_A: { [u: string]: number } = { A: 1, nm: 10, um: 1e4 };

function isLength(u: AxisUnits): boolean {
  return u === 'A' || u === 'nm' || u === 'um';
}

/** Canonical spellings of unit strings found in TIFF tags, with the factor to a lowdose unit. */
const UNIT_TABLE: Array<[RegExp, AxisUnits, number]> = [
  [/^(|pixels?|px|pix|none)$/i, '', 1],
  [/^(µm|μm|um|microns?|micrometers?|micrometres?)$/i, 'um', 1],
  [/^(nm|nanometers?|nanometres?)$/i, 'nm', 1],
  [/^(Å|A|Ang|angstroms?)$/, 'A', 1],
  [/^(angstroms?|ang)$/i, 'A', 1],
  [/^(pm|picometers?|picometres?)$/i, 'A', 0.01],
  [/^(mm|millimeters?|millimetres?)$/i, 'um', 1e3],
  [/^(cm|centimeters?|centimetres?)$/i, 'um', 1e4],
  [/^(1\/nm|nm\^?-1|1\/nanometers?)$/i, '1/nm', 1],
  [/^(1\/Å|1\/A|Å\^?-1|A\^?-1)$/, '1/A', 1],
  [/^(1\/pm|pm\^?-1)$/i, '1/A', 100],
  [/^(1\/µm|1\/μm|1\/um|µm\^?-1|um\^?-1)$/i, '1/nm', 1e-3],
  [/^(1\/m|m\^?-1)$/i, '1/nm', 1e-9],
  [/^(s|sec|secs|seconds?)$/i, 's', 1],
  [/^(ms|msec|milliseconds?)$/i, 's', 1e-3],
  [/^(µs|μs|us|usec|microseconds?)$/i, 's', 1e-6],
  [/^(ns|nanoseconds?)$/i, 's', 1e-9],
  [/^(min|minutes?)$/i, 's', 60],
  [/^(deg|°|degrees?)$/i, 'deg', 1],
  [/^(rad|radians?)$/i, 'deg', 180 / Math.PI],
  [/^(mrad|milliradians?)$/i, 'mrad', 1],
  [/^(eV)$/i, 'eV', 1],
  [/^(keV)$/i, 'keV', 1]
];

/**
 * Maps a unit string from a file onto lowdose's axis units, converting scale and offset. Metres pick
 * the unit that keeps the scale readable (µm from 1 µm, nm from 1 nm, else Å). Unknown units give
 * an uncalibrated axis ('' with the numbers as written).
 */
export function toAxisCal(unitText: string, scale: number, offset: number): AxisCal {
  const u = unitText.trim().replace(/\s+/g, '');
  if (!Number.isFinite(scale) || scale === 0) return { ...UNCAL };
  const off = Number.isFinite(offset) ? offset : 0;
  if (/^(m|meters?|metres?)$/i.test(u)) {
    const a = Math.abs(scale);
    const [units, f]: [AxisUnits, number] = a >= 1e-6 ? ['um', 1e6] : a >= 1e-9 ? ['nm', 1e9] : ['A', 1e10];
    return { scale: scale * f, offset: off * f, units };
  }
  for (const [re, units, f] of UNIT_TABLE) {
    if (re.test(u)) return { scale: scale * f, offset: off * f, units };
  }
  return { scale, offset: off, units: '' };
}
