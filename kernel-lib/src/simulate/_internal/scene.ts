/**
 * The crystal-in-amorphous object of science.md Part 2, shared by crystalImage, movie and
 * doseSeries: T(r) = 1 + M(r)·Σ_g A_g·t(g)·m_g(r)·cos(2π g·(r − s − c) + φ_g) + w(r)·a(r − s), where M is the
 * crystal mask (soft edge), t(g) the transfer (information limit, envelope, CTF, pixel MTF), m_g an
 * optional antiphase-domain modulation, a(r) an amorphous Gaussian random field and w = 1 − M (+ a
 * fraction over the crystal). Everything is evaluated directly at shifted, deformed coordinates.
 */
import { ValueError } from '../../errors';
import { UnitCell } from '../../crystal/unitCell';
import { cells } from '../../crystal/cells';
import { matVec3, cross3, dot3 } from '../../crystal/_internal/linalg3';
import { checkCell } from '../../crystal/_internal/validate';
import { formatHkl } from '../../crystal/_internal/fractions';
import { rng } from '../rng';
import { addSeparableField, addWaves, separableRandomField, SeparableField, sinc, Wave } from './waves';
import { buildMask, RegionSpec, ResolvedRegion, resolveRegion } from './region';
import type { CrystalSceneOptions, ReflectionSpec } from '../crystalImage';

/**
 * Antiphase domains: m(r) = tanh(f(r)/0.15) for a unit Gaussian field f, so |m| ≈ 1 inside domains
 * and the sign flips (phase π) across narrow walls — a two-variant order parameter.
 */
const DOMAIN_WALL_SHARPNESS = 0.15;

export interface ResolvedReflection {
  label: string;
  hkl?: [number, number, number];
  kx0: number;
  ky0: number;
  amplitude0: number;
  phase: number;
  domainSizeA: number;
  domainField: SeparableField | null;
  criticalDoseEPerA2?: number;
}

export interface Scene {
  rows: number;
  cols: number;
  p: number;
  region: ResolvedRegion;
  amorphous: { contrast: number; correlationLengthA: number; terms: number; overCrystal: number };
  amorphousField: SeparableField;
  reflections: ResolvedReflection[];
  informationLimitA: number;
  envelopeBA2: number;
  ctf: { defocusA: number; csMm: number; voltageKV: number } | null;
  detectorMtf: 'none' | 'sinc';
  warnings: string[];
}

/** Per-frame state: rigid shift s (Å), deformation gradient F about the crystal centre, amplitude factors. */
export interface FrameState {
  shiftXA: number;
  shiftYA: number;
  F?: [[number, number], [number, number]];
  amplitudeFactors?: number[];
}

/** Ground truth of one reflection in one rendered image. */
export interface RenderedReflection {
  label: string;
  hkl?: [number, number, number];
  kxInvA: number;
  kyInvA: number;
  dA: number;
  angleDeg: number;
  /** Object amplitude A_g (after fading, before transfer). */
  amplitude: number;
  /** Transfer t(g): information limit × envelope × CTF × pixel MTF. */
  transfer: number;
  /** A_g·t(g): the cosine's amplitude in T(r) inside the crystal (before domain modulation). */
  amplitudeInImage: number;
  phaseDeg: number;
  beyondInformationLimit: boolean;
  /** Antiphase-domain correlation length, Å (Infinity: one ordered domain). */
  domainSizeA: number;
}

/** Default reflections: α-NNB [001] (science.md Part 2), ½00 superlattice at 0.3·A(100). */
export const DEFAULT_REFLECTIONS: ReflectionSpec[] = [
  { hkl: [1, 0, 0], amplitude: 0.15 },
  { hkl: [0, 1, 0], amplitude: 0.15 },
  { hkl: [0.5, 0, 0], amplitude: 0.045 },
  { hkl: [1, 1, 0], amplitude: 0.08 },
  { hkl: [1, -1, 0], amplitude: 0.08 },
  { hkl: [2, 0, 0], amplitude: 0.05 },
  { hkl: [0, 2, 0], amplitude: 0.05 },
  { hkl: [2, 1, 0], amplitude: 0.04 },
  { hkl: [1, 2, 0], amplitude: 0.04 }
];

export function buildScene(fn: string, o: CrystalSceneOptions, defaultShape: [number, number]): Scene {
  const [rows, cols] = o.shape ?? defaultShape;
  if (!(Number.isInteger(rows) && Number.isInteger(cols) && rows > 0 && cols > 0)) {
    throw new ValueError(`${fn}: shape must be two positive integers [rows, cols]; got ${JSON.stringify(o.shape)}.`);
  }
  const p = positive(fn, 'pixelSizeA', o.pixelSizeA ?? 0.5);
  const seed = o.seed ?? 1;
  if (!Number.isInteger(seed)) throw new ValueError(`${fn}: seed must be an integer; got ${seed}.`);
  const random = rng(seed);
  const informationLimitA = nonNegative(fn, 'informationLimitA', o.informationLimitA ?? 2.2);
  const envelopeBA2 = nonNegative(fn, 'envelopeBA2', o.envelopeBA2 ?? 0);
  const ctf = o.ctf
    ? {
        defocusA: finite(fn, 'ctf.defocusA', o.ctf.defocusA),
        csMm: nonNegative(fn, 'ctf.csMm', o.ctf.csMm ?? 2.7),
        voltageKV: positive(fn, 'ctf.voltageKV', o.ctf.voltageKV ?? 300)
      }
    : null;
  const detectorMtf = o.detectorMtf ?? 'none';
  if (detectorMtf !== 'none' && detectorMtf !== 'sinc') {
    throw new ValueError(`${fn}: detectorMtf must be 'none' or 'sinc'; got ${JSON.stringify(detectorMtf)}.`);
  }
  const region = resolveRegion(fn, o.region as RegionSpec | undefined, rows, cols, p);
  const am = o.amorphous ?? {};
  const amorphous = {
    contrast: nonNegative(fn, 'amorphous.contrast', am.contrast ?? 0.1),
    correlationLengthA: positive(fn, 'amorphous.correlationLengthA', am.correlationLengthA ?? 10),
    terms: am.terms ?? 16,
    overCrystal: nonNegative(fn, 'amorphous.overCrystal', am.overCrystal ?? 0)
  };
  if (!(Number.isInteger(amorphous.terms) && amorphous.terms >= 1)) {
    throw new ValueError(`${fn}: amorphous.terms must be a positive integer; got ${amorphous.terms}.`);
  }
  const amorphousField = separableRandomField(amorphous.terms, amorphous.contrast, amorphous.correlationLengthA, random);
  const reflections = resolveReflections(fn, o, random);
  const warnings: string[] = [];
  const nyquist = 1 / (2 * p);
  for (const r of reflections) {
    if (Math.abs(r.kx0) > nyquist || Math.abs(r.ky0) > nyquist) {
      warnings.push(`${fn}: reflection ${r.label} lies beyond Nyquist (1/(2p) = ${nyquist.toFixed(3)} 1/Å) and aliases.`);
    }
  }
  return { rows, cols, p, region, amorphous, amorphousField, reflections, informationLimitA, envelopeBA2, ctf, detectorMtf, warnings };
}

function resolveReflections(fn: string, o: CrystalSceneOptions, random: ReturnType<typeof rng>): ResolvedReflection[] {
  const specs = o.reflections ?? DEFAULT_REFLECTIONS;
  if (!Array.isArray(specs) || specs.length === 0) {
    throw new ValueError(`${fn}: reflections must be a non-empty array of {dA, angleDeg, amplitude}; got ${JSON.stringify(specs)}.`);
  }
  let cell: UnitCell | undefined = o.cell;
  if (cell === undefined && o.reflections === undefined) cell = cells.alphaNNB;
  if (cell !== undefined) checkCell(fn, cell);
  const uvw = o.zoneAxis ?? [0, 0, 1];
  let e1: number[] | null = null;
  let e2: number[] | null = null;
  let n: number[] | null = null;
  const rot = ((o.inPlaneRotationDeg ?? 0) * Math.PI) / 180;
  return specs.map((s, i) => {
    const where = `reflections[${i}]`;
    if (typeof s !== 'object' || s === null) throw new ValueError(`${fn}: ${where} must be an object; got ${String(s)}.`);
    const amplitude0 = finite(fn, `${where}.amplitude`, s.amplitude);
    let kx: number;
    let ky: number;
    let hkl: [number, number, number] | undefined;
    if (s.hkl !== undefined) {
      if (!cell) throw new ValueError(`${fn}: cell must be given when ${where} uses hkl; pass cell: lowdose.crystal.cells.alphaNNB or a unitCell.`);
      hkl = [finite(fn, `${where}.hkl[0]`, s.hkl[0]), finite(fn, `${where}.hkl[1]`, s.hkl[1]), finite(fn, `${where}.hkl[2]`, s.hkl[2])];
      const g = matVec3(cell.reciprocalBasisInvA, hkl);
      if (!n) {
        const dir = matVec3(cell.directBasisA, uvw);
        const len = Math.hypot(...dir);
        if (!(len > 0)) throw new ValueError(`${fn}: zoneAxis must be a non-zero direction [u, v, w]; got ${JSON.stringify(uvw)}.`);
        n = dir.map(v => v / len);
      }
      const gl = Math.hypot(...g);
      if (!(gl > 0) || Math.abs(dot3(g, n)) > 1e-6 * gl) {
        throw new ValueError(`${fn}: ${where}.hkl must lie in zone [${uvw.join(' ')}] (h·u + k·v + l·w = 0); got ${formatHkl(hkl)}.`);
      }
      if (!e1 || !e2) {
        e1 = g.map(v => v / gl);
        e2 = cross3(n, e1);
      }
      const u = dot3(g, e1);
      const v = dot3(g, e2);
      kx = u * Math.cos(rot) - v * Math.sin(rot);
      ky = u * Math.sin(rot) + v * Math.cos(rot);
    } else if (s.kxInvA !== undefined || s.kyInvA !== undefined) {
      kx = finite(fn, `${where}.kxInvA`, s.kxInvA);
      ky = finite(fn, `${where}.kyInvA`, s.kyInvA);
    } else {
      const d = positive(fn, `${where}.dA`, s.dA);
      const a = (finite(fn, `${where}.angleDeg`, s.angleDeg) * Math.PI) / 180;
      kx = Math.cos(a) / d;
      ky = Math.sin(a) / d;
    }
    if (!(Math.hypot(kx, ky) > 0)) throw new ValueError(`${fn}: ${where} must not be the zero vector; got (${kx}, ${ky}).`);
    const domainSizeA = s.domainSizeA ?? Infinity;
    if (!(domainSizeA > 0)) throw new ValueError(`${fn}: ${where}.domainSizeA must be a positive length in Å or Infinity; got ${domainSizeA}.`);
    const r: ResolvedReflection = {
      label: s.label ?? (hkl ? formatHkl(hkl) : `${(1 / Math.hypot(kx, ky)).toFixed(3)} Å`),
      kx0: kx,
      ky0: ky,
      amplitude0,
      phase: ((s.phaseDeg ?? 0) * Math.PI) / 180,
      domainSizeA,
      domainField: Number.isFinite(domainSizeA) ? separableRandomField(8, 1, domainSizeA, random) : null
    };
    if (hkl) r.hkl = hkl;
    if (s.criticalDoseEPerA2 !== undefined) r.criticalDoseEPerA2 = positive(fn, `${where}.criticalDoseEPerA2`, s.criticalDoseEPerA2);
    return r;
  });
}

/** Relativistic electron wavelength, Å, at an accelerating voltage in kV. */
export function wavelengthA(voltageKV: number): number {
  const v = voltageKV * 1e3;
  return 12.264259 / Math.sqrt(v * (1 + 0.97847538e-6 * v));
}

/** Transfer of a plane wave: 0 beyond the information limit, else envelope × (−sin χ) × pixel MTF. */
export function transferOf(scene: Scene, kx: number, ky: number): number {
  const g2 = kx * kx + ky * ky;
  if (scene.informationLimitA > 0 && g2 * scene.informationLimitA * scene.informationLimitA > 1) return 0;
  let t = Math.exp((-scene.envelopeBA2 * g2) / 4);
  if (scene.ctf) {
    const lam = wavelengthA(scene.ctf.voltageKV);
    const cs = scene.ctf.csMm * 1e7;
    const chi = Math.PI * lam * g2 * (0.5 * cs * lam * lam * g2 - scene.ctf.defocusA);
    t *= -Math.sin(chi);
  }
  if (scene.detectorMtf === 'sinc') t *= sinc(kx * scene.p) * sinc(ky * scene.p);
  return t;
}

/**
 * Renders T(r) ≥ 0 for one frame (row-major Float64Array) and the ground truth of its reflections.
 * Deformation: material point X = c + F⁻¹(r − s − c), so fringes use g = F^(−T)·g₀.
 */
export function renderScene(
  scene: Scene,
  state: FrameState
): { T: Float64Array; reflections: RenderedReflection[]; clippedFraction: number; crystalAreaFraction: number; meanTransmission: number } {
  const { rows, cols, p, region } = scene;
  const N = rows * cols;
  const Finv = inverse2(state.F ?? [[1, 0], [0, 1]]);
  const sx = state.shiftXA;
  const sy = state.shiftYA;
  const mask = buildMask(region, rows, cols, p, sx, sy, Finv);
  const fringes = new Float64Array(N);
  const plain: Wave[] = [];
  const x0 = sx + region.centreA.x;
  const y0 = sy + region.centreA.y;
  const rendered = frameReflections(scene, state);
  scene.reflections.forEach((r, i) => {
    const t = rendered[i];
    if (t.amplitudeInImage === 0) return;
    const wave = { kx: t.kxInvA, ky: t.kyInvA, amp: t.amplitudeInImage, phase: r.phase };
    if (!r.domainField) {
      plain.push(wave);
      return;
    }
    const single = new Float64Array(N);
    addWaves(single, rows, cols, p, [wave], x0, y0);
    const field = new Float64Array(N);
    addSeparableField(field, rows, cols, p, r.domainField, sx, sy);
    for (let k = 0; k < N; k++) fringes[k] += Math.tanh(field[k] / DOMAIN_WALL_SHARPNESS) * single[k];
  });
  addWaves(fringes, rows, cols, p, plain, x0, y0);
  const amorph = new Float64Array(N);
  addSeparableField(amorph, rows, cols, p, scene.amorphousField, sx, sy);
  const over = scene.amorphous.overCrystal;
  const T = new Float64Array(N);
  let clipped = 0;
  let maskSum = 0;
  let tSum = 0;
  for (let k = 0; k < N; k++) {
    const m = mask[k];
    const t = 1 + m * fringes[k] + (1 - m + over * m) * amorph[k];
    if (t < 0) clipped++;
    T[k] = t > 0 ? t : 0;
    maskSum += m;
    tSum += T[k];
  }
  return { T, reflections: rendered, clippedFraction: clipped / N, crystalAreaFraction: maskSum / N, meanTransmission: tSum / N };
}

/** Ground truth of every reflection in one frame: g = F^(−T)·g₀, faded amplitude, transfer. */
export function frameReflections(scene: Scene, state: FrameState): RenderedReflection[] {
  const Finv = inverse2(state.F ?? [[1, 0], [0, 1]]);
  return scene.reflections.map((r, i) => {
    const kx = Finv[0][0] * r.kx0 + Finv[1][0] * r.ky0;
    const ky = Finv[0][1] * r.kx0 + Finv[1][1] * r.ky0;
    const amplitude = r.amplitude0 * (state.amplitudeFactors ? state.amplitudeFactors[i] : 1);
    const transfer = transferOf(scene, kx, ky);
    const g = Math.hypot(kx, ky);
    const out: RenderedReflection = {
      label: r.label,
      kxInvA: kx,
      kyInvA: ky,
      dA: 1 / g,
      angleDeg: (Math.atan2(ky, kx) * 180) / Math.PI,
      amplitude,
      transfer,
      amplitudeInImage: amplitude * transfer,
      phaseDeg: (r.phase * 180) / Math.PI,
      beyondInformationLimit: scene.informationLimitA > 0 && g * scene.informationLimitA > 1,
      domainSizeA: r.domainSizeA
    };
    if (r.hkl) out.hkl = r.hkl;
    return out;
  });
}

function inverse2(F: [[number, number], [number, number]]): [[number, number], [number, number]] {
  const det = F[0][0] * F[1][1] - F[0][1] * F[1][0];
  return [
    [F[1][1] / det, -F[0][1] / det],
    [-F[1][0] / det, F[0][0] / det]
  ];
}

function finite(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`${fn}: ${name} must be a finite number; got ${JSON.stringify(v)}.`);
  return v;
}

function positive(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new ValueError(`${fn}: ${name} must be a positive number; got ${JSON.stringify(v)}.`);
  return v;
}

function nonNegative(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw new ValueError(`${fn}: ${name} must be a finite number ≥ 0; got ${JSON.stringify(v)}.`);
  return v;
}
