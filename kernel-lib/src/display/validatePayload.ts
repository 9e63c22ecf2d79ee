import {
  AXIS_UNITS,
  AxisPayload,
  COLORMAP_NAMES,
  IMAGE_PAYLOAD_VERSION,
  ImagePayloadV1,
  ValidationResult
} from './protocol';

/**
 * Checks an untrusted `application/vnd.lowdose.image.v1+json` payload field by field.
 *
 * Renderers call this before touching a payload: a malformed one gives a message naming the
 * first bad field; a payload from a newer lowdose gives a message asking to update the extension.
 * Browser-safe, pure.
 */
export function validateImagePayload(value: unknown): ValidationResult<ImagePayloadV1> {
  const fail = (message: string): ValidationResult<ImagePayloadV1> => ({ ok: false, message });
  if (!isObject(value)) {
    return fail('payload must be a JSON object; got ' + describeType(value) + '.');
  }
  const version = value.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return fail('payload.version must be a positive integer; got ' + describeType(version) + '.');
  }
  if (version > IMAGE_PAYLOAD_VERSION) {
    return fail(
      `this output was made by a newer lowdose (image payload version ${version}); this extension ` +
        `understands up to version ${IMAGE_PAYLOAD_VERSION}. Update lowdose-jupyterlab to view it.`
    );
  }
  if (value.kind !== 'image') {
    return fail('payload.kind must be "image"; got ' + describeType(value.kind) + '.');
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
    return fail('payload.preview.encoding must be "uint16-le-base64"; got ' + describeType(preview.encoding) + '.');
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
    return fail(`payload.colormap must be one of ${COLORMAP_NAMES.join(', ')}; got ${describeType(value.colormap)}.`);
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

function isObject(v: unknown): v is { [key: string]: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

function isPositiveIntPair(v: unknown): v is [number, number] {
  return Array.isArray(v) && v.length === 2 && v.every(isPositiveInt);
}

function countPadding(b64: string): number {
  return b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return typeof v;
}
