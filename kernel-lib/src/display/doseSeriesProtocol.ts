/**
 * Payload of the dose slider (`application/vnd.lowdose.doseseries.v1+json`): a movie or dose series
 * as compressed frame previews, the accumulated dose and time of every frame, and optionally tracked
 * FFT spots (lattice.trackSpots) and a critical-dose fit (dose.fitCriticalDose) for the linked chart.
 * Browser-safe: types and constants only; `protocol.ts` re-exports everything here.
 */
import type { AxisUnits, ColormapName } from './protocol';

/** MIME type of the dose slider payload (version 1). */
export const DOSE_SERIES_MIME = 'application/vnd.lowdose.doseseries.v1+json';

/** Highest dose-series payload version this build understands. */
export const DOSE_SERIES_PAYLOAD_VERSION = 1;

/** Default byte budget of one dose-slider output (payload + PNG + text, as JSON): 8 MB (design.md). */
export const DEFAULT_DOSE_SERIES_BUDGET_BYTES = 8_000_000;

/**
 * One frame preview: `rows × cols` levels, unsigned `bits`-bit little-endian, row-major, deflated
 * (zlib stream, RFC 1950) and base64-encoded. The value of level q is `offset + q × scale` (data
 * units, per preview pixel; with binning b > 1 a preview pixel is the SUM of a b × b block, so counts
 * stay counts). Integer-valued frames (detector counts) are stored exactly (`scale` 1).
 */
export interface DoseSeriesFrame {
  data: string;
  bits: 8 | 16;
  scale: number;
  offset: number;
  /** True when the levels reproduce the (binned) frame exactly. */
  exact: boolean;
}

/** Frame previews of the series. */
export interface DoseSeriesFrames {
  /** Preview size (full size, or the region's, / binning, rounded up; partial edge blocks sum what they hold). */
  rows: number;
  cols: number;
  /** Full-resolution pixels per preview pixel along each axis. */
  binning: number;
  /**
   * The full-resolution region the previews cover, `[row0, col0, rows, cols]` (a central crop), when
   * binning the whole frame into the budget would alias the tracked spots; absent: the whole frame.
   */
  region?: [number, number, number, number];
  encoding: 'deflate-base64';
  /** One entry per frame, in order. */
  frames: DoseSeriesFrame[];
}

/** A tracked FFT spot (its position on the first measurement), 1/Å, array frame. */
export interface DoseSeriesSpot {
  label: string;
  kxInvA: number;
  kyInvA: number;
}

/** Spots tracked through the series (`lattice.trackSpots`): one row per measurement, one column per spot. */
export interface DoseSeriesTracks {
  spots: DoseSeriesSpot[];
  /** First and last frame (0-based, inclusive) of each measurement. */
  frames: Array<[number, number]>;
  /** Dose of each measurement, e⁻/Å² (mean of its frames' midpoint doses). */
  doseEPerA2: number[];
  /** Fitted spot positions, 1/Å (measurement × spot). */
  kxInvA: number[][];
  kyInvA: number[][];
  /** d-spacing, Å (measurement × spot). */
  dA: number[][];
  /** Background-subtracted integrated spot power (measurement × spot; power units of the spectrum). */
  intensity: number[][];
  /** Principal strains e1 ≥ e2 and the direction of e1 (degrees) relative to the first measurement; null without a strain pair. */
  strain: { e1: number[]; e2: number[]; angleDeg: number[] } | null;
}

/** A critical-dose fit I(D) = I₀·exp(−D/Dc) + B drawn on the chart. */
export interface DoseSeriesFit {
  /** What was fitted, e.g. "9.4 Å spots, 120 e⁻/Å² series". */
  label: string;
  criticalDoseEPerA2: number;
  i0: number;
  background: number;
  /** 95 % interval of Dc, e⁻/Å²; the upper end is null when unbounded. */
  ci95: [number, number | null];
  underdetermined: boolean;
}

/** Payload of `application/vnd.lowdose.doseseries.v1+json`. */
export interface DoseSeriesPayloadV1 {
  version: 1;
  kind: 'doseseries';
  title: string;
  /** Full-resolution shape `[frames, rows, cols]`. */
  shape: [number, number, number];
  /** Full-resolution pixel size and its units (e.g. 0.5, 'A'); units '' when uncalibrated. */
  pixelSize: number;
  pixelUnits: AxisUnits;
  /** Physical quantity of the frames, e.g. "counts". */
  valueLabel: string;
  /** Dose of each frame, e⁻/Å². */
  frameDoseEPerA2: number[];
  /** Accumulated dose at the END of each frame (including any pre-dose), e⁻/Å². */
  cumulativeDoseEPerA2: number[];
  /** Dose before the first frame, e⁻/Å². */
  preDoseEPerA2: number;
  /** Frame time, s (null when unknown: the slider then shows no time). Time at the end of frame i = (i + 1)·frameTimeS. */
  frameTimeS: number | null;
  frames: DoseSeriesFrames;
  /** Initial group size (frames summed per view). */
  groupFrames: number;
  colormap: ColormapName;
  spectrumColormap: ColormapName;
  tracks: DoseSeriesTracks | null;
  fit: DoseSeriesFit | null;
  /** Name of the notebook variable holding the stack, for "Insert as code". */
  variableName: string;
  /**
   * Frames were moved back by these drifts (rounded to whole preview pixels) before encoding; the
   * expression (e.g. "aligned.shiftsPx") that "Insert as code" passes on; null when not aligned.
   */
  shiftsExpression: string | null;
}

/** Dose-slider state saved into the output's metadata (`metadata[DOSE_SERIES_MIME].view`). */
export interface DoseSeriesViewState {
  /** First frame of the window shown (0-based). */
  frame: number;
  /** Frames summed per view. */
  groupFrames: number;
  /** Always saved as false: a reopened notebook never starts playing. */
  playing: false;
}
