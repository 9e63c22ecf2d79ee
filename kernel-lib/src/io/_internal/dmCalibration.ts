// Axis calibration of DM images: DM's free-text units mapped onto lowdose's unit list.
import { AxisUnits } from '../../types/dataset';

/** A unit from a file, mapped to lowdose's list: value_in_units = factor · value_in_file_units. */
export interface UnitMapping {
  units: AxisUnits;
  factor: number;
  /** False when the file's unit is not understood (then units is '' and factor 1). */
  known: boolean;
}

// Exact spelling (whitespace removed) → [lowdose unit, factor]. Case matters: 'meV' is not 'MeV'.
const UNIT_TABLE: { [spelling: string]: [AxisUnits, number] } = {
  '': ['', 1],
  A: ['A', 1],
  'Å': ['A', 1],
  '\u212b': ['A', 1],
  pm: ['A', 0.01],
  nm: ['nm', 1],
  um: ['um', 1],
  'µm': ['um', 1],
  'μm': ['um', 1],
  mm: ['mm', 1],
  '1/A': ['1/A', 1],
  '1/Å': ['1/A', 1],
  '1/\u212b': ['1/A', 1],
  'A^-1': ['1/A', 1],
  'A-1': ['1/A', 1],
  '1/pm': ['1/A', 100],
  '1/nm': ['1/nm', 1],
  'nm^-1': ['1/nm', 1],
  'nm-1': ['1/nm', 1],
  '1/um': ['1/nm', 1e-3],
  '1/µm': ['1/nm', 1e-3],
  '1/μm': ['1/nm', 1e-3],
  mrad: ['mrad', 1],
  urad: ['mrad', 1e-3],
  'µrad': ['mrad', 1e-3],
  'μrad': ['mrad', 1e-3],
  rad: ['mrad', 1e3],
  deg: ['deg', 1],
  '°': ['deg', 1],
  s: ['s', 1],
  ms: ['s', 1e-3],
  us: ['s', 1e-6],
  'µs': ['s', 1e-6],
  'μs': ['s', 1e-6],
  ns: ['s', 1e-9],
  min: ['s', 60],
  eV: ['eV', 1],
  meV: ['eV', 1e-3],
  keV: ['keV', 1],
  KeV: ['keV', 1],
  MeV: ['keV', 1e3]
};

// Case-insensitive fallbacks for spelled-out or upper-cased units.
const LOWER_TABLE: { [spelling: string]: [AxisUnits, number] } = {
  angstrom: ['A', 1],
  angstroms: ['A', 1],
  nm: ['nm', 1],
  nanometer: ['nm', 1],
  nanometers: ['nm', 1],
  micron: ['um', 1],
  microns: ['um', 1],
  degree: ['deg', 1],
  degrees: ['deg', 1],
  deg: ['deg', 1],
  sec: ['s', 1],
  second: ['s', 1],
  seconds: ['s', 1],
  ev: ['eV', 1],
  kev: ['keV', 1]
};

/**
 * Maps a DM unit string ('µm', 'Å', '1/nm', 'pm', 'ms', …) onto lowdose's axis units, with the factor
 * that converts values. Unknown units map to '' with `known: false`.
 */
export function mapUnit(fileUnits: string): UnitMapping {
  const key = fileUnits.replace(/\s+/g, '');
  const lower = key.toLowerCase();
  const own = Object.prototype.hasOwnProperty;
  const hit = own.call(UNIT_TABLE, key) ? UNIT_TABLE[key] : own.call(LOWER_TABLE, lower) ? LOWER_TABLE[lower] : undefined;
  if (hit) return { units: hit[0], factor: hit[1], known: true };
  return { units: '', factor: 1, known: false };
}

/** Length units and their size in Å (for `pixelSizeA`). */
export const LENGTH_IN_A: { [u: string]: number } = { A: 1, nm: 10, um: 1e4, mm: 1e7 };
