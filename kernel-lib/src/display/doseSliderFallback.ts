/**
 * The dose slider's static representations for places without the lowdose extension: a PNG of the
 * series sum beside its log power spectrum, and a text summary.
 */
import { percentiles } from '../stats/percentile';
import { toLevels } from './colormaps';
import { logPowerSpectrum } from './doseSliderDecode';
import { binSum } from './doseSliderEncode';
import type { DoseSeriesPayloadV1 } from './doseSeriesProtocol';
import { encodePng } from './pngEncode';

/** Largest side of each PNG panel, px. */
const PANEL_PX = 256;
const GAP_PX = 6;

/** Gray PNG (base64) of `sum` (rows × cols) and its log power spectrum side by side, each ≤ 256 px. */
export function fallbackPng(sum: Float64Array, rows: number, cols: number): { png: string; width: number; height: number } {
  const b = Math.max(1, Math.ceil(Math.max(rows, cols) / PANEL_PX));
  const binned = binSum(Float32Array.from(sum), rows, cols, b);
  const r = Math.ceil(rows / b);
  const c = Math.ceil(cols / b);
  const ps = logPowerSpectrum(binned, r, c);
  const image = levels(binned, [0.5, 99.5]);
  const spectrum = levels(ps, [1, 99.9]);
  const width = 2 * c + GAP_PX;
  const pixels = new Uint8Array(width * r).fill(255);
  for (let y = 0; y < r; y++) {
    pixels.set(image.subarray(y * c, (y + 1) * c), y * width);
    pixels.set(spectrum.subarray(y * c, (y + 1) * c), y * width + c + GAP_PX);
  }
  return { png: Buffer.from(encodePng(pixels, width, r, 1)).toString('base64'), width, height: r };
}

function levels(values: Float32Array, pct: [number, number]): Uint8Array {
  const [low, high] = percentiles(values, pct);
  return toLevels(values, low, high > low ? high : low + 1);
}

/** Plain-text summary of a dose-series payload. */
export function textSummary(p: DoseSeriesPayloadV1, bytes: number): string {
  const [n, rows, cols] = p.shape;
  const d = p.frameDoseEPerA2;
  const uniform = d.every(v => Math.abs(v - d[0]) <= 1e-9 * Math.max(1, d[0]));
  const pixel = p.pixelUnits ? `, pixel ${fmt(p.pixelSize)} ${p.pixelUnits === 'A' ? 'Å' : p.pixelUnits}` : '';
  const lines = [
    `${p.title}: dose series of ${n} frames, ${rows} × ${cols}${pixel}`,
    `dose ${uniform ? `${fmt(d[0])} e⁻/Å² per frame` : `${fmt(Math.min(...d))}–${fmt(Math.max(...d))} e⁻/Å² per frame`}, ` +
      `accumulated ${fmt(p.cumulativeDoseEPerA2[0])}–${fmt(p.cumulativeDoseEPerA2[n - 1])} e⁻/Å²` +
      (p.preDoseEPerA2 > 0 ? ` (pre-dose ${fmt(p.preDoseEPerA2)})` : '') +
      (p.frameTimeS !== null ? `; frame time ${fmt(p.frameTimeS)} s, ${fmt(n * p.frameTimeS)} s in all` : ''),
    `previews: ${p.frames.binning > 1 ? `binned ${p.frames.binning}×${p.frames.binning} (block sums)` : 'full resolution'}` +
      (p.frames.region ? ` of the central ${p.frames.region[2]} × ${p.frames.region[3]} pixels (binning the whole frame into the budget would alias the tracked spots)` : '') +
      ', ' +
      `${p.frames.frames.every(f => f.exact) ? 'exact values' : '16-bit quantised'}, ${(bytes / 1e6).toFixed(2)} MB`
  ];
  const t = p.tracks;
  if (t) {
    const last = t.frames.length - 1;
    lines.push(
      `tracked spots: ${t.spots.map(s => s.label).join(', ')} over ${t.frames.length} measurements` +
        (t.strain && t.strain.e1[last] !== null ? `; strain e1 ${(100 * t.strain.e1[last]).toFixed(2)} % at ${fmt(t.doseEPerA2[last])} e⁻/Å²` : '')
    );
  }
  const f = p.fit;
  if (f) {
    lines.push(
      `${f.label}: Dc = ${fmt(f.criticalDoseEPerA2)} e⁻/Å² (95 % CI ${fmt(f.ci95[0])}–${f.ci95[1] === null ? '∞' : fmt(f.ci95[1])})` +
        (f.underdetermined ? ' — UNDERDETERMINED' : '')
    );
  }
  lines.push('(static preview: sum of all frames | its log power spectrum; the lowdose-jupyterlab extension shows the interactive slider)');
  return lines.join('\n');
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return String(Number(v.toPrecision(4)));
}
