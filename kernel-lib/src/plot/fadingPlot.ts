import { ShapeError, ValueError } from '../errors';
import { VegaLiteSpec, VEGALITE_V5_SCHEMA } from './linePlot';

/** The part of a critical-dose fit (`dose.fitCriticalDose`) that {@link fadingPlot} draws. */
export interface FadingFit {
  criticalDoseEPerA2: number;
  i0: number;
  background: number;
  /** 95 % interval of Dc (e⁻/Å²); the upper end may be Infinity. */
  ci95?: [number, number];
  underdetermined?: boolean;
}

/** Options of {@link fadingPlot}. */
export interface FadingPlotOptions {
  /** Default: "Dc = … e⁻/Å² (95 % CI …)", marked when under-determined. */
  title?: string;
  /** Default 'dose (e⁻/Å²)'. */
  xTitle?: string;
  /** Default 'spot intensity'. */
  yTitle?: string;
  /** Default 480 px. */
  width?: number;
  /** Default 300 px. */
  height?: number;
  /** Samples of the fitted curve. Default 200. */
  curvePoints?: number;
  /** The x axis is extended to show Dc when Dc ≤ this × the largest dose. Default 3. */
  maxExtrapolation?: number;
}

/**
 * Fading curve of one reflection family (science.md §1.9) as a Vega-Lite v5 layered spec: measured intensities as
 * points, the fitted I₀·exp(−D/Dc) + B as a line (dashed beyond the last dose), the 95 % interval of Dc as a shaded
 * band and Dc as a vertical rule. Plain JSON; kernel-lib renders nothing.
 * @param dosesEPerA2 dose of each point (e⁻/Å²), the same as given to the fit.
 * @param intensities intensity at each dose.
 * @param fit a `dose.fitCriticalDose` result (or any object with its fields).
 * @throws ShapeError when the lengths differ; ValueError when the fit's Dc is not finite and positive.
 * @example lowdose.display.show(lowdose.plot.fadingPlot(mid, power, lowdose.dose.fitCriticalDose(mid, power)))
 */
export function fadingPlot(
  dosesEPerA2: ArrayLike<number>,
  intensities: ArrayLike<number>,
  fit: FadingFit,
  options: FadingPlotOptions = {}
): VegaLiteSpec {
  const fn = 'fadingPlot';
  if (dosesEPerA2.length !== intensities.length) {
    throw new ShapeError(`${fn}: intensities must have one value per dose (${dosesEPerA2.length}); got ${intensities.length}.`);
  }
  const dc = fit?.criticalDoseEPerA2;
  if (!(dc > 0) || !Number.isFinite(dc) || !Number.isFinite(fit.i0) || !Number.isFinite(fit.background)) {
    throw new ValueError(
      `${fn}: fit must have finite criticalDoseEPerA2 > 0, i0 and background; got ${JSON.stringify(fit && { criticalDoseEPerA2: dc, i0: fit.i0, background: fit.background })}.`
    );
  }
  const points: Array<{ doseEPerA2: number; intensity: number }> = [];
  let dMax = 0;
  for (let i = 0; i < dosesEPerA2.length; i++) {
    const d = dosesEPerA2[i];
    const v = intensities[i];
    if (!Number.isFinite(d) || !Number.isFinite(v)) continue;
    points.push({ doseEPerA2: d, intensity: v });
    dMax = Math.max(dMax, d);
  }
  const showDc = dc <= (options.maxExtrapolation ?? 3) * dMax;
  const xMax = showDc ? Math.max(dMax, dc) * 1.05 : dMax * 1.05 || 1;
  const nCurve = Math.max(2, Math.round(options.curvePoints ?? 200));
  const model = (d: number): number => fit.i0 * Math.exp(-d / dc) + fit.background;
  const curve: Array<{ doseEPerA2: number; intensity: number; part: 'fit' | 'extrapolated' }> = [];
  const nFit = Math.max(2, Math.round((nCurve * dMax) / xMax));
  for (let k = 0; k < nFit; k++) curve.push({ doseEPerA2: (k / (nFit - 1)) * dMax, intensity: 0, part: 'fit' });
  const nExt = Math.max(2, nCurve - nFit);
  for (let k = 0; k < nExt; k++) curve.push({ doseEPerA2: dMax + (k / (nExt - 1)) * (xMax - dMax), intensity: 0, part: 'extrapolated' });
  for (const c of curve) c.intensity = model(c.doseEPerA2);

  const fmt = (v: number): string => (Number.isFinite(v) ? v.toPrecision(3) : '∞');
  const ci = fit.ci95;
  const xTitle = options.xTitle ?? 'dose (e⁻/Å²)';
  const xScale = { domain: [0, xMax], nice: false };
  const x = { field: 'doseEPerA2', type: 'quantitative', title: xTitle, scale: xScale };
  const y = { field: 'intensity', type: 'quantitative', title: options.yTitle ?? 'spot intensity', scale: { zero: false } };
  const layer: unknown[] = [];
  if (ci && Number.isFinite(ci[0])) {
    const lo = Math.max(0, Math.min(ci[0], xMax));
    const hi = Math.min(Number.isFinite(ci[1]) ? ci[1] : xMax, xMax);
    if (hi > lo) {
      layer.push({
        data: { values: [{ lo, hi, label: `95 % CI of Dc: ${fmt(ci[0])}–${fmt(ci[1])} e⁻/Å²` }] },
        mark: { type: 'rect', color: '#9ecae1', opacity: 0.35 },
        encoding: { x: { field: 'lo', type: 'quantitative', title: xTitle, scale: xScale }, x2: { field: 'hi' }, tooltip: [{ field: 'label', type: 'nominal' }] }
      });
    }
  }
  layer.push({
    data: { values: points },
    mark: { type: 'point', filled: true, color: '#1f77b4' },
    encoding: { x, y, tooltip: [{ field: 'doseEPerA2', type: 'quantitative', format: '.3g' }, { field: 'intensity', type: 'quantitative', format: '.4g' }] }
  });
  layer.push({
    data: { values: curve },
    mark: { type: 'line', color: '#ff7f0e', clip: true },
    encoding: { x, y, strokeDash: { field: 'part', type: 'nominal', legend: null, scale: { domain: ['fit', 'extrapolated'], range: [[1, 0], [6, 4]] } } }
  });
  if (showDc) {
    layer.push({
      data: { values: [{ doseEPerA2: dc, label: `Dc = ${fmt(dc)} e⁻/Å²` }] },
      mark: { type: 'rule', color: '#d62728', strokeDash: [4, 3] },
      encoding: { x, tooltip: [{ field: 'label', type: 'nominal' }] }
    });
  }
  const title =
    options.title ??
    `Dc = ${fmt(dc)} e⁻/Å²` +
      (ci ? ` (95 % CI ${fmt(ci[0])}–${fmt(ci[1])})` : '') +
      (fit.underdetermined ? ' — under-determined' : '') +
      (showDc ? '' : ' — beyond the plotted range');
  return {
    $schema: VEGALITE_V5_SCHEMA,
    title,
    width: options.width ?? 480,
    height: options.height ?? 300,
    layer
  };
}
