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
 *     (lattice-aliasing guard: below half a lattice period).
 * Each correlation is weighted by the data's own coherence (alignCore.coherenceWeights); each peak
 * gets a first-order σ (alignCore.peakSigma); after each pass a robust smooth trajectory is fitted
 * (trajectory.ts) and the reference rebuilt.
 */
import { HalfLayout } from '../../registration/_internal/halfSpectrumDft';
import { Spectrum, addShifted, correlationAt, globalPeak, unshiftFactors, zoomPeak } from './alignCore';
import { WeightScratch, coherenceWeights, coherenceWeightsOfPower, peakSigma, peakSnr, weightScratch } from './spectralStats';
import { TrajectoryFit, TrajectoryUnit, fitTrajectory, interpolateUnits } from './trajectory';

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
}

type Complex = { re: Float64Array; im: Float64Array };

const TARGET_SIGMA_PX = 0.5;
/** Peak SNR below which a correlation maximum is treated as unreliable. */
const MIN_SNR = 5;

/** Consecutive units of `size` frames; with `alone` frames first measured on their own. */
function units(n: number, size: number, alone = 0): Array<{ start: number; count: number }> {
  const out: Array<{ start: number; count: number }> = [];
  let s = 0;
  for (; s < Math.min(alone, n) && size > 1; s++) out.push({ start: s, count: 1 });
  for (; s < n; s += size) out.push({ start: s, count: Math.min(size, n - s) });
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

/**
 * One frame of a unit: acc += S·factors (the frame brought to the reference frame) and
 * pOthers −= |S|² (starting from `pInc` when given: the unit's first frame). One sweep.
 */
function unitFrame(acc: Complex, pOthers: Float64Array, pInc: Float64Array | undefined, S: Spectrum, f: { ey: Float64Array; ex: Float64Array }, rows: number, cols: number): void {
  const { ey, ex } = f;
  const first = pInc !== undefined;
  for (let r = 0; r < rows; r++) {
    const yr = ey[2 * r];
    const yi = ey[2 * r + 1];
    const o = r * cols;
    for (let c = 0; c < cols; c++) {
      const k = o + c;
      const fr = yr * ex[2 * c] - yi * ex[2 * c + 1];
      const fi = yr * ex[2 * c + 1] + yi * ex[2 * c];
      const a = S.re[k];
      const b = S.im[k];
      const vr = a * fr - b * fi;
      const vi = a * fi + b * fr;
      if (first) {
        acc.re[k] = vr;
        acc.im[k] = vi;
        pOthers[k] = (pInc as Float64Array)[k] - (a * a + b * b);
      } else {
        acc.re[k] += vr;
        acc.im[k] += vi;
        pOthers[k] -= a * a + b * b;
      }
    }
  }
}

/** Ru = R − Ua and r2 = |Ru|², one sweep. */
function othersOf(R: Complex, Ua: Complex, Ru: Complex, r2: Float64Array): void {
  for (let k = 0; k < r2.length; k++) {
    const a = R.re[k] - Ua.re[k];
    const b = R.im[k] - Ua.im[k];
    Ru.re[k] = a;
    Ru.im[k] = b;
    r2[k] = a * a + b * b;
  }
}

/** P = U·conj(R)·W (into `out` when given). */
function crossPower(U: Complex, R: Complex, W: Float64Array, out?: Complex): Complex {
  const n = U.re.length;
  const re = out ? out.re : new Float64Array(n);
  const im = out ? out.im : new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const w = W[k];
    if (w === 0) {
      re[k] = 0;
      im[k] = 0;
      continue;
    }
    re[k] = (U.re[k] * R.re[k] + U.im[k] * R.im[k]) * w;
    im[k] = (U.im[k] * R.re[k] - U.re[k] * R.im[k]) * w;
  }
  return { re, im };
}

function median(a: number[]): number {
  const s = a.filter(Number.isFinite).sort((p, q) => p - q);
  return s.length ? s[Math.floor(s.length / 2)] : Infinity;
}

export async function estimateDrift(spec: Spectrum[], layout: HalfLayout, o: DriftOptions): Promise<DriftEstimate> {
  const N = spec.length;
  const { rows, cols } = layout;
  const size = rows * cols;
  const zero = (): Complex => ({ re: new Float64Array(size), im: new Float64Array(size) });
  const coarseWeights = (w: Float64Array, coarse: boolean): Float64Array => {
    if (coarse && o.coarseExtra) for (let k = 0; k < size; k++) w[k] *= o.coarseExtra[k];
    w[0] = 0;
    return w;
  };
  // weights into a scratch (its `w`: valid until the scratch's next use)
  const weightsFor = (R: Complex, coarse: boolean, pInc = o.pInc, scratch: WeightScratch = weightScratch(size)): Float64Array => {
    const w = o.weighting === 'coherence' ? coherenceWeights(R, pInc, layout, coarse ? o.spotMask : undefined, 2, scratch) : scratch.w.fill(1);
    if (o.weighting !== 'coherence' && coarse) for (let k = 0; k < size; k++) if (o.spotMask[k]) w[k] = 0;
    if (coarse && o.coarseExtra) for (let k = 0; k < size; k++) w[k] *= o.coarseExtra[k];
    w[0] = 0;
    return w;
  };
  // 1. chain of groups; the group grows (×2) while its peaks are not clearly above the noise
  const chain = async (G: number): Promise<{ groups: Array<{ start: number; count: number }>; units: TrajectoryUnit[]; bad: number; snr: number }> => {
    const groups = units(N, G);
    const groupSpec = groups.map(g => {
      const s = zero();
      for (let n = g.start; n < g.start + g.count; n++) addShifted(s.re, s.im, spec[n], unshiftFactors(layout, [0, 0]), rows, cols);
      return s;
    });
    const list: TrajectoryUnit[] = groups.map(g => ({ ...g, y: [0, 0] as [number, number] }));
    const total = zero();
    for (const g of groupSpec) {
      for (let k = 0; k < size; k++) {
        total.re[k] += g.re[k];
        total.im[k] += g.im[k];
      }
    }
    const groupPower = groups.map(g => {
      const q = new Float64Array(size);
      for (let n = g.start; n < g.start + g.count; n++) for (let k = 0; k < size; k++) q[k] += spec[n].re[k] ** 2 + spec[n].im[k] ** 2;
      return q;
    });
    const steps: Array<{ d: [number, number]; good: boolean }> = [];
    const snrs: number[] = [];
    for (let g = 1; g < groups.length; g++) {
      // weights from the other groups only (no selection on the pair's own noise)
      const rest = { re: Float64Array.from(total.re), im: Float64Array.from(total.im) };
      const pRest = Float64Array.from(o.pInc);
      for (const h of [g - 1, g]) {
        for (let k = 0; k < size; k++) {
          rest.re[k] -= groupSpec[h].re[k];
          rest.im[k] -= groupSpec[h].im[k];
          pRest[k] -= groupPower[h][k];
        }
      }
      const W0 = groups.length > 2 ? weightsFor(rest, true, pRest) : weightsFor(total, true);
      const P = crossPower(groupSpec[g], groupSpec[g - 1], W0);
      const p = globalPeak(P.re, P.im, layout, o.maxShiftPx, o.hMinPx * 4);
      const fa = groups[g].count / N;
      const fb = groups[g - 1].count / N;
      const snr = peakSnr(p.value, groupSpec[g], groupSpec[g - 1], W0, o.noise, fa, fb, layout);
      snrs.push(snr);
      steps.push({ d: p.position, good: !p.atEdge && snr >= MIN_SNR });
      await o.tick(`chaining groups of ${G}`, g, groups.length - 1);
    }
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
  // buffers of the refinement passes (allocated once: the passes run hundreds of units)
  const Rbuf = zero();
  const Ua = zero();
  const Ru = zero();
  const Pbuf = zero();
  const Pbuf2 = zero();
  const pOthers = new Float64Array(size);
  const scratchW = weightScratch(size);
  const scratchF = weightScratch(size);
  const refine = async (unitList: Array<{ start: number; count: number }>, coarse: boolean, radius: number, stage: string, predictFine = false): Promise<TrajectoryUnit[]> => {
    const R = Rbuf;
    R.re.fill(0);
    R.im.fill(0);
    for (let n = 0; n < N; n++) addShifted(R.re, R.im, spec[n], unshiftFactors(layout, positions[n]), rows, cols);
    const out: TrajectoryUnit[] = [];
    fineSigmaOfGroups = [];
    fineSnrOfGroups = [];
    for (let i = 0; i < unitList.length; i++) {
      const u = unitList[i];
      const center: [number, number] = [0, 0];
      for (let n = u.start; n < u.start + u.count; n++) {
        center[0] += positions[n][0] / u.count;
        center[1] += positions[n][1] / u.count;
      }
      // Ua: the unit's frames brought to the reference frame; R_u = R − Ua (the sum of the others);
      // the correlation of Ua with R_u peaks at the unit's offset from its current position (≈ 0).
      // weights from the others only (R_u and their incoherent power): weights that saw the unit's
      // own noise would favour its current position and freeze errors in place
      for (let n = u.start; n < u.start + u.count; n++) {
        unitFrame(Ua, pOthers, n === u.start ? o.pInc : undefined, spec[n], unshiftFactors(layout, positions[n]), rows, cols);
      }
      othersOf(R, Ua, Ru, scratchW.r2);
      const W = o.weighting === 'coherence' ? coarseWeights(coherenceWeightsOfPower(scratchW.r2, pOthers, layout, coarse ? o.spotMask : undefined, 2, scratchW), coarse) : weightsFor(Ru, coarse, pOthers, scratchW);
      const P = crossPower(Ua, Ru, W, Pbuf);
      let p = zoomPeak(P.re, P.im, layout, [0, 0], radius, o.hMinPx);
      if (p.atEdge && !coarse) {
        // the trajectory missed this unit (a jump inside a coarse group): look again in the wide
        // window with the lattice-free weights, then refine there with every frequency
        const Pc = crossPower(Ua, Ru, weightsFor(Ru, true, pOthers, scratchF), Pbuf2);
        const wide = zoomPeak(Pc.re, Pc.im, layout, [0, 0], o.coarseRadiusPx, o.hMinPx * 4);
        if (!wide.atEdge) {
          const again = zoomPeak(P.re, P.im, layout, wide.position, radius, o.hMinPx);
          if (!again.atEdge) p = again;
        }
      }
      const offset = p.position;
      const fu = u.count / N;
      const sig = peakSigma(Ua, Ru, W, o.noise, fu, 1 - fu, layout, offset);
      if (predictFine) {
        const Wf = weightsFor(Ru, false, pOthers, scratchF);
        fineSigmaOfGroups.push(Math.max(...peakSigma(Ua, Ru, Wf, o.noise, fu, 1 - fu, layout, offset)));
        const Pf = crossPower(Ua, Ru, Wf, Pbuf2);
        const at = correlationAt(Pf.re, Pf.im, layout, [offset[0]], [offset[1]])[0];
        fineSnrOfGroups.push(peakSnr(at, Ua, Ru, Wf, o.noise, fu, 1 - fu, layout));
      }
      if (p.atEdge && !coarse) edgeHits++;
      out.push({ ...u, y: [center[0] + offset[0], center[1] + offset[1]], sigma: Math.max(sig[0], sig[1], 0.01), weight: p.atEdge ? 0.01 : 1 });
      await o.tick(stage, i + 1, unitList.length);
    }
    return out;
  };

  const fitOf = (list: TrajectoryUnit[]): TrajectoryFit => {
    const finite = list.every(u => Number.isFinite(u.sigma));
    // steps between frames measured alone carry no smoothness prior
    let free = 0;
    while (free < list.length - 1 && list[free].count === 1 && free < FREE_STEPS) free++;
    return fitTrajectory(N, finite ? list : list.map(u => ({ ...u, sigma: undefined })), o.lambda, free);
  };
  let fit: TrajectoryFit | undefined;
  for (let it = 0; it < o.coarseIterations && N > 1; it++) {
    const last = it === o.coarseIterations - 1;
    groupUnits = await refine(groups, true, o.coarseRadiusPx, `coarse refinement ${it + 1}/${o.coarseIterations}`, last);
    fit = fitOf(groupUnits);
    positions = fit.x;
    o.onPass?.(`coarse ${it}`, groupUnits, positions);
  }
  // fine unit size: the fewest frames whose predicted σ (fine weights) is ≤ TARGET_SIGMA_PX
  let fineGroup = typeof o.fineGroup === 'number' ? o.fineGroup : 1;
  if (o.fineGroup === 'auto') {
    // fewest frames with σ ≤ TARGET_SIGMA_PX and SNR ≥ 2·MIN_SNR, from the groups' values (σ ∝ 1/√g, SNR ∝ √g)
    const sG = median(fineSigmaOfGroups);
    const snrG = median(fineSnrOfGroups);
    const bySigma = Number.isFinite(sG) ? Math.ceil(G * (sG / TARGET_SIGMA_PX) ** 2) : G;
    const bySnr = Number.isFinite(snrG) && snrG > 0 ? Math.ceil(G * ((2 * MIN_SNR) / snrG) ** 2) : 1;
    fineGroup = Math.max(1, Math.min(G, bySigma, Math.max(bySigma, bySnr)));
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
  const sizes: number[] = [];
  for (let g = G; g > fineGroup; ) {
    g = Math.max(fineGroup, Math.ceil(g / 2));
    sizes.push(g);
  }
  for (let it = 0; it < o.fineIterations; it++) sizes.push(fineGroup);
  let fineUnits: TrajectoryUnit[] = groupUnits;
  for (let it = 0; it < sizes.length && N > 1; it++) {
    edgeHits = 0;
    fineUnits = await refine(units(N, sizes[it], FIRST_ALONE), false, o.searchRadiusPx, `fine refinement ${it + 1}/${sizes.length} (${sizes[it]} frame${sizes[it] > 1 ? 's' : ''} per unit)`);
    fit = fitOf(fineUnits);
    positions = fit.x;
    o.onPass?.(`fine ${it} (${sizes[it]})`, fineUnits, positions);
  }
  fit ??= fitOf(fineUnits);
  return { positions, group: G, groupUnits, fineUnits, fineGroup, fit, edgeHits, badSteps, firstFrameSigmaPx };
}
