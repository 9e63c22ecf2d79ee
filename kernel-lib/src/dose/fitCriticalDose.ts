import { ConvergenceError, ValueError } from '../errors';
import { brent } from './_internal/brent';
import { invertSymmetric, normalMatrix } from './_internal/linalg';
import { studentTQuantile } from './_internal/studentT';

/** Options of {@link fitCriticalDose}. */
export interface FitCriticalDoseOptions {
  /**
   * 1σ uncertainty of each intensity (intensity units); weights are 1/σ². When given, `weighting` is ignored.
   * Relative unless `absoluteSigma` is true.
   */
  sigmas?: ArrayLike<number>;
  /**
   * Weights when `sigmas` is absent. `'poisson'` (default): variance ∝ the *model* intensity, iterated to
   * convergence (iteratively reweighted least squares = Poisson quasi-likelihood); weighting by the observed
   * intensity (Neyman's χ²) would bias Dc low, because low points would get high weight. The variance is floored
   * at `varianceFloorFraction` × the largest model value so points near zero do not dominate.
   * `'uniform'`: ordinary least squares — better than `'poisson'` when a background-subtracted intensity's noise is
   * dominated by the subtracted background (then pass `sigmas` if they are known).
   */
  weighting?: 'poisson' | 'uniform';
  /** Floor of the Poisson-like variance as a fraction of the largest model intensity. Default 0.01. */
  varianceFloorFraction?: number;
  /**
   * True when `sigmas` (or, for `'poisson'`, the intensities themselves as counts) are absolute: the covariance
   * is then (JᵀWJ)⁻¹ and the interval uses χ²₁. Default false: scaled by the reduced χ² and the interval uses
   * Student's t with n − p degrees of freedom (as scipy's `curve_fit` does by default).
   */
  absoluteSigma?: boolean;
  /** Fix the background B at this value (e.g. 0 after local-annulus background subtraction, science.md §1.9). Default: B is fitted. */
  fixedBackground?: number;
  /** Range searched for Dc (e⁻/Å²). Default [span/1000, 1000·span], span = max − min dose. */
  searchRangeEPerA2?: [number, number];
  /** The result is flagged under-determined when (ci95[1] − ci95[0]) / Dc exceeds this. Default 1. */
  maxRelativeCiWidth?: number;
  /** Most reweighting iterations for `'poisson'`. Default 100. */
  maxIterations?: number;
}

/** Result of {@link fitCriticalDose}; intensities in the units of the input. */
export interface CriticalDoseFit {
  /** Dc, the 1/e dose (e⁻/Å²). */
  criticalDoseEPerA2: number;
  /** D½ = Dc·ln 2 (e⁻/Å²), the half-intensity dose some papers quote. */
  halfDoseEPerA2: number;
  /** I₀, the fading amplitude extrapolated to zero dose. */
  i0: number;
  /** B, the dose-independent background (the fixed value when `fixedBackground` was given). */
  background: number;
  /** 95 % confidence interval of Dc (e⁻/Å²) from the profile likelihood; the upper end is Infinity when the data do not bound it. */
  ci95: [number, number];
  /** How ci95 was found. */
  ciMethod: 'profile-likelihood';
  /** 1σ standard errors from the covariance at the optimum (Wald); background's is 0 when fixed. */
  standardErrors: { criticalDoseEPerA2: number; i0: number; background: number };
  /** Observed − fitted intensity, one per point. */
  residuals: number[];
  /** Model intensity at each input dose. */
  fitted: number[];
  /** Σ w·r² / (n − p). */
  reducedChiSquare: number;
  /** n − p. */
  degreesOfFreedom: number;
  /** max − min dose of the series (e⁻/Å²): what identifiability is judged against. */
  doseSpanEPerA2: number;
  /**
   * True when the data cannot pin Dc down, each with a warning: the series spans less than Dc (science.md §1.9), the
   * interval is unbounded, wider than `maxRelativeCiWidth`·Dc or reaches past the span, Dc sits at a search limit, or I₀ ≤ 0.
   */
  underdetermined: boolean;
  /** False when the reweighting did not settle within `maxIterations`. */
  converged: boolean;
  /** Reweighting iterations used (1 for fixed weights). */
  iterations: number;
  warnings: string[];
}

/**
 * Critical dose from the fading of a reflection: weighted least-squares fit of `I(D) = I₀·exp(−D/Dc) + B`
 * (science.md §1.9). For fixed Dc the model is linear in (I₀, B), which are profiled out (variable projection,
 * Golub & Pereyra, SIAM J. Numer. Anal. 10, 413 (1973), doi:10.1137/0710036); the profile χ²(Dc) is searched on
 * a log grid over `searchRangeEPerA2` and refined by Brent's method, so there is no starting guess to get wrong.
 * Standard errors come from the Gauss–Newton covariance (JᵀWJ)⁻¹ at the optimum; the 95 % interval of Dc from
 * the profile likelihood, χ²(Dc) − χ²min ≤ s²·t²₀.₉₇₅,ₙ₋ₚ (Venzon & Moolgavkar, Appl. Stat. 37, 87 (1988),
 * doi:10.2307/2347496), which stays honest where the Wald interval is not (short series, Dc near the span).
 * @param dosesEPerA2 dose of each point (e⁻/Å²), ideally frame-midpoint doses from {@link cumulativeDose}.
 * @param intensities background-subtracted spot intensity of one reflection family at each dose.
 * @returns the fit, its uncertainty, and `underdetermined` with warnings when the series cannot determine Dc.
 * @throws ValueError for mismatched lengths, non-finite values, negative doses, non-positive sigmas, or fewer
 *         points than parameters + 1; ConvergenceError when no finite fit exists at all.
 * @example const fit = lowdose.dose.fitCriticalDose(midpoints, spotPower, { fixedBackground: 0 });
 *          fit.underdetermined ? fit.warnings : fit.criticalDoseEPerA2
 */
export function fitCriticalDose(
  dosesEPerA2: ArrayLike<number>,
  intensities: ArrayLike<number>,
  options: FitCriticalDoseOptions = {}
): CriticalDoseFit {
  const fn = 'fitCriticalDose';
  const n = dosesEPerA2?.length ?? 0;
  if (!intensities || intensities.length !== n) {
    throw new ValueError(`${fn}: intensities must have one value per dose (${n}); got ${intensities?.length}.`);
  }
  const d = Float64Array.from(dosesEPerA2);
  const y = Float64Array.from(intensities);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(d[i]) || d[i] < 0) throw new ValueError(`${fn}: dosesEPerA2[${i}] must be a finite dose ≥ 0; got ${d[i]}.`);
    if (!Number.isFinite(y[i])) throw new ValueError(`${fn}: intensities[${i}] must be finite; got ${y[i]}. Drop that frame first.`);
  }
  const fixedB = options.fixedBackground;
  if (fixedB !== undefined && !Number.isFinite(fixedB)) {
    throw new ValueError(`${fn}: options.fixedBackground must be a finite number; got ${fixedB}.`);
  }
  const nParams = fixedB === undefined ? 3 : 2;
  const distinct = new Set(Array.from(d)).size;
  if (n < nParams + 1 || distinct < nParams) {
    throw new ValueError(
      `${fn}: dosesEPerA2 must hold at least ${nParams + 1} points at ${nParams} or more distinct doses to fit ${nParams} parameters; ` +
        `got ${n} points at ${distinct} doses.`
    );
  }
  let sigmaW: Float64Array | undefined;
  if (options.sigmas !== undefined) {
    if (options.sigmas.length !== n) throw new ValueError(`${fn}: options.sigmas must have ${n} values; got ${options.sigmas.length}.`);
    sigmaW = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const s = options.sigmas[i];
      if (!(s > 0) || !Number.isFinite(s)) throw new ValueError(`${fn}: options.sigmas[${i}] must be finite and > 0; got ${s}.`);
      sigmaW[i] = 1 / (s * s);
    }
  }
  const weighting = options.weighting ?? 'poisson';
  if (weighting !== 'poisson' && weighting !== 'uniform') {
    throw new ValueError(`${fn}: options.weighting must be 'poisson' or 'uniform'; got ${String(weighting)}.`);
  }
  const floorFraction = options.varianceFloorFraction ?? 0.01;
  if (!(floorFraction > 0 && floorFraction <= 1)) {
    throw new ValueError(`${fn}: options.varianceFloorFraction must be in (0, 1]; got ${floorFraction}.`);
  }
  const maxIterations = options.maxIterations ?? 100;
  if (!Number.isInteger(maxIterations) || maxIterations < 1) {
    throw new ValueError(`${fn}: options.maxIterations must be an integer ≥ 1; got ${maxIterations}.`);
  }
  const maxRelWidth = options.maxRelativeCiWidth ?? 1;
  if (!(maxRelWidth > 0)) throw new ValueError(`${fn}: options.maxRelativeCiWidth must be > 0; got ${maxRelWidth}.`);
  let dMin = Infinity;
  let dMax = -Infinity;
  for (const v of d) {
    dMin = Math.min(dMin, v);
    dMax = Math.max(dMax, v);
  }
  const span = dMax - dMin;
  const [lower, upper] = options.searchRangeEPerA2 ?? [span / 1000, span * 1000];
  if (!(lower > 0 && upper > lower && Number.isFinite(upper))) {
    throw new ValueError(`${fn}: options.searchRangeEPerA2 must be [min, max] with 0 < min < max < Infinity; got [${lower}, ${upper}].`);
  }

  const model: Model = { d, y, dRef: dMin, fixedB };
  const logLo = Math.log(lower);
  const logHi = Math.log(upper);
  const iterative = sigmaW === undefined && weighting === 'poisson';
  let w = sigmaW ?? new Float64Array(n).fill(1);
  let best = minimiseProfile(model, w, logLo, logHi);
  let iterations = 1;
  let converged = true;
  if (iterative) {
    converged = false;
    for (; iterations < maxIterations; iterations++) {
      w = poissonWeights(model, best, floorFraction);
      const next = minimiseProfile(model, w, logLo, logHi);
      const settled =
        Math.abs(next.logDc - best.logDc) < 1e-8 && Math.abs(next.a - best.a) <= 1e-8 * (Math.abs(best.a) + Math.abs(best.b) + 1e-300);
      best = next;
      if (settled) {
        converged = true;
        break;
      }
    }
  }
  if (!Number.isFinite(best.s)) throw new ConvergenceError(`${fn}: no finite least-squares fit exists for these data; check the intensities.`);

  const dc = Math.exp(best.logDc);
  const i0 = best.a * Math.exp(model.dRef / dc);
  const background = fixedB ?? best.b;
  const fitted = Array.from(d, di => i0 * Math.exp(-di / dc) + background);
  const residuals = fitted.map((f, i) => y[i] - f);
  const dof = n - nParams;
  const chi2 = residuals.reduce((acc, r, i) => acc + w[i] * r * r, 0);
  const reducedChiSquare = chi2 / dof;
  const absolute = options.absoluteSigma ?? false;
  const scale = absolute ? 1 : reducedChiSquare;

  // Gauss–Newton covariance in (I0, Dc, B) — the parameterisation scipy's curve_fit reports.
  const jac = Array.from(d, di => {
    const e = Math.exp(-di / dc);
    return fixedB === undefined ? [e, (i0 * e * di) / (dc * dc), 1] : [e, (i0 * e * di) / (dc * dc)];
  });
  const cov = invertSymmetric(normalMatrix(jac, w)).map(row => row.map(v => v * scale));
  const se = (k: number): number => (cov[k] && cov[k][k] >= 0 ? Math.sqrt(cov[k][k]) : NaN);

  const tq = absolute ? 1.959963984540054 : studentTQuantile(0.975, dof);
  const threshold = best.s + (absolute ? 1 : best.s / dof) * tq * tq;
  const step = (logHi - logLo) / (GRID - 1);
  const hiLog = profileCrossing(model, w, best.logDc, threshold, step, logHi);
  const loLog = profileCrossing(model, w, best.logDc, threshold, -step, logLo);
  const ci95: [number, number] = [loLog === null ? 0 : Math.exp(loLog), hiLog === null ? Infinity : Math.exp(hiLog)];

  const warnings: string[] = [];
  let underdetermined = false;
  const flag = (message: string): void => {
    underdetermined = true;
    warnings.push(message);
  };
  const fmt = (v: number): string => (Number.isFinite(v) ? v.toPrecision(3) : String(v));
  if (best.edge === 'upper') {
    flag(`Dc hit the upper search limit ${fmt(upper)} e⁻/Å²: the data show no measurable fading; the value is not a measurement.`);
  } else if (best.edge === 'lower') {
    flag(`Dc hit the lower search limit ${fmt(lower)} e⁻/Å²: the intensity is gone after the first point; use finer dose steps.`);
  }
  if (i0 <= 0) flag(`I₀ = ${fmt(i0)} ≤ 0: the intensity does not fade with dose, so there is no critical dose to measure.`);
  if (span < dc) {
    flag(
      `the series spans ${fmt(span)} e⁻/Å², less than the fitted Dc = ${fmt(dc)} e⁻/Å²: Dc cannot be separated from the background ` +
        '(science.md §1.9). Extend the series to ≥ 2·Dc, or subtract the background locally and pass fixedBackground: 0.'
    );
  }
  if (ci95[1] === Infinity) {
    flag(`the 95 % interval of Dc has no upper bound within ${fmt(upper)} e⁻/Å²: any slower fading fits the data as well.`);
  } else if ((ci95[1] - ci95[0]) / dc > maxRelWidth) {
    flag(`the 95 % interval of Dc, [${fmt(ci95[0])}, ${fmt(ci95[1])}] e⁻/Å², is wider than ${maxRelWidth * 100} % of Dc = ${fmt(dc)}.`);
  } else if (span >= dc && ci95[1] > span) {
    flag(
      `the 95 % interval of Dc reaches ${fmt(ci95[1])} e⁻/Å², beyond the ${fmt(span)} e⁻/Å² the series spans: ` +
        'a critical dose larger than the whole series is not excluded. Extend the series to ≥ 2·Dc.'
    );
  }
  if (!converged) warnings.push(`the Poisson reweighting did not settle within ${maxIterations} iterations; the last fit is returned.`);
  if (absolute && dof >= 3 && reducedChiSquare > 3) {
    warnings.push(`reduced χ² = ${fmt(reducedChiSquare)} with absolute sigmas: the model or the sigmas do not describe the data.`);
  }

  return {
    criticalDoseEPerA2: dc,
    halfDoseEPerA2: dc * Math.LN2,
    i0,
    background,
    ci95,
    ciMethod: 'profile-likelihood',
    standardErrors: { i0: se(0), criticalDoseEPerA2: se(1), background: fixedB === undefined ? se(2) : 0 },
    residuals,
    fitted,
    reducedChiSquare,
    degreesOfFreedom: dof,
    doseSpanEPerA2: span,
    underdetermined,
    converged,
    iterations,
    warnings
  };
}

const GRID = 241;

interface Model {
  d: Float64Array;
  y: Float64Array;
  /** Doses are measured from here inside, so exp(−(D − dRef)/Dc) cannot underflow for all points. */
  dRef: number;
  fixedB: number | undefined;
}

interface ProfilePoint {
  logDc: number;
  /** Amplitude at dRef. */
  a: number;
  b: number;
  /** Weighted residual sum of squares. */
  s: number;
  edge?: 'lower' | 'upper';
}

/** min over the linear parameters of Σ w (y − a·e − b)² for one Dc, e = exp(−(D − dRef)/Dc). */
function profile(m: Model, w: Float64Array, logDc: number): ProfilePoint {
  const dc = Math.exp(logDc);
  const n = m.d.length;
  const e = new Float64Array(n);
  for (let i = 0; i < n; i++) e[i] = Math.exp(-(m.d[i] - m.dRef) / dc);
  let a: number;
  let b: number;
  if (m.fixedB !== undefined) {
    b = m.fixedB;
    let see = 0;
    let sey = 0;
    for (let i = 0; i < n; i++) {
      see += w[i] * e[i] * e[i];
      sey += w[i] * e[i] * (m.y[i] - b);
    }
    a = see > 0 ? sey / see : 0;
  } else {
    // Centred normal equations: stable when e barely varies (Dc ≫ span).
    let sw = 0;
    let me = 0;
    let my = 0;
    for (let i = 0; i < n; i++) {
      sw += w[i];
      me += w[i] * e[i];
      my += w[i] * m.y[i];
    }
    me /= sw;
    my /= sw;
    let see = 0;
    let sey = 0;
    for (let i = 0; i < n; i++) {
      see += w[i] * (e[i] - me) * (e[i] - me);
      sey += w[i] * (e[i] - me) * (m.y[i] - my);
    }
    a = see > 0 ? sey / see : 0;
    b = my - a * me;
  }
  let s = 0;
  for (let i = 0; i < n; i++) {
    const r = m.y[i] - a * e[i] - b;
    s += w[i] * r * r;
  }
  return { logDc, a, b, s };
}

/** Global minimum of the profile over [logLo, logHi]: log grid, then Brent's method around the best node. */
function minimiseProfile(m: Model, w: Float64Array, logLo: number, logHi: number): ProfilePoint {
  let bestK = -1;
  let bestS = Infinity;
  const step = (logHi - logLo) / (GRID - 1);
  for (let k = 0; k < GRID; k++) {
    const s = profile(m, w, logLo + k * step).s;
    if (s < bestS) {
      bestS = s;
      bestK = k;
    }
  }
  if (bestK < 0) return { logDc: logLo, a: NaN, b: NaN, s: NaN };
  const left = logLo + Math.max(0, bestK - 1) * step;
  const right = logLo + Math.min(GRID - 1, bestK + 1) * step;
  const x = brent(t => profile(m, w, t).s, left, right, 1e-12);
  const p = profile(m, w, x);
  const best = p.s <= bestS ? p : profile(m, w, logLo + bestK * step);
  const tol = 1e-6 * step;
  if (best.logDc <= logLo + tol) best.edge = 'lower';
  else if (best.logDc >= logHi - tol) best.edge = 'upper';
  return best;
}

/** Walks the profile from logDc in steps of `step` until it exceeds `threshold`; the crossing by bisection, or null. */
function profileCrossing(m: Model, w: Float64Array, from: number, threshold: number, step: number, limit: number): number | null {
  let inside = from;
  for (;;) {
    const next = step > 0 ? Math.min(inside + step, limit) : Math.max(inside + step, limit);
    if (next === inside) return null;
    if (profile(m, w, next).s > threshold) {
      let lo = inside;
      let hi = next;
      for (let k = 0; k < 60; k++) {
        const mid = 0.5 * (lo + hi);
        if (profile(m, w, mid).s > threshold) hi = mid;
        else lo = mid;
      }
      return 0.5 * (lo + hi);
    }
    inside = next;
  }
}

function poissonWeights(m: Model, p: ProfilePoint, floorFraction: number): Float64Array {
  const dc = Math.exp(p.logDc);
  const mu = Array.from(m.d, di => p.a * Math.exp(-(di - m.dRef) / dc) + p.b);
  const floor = floorFraction * Math.max(...mu.map(Math.abs), 1e-300);
  return Float64Array.from(mu, v => 1 / Math.max(v, floor));
}
