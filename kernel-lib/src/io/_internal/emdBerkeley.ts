// Berkeley EMD (v0.2 NCEM / HyperSpy writers), Prismatic EMD (v0.5 "4DSTEM_simulation") and EMD 1.0
// (py4DSTEM / emdfile): signals are groups with an `emd_group_type` attribute holding an array
// (`data`, `datacube`, `realslice`, …) plus one `dimN` vector per axis with `name`/`units`.
// Arrays are oriented as RosettaSciIO returns them: HyperSpy/NCEM `data` and Prismatic slices are
// fully transposed (HyperSpy writes `data.T`), Prismatic `datacube`s and EMD 1.0 arrays are not;
// Prismatic depth series (`…_depth0000`, `…_depth0001`) are stacked on a leading depth axis.
import { FormatError } from '../../errors';
import { Axis, AxisUnits, Metadata, NumericArray } from '../../types/dataset';
import { mapUnit } from './dmCalibration';
import { H5Dataset, H5Entity, H5Group, Hdf5File } from './h5';

const ARRAY_NAMES = ['data', 'counted_datacube', 'datacube', 'diffractionslice', 'realslice'];

/** One signal of a Berkeley-style EMD file, before its values are read. */
export interface EmdArraySignal {
  title: string;
  /** One dataset per stacked group (several for a Prismatic depth series). */
  datasets: H5Dataset[];
  /** Stored shape of each dataset (all equal). */
  storedShape: number[];
  /** True when the returned array is the stored one transposed (all axes reversed). */
  transposed: boolean;
  shape: number[];
  axes: Axis[];
  metadata: Metadata;
  dtype: string;
  sourceDtype: string;
}

/** Calibrated units of an EMD `units` attribute ('[n_m]', '[n_m^-1]', 'nm', 'A^-1', …). */
export function emdUnits(raw: unknown): { units: AxisUnits; factor: number; original: string } {
  const original = typeof raw === 'string' ? raw : '';
  const bracketed = original.match(/\[[^\]]*\]/g);
  const s = (bracketed ? bracketed.map(b => b.slice(1, -1)).join('*') : original).replace(/_/g, '').replace(/\s+/g, '');
  const si: { [k: string]: [AxisUnits, number] } = {
    m: ['nm', 1e9],
    meters: ['nm', 1e9],
    '1/m': ['1/nm', 1e-9],
    'm^-1': ['1/nm', 1e-9],
    '1/meters': ['1/nm', 1e-9],
    pixel: ['', 1],
    pixels: ['', 1],
    px: ['', 1]
  };
  if (Object.prototype.hasOwnProperty.call(si, s)) return { units: si[s][0], factor: si[s][1], original };
  const m = mapUnit(s);
  return { units: m.units, factor: m.factor, original };
}

/** Offset and scale of an axis from a dim vector: all coordinates, or just `[offset, offset + scale]`. */
function parseDim(h: Hdf5File, dim: H5Dataset | undefined, size: number, name: string, fallbackName: string): Axis {
  const axis: Axis = { name: fallbackName, size, scale: 1, offset: 0, units: '' };
  if (!dim) return axis;
  const n = h.attr(dim, 'name');
  if (typeof n === 'string' && n) axis.name = n;
  const u = emdUnits(h.attr(dim, 'units'));
  const meta = h.guard(`HDF5 dataset ${dim.path}`, () => dim.metadata);
  const shape = h.shape(dim);
  const len = shape.reduce((p, s) => p * s, 1);
  if (meta.type === 0 || meta.type === 1) {
    if (len >= 1 && len <= 1e7) {
      const v = h.readNumeric(dim);
      const first = Number(v[0]);
      const scale = len >= 2 ? (Number(v[len - 1]) - first) / (len - 1) : 1;
      axis.offset = Number.isFinite(first) ? first * u.factor : 0;
      axis.scale = Number.isFinite(scale) && scale !== 0 ? scale * u.factor : 1;
    }
  }
  axis.units = u.units;
  if (!axis.name) axis.name = name;
  return axis;
}

function dtypeName(h: Hdf5File, ds: H5Dataset): { dtype: string; sourceDtype: string } {
  const m = h.guard(`HDF5 dataset ${ds.path}`, () => ds.metadata);
  const end = m.size === 1 ? '|' : m.littleEndian ? '<' : '>';
  if (m.type === 0) {
    const bits = m.size * 8;
    const name = `${m.signed ? 'int' : 'uint'}${bits}`;
    return { dtype: bits === 64 ? 'float64' : name, sourceDtype: `${end}${m.signed ? 'i' : 'u'}${m.size}` };
  }
  if (m.type === 1) {
    return { dtype: m.size === 2 ? 'float32' : `float${m.size * 8}`, sourceDtype: `${end}f${m.size}` };
  }
  throw new FormatError(h.name, `HDF5 dataset ${ds.path}`, 0, `must hold integers or floats; got HDF5 type class ${m.type}.`);
}

/** Depth-first walk in name order (as h5py's visititems) collecting array datasets of EMD groups. */
function findArrays(h: Hdf5File, g: H5Group, out: string[], depth: number): void {
  if (depth > 32) return;
  for (const k of h.keys(g)) {
    const e = h.guard(`HDF5 object ${g.path}/${k}`, () => g.get(k));
    if (!e) continue;
    if (e.type === 'Group') findArrays(h, e as H5Group, out, depth + 1);
    else if (e.type === 'Dataset' && ARRAY_NAMES.some(n => k.startsWith(n)) && h.attr(g, 'emd_group_type') !== undefined) {
      const t = h.attr(g, 'emd_group_type');
      if (t !== 0 && t !== false && t !== 'metadata' && t !== 'metadatabundle' && t !== 'root' && t !== 'file') out.push(e.path);
    }
  }
}

function dirname(p: string): string {
  return p.slice(0, p.lastIndexOf('/')) || '/';
}
function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

function attrGroup(h: Hdf5File, p: string): Record<string, unknown> | undefined {
  const g = h.group(p);
  return g ? h.attrs(g) : undefined;
}

const PRISMATIC_KEYS: { [k: string]: string } = {
  E: 'E0',
  ns: 'numSlices',
  s: 'sliceThickness',
  zs: 'zStart',
  c: 'cellDimension',
  t: 'tile',
  px: 'realspacePixelSizeX',
  py: 'realspacePixelSizeY',
  rx: 'probeStepX',
  ry: 'probeStepY',
  sa: 'probeSemiangle',
  df: 'probeDefocus',
  a: 'algorithm',
  i: 'filenameAtoms',
  F: 'numFP',
  d: 'detectorAngleStep'
};

/** The file-level metadata every signal shares: microscope/sample/user/comments groups, simulation parameters. */
function fileMetadata(h: Hdf5File, prismatic: boolean): { original: Record<string, unknown>; normalised: Metadata } {
  const original: Record<string, unknown> = {};
  const root = h.attrs(h.root);
  if (root.version_major !== undefined) original.emdVersion = `${root.version_major}.${root.version_minor ?? 0}`;
  for (const name of ['microscope', 'sample', 'user', 'comments', 'stage']) {
    const a = attrGroup(h, name);
    if (a) original[name] = a;
  }
  const normalised: Metadata = {};
  const mic = (original.microscope ?? {}) as Record<string, unknown>;
  const num = (v: unknown): number | undefined => {
    const x = typeof v === 'number' ? v : typeof v === 'string' ? parseFloat(v) : NaN;
    return Number.isFinite(x) ? x : undefined;
  };
  const ht = num(mic['high tension']);
  const volt = typeof mic.voltage === 'string' ? mic.voltage : undefined;
  if (ht !== undefined) normalised.voltageKV = ht > 1000 ? ht / 1000 : ht;
  else if (volt && num(volt) !== undefined) normalised.voltageKV = /k\s*V/i.test(volt) ? num(volt) : (num(volt) as number) / 1000;
  const cl = num(mic['camera length']);
  if (cl !== undefined) normalised.cameraLengthMm = cl < 10 ? cl * 1000 : cl;
  const mag = num(mic.magnification);
  if (mag !== undefined) normalised.magnification = mag;
  const dwell = num(mic['dwell time']);
  if (dwell !== undefined) normalised.dwellTimeS = dwell;
  if (typeof mic.name === 'string' && mic.name) normalised.microscope = mic.name;
  if (prismatic) {
    const g = h.group('4DSTEM_simulation/metadata/metadata_0/original/simulation_parameters');
    if (g) {
      const raw = h.attrs(g);
      const sim: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(raw)) sim[PRISMATIC_KEYS[k] ?? k] = v;
      original.simulationParameters = sim;
      const e0 = num(sim.E0);
      if (e0 !== undefined) normalised.voltageKV = e0;
    }
  }
  return { original, normalised };
}

/** Depth axis of a stacked Prismatic series (as RosettaSciIO computes it), else an index axis. */
function depthAxis(sim: Record<string, unknown> | undefined, name: string, size: number): Axis {
  const index: Axis = { name, size, scale: 1, offset: 0, units: '' };
  if (!sim || !name.includes('depth')) return index;
  const ns = Number(sim.numSlices);
  const thick = sim.sliceThickness === undefined ? 1 : Number(sim.sliceThickness);
  if (!Number.isFinite(ns) || !Number.isFinite(thick)) return index;
  const scale = ns * thick;
  let offset = Number(sim.zStart ?? 0);
  if (!Number.isFinite(offset) || offset === 0) offset = scale;
  const tile = sim.tile as number[] | undefined;
  const cell = sim.cellDimension as number[] | undefined;
  const total = Array.isArray(tile) && Array.isArray(cell) ? tile[2] * cell[0] : NaN;
  if (!(Math.abs(total - size * scale) <= 1e-4 * Math.abs(total)) || scale === 0) return index;
  return { name, size, scale, offset, units: 'A' };
}

/**
 * Lists the array signals of a Berkeley / Prismatic / EMD 1.0 file, in RosettaSciIO's order, with
 * their axes and metadata (values are read later, whole or frame by frame).
 */
export function listBerkeleySignals(h: Hdf5File): EmdArraySignal[] {
  const prismatic = h.get('4DSTEM_simulation') !== undefined;
  const rootType = h.attr(h.root, 'emd_group_type');
  const emd1 = rootType === 'file' || Number(h.attr(h.root, 'version_major')) >= 1;
  const { original, normalised } = fileMetadata(h, prismatic);
  const paths: string[] = [];
  findArrays(h, h.root, paths, 0);
  const signals: EmdArraySignal[] = [];
  while (paths.length) {
    const p = paths.shift() as string;
    const group = dirname(p);
    let groupPaths = [p];
    let key = group;
    if (prismatic && !p.includes('ppotential')) {
      key = group.slice(0, -4);
      const same = paths.filter(q => q.includes(key) && basename(q) === basename(p));
      groupPaths = [p, ...same];
      for (const q of same) paths.splice(paths.indexOf(q), 1);
    }
    const datasets = groupPaths.map(q => h.dataset(q) as H5Dataset);
    const storedShape = h.shape(datasets[0]);
    for (const d of datasets) {
      const s = h.shape(d);
      if (s.length !== storedShape.length || s.some((v, i) => v !== storedShape[i])) {
        throw new FormatError(h.name, `HDF5 dataset ${d.path}`, 0, `shape must equal [${storedShape.join(', ')}] like the rest of its depth series; got [${s.join(', ')}].`);
      }
    }
    const transposed = !emd1 && basename(p) !== 'datacube';
    const nd = storedShape.length;
    const arrShape = transposed ? storedShape.slice().reverse() : storedShape.slice();
    const axes: Axis[] = [];
    const stackTitle = basename(key);
    if (datasets.length > 1) axes.push(depthAxis(original.simulationParameters as Record<string, unknown>, stackTitle, datasets.length));
    for (let i = 0; i < nd; i++) {
      const dimIndex = emd1 ? i : transposed ? nd - i : i + 1;
      const dim = h.dataset(`${group}/dim${dimIndex}`);
      axes.push(parseDim(h, dim, arrShape[i], `dim${dimIndex}`, ''));
    }
    const { dtype, sourceDtype } = dtypeName(h, datasets[0]);
    const title = stackTitle.replace('_depth', '');
    const groupAttrs = attrGroup(h, group) ?? {};
    const times = h.dataset(`${group}/acquisition times`);
    const t0 = times && h.shape(times).length <= 1 && h.shape(times).reduce((a, b) => a * b, 1) >= 1 ? Number(h.readNumeric(times)[0]) : NaN;
    const metadata: Metadata = {
      ...normalised,
      title,
      signalType: /CBED|datacube/i.test(p) ? '4d-stem' : nd === 1 ? 'spectrum' : 'image',
      original: { ...original, group: groupAttrs, datasetPaths: groupPaths }
    };
    if (t0 > 0 && t0 < 1e11) metadata.acquisitionDate = new Date(t0 * 1000).toISOString();
    const cal = emd1 ? calibration(h, group) : undefined;
    if (cal) {
      (metadata.original as Record<string, unknown>).calibration = cal;
      const r = Number(cal.R_pixel_size);
      const ru = emdUnits(cal.R_pixel_units);
      if (Number.isFinite(r) && (ru.units === 'nm' || ru.units === 'A')) metadata.pixelSizeA = r * ru.factor * (ru.units === 'nm' ? 10 : 1);
    }
    const shape = datasets.length > 1 ? [datasets.length, ...arrShape] : arrShape;
    signals.push({ title, datasets, storedShape, transposed, shape, axes, metadata, dtype, sourceDtype });
  }
  return signals;
}

/** py4DSTEM calibration values (`metadatabundle/calibration`) next to an EMD 1.0 array. */
function calibration(h: Hdf5File, arrayGroup: string): Record<string, unknown> | undefined {
  const g = h.group(`${dirname(arrayGroup)}/metadatabundle/calibration`) ?? h.group(`${arrayGroup}/metadatabundle/calibration`);
  if (!g) return undefined;
  const out: Record<string, unknown> = {};
  for (const k of h.keys(g)) {
    const e: H5Entity | null = h.guard(`HDF5 object ${g.path}/${k}`, () => g.get(k));
    if (!e || e.type !== 'Dataset') continue;
    const ds = e as H5Dataset;
    if (h.shape(ds).length > 1) continue;
    try {
      const v = h.read(ds);
      out[k] = typeof v === 'bigint' ? Number(v) : ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v;
    } catch {
      /* unreadable calibration entries are skipped */
    }
  }
  return out;
}

/** Number of frames (product of all but the last two returned axes). */
export function frameCountOf(sig: EmdArraySignal): number {
  return sig.shape.slice(0, -2).reduce((a, b) => a * b, 1);
}

/**
 * Reads `count` consecutive frames (flat index over the leading returned axes) as a C-ordered
 * typed array, through HDF5 hyperslabs so only those frames are read.
 */
export function readBerkeleyFrames(h: Hdf5File, sig: EmdArraySignal, start: number, count: number): NumericArray {
  const nd = sig.shape.length;
  if (nd < 2 || sig.storedShape.length < 2) {
    // 1-D signals (or a stack of them) are read whole
    const parts = sig.datasets.map(d => h.readNumeric(d));
    if (parts.length === 1) return parts[0];
    const all = new (parts[0].constructor as { new (n: number): NumericArray })(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
    return all;
  }
  const [rows, cols] = sig.shape.slice(-2);
  const per = rows * cols;
  const lead = sig.shape.slice(0, -2);
  const stacked = sig.datasets.length > 1;
  let out: NumericArray | undefined;
  for (let k = 0; k < count; ) {
    // index of this frame along each leading returned axis
    const idx: number[] = new Array(lead.length);
    let rem = start + k;
    for (let d = lead.length - 1; d >= 0; d--) {
      idx[d] = rem % lead[d];
      rem = Math.floor(rem / lead[d]);
    }
    const ds = stacked ? sig.datasets[idx[0]] : sig.datasets[0];
    const inner = stacked ? idx.slice(1) : idx; // leading indices inside one stored array
    const sn = sig.storedShape.length;
    const ranges: Array<[] | [number, number]> = [];
    let run = 1;
    if (sig.transposed) {
      // returned axis i ↔ stored axis sn-1-i; one frame is stored axes 0 and 1
      for (let s = 0; s < sn; s++) {
        const v = inner[sn - 1 - s];
        ranges.push(s < 2 ? [] : [v, v + 1]);
      }
    } else {
      // consecutive frames along the last stored leading axis come in one hyperslab
      if (sn > 2) run = Math.min(count - k, sig.storedShape[sn - 3] - inner[sn - 3]);
      for (let s = 0; s < sn; s++) {
        if (s >= sn - 2) ranges.push([]);
        else ranges.push([inner[s], inner[s] + (s === sn - 3 ? run : 1)]);
      }
    }
    const v = h.readNumeric(ds, ranges);
    if (v.length !== per * run) {
      throw new FormatError(h.name, `HDF5 dataset ${ds.path}`, 0, `${run} frame(s) must hold ${per * run} values; got ${v.length}.`);
    }
    if (!out) out = new (v.constructor as { new (n: number): NumericArray })(per * count);
    const base = k * per;
    if (sig.transposed) {
      // the stored frame is [cols][rows] (x slowest): transpose it into [rows][cols]
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[base + r * cols + c] = v[c * rows + r];
    } else {
      out.set(v, base);
    }
    k += run;
  }
  return out as NumericArray;
}
