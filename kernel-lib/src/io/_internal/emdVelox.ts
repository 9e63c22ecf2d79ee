// Thermo Fisher Velox EMD: `Data/<Kind>/<uuid>/{Data, Metadata}` with per-frame JSON metadata.
// Images are stored [rows, cols, frames] and returned frames first; complex (FFT, DPC) images use a
// compound {real*, imag*} type; EDX spectrum images are decoded from the `SpectrumStream` event
// streams (0xFFFF ends a pixel), summed over detectors and frames as RosettaSciIO does.
import { FormatError } from '../../errors';
import { Axis, AxisUnits, Metadata, NumericArray } from '../../types/dataset';
import { decodeUtf8Z, H5Dataset, H5Group, Hdf5File } from './h5';
import { imageTitles, quantifiedElements } from './veloxTitles';

/** One Velox signal, before its values are read. */
export interface VeloxSignal {
  kind: 'image' | 'spectrum' | 'spectrumImage';
  title: string;
  shape: number[];
  axes: Axis[];
  metadata: Metadata;
  dtype: string;
  sourceDtype: string;
  /** `Data` dataset of an image or spectrum. */
  dataset?: H5Dataset;
  /** Frames stored on the last axis (images). */
  frames: number;
  complex: boolean;
  /** Spectrum image: event streams (one per detector segment), channels, frames to sum. */
  streams?: H5Dataset[];
  channels?: number;
}

type Json = Record<string, unknown>;

function obj(v: unknown): Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
}
function num(v: unknown): number | undefined {
  const x = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(x) ? x : undefined;
}

/** True for a Velox file: a root `Version` JSON naming the Velox format, or a `Data/Image|Spectrum*` tree. */
export function isVelox(h: Hdf5File): boolean {
  const v = h.dataset('Version');
  if (v) {
    try {
      if (/velox/i.test(h.readString(v))) return true;
    } catch {
      /* fall through to the layout test */
    }
  }
  const d = h.group('Data');
  return !!d && h.keys(d).some(k => ['Image', 'Spectrum', 'SpectrumImage', 'SpectrumStream'].includes(k));
}

function parseJson(h: Hdf5File, text: string, field: string): Json {
  try {
    return obj(JSON.parse(text));
  } catch (e) {
    throw new FormatError(h.name, field, 0, `must hold JSON metadata; ${(e as Error).message}.`);
  }
}

/** The JSON metadata of frame 0 of a `Data/<Kind>/<uuid>` group. */
function frameMetadata(h: Hdf5File, groupPath: string): Json {
  const md = h.dataset(`${groupPath}/Metadata`);
  if (!md) return {};
  const shape = h.shape(md);
  const bytes = h.readNumeric(md, shape.length === 2 ? [[], [0, 1]] : undefined);
  return parseJson(h, decodeUtf8Z(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes)), `HDF5 dataset ${md.path}`);
}

/** Normalised keys from a Velox JSON record. */
function normalised(md: Json): Metadata {
  const out: Metadata = {};
  const optics = obj(md.Optics);
  const br = obj(md.BinaryResult);
  const scan = obj(md.Scan);
  const kv = num(optics.AccelerationVoltage);
  if (kv !== undefined) out.voltageKV = kv / 1000;
  const cl = num(optics.CameraLength);
  if (cl !== undefined) out.cameraLengthMm = cl * 1000;
  const mag = num(obj(obj(md.CustomProperties).StemMagnification).value) ?? num(optics.NominalMagnification);
  if (mag !== undefined && mag > 0) out.magnification = mag;
  const inst = obj(md.Instrument);
  if (typeof inst.InstrumentModel === 'string') out.microscope = `${inst.InstrumentModel}${inst.InstrumentId ? ` (${inst.InstrumentId})` : ''}`;
  if (typeof br.Detector === 'string') out.detector = br.Detector;
  const t = num(obj(obj(md.Acquisition).AcquisitionStartDatetime).DateTime);
  if (t !== undefined && t > 0) out.acquisitionDate = new Date(t * 1000).toISOString();
  const dwell = num(scan.DwellTime);
  if (dwell !== undefined) out.dwellTimeS = dwell;
  const ft = num(scan.FrameTime);
  if (ft !== undefined) out.frameTimeS = ft;
  const det = obj(obj(md.Detectors)[`Detector-${br.DetectorIndex}`]);
  const exp = num(det.ExposureTime);
  if (exp !== undefined) out.exposureS = exp;
  return out;
}

/** Pixel calibration of `BinaryResult` (SI metres or 1/metres) in lowdose units. */
function spatialAxes(md: Json, rows: number, cols: number): { axes: Axis[]; pixelSizeA?: number; reciprocal: boolean } {
  const br = obj(md.BinaryResult);
  const unit = String(br.PixelUnitX ?? '');
  const [units, f]: [AxisUnits, number] = unit === 'm' ? ['nm', 1e9] : unit === '1/m' ? ['1/nm', 1e-9] : ['', 1];
  const size = obj(br.PixelSize);
  const off = obj(br.Offset);
  const sx = num(size.width) ?? 1;
  const sy = num(size.height) ?? sx;
  const ax = (name: string, n: number, s: number, o: number): Axis => ({
    name,
    size: n,
    scale: s !== 0 && Number.isFinite(s * f) ? s * f : 1,
    offset: Number.isFinite(o * f) ? o * f : 0,
    units
  });
  return {
    axes: [ax('y', rows, sy, num(off.y) ?? 0), ax('x', cols, sx, num(off.x) ?? 0)],
    pixelSizeA: unit === 'm' ? sx * 1e10 : undefined,
    reciprocal: unit === '1/m'
  };
}

/** Energy axis (keV) of an EDX detector named in `BinaryResult.Detector`. */
function energyAxis(md: Json, channels: number, name: string): Axis {
  const det = String(obj(md.BinaryResult).Detector ?? '');
  for (const d of Object.values(obj(md.Detectors))) {
    const dd = obj(d);
    if (det && typeof dd.DetectorName === 'string' && dd.DetectorName.includes(det)) {
      const disp = num(dd.Dispersion);
      const off = num(dd.OffsetEnergy) ?? 0;
      if (disp) return { name, size: channels, scale: disp / 1000, offset: off / 1000, units: 'keV' };
    }
  }
  return { name, size: channels, scale: 1, offset: 0, units: '' };
}

function dtypeOfDataset(h: Hdf5File, ds: H5Dataset): { dtype: string; sourceDtype: string; complex: boolean } {
  const m = h.guard(`HDF5 dataset ${ds.path}`, () => ds.metadata);
  const end = m.size === 1 ? '|' : m.littleEndian ? '<' : '>';
  if (m.type === 6 && m.compound_type) {
    const names = m.compound_type.members.map(x => x.name);
    if (names.length === 2 && /^real/i.test(names[0]) && /^imag/i.test(names[1])) {
      const s = m.compound_type.members[0].size;
      return { dtype: s === 8 ? 'float64' : 'float32', sourceDtype: `${end}c${2 * s}`, complex: true };
    }
  }
  if (m.type === 0) {
    const bits = m.size * 8;
    return { dtype: bits === 64 ? 'float64' : `${m.signed ? 'int' : 'uint'}${bits}`, sourceDtype: `${end}${m.signed ? 'i' : 'u'}${m.size}`, complex: false };
  }
  if (m.type === 1) return { dtype: m.size === 2 ? 'float32' : `float${m.size * 8}`, sourceDtype: `${end}f${m.size}`, complex: false };
  throw new FormatError(h.name, `HDF5 dataset ${ds.path}`, 0, `must hold numbers or a {real, imag} pair; got HDF5 type class ${m.type}.`);
}

/** Lists the signals of a Velox file in RosettaSciIO's order (spectra, images, spectrum image). */
export function listVeloxSignals(h: Hdf5File): VeloxSignal[] {
  const data = h.group('Data') as H5Group | undefined;
  if (!data) throw new FormatError(h.name, 'HDF5 group /Data', 0, 'a Velox file must have a /Data group; got none.');
  const kinds = h.keys(data);
  const titles = imageTitles(h);
  const elements = quantifiedElements(h);
  const common: Metadata = { sourceFormat: 'emd-velox', ...(elements ? { elements } : {}) };
  const out: VeloxSignal[] = [];
  const hasSI = kinds.includes('Image') && kinds.includes('SpectrumImage');
  if (kinds.includes('Spectrum') && (hasSI || !kinds.includes('Image'))) {
    for (const key of h.keys(h.group('Data/Spectrum') as H5Group)) {
      const ds = h.dataset(`Data/Spectrum/${key}/Data`);
      if (!ds) continue;
      const md = frameMetadata(h, `Data/Spectrum/${key}`);
      const shape = h.shape(ds);
      const channels = shape[0] ?? 1;
      const n = shape[1] ?? 1;
      const axes = [energyAxis(md, channels, 'Energy')];
      if (n > 1) axes.unshift({ name: 'stack', size: n, scale: 1, offset: 0, units: '' });
      const { dtype, sourceDtype } = dtypeOfDataset(h, ds);
      const title = String(obj(md.BinaryResult).Detector ?? 'EDS');
      out.push({
        kind: 'spectrum',
        title,
        shape: n > 1 ? [n, channels] : [channels],
        axes,
        metadata: { ...common, ...normalised(md), title, signalType: 'spectrum', sourceDtype, original: md },
        dtype,
        sourceDtype,
        dataset: ds,
        frames: 1,
        complex: false
      });
    }
  }
  let spatial: number[] | undefined;
  if (kinds.includes('Image')) {
    for (const key of h.keys(h.group('Data/Image') as H5Group)) {
      const ds = h.dataset(`Data/Image/${key}/Data`);
      if (!ds) continue;
      const shape = h.shape(ds);
      if (shape.length !== 3) throw new FormatError(h.name, `HDF5 dataset ${ds.path}`, 0, `must be [rows, cols, frames]; got shape [${shape.join(', ')}].`);
      const [rows, cols, frames] = shape;
      spatial = [rows, cols];
      const md = frameMetadata(h, `Data/Image/${key}`);
      const { axes, pixelSizeA, reciprocal } = spatialAxes(md, rows, cols);
      const norm = normalised(md);
      const { dtype, sourceDtype, complex } = dtypeOfDataset(h, ds);
      const title = titles.get(key) || String(obj(md.BinaryResult).Detector ?? 'Unrecognized_image_signal');
      if (frames > 1) {
        const ft = num(obj(md.Scan).FrameTime) ?? num(norm.exposureS) ?? 1;
        axes.unshift({ name: 'time', size: frames, scale: ft > 0 ? ft : 1, offset: 0, units: 's' });
      }
      out.push({
        kind: 'image',
        title,
        shape: frames > 1 ? [frames, rows, cols] : [rows, cols],
        axes,
        metadata: {
          ...common,
          ...norm,
          title,
          signalType: title === 'Half FFT' ? 'fft' : reciprocal ? 'diffraction' : frames > 1 ? 'movie' : 'image',
          sourceDtype,
          ...(pixelSizeA !== undefined ? { pixelSizeA } : {}),
          original: { ...md, dataPath: `/Data/Image/${key}` }
        },
        dtype,
        sourceDtype,
        dataset: ds,
        frames,
        complex
      });
    }
  }
  if (hasSI && kinds.includes('SpectrumStream')) {
    const si = spectrumImage(h, spatial);
    if (si) out.push({ ...si, metadata: { ...common, ...si.metadata } });
  }
  return out;
}

/** The summed EDX spectrum image described by the event streams. */
function spectrumImage(h: Hdf5File, spatial: number[] | undefined): VeloxSignal | undefined {
  const g = h.group('Data/SpectrumStream');
  if (!g) return undefined;
  const keys = h.keys(g);
  if (!keys.length) return undefined;
  const streams = keys.map(k => h.dataset(`Data/SpectrumStream/${k}/Data`)).filter((d): d is H5Dataset => !!d);
  const settingsDs = h.dataset(`Data/SpectrumStream/${keys[0]}/AcquisitionSettings`);
  const settings = settingsDs ? parseJson(h, h.readString(settingsDs), `HDF5 dataset ${settingsDs.path}`) : {};
  const channels = num(settings.bincount);
  if (channels === undefined || !Number.isInteger(channels) || channels < 1 || channels > 65535) {
    throw new FormatError(h.name, 'SpectrumStream AcquisitionSettings.bincount', 0, `must be an integer in 1..65535; got ${settings.bincount}.`);
  }
  const md = frameMetadata(h, `Data/SpectrumStream/${keys[0]}`);
  const raster = obj(settings.RasterScanDefinition);
  const [rows, cols] = spatial ?? [num(raster.Height) ?? 0, num(raster.Width) ?? 0];
  if (!(rows > 0 && cols > 0)) throw new FormatError(h.name, 'SpectrumStream scan size', 0, `must be positive; got ${rows}×${cols}.`);
  const { axes } = spatialAxes(md, rows, cols);
  axes.push(energyAxis(md, channels, 'X-ray energy'));
  // the streams are segments of one detector (SuperXG21…24): name it by their common prefix
  const names = keys.map((k, i) => String(obj((i === 0 ? md : frameMetadata(h, `Data/SpectrumStream/${k}`)).BinaryResult).Detector ?? ''));
  let detector = names[0];
  for (const n of names) while (detector && !n.startsWith(detector)) detector = detector.slice(0, -1);
  return {
    kind: 'spectrumImage',
    title: 'EDS',
    shape: [rows, cols, channels],
    axes,
    metadata: { ...normalised(md), ...(detector ? { detector } : {}), title: 'EDS', signalType: 'spectrum image', sourceDtype: 'stream<u2', streamCount: streams.length, original: { ...md, AcquisitionSettings: settings } },
    dtype: 'uint32',
    sourceDtype: 'stream<u2',
    streams,
    channels,
    frames: 1,
    complex: false
  };
}

/** Decodes and sums every event stream into a [rows, cols, channels] uint32 array. */
export function decodeSpectrumImage(h: Hdf5File, sig: VeloxSignal): Uint32Array {
  const [rows, cols, channels] = sig.shape;
  const total = rows * cols * channels;
  if (total * 4 > 2 ** 31 - 1) {
    throw new FormatError(h.name, 'SpectrumStream', 0, `the decoded spectrum image (${rows}×${cols}×${channels}) must fit in 2 GiB; it does not.`);
  }
  const si = new Uint32Array(total);
  const pixels = rows * cols;
  for (const ds of sig.streams ?? []) {
    const stream = h.readNumeric(ds);
    let pixel = 0;
    for (let i = 0; i < stream.length; i++) {
      const v = stream[i];
      if (v === 65535) {
        pixel++;
        continue;
      }
      if (v >= channels) {
        throw new FormatError(h.name, `HDF5 dataset ${ds.path}`, i * 2, `event channel must be below bincount ${channels}; got ${v}.`);
      }
      si[(pixel % pixels) * channels + v]++;
    }
  }
  return si;
}

/** Reads `count` frames from `start` of a Velox image, frames first: `{re, im?}` [count, rows, cols]. */
export function readVeloxFrames(h: Hdf5File, sig: VeloxSignal, start: number, count: number): { data: NumericArray; imag?: NumericArray } {
  const ds = sig.dataset as H5Dataset;
  if (sig.kind === 'spectrum') {
    const v = h.readNumeric(ds);
    const [channels, n] = [h.shape(ds)[0], h.shape(ds)[1] ?? 1];
    if (n === 1) return { data: v };
    const out = new (v.constructor as { new (k: number): NumericArray })(v.length);
    for (let c = 0; c < channels; c++) for (let k = 0; k < n; k++) out[k * channels + c] = v[c * n + k];
    return { data: out };
  }
  const [rows, cols] = sig.shape.slice(-2);
  const per = rows * cols;
  const ranges: Array<[] | [number, number]> = [[], [], [start, start + count]];
  if (sig.complex) {
    const raw = h.read(ds, ranges);
    if (!Array.isArray(raw) || raw.length !== per * count) {
      throw new FormatError(h.name, `HDF5 dataset ${ds.path}`, 0, `complex frames must hold ${per * count} {real, imag} pairs.`);
    }
    const Ctor = sig.dtype === 'float64' ? Float64Array : Float32Array;
    const re = new Ctor(per * count);
    const im = new Ctor(per * count);
    for (let p = 0; p < per; p++) {
      for (let k = 0; k < count; k++) {
        const pair = raw[p * count + k] as number[];
        re[k * per + p] = Number(pair[0]);
        im[k * per + p] = Number(pair[1]);
      }
    }
    return { data: re, imag: im };
  }
  const v = h.readNumeric(ds, ranges);
  if (v.length !== per * count) throw new FormatError(h.name, `HDF5 dataset ${ds.path}`, 0, `frames must hold ${per * count} values; got ${v.length}.`);
  if (count === 1) return { data: v };
  const out = new (v.constructor as { new (k: number): NumericArray })(v.length);
  for (let p = 0; p < per; p++) for (let k = 0; k < count; k++) out[k * per + p] = v[p * count + k];
  return { data: out };
}
