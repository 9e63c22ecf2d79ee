import { ValueError } from '../errors';
import { Dataset, NdArray, isDataset, isNdArray } from '../types/dataset';
import { PowerSpectrum, isPowerSpectrum, powerSpectrum } from '../fft/powerSpectrum';
import { Peak, RefinePeakOptions, refinePeak } from './refinePeak';

/**
 * One spot as a widget writes it ("Insert as code" of the FFT peak picker): a reciprocal vector in
 * the array frame, 1/Å without 2π (kx along columns, ky along rows, downward). Either the vector
 * (`kxInvA`, `kyInvA`) or its polar form (`dA`, `angleDeg`) must be given; when both are, they must
 * agree (within 1 % in d and 1° in angle), which catches an edited literal that no longer matches.
 */
export interface SpotInput {
  kxInvA?: number;
  kyInvA?: number;
  /** d-spacing, Å (= 1/|g|). */
  dA?: number;
  /** atan2(ky, kx) in degrees, array frame. */
  angleDeg?: number;
  /** Optional name, e.g. `'(100)'` or `'9.4 Å'`. */
  label?: string;
  /** Optional peak intensity carried through (arbitrary units). */
  intensity?: number;
  /** Optional signal-to-noise ratio carried through. */
  snr?: number;
}

/** A validated spot: the vector plus derived d-spacing, |g| and angle. */
export interface Spot {
  kxInvA: number;
  kyInvA: number;
  /** d = 1/|g|, Å. */
  dA: number;
  /** |g|, 1/Å. */
  gInvA: number;
  /** atan2(ky, kx), degrees in (−180, 180], array frame (y down). */
  angleDeg: number;
  label?: string;
  intensity?: number;
  snr?: number;
  /** Set when the spot was re-refined against a source: how ('upsampled-dft', or 'parabolic' for a spectrum without its image). */
  refinedBy?: Peak['refinedBy'];
  /** Set when re-refined: the vector as given (1/Å), before refinement. */
  given?: { kxInvA: number; kyInvA: number };
  /** Set when re-refined: local noise power P̂ of the spectrum at the spot (power units). */
  noisePower?: number;
}

/** Options of {@link spots} when a source is given: those of {@link refinePeak} (default search radius 2 px). */
export type SpotsOptions = RefinePeakOptions;

/**
 * Validates a literal list of FFT spots — what the peak picker's "Insert as code" writes — and
 * returns spot objects with derived `dA`, `gInvA` and `angleDeg`, ready for `indexPeaks`,
 * `trackSpots` or refinement. Inputs are not modified.
 *
 * With a `source` (a power spectrum from `fft.powerSpectrum`, or the image itself) every spot is
 * re-refined by `refinePeak`: snapped to the strongest 3×3 box within `searchRadiusPx` (default 2)
 * and moved to the maximum of an upsampled DFT of the source image (Guizar-Sicairos, Thurman &
 * Fienup, Opt. Lett. 33, 156 (2008), doi:10.1364/OL.33.000156); the refined spots carry `snr`,
 * `intensity`, `noisePower`, `refinedBy` and the `given` vector. This is how the FFT picker's
 * "Insert as code" cell re-runs the analysis without clicking.
 *
 * @param list - array of `{kxInvA, kyInvA}` (or `{dA, angleDeg}`) objects.
 * @param source - optional PowerSpectrum, 2D Dataset or ndarray to re-refine against.
 * @param options - with a source: options of {@link refinePeak} (`pixelSizeA` for an uncalibrated image).
 * @returns one {@link Spot} per entry, in order.
 * @throws ValueError for a non-array, an empty list, a spot with neither form, non-finite numbers,
 *   a zero vector (the DC term), inconsistent forms, a duplicated spot, or a source that is neither
 *   a spectrum nor an image; CalibrationError for an image without pixel size.
 * @example
 * const spots = lowdose.lattice.spots([{ kxInvA: 0.2130, kyInvA: 0 }, { kxInvA: 0, kyInvA: 0.2130 }]);
 * spots[0].dA; // 4.695
 * const refined = lowdose.lattice.spots([{ kxInvA: 0.2130, kyInvA: 0, label: 'pick 1' }], img);
 * refined[0].refinedBy; // 'upsampled-dft'
 */
export function spots(list: ReadonlyArray<SpotInput>, source?: PowerSpectrum | Dataset | NdArray, options: SpotsOptions = {}): Spot[] {
  const out = validated(list);
  if (source === undefined || source === null) return out;
  if (!isDataset(source) && !isNdArray(source)) {
    throw new ValueError(`spots: source must be a power spectrum (fft.powerSpectrum) or a 2D image; got ${typeof source}. Pass the image the picker showed.`);
  }
  const ps = isPowerSpectrum(source) ? source : powerSpectrum(source, { pixelSizeA: options.pixelSizeA, window: options.window });
  const opts: RefinePeakOptions = { ...options, searchRadiusPx: options.searchRadiusPx ?? 2 };
  return out.map(s => {
    const p = refinePeak(ps, { kxInvA: s.kxInvA, kyInvA: s.kyInvA }, opts);
    const r: Spot = {
      kxInvA: p.kxInvA,
      kyInvA: p.kyInvA,
      dA: p.dA,
      gInvA: p.gInvA,
      angleDeg: p.angleDeg,
      intensity: p.intensity,
      snr: p.snr,
      noisePower: p.noisePower,
      refinedBy: p.refinedBy,
      given: { kxInvA: s.kxInvA, kyInvA: s.kyInvA }
    };
    if (s.label !== undefined) r.label = s.label;
    return r;
  });
}

function validated(list: ReadonlyArray<SpotInput>): Spot[] {
  if (!Array.isArray(list)) {
    throw new ValueError(`spots: list must be an array of {kxInvA, kyInvA} objects; got ${typeof list}.`);
  }
  if (list.length === 0) {
    throw new ValueError('spots: list must hold at least one spot; got an empty array. Pick spots in the FFT picker first.');
  }
  const out = list.map((s, i) => oneSpot(s, i));
  for (let i = 0; i < out.length; i++) {
    for (let j = 0; j < i; j++) {
      const tol = 1e-9 * Math.max(out[i].gInvA, out[j].gInvA);
      if (Math.abs(out[i].kxInvA - out[j].kxInvA) <= tol && Math.abs(out[i].kyInvA - out[j].kyInvA) <= tol) {
        throw new ValueError(`spots: list[${i}] must differ from list[${j}]; got the same vector twice. Remove the duplicate.`);
      }
    }
  }
  return out;
}

function oneSpot(s: SpotInput, i: number): Spot {
  if (typeof s !== 'object' || s === null) {
    throw new ValueError(`spots: list[${i}] must be an object {kxInvA, kyInvA}; got ${String(s)}.`);
  }
  const has = (v: unknown): boolean => v !== undefined && v !== null;
  const finite = (name: keyof SpotInput): number => {
    const v = s[name];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ValueError(`spots: list[${i}].${name} must be a finite number; got ${JSON.stringify(v)}.`);
    }
    return v;
  };
  let kx: number;
  let ky: number;
  if (has(s.kxInvA) || has(s.kyInvA)) {
    kx = finite('kxInvA');
    ky = finite('kyInvA');
  } else if (has(s.dA) || has(s.angleDeg)) {
    const d = finite('dA');
    const ang = finite('angleDeg');
    if (!(d > 0)) throw new ValueError(`spots: list[${i}].dA must be a positive d-spacing in Å; got ${d}.`);
    kx = Math.cos((ang * Math.PI) / 180) / d;
    ky = Math.sin((ang * Math.PI) / 180) / d;
  } else {
    throw new ValueError(`spots: list[${i}] must have kxInvA and kyInvA (1/Å) or dA and angleDeg; got keys ${JSON.stringify(Object.keys(s))}.`);
  }
  const g = Math.hypot(kx, ky);
  if (!(g > 0)) {
    throw new ValueError(`spots: list[${i}] must not be the origin (kxInvA = kyInvA = 0 is the DC term); got (${kx}, ${ky}).`);
  }
  const spot: Spot = { kxInvA: kx, kyInvA: ky, dA: 1 / g, gInvA: g, angleDeg: (Math.atan2(ky, kx) * 180) / Math.PI };
  if (has(s.kxInvA) && has(s.dA)) {
    const d = finite('dA');
    if (!(Math.abs(d * g - 1) <= 0.01)) {
      throw new ValueError(`spots: list[${i}].dA must match 1/|k| = ${spot.dA.toFixed(4)} Å within 1 %; got ${d}. Drop dA or fix the vector.`);
    }
  }
  if (has(s.kxInvA) && has(s.angleDeg)) {
    const a = finite('angleDeg');
    const diff = Math.abs(((a - spot.angleDeg + 540) % 360) - 180);
    if (!(diff <= 1)) {
      throw new ValueError(`spots: list[${i}].angleDeg must match atan2(ky, kx) = ${spot.angleDeg.toFixed(2)}° within 1°; got ${a}. Drop angleDeg or fix the vector.`);
    }
  }
  if (s.label !== undefined) spot.label = String(s.label);
  if (s.intensity !== undefined) spot.intensity = finite('intensity');
  if (s.snr !== undefined) spot.snr = finite('snr');
  return spot;
}
