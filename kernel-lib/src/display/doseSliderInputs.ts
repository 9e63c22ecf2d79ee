/**
 * What the dose slider accepts, turned into payload fields: doses in the forms a user naturally has,
 * tracked spots (lattice.trackSpots) and a critical-dose fit (dose.fitCriticalDose).
 */
import { ShapeError, ValueError } from '../errors';
import type { CriticalDoseFit } from '../dose/fitCriticalDose';
import type { TrackSpotsResult } from '../lattice/trackSpots';
import type { Metadata } from '../types/dataset';
import type { DoseSeriesFit, DoseSeriesTracks } from './doseSeriesProtocol';

/**
 * Doses of a series, any of:
 * - a number: the dose of every frame, e⁻/Å²;
 * - an array with one value per frame: cumulative doses (end of each frame, e.g. `metadata.cumulativeDoseEPerA2`)
 *   or per-frame doses — see `DoseSliderOptions.dosesAre` (default 'auto': strictly increasing → cumulative);
 * - the result of `dose.cumulativeDose` (exact: frame doses and pre-dose follow from its end and midpoint doses);
 * - the result of `dose.frameDoses`;
 * - null/undefined: from the stack's metadata (`doseEPerA2PerFrame` + `preDoseEPerA2`, or `cumulativeDoseEPerA2`).
 */
export type DoseInput =
  | number
  | ArrayLike<number>
  | { cumulativeEPerA2: ArrayLike<number>; midpointEPerA2: ArrayLike<number> }
  | { frameDosesEPerA2: ArrayLike<number> }
  | null
  | undefined;

/** Doses as the payload carries them. */
export interface ResolvedDoses {
  frameDoseEPerA2: number[];
  cumulativeDoseEPerA2: number[];
  preDoseEPerA2: number;
}

/** Turns any {@link DoseInput} into per-frame and cumulative doses for `n` frames. */
export function resolveDoses(
  fn: string,
  doses: DoseInput,
  n: number,
  metadata: Metadata,
  dosesAre: 'auto' | 'cumulative' | 'perFrame',
  preDose: number | undefined
): ResolvedDoses {
  if (preDose !== undefined && !(Number.isFinite(preDose) && preDose >= 0)) {
    throw new ValueError(`${fn}: options.preDoseEPerA2 must be a finite dose ≥ 0 in e⁻/Å²; got ${preDose}.`);
  }
  if (doses === null || doses === undefined) {
    const perFrame = metadata.doseEPerA2PerFrame;
    const pre = typeof metadata.preDoseEPerA2 === 'number' ? (metadata.preDoseEPerA2 as number) : undefined;
    if (Array.isArray(perFrame) || typeof perFrame === 'number') return fromPerFrame(fn, perFrame as number | number[], n, preDose ?? pre ?? 0);
    const cumulative = metadata.cumulativeDoseEPerA2;
    if (Array.isArray(cumulative)) return fromCumulative(fn, cumulative as number[], n, preDose ?? pre ?? 0);
    throw new ValueError(
      `${fn}: doses must be given (a dose per frame, cumulative doses, or dose.cumulativeDose's result); got ${String(doses)} and the stack's metadata has none. ` +
        'Pass e.g. lowdose.dose.cumulativeDose(lowdose.dose.frameDoses({ totalDoseEPerA2: 21.5, nFrames: 30 }).frameDosesEPerA2).'
    );
  }
  if (typeof doses === 'number') return fromPerFrame(fn, doses, n, preDose ?? 0);
  if (typeof doses === 'object' && 'cumulativeEPerA2' in doses && 'midpointEPerA2' in doses) {
    const end = Array.from(doses.cumulativeEPerA2);
    const mid = Array.from(doses.midpointEPerA2);
    if (end.length !== n || mid.length !== n) throw new ShapeError(`${fn}: doses.cumulativeEPerA2 must hold one dose per frame (${n}); got ${end.length}.`);
    const perFrame = end.map((e, i) => 2 * (e - mid[i]));
    return checked(fn, perFrame, end, end[0] - perFrame[0]);
  }
  if (typeof doses === 'object' && 'frameDosesEPerA2' in doses) return fromPerFrame(fn, Array.from(doses.frameDosesEPerA2), n, preDose ?? 0);
  if (typeof doses === 'object' && typeof (doses as ArrayLike<number>).length === 'number') {
    const list = Array.from(doses as ArrayLike<number>);
    const increasing = list.length >= 2 && list.every((v, i) => i === 0 || v > list[i - 1]);
    const mode = dosesAre === 'auto' ? (increasing ? 'cumulative' : 'perFrame') : dosesAre;
    if (mode !== 'cumulative' && mode !== 'perFrame') throw new ValueError(`${fn}: options.dosesAre must be 'auto', 'cumulative' or 'perFrame'; got ${String(dosesAre)}.`);
    return mode === 'cumulative' ? fromCumulative(fn, list, n, preDose ?? 0) : fromPerFrame(fn, list, n, preDose ?? 0);
  }
  throw new ValueError(`${fn}: doses must be a number, an array of doses, or the result of dose.cumulativeDose / dose.frameDoses; got ${typeof doses}.`);
}

function fromPerFrame(fn: string, d: number | number[], n: number, pre: number): ResolvedDoses {
  const perFrame = typeof d === 'number' ? new Array<number>(n).fill(d) : d.slice();
  if (perFrame.length !== n) throw new ShapeError(`${fn}: doses must hold one dose per frame (${n}); got ${perFrame.length}.`);
  let acc = pre;
  return checked(fn, perFrame, perFrame.map(v => (acc += v)), pre);
}

function fromCumulative(fn: string, end: number[], n: number, pre: number): ResolvedDoses {
  if (end.length !== n) throw new ShapeError(`${fn}: doses must hold one cumulative dose per frame (${n}); got ${end.length}.`);
  return checked(fn, end.map((e, i) => e - (i === 0 ? pre : end[i - 1])), end.slice(), pre);
}

function checked(fn: string, perFrame: number[], end: number[], pre: number): ResolvedDoses {
  perFrame.forEach((v, i) => {
    if (!(Number.isFinite(v) && v >= -1e-9 * Math.max(1, Math.abs(end[i])))) {
      throw new ValueError(`${fn}: the dose of frame ${i} must be a finite dose ≥ 0 in e⁻/Å²; got ${v}. Cumulative doses must not decrease (and start at or above preDoseEPerA2).`);
    }
  });
  if (!(Number.isFinite(pre) && pre >= -1e-9)) throw new ValueError(`${fn}: the pre-dose must be a finite dose ≥ 0; got ${pre}.`);
  return { frameDoseEPerA2: perFrame.map(v => Math.max(0, v)), cumulativeDoseEPerA2: end, preDoseEPerA2: Math.max(0, pre) };
}

/** Payload form of a trackSpots result (non-finite values become null). */
export function tracksPayload(fn: string, t: TrackSpotsResult, doses: ResolvedDoses): DoseSeriesTracks {
  const n = doses.frameDoseEPerA2.length;
  if (!t || !Array.isArray(t.spots) || !Array.isArray(t.frames) || !Array.isArray(t.g)) {
    throw new ValueError(`${fn}: options.tracks must be the result of lattice.trackSpots; got ${typeof t}.`);
  }
  const frames = t.frames.map((fr, i): [number, number] => {
    if (!Array.isArray(fr) || fr.length === 0 || fr[0] < 0 || fr[fr.length - 1] >= n) {
      throw new ShapeError(`${fn}: options.tracks.frames[${i}] must list frames of this ${n}-frame series; got ${JSON.stringify(fr)}. Track the same stack you show.`);
    }
    return [fr[0], fr[fr.length - 1]];
  });
  const mid = doses.cumulativeDoseEPerA2.map((e, i) => e - doses.frameDoseEPerA2[i] / 2);
  const doseEPerA2 =
    Array.isArray(t.doseEPerA2) && t.doseEPerA2.length === frames.length
      ? t.doseEPerA2.slice()
      : t.frames.map(fr => fr.reduce((a, i) => a + mid[i], 0) / fr.length);
  const num = (v: number): number => (Number.isFinite(v) ? v : (null as unknown as number));
  return {
    spots: t.spots.map((s, i) => ({ label: s.label ?? `spot ${i + 1}`, kxInvA: s.kxInvA, kyInvA: s.kyInvA })),
    frames,
    doseEPerA2,
    kxInvA: t.g.map(row => row.map(g => num(g.kxInvA))),
    kyInvA: t.g.map(row => row.map(g => num(g.kyInvA))),
    dA: t.dA.map(row => row.map(num)),
    intensity: t.intensity.map(row => row.map(num)),
    strain:
      t.strain && t.strain.length === frames.length
        ? { e1: t.strain.map(s => num(s.e1)), e2: t.strain.map(s => num(s.e2)), angleDeg: t.strain.map(s => num(s.angleDeg)) }
        : null
  };
}

/** Payload form of a fitCriticalDose result. */
export function fitPayload(fn: string, f: CriticalDoseFit, label: string | undefined): DoseSeriesFit {
  if (!f || !(f.criticalDoseEPerA2 > 0) || !Number.isFinite(f.criticalDoseEPerA2) || !Number.isFinite(f.i0) || !Number.isFinite(f.background)) {
    throw new ValueError(`${fn}: options.fit must be a dose.fitCriticalDose result with a finite Dc > 0; got ${JSON.stringify(f && { criticalDoseEPerA2: f.criticalDoseEPerA2 })}.`);
  }
  const [lo, hi] = f.ci95 ?? [f.criticalDoseEPerA2, Infinity];
  return {
    label: label ?? 'critical-dose fit',
    criticalDoseEPerA2: f.criticalDoseEPerA2,
    i0: f.i0,
    background: f.background,
    ci95: [Number.isFinite(lo) ? lo : 0, Number.isFinite(hi) ? hi : null],
    underdetermined: Boolean(f.underdetermined)
  };
}
