import { CalibrationError, ValueError } from '../errors';

/** Elementary charge (C), CODATA 2018 exact. */
export const ELEMENTARY_CHARGE_C = 1.602176634e-19;

/**
 * Detector flux above which a warning is returned (e⁻/px/s): K2 counting keeps coincidence loss small
 * only below ~10 e⁻/px/s (science.md §1.2; Gatan K2 user guide).
 */
export const MAX_COUNTING_FLUX_E_PER_PX_PER_S = 10;

/**
 * Options of {@link frameDoses}. Give exactly one dose source:
 * - counts: `meanCountsPerPxPerFrame` + `countsPerElectron` + `pixelSizeA`;
 * - dose rate: `doseRateEPerA2PerS` + `frameTimeS`;
 * - beam current: `beamCurrentPA` + `illuminatedAreaA2` + `frameTimeS`;
 * - total: `totalDoseEPerA2` + `nFrames` (spread evenly).
 */
export interface FrameDosesOptions {
  /** Number of frames. Required for the total-dose and dose-rate sources and for a scalar count; otherwise the length of the per-frame counts. */
  nFrames?: number;
  /**
   * Mean counts per pixel per frame measured in vacuum or with the specimen removed (never through an
   * energy filter and the specimen: that underestimates dose by exp(−t/λ_in)). A number (same every frame)
   * or one value per frame.
   */
  meanCountsPerPxPerFrame?: number | ArrayLike<number>;
  /** η, counts per incident electron: ≈0.9 for K2 counting, ¼ of that per super-resolution pixel; a CMOS camera's gain from its certificate. No default: it must be stated. */
  countsPerElectron?: number;
  /** Pixel size at the specimen (Å). Needed for the counts source and for the detector flux. */
  pixelSizeA?: number;
  /** Frame exposure time (s). Needed for the dose-rate and beam-current sources and for the dose rate / flux. */
  frameTimeS?: number;
  /** Dose rate at the specimen (e⁻/Å²/s). */
  doseRateEPerA2PerS?: number;
  /** Beam current (pA) spread uniformly over `illuminatedAreaA2`: Ḋ = I/(e·A). */
  beamCurrentPA?: number;
  /** Illuminated area at the specimen (Å²) for the beam-current source. */
  illuminatedAreaA2?: number;
  /** Total dose of the series (e⁻/Å²), spread evenly over `nFrames`. */
  totalDoseEPerA2?: number;
}

/** Result of {@link frameDoses}. */
export interface FrameDosesResult {
  /** Dose of each frame at the specimen (e⁻/Å²). */
  frameDosesEPerA2: number[];
  /** Sum over the frames (e⁻/Å²). */
  totalDoseEPerA2: number;
  /** Mean dose per frame (e⁻/Å²). */
  meanFrameDoseEPerA2: number;
  /** Mean dose rate Ḋ = D_f/t_f (e⁻/Å²/s); null without `frameTimeS`. */
  doseRateEPerA2PerS: number | null;
  /** Mean detector flux φ = Ḋ·p² (e⁻ per specimen-plane pixel per s); null without `pixelSizeA` and a frame time. */
  fluxEPerPxPerS: number | null;
  /** Largest per-frame flux (e⁻/px/s), what the coincidence-loss warning looks at; null as above. */
  maxFluxEPerPxPerS: number | null;
  /** Mean electrons per pixel per frame, D_f·p² (e⁻/px); null without `pixelSizeA`. */
  electronsPerPxPerFrame: number | null;
  /** Which input the doses came from. */
  source: 'counts' | 'doseRate' | 'beamCurrent' | 'total';
  warnings: string[];
}

/**
 * Per-frame dose at the specimen (science.md §1.2): `D_f = ⟨c⟩/(η·p²)` from vacuum counts, `D_f = Ḋ·t_f`
 * from a stated dose rate (or `Ḋ = I/(e·A)` from a beam current), or an even split of a total dose; with
 * the dose rate and the detector flux `φ = Ḋ·p²` (warning when φ > 10 e⁻/px/s: counting-mode coincidence loss).
 * @param options exactly one dose source, see {@link FrameDosesOptions}.
 * @returns doses in e⁻/Å², rate in e⁻/Å²/s, flux in e⁻/px/s, warnings.
 * @throws ValueError when no source or several are given, or a value is not finite and positive;
 *         CalibrationError when the counts source lacks `countsPerElectron` or `pixelSizeA`.
 * @example lowdose.dose.frameDoses({ totalDoseEPerA2: 38.5, nFrames: 40 }).frameDosesEPerA2[0] // 0.9625
 * @example lowdose.dose.frameDoses({ meanCountsPerPxPerFrame: 0.216, countsPerElectron: 0.9, pixelSizeA: 0.5 })
 */
export function frameDoses(options: FrameDosesOptions): FrameDosesResult {
  const fn = 'frameDoses';
  const o = options ?? {};
  const sources = [
    o.meanCountsPerPxPerFrame !== undefined && 'counts',
    o.doseRateEPerA2PerS !== undefined && 'doseRate',
    (o.beamCurrentPA !== undefined || o.illuminatedAreaA2 !== undefined) && 'beamCurrent',
    o.totalDoseEPerA2 !== undefined && 'total'
  ].filter((s): s is FrameDosesResult['source'] => typeof s === 'string');
  if (sources.length !== 1) {
    throw new ValueError(
      `${fn}: options must give exactly one dose source (meanCountsPerPxPerFrame, doseRateEPerA2PerS, ` +
        `beamCurrentPA + illuminatedAreaA2, or totalDoseEPerA2); got ${sources.length ? sources.join(', ') : 'none'}.`
    );
  }
  const source = sources[0];
  const p = o.pixelSizeA === undefined ? undefined : positive(fn, 'options.pixelSizeA', o.pixelSizeA);
  const tf = o.frameTimeS === undefined ? undefined : positive(fn, 'options.frameTimeS', o.frameTimeS);
  const warnings: string[] = [];
  let doses: number[];

  if (source === 'counts') {
    if (o.countsPerElectron === undefined || p === undefined) {
      throw new CalibrationError(
        `${fn}: options.countsPerElectron and options.pixelSizeA must be given with meanCountsPerPxPerFrame; ` +
          `got countsPerElectron=${o.countsPerElectron}, pixelSizeA=${o.pixelSizeA}. ` +
          'Use ~0.9 for a K2 in counting mode, or the gain on the camera certificate for an integrating camera.'
      );
    }
    const eta = positive(fn, 'options.countsPerElectron', o.countsPerElectron);
    const counts = o.meanCountsPerPxPerFrame!;
    let perFrame: number[];
    if (typeof counts === 'number') {
      perFrame = new Array<number>(frameCount(fn, o.nFrames)).fill(nonNegative(fn, 'options.meanCountsPerPxPerFrame', counts));
    } else {
      perFrame = Array.from(counts, (c, i) => nonNegative(fn, `options.meanCountsPerPxPerFrame[${i}]`, c));
      if (perFrame.length === 0) throw new ValueError(`${fn}: options.meanCountsPerPxPerFrame must not be empty; got [].`);
      if (o.nFrames !== undefined && o.nFrames !== perFrame.length) {
        throw new ValueError(`${fn}: options.nFrames must equal the number of per-frame counts (${perFrame.length}); got ${o.nFrames}.`);
      }
    }
    if (eta > 1.5) {
      warnings.push(
        `countsPerElectron = ${eta} counts/e⁻: fine for an integrating camera's gain, but a counting detector gives ≤ 1; check the mode.`
      );
    }
    doses = perFrame.map(c => c / (eta * p * p));
  } else if (source === 'doseRate') {
    const rate = positive(fn, 'options.doseRateEPerA2PerS', o.doseRateEPerA2PerS!);
    doses = new Array<number>(frameCount(fn, o.nFrames)).fill(rate * requireTime(fn, tf, 'doseRateEPerA2PerS'));
  } else if (source === 'beamCurrent') {
    const currentPA = positive(fn, 'options.beamCurrentPA', o.beamCurrentPA as number);
    const areaA2 = positive(fn, 'options.illuminatedAreaA2', o.illuminatedAreaA2 as number);
    const rate = (currentPA * 1e-12) / (ELEMENTARY_CHARGE_C * areaA2);
    doses = new Array<number>(frameCount(fn, o.nFrames)).fill(rate * requireTime(fn, tf, 'beamCurrentPA'));
  } else {
    const total = nonNegative(fn, 'options.totalDoseEPerA2', o.totalDoseEPerA2!);
    const n = frameCount(fn, o.nFrames);
    doses = new Array<number>(n).fill(total / n);
  }

  const totalDoseEPerA2 = doses.reduce((a, b) => a + b, 0);
  const mean = totalDoseEPerA2 / doses.length;
  const maxDose = Math.max(...doses);
  const doseRateEPerA2PerS = tf === undefined ? null : mean / tf;
  const fluxEPerPxPerS = doseRateEPerA2PerS === null || p === undefined ? null : doseRateEPerA2PerS * p * p;
  const maxFluxEPerPxPerS = tf === undefined || p === undefined ? null : (maxDose / tf) * p * p;
  if (maxFluxEPerPxPerS !== null && maxFluxEPerPxPerS > MAX_COUNTING_FLUX_E_PER_PX_PER_S) {
    warnings.push(
      `detector flux ${maxFluxEPerPxPerS.toPrecision(3)} e⁻/px/s exceeds ${MAX_COUNTING_FLUX_E_PER_PX_PER_S} e⁻/px/s: ` +
        'a counting detector (K2) loses coincident electrons, so counts underestimate dose; lower the dose rate or use a linear mode.'
    );
  }
  return {
    frameDosesEPerA2: doses,
    totalDoseEPerA2,
    meanFrameDoseEPerA2: mean,
    doseRateEPerA2PerS,
    fluxEPerPxPerS,
    maxFluxEPerPxPerS,
    electronsPerPxPerFrame: p === undefined ? null : mean * p * p,
    source,
    warnings
  };
}

/** Options of {@link cumulativeDose}. */
export interface CumulativeDoseOptions {
  /** Dose received before the first frame (e⁻/Å²): search, focusing, earlier exposures. Default 0. */
  preDoseEPerA2?: number;
}

/** Result of {@link cumulativeDose}. */
export interface CumulativeDoseResult {
  /** D_n = D_pre + Σ_{i≤n} D_f,i, the dose at the end of frame n (e⁻/Å²). */
  cumulativeEPerA2: number[];
  /** D_n − D_f,n/2, the dose at the middle of frame n: the abscissa for fading and strain fits (e⁻/Å²). */
  midpointEPerA2: number[];
  /** Dose at the end of the series, D_pre included (e⁻/Å²). */
  totalEPerA2: number;
}

/**
 * Accumulated dose per frame and the frame-midpoint dose used as the abscissa of fading and strain fits
 * (science.md §1.2).
 * @param frameDosesEPerA2 dose of each frame (e⁻/Å²), e.g. `frameDoses(...).frameDosesEPerA2`.
 * @throws ValueError for an empty list or a negative / non-finite dose.
 * @example lowdose.dose.cumulativeDose([1, 1, 1]).midpointEPerA2 // [0.5, 1.5, 2.5]
 */
export function cumulativeDose(frameDosesEPerA2: ArrayLike<number>, options: CumulativeDoseOptions = {}): CumulativeDoseResult {
  const fn = 'cumulativeDose';
  if (!frameDosesEPerA2 || frameDosesEPerA2.length === 0) {
    throw new ValueError(`${fn}: frameDosesEPerA2 must be a non-empty list of doses (e⁻/Å²); got ${frameDosesEPerA2 ? '[]' : frameDosesEPerA2}.`);
  }
  const pre = nonNegative(fn, 'options.preDoseEPerA2', options.preDoseEPerA2 ?? 0);
  const cumulativeEPerA2: number[] = [];
  const midpointEPerA2: number[] = [];
  let acc = pre;
  for (let i = 0; i < frameDosesEPerA2.length; i++) {
    const d = nonNegative(fn, `frameDosesEPerA2[${i}]`, frameDosesEPerA2[i]);
    acc += d;
    cumulativeEPerA2.push(acc);
    midpointEPerA2.push(acc - d / 2);
  }
  return { cumulativeEPerA2, midpointEPerA2, totalEPerA2: acc };
}

/** Options of {@link probeDose}. */
export interface ProbeDoseOptions {
  /** Probe current (pA). */
  beamCurrentPA: number;
  /** Dwell time per scan position (s). */
  dwellTimeS: number;
  /** Scan step (Å); a square raster unless `stepYA` is given. */
  stepA: number;
  /** Step along the slow scan direction (Å). Default `stepA`. */
  stepYA?: number;
  /** Number of frames (passes) summed, e.g. EDX maps. Default 1. */
  nFrames?: number;
}

/** Result of {@link probeDose}. */
export interface ProbeDoseResult {
  /** Electrons per scan position per frame, N_e = I·t_dwell/e. */
  electronsPerPosition: number;
  /** Area-averaged dose of one frame, N_e/(s_x·s_y) (e⁻/Å²). */
  frameDoseEPerA2: number;
  /** Dose of all frames (e⁻/Å²). */
  totalDoseEPerA2: number;
}

/**
 * Area-averaged dose of a scanned probe (4D-STEM, STEM-EDX): `D = I·t_dwell/(e·s²)`, valid when the raster
 * tiles the area, i.e. the probe is smaller than the step or the step is smaller than the probe (science.md §1.2).
 * @throws ValueError for a non-positive or non-finite input.
 * @example lowdose.dose.probeDose({ beamCurrentPA: 1, dwellTimeS: 0.02, stepA: 100 }).frameDoseEPerA2 // 12.48
 */
export function probeDose(options: ProbeDoseOptions): ProbeDoseResult {
  const fn = 'probeDose';
  const current = positive(fn, 'options.beamCurrentPA', options.beamCurrentPA);
  const dwell = positive(fn, 'options.dwellTimeS', options.dwellTimeS);
  const sx = positive(fn, 'options.stepA', options.stepA);
  const sy = options.stepYA === undefined ? sx : positive(fn, 'options.stepYA', options.stepYA);
  const n = frameCount(fn, options.nFrames ?? 1);
  const electronsPerPosition = (current * 1e-12 * dwell) / ELEMENTARY_CHARGE_C;
  const frameDoseEPerA2 = electronsPerPosition / (sx * sy);
  return { electronsPerPosition, frameDoseEPerA2, totalDoseEPerA2: frameDoseEPerA2 * n };
}

function positive(fn: string, name: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new ValueError(`${fn}: ${name} must be a finite number > 0; got ${v}.`);
  }
  return v;
}

function nonNegative(fn: string, name: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new ValueError(`${fn}: ${name} must be a finite number ≥ 0; got ${v}.`);
  }
  return v;
}

function frameCount(fn: string, n: number | undefined): number {
  if (n === undefined || !Number.isInteger(n) || n < 1) {
    throw new ValueError(`${fn}: options.nFrames must be an integer ≥ 1 for this dose source; got ${n}.`);
  }
  return n;
}

function requireTime(fn: string, tf: number | undefined, sourceName: string): number {
  if (tf === undefined) {
    throw new ValueError(`${fn}: options.frameTimeS must be given with ${sourceName}; got undefined.`);
  }
  return tf;
}
