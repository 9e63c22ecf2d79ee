import { Dataset, imageDataset } from '../types/dataset';
import { ValueError } from '../errors';
import { rng } from './rng';
import { poissonNoise } from './poisson';

/** Options of {@link latticeImage}; every length in Å, dose in e⁻/Å². */
export interface LatticeImageOptions {
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
 * @throws ValueError for non-positive sizes, dose or pixel size, or |contrast| ≥ 2.
 * @example
 * const img = lowdose.simulate.latticeImage({ doseEPerA2: 20, pixelSizeA: 0.5, seed: 7 });
 */
export function latticeImage(options: LatticeImageOptions = {}): Dataset {
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
