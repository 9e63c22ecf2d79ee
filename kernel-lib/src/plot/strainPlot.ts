import { ShapeError, ValueError } from '../errors';
import { VegaLiteSpec, VEGALITE_V5_SCHEMA } from './linePlot';

/** One frame's strain, as `lattice.strainTensor` or `lattice.trackSpots(...).strain[i]` give it (dimensionless). */
export interface StrainSample {
  e1: number;
  e2: number;
  exx?: number;
  eyy?: number;
  exy?: number;
  /** Direction of e1 (degrees, array frame); shown in the tooltip. */
  angleDeg?: number;
}

/** A strain component {@link strainPlot} can draw. */
export type StrainComponent = 'e1' | 'e2' | 'exx' | 'eyy' | 'exy';

/** Options of {@link strainPlot}. */
export interface StrainPlotOptions {
  /** Components drawn, one line each. Default ['e1', 'e2'] (principal strains: the expanding and the perpendicular direction). */
  components?: StrainComponent[];
  /** Plot strain in % (default true) or as a fraction. */
  percent?: boolean;
  /** Default 'Principal strain vs dose'. */
  title?: string;
  /** Default 'dose (e⁻/Å²)'. */
  xTitle?: string;
  /** Default 480 px. */
  width?: number;
  /** Default 300 px. */
  height?: number;
}

const LABELS: Record<StrainComponent, string> = {
  e1: 'ε₁ (principal, larger)',
  e2: 'ε₂ (principal, smaller)',
  exx: 'ε_xx',
  eyy: 'ε_yy',
  exy: 'ε_xy'
};

/**
 * Strain against dose (science.md §1.10, Part 2 step 8) as a Vega-Lite v5 spec: one line with points per
 * component (default the principal strains e1, e2, so a unidirectional expansion shows as e1 rising and e2 flat),
 * a zero rule, and the principal direction in the tooltip. Frames with a non-finite value are left out.
 * @param dosesEPerA2 dose of each frame (e⁻/Å²), e.g. frame-midpoint doses.
 * @param strain one {@link StrainSample} per frame.
 * @throws ShapeError when the lengths differ; ValueError for an unknown component.
 * @example lowdose.plot.strainPlot(mid, tracked.strain)
 */
export function strainPlot(dosesEPerA2: ArrayLike<number>, strain: ArrayLike<StrainSample>, options: StrainPlotOptions = {}): VegaLiteSpec {
  const fn = 'strainPlot';
  if (dosesEPerA2.length !== strain.length) {
    throw new ShapeError(`${fn}: strain must have one entry per dose (${dosesEPerA2.length}); got ${strain.length}.`);
  }
  const components = options.components ?? ['e1', 'e2'];
  for (const c of components) {
    if (!(c in LABELS)) throw new ValueError(`${fn}: options.components must be drawn from ${Object.keys(LABELS).join(', ')}; got ${String(c)}.`);
  }
  const percent = options.percent ?? true;
  const scale = percent ? 100 : 1;
  const rows: Array<{ doseEPerA2: number; strain: number; component: string; angleDeg?: number }> = [];
  for (let i = 0; i < strain.length; i++) {
    const d = dosesEPerA2[i];
    const s = strain[i];
    if (!Number.isFinite(d) || !s) continue;
    for (const c of components) {
      const v = s[c];
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      const row: { doseEPerA2: number; strain: number; component: string; angleDeg?: number } = {
        doseEPerA2: d,
        strain: v * scale,
        component: LABELS[c]
      };
      if (c === 'e1' && typeof s.angleDeg === 'number' && Number.isFinite(s.angleDeg)) row.angleDeg = s.angleDeg;
      rows.push(row);
    }
  }
  const x = { field: 'doseEPerA2', type: 'quantitative', title: options.xTitle ?? 'dose (e⁻/Å²)', scale: { zero: false } };
  const y = { field: 'strain', type: 'quantitative', title: percent ? 'strain (%)' : 'strain' };
  const color = { field: 'component', type: 'nominal', title: 'component', sort: components.map(c => LABELS[c]) };
  return {
    $schema: VEGALITE_V5_SCHEMA,
    title: options.title ?? 'Principal strain vs dose',
    width: options.width ?? 480,
    height: options.height ?? 300,
    layer: [
      { data: { values: [{ zero: 0 }] }, mark: { type: 'rule', color: '#888', strokeDash: [2, 2] }, encoding: { y: { field: 'zero', type: 'quantitative', title: y.title } } },
      {
        data: { values: rows },
        mark: { type: 'line', point: true },
        encoding: {
          x,
          y,
          color,
          tooltip: [
            { field: 'component', type: 'nominal' },
            { field: 'doseEPerA2', type: 'quantitative', format: '.3g', title: 'dose (e⁻/Å²)' },
            { field: 'strain', type: 'quantitative', format: '.3f', title: y.title },
            { field: 'angleDeg', type: 'quantitative', format: '.1f', title: 'direction of ε₁ (deg)' }
          ]
        }
      }
    ]
  };
}
