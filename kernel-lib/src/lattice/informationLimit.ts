/**
 * Objective information limit of a crystalline HRTEM image: the finest spot confirmed in
 * independent half sums (science.md §1.6).
 */
import { ShapeError, ValueError } from '../errors';
import { Dataset, NdArray, isDataset, isNdArray, makeDataset } from '../types/dataset';
import { PowerSpectrum, WindowName, isPowerSpectrum, powerSpectrum } from '../fft/powerSpectrum';
import { WINDOW_NAMES } from '../fft/_internal/apodize';
import { Grid, SpotStat, gridOf, nullModel, spotStat } from './_internal/spotStats';
import { FoundLattice, Vec, findLattices, latticePoints } from './_internal/latticeBasis';
import { RefineContext, angleOf, refineContext } from './refinePeak';
import { bandOf, findPeaks, searchThreshold } from './findPeaks';

/** Most lattice positions tested per lattice. */
const MAX_PREDICTED = 2000;

/** Options of {@link informationLimit}. */
export interface InformationLimitOptions {
  /**
   * Independent half sums `[evenSum, oddSum]` (2D, the shape of the image; e.g. even and odd frames of
   * the aligned movie). Strongly recommended: without them a spot is "confirmed" in one image only.
   */
  halves?: [Dataset | NdArray, Dataset | NdArray];
  /** S a spot needs in EACH half sum (default 3, science.md §1.6); in the single image without halves (default 5, Rose). */
  threshold?: number;
  /** Pixel size, Å, when the images carry no calibration. */
  pixelSizeA?: number;
  /**
   * Window of the spectra computed here (default: the given spectrum's, else 'periodic-smooth', whose
   * noise values are independent so S follows science.md's √n_W formula and the Gamma law).
   */
  window?: WindowName;
  /** Band searched, Å (defaults as lattice.findPeaks). */
  minDA?: number;
  maxDA?: number;
  /** Expected number of pure-noise seed spots over the band (default 0.01): sets the seed threshold. */
  seedFalseAlarms?: number;
  /** Most seed spots (default 100). */
  maxSeeds?: number;
  /** Test exactly these positions (1/Å) instead of seeds and lattice predictions (e.g. reflections of a known cell). */
  positions?: Array<{ kxInvA: number; kyInvA: number }>;
  /** SNR box (3 or 5 px, default 3) and background annulus (default [4, 12] px), as lattice.findPeaks. */
  boxPx?: 3 | 5;
  annulusPx?: [number, number];
}

/** A tested position that passed. */
export interface InformationSpot {
  kxInvA: number;
  kyInvA: number;
  dA: number;
  gInvA: number;
  angleDeg: number;
  /** S in the full image (spectrum given or computed). */
  snr: number;
  /** S in the even and the odd half sum (null without halves). */
  snrHalves: [number, number] | null;
  /**
   * 'seed' (found by search, family-wise significant; position by parabolic refinement), 'lattice'
   * (at the position predicted by the lattice fitted to the seeds) or 'given' (at the given position).
   */
  origin: 'seed' | 'lattice' | 'given';
  /** Indices (h, k) in the found lattice's basis, or null. */
  hk: [number, number] | null;
}

/** Result of {@link informationLimit}. */
export interface InformationLimitResult {
  /** d of the finest confirmed spot, Å (null when none is confirmed). */
  resolutionA: number | null;
  /** Confirmed spots, finest first (one per Friedel pair). */
  spots: InformationSpot[];
  /** Positions tested (seeds, lattice predictions or given positions). */
  testedPositions: number;
  /** The per-half (or single-image) S threshold used. */
  threshold: number;
  /** S a seed needed in the Hann spectrum of the full image (family-wise threshold for that window). */
  seedThreshold: number;
  /** Probability that pure noise passes at one tested position: P(S ≥ t)² with halves, P(S ≥ t) without (null model of S). */
  falseSpotRatePerPosition: number;
  /** testedPositions × falseSpotRatePerPosition (+ seedFalseAlarms for the seed search). */
  expectedFalseSpots: number;
  /** Lattices found from the seeds (basis vectors in 1/Å; b null for 1D fringes). */
  lattices: Array<{ aInvA: { kxInvA: number; kyInvA: number }; bInvA: { kxInvA: number; kyInvA: number } | null; seeds: number }>;
  warnings: string[];
}

/**
 * Information limit by the spot-SNR criterion (science.md §1.6): resolutionA = 1/|g| of the finest
 * spot with S ≥ threshold (default 3) in BOTH independent half sums, S = (Σ_W|F|² − n_W·P̂)/(P̂·√V_W)
 * as in lattice.findPeaks. A Friedel mate is never counted as confirmation (|F(−g)| = |F(g)|).
 *
 * Which positions are tested matters as much as the threshold: testing every pixel at S ≥ 3 would
 * confirm ~P(S≥3)² ≈ 8·10⁻⁵ of them (tens per 1024² spectrum), and the finest would set a false limit.
 * So (1) seeds are searched in a Hann spectrum of the full image at a family-wise threshold (pure noise
 * yields on average `seedFalseAlarms` = 0.01 seeds over the whole band), located by the log-power
 * parabola (±0.02 px), and must also pass in both halves; (2) the
 * lattice(s) the seeds define predict every other reflection h·a + k·b in the band, and only those
 * positions are tested (at the predicted pixel: no search, so the per-position false rate is exact).
 * Per tested position, pure noise passes with probability P(S ≥ 3)² = (9.2·10⁻³)² ≈ 8.5·10⁻⁵ (window
 * 'periodic-smooth' or 'none', 3×3 box, 4–12 px annulus; Gamma(9, 1) box sum widened by the annulus
 * uncertainty; science.md's (0.007)² ≈ 5·10⁻⁵ for an exactly known noise floor), (2.0·10⁻²)² ≈ 4·10⁻⁴
 * under Hann; `falseSpotRatePerPosition` reports the value used. With `positions`, exactly those are tested.
 *
 * @param psOrImage - the full sum: a 2D image or its PowerSpectrum (the halves' spectra use its window).
 * @param options - `halves: [evenSum, oddSum]`, `threshold`, band, see {@link InformationLimitOptions}.
 * @returns {@link InformationLimitResult}: `resolutionA` (Å), confirmed `spots` (finest first) with S per half,
 *   tested positions, false-spot rate per position, lattices, warnings.
 * @throws ShapeError when the halves do not match the image; ValueError for bad options;
 *   CalibrationError without a pixel size.
 * @example
 * const even = sumFrames(movie, 0, 2), odd = sumFrames(movie, 1, 2);
 * const lim = lowdose.lattice.informationLimit(lowdose.fft.powerSpectrum(full), { halves: [even, odd] });
 * lim.resolutionA; // 2.35
 */
export function informationLimit(psOrImage: PowerSpectrum | Dataset | NdArray, options: InformationLimitOptions = {}): InformationLimitResult {
  const fn = 'informationLimit';
  const window = options.window ?? (isPowerSpectrum(psOrImage) ? psOrImage.metadata.window : 'periodic-smooth');
  if (!WINDOW_NAMES.includes(window)) throw new ValueError(`${fn}: window must be one of ${WINDOW_NAMES.join(', ')}; got ${JSON.stringify(window)}.`);
  const common = { pixelSizeA: options.pixelSizeA, window, boxPx: options.boxPx, annulusPx: options.annulusPx };
  const full = refineContext(psOrImage, common, fn);
  const g = full.grid;
  const halves = options.halves === undefined ? null : halfGrids(options.halves, full, window, fn);
  const t = options.threshold ?? (halves ? 3 : 5);
  if (typeof t !== 'number' || !Number.isFinite(t)) throw new ValueError(`${fn}: threshold must be a finite number; got ${JSON.stringify(t)}.`);
  const band = bandOf(full, options, fn);
  const warnings: string[] = [];
  if (!halves) warnings.push('No half sums given: spots are confirmed in one image only (threshold 5). Pass { halves: [evenSum, oddSum] } for the independent confirmation of science.md §1.6.');
  const nm = nullModel(halves ? halves[0].grid.window : g.window, full.snr.half, full.offsets.length / 2);
  const rate = halves ? nm.tail(t) ** 2 : nm.tail(t);
  const seedFalseAlarms = options.seedFalseAlarms ?? 0.01;
  if (!(seedFalseAlarms > 0)) throw new ValueError(`${fn}: seedFalseAlarms must be > 0; got ${seedFalseAlarms}.`);
  // Seeds are searched in a Hann spectrum of the full image: its compact spots make the cheap
  // parabolic positions good to ~0.02 px, enough to find the lattice (the least-squares basis averages
  // them); the upsampled DFT would cost a pass over the image per seed and stage.
  const src = full.ps.metadata.source as Dataset | undefined;
  const seedCtx = g.window === 'hann' || !src ? full : refineContext(spectrumOf(src.data, g, 'hann'), common, fn);
  const seedThreshold = searchThreshold(seedCtx, band, seedFalseAlarms);

  const stats = (r: number, c: number): { s: SpotStat; h: [number, number] | null } => ({
    s: spotStat(g, r, c, full.snr, full.offsets),
    h: halves ? [spotStat(halves[0].grid, r, c, full.snr, full.offsets).snr, spotStat(halves[1].grid, r, c, full.snr, full.offsets).snr] : null
  });
  const passes = (x: { s: SpotStat; h: [number, number] | null }, single: number): boolean => (x.h ? x.h[0] >= t && x.h[1] >= t : x.s.snr >= single);
  const spots: InformationSpot[] = [];
  const lattices: InformationLimitResult['lattices'] = [];
  let tested = 0;
  const pixelOf = (kx: number, ky: number): [number, number] => [Math.round(ky / g.sy) + g.r0, Math.round(kx / g.sx) + g.c0];

  if (options.positions) {
    if (!Array.isArray(options.positions)) throw new ValueError(`${fn}: positions must be an array of {kxInvA, kyInvA}; got ${typeof options.positions}.`);
    options.positions.forEach((p, i) => {
      if (!p || !Number.isFinite(p.kxInvA) || !Number.isFinite(p.kyInvA)) {
        throw new ValueError(`${fn}: positions[${i}] must be {kxInvA, kyInvA} with finite numbers; got ${JSON.stringify(p)}.`);
      }
      const [r, c] = pixelOf(p.kxInvA, p.kyInvA);
      if (r < 0 || c < 0 || r >= g.rows || c >= g.cols || (r === g.r0 && c === g.c0)) return;
      tested++;
      const x = stats(r, c);
      if (passes(x, t)) spots.push(spotAt(g, [p.kxInvA / g.sx, p.kyInvA / g.sy], x, 'given', null));
    });
  } else {
    const seeds = findPeaks(seedCtx.ps, { ...common, minDA: options.minDA, maxDA: options.maxDA, minSnr: seedThreshold, maxPeaks: options.maxSeeds ?? 100, refine: 'parabolic' });
    const confirmed: Array<{ v: Vec; spot: InformationSpot }> = [];
    for (const p of seeds) {
      tested++;
      const [r, c] = pixelOf(p.kxInvA, p.kyInvA);
      const x = stats(r, c);
      if (!passes(x, t)) continue;
      const spot: InformationSpot = { ...pick(p), snr: x.s.snr, snrHalves: x.h, origin: 'seed', hk: null };
      confirmed.push({ v: [p.kxInvA / g.sx, p.kyInvA / g.sy], spot });
      spots.push(spot);
    }
    const found = findLattices(confirmed.map(s => s.v), l => 0.35 + 0.005 * l);
    const blocked: Vec[] = seeds.map(p => [p.kxInvA / g.sx, p.kyInvA / g.sy] as Vec);
    const maxLenPx = band.kMax / Math.min(g.sx, g.sy);
    for (const lat of found) {
      lattices.push(latticeSummary(lat, g));
      for (const m of lat.members) confirmed[m].spot.hk = hkOf(confirmed[m].v, lat);
      const near = (v: Vec): boolean => blocked.some(b => Math.hypot(b[0] - v[0], b[1] - v[1]) < 1.5);
      const points = latticePoints(lat, maxLenPx);
      if (points.length > MAX_PREDICTED) {
        warnings.push(`A lattice predicts ${points.length} positions in the band; only the ${MAX_PREDICTED} nearest the centre are tested.`);
        points.sort((p, q) => Math.hypot(...p.g) - Math.hypot(...q.g));
        points.length = MAX_PREDICTED;
      }
      for (const { g: v, hk } of points) {
        const k = Math.hypot(v[0] * g.sx, v[1] * g.sy);
        if (k < band.kMin || k > band.kMax || near(v)) continue;
        const [r, c] = [Math.round(v[1]) + g.r0, Math.round(v[0]) + g.c0];
        if (Math.hypot(r - g.r0, c - g.c0) < 3) continue;
        tested++;
        const x = stats(r, c);
        blocked.push(v); // a position predicted by two lattices is tested once
        if (passes(x, t)) spots.push(spotAt(g, v, x, 'lattice', hk));
      }
    }
    if (seeds.length === 0) warnings.push(`No spot reached the seed threshold S ≥ ${seedThreshold.toFixed(2)} in the full image: no lattice to test.`);
  }
  spots.sort((a, b) => a.dA - b.dA);
  return {
    resolutionA: spots.length ? spots[0].dA : null,
    spots,
    testedPositions: tested,
    threshold: t,
    seedThreshold,
    falseSpotRatePerPosition: rate,
    expectedFalseSpots: tested * rate + (options.positions ? 0 : seedFalseAlarms),
    lattices,
    warnings
  };
}

/** Spectra of the half sums on the full image's grid. */
function halfGrids(h: unknown, full: RefineContext, window: WindowName, fn: string): [{ grid: Grid }, { grid: Grid }] {
  if (!Array.isArray(h) || h.length !== 2) throw new ValueError(`${fn}: halves must be [evenSum, oddSum]; got ${Array.isArray(h) ? `${h.length} items` : typeof h}.`);
  const { rows, cols } = full.grid;
  return h.map((x, i) => {
    const ds = isDataset(x) ? x : isNdArray(x) ? makeDataset(x) : null;
    if (!ds) throw new ValueError(`${fn}: halves[${i}] must be a 2D Dataset or ndarray; got ${typeof x}.`);
    if (ds.data.shape.length !== 2 || ds.data.shape[0] !== rows || ds.data.shape[1] !== cols) {
      throw new ShapeError(`${fn}: halves[${i}] must have the image's shape [${rows}, ${cols}]; got [${ds.data.shape.join(', ')}].`);
    }
    return { grid: gridOf(spectrumOf(ds.data, full.grid, window)) };
  }) as [{ grid: Grid }, { grid: Grid }];
}

/** The spectrum of an image on the calibration of grid g (pixel sizes from its axis steps). */
function spectrumOf(data: NdArray, g: Grid, window: WindowName): PowerSpectrum {
  const py = 1 / (g.rows * g.sy);
  const px = 1 / (g.cols * g.sx);
  return powerSpectrum(makeDataset(data, { axes: [{ name: 'y', scale: py, units: 'A' }, { name: 'x', scale: px, units: 'A' }] }), { window });
}

function pick(p: { kxInvA: number; kyInvA: number; dA: number; gInvA: number; angleDeg: number }): Pick<InformationSpot, 'kxInvA' | 'kyInvA' | 'dA' | 'gInvA' | 'angleDeg'> {
  return { kxInvA: p.kxInvA, kyInvA: p.kyInvA, dA: p.dA, gInvA: p.gInvA, angleDeg: p.angleDeg };
}

/**
 * A confirmed position, reported where it was tested: the lattice-predicted position (from the basis
 * fitted to the refined seeds) or the given one — no search, no refinement.
 */
function spotAt(g: Grid, v: Vec, x: { s: SpotStat; h: [number, number] | null }, origin: InformationSpot['origin'], hk: [number, number] | null): InformationSpot {
  const kx = v[0] * g.sx;
  const ky = v[1] * g.sy;
  const gg = Math.hypot(kx, ky);
  return { kxInvA: kx, kyInvA: ky, dA: 1 / gg, gInvA: gg, angleDeg: angleOf(kx, ky), snr: x.s.snr, snrHalves: x.h, origin, hk };
}

function hkOf(v: Vec, lat: FoundLattice): [number, number] | null {
  if (!lat.b) return [Math.round((v[0] * lat.a[0] + v[1] * lat.a[1]) / (lat.a[0] ** 2 + lat.a[1] ** 2)), 0];
  const det = lat.a[0] * lat.b[1] - lat.a[1] * lat.b[0];
  return [Math.round((v[0] * lat.b[1] - v[1] * lat.b[0]) / det), Math.round((lat.a[0] * v[1] - lat.a[1] * v[0]) / det)];
}

function latticeSummary(lat: FoundLattice, g: Grid): InformationLimitResult['lattices'][number] {
  const inv = (v: Vec): { kxInvA: number; kyInvA: number } => ({ kxInvA: v[0] * g.sx, kyInvA: v[1] * g.sy });
  return { aInvA: inv(lat.a), bInvA: lat.b ? inv(lat.b) : null, seeds: lat.members.length };
}
