/**
 * Global drift estimation of alignFrames from the frames' alignment spectra (science.md §1.7):
 *  1. chain: groups of G frames, each against the previous group, lattice (Bragg-spot) frequencies
 *     masked out so lattice translations cannot alias, whole-field search;
 *  2. coarse refinement: each group against the aligned sum of all *other* frames (the sum minus
 *     itself, so its own noise does not pull the shift to zero), spots still masked, wide window;
 *     then the first frame alone (a jump as the beam hits). The coarse weights keep only frequencies
 *     below the lattice (alignFrames' coarseExtra): Bragg-spot sidelobes and the streaks of a lattice
 *     that expands with dose would otherwise leak past the spot mask and alias;
 *  3. fine refinement: units halved from G frames down to g (the fewest whose predicted peak σ is
 *     ≤ 0.5 px; single frames when the dose allows), then iterated at g, against the sum minus
 *     themselves with every frequency, searched only ±searchRadius around the current trajectory
 *     (lattice-aliasing guard: below half a lattice period); with a lattice that deforms with dose,
 *     its frequencies de-strained before the last coarse and every fine pass (fineSpectra, destrain.ts);
 *  4. frame 0's lattice translation, chosen among candidates by its correlation with the others
 *     (firstFrame.ts), then one more fine pass when it moved.
 * Each correlation is weighted by the data's own coherence (alignCore.coherenceWeights); each peak
 * gets a first-order σ (alignCore.peakSigma); after each pass a robust smooth trajectory is fitted
 * (trajectory.ts) and the reference rebuilt.
 */
import { HalfLayout } from '../../registration/_internal/halfSpectrumDft';
import { Spectrum } from './alignCore';
import { ChainBuffers, chainBufferLength } from './chainStep';
import { chooseFirstFrameTranslation } from './firstFrame';
import { DriftMemory } from './motionMemory';
import { Lane } from './motionPool';
import { TrajectoryFit, TrajectoryUnit, fitTrajectory, interpolateUnits } from './trajectory';
import { UnitMeasurement, coarseWindow, passWindow } from './unitMeasure';

export interface DriftOptions {
  group: number;
  /** Frames per fine unit, or 'auto'. */
  fineGroup: number | 'auto';
  /** Incoherent sum of the frames' alignment powers Σ|S_n|² (coherence weights). */
  pInc: Float64Array;
  /** Noise power of all frames together per element (white level × filter²), for the peaks' σ. */
  noise: Float64Array;
  /** Lattice-spot frequencies (1) the coarse stages ignore. */
  spotMask: Uint8Array;
  /** Extra weights of the coarse stages (e.g. an extra low-pass), multiplied in. */
  coarseExtra?: Float64Array;
  /** 'coherence' (default): data-driven weights; 'uniform': the B-factor alone. */
  weighting: 'coherence' | 'uniform';
  maxShiftPx: number;
  coarseRadiusPx: number;
  searchRadiusPx: number;
  coarseIterations: number;
  fineIterations: number;
  hMinPx: number;
  /** Impose λ = σ²_measurement/σ²_step (undefined: from the peaks' σ). */
  lambda?: number;
  /** Called between units: yields to the event loop, checks cancellation, reports progress. */
  tick(stage: string, done: number, total: number): Promise<void>;
  /**
   * Threads of the refinement passes (motionPool), set up with the same spectra (shared memory):
   * each pass's reference is summed row-block-wise and its units measured on them (unitMeasure.ts).
   */
  lanes: Lane[];
  /** Where the pass reference and Σ|S|² live (the lanes' shared memory, where the core's kernels reach them). */
  shared: DriftMemory;
  /** Real-space lattice basis (px; firstFrame.latticeBasis): frame 0's lattice translation is then chosen by scoring candidates. */
  latticeBasis?: [[number, number], [number, number]];
  /**
   * Strain-aware fine stage (strainStage.ts): called before the last coarse pass and every fine pass
   * with the current positions; it replaces the lattice frequencies of the spectra the lanes share by
   * de-strained ones and returns their Σ|S|², which replaces `pInc` (shared with the lanes) from then on.
   */
  fineSpectra?(positions: Array<[number, number]>): Promise<Float64Array>;
  /** Test hook: start the refinements from these positions instead of the chain. */
  initialPositions?: Array<[number, number]>;
  /** Test hook: called after every pass with its units and the fitted positions. */
  onPass?(stage: string, units: TrajectoryUnit[], positions: Array<[number, number]>): void;
}

export interface DriftEstimate {
  /** Content position of every frame, px (frame 0 not yet subtracted). */
  positions: Array<[number, number]>;
  /** Frames per coarse group (after any doubling for a weak signal). */
  group: number;
  /** Coarse group measurements (content positions, px). */
  groupUnits: TrajectoryUnit[];
  /** Fine unit measurements. */
  fineUnits: TrajectoryUnit[];
  fineGroup: number;
  fit: TrajectoryFit;
  /** Fine units whose best value lay on the search window's edge (possible aliasing or a jump). */
  edgeHits: number;
  /** Chaining steps without a clear peak (replaced by the median step). */
  badSteps: number;
  /**
   * σ (px, larger axis) of frame 0's lattice-free measurement on its own (Infinity: it peaked on the
   * window's edge; undefined: not measured). The fine stage places frame 0 on the lattice peak nearest
   * to it, so a σ near a lattice period leaves frame 0 ambiguous by a lattice translation.
   */
  firstFrameSigmaPx?: number;
  /**
   * Frame 0's lattice translation, chosen by scoring candidates (firstFrame.ts): the best one's margin
   * over the runner-up in σ of the score difference (undefined: not scored — no lattice basis).
   */
  firstFrameMarginSigma?: number;
}

const TARGET_SIGMA_PX = 0.5;
/** Peak SNR below which a correlation maximum is treated as unreliable. */
const MIN_SNR = 5;

/**
 * The fine iterations at the final unit size stop once a pass moves the trajectory (relative to
 * frame 0) by less than this RMS, px. Measured, the 2nd → 3rd → 4th pass at the final size (1 frame):
 * the bench movie 0.0087 → 0.0003 → 0.0000 px, the recipe movies (seeds 21–23) 0.029–0.060 →
 * 0.0058–0.0093 → 0.0023–0.0031, notebook 02's scene (seeds 1–4 and its 40-frame movie) 0.014–0.092 →
 * 0.0017–0.030 → 0.0005–0.0031: after a move < 0.01 px the next one is ≤ 0.0031 px, < 1/10 of the
 * smallest per-frame error vs truth there (0.043 px).
 */
const CONVERGED_PX = 0.01;

/** RMS change of the positions relative to frame 0 between two trajectories, px. */
function movedPx(a: Array<[number, number]>, b: Array<[number, number]>): number {
  let s = 0;
  for (let n = 0; n < a.length; n++) s += (b[n][0] - b[0][0] - a[n][0] + a[0][0]) ** 2 + (b[n][1] - b[0][1] - a[n][1] + a[0][1]) ** 2;
  return Math.sqrt(s / a.length);
}

/**
 * Consecutive units of `size` frames, the last one shorter (the coarse groups), or, `balanced`, of at
 * least `size` frames with the remainder spread over them (the fine stage: a short tail unit — one
 * frame after 4-frame units at 0.16 counts/px — pulled the last frames of notebook 02's scene, seed 10,
 * onto a lattice alias, 2.18 → 0.68 px RMS; the coarse groups stay as they are: balancing them moved 3
 * of 16 seeds onto aliases); with `alone` frames first measured on their own. Fewer than `size`: one unit.
 */
export function units(n: number, size: number, alone = 0, balanced = false): Array<{ start: number; count: number }> {
  const out: Array<{ start: number; count: number }> = [];
  let s = 0;
  for (; s < Math.min(alone, n) && size > 1; s++) out.push({ start: s, count: 1 });
  const rest = n - s;
  if (!balanced) {
    for (; s < n; s += size) out.push({ start: s, count: Math.min(size, n - s) });
    return out;
  }
  const count = Math.max(1, Math.floor(rest / size));
  for (let i = 0; i < count && rest > 0; i++) {
    const a = s + Math.floor((i * rest) / count);
    const b = s + Math.floor(((i + 1) * rest) / count);
    out.push({ start: a, count: b - a });
  }
  return out;
}

/**
 * The first frame of a movie moves most (a jump as the beam hits): it is measured alone (coarse and
 * fine stages) and the trajectory fit leaves the first FREE_STEPS steps without a smoothness prior.
 * A later jump is kept by the fit's redescending step weights when the measurements show it. (Frame 1
 * alone as well, with a free step 1 → 2, let it follow its own lattice-free measurement — σ of
 * several px at < 0.2 counts/px — onto a neighbouring lattice peak: 1 of 6 notebook-02 seeds.)
 */
const FIRST_ALONE = 1;
const FREE_STEPS = 1;

function median(a: number[]): number {
  const s = a.filter(Number.isFinite).sort((p, q) => p - q);
  return s.length ? s[Math.floor(s.length / 2)] : Infinity;
}

export async function estimateDrift(spec: Spectrum[], layout: HalfLayout, o: DriftOptions): Promise<DriftEstimate> {
  const N = spec.length;
  const { rows, cols } = layout;
  const size = rows * cols;
  // the lanes get the drift context first (the chain runs on them too)
  const buf = o.shared.memory.buffer;
  const refAt = o.shared.reference;
  const { lanes } = o;
  // Σ|S|² in shared memory: the strain-aware stage replaces it between passes
  const pInc = new Float64Array(buf, o.shared.pInc, size);
  pInc.set(o.pInc);
  await Promise.all(lanes.map(l => l.call('drift', { pInc, noise: o.noise, spotMask: o.spotMask, coarseExtra: o.coarseExtra, weighting: o.weighting, coarseRadiusPx: o.coarseRadiusPx, hMinPx: o.hMinPx, reference: refAt })));
  /** Splits [0, n) into one block per lane and runs `task` on each. */
  const blocks = (n: number, task: (l: Lane, from: number, to: number) => Promise<unknown>): Promise<unknown> => {
    const per = Math.ceil(n / lanes.length);
    return Promise.all(lanes.map((l, i) => task(l, Math.min(n, i * per), Math.min(n, (i + 1) * per))));
  };
  /**
   * Runs task(i) for i in [from, to) on whichever lane is free next (two in flight per lane, so a
   * worker never waits for this thread to be scheduled); results by i, ticks as they end.
   */
  const spread = async <T>(from: number, to: number, task: (l: Lane, i: number) => Promise<T>, stage: string): Promise<T[]> => {
    const res: T[] = [];
    let next = from;
    let done = 0;
    await Promise.all(
      lanes.flatMap(l => [l, l]).map(async l => {
        while (next < to) {
          const i = next++;
          res[i - from] = await task(l, i);
          await o.tick(stage, ++done, to - from);
        }
      })
    );
    return res;
  };
  // 1. chain of groups; the group grows (×2) while its peaks are not clearly above the noise
  const chain = async (G: number): Promise<{ groups: Array<{ start: number; count: number }>; units: TrajectoryUnit[]; bad: number; snr: number }> => {
    const groups = units(N, G);
    const list: TrajectoryUnit[] = groups.map(g => ({ ...g, y: [0, 0] as [number, number] }));
    // group sums, their total, then the steps g − 1 → g (chainStep.ts), all on the lanes; the
    // chain's weights are coarse ones: sums and total only inside the coarse window, if any
    const window = coarseWindow(o.coarseExtra, layout);
    const sums: ChainBuffers = { buf: new SharedArrayBuffer(8 * chainBufferLength(groups.length, size)), groups, window };
    await blocks(groups.length, (l, from, to) => l.call('chainGroups', { chain: sums, from, to }));
    await blocks(window ? window.rows.length : rows, (l, r0, r1) => l.call('chainTotal', { chain: sums, r0, r1 }));
    const res = await spread(1, groups.length, (l, g) => l.call<{ d: [number, number]; atEdge: boolean; snr: number }>('chainStep', { chain: sums, g, maxShiftPx: o.maxShiftPx }), `chaining groups of ${G}`);
    const steps = res.map(r => ({ d: r.d, good: !r.atEdge && r.snr >= MIN_SNR }));
    const snrs = res.map(r => r.snr);
    // steps without a clear peak (window edge, or low SNR) take the median good step
    const good = steps.filter(t => t.good);
    const med = (ax: number): number => (good.length ? good.map(t => t.d[ax]).sort((a, b) => a - b)[good.length >> 1] : 0);
    steps.forEach((t, i) => {
      const d = t.good ? t.d : [med(0), med(1)];
      const prev = list[i].y;
      list[i + 1].y = [prev[0] + d[0], prev[1] + d[1]];
    });
    return { groups, units: list, bad: steps.length - good.length, snr: median(snrs) };
  };
  let G = Math.min(o.group, N);
  let c = await chain(G);
  while (c.groups.length > 3 && c.snr < 2 * MIN_SNR && 2 * G <= Math.max(1, Math.floor(N / 4))) {
    G *= 2;
    c = await chain(G);
  }
  const groups = c.groups;
  let groupUnits = c.units;
  const badSteps = c.bad;
  let positions: Array<[number, number]> = new Array(N).fill(0).map(() => [0, 0] as [number, number]);
  if (groups.length > 1) positions = interpolateUnits(N, groupUnits);
  if (o.initialPositions) positions = o.initialPositions.map(v => [v[0], v[1]] as [number, number]);
  o.onPass?.('chain', groupUnits, positions);

  // 2–3. refinement against the sum minus self
  let edgeHits = 0;
  let fineSigmaOfGroups: number[] = [];
  let fineSnrOfGroups: number[] = [];
  // the refinement passes' reference R (in shared memory): every lane sums a block of its rows,
  // then measures units against it (each lane with its own buffers, allocated once)
  const refine = async (unitList: Array<{ start: number; count: number }>, coarse: boolean, radius: number, stage: string, predictFine = false): Promise<TrajectoryUnit[]> => {
    const flat = new Float64Array(2 * N);
    positions.forEach((y, n) => flat.set(y, 2 * n));
    // a coarse pass without predictFine reads R only inside its window: built only there
    const window = passWindow({ weighting: o.weighting, coarseExtra: o.coarseExtra, layout }, coarse, predictFine);
    await blocks(window ? window.rows.length : rows, (l, r0, r1) => l.call('reference', { positions: flat, r0, r1, window }));
    // the units are independent given R and the positions: each lane takes the next one as it goes
    const res = await spread(0, unitList.length, (l, i) => l.call<UnitMeasurement>('unit', { unit: unitList[i], positions: flat, coarse, radius, predictFine }), stage);
    fineSigmaOfGroups = [];
    fineSnrOfGroups = [];
    return unitList.map((u, i) => {
      const r = res[i];
      if (predictFine) {
        fineSigmaOfGroups.push(r.fineSigma as number);
        fineSnrOfGroups.push(r.fineSnr as number);
      }
      if (r.edge) edgeHits++;
      return { ...u, y: r.y, sigma: r.sigma, weight: r.weight };
    });
  };

  const fitOf = (list: TrajectoryUnit[]): TrajectoryFit => {
    const finite = list.every(u => Number.isFinite(u.sigma));
    // steps between frames measured alone carry no smoothness prior
    let free = 0;
    while (free < list.length - 1 && list[free].count === 1 && free < FREE_STEPS) free++;
    return fitTrajectory(N, finite ? list : list.map(u => ({ ...u, sigma: undefined })), o.lambda, free);
  };
  // a deforming lattice: its frequencies de-strained about the current positions before each fine
  // pass and before the last coarse one (whose fine-σ predictions choose the fine unit size)
  const destrain = async (): Promise<void> => {
    if (o.fineSpectra) pInc.set(await o.fineSpectra(positions));
  };
  let fit: TrajectoryFit | undefined;
  for (let it = 0; it < o.coarseIterations && N > 1; it++) {
    const last = it === o.coarseIterations - 1;
    if (last) await destrain();
    groupUnits = await refine(groups, true, o.coarseRadiusPx, `coarse refinement ${it + 1}/${o.coarseIterations}`, last);
    fit = fitOf(groupUnits);
    positions = fit.x;
    o.onPass?.(`coarse ${it}`, groupUnits, positions);
  }
  // fine unit size: the fewest frames whose predicted σ (fine weights) is ≤ TARGET_SIGMA_PX
  let fineGroup = typeof o.fineGroup === 'number' ? o.fineGroup : 1;
  let fineBySnr = 1;
  if (o.fineGroup === 'auto') {
    // fewest frames with σ ≤ TARGET_SIGMA_PX and SNR ≥ 2·MIN_SNR, from the groups' values (σ ∝ 1/√g, SNR ∝ √g)
    const sG = median(fineSigmaOfGroups);
    const snrG = median(fineSnrOfGroups);
    const bySigma = Number.isFinite(sG) ? Math.ceil(G * (sG / TARGET_SIGMA_PX) ** 2) : G;
    const bySnr = Number.isFinite(snrG) && snrG > 0 ? Math.ceil(G * ((2 * MIN_SNR) / snrG) ** 2) : 1;
    fineGroup = Math.max(1, Math.min(G, bySigma, Math.max(bySigma, bySnr)));
    fineBySnr = bySnr;
  }
  // The first frame (a jump as the beam hits) only had the position interpolated from its group:
  // measure it alone once with the lattice-free (sub-lattice) weights in the wide window, so a jump of
  // about a lattice period cannot leave it on an aliased lattice peak in the narrow fine window. At
  // < 0.2 counts/px its σ can reach a lattice period: firstFrameSigmaPx lets alignFrames say so.
  let firstFrameSigmaPx: number | undefined;
  if (G > 1 && N > FIRST_ALONE + 1) {
    const alone = await refine(units(N, G, FIRST_ALONE), true, o.coarseRadiusPx, 'coarse refinement (first frame alone)');
    firstFrameSigmaPx = (alone[0].weight ?? 1) < 1 ? Infinity : alone[0].sigma;
    fit = fitOf(alone);
    positions = fit.x;
    o.onPass?.('coarse (first frame alone)', alone, positions);
  }
  // halve the units from G down to the fine size (the reference, and with it the coherence weights,
  // sharpens as the trajectory improves), then iterate at the fine size
  const halving = (from: number, to: number): number[] => {
    const out: number[] = [];
    for (let g = from; g > to; ) {
      g = Math.max(to, Math.ceil(g / 2));
      out.push(g);
    }
    for (let it = 0; it < o.fineIterations; it++) out.push(to);
    return out;
  };
  const sizes = halving(G, fineGroup);
  let fineUnits: TrajectoryUnit[] = groupUnits;
  for (let it = 0; it < sizes.length && N > 1; it++) {
    await destrain();
    edgeHits = 0;
    fineUnits = await refine(units(N, sizes[it], FIRST_ALONE, true), false, o.searchRadiusPx, `fine refinement ${it + 1}/${sizes.length} (${sizes[it]} frame${sizes[it] > 1 ? 's' : ''} per unit)`);
    fit = fitOf(fineUnits);
    const before = positions;
    positions = fit.x;
    o.onPass?.(`fine ${it} (${sizes[it]})`, fineUnits, positions);
    // 'auto' units of several frames: their σ measured against the fine reference may allow smaller
    // units than the coarse stage's prediction did (it sees a blurrier reference, and a deforming
    // lattice not yet de-strained: notebook 02's scene seeds 12 and 15 got 3- and 7-frame units whose
    // measured σ, 0.06 px, predicts 0.1 px for single frames) — then halve on to that size
    if (o.fineGroup === 'auto' && sizes[it] === fineGroup && fineGroup > 1) {
      const sg = median(fineUnits.filter(u => u.count > 1).map(u => u.sigma ?? NaN));
      const want = Number.isFinite(sg) ? Math.max(1, fineBySnr, Math.ceil(fineGroup * (sg / TARGET_SIGMA_PX) ** 2)) : fineGroup;
      if (want < fineGroup) {
        sizes.splice(it + 1, sizes.length, ...halving(fineGroup, want));
        fineGroup = want;
        continue;
      }
    }
    // converged at the final unit size: the remaining iterations would not move it
    if (sizes[it] === fineGroup && movedPx(before, positions) < CONVERGED_PX) break;
  }
  // frame 0's lattice translation: the fine stage kept it on the lattice peak nearest to its
  // lattice-free measurement; score every nearby translation against the others (all frequencies)
  let firstFrameMarginSigma: number | undefined;
  if (o.latticeBasis && N > 2 && sizes.length > 0) {
    // on the lanes: the others' sum into the (now free) shared reference, the 25 searches and the σ
    const R = { re: new Float64Array(buf, refAt, size), im: new Float64Array(buf, refAt + 8 * size, size) };
    const choice = await chooseFirstFrameTranslation(spec, layout, positions, pInc, o.noise, o.latticeBasis, o.hMinPx, lanes, R);
    firstFrameMarginSigma = choice.marginSigma;
    if (choice.translation[0] !== 0 || choice.translation[1] !== 0) {
      positions[0] = [positions[0][0] + choice.correctionPx[0], positions[0][1] + choice.correctionPx[1]];
      await destrain();
      edgeHits = 0;
      fineUnits = await refine(units(N, fineGroup, FIRST_ALONE, true), false, o.searchRadiusPx, 'fine refinement (frame 0 moved by a lattice translation)');
      fit = fitOf(fineUnits);
      positions = fit.x;
      o.onPass?.('fine (frame 0 translated)', fineUnits, positions);
    }
  }
  fit ??= fitOf(fineUnits);
  return { positions, group: G, groupUnits, fineUnits, fineGroup, fit, edgeHits, badSteps, firstFrameSigmaPx, firstFrameMarginSigma };
}
