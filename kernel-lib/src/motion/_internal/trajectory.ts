/**
 * Smooth drift trajectory from noisy shift measurements: a robust penalised least-squares fit
 * (the Kalman/RTS smoother of a random walk with constant velocity, solved as one banded system).
 *
 *   minimise  Σ_u |y_u − mean_{n∈u} x_n|²/σ_u²  +  Σ_n h_n·|x_{n+1} − x_n − v|²/σ_step²
 *
 * y_u: measured position of unit u (a group of consecutive frames) with standard deviation σ_u
 * (relative values from the correlation peaks, scaled to the data), x_n: frame positions, v: the
 * mean velocity (solved jointly), σ_step: the random-walk step, from the measurements' first
 * differences net of their σ (or, without σ, both from the measurements' variogram) unless a ratio
 * λ = σ²_measurement/σ²_step is imposed. Iteratively
 * reweighted: Huber weights make a few bad measurements count little, redescending (Cauchy) weights
 * on steps keep a sudden jump (a step ≫ σ_step) sharp instead of smearing it; the first `freeSteps`
 * steps carry no prior at all (the jump as the beam hits the specimen).
 */

export interface TrajectoryUnit {
  /** First frame of the unit. */
  start: number;
  /** Frames in the unit (consecutive). */
  count: number;
  /** Measured mean position `[y, x]`, px. */
  y: [number, number];
  /** Standard deviation of the measurement, px (per axis, the larger of the two); default: estimated in common. */
  sigma?: number;
  /** Prior weight factor (0 drops the measurement; default 1). */
  weight?: number;
}

export interface TrajectoryFit {
  /** Position of every frame `[y, x]`, px. */
  x: Array<[number, number]>;
  /** Measurement − fit per unit, px. */
  residuals: Array<[number, number]>;
  /** Median σ²_measurement/σ²_step. */
  lambda: number;
  /** Median measurement σ per axis, px. */
  sigmaMeasPx: number;
  /** Random-walk step σ per axis, px per frame. */
  sigmaStepPx: number;
  /** Steps kept as jumps (Huber weight < 0.5): frame n → n+1. */
  jumps: number[];
}

const HUBER_K = 4;
const JUMP_K = 2;
const MIN_STEP_PX = 0.02;
/** Precision floor of one peak position (the upsampled search's own resolution), px. */
const MIN_MEAS_PX = 0.01;

/** Robust variance ((1.4826·MAD)²) about the median. */
function robustVar(v: number[]): number {
  if (v.length === 0) return 0;
  const s = v.slice().sort((a, b) => a - b);
  const med = s[Math.floor(s.length / 2)];
  const dev = s.map(x => Math.abs(x - med)).sort((a, b) => a - b);
  return (1.4826 * dev[Math.floor(dev.length / 2)]) ** 2;
}

/**
 * σ²_measurement and σ²_step (per frame) from the measurements' robust variogram
 * γ(k) = Var(y_{u+k} − y_u) = 2σ²_meas + k·G·σ²_step (random walk plus white noise; the constant
 * velocity is removed with each lag's median), fitted by least squares over lags 1 … K.
 */
export function variogramNoise(units: TrajectoryUnit[]): { meas2: number; step2: number } {
  const M = units.length;
  if (M < 4) return { meas2: 0, step2: 1 };
  const G = units.reduce((a, u) => a + u.count, 0) / M;
  const K = Math.max(2, Math.min(8, Math.floor(M / 3)));
  const ks: number[] = [];
  const gs: number[] = [];
  const ws: number[] = [];
  for (let k = 1; k <= K; k++) {
    const d: number[] = [];
    for (const ax of [0, 1]) {
      const diff = units.slice(k).map((u, i) => u.y[ax] - units[i].y[ax]);
      const med = diff.slice().sort((a, b) => a - b)[Math.floor(diff.length / 2)];
      for (const f of diff) d.push(f - med);
    }
    ks.push(k);
    gs.push(robustVar(d) / 2);
    ws.push(M - k);
  }
  // weighted least squares γ = a + b·k
  let sw = 0, sk = 0, sg = 0, skk = 0, skg = 0;
  ks.forEach((k, i) => {
    const w = ws[i];
    sw += w;
    sk += w * k;
    sg += w * gs[i];
    skk += w * k * k;
    skg += w * k * gs[i];
  });
  let b = (sw * skg - sk * sg) / (sw * skk - sk * sk);
  let a = (sg - b * sk) / sw;
  if (!(b > 0)) {
    b = Math.max(1e-6, 0.01 * Math.max(a, 0));
    a = Math.max(0, sg / sw - b * (sk / sw));
  }
  if (a < 0) {
    a = 0;
    b = skg / skk;
  }
  return { meas2: a / 2, step2: Math.max(b / G, MIN_STEP_PX ** 2) };
}

/** σ²_step (per frame) from the units' first differences net of their measurement variances. */
function stepFromSigmas(units: TrajectoryUnit[], s2: number[]): number {
  if (units.length < 3) return 1;
  const d1: number[] = [];
  for (const ax of [0, 1]) {
    const first = units.slice(1).map((u, i) => u.y[ax] - units[i].y[ax]);
    const med = first.slice().sort((a, b) => a - b)[Math.floor(first.length / 2)];
    for (const f of first) d1.push(f - med);
  }
  let noise = 0;
  for (let i = 1; i < units.length; i++) noise += s2[i] + s2[i - 1];
  noise /= units.length - 1;
  const G = units.reduce((a, u) => a + u.count, 0) / units.length;
  // The difference of two noisy variances is itself noisy with tens of units; a floor of a tenth of
  // the measurement variance keeps an unlucky estimate from flattening a real random walk (smoothing
  // then never exceeds λ ≈ 10·G).
  const med = s2.slice().sort((a, b) => a - b)[s2.length >> 1];
  return Math.max((robustVar(d1) - noise) / G, (0.1 * med) / G, MIN_STEP_PX ** 2);
}

/** Solves the banded SPD system A·x = b (A given by its lower band: band[i][k] = A[i][i−k]) in place. */
function solveBanded(band: Float64Array[], rhs: Float64Array[], n: number, bw: number): void {
  for (let i = 0; i < n; i++) {
    for (let k = bw; k >= 0; k--) {
      const j = i - k;
      if (j < 0) continue;
      let s = band[i][k];
      for (let m = Math.max(0, i - bw); m < j; m++) s -= band[i][i - m] * (j - m <= bw ? band[j][j - m] : 0);
      if (k === 0) band[i][0] = Math.sqrt(Math.max(s, 1e-300));
      else band[i][k] = s / band[j][0];
    }
  }
  for (const b of rhs) {
    for (let i = 0; i < n; i++) {
      let s = b[i];
      for (let m = Math.max(0, i - bw); m < i; m++) s -= band[i][i - m] * b[m];
      b[i] = s / band[i][0];
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = b[i];
      for (let m = i + 1; m <= Math.min(n - 1, i + bw); m++) s -= band[m][m - i] * b[m];
      b[i] = s / band[i][0];
    }
  }
}

/**
 * Fits frame positions to unit measurements (see the module comment). `lambda` imposes
 * σ²_measurement/σ²_step for every unit (ignoring their σ); ≈0 follows the measurements.
 */
export function fitTrajectory(nFrames: number, units: TrajectoryUnit[], lambda?: number, freeSteps = 0): TrajectoryFit {
  // Measurement σ from the peaks themselves (inflated when the residuals show they were optimistic:
  // peaks in the non-linear, low-count regime), σ_step from the first differences net of them.
  const vg = variogramNoise(units);
  const known = units.every(u => u.sigma !== undefined && Number.isFinite(u.sigma) && (u.sigma as number) > 0);
  let s2: number[];
  let step2 = vg.step2;
  if (lambda !== undefined) s2 = units.map(() => Math.max(lambda * step2, 1e-12));
  else if (known) {
    s2 = units.map(u => Math.max((u.sigma as number) ** 2, MIN_MEAS_PX ** 2));
    step2 = stepFromSigmas(units, s2);
  } else s2 = units.map(() => Math.max(vg.meas2, MIN_MEAS_PX ** 2));
  let fit = fitWith(nFrames, units, s2, step2, freeSteps);
  for (let round = 0; round < 3 && known && lambda === undefined && units.length >= 6; round++) {
    const z: number[] = [];
    fit.residuals.forEach((r, i) => {
      if ((units[i].weight ?? 1) < 0.5) return;
      z.push(r[0] / Math.sqrt(s2[i]), r[1] / Math.sqrt(s2[i]));
    });
    const scale = Math.sqrt(robustVar(z));
    if (!(scale > 1.3)) break;
    s2 = s2.map(v => v * scale * scale);
    step2 = stepFromSigmas(units, s2);
    fit = fitWith(nFrames, units, s2, step2, freeSteps);
  }
  return fit;
}

function fitWith(nFrames: number, units: TrajectoryUnit[], s2: number[], step2: number, freeSteps: number): TrajectoryFit {
  const sigmaStep = Math.sqrt(step2);
  const bw = Math.max(1, ...units.map(u => u.count - 1));
  const w = units.map((u, k) => (u.weight ?? 1) / s2[k]);
  const h = new Float64Array(Math.max(0, nFrames - 1)).fill(1);
  let v: [number, number] = [0, 0];
  let x: Array<[number, number]> = new Array(nFrames).fill(0).map(() => [0, 0] as [number, number]);
  for (let iter = 0; iter < 15; iter++) {
    // Normal equations: M·x + b·v = r, bᵀ·x + c·v = 0 (v, the velocity, solved jointly by the Schur complement).
    const band = Array.from({ length: nFrames }, () => new Float64Array(bw + 1));
    const rhs = [new Float64Array(nFrames), new Float64Array(nFrames), new Float64Array(nFrames)];
    units.forEach((u, k) => {
      const a = 1 / u.count;
      const wk = w[k];
      if (!(wk > 0)) return;
      for (let i = u.start; i < u.start + u.count; i++) {
        for (let j = u.start; j <= i; j++) band[i][i - j] += wk * a * a;
        rhs[0][i] += wk * a * u.y[0];
        rhs[1][i] += wk * a * u.y[1];
      }
    });
    let csum = 0;
    for (let n = 0; n + 1 < nFrames; n++) {
      const c = n < freeSteps ? 1e-9 / step2 : h[n] / step2;
      band[n][0] += c;
      band[n + 1][0] += c;
      band[n + 1][1] -= c;
      rhs[2][n] += c; // b_i = c_i − c_{i−1}
      rhs[2][n + 1] -= c;
      csum += c;
    }
    const b = Float64Array.from(rhs[2]);
    let maxDiag = 0;
    for (let n = 0; n < nFrames; n++) maxDiag = Math.max(maxDiag, band[n][0]);
    for (let n = 0; n < nFrames; n++) band[n][0] += 1e-12 * maxDiag;
    solveBanded(band, rhs, nFrames, bw);
    let bMb = 0;
    const bMr = [0, 0];
    for (let n = 0; n < nFrames; n++) {
      bMb += b[n] * rhs[2][n];
      bMr[0] += b[n] * rhs[0][n];
      bMr[1] += b[n] * rhs[1][n];
    }
    const den = csum - bMb;
    v = den > 1e-12 * csum ? [-bMr[0] / den, -bMr[1] / den] : [0, 0];
    x = Array.from({ length: nFrames }, (_, n) => [rhs[0][n] - v[0] * rhs[2][n], rhs[1][n] - v[1] * rhs[2][n]] as [number, number]);
    // redescending (Cauchy) weights on steps: a jump of many σ_step costs little, so it stays sharp
    const cStep = JUMP_K * sigmaStep * Math.SQRT2;
    for (let n = 0; n + 1 < nFrames; n++) {
      const r = Math.hypot(x[n + 1][0] - x[n][0] - v[0], x[n + 1][1] - x[n][1] - v[1]);
      h[n] = 1 / (1 + (r / cStep) ** 2);
    }
    units.forEach((u, k) => {
      const r = residual(u, x);
      const lim = HUBER_K * Math.sqrt(s2[k]) * Math.SQRT2;
      const m = Math.hypot(r[0], r[1]);
      const base = (u.weight ?? 1) / s2[k];
      w[k] = m > lim ? (base * lim) / m : base;
    });
  }
  const jumps: number[] = [];
  for (let n = 0; n < h.length; n++) if (h[n] < 0.5) jumps.push(n);
  const med = (a: number[]): number => a.slice().sort((p, q) => p - q)[Math.floor(a.length / 2)] ?? 0;
  const meas = Math.sqrt(med(s2));
  return { x, residuals: units.map(u => residual(u, x)), lambda: meas ** 2 / step2, sigmaMeasPx: meas, sigmaStepPx: sigmaStep, jumps };
}

function residual(u: TrajectoryUnit, x: Array<[number, number]>): [number, number] {
  let my = 0;
  let mx = 0;
  for (let i = u.start; i < u.start + u.count; i++) {
    my += x[i][0];
    mx += x[i][1];
  }
  return [u.y[0] - my / u.count, u.y[1] - mx / u.count];
}

/** Linear interpolation of unit positions at their mean frame index (flat beyond the ends). */
export function interpolateUnits(nFrames: number, units: TrajectoryUnit[]): Array<[number, number]> {
  const c = units.map(u => u.start + (u.count - 1) / 2);
  return Array.from({ length: nFrames }, (_, n) => {
    if (units.length === 1 || n <= c[0]) return [units[0].y[0], units[0].y[1]] as [number, number];
    if (n >= c[c.length - 1]) return [units[units.length - 1].y[0], units[units.length - 1].y[1]] as [number, number];
    let k = 0;
    while (c[k + 1] < n) k++;
    const t = (n - c[k]) / (c[k + 1] - c[k]);
    return [units[k].y[0] + t * (units[k + 1].y[0] - units[k].y[0]), units[k].y[1] + t * (units[k + 1].y[1] - units[k].y[1])] as [number, number];
  });
}
