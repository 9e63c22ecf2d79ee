import { Dataset, imageDataset } from '../types/dataset';
import { ValueError } from '../errors';
import { rng } from './rng';
import { poissonNoise } from './poisson';
import { CrystalSceneOptions, ReflectionSpec, renderCrystalImage } from './crystalImage';

/**
 * Options of {@link latticeImage}; every length in Å, dose in e⁻/Å².
 *
 * Two models. `'columns'` (the default when none of the crystal-model options is given): Gaussian
 * columns on a square lattice filling the field, as before. `'crystal'` (chosen by `model:
 * 'crystal'` or by giving any of `reflections`, `cell`, `zoneAxis`, `inPlaneRotationDeg`, `region`,
 * `amorphous`, `supercell`, `informationLimitA`, `envelopeBA2`, `ctf`, `detectorMtf`): the
 * science.md Part 2 object of {@link crystalImage} — a crystal region in amorphous surroundings,
 * information limit, optional supercell ordering — with this function's defaults for shape, dose and
 * η. Without `reflections`/`cell`, its fringes are the Fourier components of the same Gaussian
 * columns: A_g = contrast·exp(−2π²σ²|g|²) for every g of the square lattice up to Nyquist.
 */
export interface LatticeImageOptions extends CrystalSceneOptions {
  /** `'columns'` or `'crystal'` (default: 'crystal' when a crystal-model option is given, else 'columns'). */
  model?: 'columns' | 'crystal';
  /**
   * Crystal model only: add the (½ 0) superlattice reflection of the square lattice (d = 2a, the NNB
   * "doubling") with this amplitude and an ordered-domain correlation length (default Infinity).
   */
  supercell?: { amplitude: number; domainSizeA?: number };
  /** Image size `[rows, cols]` in pixels (default [256, 256]). */
  shape?: [number, number];
  /** Pixel size at the specimen, Å (default 0.5). */
  pixelSizeA?: number;
  /** Lattice constant of the square (cubic [001]) column lattice, Å (default 4.7, α-NNB). */
  latticeA?: number;
  /** In-plane rotation of the lattice from the column axis, degrees (default 0). */
  rotationDeg?: number;
  /** Gaussian width σ of one projected atomic column, Å (default 0.7). */
  columnSigmaA?: number;
  /**
   * Peak-to-valley modulation of the noise-free image relative to its mean (default 0.3).
   * Positive gives bright columns, negative dark columns (phase contrast at Scherzer focus).
   */
  contrast?: number;
  /** Electron dose, e⁻/Å² (default 20). */
  doseEPerA2?: number;
  /** Detector conversion η, counts per incident electron (default 1, ideal counting). */
  countsPerElectron?: number;
  /** Add Poisson noise (default true); false returns the expected counts. */
  noise?: boolean;
  /** Seed of the random generator (default 1). */
  seed?: number;
}

/**
 * Simulates an HRTEM lattice image: Gaussian atomic columns on a square lattice, scaled to the
 * expected counts of a dose, with Poisson noise (science.md §1.3:
 * `c ~ Poisson(η · D · p² · T)`, T the noise-free image normalised to mean 1).
 *
 * @returns a 2D Dataset of counts (float32) with axes in Å; metadata records every parameter,
 *   `meanCountsPerPx` (= η·D·p²) and `simulated: true`.
 * In the crystal model the result is that of {@link crystalImage} (metadata lists the true reflections).
 * @throws ValueError for non-positive sizes, dose or pixel size, or |contrast| ≥ 2.
 * @example
 * const img = lowdose.simulate.latticeImage({ doseEPerA2: 20, pixelSizeA: 0.5, seed: 7 });
 * const nnb = lowdose.simulate.latticeImage({ supercell: { amplitude: 0.05, domainSizeA: 40 }, informationLimitA: 2.2 });
 */
export function latticeImage(options: LatticeImageOptions = {}): Dataset {
  if (usesCrystalModel(options)) return crystalLatticeImage(options);
  const [rows, cols] = options.shape ?? [256, 256];
  const p = options.pixelSizeA ?? 0.5;
  const a = options.latticeA ?? 4.7;
  const rotationDeg = options.rotationDeg ?? 0;
  const sigma = options.columnSigmaA ?? 0.7;
  const contrast = options.contrast ?? 0.3;
  const dose = options.doseEPerA2 ?? 20;
  const eta = options.countsPerElectron ?? 1;
  const seed = options.seed ?? 1;
  const noise = options.noise ?? true;
  const positive: Array<[string, number]> = [
    ['pixelSizeA', p],
    ['latticeA', a],
    ['columnSigmaA', sigma],
    ['countsPerElectron', eta]
  ];
  for (const [name, v] of positive) {
    if (!(v > 0) || !Number.isFinite(v)) {
      throw new ValueError(`latticeImage: ${name} must be a positive number; got ${v}.`);
    }
  }
  if (!(Number.isInteger(rows) && Number.isInteger(cols) && rows > 0 && cols > 0)) {
    throw new ValueError(`latticeImage: shape must be two positive integers; got [${rows}, ${cols}].`);
  }
  if (!(dose >= 0) || !Number.isFinite(dose)) {
    throw new ValueError(`latticeImage: doseEPerA2 must be a finite number ≥ 0; got ${dose}.`);
  }
  if (!(Math.abs(contrast) < 2)) {
    throw new ValueError(`latticeImage: contrast must lie in (−2, 2) so counts stay non-negative; got ${contrast}.`);
  }

  const projected = columnPotential(rows, cols, p, a, rotationDeg, sigma);
  let lo = Infinity;
  let hi = -Infinity;
  let mean = 0;
  for (let i = 0; i < projected.length; i++) {
    const v = projected[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    mean += v;
  }
  mean /= projected.length;
  const span = hi > lo ? hi - lo : 1;
  const meanCounts = eta * dose * p * p;
  const expected = new Float64Array(projected.length);
  for (let i = 0; i < projected.length; i++) {
    const t = 1 + (contrast * (projected[i] - mean)) / span;
    expected[i] = meanCounts * Math.max(t, 0);
  }
  const values = noise ? poissonNoise(expected, rng(seed)) : Float32Array.from(expected);
  return imageDataset(values, [rows, cols], {
    pixelSizeA: p,
    metadata: {
      simulated: true,
      generator: 'lowdose.simulate.latticeImage',
      latticeA: a,
      rotationDeg,
      columnSigmaA: sigma,
      contrast,
      doseEPerA2: dose,
      countsPerElectron: eta,
      meanCountsPerPx: meanCounts,
      noise,
      seed,
      signalUnits: 'counts'
    }
  });
}

/** Sum of unit-height Gaussians at the lattice sites (periodic lattice, any rotation). */
function columnPotential(
  rows: number,
  cols: number,
  p: number,
  a: number,
  rotationDeg: number,
  sigma: number
): Float64Array {
  const out = new Float64Array(rows * cols);
  const theta = (rotationDeg * Math.PI) / 180;
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  const heightA = rows * p;
  const widthA = cols * p;
  const reach = 4 * sigma;
  const radiusPx = Math.ceil(reach / p);
  const inv2s2 = 1 / (2 * sigma * sigma);
  // Lattice indices covering the field whatever the rotation.
  const extent = Math.ceil(Math.hypot(heightA, widthA) / a) + 1;
  for (let i = -extent; i <= extent; i++) {
    for (let j = -extent; j <= extent; j++) {
      const xA = c * j * a - s * i * a;
      const yA = s * j * a + c * i * a;
      if (xA < -reach || yA < -reach || xA > widthA + reach || yA > heightA + reach) continue;
      const col0 = Math.round(xA / p);
      const row0 = Math.round(yA / p);
      for (let r = Math.max(0, row0 - radiusPx); r <= Math.min(rows - 1, row0 + radiusPx); r++) {
        const dy = r * p - yA;
        for (let q = Math.max(0, col0 - radiusPx); q <= Math.min(cols - 1, col0 + radiusPx); q++) {
          const dx = q * p - xA;
          out[r * cols + q] += Math.exp(-(dx * dx + dy * dy) * inv2s2);
        }
      }
    }
  }
  return out;
}

const CRYSTAL_KEYS = [
  'reflections',
  'cell',
  'zoneAxis',
  'inPlaneRotationDeg',
  'region',
  'amorphous',
  'supercell',
  'informationLimitA',
  'envelopeBA2',
  'ctf',
  'detectorMtf'
] as const;

function usesCrystalModel(o: LatticeImageOptions): boolean {
  if (o.model !== undefined && o.model !== 'columns' && o.model !== 'crystal') {
    throw new ValueError(`latticeImage: model must be 'columns' or 'crystal'; got ${JSON.stringify(o.model)}.`);
  }
  if (o.model !== undefined) return o.model === 'crystal';
  return CRYSTAL_KEYS.some(k => o[k] !== undefined);
}

/** The crystal model with latticeImage's defaults; fringes from the Gaussian columns unless given. */
function crystalLatticeImage(o: LatticeImageOptions): Dataset {
  const p = o.pixelSizeA ?? 0.5;
  const a = o.latticeA ?? 4.7;
  const rotationDeg = o.rotationDeg ?? 0;
  const sigma = o.columnSigmaA ?? 0.7;
  const contrast = o.contrast ?? 0.3;
  for (const [name, v] of [['pixelSizeA', p], ['latticeA', a], ['columnSigmaA', sigma]] as Array<[string, number]>) {
    if (!(v > 0) || !Number.isFinite(v)) throw new ValueError(`latticeImage: ${name} must be a positive number; got ${v}.`);
  }
  if (!Number.isFinite(contrast) || !Number.isFinite(rotationDeg)) {
    throw new ValueError(`latticeImage: contrast and rotationDeg must be finite numbers; got ${contrast}, ${rotationDeg}.`);
  }
  let reflections = o.reflections;
  if (reflections === undefined && o.cell === undefined) {
    reflections = squareLatticeReflections(a, rotationDeg, sigma, contrast, 1 / (2 * p));
  }
  if (o.supercell !== undefined) {
    const amp = o.supercell.amplitude;
    if (typeof amp !== 'number' || !Number.isFinite(amp)) {
      throw new ValueError(`latticeImage: supercell.amplitude must be a finite number; got ${amp}.`);
    }
    if (reflections === undefined) {
      throw new ValueError('latticeImage: supercell needs the square-lattice fringes; give reflections explicitly (with a fractional hkl) when using cell.');
    }
    const t = (rotationDeg * Math.PI) / 180;
    reflections = [
      ...reflections,
      { kxInvA: Math.cos(t) / (2 * a), kyInvA: Math.sin(t) / (2 * a), amplitude: amp, domainSizeA: o.supercell.domainSizeA, label: '(1/2 0)' }
    ];
  }
  return renderCrystalImage(
    'latticeImage',
    { ...o, reflections },
    { shape: [256, 256], doseEPerA2: 20, countsPerElectron: 1 },
    { latticeA: a, rotationDeg, columnSigmaA: sigma, contrast }
  );
}

/** Fourier components of unit Gaussian columns on a rotated square lattice (one per ±g pair) up to kMax. */
function squareLatticeReflections(a: number, rotationDeg: number, sigma: number, contrast: number, kMax: number): ReflectionSpec[] {
  const t = (rotationDeg * Math.PI) / 180;
  const c = Math.cos(t);
  const s = Math.sin(t);
  const n = Math.floor(kMax * a);
  const out: ReflectionSpec[] = [];
  for (let h = 0; h <= n; h++) {
    for (let k = -n; k <= n; k++) {
      if (h === 0 && k <= 0) continue;
      const g2 = (h * h + k * k) / (a * a);
      if (g2 > kMax * kMax) continue;
      out.push({
        kxInvA: (h * c - k * s) / a,
        kyInvA: (h * s + k * c) / a,
        amplitude: contrast * Math.exp(-2 * Math.PI * Math.PI * sigma * sigma * g2),
        label: `(${h} ${k})`
      });
    }
  }
  return out;
}
