/**
 * Type guards and messages shared by the payload validators (validatePayload,
 * validateFftPayload, validateDoseSeriesPayload). Browser-safe, pure.
 */

export function isObject(v: unknown): v is { [key: string]: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

export function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

export function isNonNegativeInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

export function isPositiveIntPair(v: unknown): v is [number, number] {
  return Array.isArray(v) && v.length === 2 && v.every(isPositiveInt);
}

/** A short, safe description of an untrusted value for an error message (strings cut at 40 characters). */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return typeof v;
}

/**
 * The common head of every payload check: an object whose `version` is a positive integer this
 * build understands. Returns the message for the first problem, or undefined.
 */
export function versionProblem(value: unknown, maxVersion: number, widget: string): string | undefined {
  if (!isObject(value)) return 'payload must be a JSON object; got ' + describeValue(value) + '.';
  const version = value.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return 'payload.version must be a positive integer; got ' + describeValue(version) + '.';
  }
  if (version > maxVersion) {
    return (
      `this output was made by a newer lowdose (${widget} payload version ${version}); this extension understands up to version ` +
      `${maxVersion}. Update lowdose-jupyterlab to view it.`
    );
  }
  return undefined;
}
