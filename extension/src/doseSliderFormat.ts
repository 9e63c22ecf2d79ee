/**
 * Pure helpers of the dose slider: the window a slider position stands for, its labels, the code
 * "Insert as code" writes, and the state saved in the output metadata. No DOM.
 */
import type { DoseSeriesPayloadV1, DoseSeriesViewState } from 'lowdose/dist/browser';
import { VIEW_STATE_KEY } from 'lowdose/dist/browser';
import { formatNumber } from './format';

/** The frames a view shows: `first..last` (0-based, inclusive) and their dose and time range. */
export interface DoseWindow {
  first: number;
  last: number;
  /** Accumulated dose before the first frame and after the last, e⁻/Å². */
  doseStartEPerA2: number;
  doseEndEPerA2: number;
  /** Mean of the frames' midpoint doses, e⁻/Å² (where trackSpots puts a group's measurement). */
  doseMidEPerA2: number;
  /** Time since the first exposure at the start and end of the window, s (null without a frame time). */
  timeStartS: number | null;
  timeEndS: number | null;
}

/** Largest slider position for a group size: the last window still holds `group` frames. */
export function maxStart(payload: DoseSeriesPayloadV1, group: number): number {
  return Math.max(0, payload.shape[0] - group);
}

/** Clamps a group size to 1..frames and a start frame to 0..maxStart. */
export function clampView(payload: DoseSeriesPayloadV1, frame: number, group: number): { frame: number; group: number } {
  const n = payload.shape[0];
  const g = Math.min(n, Math.max(1, Math.round(Number.isFinite(group) ? group : 1)));
  const f = Math.min(maxStart(payload, g), Math.max(0, Math.round(Number.isFinite(frame) ? frame : 0)));
  return { frame: f, group: g };
}

/** The dose window of frames `first .. first + group − 1`. */
export function doseWindow(payload: DoseSeriesPayloadV1, first: number, group: number): DoseWindow {
  const last = Math.min(payload.shape[0] - 1, first + group - 1);
  const end = payload.cumulativeDoseEPerA2;
  const perFrame = payload.frameDoseEPerA2;
  let mid = 0;
  for (let i = first; i <= last; i++) mid += end[i] - perFrame[i] / 2;
  const t = payload.frameTimeS;
  return {
    first,
    last,
    doseStartEPerA2: end[first] - perFrame[first],
    doseEndEPerA2: end[last],
    doseMidEPerA2: mid / (last - first + 1),
    timeStartS: t === null ? null : first * t,
    timeEndS: t === null ? null : (last + 1) * t
  };
}

/** The slider label: accumulated dose (and time) at the end of the window, then which frames. */
export function windowLabel(payload: DoseSeriesPayloadV1, w: DoseWindow): string {
  const n = payload.shape[0];
  const parts = [`${formatNumber(w.doseEndEPerA2)} e⁻/Å²`];
  if (w.timeEndS !== null) parts.push(`${formatNumber(w.timeEndS)} s`);
  parts.push(w.first === w.last ? `frame ${w.first + 1}/${n}` : `frames ${w.first + 1}–${w.last + 1}/${n}`);
  return parts.join(' · ');
}

/** Longer description of the window for the status line and the frame caption. */
export function windowDetail(w: DoseWindow): string {
  const frames = w.last - w.first + 1;
  const dose = `${formatNumber(w.doseStartEPerA2)}–${formatNumber(w.doseEndEPerA2)} e⁻/Å²`;
  const time = w.timeStartS !== null && w.timeEndS !== null ? `, ${formatNumber(w.timeStartS)}–${formatNumber(w.timeEndS)} s` : '';
  return `${frames === 1 ? 'single frame' : `sum of ${frames} frames`}, dose ${dose}${time}`;
}

/** The cell "Insert as code" writes: the sum of the window's frames, then shows it. */
export function windowCode(payload: DoseSeriesPayloadV1, w: DoseWindow): string {
  const name = `doseWindow${w.first}to${w.last}`;
  const shifts = payload.shiftsExpression ? `, shiftsPx: ${payload.shiftsExpression}` : '';
  const dose = `${formatNumber(w.doseStartEPerA2)}–${formatNumber(w.doseEndEPerA2)} e⁻/Å²`;
  const time = w.timeStartS !== null && w.timeEndS !== null ? `, ${formatNumber(w.timeStartS)}–${formatNumber(w.timeEndS)} s` : '';
  return [
    `// Dose window chosen in the dose slider: frames ${w.first}–${w.last} (0-based) of ${payload.shape[0]}, ${dose}${time}`,
    `const ${name} = await lowdose.display.sumDoseWindow(${payload.variableName}, { firstFrame: ${w.first}, lastFrame: ${w.last}${shifts} });`,
    `lowdose.display.show(${name}, { title: ${JSON.stringify(`frames ${w.first}–${w.last} · ${dose}`)} });`
  ].join('\n');
}

type JsonObject = { [key: string]: unknown };

/** The saved state under `metadata[mime][VIEW_STATE_KEY]`, checked against the payload; undefined if absent or bad. */
export function readDoseState(metadata: unknown, mimeType: string, payload: DoseSeriesPayloadV1): DoseSeriesViewState | undefined {
  const forMime = isObject(metadata) ? metadata[mimeType] : undefined;
  const raw = isObject(forMime) ? forMime[VIEW_STATE_KEY] : undefined;
  if (!isObject(raw) || !Number.isInteger(raw.frame) || !Number.isInteger(raw.groupFrames)) {
    return undefined;
  }
  const { frame, group } = clampView(payload, raw.frame as number, raw.groupFrames as number);
  return { frame, groupFrames: group, playing: false };
}

/** A new metadata object with the state stored, keeping every other key. */
export function withDoseState(metadata: unknown, mimeType: string, state: DoseSeriesViewState): JsonObject {
  const base = isObject(metadata) ? metadata : {};
  const forMime = isObject(base[mimeType]) ? (base[mimeType] as JsonObject) : {};
  return { ...base, [mimeType]: { ...forMime, [VIEW_STATE_KEY]: { frame: state.frame, groupFrames: state.groupFrames, playing: false } } };
}

export function doseStatesEqual(a: DoseSeriesViewState | undefined, b: DoseSeriesViewState | undefined): boolean {
  return (a?.frame ?? -1) === (b?.frame ?? -1) && (a?.groupFrames ?? -1) === (b?.groupFrames ?? -1);
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Identity of a payload apart from its frame data (compared by length and a sample of each frame). */
export function payloadKey(p: DoseSeriesPayloadV1): string {
  const frames = p.frames.frames.map(f => `${f.data.length}:${f.data.slice(0, 24)}:${f.data.slice(-24)}`);
  return JSON.stringify({ ...p, frames: { ...p.frames, frames } });
}
