/**
 * Text for the image viewer's readout, header and status line. Pure functions, no DOM.
 */
import type { AxisPayload, ImagePayloadV1 } from 'lowdose/dist/browser';

/** A number with `digits` significant digits; exponent form for very large or small magnitudes. */
export function formatNumber(x: number, digits = 4): string {
  if (!Number.isFinite(x)) {
    return String(x);
  }
  if (x === 0) {
    return '0';
  }
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) {
    return x.toExponential(Math.max(0, digits - 1)).replace(/\.?0+e/, 'e');
  }
  return String(Number(x.toPrecision(digits)));
}

/**
 * Physical position of full-resolution index `index` along `axis` (`offset + index × scale`).
 * Real-space positions are given in nm (Å axes converted), µm axes in µm, reciprocal axes in their
 * own units, uncalibrated axes (units '') as a pixel index.
 */
export function formatPosition(axis: AxisPayload, index: number): string {
  const raw = axis.offset + index * axis.scale;
  // Hide rounding noise such as offset -0.05 + 5 × 0.01 = 6.9e-18.
  const value = Math.abs(raw) < Math.abs(axis.scale) * 1e-9 ? 0 : raw;
  switch (axis.units) {
    case 'A':
      return `${formatNumber(value / 10)} nm`;
    case 'nm':
      return `${formatNumber(value)} nm`;
    case 'um':
      return `${formatNumber(value)} µm`;
    case '1/A':
      return `${formatNumber(value)} 1/Å`;
    case '':
      return `${formatNumber(value)} px`;
    default:
      return `${formatNumber(value)} ${axis.units}`;
  }
}

/** Units for display: `A` → `Å`, `um` → `µm`, `1/A` → `1/Å`, `''` → `px`. */
export function displayUnits(units: string): string {
  return units === 'A' ? 'Å' : units === 'um' ? 'µm' : units === '1/A' ? '1/Å' : units === '' ? 'px' : units;
}

/**
 * Cursor readout: full-resolution row and column, position (x along columns, y along rows) and the
 * preview value under the cursor (the mean of its `binning × binning` block).
 */
export function formatReadout(payload: ImagePayloadV1, row: number, col: number, value: number): string {
  const [rowAxis, colAxis] = payload.axes;
  const b = payload.preview.binning;
  const valueText = `${formatNumber(value)}${payload.valueLabel ? ' ' + payload.valueLabel : ''}`;
  return (
    `row ${row}, col ${col} · x ${formatPosition(colAxis, col)}, y ${formatPosition(rowAxis, row)} · ` +
    `${valueText}${b > 1 ? ` (mean of ${b}×${b})` : ''}`
  );
}

/** Header line: shape, dtype, pixel size and what the image is (note). */
export function formatDescription(payload: ImagePayloadV1): string {
  const [rows, cols] = payload.shape;
  const colAxis = payload.axes[1];
  const parts = [`${rows} × ${cols} ${payload.dtype}`];
  if (colAxis.units !== '') {
    parts.push(`pixel ${formatNumber(Math.abs(colAxis.scale))} ${displayUnits(colAxis.units)}`);
  }
  if (payload.note) {
    parts.push(payload.note);
  }
  return parts.join(' · ');
}

/** Status line: statistics of the full-resolution image and the preview binning. */
export function formatStats(payload: ImagePayloadV1): string {
  const s = payload.stats;
  const unit = payload.valueLabel ? ` ${payload.valueLabel}` : '';
  const parts = [
    `min ${formatNumber(s.min)}`,
    `max ${formatNumber(s.max)}`,
    `mean ${formatNumber(s.mean)}`,
    `std ${formatNumber(s.std)}${unit}`,
    `${s.count} px${s.nanCount ? ` (${s.nanCount} NaN)` : ''}`
  ];
  const p = payload.preview;
  if (p.binning > 1) {
    parts.push(`preview ${p.rows} × ${p.cols}, binned ${p.binning}×${p.binning}`);
  }
  return parts.join(' · ');
}

/** A filesystem-safe file name (without extension) from a title. */
export function sanitizeFilename(title: string, fallback = 'lowdose-image'): string {
  const cleaned = title
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^[._]+|[._]+$/g, '')
    .slice(0, 100);
  return cleaned || fallback;
}
