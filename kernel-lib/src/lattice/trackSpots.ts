/**
 * Frame-by-frame tracking of FFT spots through a movie: d-spacings, background-subtracted spot
 * intensities and the 2D strain tensor relative to the first frame (science.md §1.5, §1.9–1.10,
 * Part 2 step 8 — the NNB lattice expansion with dose).
 */
import ndarray from 'ndarray';
import { CalibrationError, ShapeError, ValueError } from '../errors';
import { powerSpectrum } from '../fft/powerSpectrum';
import type { LazySource } from '../io/types';
import { checkAbort, frameSource, yieldToEventLoop } from '../motion/_internal/frameSource';
import { ProgressOption, reporter } from '../motion/_internal/progress';
import { ShiftSum } from '../motion/_internal/shiftSum';
import { Dataset, NdArray, makeDataset } from '../types/dataset';
import { findPeaks } from './findPeaks';
import { Peak, makePeak, refineContext, refinePeak } from './refinePeak';
import { spotStat } from './_internal/spotStats';
import { Spot, SpotInput, spots as validateSpots } from './spots';
import { GVector, StrainTensorResult, strainTensor } from './strainTensor';

/** Options of {@link trackSpots}: give `dA` or `spots`. */
export interface TrackSpotsOptions {
  /**
   * d-spacings to track, Å: for each, the strongest spot within ±dTolerance on the first measurement
   * (one per Friedel pair). With a single d, a second spot of that family at ≥ minAngleDeg from the
   * first is added, so the 2D strain is measured (e.g. (100) and (010) for dA: 4.7).
   */
  dA?: number | number[];
  /** Spots to track (`lattice.spots([...])` or the FFT picker's literal); starting positions, 1/Å. */
  spots?: ReadonlyArray<SpotInput>;
  /** Pixel size, Å (default: the stack's axes or `metadata.pixelSizeA`). */
  pixelSizeA?: number;
  /** Drift `[dy, dx]` per frame (px, design.md sign, e.g. alignFrames' shiftsPx): frames are moved back before grouping and windowing. */
  shiftsPx?: ReadonlyArray<readonly [number, number]>;
  /** Frames summed per measurement (default 1: every frame on its own). */
  groupFrames?: number;
  /** Relative d tolerance of the `dA` search (default 0.06). */
  dTolerance?: number;
  /** Smallest angle between the two spots of the strain tensor, degrees (default 20). */
  minAngleDeg?: number;
  /** Each spot is searched within this many spectrum pixels of its previous position (default 3). */
  searchRadiusPx?: number;
  /**
   * A spot whose box SNR at its last position falls below this is measured in that fixed box
   * instead of being searched for, and after two such measurements in a row it is held there for
   * good (default 3). Searching a faded spot would lock onto the strongest noise nearby and
   * bias the intensity up — the fading curve, and so the critical dose, needs the fixed box.
   */
  holdBelowSnr?: number;
  /** Upsampled-DFT precision 1/upsampleFactor px of the spot refinement (default 200). */
  upsampleFactor?: number;
  /** Window of the spectra (default 'hann'; see fft.powerSpectrum). */
  window?: 'hann' | 'periodic-smooth' | 'none';
  progress?: ProgressOption;
  signal?: AbortSignal;
}

/** Result of {@link trackSpots}: one row per measurement (frame or group), one column per spot. */
export interface TrackSpotsResult {
  /** The spots tracked (positions on the first measurement). */
  spots: Spot[];
  /** Frames of each measurement. */
  frames: number[][];
  /** Dose of each measurement, e⁻/Å² (mean of its frames' midpoint doses), when the stack's metadata has `midpointDoseEPerA2`. */
  doseEPerA2?: number[];
  /** d-spacing, Å (measurement × spot). */
  dA: number[][];
  /** |g|, 1/Å (measurement × spot). */
  gInvA: number[][];
  /** Refined g vectors, 1/Å (measurement × spot). */
  g: GVector[][];
  /** Background-subtracted integrated spot power Σ_W|F|² − n_W·P̂ (measurement × spot; power units of the spectrum). */
  intensity: number[][];
  /** Spot SNR (science.md §1.6) (measurement × spot). */
  snr: number[][];
  /** True where the spot was held at its last confident position (measurement × spot; see `holdBelowSnr`). */
  held: boolean[][];
  /** Strain relative to the first measurement from spots `strainSpots` (strainTensor: e1 ≥ e2, direction of e1, rotation); NaN where a strain spot was held. */
  strain: Array<Pick<StrainTensorResult, 'e1' | 'e2' | 'angleDeg' | 'exx' | 'eyy' | 'exy' | 'rotationDeg' | 'dilatation'>>;
  /** Indices of the two non-collinear spots used for the strain (null when there are none). */
  strainSpots: [number, number] | null;
  warnings: string[];
}

type Frames = Array<{ index: number; data: Float32Array }>;

/**
 * Tracks FFT spots through a movie or dose series. Frames (moved back by `shiftsPx` when given, by
 * the Fourier shift theorem) are summed in groups of `groupFrames`; each measurement's windowed
 * spectrum is searched near the previous position of every spot and refined by an upsampled DFT of
 * the image (lattice.refinePeak: Guizar-Sicairos et al. 2008, doi:10.1364/OL.33.000156), giving
 * g (1/Å), d = 1/|g|, the background-subtracted spot power and its SNR. The 2D strain of every
 * measurement relative to the first comes from two non-collinear spots (lattice.strainTensor: exact
 * F = G^(−T)·G₀ᵀ, science.md §1.10), so a unidirectional expansion shows as e1 > 0, e2 ≈ 0.
 *
 * @param stack - movie `[frame, row, col]` (ndarray, Dataset or LazySource).
 * @param options - `dA` or `spots`, `pixelSizeA`, `shiftsPx`, `groupFrames`, search settings.
 * @returns per measurement: dA, gInvA, g, intensity, snr, strain; see {@link TrackSpotsResult}.
 * @throws ShapeError for a non-3D stack or a shiftsPx of the wrong length; ValueError when neither
 *   dA nor spots is given or a spot is not found; CalibrationError without a pixel size.
 * @example
 * const s = lowdose.simulate.doseSeries({ seed: 1 });
 * const t = await lowdose.lattice.trackSpots(s, { dA: 4.7 });
 * t.strain[29].e1; // ≈ 0.074 (7.5 % per 21.5 e⁻/Å², relative to frame 0)
 */
export async function trackSpots(stack: Dataset | NdArray | LazySource, options: TrackSpotsOptions): Promise<TrackSpotsResult> {
  const fn = 'trackSpots';
  const o = options ?? ({} as TrackSpotsOptions);
  const src = frameSource(stack, fn);
  const { frameCount: N, rows, cols } = src;
  const p = o.pixelSizeA ?? src.pixelSizeA;
  if (!(typeof p === 'number' && p > 0 && Number.isFinite(p))) {
    throw new CalibrationError(`${fn}: pixelSizeA must be a positive pixel size in Å; got ${String(p)}. Pass options.pixelSizeA or a Dataset with Å axes.`);
  }
  const G = o.groupFrames ?? 1;
  if (!(Number.isInteger(G) && G >= 1)) throw new ValueError(`${fn}: options.groupFrames must be a positive integer; got ${String(G)}.`);
  if (o.shiftsPx !== undefined && (!Array.isArray(o.shiftsPx) || o.shiftsPx.length !== N)) {
    throw new ShapeError(`${fn}: options.shiftsPx must hold one [dy, dx] per frame (${N}); got ${Array.isArray(o.shiftsPx) ? o.shiftsPx.length : typeof o.shiftsPx}.`);
  }
  const tol = o.dTolerance ?? 0.06;
  const minAngle = o.minAngleDeg ?? 20;
  const radius = o.searchRadiusPx ?? 3;
  const up = o.upsampleFactor ?? 200;
  const window = o.window ?? 'hann';
  const holdSnr = o.holdBelowSnr ?? 3;
  if (typeof holdSnr !== 'number' || Number.isNaN(holdSnr)) throw new ValueError(`${fn}: options.holdBelowSnr must be a number (-Infinity never holds); got ${String(holdSnr)}.`);
  if (o.dA === undefined && o.spots === undefined) throw new ValueError(`${fn}: options.dA or options.spots must be given; got neither. Pass e.g. { dA: 4.7 } or lowdose.lattice.spots([...]).`);
  const warnings: string[] = [];
  const progress = reporter(fn, o.progress);

  // Measurement images: groups of frames, moved back by −shiftsPx (Fourier shift), summed.
  const groups: number[][] = [];
  for (let s = 0; s < N; s += G) groups.push(Array.from({ length: Math.min(G, N - s) }, (_, i) => s + i));
  const image = (frames: Frames): Dataset => {
    let data: Float32Array;
    if (o.shiftsPx) {
      const acc = new ShiftSum(rows, cols);
      for (const f of frames) {
        acc.addFrame(f.data, [o.shiftsPx[f.index][0], o.shiftsPx[f.index][1]], 0, fn);
      }
      data = acc.images().sum;
    } else {
      data = new Float32Array(rows * cols);
      for (const f of frames) for (let k = 0; k < data.length; k++) data[k] += f.data[k];
    }
    return makeDataset(ndarray(data, [rows, cols]), { axes: [{ name: 'y', scale: p, units: 'A' }, { name: 'x', scale: p, units: 'A' }] });
  };

  const peaks: Peak[][] = [];
  const heldRows: boolean[][] = [];
  let start: Array<{ kxInvA: number; kyInvA: number }> | undefined;
  let anchors: Array<{ row: number; col: number } | null> = [];
  let weakRuns: number[] = [];
  let held: boolean[] = [];
  let tracked: Spot[] = [];
  let g = 0;
  let pending: Frames = [];
  for await (const f of src.frames(Math.max(4, G))) {
    pending.push(f);
    if (pending.length < groups[g].length) continue;
    const ps = powerSpectrum(image(pending), { pixelSizeA: p, window });
    pending = [];
    if (!start) {
      tracked = o.spots !== undefined ? validateSpots(o.spots) : detect(ps, o.dA as number | number[], tol, minAngle, fn, warnings);
      start = tracked.map(s => ({ kxInvA: s.kxInvA, kyInvA: s.kyInvA }));
      anchors = tracked.map(() => null);
      weakRuns = tracked.map(() => 0);
      held = tracked.map(() => false);
    }
    const ctx = refineContext(ps, { upsampleFactor: up }, fn);
    const fixedBox = (a: { row: number; col: number }): Peak => makePeak(ctx.grid, a.row - ctx.grid.r0, a.col - ctx.grid.c0, spotStat(ctx.grid, a.row, a.col, ctx.snr, ctx.offsets), 'none');
    const heldNow = tracked.map(() => false);
    const row = start.map((s, i) => {
      // A spot's first anchor is its given (or detected) start: a pick stays put even if it never rises above the threshold.
      anchors[i] ??= { row: Math.round(s.kyInvA / ctx.grid.sy + ctx.grid.r0), col: Math.round(s.kxInvA / ctx.grid.sx + ctx.grid.c0) };
      const a = anchors[i];
      if (held[i] && a) {
        heldNow[i] = true;
        return fixedBox(a);
      }
      // Follow the spot only while the box at its anchor is above the threshold: that statistic is
      // unbiased, whereas the searched maximum of pure noise often exceeds it.
      if (!a || spotStat(ctx.grid, a.row, a.col, ctx.snr, ctx.offsets).snr >= holdSnr) {
        const q = refinePeak(ps, s, { searchRadiusPx: radius, upsampleFactor: up });
        anchors[i] = { row: Math.round(q.positionPx.row), col: Math.round(q.positionPx.col) };
        weakRuns[i] = 0;
        return q;
      }
      if (++weakRuns[i] >= 2) held[i] = true;
      heldNow[i] = true;
      return fixedBox(a);
    });
    peaks.push(row);
    heldRows.push(heldNow);
    start = row.map(q => ({ kxInvA: q.kxInvA, kyInvA: q.kyInvA }));
    g++;
    progress.report('tracking', g, groups.length);
    await yieldToEventLoop();
    checkAbort(o.signal, fn);
  }
  progress.finish(`${tracked.length} spots tracked over ${groups.length} measurements.`);

  const pair = strainPair(peaks[0], minAngle);
  if (!pair) warnings.push(`No two tracked spots are ≥ ${minAngle}° apart (and not Friedel mates): the 2D strain needs two non-collinear spots; strain is empty.`);
  const gv = (q: Peak): GVector => ({ kxInvA: q.kxInvA, kyInvA: q.kyInvA });
  // A held spot has no measured position: its measurement's strain is unknown.
  const heldStrain = { e1: NaN, e2: NaN, angleDeg: NaN, exx: NaN, eyy: NaN, exy: NaN, rotationDeg: NaN, dilatation: NaN };
  if (pair && heldRows.some(r => r[pair[0]] || r[pair[1]])) warnings.push('Some measurements of the strain spots were below holdBelowSnr and held at a fixed box: their strain is NaN; raise groupFrames.');
  const strain = pair
    ? peaks.map((row, m) => {
        if (heldRows[m][pair[0]] || heldRows[m][pair[1]]) return heldStrain;
        const s = strainTensor(gv(row[pair[0]]), gv(row[pair[1]]), gv(peaks[0][pair[0]]), gv(peaks[0][pair[1]]));
        return { e1: s.e1, e2: s.e2, angleDeg: s.angleDeg, exx: s.exx, eyy: s.eyy, exy: s.exy, rotationDeg: s.rotationDeg, dilatation: s.dilatation };
      })
    : [];
  const lowSnr = peaks.flat().filter(q => !(q.snr >= 3)).length;
  if (lowSnr > 0) warnings.push(`${lowSnr} spot measurement(s) have SNR < 3: their positions are unreliable; raise groupFrames.`);
  const mid = src.metadata.midpointDoseEPerA2;
  const doseEPerA2 = Array.isArray(mid) && mid.length === N ? groups.map(fr => fr.reduce((a, i) => a + (mid[i] as number), 0) / fr.length) : undefined;
  return {
    spots: tracked,
    frames: groups,
    ...(doseEPerA2 ? { doseEPerA2 } : {}),
    dA: peaks.map(r => r.map(q => q.dA)),
    gInvA: peaks.map(r => r.map(q => q.gInvA)),
    g: peaks.map(r => r.map(gv)),
    intensity: peaks.map(r => r.map(q => q.intensity)),
    snr: peaks.map(r => r.map(q => q.snr)),
    held: heldRows,
    strain,
    strainSpots: pair,
    warnings
  };
}

/** Strongest spot per d (and, for one d, a second non-collinear one) on the first measurement. */
function detect(ps: ReturnType<typeof powerSpectrum>, dA: number | number[], tol: number, minAngle: number, fn: string, warnings: string[]): Spot[] {
  const ds = Array.isArray(dA) ? dA : [dA];
  if (ds.length === 0 || !ds.every(d => typeof d === 'number' && d > 0 && Number.isFinite(d))) {
    throw new ValueError(`${fn}: options.dA must be a positive d-spacing in Å or a non-empty list of them; got ${JSON.stringify(dA)}.`);
  }
  const out: Peak[] = [];
  for (const d of ds) {
    const found = findPeaks(ps, { minDA: d * (1 - tol), maxDA: d * (1 + tol), maxPeaks: 6 });
    if (found.length === 0) {
      throw new ValueError(`${fn}: no spot with d = ${d} Å ± ${(tol * 100).toFixed(0)} % above findPeaks' detection threshold on the first measurement; check dA and pixelSizeA, or raise groupFrames.`);
    }
    out.push(found[0]);
    if (ds.length === 1) {
      const second = found.slice(1).find(q => nonCollinear(found[0], q, minAngle));
      if (second) out.push(second);
      else warnings.push(`Only one spot family direction found at d = ${d} Å: the 2D strain needs a second, non-collinear spot (give two dA or spots).`);
    }
  }
  return validateSpots(out.map(q => ({ kxInvA: q.kxInvA, kyInvA: q.kyInvA, label: `${q.dA.toFixed(3)} Å` })));
}

/** |sin| of the angle between two g vectors ≥ sin(minAngle) (so neither collinear nor Friedel mates). */
function nonCollinear(a: { kxInvA: number; kyInvA: number }, b: { kxInvA: number; kyInvA: number }, minAngle: number): boolean {
  const s = Math.abs(a.kxInvA * b.kyInvA - a.kyInvA * b.kxInvA) / (Math.hypot(a.kxInvA, a.kyInvA) * Math.hypot(b.kxInvA, b.kyInvA));
  return s >= Math.sin((minAngle * Math.PI) / 180);
}

/** The first pair of spots (in order) that are non-collinear. */
function strainPair(row: Peak[], minAngle: number): [number, number] | null {
  for (let i = 0; i < row.length; i++) for (let j = i + 1; j < row.length; j++) if (nonCollinear(row[i], row[j], minAngle)) return [i, j];
  return null;
}
