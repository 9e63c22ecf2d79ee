import { AXIS_UNITS, ValidationResult } from './protocol';
import { FFT_PAYLOAD_VERSION, FftPayloadV1, FftPickerState, FftPickState } from './fftPickerProtocol';
import { isIdentifierPath } from './fftPickerMaths';
import { isObject, isFiniteNumber, isPositiveInt, isNonNegativeInt, isPositiveIntPair, describeValue, versionProblem } from './_internal/payloadChecks';

/** Most spots a payload or a saved state may hold. */
const MAX_SPOTS = 200;

/**
 * Checks an untrusted `application/vnd.lowdose.fft.v1+json` payload field by field (the pattern of
 * `validateImagePayload`): a malformed payload gives a message naming the first bad field, a payload
 * from a newer lowdose a message asking to update the extension. Sizes are checked against the data
 * actually present, so the renderer never allocates what a field merely claims. Browser-safe, pure.
 *
 * @param value - the payload as found in the output.
 * @returns `{ok: true, payload}` or `{ok: false, message}`.
 * @example validateFftPayload(model.data[FFT_MIME]).ok
 */
export function validateFftPayload(value: unknown): ValidationResult<FftPayloadV1> {
  const fail = (message: string): ValidationResult<FftPayloadV1> => ({ ok: false, message });
  const head = versionProblem(value, FFT_PAYLOAD_VERSION, 'FFT picker');
  if (head !== undefined || !isObject(value)) return fail(head ?? 'payload must be a JSON object.');
  if (value.kind !== 'fft') return fail('payload.kind must be "fft"; got ' + describeValue(value.kind) + '.');
  if (typeof value.title !== 'string') return fail('payload.title must be a string.');
  if (!isPositiveIntPair(value.shape)) return fail('payload.shape must be [rows, cols] of positive integers.');
  if (!isPositive(value.pixelSizeYA) || !isPositive(value.pixelSizeXA)) return fail('payload.pixelSizeYA and pixelSizeXA must be positive numbers (Å).');
  if (value.window !== 'hann' && value.window !== 'periodic-smooth' && value.window !== 'none') {
    return fail('payload.window must be "hann", "periodic-smooth" or "none"; got ' + describeValue(value.window) + '.');
  }
  for (const part of ['image', 'spectrum'] as const) {
    const problem = panelProblem(value[part], part === 'image');
    if (problem) return fail(`payload.${part}.${problem}`);
  }
  const crop = value.crop;
  if (!isObject(crop)) return fail('payload.crop must be an object.');
  if (!isPositiveInt(crop.size) || crop.size % 2 !== 0 || crop.size > 8192) return fail('payload.crop.size must be an even positive integer ≤ 8192.');
  if (!isNonNegativeInt(crop.rowStart) || !isNonNegativeInt(crop.colStart)) return fail('payload.crop.rowStart and colStart must be integers ≥ 0.');
  if (!isPositive(crop.kyScaleInvA) || !isPositive(crop.kxScaleInvA) || !isPositive(crop.kMaxInvA)) {
    return fail('payload.crop.kyScaleInvA, kxScaleInvA and kMaxInvA must be positive numbers (1/Å).');
  }
  if (crop.kMaxInvA > (crop.size / 2) * Math.min(crop.kxScaleInvA, crop.kyScaleInvA)) return fail('payload.crop.kMaxInvA must lie inside the crop.');
  if (crop.encoding !== 'uint16-log10-le-base64') return fail('payload.crop.encoding must be "uint16-log10-le-base64"; got ' + describeValue(crop.encoding) + '.');
  if (!isFiniteNumber(crop.logMin) || !isFiniteNumber(crop.logMax) || !(crop.logMax > crop.logMin) || crop.logMax - crop.logMin > 600) {
    return fail('payload.crop.logMin and logMax must be finite with logMin < logMax (log10 power).');
  }
  const cropProblem = base64Problem(crop.data, crop.size * crop.size * 2);
  if (cropProblem) return fail(`payload.crop.data ${cropProblem}`);
  const noise = value.noise;
  if (!isObject(noise) || !isFiniteNumber(noise.noiseFloor) || !isPositive(noise.binWidthInvA) || (noise.method !== 'shot' && noise.method !== 'high-k')) {
    return fail('payload.noise must hold a finite noiseFloor, a positive binWidthInvA and method "shot" or "high-k".');
  }
  if (!Array.isArray(noise.radialMedianPower) || noise.radialMedianPower.length > 100000 || !noise.radialMedianPower.every(isFiniteNumber)) {
    return fail('payload.noise.radialMedianPower must be an array of finite numbers.');
  }
  for (const list of ['peaks', 'picks'] as const) {
    const spots = value[list];
    if (!Array.isArray(spots) || spots.length > MAX_SPOTS) return fail(`payload.${list} must be an array of at most ${MAX_SPOTS} spots.`);
    for (let i = 0; i < spots.length; i++) {
      const problem = spotProblem(spots[i]);
      if (problem) return fail(`payload.${list}[${i}].${problem}`);
    }
  }
  if (!isPositive(value.minDA)) return fail('payload.minDA must be a positive number (Å).');
  if (!isIdentifierPath(value.sourceName)) return fail('payload.sourceName must be a variable name such as "sum"; got ' + describeValue(value.sourceName) + '.');
  if (!Array.isArray(value.warnings) || !value.warnings.every(w => typeof w === 'string')) return fail('payload.warnings must be an array of strings.');
  return { ok: true, payload: value as unknown as FftPayloadV1 };
}

/**
 * Keeps the well-formed part of an untrusted saved picker state (`metadata[FFT_MIME].picker`):
 * picks with finite non-zero vectors (at most 200, labels cut to 80 characters) and a positive ring
 * d; undefined when neither a picks array nor a ring is present (an empty picks array is kept: the
 * user removed every pick).
 */
export function sanitizeFftState(raw: unknown): FftPickerState | undefined {
  if (!isObject(raw)) return undefined;
  const picks: FftPickState[] = [];
  if (Array.isArray(raw.picks)) {
    for (const p of raw.picks.slice(0, MAX_SPOTS)) {
      if (!isObject(p) || !isFiniteNumber(p.kxInvA) || !isFiniteNumber(p.kyInvA) || (p.kxInvA === 0 && p.kyInvA === 0)) continue;
      const pick: FftPickState = { kxInvA: p.kxInvA, kyInvA: p.kyInvA };
      if (typeof p.label === 'string') pick.label = p.label.slice(0, 80);
      picks.push(pick);
    }
  }
  const state: FftPickerState = { picks };
  if (isPositive(raw.ringDA)) state.ringDA = raw.ringDA;
  return Array.isArray(raw.picks) || state.ringDA !== undefined ? state : undefined;
}

function panelProblem(panel: unknown, isImage: boolean): string | undefined {
  if (!isObject(panel)) return 'must be an object {preview, axes, contrast}.';
  const p = panel.preview;
  if (!isObject(p)) return 'preview must be an object.';
  if (!isPositiveInt(p.rows) || !isPositiveInt(p.cols) || !isPositiveInt(p.binning)) return 'preview.rows, cols and binning must be positive integers.';
  if (p.encoding !== 'uint16-le-base64') return 'preview.encoding must be "uint16-le-base64".';
  const problem = base64Problem(p.data, p.rows * p.cols * 2);
  if (problem) return `preview.data ${problem}`;
  if (!isFiniteNumber(p.valueMin) || !isFiniteNumber(p.valueMax)) return 'preview.valueMin and valueMax must be finite numbers.';
  if (!Array.isArray(panel.axes) || panel.axes.length !== 2) return 'axes must hold two axes (rows, columns).';
  for (let i = 0; i < 2; i++) {
    const a = panel.axes[i];
    if (!isObject(a) || typeof a.name !== 'string' || !isPositiveInt(a.size) || !isFiniteNumber(a.scale) || a.scale === 0 || !isFiniteNumber(a.offset)) {
      return `axes[${i}] must be {name, size, scale ≠ 0, offset, units}.`;
    }
    if (typeof a.units !== 'string' || !(AXIS_UNITS as readonly string[]).includes(a.units)) return `axes[${i}].units must be one of the axis units.`;
  }
  const c = panel.contrast;
  if (!isObject(c) || !isFiniteNumber(c.low) || !isFiniteNumber(c.high) || !Array.isArray(c.percentiles)) return 'contrast must hold finite low, high and percentiles.';
  if (isImage && typeof panel.valueLabel !== 'string') return 'valueLabel must be a string.';
  return undefined;
}

function spotProblem(s: unknown): string | undefined {
  if (!isObject(s)) return 'must be an object {kxInvA, kyInvA, dA, gInvA, angleDeg, snr, refinedBy}.';
  for (const k of ['kxInvA', 'kyInvA', 'dA', 'gInvA', 'angleDeg', 'snr']) {
    if (!isFiniteNumber(s[k])) return `${k} must be a finite number; got ${describeValue(s[k])}.`;
  }
  if (!((s.dA as number) > 0)) return 'dA must be positive.';
  if (s.refinedBy !== 'upsampled-dft' && s.refinedBy !== 'parabolic' && s.refinedBy !== 'none') return 'refinedBy must be "upsampled-dft", "parabolic" or "none".';
  if (s.label !== undefined && typeof s.label !== 'string') return 'label must be a string.';
  return undefined;
}

function base64Problem(data: unknown, expectedBytes: number): string | undefined {
  if (typeof data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) return 'must be a base64 string.';
  const pad = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  const bytes = Math.floor((data.length * 3) / 4) - pad;
  return bytes === expectedBytes ? undefined : `must decode to ${expectedBytes} bytes; got ${bytes}.`;
}

function isPositive(v: unknown): v is number {
  return isFiniteNumber(v) && v > 0;
}
