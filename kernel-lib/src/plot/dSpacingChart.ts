import { ValueError } from '../errors';
import { VegaLiteSpec, VEGALITE_V5_SCHEMA } from './linePlot';

/** A spot as {@link dSpacingChart} reads it (a `lattice.findPeaks` peak, a `lattice.spots` entry, …). */
export interface DSpacingSpot {
  kxInvA?: number;
  kyInvA?: number;
  dA?: number;
  angleDeg?: number;
  snr?: number;
  label?: string;
}

/** Options of {@link dSpacingChart}. */
export interface DSpacingChartOptions {
  /** Expected d-spacings drawn as vertical rules (e.g. `[{dA: 9.39, label: '(½00)'}, {dA: 4.695, label: '(100)'}]`). */
  reference?: Array<{ dA: number; label?: string }>;
  /** Default 'd-spacings'. */
  title?: string;
  /** Default 480 px. */
  width?: number;
  /** Default 24 px per spot. */
  rowHeight?: number;
}

/**
 * The d-spacing table of measured FFT spots as a Vega-Lite v5 chart: one row per spot (coarsest d on
 * top) with a point at its d (Å), sized by SNR, and a text column right of the plot listing d (Å), |g| (1/Å), angle (°),
 * SNR and |g|/|g_min| — the ratio to the coarsest spot, which needs no magnification calibration
 * (science.md §1.4: 2.000 for the 4.7/9.4 Å pair of a doubled cell). Optional reference d-spacings are
 * vertical dashed rules. Plain JSON; kernel-lib renders nothing.
 * @param spots - spots with `{kxInvA, kyInvA}` or `{dA, angleDeg}` (findPeaks peaks, lattice.spots, …).
 * @param options - reference d-spacings, title, size.
 * @returns a Vega-Lite v5 layered spec (point, text, optional rule layers); every row's fields are in its data.
 * @throws ValueError for an empty list or a spot without a positive d.
 * @example lowdose.display.show(lowdose.plot.dSpacingChart(lowdose.lattice.findPeaks(ps), { reference: [{ dA: 9.39 }, { dA: 4.695 }] }))
 */
export function dSpacingChart(spots: DSpacingSpot[], options: DSpacingChartOptions = {}): VegaLiteSpec {
  const fn = 'dSpacingChart';
  if (!Array.isArray(spots) || spots.length === 0) {
    throw new ValueError(`${fn}: spots must be a non-empty array of {kxInvA, kyInvA} or {dA}; got ${Array.isArray(spots) ? 'an empty array' : typeof spots}.`);
  }
  const rows = spots.map((s, i) => {
    const hasVec = typeof s?.kxInvA === 'number' && typeof s?.kyInvA === 'number';
    const g = hasVec ? Math.hypot(s.kxInvA as number, s.kyInvA as number) : typeof s?.dA === 'number' ? 1 / s.dA : NaN;
    if (!(g > 0) || !Number.isFinite(g)) throw new ValueError(`${fn}: spots[${i}] must give kxInvA/kyInvA or dA > 0; got ${JSON.stringify(s)}.`);
    const angle = hasVec ? (Math.atan2(s.kyInvA as number, s.kxInvA as number) * 180) / Math.PI : s.angleDeg;
    return { g, dA: 1 / g, angleDeg: typeof angle === 'number' && Number.isFinite(angle) ? angle : null, snr: Number.isFinite(s.snr) ? (s.snr as number) : null, label: s.label };
  });
  const gMin = Math.min(...rows.map(r => r.g));
  const order = rows.map((_, i) => i).sort((a, b) => rows[b].dA - rows[a].dA);
  const values = order.map((i, rank) => {
    const r = rows[i];
    const ratio = r.g / gMin;
    const parts = [
      `d = ${r.dA.toFixed(4)} Å`,
      `|g| = ${r.g.toFixed(5)} 1/Å`,
      r.angleDeg === null ? null : `${r.angleDeg.toFixed(1)}°`,
      r.snr === null ? null : `S = ${r.snr.toPrecision(3)}`,
      `|g|/|g_min| = ${ratio.toFixed(4)}`
    ].filter(Boolean);
    return {
      spot: `${rank + 1}${r.label ? ` ${r.label}` : ''}`,
      dA: r.dA,
      gInvA: r.g,
      angleDeg: r.angleDeg ?? 0,
      snr: r.snr ?? 0,
      gRatio: ratio,
      text: parts.join(' · ')
    };
  });
  const dMax = Math.max(...values.map(v => v.dA), ...(options.reference ?? []).map(r => r.dA).filter(d => d > 0 && Number.isFinite(d)));
  const x = { field: 'dA', type: 'quantitative', title: 'd (Å)', scale: { domain: [0, dMax * 1.1], nice: false } };
  const y = { field: 'spot', type: 'nominal', title: null, sort: values.map(v => v.spot) };
  const tooltip = [
    { field: 'dA', type: 'quantitative', title: 'd (Å)', format: '.4f' },
    { field: 'gInvA', type: 'quantitative', title: '|g| (1/Å)', format: '.5f' },
    { field: 'angleDeg', type: 'quantitative', title: 'angle (°)', format: '.2f' },
    { field: 'snr', type: 'quantitative', title: 'SNR', format: '.3g' },
    { field: 'gRatio', type: 'quantitative', title: '|g|/|g_min|', format: '.4f' }
  ];
  const layer: unknown[] = [];
  const refs = (options.reference ?? []).filter(r => r && r.dA > 0 && Number.isFinite(r.dA));
  if (refs.length) {
    layer.push({
      data: { values: refs.map(r => ({ dA: r.dA, label: r.label ?? `${r.dA} Å` })) },
      mark: { type: 'rule', color: '#7f7f7f', strokeDash: [4, 3] },
      encoding: { x, tooltip: [{ field: 'label', type: 'nominal' }, { field: 'dA', type: 'quantitative', title: 'd (Å)' }] }
    });
  }
  layer.push({
    data: { values },
    mark: { type: 'point', filled: true, color: '#1f77b4' },
    encoding: { x, y, size: { field: 'snr', type: 'quantitative', title: 'SNR', scale: { type: 'sqrt', zero: true } }, tooltip }
  });
  const width = options.width ?? 480;
  layer.push({
    data: { values },
    mark: { type: 'text', align: 'left', fontSize: 11 },
    encoding: { x: { value: width + 12 }, y, text: { field: 'text', type: 'nominal' } }
  });
  return {
    $schema: VEGALITE_V5_SCHEMA,
    title: options.title ?? 'd-spacings',
    width,
    height: (options.rowHeight ?? 24) * values.length,
    layer
  };
}
