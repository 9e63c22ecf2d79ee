import { Axis, Dataset, NdArray, dtypeOf, isDataset, isNdArray } from '../types/dataset';
import { ShapeError, ValueError } from '../errors';
import { percentiles } from '../stats/percentile';
import { linePlot } from '../plot/linePlot';
import { IMAGE_MIME, VEGALITE_MIME, COLORMAP_NAMES, ColormapName, ImagePayloadV1, MimeBundle, AxisPayload } from './protocol';
import { DenseImage, binImage, imageStats, quantisePreview, renderPixels } from './imagePreview';
import { encodePng } from './pngEncode';
import { linePlotPng } from './linePlotPng';

/** Default byte budget of one image output (payload + PNG + text), as JSON. */
export const DEFAULT_IMAGE_BUDGET_BYTES = 2_000_000;

/** Options of {@link bundle} and `show`. */
export interface BundleOptions {
  title?: string;
  /** Initial colormap (default 'gray'). */
  colormap?: ColormapName;
  /** Percentiles that set the initial contrast limits (default [0.5, 99.5]). */
  contrastPercentiles?: [number, number];
  /** Upper bound on the whole bundle serialised as JSON, bytes (default 2 MB). */
  maxBytes?: number;
  /** What the values are, e.g. "counts" (default: metadata.signalUnits or "value"). */
  valueLabel?: string;
}

/**
 * The MIME bundle `show(x)` sends, as a plain object (pure; works outside a kernel).
 *
 * - 2D image → `application/vnd.lowdose.image.v1+json` (quantised, binned preview with
 *   calibration, contrast and statistics), `image/png` (colormapped preview) and `text/plain`.
 * - 3D stack `[frame, row, col]` → the same for the sum over frames; the summary names the
 *   stack's shape.
 * - 1D signal → a Vega-Lite v5 line plot, a PNG fallback and `text/plain`.
 *
 * Previews are binned by the smallest integer factor that keeps the whole bundle within
 * `maxBytes` (a 4096 × 4096 float32 image fits the 2 MB default).
 * @throws ShapeError for 0-D or >3-D input; ValueError for a bad option.
 * @example const b = lowdose.display.bundle(img); Object.keys(b.data)
 */
export function bundle(x: Dataset | NdArray, options: BundleOptions = {}): MimeBundle {
  const ds = asDataset(x);
  const colormap = options.colormap ?? 'gray';
  if (!COLORMAP_NAMES.includes(colormap)) {
    throw new ValueError(`bundle: colormap must be one of ${COLORMAP_NAMES.join(', ')}; got ${JSON.stringify(colormap)}.`);
  }
  const pct = options.contrastPercentiles ?? [0.5, 99.5];
  if (!(pct[0] >= 0 && pct[1] <= 100 && pct[0] < pct[1])) {
    throw new ValueError(`bundle: contrastPercentiles must be [low, high] with 0 ≤ low < high ≤ 100; got [${pct.join(', ')}].`);
  }
  const maxBytes = options.maxBytes ?? DEFAULT_IMAGE_BUDGET_BYTES;
  if (!(maxBytes >= 20_000)) {
    throw new ValueError(`bundle: maxBytes must be at least 20000; got ${maxBytes}.`);
  }
  const ndim = ds.data.shape.length;
  if (ndim === 1) return lineBundle(ds, options);
  if (ndim === 2 || ndim === 3) return imageBundle(ds, { ...options, colormap, contrastPercentiles: pct, maxBytes });
  throw new ShapeError(
    `bundle: data must be 1D (signal), 2D (image) or 3D (stack); got shape [${ds.data.shape.join(', ')}]. ` +
      'Slice it first, e.g. a 4D-STEM scan with a virtual image.'
  );
}

function asDataset(x: Dataset | NdArray): Dataset {
  if (isDataset(x)) return x;
  if (isNdArray(x)) return { data: x, axes: x.shape.map(size => ({ name: '', size, scale: 1, offset: 0, units: '' as const })), metadata: {} };
  throw new ValueError('bundle: x must be a Dataset or an ndarray; got ' + (x === null ? 'null' : typeof x) + '.');
}

type ImageOptions = BundleOptions & Required<Pick<BundleOptions, 'colormap' | 'contrastPercentiles' | 'maxBytes'>>;

function imageBundle(ds: Dataset, options: ImageOptions): MimeBundle {
  const shape = ds.data.shape;
  const stacked = shape.length === 3;
  const image = stacked ? sumFrames(ds.data) : dense(ds.data);
  const rowAxis = ds.axes[shape.length - 2];
  const colAxis = ds.axes[shape.length - 1];
  const stats = imageStats(image.values);
  const [low, high] = percentiles(image.values, options.contrastPercentiles);
  const contrast = {
    low: Number.isFinite(low) ? low : 0,
    high: Number.isFinite(high) && high > low ? high : (Number.isFinite(low) ? low : 0) + 1,
    percentiles: options.contrastPercentiles
  };
  const dtype = dtypeOf(ds.data);
  const valueLabel = options.valueLabel ?? (typeof ds.metadata.signalUnits === 'string' ? ds.metadata.signalUnits : 'value');
  const note = stacked ? `sum of ${shape[0]} frames of a stack [${shape.join(', ')}]` : '';
  const title = options.title ?? (typeof ds.metadata.title === 'string' ? ds.metadata.title : stacked ? 'stack (sum)' : 'image');
  const summary = textSummary(title, shape, dtype, [rowAxis, colAxis], stats, note);
  // Smallest integer binning whose whole bundle fits the budget; start from an estimate of
  // ~3.2 bytes per preview pixel (2.67 base64 uint16 + a compressed PNG) and step up until it fits.
  let binning = Math.max(1, Math.ceil(Math.sqrt((image.rows * image.cols * 3.2) / options.maxBytes)));
  for (;;) {
    const binned = binImage(image, binning);
    const { pixels, channels } = renderPixels(binned, contrast, options.colormap);
    const png = Buffer.from(encodePng(pixels, binned.cols, binned.rows, channels)).toString('base64');
    const payload: ImagePayloadV1 = {
      version: 1,
      kind: 'image',
      title,
      shape: [image.rows, image.cols],
      axes: [axisPayload(rowAxis, 'y'), axisPayload(colAxis, 'x')],
      sourceShape: shape.slice(),
      note,
      dtype,
      valueLabel,
      preview: quantisePreview(binned, binning),
      contrast,
      colormap: options.colormap,
      stats
    };
    const result: MimeBundle = {
      data: { [IMAGE_MIME]: payload, 'image/png': png, 'text/plain': summary + (binning > 1 ? `\npreview binned ${binning}×${binning}` : '') },
      metadata: { 'image/png': { width: binned.cols, height: binned.rows } }
    };
    if (JSON.stringify(result).length <= options.maxBytes) return result;
    binning = Math.max(binning + 1, Math.ceil(binning * 1.15));
  }
}

function lineBundle(ds: Dataset, options: BundleOptions): MimeBundle {
  const n = ds.data.shape[0];
  const axis = ds.axes[0];
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = axis.offset + i * axis.scale;
    y[i] = ds.data.get(i);
  }
  const stats = imageStats(Float32Array.from(y));
  const title = options.title ?? (typeof ds.metadata.title === 'string' ? ds.metadata.title : 'signal');
  const xTitle = `${axis.name || 'index'}${axis.units ? ` (${unitLabel(axis.units)})` : ''}`;
  const yTitle = options.valueLabel ?? (typeof ds.metadata.signalUnits === 'string' ? ds.metadata.signalUnits : 'value');
  const spec = linePlot(x, y, { title, xTitle, yTitle });
  const png = Buffer.from(linePlotPng(x, y)).toString('base64');
  const summary =
    `${title}: 1D signal of ${n} points, ${xTitle} from ${fmt(x[0])} to ${fmt(x[n - 1])}; ` +
    `${yTitle} min ${fmt(stats.min)}, max ${fmt(stats.max)}, mean ${fmt(stats.mean)}`;
  return { data: { [VEGALITE_MIME]: spec, 'image/png': png, 'text/plain': summary }, metadata: {} };
}

function sumFrames(a: NdArray): DenseImage {
  const [frames, rows, cols] = a.shape;
  const acc = new Float64Array(rows * cols);
  const [s0, s1, s2] = a.stride;
  for (let f = 0; f < frames; f++) {
    for (let r = 0; r < rows; r++) {
      let idx = a.offset + f * s0 + r * s1;
      const base = r * cols;
      for (let c = 0; c < cols; c++, idx += s2) acc[base + c] += a.data[idx];
    }
  }
  return { rows, cols, values: Float32Array.from(acc) };
}

function dense(a: NdArray): DenseImage {
  const [rows, cols] = a.shape;
  const values = new Float32Array(rows * cols);
  const [s0, s1] = a.stride;
  for (let r = 0; r < rows; r++) {
    let idx = a.offset + r * s0;
    for (let c = 0; c < cols; c++, idx += s1) values[r * cols + c] = a.data[idx];
  }
  return { rows, cols, values };
}

function axisPayload(axis: Axis, fallbackName: string): AxisPayload {
  return { name: axis.name || fallbackName, size: axis.size, scale: axis.scale, offset: axis.offset, units: axis.units };
}

function textSummary(title: string, shape: number[], dtype: string, axes: Axis[], stats: ImagePayloadV1['stats'], note: string): string {
  const [rowAxis, colAxis] = axes;
  const calibrated = colAxis.units !== '';
  const size = calibrated
    ? `, pixel ${fmt(colAxis.scale)} ${unitLabel(colAxis.units)} (field ${fmt(rowAxis.size * rowAxis.scale)} × ${fmt(colAxis.size * colAxis.scale)} ${unitLabel(colAxis.units)})`
    : ', uncalibrated';
  const lines = [
    `${title}: ${shape.join(' × ')} ${dtype}${size}`,
    ...(note ? [`shown: ${note}`] : []),
    `min ${fmt(stats.min)}, max ${fmt(stats.max)}, mean ${fmt(stats.mean)}, std ${fmt(stats.std)}` +
      (stats.nanCount ? `, ${stats.nanCount} NaN` : '')
  ];
  return lines.join('\n');
}

function unitLabel(units: string): string {
  return units === 'A' ? 'Å' : units === '1/A' ? '1/Å' : units === 'um' ? 'µm' : units;
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3)) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}
