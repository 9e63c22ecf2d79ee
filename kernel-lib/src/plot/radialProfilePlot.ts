import { ShapeError, ValueError } from '../errors';
import { VegaLiteSpec, VEGALITE_V5_SCHEMA, decimateMinMax } from './linePlot';

/** The part of an `fft.radialProfile` result that {@link radialProfilePlot} draws. */
export interface RadialProfileLike {
  kInvA: ArrayLike<number>;
  power: ArrayLike<number>;
  noiseFloor?: number;
  noiseFloorMethod?: 'shot' | 'high-k';
}

/** A spot to mark: its |g| (or vector, or d) and an optional label. */
export interface MarkedSpot {
  gInvA?: number;
  kxInvA?: number;
  kyInvA?: number;
  dA?: number;
  label?: string;
  snr?: number;
}

/** Options of {@link radialProfilePlot}. */
export interface RadialProfilePlotOptions {
  /** Spots to mark with vertical rules labelled by d (e.g. `lattice.findPeaks` output). */
  spots?: MarkedSpot[];
  /** Noise floor in power units (default the profile's `noiseFloor`); a non-finite value hides it. */
  noiseFloor?: number;
  /** Plot P/P_noise (science.md §1.6: log P − log P_noise) instead of P (default false). */
  relativeToNoise?: boolean;
  /** Default 'Radially averaged power spectrum'. */
  title?: string;
  /** Default 560 px. */
  width?: number;
  /** Default 300 px. */
  height?: number;
  /** Most profile points drawn (min/max decimation keeps peaks; default 2000). */
  maxPoints?: number;
}

/**
 * Radially averaged power spectrum (science.md §1.6) as a Vega-Lite v5 layered spec: log power against
 * spatial frequency k (1/Å), the noise floor as a dashed horizontal rule, and marked spots as vertical
 * rules labelled with their d-spacing (Å). Bins with non-positive or non-finite power (and k = 0) are
 * dropped, since the y scale is logarithmic. Plain JSON; kernel-lib renders nothing.
 * @param profile - an `fft.radialProfile` result (or any `{kInvA, power}` arrays).
 * @param options - spots to mark, noise floor, relative scale, size.
 * @returns a Vega-Lite v5 spec with layers line (profile), rule (noise floor), rule + text (spots).
 * @throws ShapeError when kInvA and power differ in length; ValueError when nothing is plottable.
 * @example
 * const ps = lowdose.fft.powerSpectrum(img);
 * lowdose.display.show(lowdose.plot.radialProfilePlot(lowdose.fft.radialProfile(ps), { spots: lowdose.lattice.findPeaks(ps) }));
 */
export function radialProfilePlot(profile: RadialProfileLike, options: RadialProfilePlotOptions = {}): VegaLiteSpec {
  const fn = 'radialProfilePlot';
  const k = profile?.kInvA;
  const p = profile?.power;
  if (!k || !p || k.length !== p.length) {
    throw new ShapeError(`${fn}: profile.kInvA and profile.power must be arrays of one length; got ${k?.length} and ${p?.length}.`);
  }
  const floor = options.noiseFloor ?? profile.noiseFloor;
  const rel = options.relativeToNoise ?? false;
  if (rel && !(typeof floor === 'number' && floor > 0 && Number.isFinite(floor))) {
    throw new ValueError(`${fn}: relativeToNoise needs a positive finite noise floor; got ${floor}. Pass { noiseFloor }.`);
  }
  const scale = rel ? (floor as number) : 1;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < k.length; i++) {
    const y = p[i] / scale;
    if (k[i] > 0 && y > 0 && Number.isFinite(y) && Number.isFinite(k[i])) {
      xs.push(k[i]);
      ys.push(y);
    }
  }
  if (xs.length === 0) throw new ValueError(`${fn}: profile must have at least one bin with k > 0 and positive power; got none.`);
  const values = decimateMinMax(xs, ys, options.maxPoints ?? 2000).map(([x, y]) => ({ kInvA: x, power: y, dA: 1 / x }));
  const yTitle = rel ? 'P / P_noise' : 'power |F|²';
  const xMax = xs[xs.length - 1];
  const x = { field: 'kInvA', type: 'quantitative', title: 'k (1/Å)', scale: { domain: [0, xMax], nice: false } };
  const y = { field: 'power', type: 'quantitative', title: yTitle, scale: { type: 'log' } };
  const layer: unknown[] = [
    {
      data: { values },
      mark: { type: 'line', color: '#1f77b4', clip: true },
      encoding: {
        x,
        y,
        tooltip: [
          { field: 'kInvA', type: 'quantitative', title: 'k (1/Å)', format: '.4f' },
          { field: 'dA', type: 'quantitative', title: 'd (Å)', format: '.3f' },
          { field: 'power', type: 'quantitative', title: yTitle, format: '.4g' }
        ]
      }
    }
  ];
  if (typeof floor === 'number' && floor > 0 && Number.isFinite(floor)) {
    const method = profile.noiseFloorMethod === 'shot' ? 'shot-noise floor Σw²c' : 'noise floor';
    layer.push({
      data: { values: [{ power: floor / scale, label: `${method}: ${floor.toPrecision(4)}` }] },
      mark: { type: 'rule', color: '#7f7f7f', strokeDash: [6, 4] },
      encoding: { y, tooltip: [{ field: 'label', type: 'nominal' }] }
    });
  }
  const marks = spotMarks(options.spots ?? [], fn).filter(s => s.kInvA <= xMax);
  if (marks.length) {
    layer.push({
      data: { values: marks },
      mark: { type: 'rule', color: '#d62728', opacity: 0.7 },
      encoding: {
        x,
        tooltip: [
          { field: 'label', type: 'nominal' },
          { field: 'dA', type: 'quantitative', title: 'd (Å)', format: '.4f' },
          { field: 'kInvA', type: 'quantitative', title: '|g| (1/Å)', format: '.5f' }
        ]
      }
    });
    layer.push({
      data: { values: marks },
      mark: { type: 'text', color: '#d62728', angle: 270, align: 'left', baseline: 'bottom', dx: 2, y: 4 },
      encoding: { x, text: { field: 'label', type: 'nominal' } }
    });
  }
  return {
    $schema: VEGALITE_V5_SCHEMA,
    title: options.title ?? 'Radially averaged power spectrum',
    width: options.width ?? 560,
    height: options.height ?? 300,
    layer
  };
}

/** Spots as {kInvA, dA, label}, one per distinct |g| (within 0.2 %: Friedel mates and symmetry equivalents merge). */
function spotMarks(spots: MarkedSpot[], fn: string): Array<{ kInvA: number; dA: number; label: string }> {
  if (!Array.isArray(spots)) throw new ValueError(`${fn}: spots must be an array; got ${typeof spots}.`);
  const out: Array<{ kInvA: number; dA: number; label: string }> = [];
  spots.forEach((s, i) => {
    const g =
      typeof s?.gInvA === 'number'
        ? s.gInvA
        : typeof s?.kxInvA === 'number' && typeof s?.kyInvA === 'number'
          ? Math.hypot(s.kxInvA, s.kyInvA)
          : typeof s?.dA === 'number'
            ? 1 / s.dA
            : NaN;
    if (!(g > 0) || !Number.isFinite(g)) throw new ValueError(`${fn}: spots[${i}] must give gInvA, kxInvA/kyInvA or dA > 0; got ${JSON.stringify(s)}.`);
    if (out.some(o => Math.abs(o.kInvA - g) <= 2e-3 * g)) return;
    out.push({ kInvA: g, dA: 1 / g, label: s.label ?? `${(1 / g).toFixed(2)} Å` });
  });
  return out;
}
