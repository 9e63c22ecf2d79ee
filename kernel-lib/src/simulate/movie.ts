import ndarray from 'ndarray';
import { Dataset, makeDataset } from '../types/dataset';
import { ValueError } from '../errors';
import { rng } from './rng';
import { poisson } from './poisson';
import { buildScene, frameReflections, renderScene, RenderedReflection } from './_internal/scene';
import { deriveSeed } from './_internal/seeds';
import type { CrystalSceneOptions } from './crystalImage';

/** Specimen drift s_n = v·n + random walk + a jump (science.md Part 2), all in Å; s₀ = 0. */
export interface DriftOptions {
  /** Constant velocity v, Å per frame, `[vy, vx]` (rows down, columns right) (default [0.6, 0.8]: 1 Å/frame). */
  velocityAPerFrame?: [number, number];
  /** Random-walk step σ per axis, Å per frame (default 0.3). */
  randomWalkA?: number;
  /** Sudden jump `[dy, dx]`, Å (default [2.4, −1.8]: 3 Å). */
  jumpA?: [number, number];
  /** First frame that carries the jump (default 1: it happens between frames 0 and 1); ≥ 1. */
  jumpFrame?: number;
}

/** Bragg fading A_g(D) = A_g(0)·exp(−D/(2·Dc_g)) (science.md §1.9: intensity ∝ A², so I ∝ exp(−D/Dc)). */
export interface FadingOptions {
  /** Dc of the reference reflection, e⁻/Å² (default 60: the NNB {001} spots). */
  criticalDoseEPerA2?: number;
  /** d of the reference reflection, Å (default 9.39: (001) of the doubled α-NNB cell, 2 × 4.695 Å). */
  referenceDA?: number;
  /** Dc_g = Dc·(d_g/d_ref)^exponent, i.e. Dc ∝ |g|^−exponent (default 1). A reflection's own criticalDoseEPerA2 wins. */
  exponent?: number;
}

/** Unidirectional expansion F(D) = R(θ)·diag(1 + ε(D), 1)·R(θ)ᵀ, ε(D) = rate·D; g(D) = F^(−T)·g₀ about the crystal centre. */
export interface ExpansionOptions {
  /** Strain per dose, per e⁻/Å² (default 0.075/21.5: +7.5 % within 21.5 e⁻/Å²). */
  strainPerEPerA2?: number;
  /** Direction θ of the expansion in the array frame, degrees (default: angle of the first reflection's g, a lattice direction for orthogonal lattices). */
  directionDeg?: number;
}

/** Options of {@link movie} and {@link doseSeries}: the object of crystalImage plus acquisition and damage. */
export interface MovieOptions extends CrystalSceneOptions {
  /** Number of frames (default 40 for movie, 30 for doseSeries). */
  frames?: number;
  /** Dose per frame, e⁻/Å², one number or one per frame (default 0.9625 for movie = 38.5/40; 0.717 for doseSeries = 21.5/30). */
  doseEPerA2PerFrame?: number | number[];
  /** Dose received before the first frame, e⁻/Å² (default 0). */
  preDoseEPerA2?: number;
  /** Detector conversion η, counts per incident electron (default 0.9, K2 counting). */
  countsPerElectron?: number;
  /** Frame time, s (metadata only: sets times and dose rate; default none). */
  frameTimeS?: number;
  /** Poisson noise per frame (default true); false gives expected counts. */
  noise?: boolean;
  /** Drift, or false for none (default on with the DriftOptions defaults). */
  drift?: DriftOptions | false;
  /** Fading, or false for none (default on). */
  fading?: FadingOptions | false;
  /** Expansion, or false for none (default off for movie, on for doseSeries). */
  expansion?: ExpansionOptions | false;
}

/** Ground truth of one frame. */
export interface FrameTruth {
  /** Displacement of this frame's content relative to frame 0, pixels `[dy, dx]` (rows down, columns right). */
  shiftPx: [number, number];
  doseStartEPerA2: number;
  /** Cumulative dose at the frame midpoint, e⁻/Å²: where fading and expansion are evaluated. */
  doseMidEPerA2: number;
  doseEndEPerA2: number;
  /** Expansion strain ε along the expansion direction (0 without expansion). */
  strain: number;
  /** True g vectors (1/Å), d (Å), amplitudes (after fading) of this frame. */
  reflections: RenderedReflection[];
  meanTransmission: number;
  clippedFraction: number;
}

/**
 * Simulates a low-dose movie of the science.md Part 2 object: frames `[frame, row, col]` of counts
 * ~ Poisson(η·D_f·p²·T_n(r)) with T_n(r) = T(r − s_n; D_n) — drift s_n (velocity + random walk +
 * jump), Bragg fading A_g(D) = A_g(0)·exp(−D/(2·Dc_g)) (Dc = 60 e⁻/Å² at 9.39 Å, Dc ∝ |g|⁻¹) and
 * optional unidirectional expansion g(D) = F(D)^(−T)·g₀, with D the cumulative dose at each frame's
 * midpoint. Cosines are evaluated directly at the shifted, deformed coordinates (separable, no FFT).
 * Defaults reproduce the NNB Fig. 1 acquisition: 40 frames × 0.9625 e⁻/Å², 256², p = 0.5 Å, η = 0.9.
 * Fading model: amplitude ∝ exp(−D/(2·Dc)) so that spot power follows I₀·exp(−D/Dc) (science.md §1.9;
 * cf. Grant & Grigorieff, eLife 4, e06980 (2015), doi:10.7554/eLife.06980).
 *
 * @returns Dataset `[frame, y, x]` (float32 counts; axes frame, y and x in Å); metadata: `shiftsPx`
 *   (`[dy, dx]` per frame, design.md sign: content displacement relative to frame 0),
 *   `cumulativeDoseEPerA2` (end of each frame), `midpointDoseEPerA2`, `strain` (ε per frame),
 *   `reflections` (zero-dose truth with `criticalDoseEPerA2`), `frameTruth` ({@link FrameTruth}
 *   per frame), plus every option.
 * @throws ValueError for invalid frames, doses, drift, fading, expansion or object options.
 * @example
 * const m = lowdose.simulate.movie({ frames: 40, seed: 2 });
 * m.metadata.shiftsPx[5]; // [dy, dx] of frame 5
 */
export function movie(options: MovieOptions = {}): Dataset {
  return renderMovie('movie', options, { frames: 40, doseEPerA2PerFrame: 0.9625, expansion: false });
}

/** Shared engine of movie and doseSeries. */
export function renderMovie(
  fn: string,
  o: MovieOptions,
  defaults: { frames: number; doseEPerA2PerFrame: number; expansion: ExpansionOptions | false }
): Dataset {
  const nFrames = o.frames ?? defaults.frames;
  if (!(Number.isInteger(nFrames) && nFrames >= 1)) throw new ValueError(`${fn}: frames must be a positive integer; got ${nFrames}.`);
  const scene = buildScene(fn, o, [256, 256]);
  const { rows, cols, p } = scene;
  const seed = o.seed ?? 1;
  const eta = o.countsPerElectron ?? 0.9;
  if (typeof eta !== 'number' || !(eta > 0) || !Number.isFinite(eta)) throw new ValueError(`${fn}: countsPerElectron must be a positive number; got ${eta}.`);
  const noise = o.noise ?? true;
  const perFrame = frameDoseList(fn, o.doseEPerA2PerFrame ?? defaults.doseEPerA2PerFrame, nFrames);
  const pre = o.preDoseEPerA2 ?? 0;
  if (!(pre >= 0) || !Number.isFinite(pre)) throw new ValueError(`${fn}: preDoseEPerA2 must be a finite number ≥ 0; got ${pre}.`);
  const frameTimeS = o.frameTimeS;
  if (frameTimeS !== undefined && !(frameTimeS > 0)) throw new ValueError(`${fn}: frameTimeS must be a positive time in s; got ${frameTimeS}.`);

  const drift = o.drift === false ? null : resolveDrift(fn, o.drift ?? {});
  const fading = o.fading === false ? null : resolveFading(fn, o.fading ?? {});
  const expOpt = o.expansion === undefined ? defaults.expansion : o.expansion;
  const first = scene.reflections[0];
  const expansion =
    expOpt === false
      ? null
      : {
          strainPerEPerA2: finiteNumber(fn, 'expansion.strainPerEPerA2', expOpt.strainPerEPerA2 ?? 0.075 / 21.5),
          directionDeg: finiteNumber(fn, 'expansion.directionDeg', expOpt.directionDeg ?? (Math.atan2(first.ky0, first.kx0) * 180) / Math.PI)
        };
  const criticalDoses = scene.reflections.map(r => {
    if (r.criticalDoseEPerA2 !== undefined) return r.criticalDoseEPerA2;
    if (!fading) return Infinity;
    const d = 1 / Math.hypot(r.kx0, r.ky0);
    return fading.criticalDoseEPerA2 * Math.pow(d / fading.referenceDA, fading.exponent);
  });

  // Drift trajectory (Å), s₀ = 0.
  const shiftsA: Array<[number, number]> = [];
  const driftRandom = rng(deriveSeed(seed, 3));
  let wy = 0;
  let wx = 0;
  for (let n = 0; n < nFrames; n++) {
    if (!drift || n === 0) {
      shiftsA.push([0, 0]);
      continue;
    }
    wy += drift.randomWalkA * driftRandom.normal();
    wx += drift.randomWalkA * driftRandom.normal();
    const jump = n >= drift.jumpFrame ? drift.jumpA : [0, 0];
    shiftsA.push([drift.velocityAPerFrame[0] * n + wy + jump[0], drift.velocityAPerFrame[1] * n + wx + jump[1]]);
  }

  const N = rows * cols;
  const data = new Float32Array(nFrames * N);
  const noiseDraw = poisson(rng(deriveSeed(seed, 2)));
  const truth: FrameTruth[] = [];
  let dose = pre;
  let areaFraction0 = 0;
  for (let n = 0; n < nFrames; n++) {
    const Df = perFrame[n];
    const mid = dose + Df / 2;
    const eps = expansion ? expansion.strainPerEPerA2 * mid : 0;
    let F: [[number, number], [number, number]] | undefined;
    if (expansion) {
      const t = (expansion.directionDeg * Math.PI) / 180;
      const c = Math.cos(t);
      const s = Math.sin(t);
      F = [
        [1 + eps * c * c, eps * c * s],
        [eps * c * s, 1 + eps * s * s]
      ];
    }
    const amplitudeFactors = criticalDoses.map(dc => (Number.isFinite(dc) ? Math.exp(-mid / (2 * dc)) : 1));
    const frame = renderScene(scene, { shiftXA: shiftsA[n][1], shiftYA: shiftsA[n][0], F, amplitudeFactors });
    if (n === 0) areaFraction0 = frame.crystalAreaFraction;
    const meanCounts = eta * Df * p * p;
    const off = n * N;
    const T = frame.T;
    if (noise) {
      for (let i = 0; i < N; i++) data[off + i] = noiseDraw(meanCounts * T[i]);
    } else {
      for (let i = 0; i < N; i++) data[off + i] = meanCounts * T[i];
    }
    truth.push({
      shiftPx: [shiftsA[n][0] / p, shiftsA[n][1] / p],
      doseStartEPerA2: dose,
      doseMidEPerA2: mid,
      doseEndEPerA2: dose + Df,
      strain: eps,
      reflections: frame.reflections,
      meanTransmission: frame.meanTransmission,
      clippedFraction: frame.clippedFraction
    });
    dose += Df;
  }
  const zeroDose = frameReflections(scene, { shiftXA: 0, shiftYA: 0 });
  return makeDataset(ndarray(data, [nFrames, rows, cols]), {
    axes: [
      { name: 'frame', units: '' },
      { name: 'y', scale: p, units: 'A' },
      { name: 'x', scale: p, units: 'A' }
    ],
    metadata: {
      simulated: true,
      generator: `lowdose.simulate.${fn}`,
      pixelSizeA: p,
      frames: nFrames,
      doseEPerA2PerFrame: perFrame,
      preDoseEPerA2: pre,
      totalDoseEPerA2: dose - pre,
      countsPerElectron: eta,
      meanCountsPerPxPerFrame: perFrame.map(d => eta * d * p * p),
      ...(frameTimeS !== undefined ? { frameTimeS, doseRateEPerA2PerS: perFrame.map(d => d / frameTimeS) } : {}),
      noise,
      seed,
      shiftsPx: truth.map(t => t.shiftPx),
      shiftsA,
      cumulativeDoseEPerA2: truth.map(t => t.doseEndEPerA2),
      midpointDoseEPerA2: truth.map(t => t.doseMidEPerA2),
      strain: truth.map(t => t.strain),
      drift,
      fading,
      expansion,
      reflections: zeroDose.map((r, i) => ({ ...r, criticalDoseEPerA2: criticalDoses[i] })),
      frameTruth: truth,
      region: scene.region,
      crystalAreaFraction: areaFraction0,
      amorphous: scene.amorphous,
      informationLimitA: scene.informationLimitA,
      envelopeBA2: scene.envelopeBA2,
      ctf: scene.ctf,
      detectorMtf: scene.detectorMtf,
      warnings: scene.warnings,
      signalUnits: 'counts'
    }
  });
}

function frameDoseList(fn: string, d: number | number[], n: number): number[] {
  const list = Array.isArray(d) ? d.slice() : new Array<number>(n).fill(d);
  if (list.length !== n) throw new ValueError(`${fn}: doseEPerA2PerFrame must be one number or ${n} numbers (one per frame); got ${list.length}.`);
  list.forEach((v, i) => {
    if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) {
      throw new ValueError(`${fn}: doseEPerA2PerFrame${Array.isArray(d) ? `[${i}]` : ''} must be a finite dose ≥ 0 in e⁻/Å²; got ${v}.`);
    }
  });
  return list;
}

function resolveDrift(fn: string, d: DriftOptions): Required<DriftOptions> {
  const v = d.velocityAPerFrame ?? [0.6, 0.8];
  const j = d.jumpA ?? [2.4, -1.8];
  const pair = (name: string, x: unknown): void => {
    if (!Array.isArray(x) || x.length !== 2 || !x.every(e => typeof e === 'number' && Number.isFinite(e))) {
      throw new ValueError(`${fn}: ${name} must be [dy, dx] in Å; got ${JSON.stringify(x)}.`);
    }
  };
  pair('drift.velocityAPerFrame', v);
  pair('drift.jumpA', j);
  const randomWalkA = d.randomWalkA ?? 0.3;
  if (!(randomWalkA >= 0) || !Number.isFinite(randomWalkA)) throw new ValueError(`${fn}: drift.randomWalkA must be a finite step ≥ 0 in Å; got ${randomWalkA}.`);
  const jumpFrame = d.jumpFrame ?? 1;
  if (!(Number.isInteger(jumpFrame) && jumpFrame >= 1)) throw new ValueError(`${fn}: drift.jumpFrame must be an integer ≥ 1; got ${jumpFrame}.`);
  return { velocityAPerFrame: [v[0], v[1]], randomWalkA, jumpA: [j[0], j[1]], jumpFrame };
}

function resolveFading(fn: string, f: FadingOptions): Required<FadingOptions> {
  const criticalDoseEPerA2 = f.criticalDoseEPerA2 ?? 60;
  const referenceDA = f.referenceDA ?? 9.39;
  const exponent = f.exponent ?? 1;
  if (!(criticalDoseEPerA2 > 0)) throw new ValueError(`${fn}: fading.criticalDoseEPerA2 must be a positive dose in e⁻/Å²; got ${criticalDoseEPerA2}.`);
  if (!(referenceDA > 0) || !Number.isFinite(referenceDA)) throw new ValueError(`${fn}: fading.referenceDA must be a positive d-spacing in Å; got ${referenceDA}.`);
  finiteNumber(fn, 'fading.exponent', exponent);
  return { criticalDoseEPerA2, referenceDA, exponent };
}

function finiteNumber(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`${fn}: ${name} must be a finite number; got ${JSON.stringify(v)}.`);
  return v;
}
