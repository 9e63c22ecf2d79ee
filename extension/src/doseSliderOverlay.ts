/**
 * Tracked spots drawn on the dose slider's spectrum, and the slider's descriptive text.
 */
import type { DoseSeriesPayloadV1 } from 'lowdose/dist/browser';
import type { DoseWindow } from './doseSliderFormat';
import type { SpectrumGeometry } from './doseSliderFrames';
import { displayUnits, formatNumber } from './format';

const SPOT_COLOR = '#00e5ff';

/**
 * The tracks measurement for a window: the one whose frames hold the window's middle frame, else
 * the one nearest in dose (tracks may be grouped differently from the view).
 */
export function measurementFor(payload: DoseSeriesPayloadV1, w: DoseWindow): number {
  const t = payload.tracks;
  if (!t) return -1;
  const middle = Math.floor((w.first + w.last) / 2);
  const holding = t.frames.findIndex(([a, b]) => a <= middle && middle <= b);
  if (holding >= 0) return holding;
  let best = 0;
  t.doseEPerA2.forEach((d, i) => {
    if (Math.abs(d - w.doseMidEPerA2) < Math.abs(t.doseEPerA2[best] - w.doseMidEPerA2)) best = i;
  });
  return best;
}

/**
 * Circles the fitted position of every tracked spot (and its Friedel mate) of the window's
 * measurement on a spectrum canvas of `side` backing pixels showing the central crop.
 */
export function drawSpots(
  ctx: CanvasRenderingContext2D,
  payload: DoseSeriesPayloadV1,
  geometry: SpectrumGeometry,
  w: DoseWindow,
  side: number,
  ratio: number
): void {
  const t = payload.tracks;
  const m = measurementFor(payload, w);
  if (!t || m < 0 || geometry.invAPerPxX === null || geometry.invAPerPxY === null) return;
  const h = geometry.halfPx;
  const scale = side / (2 * h);
  ctx.save();
  ctx.strokeStyle = SPOT_COLOR;
  ctx.fillStyle = SPOT_COLOR;
  ctx.lineWidth = 1.5 * ratio;
  ctx.font = `${Math.round(11 * ratio)}px sans-serif`;
  ctx.textBaseline = 'bottom';
  const radius = Math.max(5 * ratio, 2.5 * scale);
  t.spots.forEach((spot, s) => {
    const kx = t.kxInvA[m][s];
    const ky = t.kyInvA[m][s];
    if (kx === null || ky === null) return;
    for (const sign of [1, -1]) {
      const x = (h + (sign * kx) / geometry.invAPerPxX! + 0.5) * scale;
      const y = (h + (sign * ky) / geometry.invAPerPxY! + 0.5) * scale;
      ctx.beginPath();
      ctx.arc(x, y, radius, 0, 2 * Math.PI);
      ctx.stroke();
      if (sign === 1) {
        const d = t.dA[m][s];
        ctx.fillText(d === null ? spot.label : `${formatNumber(d, 4)} Å`, x + radius + 2 * ratio, y - 2 * ratio);
      }
    }
  });
  ctx.restore();
}

/** Header text: shape, pixel size, dose per frame and frame time. */
export function formatSeriesDescription(p: DoseSeriesPayloadV1): string {
  const [n, rows, cols] = p.shape;
  const parts = [`${n} frames of ${rows} × ${cols}`];
  if (p.pixelUnits !== '') parts.push(`pixel ${formatNumber(p.pixelSize)} ${displayUnits(p.pixelUnits)}`);
  const d = p.frameDoseEPerA2;
  const uniform = d.every(v => Math.abs(v - d[0]) <= 1e-9 * Math.max(1, d[0]));
  parts.push(uniform ? `${formatNumber(d[0])} e⁻/Å² per frame` : 'varying dose per frame');
  parts.push(`${formatNumber(p.cumulativeDoseEPerA2[n - 1])} e⁻/Å² in all`);
  if (p.frameTimeS !== null) parts.push(`${formatNumber(p.frameTimeS)} s per frame`);
  return parts.join(' · ');
}

/** Caption of the spectrum: what it is and how far it reaches. */
export function spectrumCaption(p: DoseSeriesPayloadV1, g: SpectrumGeometry): string {
  const reach = g.invAPerPxX !== null ? `, |k| ≤ ${formatNumber(g.halfPx * g.invAPerPxX, 3)} 1/Å` : '';
  const spots = p.tracks ? ` · ○ tracked spots (${p.tracks.spots.length}), fitted positions` : '';
  return `log power spectrum (Hann window)${reach}${spots}`;
}

/** Status line: preview size, binning, the region it covers (when cropped) and whether the values are exact. */
export function formatStatus(p: DoseSeriesPayloadV1): string {
  const exact = p.frames.frames.every(f => f.exact);
  return (
    `${p.shape[0]} frames · preview ${p.frames.rows} × ${p.frames.cols}` +
    (p.frames.binning > 1 ? ` (binned ${p.frames.binning}×${p.frames.binning})` : '') +
    (p.frames.region ? ` of the central ${p.frames.region[2]} × ${p.frames.region[3]} px` : '') +
    (exact ? ' · exact counts' : ' · 16-bit levels') +
    ' · ←/→ step a frame, Space plays'
  );
}
