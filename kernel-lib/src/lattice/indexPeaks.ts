import { ValueError } from '../errors';
import { UnitCell, allowedPredicate } from '../crystal/unitCell';
import { zoneAxis as weissZoneAxis } from '../crystal/zoneAxis';
import { quadForm } from '../crystal/_internal/linalg3';
import { formatHkl, gcd } from '../crystal/_internal/fractions';
import { checkCell } from '../crystal/_internal/validate';

/** A peak to index: a 2D reciprocal vector of an FFT (1/Å, array frame), optionally with its refined d. */
export interface PeakToIndex {
  kxInvA: number;
  kyInvA: number;
  /** d-spacing, Å (default 1/|k|); used for the d match, the vector for angles. */
  dA?: number;
}

/** Options of {@link indexPeaks}. */
export interface IndexPeaksOptions {
  /** Largest relative d mismatch |d_obs/d_calc − 1| accepted (default 0.03: pixel sizes are known to 1–2 %). */
  dTolerance?: number;
  /** Largest mismatch between an observed and a predicted angle of two g vectors, degrees (default 3). */
  angleToleranceDeg?: number;
  /** Largest |h|, |k|, |l| (in base-cell units) searched (default: enough for the finest peak, at most 12). */
  maxIndex?: number;
  /**
   * Supercell multipliers tried, in order, for peaks the cell itself does not explain (default [2]):
   * 2 allows half-integer indices such as (½ 0 0) — a doubled cell. Add 3 for tripled cells, but note
   * that the denser a fractional grid, the more easily any d finds a spurious match. `[]` disables
   * supercell indexing.
   */
  supercellMultipliers?: number[];
}

/** One Miller-index assignment. */
export interface HklAssignment {
  /** Miller indices in the cell's setting; fractions (½, ⅓) for supercell reflections. */
  hkl: [number, number, number];
  /** `(1 0 0)`, `(1/2 0 0)`. */
  label: string;
  /** Calculated d, Å. */
  dCalcA: number;
  /** 100·(d_obs − d_calc)/d_calc, percent. */
  dErrorPercent: number;
  /** 1 for a reflection of the cell; m when only an m-fold supercell explains it (2 for ½00). */
  supercellMultiplier: number;
  /** True when a reflection condition of the cell forbids this (integer) reflection. */
  forbidden: boolean;
}

/** One indexed peak: the best assignment (or null) plus the evidence. */
export interface IndexedPeak {
  /** Position in the input list. */
  index: number;
  kxInvA: number;
  kyInvA: number;
  /** Observed d, Å. */
  dA: number;
  /** Observed |g| = 1/d, 1/Å. */
  gInvA: number;
  /** atan2(ky, kx), degrees, array frame. */
  angleDeg: number;
  /** Best indices, or null when nothing lies within the tolerance. */
  hkl: [number, number, number] | null;
  label: string | null;
  dCalcA: number | null;
  dErrorPercent: number | null;
  /** True when only a supercell of the cell explains the peak (e.g. the 9.4 Å spots of a 4.7 Å cell). */
  supercell: boolean;
  /** 1 for the cell itself, m for an m-fold supercell (2 for ½00). */
  supercellMultiplier: number;
  /** True when the assigned integer reflection is forbidden by the cell's reflection conditions. */
  forbidden: boolean;
  /** True when the assignment is consistent with the zone (or line) found from other peaks. */
  inZone: boolean;
  /** True when another reflection family (different d) fits the d equally well and no angle decides. */
  ambiguous: boolean;
  /** Other reflection families within the tolerance, best first (at most 5; supercell ones only for a supercell peak). */
  alternatives: HklAssignment[];
  /** The cell reflection (integer, allowed) nearest in d, whatever the tolerance — e.g. (1 0 0) at −4.2 % for a 4.5 Å spot of α-NNB. */
  nearest: HklAssignment | null;
}

/** Calibration-free evidence for one pair of peaks. `i` is the peak with the larger |g|, so gRatio ≥ 1. */
export interface PeakPair {
  i: number;
  j: number;
  /** |g_i| / |g_j| (≥ 1): needs no magnification calibration (2.000 for 4.7 Å vs 9.4 Å spots). */
  gRatio: number;
  /** The same ratio from the assigned indices, or null when either peak is unindexed. */
  predictedGRatio: number | null;
  /** Angle between the two g vectors, degrees in [0, 180]. */
  angleDeg: number;
  /** Angle between the assigned reflections' g vectors (from G*), or null. */
  predictedAngleDeg: number | null;
  /** angleDeg − predictedAngleDeg, or null. */
  angleErrorDeg: number | null;
}

/** Result of {@link indexPeaks}. */
export interface IndexPeaksResult {
  peaks: IndexedPeak[];
  /** Every unordered pair once. */
  pairs: PeakPair[];
  /** Zone axis [uvw] (smallest integers) consistent with two non-collinear peaks, or null. Sign: g_a × g_b ∥ +[uvw] for the basis pair taken counter-clockwise in (kx, ky). */
  zoneAxis: [number, number, number] | null;
  /** `[0 0 1]` or null. */
  zoneLabel: string | null;
  /** Mean d_obs/d_calc over indexed peaks: divide the pixel size by it to match the cell (null if none indexed). */
  dScale: number | null;
  cellName: string | null;
  warnings: string[];
}

interface Candidate extends HklAssignment {
  tier: number;
}

/**
 * Assigns Miller indices to FFT peaks of one crystal, with the evidence a reader needs: d errors,
 * angles between g vectors against the prediction of the cell's metric, a zone axis consistent with
 * two non-collinear peaks, calibration-free |g| ratios, and flags for reflections that only a
 * supercell explains (science.md §1.4, §1.16, Part 2).
 *
 * Method: each peak gets the candidates (hkl) whose d lies within `dTolerance`. Every pair of
 * non-collinear peaks (among the first eight) and every candidate pair whose predicted angle matches
 * the observed one within `angleToleranceDeg` defines a zone; the other peaks are then written as
 * k_p = α·k_a + β·k_b (magnification-free), so their indices are α·h_a + β·h_b, rounded to the cell
 * (or to 1/m for an m-fold supercell, flagged) when the rounded reflection lies within
 * max(dTolerance, 2·angleToleranceDeg in radians) of the estimate, relative to |g|, and its d within
 * dTolerance. The zone that explains most peaks (then the smallest
 * errors) wins. Peaks outside it, or all peaks when no zone is found, get the best d match (cell
 * reflections first, then forbidden ones, then supercell ones). Nothing is hard-coded: a spot at
 * 4.5 Å is indexed by what the cell predicts, not assumed to be {100}.
 * Zone-axis indexing of spot pairs by d ratio and angle: Williams & Carter, *Transmission Electron
 * Microscopy*, 2nd ed., Springer 2009, ch. 18, doi:10.1007/978-0-387-76501-3.
 *
 * @param peaks - `{kxInvA, kyInvA, dA?}` in 1/Å (e.g. from `findPeaks` or `spots`), strongest first.
 * @param cell - from `crystal.unitCell` or `crystal.cells`.
 * @returns {@link IndexPeaksResult}.
 * @throws ValueError for an empty or malformed peak list, a malformed cell, or invalid options.
 * @example
 * const r = lowdose.lattice.indexPeaks(lowdose.lattice.spots([
 *   { dA: 9.39, angleDeg: 0 }, { dA: 4.695, angleDeg: 0 }, { dA: 4.695, angleDeg: 90 }]),
 *   lowdose.crystal.cells.alphaNNB);
 * r.peaks[0].supercell; // true, supercellMultiplier 2, label (1/2 0 0)
 */
export function indexPeaks(peaks: ReadonlyArray<PeakToIndex>, cell: UnitCell, options: IndexPeaksOptions = {}): IndexPeaksResult {
  checkCell('indexPeaks', cell);
  const tol = options.dTolerance ?? 0.03;
  const angTol = options.angleToleranceDeg ?? 3;
  const multipliers = options.supercellMultipliers ?? [2];
  if (!(tol > 0 && tol < 0.5)) throw new ValueError(`indexPeaks: dTolerance must lie in (0, 0.5); got ${tol}.`);
  if (!(angTol > 0 && angTol < 45)) throw new ValueError(`indexPeaks: angleToleranceDeg must lie in (0, 45); got ${angTol}.`);
  if (!Array.isArray(multipliers) || !multipliers.every(m => Number.isInteger(m) && m >= 2 && m <= 12)) {
    throw new ValueError(`indexPeaks: supercellMultipliers must be integers in [2, 12]; got ${JSON.stringify(multipliers)}.`);
  }
  const obs = readPeaks(peaks);
  const gMaxObs = Math.max(...obs.map(p => p.g));
  const maxIndex = options.maxIndex ?? Math.min(12, Math.max(1, Math.ceil(gMaxObs * (1 + tol) * Math.max(cell.a, cell.b, cell.c))));
  if (!(Number.isInteger(maxIndex) && maxIndex >= 1)) throw new ValueError(`indexPeaks: maxIndex must be a positive integer; got ${maxIndex}.`);
  const Gs = cell.reciprocalMetricInvA2;
  const gOf = (h: ArrayLike<number>): number => Math.sqrt(quadForm(Gs, h, h));
  const allowed = allowedPredicate(cell);

  const makeCandidate = (hkl: [number, number, number], m: number, dObs: number): Candidate => {
    const dCalcA = 1 / gOf(hkl);
    const forbidden = m === 1 && !allowed(hkl);
    const tier = m === 1 ? (forbidden ? 1 : 0) : 1 + m;
    return { hkl, label: formatHkl(hkl), dCalcA, dErrorPercent: 100 * (dObs / dCalcA - 1), supercellMultiplier: m, forbidden, tier };
  };

  // d-only candidates per peak, ordered: tier, |error|, canonical preference.
  const cands: Candidate[][] = obs.map(() => []);
  const nearest: Array<Candidate | null> = obs.map(() => null);
  for (const m of [1, ...multipliers]) {
    const N = maxIndex * m;
    for (let H = N; H >= -N; H--) {
      for (let K = N; K >= -N; K--) {
        for (let L = N; L >= -N; L--) {
          if (H === 0 && K === 0 && L === 0) continue;
          if (m > 1 && gcd(gcd(gcd(H, K), L), m) !== 1) continue;
          const hkl: [number, number, number] = [H / m + 0, K / m + 0, L / m + 0];
          const g = gOf(hkl);
          for (let p = 0; p < obs.length; p++) {
            const err = Math.abs(obs[p].d * g - 1);
            if (err <= tol) cands[p].push(makeCandidate(hkl, m, obs[p].d));
            if (m === 1 && allowed(hkl)) {
              const n = nearest[p];
              if (!n || err < Math.abs(obs[p].d / n.dCalcA - 1) - 1e-12) nearest[p] = makeCandidate(hkl, 1, obs[p].d);
            }
          }
        }
      }
    }
  }
  for (const list of cands) list.sort(compareCandidates);

  const warnings: string[] = [];
  let best: { a: number; b: number; ha: Candidate; hb: Candidate; assigned: Array<Candidate | null>; count: number; score: number } | null = null;
  const basisPeaks = Math.min(obs.length, 8);
  for (let a = 0; a < basisPeaks; a++) {
    for (let b = a + 1; b < basisPeaks; b++) {
      const theta = angleBetween(obs[a], obs[b]);
      if (theta < 10 || theta > 170) continue;
      for (const ca of cands[a].slice(0, 48)) {
        for (const cb of cands[b].slice(0, 48)) {
          const phi = angleFromMetric(Gs, ca.hkl, cb.hkl);
          if (!(Math.abs(phi - theta) <= angTol)) continue;
          const assigned = obs.map((_, p) => assignFromBasis(p, a, b, ca.hkl, cb.hkl));
          const count = assigned.filter(x => x !== null).length;
          let score = ca.tier + cb.tier + ((phi - theta) / angTol) ** 2;
          for (const x of assigned) if (x) score += (x.dErrorPercent / (100 * tol)) ** 2 + x.tier;
          if (!best || count > best.count || (count === best.count && score < best.score - 1e-9)) {
            best = { a, b, ha: ca, hb: cb, assigned, count, score };
          }
        }
      }
    }
  }

  function assignFromBasis(p: number, a: number, b: number, ha: number[], hb: number[]): Candidate | null {
    const det = obs[a].kx * obs[b].ky - obs[a].ky * obs[b].kx;
    const alpha = (obs[p].kx * obs[b].ky - obs[p].ky * obs[b].kx) / det;
    const beta = (obs[a].kx * obs[p].ky - obs[a].ky * obs[p].kx) / det;
    const est = [0, 1, 2].map(i => alpha * ha[i] + beta * hb[i]);
    return roundToLattice(est, obs[p].d);
  }

  function roundToLattice(est: number[], dObs: number): Candidate | null {
    const gEst = gOf(est);
    if (!(gEst > 0)) return null;
    // The estimate inherits the angle errors of three measured vectors (the peak and the basis pair).
    const posTol = Math.max(tol, (2 * angTol * Math.PI) / 180);
    for (const m of [1, ...multipliers]) {
      const int = est.map(v => Math.round(v * m));
      if (int.every(v => v === 0)) continue;
      if (m > 1 && gcd(gcd(gcd(int[0], int[1]), int[2]), m) !== 1) continue;
      const hkl: [number, number, number] = [int[0] / m + 0, int[1] / m + 0, int[2] / m + 0];
      const diff = [hkl[0] - est[0], hkl[1] - est[1], hkl[2] - est[2]];
      if (gOf(diff) > posTol * gEst) continue;
      const c = makeCandidate(hkl, m, dObs);
      if (Math.abs(dObs / c.dCalcA - 1) <= tol) return c;
    }
    return null;
  }

  let chosen: Array<Candidate | null> = obs.map(() => null);
  const inZone = obs.map(() => false);
  let zone: [number, number, number] | null = null;
  if (best) {
    chosen = best.assigned.slice();
    best.assigned.forEach((x, p) => (inZone[p] = x !== null));
    const cross = obs[best.a].kx * obs[best.b].ky - obs[best.a].ky * obs[best.b].kx;
    zone = cross > 0 ? weissZoneAxis(best.ha.hkl, best.hb.hkl) : weissZoneAxis(best.hb.hkl, best.ha.hkl);
    const outside = obs.map((_, p) => p).filter(p => !inZone[p]);
    if (outside.length) warnings.push(`indexPeaks: peaks ${outside.join(', ')} do not fit zone ${formatHkl(zone, '[]')}; indexed by d alone.`);
  } else {
    // Collinear peaks: index along the line through the first peak the cell explains.
    const r = obs.findIndex((_, p) => cands[p].length > 0 && cands[p][0].tier === 0);
    if (r >= 0) {
      const href = cands[r][0].hkl;
      const line: number[] = [];
      for (let p = 0; p < obs.length; p++) {
        const theta = angleBetween(obs[r], obs[p]);
        if (theta > angTol && theta < 180 - angTol) continue;
        const sign = theta < 90 ? 1 : -1;
        const c = roundToLattice(href.map(v => (sign * obs[p].g * v) / obs[r].g), obs[p].d);
        if (c) {
          chosen[p] = c;
          line.push(p);
        }
      }
      // A line needs two members to be evidence; a lone peak stays a d-only assignment.
      if (line.length >= 2) line.forEach(p => (inZone[p] = true));
    }
    if (obs.length >= 2) warnings.push('indexPeaks: no two non-collinear peaks fit one zone within the tolerances; zone axis undetermined.');
  }
  for (let p = 0; p < obs.length; p++) if (!chosen[p] && cands[p].length) chosen[p] = cands[p][0];

  const out: IndexedPeak[] = obs.map((o, p) => {
    const c = chosen[p];
    const families: Candidate[] = [];
    for (const x of cands[p]) {
      if (x.supercellMultiplier > 1 && !(c && c.supercellMultiplier > 1)) continue;
      if (c && Math.abs(x.dCalcA / c.dCalcA - 1) < 1e-9) continue;
      if (families.some(f => Math.abs(f.dCalcA / x.dCalcA - 1) < 1e-9)) continue;
      families.push(x);
      if (families.length === 5) break;
    }
    const ambiguous = !!c && !inZone[p] && families.some(f => f.tier === c.tier);
    return {
      index: p,
      kxInvA: o.kx,
      kyInvA: o.ky,
      dA: o.d,
      gInvA: o.g,
      angleDeg: (Math.atan2(o.ky, o.kx) * 180) / Math.PI,
      hkl: c ? c.hkl : null,
      label: c ? c.label : null,
      dCalcA: c ? c.dCalcA : null,
      dErrorPercent: c ? c.dErrorPercent : null,
      supercell: !!c && c.supercellMultiplier > 1,
      supercellMultiplier: c ? c.supercellMultiplier : 1,
      forbidden: !!c && c.forbidden,
      inZone: inZone[p],
      ambiguous,
      alternatives: families.map(stripTier),
      nearest: nearest[p] ? stripTier(nearest[p] as Candidate) : null
    };
  });
  out.forEach(p => {
    if (!p.hkl) {
      const n = p.nearest ? `; nearest ${p.nearest.label} at ${p.nearest.dCalcA.toFixed(3)} Å (${p.nearest.dErrorPercent.toFixed(1)} %)` : '';
      warnings.push(`indexPeaks: peak ${p.index} (d = ${p.dA.toFixed(3)} Å) matches no reflection within ${(100 * tol).toFixed(1)} %${n}.`);
    }
    if (p.forbidden) warnings.push(`indexPeaks: peak ${p.index} is ${p.label}, forbidden in ${cell.spaceGroup ?? 'this cell'} (double diffraction or lower symmetry?).`);
  });

  const pairs: PeakPair[] = [];
  for (let x = 0; x < out.length; x++) {
    for (let y = x + 1; y < out.length; y++) {
      const [i, j] = out[x].gInvA >= out[y].gInvA ? [x, y] : [y, x];
      const pi = out[i];
      const pj = out[j];
      const angleDeg = angleBetween(obs[i], obs[j]);
      const predictedAngleDeg = pi.hkl && pj.hkl ? angleFromMetric(Gs, pi.hkl, pj.hkl) : null;
      pairs.push({
        i,
        j,
        gRatio: pi.gInvA / pj.gInvA,
        predictedGRatio: pi.dCalcA !== null && pj.dCalcA !== null ? pj.dCalcA / pi.dCalcA : null,
        angleDeg,
        predictedAngleDeg,
        angleErrorDeg: predictedAngleDeg === null ? null : angleDeg - predictedAngleDeg
      });
    }
  }
  const indexed = out.filter(p => p.dCalcA !== null);
  const dScale = indexed.length ? indexed.reduce((s, p) => s + p.dA / (p.dCalcA as number), 0) / indexed.length : null;
  return { peaks: out, pairs, zoneAxis: zone, zoneLabel: zone ? formatHkl(zone, '[]') : null, dScale, cellName: cell.name ?? null, warnings };
}

interface Observed {
  kx: number;
  ky: number;
  d: number;
  g: number;
}

function readPeaks(peaks: ReadonlyArray<PeakToIndex>): Observed[] {
  if (!Array.isArray(peaks) || peaks.length === 0) {
    throw new ValueError('indexPeaks: peaks must be a non-empty array of {kxInvA, kyInvA, dA?}; got ' + (Array.isArray(peaks) ? 'an empty array' : typeof peaks) + '.');
  }
  return peaks.map((p, i) => {
    const kx = p?.kxInvA;
    const ky = p?.kyInvA;
    if (typeof kx !== 'number' || typeof ky !== 'number' || !Number.isFinite(kx) || !Number.isFinite(ky) || (kx === 0 && ky === 0)) {
      throw new ValueError(`indexPeaks: peaks[${i}] must have finite kxInvA, kyInvA (1/Å), not both zero; got ${JSON.stringify(p)}.`);
    }
    const d = p.dA ?? 1 / Math.hypot(kx, ky);
    if (!(d > 0) || !Number.isFinite(d)) throw new ValueError(`indexPeaks: peaks[${i}].dA must be a positive d-spacing in Å; got ${p.dA}.`);
    return { kx, ky, d, g: 1 / d };
  });
}

function angleBetween(p: Observed, q: Observed): number {
  const c = (p.kx * q.kx + p.ky * q.ky) / (Math.hypot(p.kx, p.ky) * Math.hypot(q.kx, q.ky));
  return (Math.acos(Math.max(-1, Math.min(1, c))) * 180) / Math.PI;
}

function angleFromMetric(Gs: UnitCell['reciprocalMetricInvA2'], h1: ArrayLike<number>, h2: ArrayLike<number>): number {
  const c = quadForm(Gs, h1, h2) / Math.sqrt(quadForm(Gs, h1, h1) * quadForm(Gs, h2, h2));
  return (Math.acos(Math.max(-1, Math.min(1, c))) * 180) / Math.PI;
}

/** Tier (cell, forbidden, supercell ×m), then |d error|, then fewer minus signs, then enumeration order. */
function compareCandidates(x: Candidate, y: Candidate): number {
  const neg = (c: Candidate): number => c.hkl.filter(v => v < 0).length;
  const de = Math.abs(x.dErrorPercent) - Math.abs(y.dErrorPercent);
  return x.tier - y.tier || (Math.abs(de) > 1e-9 ? de : 0) || neg(x) - neg(y);
}

function stripTier(c: Candidate): HklAssignment {
  const { tier: _tier, ...rest } = c;
  void _tier;
  return rest;
}
