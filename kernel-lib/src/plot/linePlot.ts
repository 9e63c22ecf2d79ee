/**
 * Vega-Lite v5 line-plot spec (plain JSON; JupyterLab renders v5 natively).
 * kernel-lib renders nothing itself: builders return specs.
 */

/** The subset of a Vega-Lite v5 top-level spec lowdose builders emit. */
export interface VegaLiteSpec {
  $schema: string;
  [key: string]: unknown;
}

export const VEGALITE_V5_SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/** Options of {@link linePlot}. */
export interface LinePlotOptions {
  title?: string;
  xTitle?: string;
  yTitle?: string;
  width?: number;
  height?: number;
  /** Most points kept; longer series are decimated by min/max per bucket so peaks survive (default 4000). */
  maxPoints?: number;
}

/**
 * A line plot of y against x.
 * @example lowdose.plot.linePlot(qInvA, power, { xTitle: 'k (1/Å)', yTitle: 'power' })
 */
export function linePlot(x: ArrayLike<number>, y: ArrayLike<number>, options: LinePlotOptions = {}): VegaLiteSpec {
  const points = decimateMinMax(x, y, options.maxPoints ?? 4000);
  return {
    $schema: VEGALITE_V5_SCHEMA,
    ...(options.title ? { title: options.title } : {}),
    width: options.width ?? 480,
    height: options.height ?? 240,
    data: { values: points.map(([px, py]) => ({ x: px, y: py })) },
    mark: { type: 'line', clip: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: options.xTitle ?? 'x', scale: { zero: false } },
      y: { field: 'y', type: 'quantitative', title: options.yTitle ?? 'y', scale: { zero: false } }
    }
  };
}

/** Keeps at most ~maxPoints points: the first/min/max/last of equal buckets, in x order; drops non-finite y. */
export function decimateMinMax(x: ArrayLike<number>, y: ArrayLike<number>, maxPoints: number): Array<[number, number]> {
  const n = Math.min(x.length, y.length);
  const finite: number[] = [];
  for (let i = 0; i < n; i++) if (Number.isFinite(y[i]) && Number.isFinite(x[i])) finite.push(i);
  if (finite.length <= maxPoints) return finite.map(i => [x[i], y[i]]);
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const out: Array<[number, number]> = [];
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * finite.length) / buckets);
    const end = Math.floor(((b + 1) * finite.length) / buckets);
    let lo = finite[start];
    let hi = finite[start];
    for (let k = start; k < end; k++) {
      const i = finite[k];
      if (y[i] < y[lo]) lo = i;
      if (y[i] > y[hi]) hi = i;
    }
    const pair = lo < hi ? [lo, hi] : [hi, lo];
    for (const i of pair) if (out.length === 0 || out[out.length - 1][0] !== x[i]) out.push([x[i], y[i]]);
  }
  return out;
}
