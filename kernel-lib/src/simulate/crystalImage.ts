import { Dataset, imageDataset } from '../types/dataset';
import { ValueError } from '../errors';
import type { UnitCell } from '../crystal/unitCell';
import { rng } from './rng';
import { poissonNoise } from './poisson';
import { buildScene, renderScene } from './_internal/scene';
import type { RegionSpec } from './_internal/region';
import { deriveSeed } from './_internal/seeds';

export type { RegionSpec };

/**
 * One reflection (fringe family) of the simulated crystal. Give its position as `hkl` (with
 * `cell` and `zoneAxis` in the options), as `kxInvA`/`kyInvA` (1/Å, array frame), or as
 * `dA`/`angleDeg`. A cosine already contains its Friedel mate: list each ±g pair once.
 */
export interface ReflectionSpec {
  /** Miller indices in `cell`; fractions such as ½ make supercell reflections. */
  hkl?: [number, number, number];
  kxInvA?: number;
  kyInvA?: number;
  /** d-spacing, Å. */
  dA?: number;
  /** atan2(ky, kx), degrees, array frame (x right, y down). */
  angleDeg?: number;
  /** Fringe amplitude A_g relative to the mean intensity (0.1 = 10 % contrast), before the transfer. */
  amplitude: number;
  /** Phase φ_g at the crystal centre, degrees (default 0: a maximum of every fringe at the centre). */
  phaseDeg?: number;
  /**
   * Correlation length of antiphase ordered domains, Å (default Infinity: one ordered domain). Finite
   * values multiply this fringe by m(r) = tanh(f(r)/0.15), f a unit Gaussian random field with this
   * correlation length — short-range order that broadens the spot to a width ~1/ξ.
   */
  domainSizeA?: number;
  /** Critical dose of this reflection for movie/doseSeries fading, e⁻/Å² (default from the fading rule). */
  criticalDoseEPerA2?: number;
  /** Name in the ground truth (default the hkl or the d-spacing). */
  label?: string;
}

/** The object (specimen) of science.md Part 2: a crystal region with fringes in amorphous surroundings. */
export interface CrystalSceneOptions {
  /** Image size `[rows, cols]`, pixels (default [512, 512] for images, [256, 256] for movies). */
  shape?: [number, number];
  /** Pixel size at the specimen, Å (default 0.5). */
  pixelSizeA?: number;
  /**
   * The fringes (default: α-NNB [001] — (100), (010) A = 0.15; (½00) A = 0.045 (= 0.3·A₁₀₀, the
   * 9.39 Å doubling); (110), (1−10) A = 0.08; (200), (020) A = 0.05; (210), (120) A = 0.04, which the
   * default 2.2 Å information limit removes).
   */
  reflections?: ReflectionSpec[];
  /** Cell for reflections given by hkl (default α-NNB when `reflections` is omitted). */
  cell?: UnitCell;
  /** Zone axis [uvw] (beam direction; default [0 0 1]). The first hkl reflection points along `inPlaneRotationDeg`; (kx, ky, beam) is right-handed. */
  zoneAxis?: [number, number, number];
  /** Rotation of the projected hkl pattern, degrees (default 0: the first hkl reflection along +kx). */
  inPlaneRotationDeg?: number;
  /** Reflections with d below this (Å) get zero amplitude (default 2.2; 0 disables). */
  informationLimitA?: number;
  /** Smooth envelope exp(−B·|g|²/4) on fringe amplitudes, B in Å² (default 0). */
  envelopeBA2?: number;
  /**
   * Phase-contrast transfer −sin χ(g), χ = π·λ·g²·(½·Cs·λ²·g² − Δf) (Kirkland's convention, Δf > 0
   * underfocus; science.md suggests Δf 500–900 Å, Cs 2.7 mm) on fringe amplitudes (default none).
   */
  ctf?: { defocusA: number; csMm?: number; voltageKV?: number };
  /** `'sinc'`: multiply every fringe by sinc(kx·p)·sinc(ky·p), the pixel-area MTF of a counting detector (default 'none'; the amorphous field is left as specified). */
  detectorMtf?: 'none' | 'sinc';
  /** Crystal region (default a disk of 65 % of the field at its centre, 3 Å soft edge). */
  region?: RegionSpec;
  /**
   * Amorphous surroundings: a random field of standard deviation `contrast` (default 0.1) with
   * Gaussian correlation exp(−r²/(2ℓ²)), ℓ = `correlationLengthA` (default 10 Å; science.md asks for
   * 5–20 Å), synthesised as `terms` (default 16) separable products of 1D random cosine sums (exact
   * covariance, nearly Gaussian; exact under any shift), weighted by 1 − M(r) + overCrystal·M(r)
   * (default overCrystal 0: amorphous only outside the crystal).
   */
  amorphous?: { contrast?: number; correlationLengthA?: number; terms?: number; overCrystal?: number };
  /** Seed of every random choice (default 1). */
  seed?: number;
}

/** Options of {@link crystalImage}. */
export interface CrystalImageOptions extends CrystalSceneOptions {
  /** Electron dose, e⁻/Å² (default 38.5, the NNB Fig. 1 sum). */
  doseEPerA2?: number;
  /** Detector conversion η, counts per incident electron (default 0.9, K2 counting). */
  countsPerElectron?: number;
  /** Add Poisson noise (default true); false returns the expected counts η·D·p²·T. */
  noise?: boolean;
}

/**
 * Simulates an HRTEM image of a crystal in amorphous surroundings (science.md Part 2 object):
 * T(r) = 1 + M(r)·Σ_g A_g·t(g)·cos(2π g·(r − c) + φ_g) + (1 − M(r))·a(r), clipped at 0, with
 * counts ~ Poisson(η·D·p²·T) (science.md §1.3). Everything is evaluated directly on the pixel grid
 * (separable cosines; no FFT), so the ground truth is exact. CTF convention: Kirkland, *Advanced
 * Computing in Electron Microscopy*, 2nd ed., Springer 2010, §3.3, doi:10.1007/978-1-4419-6533-2.
 *
 * @returns 2D Dataset of counts (float32), axes y/x in Å; metadata: `reflections` (per reflection
 *   `kxInvA`, `kyInvA` (1/Å), `dA`, `angleDeg`, `amplitude`, `transfer`, `amplitudeInImage`,
 *   `phaseDeg`, `beyondInformationLimit`), `region`, `crystalAreaFraction`, `meanTransmission`,
 *   `meanCountsPerPx` (= η·D·p²), `clippedFraction`, every option, `warnings`.
 * @throws ValueError for invalid sizes, doses, reflections or region.
 * @example
 * const img = lowdose.simulate.crystalImage({ doseEPerA2: 38.5, seed: 3 });
 * img.metadata.reflections; // the true g vectors
 */
export function crystalImage(options: CrystalImageOptions = {}): Dataset {
  return renderCrystalImage('crystalImage', options, {});
}

/** Shared by crystalImage and latticeImage (which passes its own defaults). */
export function renderCrystalImage(
  fn: string,
  options: CrystalImageOptions,
  defaults: { shape?: [number, number]; doseEPerA2?: number; countsPerElectron?: number },
  extraMetadata: { [key: string]: unknown } = {}
): Dataset {
  const scene = buildScene(fn, options, defaults.shape ?? [512, 512]);
  const dose = options.doseEPerA2 ?? defaults.doseEPerA2 ?? 38.5;
  const eta = options.countsPerElectron ?? defaults.countsPerElectron ?? 0.9;
  const noise = options.noise ?? true;
  const seed = options.seed ?? 1;
  if (typeof dose !== 'number' || !(dose >= 0) || !Number.isFinite(dose)) {
    throw new ValueError(`${fn}: doseEPerA2 must be a finite number ≥ 0; got ${dose}.`);
  }
  if (typeof eta !== 'number' || !(eta > 0) || !Number.isFinite(eta)) {
    throw new ValueError(`${fn}: countsPerElectron must be a positive number; got ${eta}.`);
  }
  const frame = renderScene(scene, { shiftXA: 0, shiftYA: 0 });
  const meanCounts = eta * dose * scene.p * scene.p;
  const expected = new Float64Array(frame.T.length);
  for (let i = 0; i < expected.length; i++) expected[i] = meanCounts * frame.T[i];
  const values = noise ? poissonNoise(expected, rng(deriveSeed(seed, 1))) : Float32Array.from(expected);
  return imageDataset(values, [scene.rows, scene.cols], {
    pixelSizeA: scene.p,
    metadata: {
      simulated: true,
      generator: `lowdose.simulate.${fn}`,
      model: 'crystal',
      doseEPerA2: dose,
      countsPerElectron: eta,
      meanCountsPerPx: meanCounts,
      noise,
      seed,
      reflections: frame.reflections,
      region: scene.region,
      crystalAreaFraction: frame.crystalAreaFraction,
      meanTransmission: frame.meanTransmission,
      clippedFraction: frame.clippedFraction,
      amorphous: scene.amorphous,
      informationLimitA: scene.informationLimitA,
      envelopeBA2: scene.envelopeBA2,
      ctf: scene.ctf,
      detectorMtf: scene.detectorMtf,
      ...extraMetadata,
      warnings: scene.warnings,
      signalUnits: 'counts'
    }
  });
}
