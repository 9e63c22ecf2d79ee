/**
 * The FFT peak picker output (issue 4 item 8): an image and its power spectrum side by side, where
 * a click on a spot snaps to its refined maximum (in the browser, on a full-resolution crop of the
 * spectrum that the payload carries) and a table lists d, |g|, angle and SNR.
 */
import { ValueError } from '../errors';
import { Dataset, NdArray, toDense2d } from '../types/dataset';
import { PowerSpectrum, WindowName, imageInput, isPowerSpectrum, powerSpectrum } from '../fft/powerSpectrum';
import { radialProfile } from '../fft/radialProfile';
import { findPeaks } from '../lattice/findPeaks';
import { Peak } from '../lattice/refinePeak';
import { SpotInput, spots as refineSpots } from '../lattice/spots';
import { percentiles } from '../stats/percentile';
import { AxisPayload, MimeBundle } from './protocol';
import { FFT_MIME, FftCropPayload, FftPayloadV1, FftSpotPayload } from './fftPickerProtocol';
import { CROP_MARGIN_PX, isIdentifierPath } from './fftPickerMaths';
import { DenseImage, binImage, quantisePreview } from './imagePreview';
import { fftPickerPng } from './fftPickerPng';
import { sendBundle } from './tslabAdapter';

/** Default byte budget of one FFT picker output (payload + PNG + text, as JSON). */
export const DEFAULT_FFT_BUDGET_BYTES = 4_000_000;

/** Options of {@link fftPicker} and {@link fftPickerBundle}. */
export interface FftPickerOptions {
  /** Pixel size, Å (default: from the image's axes or metadata, as fft.powerSpectrum). */
  pixelSizeA?: number;
  /** Window of the spectrum (default 'hann'). */
  window?: WindowName;
  /** Title shown above the picker (default metadata.title or 'FFT peak picker'). */
  title?: string;
  /**
   * Finest d the full-resolution crop covers, Å (default 2 Å, or 2.2 pixels where that is coarser:
   * the {001}…{200} spots and a 2.2 Å information limit of NNB). Smaller values cost payload bytes.
   */
  minDA?: number;
  /** Upper bound on the whole bundle serialised as JSON, bytes (default 4 MB). */
  maxBytes?: number;
  /** Variable name of the image in the notebook, written by "Insert as code" (default 'image'). */
  sourceName?: string;
  /** Spots to start with (e.g. from an earlier "Insert as code"); refined here by upsampled DFT. */
  picks?: SpotInput[];
  /** Most spots of the kernel's own search shown as markers (default 12; 0 for none). */
  maxPeaks?: number;
  /** SNR threshold of that search (default findPeaks' family-wise threshold). */
  minSnr?: number;
}

/**
 * The MIME bundle {@link fftPicker} sends, as a plain object (pure; works outside a kernel):
 * `application/vnd.lowdose.fft.v1+json` (see {@link FftPayloadV1}: image and log-spectrum previews,
 * the full-resolution crop of log10 |F|² (uint16) out to `minDA`, radial noise statistics, the kernel's findPeaks
 * spots and the initial picks), `image/png` (image and spectrum side by side, spots marked) and
 * `text/plain` (a summary with the spot table), so the output reads where the extension is absent.
 *
 * Previews are binned by the smallest factor that keeps the bundle within `maxBytes`; the crop is
 * never binned (the browser's snap needs full resolution) and shrinks (coarser minDA, with a
 * warning) only when it alone would take more than 60 % of the budget.
 *
 * @param image - 2D Dataset or ndarray (counts or any real values), or a PowerSpectrum made by fft.powerSpectrum.
 * @param options - see {@link FftPickerOptions}.
 * @throws ShapeError for a non-2D input; CalibrationError without a pixel size; ValueError for bad options.
 * @example
 * const b = lowdose.display.fftPickerBundle(sum, { pixelSizeA: 0.5, sourceName: 'sum' });
 * Object.keys(b.data); // [FFT_MIME, 'image/png', 'text/plain']
 */
export function fftPickerBundle(image: Dataset | NdArray | PowerSpectrum, options: FftPickerOptions = {}): MimeBundle {
  const fn = 'fftPicker';
  const maxBytes = options.maxBytes ?? DEFAULT_FFT_BUDGET_BYTES;
  if (!(maxBytes >= 200_000) || !Number.isFinite(maxBytes)) throw new ValueError(`${fn}: maxBytes must be a number ≥ 200000; got ${maxBytes}.`);
  const sourceName = options.sourceName ?? 'image';
  if (!isIdentifierPath(sourceName)) {
    throw new ValueError(`${fn}: sourceName must be the image's variable name, such as 'sum'; got ${JSON.stringify(sourceName)}.`);
  }
  const maxPeaks = options.maxPeaks ?? 12;
  if (!(Number.isInteger(maxPeaks) && maxPeaks >= 0)) throw new ValueError(`${fn}: maxPeaks must be an integer ≥ 0; got ${maxPeaks}.`);
  const ps = isPowerSpectrum(image) ? image : powerSpectrum(imageInput(image as Dataset | NdArray, fn), { pixelSizeA: options.pixelSizeA, window: options.window });
  const src = ps.source ?? ps.metadata.source;
  if (!src) throw new ValueError(`${fn}: image must be an image or a spectrum made by fft.powerSpectrum (which keeps its image); got a spectrum without source.`);
  const [rows, cols] = ps.data.shape;
  const py = ps.metadata.pixelSizeYA;
  const px = ps.metadata.pixelSizeXA;
  const minDA = options.minDA ?? Math.max(2, 2.2 * Math.max(py, px));
  if (!(minDA > 0) || !Number.isFinite(minDA)) throw new ValueError(`${fn}: minDA must be a positive number of Å; got ${minDA}.`);
  const warnings: string[] = [];
  const crop = cropOf(ps, minDA, 0.6 * maxBytes, warnings);
  const searchMinDA = 1 / crop.kMaxInvA;
  const peaks = maxPeaks ? findPeaks(ps, { minDA: searchMinDA, maxPeaks, minSnr: options.minSnr }).map(p => spotPayload(p)) : [];
  const picks = options.picks?.length ? refineSpots(options.picks, ps).map(s => spotPayload(s as Peak, s.label)) : [];
  picks.forEach((p, i) => (p.label ??= `pick ${i + 1}`));
  const rp = radialProfile(ps, { maxKInvA: Math.SQRT2 * crop.kMaxInvA });
  const noise = {
    noiseFloor: rp.noiseFloor,
    method: rp.noiseFloorMethod,
    binWidthInvA: rp.binWidthInvA,
    radialMedianPower: Array.from(rp.medianPower, v => Number(v.toPrecision(6)))
  };
  const img: DenseImage = { rows, cols, values: Float32Array.from(toDense2d(src.data)) };
  const logPower = logOf(ps);
  const [lo, hi] = percentiles(img.values, [0.5, 99.5]);
  const imgContrast = { low: lo, high: hi > lo ? hi : lo + 1, percentiles: [0.5, 99.5] as [number, number] };
  const [slo, shi] = percentiles(logPower.values, [50, 99.9]);
  const specContrast = { low: slo, high: shi > slo ? shi : slo + 1, percentiles: [50, 99.9] as [number, number] };
  const title = options.title ?? (typeof src.metadata?.title === 'string' ? src.metadata.title : 'FFT peak picker');
  const valueLabel = typeof src.metadata?.signalUnits === 'string' ? src.metadata.signalUnits : 'value';
  const text = summary(title, rows, cols, py, px, ps.metadata.window, crop, noise.noiseFloor, peaks, picks, warnings);
  let binning = Math.max(1, Math.ceil(Math.sqrt((2 * rows * cols * 3.6) / Math.max(1, maxBytes - crop.data.length - text.length))));
  for (;;) {
    const binnedImage = binImage(img, binning);
    const binnedLog = binImage(logPower, binning);
    const payload: FftPayloadV1 = {
      version: 1,
      kind: 'fft',
      title,
      shape: [rows, cols],
      pixelSizeYA: py,
      pixelSizeXA: px,
      window: ps.metadata.window,
      image: { preview: quantisePreview(binnedImage, binning), axes: [axis('y', rows, py, 0, 'A'), axis('x', cols, px, 0, 'A')], contrast: imgContrast, valueLabel },
      spectrum: {
        preview: quantisePreview(binnedLog, binning),
        axes: [axis('ky', rows, ps.axes[0].scale, ps.axes[0].offset, '1/A'), axis('kx', cols, ps.axes[1].scale, ps.axes[1].offset, '1/A')],
        contrast: specContrast
      },
      crop,
      noise,
      peaks,
      picks,
      minDA: searchMinDA,
      sourceName,
      warnings
    };
    const png = fftPickerPng(binnedImage, imgContrast, logPower, crop, specContrast, peaks, picks);
    const b: MimeBundle = {
      data: { [FFT_MIME]: payload, 'image/png': png.base64, 'text/plain': text },
      metadata: { 'image/png': { width: png.width, height: png.height } }
    };
    if (JSON.stringify(b).length <= maxBytes) return b;
    binning = Math.max(binning + 1, Math.ceil(binning * 1.15));
    if (binning > Math.max(rows, cols)) {
      throw new ValueError(`${fn}: maxBytes must leave room for the previews next to the ${crop.size}² crop; got ${maxBytes}. Raise maxBytes or minDA.`);
    }
  }
}

/**
 * Shows the FFT peak picker for an image in the notebook (one output, see {@link fftPickerBundle}).
 * With lowdose-jupyterlab: click a spot → it snaps to the refined maximum and the table lists
 * d (Å), |g| (1/Å), angle (°) and SNR (science.md §1.4–1.6); two picks show the angle between them
 * and their |g| ratio; a ring marks a typed d; dragging a region on the image shows that region's
 * spectrum; "Insert as code" writes the picks as `lowdose.lattice.spots([...], <sourceName>)`.
 * Spot refinement: Guizar-Sicairos, Thurman & Fienup, Opt. Lett. 33, 156 (2008), doi:10.1364/OL.33.000156.
 *
 * @throws KernelError outside a tslab kernel; otherwise as {@link fftPickerBundle}.
 * @example lowdose.display.fftPicker(sum, { pixelSizeA: 0.5, sourceName: 'sum' });
 */
export function fftPicker(image: Dataset | NdArray | PowerSpectrum, options: FftPickerOptions = {}): void {
  sendBundle(fftPickerBundle(image, options));
}

/** The central square crop, DC at (size/2, size/2), covering |k| ≤ 1/minDA plus the SNR margin. */
function cropOf(ps: PowerSpectrum, minDA: number, budget: number, warnings: string[]): FftCropPayload {
  const [rows, cols] = ps.data.shape;
  const sy = ps.axes[0].scale;
  const sx = ps.axes[1].scale;
  const r0 = Math.floor(rows / 2);
  const c0 = Math.floor(cols / 2);
  const hMax = Math.min(r0, c0, rows - r0, cols - c0);
  let h = Math.min(hMax, Math.ceil(1 / minDA / Math.min(sx, sy)) + CROP_MARGIN_PX + 1);
  const hBudget = Math.floor(Math.sqrt(budget / (2 * 4 / 3)) / 2);
  if (h > hBudget) {
    warnings.push(`the full-resolution crop was limited to ${2 * hBudget}² px by maxBytes: spots finer than ${(1 / ((hBudget - CROP_MARGIN_PX - 1) * Math.max(sx, sy))).toFixed(2)} Å cannot be picked; raise maxBytes.`);
    h = hBudget;
  }
  if (h - CROP_MARGIN_PX - 1 < 4) throw new ValueError(`fftPicker: image must be at least ${2 * (CROP_MARGIN_PX + 5)} px on each side; got ${rows} × ${cols}.`);
  const size = 2 * h;
  const a = ps.data;
  const logs = new Float64Array(size * size);
  let positive = Infinity;
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      const v = a.get(r0 - h + i, c0 - h + j);
      logs[i * size + j] = v;
      if (v > 0 && v < positive) positive = v;
    }
  }
  if (!Number.isFinite(positive)) positive = 1e-30;
  let logMin = Infinity;
  let logMax = -Infinity;
  for (let k = 0; k < logs.length; k++) {
    const l = Math.log10(Math.max(logs[k], positive));
    logs[k] = l;
    if (l < logMin) logMin = l;
    if (l > logMax) logMax = l;
  }
  if (!(logMax > logMin)) logMax = logMin + 1;
  const bytes = Buffer.alloc(size * size * 2);
  const scale = 65535 / (logMax - logMin);
  for (let k = 0; k < logs.length; k++) bytes.writeUInt16LE(Math.round((logs[k] - logMin) * scale), 2 * k);
  return {
    size,
    rowStart: r0 - h,
    colStart: c0 - h,
    kyScaleInvA: sy,
    kxScaleInvA: sx,
    kMaxInvA: (h - CROP_MARGIN_PX - 1) * Math.min(sx, sy),
    encoding: 'uint16-log10-le-base64',
    logMin,
    logMax,
    data: bytes.toString('base64')
  };
}

function logOf(ps: PowerSpectrum): DenseImage {
  const [rows, cols] = ps.data.shape;
  const values = new Float32Array(rows * cols);
  const d = toDense2d(ps.data);
  let floor = Infinity;
  for (let i = 0; i < d.length; i++) if (d[i] > 0 && d[i] < floor) floor = d[i];
  if (!Number.isFinite(floor)) floor = 1e-30;
  for (let i = 0; i < d.length; i++) values[i] = Math.log10(Math.max(d[i], floor));
  return { rows, cols, values };
}

function spotPayload(p: Pick<Peak, 'kxInvA' | 'kyInvA' | 'dA' | 'gInvA' | 'angleDeg' | 'snr' | 'refinedBy'>, label?: string): FftSpotPayload {
  const s: FftSpotPayload = {
    kxInvA: p.kxInvA,
    kyInvA: p.kyInvA,
    dA: p.dA,
    gInvA: p.gInvA,
    angleDeg: p.angleDeg,
    snr: Number.isFinite(p.snr) ? p.snr : 0,
    refinedBy: p.refinedBy ?? 'none'
  };
  if (label !== undefined) s.label = label;
  return s;
}

function axis(name: string, size: number, scale: number, offset: number, units: AxisPayload['units']): AxisPayload {
  return { name, size, scale, offset, units };
}

function summary(
  title: string,
  rows: number,
  cols: number,
  py: number,
  px: number,
  window: string,
  crop: FftCropPayload,
  noiseFloor: number,
  peaks: FftSpotPayload[],
  picks: FftSpotPayload[],
  warnings: string[]
): string {
  const f = (x: number, d: number): string => x.toFixed(d);
  const table = (list: FftSpotPayload[]): string[] =>
    list.map((p, i) => `  ${(p.label ?? String(i + 1)).padEnd(8)} d ${f(p.dA, 4)} Å  |g| ${f(p.gInvA, 5)} 1/Å  angle ${f(p.angleDeg, 2).padStart(7)}°  SNR ${f(p.snr, 1)}`);
  const lines = [
    `${title}: FFT peak picker of a ${rows} × ${cols} image, pixel ${py === px ? `${px} Å` : `${py} × ${px} Å`}, ${window} window`,
    `full-resolution crop ${crop.size}² px of |F|²: |k| ≤ ${f(crop.kMaxInvA, 4)} 1/Å (d ≥ ${f(1 / crop.kMaxInvA, 3)} Å); noise floor ${noiseFloor.toPrecision(4)}`,
    `spots found in the kernel (one per Friedel pair, upsampled-DFT refined): ${peaks.length}`,
    ...table(peaks)
  ];
  if (picks.length) lines.push(`picks: ${picks.length}`, ...table(picks));
  for (const w of warnings) lines.push(`warning: ${w}`);
  lines.push('Open in JupyterLab with lowdose-jupyterlab to pick spots interactively.');
  return lines.join('\n');
}
