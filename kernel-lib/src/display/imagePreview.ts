import { ColormapName, ContrastLimits, ImagePreview, ImageStats } from './protocol';
import { colormapLut, toLevels } from './colormaps';

/** A 2D image as dense row-major float32 values. */
export interface DenseImage {
  rows: number;
  cols: number;
  values: Float32Array;
}

/**
 * Bins an image by an integer factor (block means; partial edge blocks average what they hold;
 * NaNs are skipped, an all-NaN block stays NaN).
 */
export function binImage(image: DenseImage, binning: number): DenseImage {
  if (binning === 1) return image;
  const rows = Math.ceil(image.rows / binning);
  const cols = Math.ceil(image.cols / binning);
  const sums = new Float64Array(rows * cols);
  const counts = new Uint32Array(rows * cols);
  const src = image.values;
  for (let r = 0; r < image.rows; r++) {
    const outRow = Math.floor(r / binning) * cols;
    const inRow = r * image.cols;
    for (let c = 0; c < image.cols; c++) {
      const v = src[inRow + c];
      if (v !== v) continue;
      const k = outRow + Math.floor(c / binning);
      sums[k] += v;
      counts[k]++;
    }
  }
  const values = new Float32Array(rows * cols);
  for (let i = 0; i < values.length; i++) values[i] = counts[i] ? sums[i] / counts[i] : NaN;
  return { rows, cols, values };
}

/** Min, max, mean and population std of the finite values (Welford). */
export function imageStats(values: Float32Array): ImageStats {
  let count = 0;
  let nanCount = 0;
  let mean = 0;
  let m2 = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      nanCount++;
      continue;
    }
    count++;
    const d = v - mean;
    mean += d / count;
    m2 += d * (v - mean);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return count
    ? { min, max, mean, std: Math.sqrt(m2 / count), count, nanCount }
    : { min: 0, max: 0, mean: 0, std: 0, count: 0, nanCount };
}

/** Quantises a binned image to little-endian uint16 levels between its own min and max, as base64. */
export function quantisePreview(binned: DenseImage, binning: number): ImagePreview {
  const stats = imageStats(binned.values);
  const valueMin = stats.min;
  const valueMax = stats.max > stats.min ? stats.max : stats.min + 1;
  const bytes = Buffer.alloc(binned.values.length * 2);
  const k = 65535 / (valueMax - valueMin);
  for (let i = 0; i < binned.values.length; i++) {
    const v = binned.values[i];
    const q = Number.isFinite(v) ? Math.round((v - valueMin) * k) : 0;
    bytes.writeUInt16LE(q < 0 ? 0 : q > 65535 ? 65535 : q, 2 * i);
  }
  return {
    rows: binned.rows,
    cols: binned.cols,
    binning,
    encoding: 'uint16-le-base64',
    data: bytes.toString('base64'),
    valueMin,
    valueMax
  };
}

/** Colormapped 8-bit pixels of an image between contrast limits (1 channel for gray, else RGB). */
export function renderPixels(
  image: DenseImage,
  contrast: Pick<ContrastLimits, 'low' | 'high'>,
  colormap: ColormapName
): { pixels: Uint8Array; channels: 1 | 3 } {
  const levels = toLevels(image.values, contrast.low, contrast.high);
  if (colormap === 'gray') return { pixels: levels, channels: 1 };
  const lut = colormapLut(colormap);
  const rgb = new Uint8Array(levels.length * 3);
  for (let i = 0; i < levels.length; i++) {
    const l = 3 * levels[i];
    rgb[3 * i] = lut[l];
    rgb[3 * i + 1] = lut[l + 1];
    rgb[3 * i + 2] = lut[l + 2];
  }
  return { pixels: rgb, channels: 3 };
}
