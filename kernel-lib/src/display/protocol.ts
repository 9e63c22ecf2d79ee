/**
 * The display protocol: every MIME type lowdose emits and the payload each carries.
 *
 * This file is the single source of truth shared by kernel-lib (which builds payloads) and the
 * JupyterLab extension (which renders them). MIME types are versioned; a renderer that meets a
 * payload whose `version` is newer than it knows shows a clear message instead of guessing.
 * Browser-safe: no Node built-ins.
 */

import { FFT_MIME } from './fftPickerProtocol';
export * from './fftPickerProtocol';

import { DOSE_SERIES_MIME } from './doseSeriesProtocol';
export * from './doseSeriesProtocol';

/** MIME type of the interactive image viewer payload (version 1). */
export const IMAGE_MIME = 'application/vnd.lowdose.image.v1+json';

/** Vega-Lite v5: the version JupyterLab's own Vega renderer understands. */
export const VEGALITE_MIME = 'application/vnd.vegalite.v5+json';

/** Every lowdose MIME type, by widget name. */
export const MIME_TYPES = {
  image: IMAGE_MIME,
  fft: FFT_MIME,
  doseSeries: DOSE_SERIES_MIME
} as const;

/** Highest payload version of the image viewer this build understands. */
export const IMAGE_PAYLOAD_VERSION = 1;

/** Colormaps the preview and the viewer both know. */
export type ColormapName = 'gray' | 'inferno' | 'viridis';
export const COLORMAP_NAMES: readonly ColormapName[] = ['gray', 'inferno', 'viridis'];

/** Axis units, from the one list in design.md. */
export type AxisUnits =
  | 'A'
  | 'nm'
  | 'um'
  | '1/A'
  | '1/nm'
  | 'mrad'
  | 'deg'
  | 's'
  | 'eV'
  | 'keV'
  | 'mm'
  | '';
export const AXIS_UNITS: readonly AxisUnits[] = [
  'A',
  'nm',
  'um',
  '1/A',
  '1/nm',
  'mrad',
  'deg',
  's',
  'eV',
  'keV',
  'mm',
  ''
];

/** Calibration of one array axis: physical coordinate of index i is `offset + i * scale` in `units`. */
export interface AxisPayload {
  name: string;
  size: number;
  scale: number;
  offset: number;
  units: AxisUnits;
}

/**
 * A quantised, downsampled preview of a 2D image.
 *
 * `data` is base64 of `rows * cols` little-endian unsigned 16-bit integers, row-major. Quantised
 * level q maps back to the value `valueMin + q * (valueMax - valueMin) / 65535` (in data units);
 * each preview pixel is the mean of a `binning × binning` block of the full-resolution image
 * (partial blocks at the right and bottom edges average the pixels they hold).
 */
export interface ImagePreview {
  rows: number;
  cols: number;
  binning: number;
  encoding: 'uint16-le-base64';
  data: string;
  valueMin: number;
  valueMax: number;
}

/** Contrast limits in data units; `percentiles` says how `low`/`high` were chosen. */
export interface ContrastLimits {
  low: number;
  high: number;
  percentiles: [number, number];
}

/** Summary statistics of the full-resolution image (NaNs excluded). */
export interface ImageStats {
  min: number;
  max: number;
  mean: number;
  std: number;
  count: number;
  nanCount: number;
}

/** Viewer state saved into the output's metadata so a reopened notebook shows the same view. */
export interface ImageViewState {
  /** Screen pixels per preview pixel; absent means "fit". */
  zoom?: number;
  /** Preview-pixel coordinate at the centre of the view. */
  center?: { row: number; col: number };
  colormap?: ColormapName;
  contrast?: { low: number; high: number };
}

/** Payload of `application/vnd.lowdose.image.v1+json`. */
export interface ImagePayloadV1 {
  version: 1;
  kind: 'image';
  title: string;
  /** Full-resolution shape `[rows, cols]` of the displayed image. */
  shape: [number, number];
  /** Full-resolution calibration of `[row axis, column axis]`. */
  axes: [AxisPayload, AxisPayload];
  /** Shape of what `show()` was given (e.g. `[frames, rows, cols]` for a stack shown as its sum). */
  sourceShape: number[];
  /** Human-readable note on what is shown (e.g. "sum of 40 frames"). */
  note: string;
  dtype: string;
  /** Physical quantity shown and its unit, e.g. "counts". */
  valueLabel: string;
  preview: ImagePreview;
  contrast: ContrastLimits;
  colormap: ColormapName;
  stats: ImageStats;
}

/** Output metadata key (under the MIME type) where viewer state is stored. */
export const VIEW_STATE_KEY = 'view';

/** A MIME bundle as sent in one `display_data` message. */
export interface MimeBundle {
  data: { [mime: string]: unknown };
  metadata: { [mime: string]: unknown };
}

/** Result of validating an untrusted payload. */
export type ValidationResult<T> = { ok: true; payload: T } | { ok: false; message: string };
