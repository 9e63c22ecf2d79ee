import {
  AXIS_UNITS,
  COLORMAP_NAMES,
  DOSE_SERIES_PAYLOAD_VERSION,
  DoseSeriesPayloadV1,
  ValidationResult
} from './protocol';
import { isObject, isFiniteNumber, isPositiveInt, describeValue, versionProblem } from './_internal/payloadChecks';

/** Largest series the renderer accepts (frames × preview pixels), so a hostile payload cannot make it allocate gigabytes. */
const MAX_PREVIEW_ELEMENTS = 2 ** 28;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Checks an untrusted `application/vnd.lowdose.doseseries.v1+json` payload field by field.
 *
 * Renderers call this before touching a payload: a malformed one gives a message naming the first
 * bad field; one from a newer lowdose asks to update the extension. Frame bytes are only checked to
 * be base64 here (they are deflated; their decoded length is checked when they are inflated).
 * Browser-safe, pure.
 * @example const r = validateDoseSeriesPayload(model.data[DOSE_SERIES_MIME]); if (!r.ok) show(r.message);
 */
export function validateDoseSeriesPayload(value: unknown): ValidationResult<DoseSeriesPayloadV1> {
  const fail = (message: string): ValidationResult<DoseSeriesPayloadV1> => ({ ok: false, message });
  const head = versionProblem(value, DOSE_SERIES_PAYLOAD_VERSION, 'dose-series');
  if (head !== undefined || !isObject(value)) return fail(head ?? 'payload must be a JSON object.');
  if (value.kind !== 'doseseries') return fail('payload.kind must be "doseseries"; got ' + describeValue(value.kind) + '.');
  for (const key of ['title', 'valueLabel', 'variableName']) {
    if (typeof value[key] !== 'string') return fail(`payload.${key} must be a string; got ${describeValue(value[key])}.`);
  }
  if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(value.variableName as string)) {
    return fail(`payload.variableName must be a JavaScript identifier; got ${describeValue(value.variableName)}.`);
  }
  if (value.shiftsExpression !== null && !(typeof value.shiftsExpression === 'string' && /^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*$/.test(value.shiftsExpression))) {
    return fail(`payload.shiftsExpression must be null or a dotted JavaScript name such as "aligned.shiftsPx"; got ${describeValue(value.shiftsExpression)}.`);
  }
  const shape = value.shape;
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every(isPositiveInt)) {
    return fail('payload.shape must be [frames, rows, cols] of positive integers; got ' + describeValue(shape) + '.');
  }
  const n = shape[0] as number;
  if (!isFiniteNumber(value.pixelSize) || !(value.pixelSize > 0)) return fail('payload.pixelSize must be a positive number.');
  if (typeof value.pixelUnits !== 'string' || !(AXIS_UNITS as readonly string[]).includes(value.pixelUnits)) {
    return fail(`payload.pixelUnits must be one of ${AXIS_UNITS.map(u => JSON.stringify(u)).join(', ')}; got ${describeValue(value.pixelUnits)}.`);
  }
  for (const key of ['frameDoseEPerA2', 'cumulativeDoseEPerA2']) {
    const list = value[key];
    if (!isNumberArray(list, n)) return fail(`payload.${key} must hold ${n} finite numbers (one per frame).`);
  }
  const frameDoses = value.frameDoseEPerA2 as number[];
  if (frameDoses.some(d => d < 0)) return fail('payload.frameDoseEPerA2 must not be negative.');
  const cumulative = value.cumulativeDoseEPerA2 as number[];
  for (let i = 1; i < n; i++) {
    if (cumulative[i] < cumulative[i - 1]) return fail(`payload.cumulativeDoseEPerA2 must not decrease; it does at frame ${i}.`);
  }
  if (!isFiniteNumber(value.preDoseEPerA2) || value.preDoseEPerA2 < 0) return fail('payload.preDoseEPerA2 must be a finite dose ≥ 0.');
  if (value.frameTimeS !== null && !(isFiniteNumber(value.frameTimeS) && value.frameTimeS > 0)) {
    return fail('payload.frameTimeS must be a positive number or null; got ' + describeValue(value.frameTimeS) + '.');
  }
  if (!isPositiveInt(value.groupFrames) || value.groupFrames > n) {
    return fail(`payload.groupFrames must be an integer from 1 to ${n}; got ${describeValue(value.groupFrames)}.`);
  }
  for (const key of ['colormap', 'spectrumColormap']) {
    if (typeof value[key] !== 'string' || !(COLORMAP_NAMES as readonly string[]).includes(value[key] as string)) {
      return fail(`payload.${key} must be one of ${COLORMAP_NAMES.join(', ')}; got ${describeValue(value[key])}.`);
    }
  }
  const framesProblem = checkFrames(value.frames, n, shape as number[]);
  if (framesProblem) return fail(framesProblem);
  if (value.tracks !== null) {
    const problem = checkTracks(value.tracks, n);
    if (problem) return fail(problem);
  }
  if (value.fit !== null) {
    const problem = checkFit(value.fit);
    if (problem) return fail(problem);
  }
  return { ok: true, payload: value as unknown as DoseSeriesPayloadV1 };
}

function checkFrames(f: unknown, n: number, shape: number[]): string | undefined {
  if (!isObject(f)) return 'payload.frames must be an object.';
  if (!isPositiveInt(f.rows) || !isPositiveInt(f.cols) || !isPositiveInt(f.binning)) {
    return 'payload.frames.rows, cols and binning must be positive integers.';
  }
  let covered = [shape[1], shape[2]];
  if (f.region !== undefined) {
    const r = f.region;
    if (!Array.isArray(r) || r.length !== 4 || !r.every(v => Number.isInteger(v) && v >= 0) || !(r[2] > 0 && r[3] > 0) || r[0] + r[2] > shape[1] || r[1] + r[3] > shape[2]) {
      return `payload.frames.region must be [row0, col0, rows, cols] inside the ${shape[1]} × ${shape[2]} frame; got ${describeValue(r)}.`;
    }
    covered = [r[2], r[3]];
  }
  if (f.rows !== Math.ceil(covered[0] / f.binning) || f.cols !== Math.ceil(covered[1] / f.binning)) {
    return `payload.frames.rows × cols must be the ${f.region !== undefined ? 'region' : 'shape'} binned by ${f.binning} (${Math.ceil(covered[0] / f.binning)} × ${Math.ceil(covered[1] / f.binning)}); got ${f.rows} × ${f.cols}.`;
  }
  if (n * f.rows * f.cols > MAX_PREVIEW_ELEMENTS) return `payload.frames holds more than ${MAX_PREVIEW_ELEMENTS} preview pixels in all; too large to show.`;
  if (f.encoding !== 'deflate-base64') return 'payload.frames.encoding must be "deflate-base64"; got ' + describeValue(f.encoding) + '.';
  if (!Array.isArray(f.frames) || f.frames.length !== n) return `payload.frames.frames must hold ${n} frames.`;
  for (let i = 0; i < n; i++) {
    const fr = f.frames[i];
    if (!isObject(fr)) return `payload.frames.frames[${i}] must be an object.`;
    if (typeof fr.data !== 'string' || fr.data.length === 0 || fr.data.length % 4 !== 0 || !BASE64.test(fr.data)) {
      return `payload.frames.frames[${i}].data must be a non-empty base64 string.`;
    }
    if (fr.bits !== 8 && fr.bits !== 16) return `payload.frames.frames[${i}].bits must be 8 or 16; got ${describeValue(fr.bits)}.`;
    if (!isFiniteNumber(fr.scale) || !(fr.scale > 0) || !isFiniteNumber(fr.offset)) {
      return `payload.frames.frames[${i}].scale must be a positive number and offset a finite number.`;
    }
    if (typeof fr.exact !== 'boolean') return `payload.frames.frames[${i}].exact must be true or false.`;
  }
  return undefined;
}

function checkTracks(t: unknown, n: number): string | undefined {
  if (!isObject(t)) return 'payload.tracks must be an object or null.';
  const spots = t.spots;
  if (!Array.isArray(spots) || spots.length === 0 || spots.length > 64) return 'payload.tracks.spots must hold 1 to 64 spots.';
  for (let s = 0; s < spots.length; s++) {
    const spot = spots[s];
    if (!isObject(spot) || typeof spot.label !== 'string' || !isFiniteNumber(spot.kxInvA) || !isFiniteNumber(spot.kyInvA)) {
      return `payload.tracks.spots[${s}] must be {label, kxInvA, kyInvA}.`;
    }
  }
  const frames = t.frames;
  if (!Array.isArray(frames) || frames.length === 0) return 'payload.tracks.frames must be a non-empty array of [first, last] frames.';
  const m = frames.length;
  for (let i = 0; i < m; i++) {
    const fr = frames[i];
    if (!Array.isArray(fr) || fr.length !== 2 || !fr.every(v => Number.isInteger(v) && v >= 0 && v < n) || fr[0] > fr[1]) {
      return `payload.tracks.frames[${i}] must be [first, last] frame indices below ${n}.`;
    }
  }
  if (!isNumberArray(t.doseEPerA2, m)) return `payload.tracks.doseEPerA2 must hold ${m} finite numbers.`;
  for (const key of ['kxInvA', 'kyInvA', 'dA', 'intensity']) {
    const rows = t[key];
    if (!Array.isArray(rows) || rows.length !== m || !rows.every(r => isNumberArray(r, spots.length, true))) {
      return `payload.tracks.${key} must be ${m} rows of ${spots.length} numbers.`;
    }
  }
  if (t.strain !== null) {
    const s = t.strain;
    if (!isObject(s) || !isNumberArray(s.e1, m, true) || !isNumberArray(s.e2, m, true) || !isNumberArray(s.angleDeg, m, true)) {
      return `payload.tracks.strain must be null or {e1, e2, angleDeg}, each ${m} numbers.`;
    }
  }
  return undefined;
}

function checkFit(f: unknown): string | undefined {
  if (!isObject(f)) return 'payload.fit must be an object or null.';
  if (typeof f.label !== 'string') return 'payload.fit.label must be a string.';
  if (!isFiniteNumber(f.criticalDoseEPerA2) || !(f.criticalDoseEPerA2 > 0)) return 'payload.fit.criticalDoseEPerA2 must be a positive number.';
  if (!isFiniteNumber(f.i0) || !isFiniteNumber(f.background)) return 'payload.fit.i0 and background must be finite numbers.';
  const ci = f.ci95;
  if (!Array.isArray(ci) || ci.length !== 2 || !isFiniteNumber(ci[0]) || !(ci[1] === null || isFiniteNumber(ci[1]))) {
    return 'payload.fit.ci95 must be [low, high] with high null when unbounded.';
  }
  if (typeof f.underdetermined !== 'boolean') return 'payload.fit.underdetermined must be true or false.';
  return undefined;
}

/** An array of `length` numbers: finite, or (with `allowNull`) null for a missing measurement. */
function isNumberArray(v: unknown, length: number, allowNull = false): v is number[] {
  return Array.isArray(v) && v.length === length && v.every(x => isFiniteNumber(x) || (allowNull && x === null));
}
