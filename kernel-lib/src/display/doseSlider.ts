/**
 * The dose slider (issue #5 item 8): a movie or dose series scrubbed by accumulated dose in
 * JupyterLab — frame (or group of frames) and its power spectrum, tracked spots, a linked chart of
 * intensity and strain vs dose, play/pause, "Insert as code" for the chosen dose window.
 */
import { ValueError } from '../errors';
import type { CriticalDoseFit } from '../dose/fitCriticalDose';
import type { LazySource } from '../io/types';
import type { TrackSpotsResult } from '../lattice/trackSpots';
import { frameSource } from '../motion/_internal/frameSource';
import type { Dataset, NdArray } from '../types/dataset';
import { COLORMAP_NAMES, ColormapName, MimeBundle } from './protocol';
import { DEFAULT_DOSE_SERIES_BUDGET_BYTES, DOSE_SERIES_MIME, DoseSeriesFrame, DoseSeriesPayloadV1 } from './doseSeriesProtocol';
import { binSum, encodeFrame } from './doseSliderEncode';
import { fallbackPng, textSummary } from './doseSliderFallback';
import { DoseInput, fitPayload, resolveDoses, tracksPayload } from './doseSliderInputs';
import { sendBundle } from './tslabAdapter';

export type { DoseInput };

/** Options of {@link doseSlider} and {@link doseSliderBundle}. */
export interface DoseSliderOptions {
  title?: string;
  /** How an array of doses is read: 'auto' (default: strictly increasing → cumulative, else per frame), 'cumulative' (end of each frame) or 'perFrame'. */
  dosesAre?: 'auto' | 'cumulative' | 'perFrame';
  /** Dose before the first frame, e⁻/Å² (default 0, or the stack's `metadata.preDoseEPerA2`). Ignored for a cumulativeDose result, which carries it. */
  preDoseEPerA2?: number;
  /** Frame time, s: the slider also shows the time since the first exposure (default `metadata.frameTimeS`, else no time). */
  frameTimeS?: number;
  /** Spots tracked through this series (`lattice.trackSpots` result): positions overlaid on the spectrum, intensity and strain on the chart. */
  tracks?: TrackSpotsResult;
  /** A `dose.fitCriticalDose` result: its curve and Dc are drawn on the chart (relative intensity). */
  fit?: CriticalDoseFit;
  /** What the fit is of, e.g. "9.4 Å spots, 120 e⁻/Å² series" (default "critical-dose fit"). */
  fitLabel?: string;
  /**
   * Drift `[dy, dx]` per frame, px (alignFrames' shiftsPx): frames are moved back by the nearest whole
   * preview pixel (circularly) so group sums are not smeared; counts stay exact.
   */
  shiftsPx?: ReadonlyArray<readonly [number, number]>;
  /**
   * Upper bound on the whole bundle serialised as JSON, bytes (default 8 MB). Previews are binned (block
   * sums) by the smallest factor that fits; with `tracks`, never so far that a tracked spot passes 0.8 ×
   * the preview's Nyquist frequency — beyond that the previews cover a central region of the frame instead.
   */
  maxBytes?: number;
  /** Frames summed per view at first (default 1; the user can change it). */
  groupFrames?: number;
  /** Colormap of the frames (default 'gray') and of the spectrum (default 'inferno'). */
  colormap?: ColormapName;
  spectrumColormap?: ColormapName;
  /** Notebook variable holding the stack, used by "Insert as code" (default 'stack'). */
  variableName?: string;
  /** Code expression of the shifts for "Insert as code" when `shiftsPx` is given (e.g. 'aligned.shiftsPx'). */
  shiftsExpression?: string;
  /** What the frame values are (default `metadata.signalUnits` or 'counts'). */
  valueLabel?: string;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const DOTTED = /^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*$/;

/**
 * The MIME bundle of the dose slider, as a plain object (works outside a kernel): the
 * `application/vnd.lowdose.doseseries.v1+json` payload, an `image/png` (sum of all frames | its log
 * power spectrum; aligned to whole pixels when `shiftsPx` is given) and `text/plain`. Frames are streamed from the source one at a time and stored
 * as deflated 8/16-bit levels — exact for detector counts; a 30 × 512² low-dose series takes
 * ~1.4 MB — binned by block sums only when the bundle would exceed `maxBytes` (and cropped to a central
 * region when more binning would alias the tracked spots).
 *
 * @param stack - movie `[frame, row, col]`: ndarray, Dataset or a lazy source from `io.open`.
 * @param doses - see {@link DoseInput}: a dose per frame, cumulative doses, `dose.cumulativeDose(…)`,
 *   `dose.frameDoses(…)`, or null to read them from the stack's metadata (simulate.doseSeries has them).
 * @param options - see {@link DoseSliderOptions}.
 * @returns the bundle (`{data, metadata}`).
 * @throws ShapeError for a non-3D stack or doses/tracks of the wrong length; ValueError for bad options.
 * @example
 * const s = lowdose.simulate.doseSeries({ shape: [512, 512], frameTimeS: 0.5 });
 * const b = await lowdose.display.doseSliderBundle(s, s.metadata.cumulativeDoseEPerA2);
 * // Doses and fading: Grant & Grigorieff, eLife 4, e06980 (2015), doi:10.7554/eLife.06980
 */
export async function doseSliderBundle(stack: Dataset | NdArray | LazySource, doses: DoseInput, options: DoseSliderOptions = {}): Promise<MimeBundle> {
  const fn = 'doseSlider';
  const o = options ?? {};
  const src = frameSource(stack, fn);
  const { frameCount: n, rows, cols } = src;
  const resolved = resolveDoses(fn, doses, n, src.metadata, o.dosesAre ?? 'auto', o.preDoseEPerA2);
  const metaTime = src.metadata.frameTimeS;
  const frameTimeS = o.frameTimeS ?? (typeof metaTime === 'number' ? metaTime : undefined);
  if (frameTimeS !== undefined && !(frameTimeS > 0 && Number.isFinite(frameTimeS))) {
    throw new ValueError(`${fn}: options.frameTimeS must be a positive time in s; got ${frameTimeS}.`);
  }
  const maxBytes = o.maxBytes ?? DEFAULT_DOSE_SERIES_BUDGET_BYTES;
  if (!(maxBytes >= 50_000)) throw new ValueError(`${fn}: options.maxBytes must be at least 50000; got ${maxBytes}.`);
  const group = o.groupFrames ?? 1;
  if (!(Number.isInteger(group) && group >= 1 && group <= n)) throw new ValueError(`${fn}: options.groupFrames must be an integer from 1 to ${n}; got ${group}.`);
  const colormap = o.colormap ?? 'gray';
  const spectrumColormap = o.spectrumColormap ?? 'inferno';
  for (const [name, c] of [['colormap', colormap], ['spectrumColormap', spectrumColormap]] as const) {
    if (!COLORMAP_NAMES.includes(c)) throw new ValueError(`${fn}: options.${name} must be one of ${COLORMAP_NAMES.join(', ')}; got ${JSON.stringify(c)}.`);
  }
  const variableName = o.variableName ?? 'stack';
  if (!IDENTIFIER.test(variableName)) throw new ValueError(`${fn}: options.variableName must be a JavaScript identifier; got ${JSON.stringify(variableName)}.`);
  const shifts = o.shiftsPx;
  if (shifts !== undefined && (!Array.isArray(shifts) || shifts.length !== n || !shifts.every(s => Array.isArray(s) && s.length === 2 && s.every(Number.isFinite)))) {
    throw new ValueError(`${fn}: options.shiftsPx must hold one [dy, dx] (px) per frame (${n}).`);
  }
  const shiftsExpression = shifts ? o.shiftsExpression ?? null : null;
  if (shiftsExpression !== null && !DOTTED.test(shiftsExpression)) {
    throw new ValueError(`${fn}: options.shiftsExpression must be a dotted name such as "aligned.shiftsPx"; got ${JSON.stringify(shiftsExpression)}.`);
  }
  const tracks = o.tracks ? tracksPayload(fn, o.tracks, resolved) : null;
  const fit = o.fit ? fitPayload(fn, o.fit, o.fitLabel) : null;
  const axis = src.axes[src.axes.length - 1];
  const calibrated = axis && axis.units !== '' && axis.scale > 0;
  const base: Omit<DoseSeriesPayloadV1, 'frames'> = {
    version: 1,
    kind: 'doseseries',
    title: o.title ?? (typeof src.metadata.title === 'string' ? (src.metadata.title as string) : 'dose series'),
    shape: [n, rows, cols],
    pixelSize: calibrated ? axis.scale : 1,
    pixelUnits: calibrated ? axis.units : '',
    valueLabel: o.valueLabel ?? (typeof src.metadata.signalUnits === 'string' ? (src.metadata.signalUnits as string) : 'counts'),
    frameDoseEPerA2: resolved.frameDoseEPerA2,
    cumulativeDoseEPerA2: resolved.cumulativeDoseEPerA2,
    preDoseEPerA2: resolved.preDoseEPerA2,
    frameTimeS: frameTimeS ?? null,
    groupFrames: group,
    colormap,
    spectrumColormap,
    tracks,
    fit,
    variableName,
    shiftsExpression
  };
  // Everything but the frames and the PNG; the PNG (~50–150 kB) is checked with the real total below.
  const fixedBytes = JSON.stringify(base).length + 4000;
  // Binning past maxBinning would alias the tracked spots the slider is there to show (a K2 frame
  // at 0.5 Å/px into 8 MB bins ~8×: 4 Å pixels, 4.7 Å fringes beyond Nyquist); from there on the
  // previews cover a shrinking central region instead.
  const maxBinning = aliasFreeBinning(tracks, src.pixelSizeA);
  let binning = 1;
  let region: Region | undefined;
  let png: ReturnType<typeof fallbackPng> | undefined;
  // the PNG and the payload's other fields alone exceed the budget
  const tooSmall = (): never => {
    throw new ValueError(`${fn}: options.maxBytes must leave room for the static PNG and the payload's doses, tracks and fit besides the frames; got ${maxBytes}. Raise it.`);
  };
  const coarser = (): void => {
    const r = region ?? [0, 0, rows, cols];
    if (binning < maxBinning || Math.min(r[2], r[3]) <= MIN_REGION_PX * binning) {
      binning++;
      if (binning > Math.max(rows, cols)) tooSmall();
      return;
    }
    const h = Math.max(MIN_REGION_PX * binning, Math.floor(0.85 * r[2]));
    const w = Math.max(MIN_REGION_PX * binning, Math.floor(0.85 * r[3]));
    region = [(rows - h) >> 1, (cols - w) >> 1, h, w];
  };
  for (;;) {
    const pass = await encodeAll(src, binning, shifts, maxBytes - fixedBytes, region);
    if (pass === 'too-large') {
      coarser();
      continue;
    }
    const br = Math.ceil((region ? region[2] : rows) / binning);
    const bc = Math.ceil((region ? region[3] : cols) / binning);
    const payload: DoseSeriesPayloadV1 = { ...base, frames: { rows: br, cols: bc, binning, ...(region ? { region } : {}), encoding: 'deflate-base64', frames: pass.frames } };
    // the PNG shows the sum of all frames: the same at every binning
    png ??= fallbackPng(pass.sum, rows, cols);
    const draft: MimeBundle = {
      data: { [DOSE_SERIES_MIME]: payload, 'image/png': png.png, 'text/plain': '' },
      metadata: { 'image/png': { width: png.width, height: png.height } }
    };
    const size = JSON.stringify(draft).length;
    draft.data['text/plain'] = textSummary(payload, size);
    if (JSON.stringify(draft).length <= maxBytes) return draft;
    if (size - pass.frames.reduce((a, f) => a + f.data.length, 0) > maxBytes) tooSmall();
    coarser();
  }
}

/** `[row0, col0, rows, cols]` of a central crop, full-resolution pixels. */
type Region = [number, number, number, number];

/** Smallest preview side (preview pixels) a crop shrinks to before the binning grows anyway. */
const MIN_REGION_PX = 64;

/**
 * Largest binning that keeps every tracked spot (at any of its fitted positions) within 0.8 × the
 * preview's Nyquist frequency; unbounded without tracks or a pixel size in Å (the source's axes or
 * metadata.pixelSizeA).
 */
function aliasFreeBinning(tracks: DoseSeriesPayloadV1['tracks'], pixelSizeA: number | undefined): number {
  if (!tracks || !(pixelSizeA !== undefined && pixelSizeA > 0)) return Infinity;
  let far = 0;
  tracks.kxInvA.forEach((row, m) => row.forEach((kx, j) => (far = Math.max(far, Math.hypot(kx, tracks.kyInvA[m][j])))));
  const cyclesPerPx = far * pixelSizeA;
  return cyclesPerPx > 0 ? Math.max(1, Math.floor(0.4 / cyclesPerPx)) : Infinity;
}

/**
 * Sends the dose slider for `stack` to the notebook (one output; see {@link doseSliderBundle}).
 * @throws KernelError outside a tslab kernel, plus what doseSliderBundle throws.
 * @example
 * const s = lowdose.simulate.doseSeries({ shape: [512, 512], frameTimeS: 0.5 });
 * const t = await lowdose.lattice.trackSpots(s, { dA: 4.7 });
 * await lowdose.display.doseSlider(s, lowdose.dose.cumulativeDose(s.metadata.doseEPerA2PerFrame), { tracks: t, variableName: 's' });
 */
export async function doseSlider(stack: Dataset | NdArray | LazySource, doses: DoseInput, options: DoseSliderOptions = {}): Promise<void> {
  sendBundle(await doseSliderBundle(stack, doses, options));
}

/**
 * Encodes every frame at `binning` (inside `region` when given); gives up ('too-large') as soon as the
 * frames alone would exceed `budget` bytes.
 */
async function encodeAll(
  src: ReturnType<typeof frameSource>,
  binning: number,
  shifts: ReadonlyArray<readonly [number, number]> | undefined,
  budget: number,
  region?: Region
): Promise<{ frames: DoseSeriesFrame[]; sum: Float64Array } | 'too-large'> {
  const { frameCount: n, rows, cols } = src;
  const br = Math.ceil(rows / binning);
  const bc = Math.ceil(cols / binning);
  const frames: DoseSeriesFrame[] = [];
  const sum = new Float64Array(rows * cols);
  let bytes = 0;
  for await (const f of src.frames(4)) {
    const aligned = shifts ? roll(f.data, rows, cols, -Math.round(shifts[f.index][0]), -Math.round(shifts[f.index][1])) : f.data;
    for (let i = 0; i < aligned.length; i++) sum[i] += aligned[i];
    let binned: Float32Array;
    if (region) {
      // a crop of the aligned frame (shifted by whole full-resolution pixels), then binned
      binned = binSum(crop(aligned, cols, region), region[2], region[3], binning);
    } else {
      binned = binSum(f.data, rows, cols, binning);
      if (shifts) binned = roll(binned, br, bc, -Math.round(shifts[f.index][0] / binning), -Math.round(shifts[f.index][1] / binning));
    }
    const frame = encodeFrame(binned);
    frames.push(frame);
    bytes += frame.data.length + 80;
    // Project from the frames so far: stop early rather than read the whole series for nothing.
    if (bytes > budget || (frames.length >= 2 && (bytes / frames.length) * n > 1.15 * budget)) return 'too-large';
  }
  return { frames, sum };
}

/** The `region` of a row-major image `cols` wide. */
function crop(v: Float32Array, cols: number, [row0, col0, h, w]: Region): Float32Array {
  const out = new Float32Array(h * w);
  for (let r = 0; r < h; r++) out.set(v.subarray((row0 + r) * cols + col0, (row0 + r) * cols + col0 + w), r * w);
  return out;
}

/** Circular shift of a rows × cols image by (dy, dx) whole pixels (content moves down/right for positive values). */
function roll(v: Float32Array, rows: number, cols: number, dy: number, dx: number): Float32Array {
  if (dy === 0 && dx === 0) return v;
  const out = new Float32Array(v.length);
  const sy = ((dy % rows) + rows) % rows;
  const sx = ((dx % cols) + cols) % cols;
  for (let r = 0; r < rows; r++) {
    const o = ((r + sy) % rows) * cols;
    const i = r * cols;
    for (let c = 0; c < cols; c++) out[o + ((c + sx) % cols)] = v[i + c];
  }
  return out;
}
