/**
 * What the FFT peak picker computes in the browser, with kernel-lib's own code: the crop of the
 * spectrum as a PowerSpectrum, the snap-and-refine of a click (lattice.refinePeak), angles and
 * ratios between picks, and the CSV / code a user takes away. Browser-safe (no Node built-ins);
 * the extension imports it from `lowdose/dist/browser`.
 */
import ndarray from 'ndarray';
import { ValueError } from '../errors';
import { makeDataset } from '../types/dataset';
import { PowerSpectrum, powerSpectrum } from '../fft/powerSpectrum';
import { percentiles } from '../stats/percentile';
import { refinePeak } from '../lattice/refinePeak';
import { base64ToBytes } from './decodePreview';
import type { FftCropPayload, FftPayloadV1, FftSpotPayload } from './fftPickerProtocol';

/** Half-width of the margin a spot needs inside the crop: 12-px annulus + 1 px box + 1 px snap slack. */
export const CROP_MARGIN_PX = 14;

/** Decodes the crop's uint16 log10 levels back to power values (`crop.size²` of them, float64). */
export function decodeCropPower(crop: Pick<FftCropPayload, 'size' | 'data' | 'logMin' | 'logMax'>): Float64Array {
  const n = crop.size * crop.size;
  const bytes = base64ToBytes(crop.data);
  if (bytes.length !== 2 * n) {
    throw new ValueError(`decodeCropPower: crop.data must hold ${2 * n} bytes (${n} uint16); got ${bytes.length}.`);
  }
  const out = new Float64Array(n);
  const step = (crop.logMax - crop.logMin) / 65535;
  for (let i = 0; i < n; i++) out[i] = Math.pow(10, crop.logMin + (bytes[2 * i] | (bytes[2 * i + 1] << 8)) * step);
  return out;
}

/**
 * The payload's full-resolution crop as a PowerSpectrum-shaped Dataset (k = 0 at index size/2, axes
 * ky/kx in 1/Å with the full spectrum's step), without a source image: `lattice.refinePeak` on it
 * refines by a quadratic fit of log power (the crop's levels decoded; see FftCropPayload for their precision) (`refinedBy: 'parabolic'`; unbiased to ~0.03 % for spots
 * at the radii the picker is used for, see science.md §1.5), and computes the spot SNR against the
 * 4–12 px annulus exactly as in the kernel.
 *
 * @param payload - a validated FFT picker payload (only `crop`, `window`, pixel sizes are read).
 * @returns a Dataset `[size, size]` whose metadata says `kind: 'powerSpectrum'`.
 * @example
 * const ps = lowdose.cropSpectrum(payload);
 * lowdose.lattice.refinePeak(ps, { kxInvA: 0.213, kyInvA: 0 }).dA; // ≈ 4.695
 */
export function cropSpectrum(payload: Pick<FftPayloadV1, 'crop' | 'window' | 'pixelSizeYA' | 'pixelSizeXA'>): PowerSpectrum {
  const c = payload.crop;
  const n = c.size;
  const values = decodeCropPower(c);
  const h = n / 2;
  const ds = makeDataset(ndarray(values, [n, n]), {
    axes: [
      { name: 'ky', scale: c.kyScaleInvA, offset: -h * c.kyScaleInvA, units: '1/A' },
      { name: 'kx', scale: c.kxScaleInvA, offset: -h * c.kxScaleInvA, units: '1/A' }
    ],
    metadata: {
      kind: 'powerSpectrum',
      window: payload.window,
      pixelSizeYA: payload.pixelSizeYA,
      pixelSizeXA: payload.pixelSizeXA,
      pixelSizeA: payload.pixelSizeYA === payload.pixelSizeXA ? payload.pixelSizeXA : null,
      windowSumSq: 0,
      shotNoiseFloor: null,
      sourceSignalUnits: null,
      signalUnits: 'power',
      crop: { rowStart: c.rowStart, colStart: c.colStart }
    }
  });
  return ds as unknown as PowerSpectrum;
}

/** A start for {@link pickSpot}: a reciprocal vector (1/Å) or a crop pixel (fractional row, col). */
export type PickStart = { kxInvA: number; kyInvA: number } | { row: number; col: number };

/**
 * Snaps a click to the strongest 3×3 box within `searchRadiusPx` and refines it on the crop with
 * `lattice.refinePeak` (Guizar-Sicairos et al. 2008, doi:10.1364/OL.33.000156, for the kernel's
 * upsampled DFT; here, without a source, the labelled parabolic fit).
 *
 * @param ps - {@link cropSpectrum} of the payload.
 * @param crop - the payload's crop (for its |k| limit).
 * @param start - `{kxInvA, kyInvA}` or a crop pixel `{row, col}`.
 * @param options - `searchRadiusPx` (default 4), `label`.
 * @returns the refined spot (d Å, |g| 1/Å, angle °, SNR).
 * @throws ValueError when the start or the refined spot lies outside the crop's usable |k| (raise
 *   `minDA`'s coverage with fftPicker's `minDA` option) or on k = 0.
 * @example pickSpot(ps, payload.crop, { kxInvA: 0.213, kyInvA: 0 }).dA; // ≈ 4.695
 */
export function pickSpot(
  ps: PowerSpectrum,
  crop: FftCropPayload,
  start: PickStart,
  options: { searchRadiusPx?: number; label?: string } = {}
): FftSpotPayload {
  const h = crop.size / 2;
  const s = start as { kxInvA?: number; kyInvA?: number; row?: number; col?: number };
  const [kx, ky] =
    typeof s.kxInvA === 'number' && typeof s.kyInvA === 'number'
      ? [s.kxInvA, s.kyInvA]
      : [((s.col ?? NaN) - h) * crop.kxScaleInvA, ((s.row ?? NaN) - h) * crop.kyScaleInvA];
  if (!Number.isFinite(kx) || !Number.isFinite(ky)) {
    throw new ValueError(`pickSpot: start must be {kxInvA, kyInvA} or {row, col} with finite numbers; got ${JSON.stringify(start)}.`);
  }
  const outside = (k: number): boolean => !(k <= crop.kMaxInvA);
  if (outside(Math.hypot(kx, ky))) {
    throw new ValueError(
      `pickSpot: start must lie within |k| ≤ ${crop.kMaxInvA.toFixed(4)} 1/Å (d ≥ ${(1 / crop.kMaxInvA).toFixed(3)} Å), the full-resolution crop; ` +
        `got d = ${(1 / Math.hypot(kx, ky)).toFixed(3)} Å. Pass a smaller minDA to fftPicker to cover finer spots.`
    );
  }
  const p = refinePeak(ps, { kxInvA: kx, kyInvA: ky }, { searchRadiusPx: options.searchRadiusPx ?? 4 });
  if (outside(p.gInvA)) {
    throw new ValueError(`pickSpot: the refined spot must lie within |k| ≤ ${crop.kMaxInvA.toFixed(4)} 1/Å; got ${p.gInvA.toFixed(4)} 1/Å. Click further inside.`);
  }
  const spot: FftSpotPayload = {
    kxInvA: p.kxInvA,
    kyInvA: p.kyInvA,
    dA: p.dA,
    gInvA: p.gInvA,
    angleDeg: p.angleDeg,
    snr: p.snr,
    refinedBy: p.refinedBy
  };
  if (options.label !== undefined) spot.label = options.label;
  return spot;
}

/** The angle between two g-vectors (0–180°) and the ratio |g_b|/|g_a| — both free of the pixel-size calibration. */
export function pairRelation(a: { kxInvA: number; kyInvA: number }, b: { kxInvA: number; kyInvA: number }): { angleDeg: number; ratio: number } {
  const ga = Math.hypot(a.kxInvA, a.kyInvA);
  const gb = Math.hypot(b.kxInvA, b.kyInvA);
  const cos = (a.kxInvA * b.kxInvA + a.kyInvA * b.kyInvA) / (ga * gb);
  return { angleDeg: (Math.acos(Math.max(-1, Math.min(1, cos))) * 180) / Math.PI, ratio: gb / ga };
}

/** The picks as CSV: `label,d_A,g_invA,angle_deg,snr,kx_invA,ky_invA,refined_by`, one line per pick. */
export function picksCsv(picks: ReadonlyArray<FftSpotPayload>): string {
  const cell = (s: string): string => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const num = (x: number, digits: number): string => (Number.isFinite(x) ? String(Number(x.toPrecision(digits))) : '');
  const lines = ['label,d_A,g_invA,angle_deg,snr,kx_invA,ky_invA,refined_by'];
  picks.forEach((p, i) => {
    lines.push(
      [cell(p.label ?? `pick ${i + 1}`), num(p.dA, 6), num(p.gInvA, 6), num(p.angleDeg, 5), num(p.snr, 4), num(p.kxInvA, 7), num(p.kyInvA, 7), p.refinedBy].join(',')
    );
  });
  return lines.join('\n') + '\n';
}

/** True for a variable name or a dotted path of names (`sum`, `data.sum`), safe to write into code. */
export function isIdentifierPath(name: unknown): name is string {
  return typeof name === 'string' && name.length <= 200 && /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(name);
}

/**
 * The cell "Insert as code" writes: the picks as a `lowdose.lattice.spots([...], source)` call, which
 * re-refines every spot by an upsampled DFT of `sourceName` in the kernel, and a line printing them.
 * Labels are written as JSON string literals, so no pick text can break out of the code.
 *
 * @throws ValueError for no picks or a `sourceName` that is not an identifier path.
 * @example picksCode([{ kxInvA: 0.213, kyInvA: 0, … }], 'sum');
 */
export function picksCode(picks: ReadonlyArray<{ kxInvA: number; kyInvA: number; label?: string }>, sourceName: string): string {
  if (!picks.length) throw new ValueError('picksCode: picks must hold at least one spot; got none. Click a spot first.');
  if (!isIdentifierPath(sourceName)) {
    throw new ValueError(`picksCode: sourceName must be a variable name such as "sum"; got ${JSON.stringify(sourceName)}.`);
  }
  const num = (x: number): string => String(Number(x.toPrecision(7)));
  const items = picks.map(
    (p, i) => `  { kxInvA: ${num(p.kxInvA)}, kyInvA: ${num(p.kyInvA)}, label: ${JSON.stringify(p.label ?? `pick ${i + 1}`)} },`
  );
  return [
    '// Spots picked in the FFT picker, re-refined by an upsampled DFT of the image (lowdose.lattice.spots).',
    'const spots = lowdose.lattice.spots([',
    ...items,
    `], ${sourceName});`,
    'for (const s of spots) {',
    '  console.log(`${s.label}: d ${s.dA.toFixed(4)} Å, |g| ${s.gInvA.toFixed(5)} 1/Å, angle ${s.angleDeg.toFixed(2)}°, SNR ${(s.snr ?? NaN).toFixed(1)} (${s.refinedBy})`);',
    '}'
  ].join('\n');
}

/** A rectangle of preview pixels: first row/column and size. */
export interface PreviewRegion {
  row0: number;
  col0: number;
  rows: number;
  cols: number;
}

/**
 * The power spectrum of a rectangle of the image preview ("drag a region → its FFT"): the region's
 * values, Hann-windowed, through `fft.powerSpectrum` with the preview's pixel size (full-resolution
 * pixel × binning), so the reciprocal axes are calibrated. In the browser call `await fft.ready()` first.
 *
 * @param values - decoded preview values, row-major, `previewCols` per row.
 * @param region - the rectangle, in preview pixels (at least 8 × 8; clipped to the preview).
 * @param pixelSizeYA - preview pixel size along rows, Å (full-resolution pixel × binning); likewise `pixelSizeXA`.
 * @throws ValueError for a region smaller than 8 × 8 preview pixels.
 * @example regionSpectrum(values, 512, { row0: 0, col0: 0, rows: 128, cols: 128 }, 1, 1).axes[1].scale; // 1/128 1/Å
 */
export function regionSpectrum(values: Float32Array, previewCols: number, region: PreviewRegion, pixelSizeYA: number, pixelSizeXA: number): PowerSpectrum {
  const previewRows = Math.floor(values.length / previewCols);
  const r0 = Math.max(0, Math.floor(region.row0));
  const c0 = Math.max(0, Math.floor(region.col0));
  const rows = Math.min(previewRows - r0, Math.floor(region.rows));
  const cols = Math.min(previewCols - c0, Math.floor(region.cols));
  if (!(rows >= 8 && cols >= 8)) {
    throw new ValueError(`regionSpectrum: region must be at least 8 × 8 preview pixels inside the image; got ${rows} × ${cols}. Drag a larger rectangle.`);
  }
  const sub = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) sub.set(values.subarray((r0 + r) * previewCols + c0, (r0 + r) * previewCols + c0 + cols), r * cols);
  const ds = makeDataset(ndarray(sub, [rows, cols]), {
    axes: [
      { name: 'y', scale: pixelSizeYA, units: 'A' },
      { name: 'x', scale: pixelSizeXA, units: 'A' }
    ]
  });
  return powerSpectrum(ds, { window: 'hann' });
}

/**
 * log10 of a spectrum's power for display, with contrast limits at its 70th and 99.95th percentiles
 * (most of the noise dark, the spots bright).
 */
export function logPowerView(ps: PowerSpectrum): { values: Float32Array; low: number; high: number } {
  const [rows, cols] = ps.data.shape;
  const values = new Float32Array(rows * cols);
  let floor = Infinity;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = ps.data.get(r, c);
      values[r * cols + c] = v;
      if (v > 0 && v < floor) floor = v;
    }
  }
  if (!Number.isFinite(floor)) floor = 1e-30;
  for (let i = 0; i < values.length; i++) values[i] = Math.log10(Math.max(values[i], floor));
  const [low, high] = percentiles(values, [70, 99.95]);
  return { values, low, high: high > low ? high : low + 1 };
}
