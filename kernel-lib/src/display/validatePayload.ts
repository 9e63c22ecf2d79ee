import {
  AXIS_UNITS,
  AxisPayload,
  COLORMAP_NAMES,
  IMAGE_PAYLOAD_VERSION,
  ImagePayloadV1,
  ValidationResult
} from './protocol';
import { isObject, isFiniteNumber, isPositiveInt, isPositiveIntPair, describeValue, versionProblem } from './_internal/payloadChecks';

/**
 * Checks an untrusted `application/vnd.lowdose.image.v1+json` payload field by field.
 *
 * Renderers call this before touching a payload: a malformed one gives a message naming the
 * first bad field; a payload from a newer lowdose gives a message asking to update the extension.
 * Browser-safe, pure.
 */
export function validateImagePayload(value: unknown): ValidationResult<ImagePayloadV1> {
  const fail = (message: string): ValidationResult<ImagePayloadV1> => ({ ok: false, message });
  const head = versionProblem(value, IMAGE_PAYLOAD_VERSION, 'image');
  if (head !== undefined || !isObject(value)) return fail(head ?? 'payload must be a JSON object.');
  if (value.kind !== 'image') {
    return fail('payload.kind must be "image"; got ' + describeValue(value.kind) + '.');
  }
  if (typeof value.title !== 'string') {
    return fail('payload.title must be a string.');
  }
  if (typeof value.note !== 'string' || typeof value.dtype !== 'string' || typeof value.valueLabel !== 'string') {
    return fail('payload.note, payload.dtype and payload.valueLabel must be strings.');
  }
  if (!isPositiveIntPair(value.shape)) {
    return fail('payload.shape must be [rows, cols] of positive integers.');
  }
  if (!Array.isArray(value.sourceShape) || !value.sourceShape.every(isPositiveInt)) {
    return fail('payload.sourceShape must be an array of positive integers.');
  }
  if (!Array.isArray(value.axes) || value.axes.length !== 2) {
    return fail('payload.axes must hold two axes (rows, columns).');
  }
  for (let i = 0; i < 2; i++) {
    const problem = axisProblem(value.axes[i]);
    if (problem) {
      return fail(`payload.axes[${i}].${problem}`);
    }
  }
  const preview = value.preview;
  if (!isObject(preview)) {
    return fail('payload.preview must be an object.');
  }
  if (!isPositiveInt(preview.rows) || !isPositiveInt(preview.cols) || !isPositiveInt(preview.binning)) {
    return fail('payload.preview.rows, cols and binning must be positive integers.');
  }
  if (preview.encoding !== 'uint16-le-base64') {
    return fail('payload.preview.encoding must be "uint16-le-base64"; got ' + describeValue(preview.encoding) + '.');
  }
  if (typeof preview.data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(preview.data)) {
    return fail('payload.preview.data must be a base64 string.');
  }
  const expectedBytes = preview.rows * preview.cols * 2;
  const decodedBytes = Math.floor((preview.data.length * 3) / 4) - countPadding(preview.data);
  if (decodedBytes !== expectedBytes) {
    return fail(
      `payload.preview.data must decode to rows × cols × 2 = ${expectedBytes} bytes; got ${decodedBytes}.`
    );
  }
  if (!isFiniteNumber(preview.valueMin) || !isFiniteNumber(preview.valueMax)) {
    return fail('payload.preview.valueMin and valueMax must be finite numbers.');
  }
  const contrast = value.contrast;
  if (!isObject(contrast) || !isFiniteNumber(contrast.low) || !isFiniteNumber(contrast.high)) {
    return fail('payload.contrast must hold finite low and high values.');
  }
  if (!Array.isArray(contrast.percentiles) || contrast.percentiles.length !== 2 || !contrast.percentiles.every(isFiniteNumber)) {
    return fail('payload.contrast.percentiles must be two numbers.');
  }
  if (typeof value.colormap !== 'string' || !(COLORMAP_NAMES as readonly string[]).includes(value.colormap)) {
    return fail(`payload.colormap must be one of ${COLORMAP_NAMES.join(', ')}; got ${describeValue(value.colormap)}.`);
  }
  const stats = value.stats;
  if (!isObject(stats) || !['min', 'max', 'mean', 'std', 'count', 'nanCount'].every(k => typeof stats[k] === 'number')) {
    return fail('payload.stats must hold numbers min, max, mean, std, count and nanCount.');
  }
  return { ok: true, payload: value as unknown as ImagePayloadV1 };
}

function axisProblem(axis: unknown): string | undefined {
  if (!isObject(axis)) {
    return 'must be an object {name, size, scale, offset, units}.';
  }
  const a = axis as Partial<AxisPayload>;
  if (typeof a.name !== 'string') return 'name must be a string.';
  if (!isPositiveInt(a.size)) return 'size must be a positive integer.';
  if (!isFiniteNumber(a.scale) || a.scale === 0) return 'scale must be a finite non-zero number.';
  if (!isFiniteNumber(a.offset)) return 'offset must be a finite number.';
  if (typeof a.units !== 'string' || !(AXIS_UNITS as readonly string[]).includes(a.units)) {
    return `units must be one of ${AXIS_UNITS.map(u => JSON.stringify(u)).join(', ')}.`;
  }
  return undefined;
}

function countPadding(b64: string): number {
  return b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
}
