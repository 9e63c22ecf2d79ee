/**
 * Display protocol of the FFT peak picker (`lowdose.display.fftPicker`): MIME type, payload and the
 * state the renderer saves into the output. Re-exported by `protocol.ts`. Browser-safe: no Node
 * built-ins.
 */
import type { AxisPayload, ContrastLimits, ImagePreview } from './protocol';

/** MIME type of the FFT peak picker payload (version 1). */
export const FFT_MIME = 'application/vnd.lowdose.fft.v1+json';

/** Highest FFT picker payload version this build understands. */
export const FFT_PAYLOAD_VERSION = 1;

/** Output metadata key (under {@link FFT_MIME}) where the picker's state (picks, ring) is stored. */
export const FFT_STATE_KEY = 'picker';

/** Apodisation of the spectrum (as `fft.powerSpectrum`'s `window`). */
export type FftWindowName = 'hann' | 'periodic-smooth' | 'none';

/**
 * Full-resolution central crop of the power spectrum |F(k)|² (fftshifted), square, `size × size`
 * (even), copied from spectrum rows/cols `[start, start + size)` so that k = 0 sits at crop index
 * `(size/2, size/2)`. Pixel (i, j) is at ky = (i − size/2)·kyScaleInvA, kx = (j − size/2)·kxScaleInvA
 * (1/Å, no 2π). `data` is base64 of `size²` little-endian uint16 levels q of log10 power:
 * |F|² = 10^(logMin + q·(logMax − logMin)/65535) — half the bytes of float32, and a relative power
 * error ≤ ln 10·(logMax − logMin)/131070 (≈ 0.03 % for a 10-decade range), far below the noise of a
 * spot's power, so the snap and SNR computed from it match the kernel's to that precision.
 */
export interface FftCropPayload {
  size: number;
  rowStart: number;
  colStart: number;
  kyScaleInvA: number;
  kxScaleInvA: number;
  /** Largest |k| (1/Å) at which a spot's 3×3 box and 12-px background annulus still fit in the crop. */
  kMaxInvA: number;
  encoding: 'uint16-log10-le-base64';
  /** log10 of the smallest and largest power of the crop (powers below 10^logMin are stored as it). */
  logMin: number;
  logMax: number;
  data: string;
}

/** A spot as the payload carries it (a found peak or a pick), reciprocal vector in 1/Å, array frame. */
export interface FftSpotPayload {
  kxInvA: number;
  kyInvA: number;
  dA: number;
  gInvA: number;
  angleDeg: number;
  snr: number;
  /** How the position was refined: 'upsampled-dft' in the kernel, 'parabolic' in the browser. */
  refinedBy: 'upsampled-dft' | 'parabolic' | 'none';
  label?: string;
}

/** Radial noise statistics of the whole spectrum (fft.radialProfile), up to the crop's |k|. */
export interface FftNoisePayload {
  /** Noise floor, power units, and how it was found ('shot' for counting images, else 'high-k'). */
  noiseFloor: number;
  method: 'shot' | 'high-k';
  binWidthInvA: number;
  /** Median |F|² per ring of width binWidthInvA, from k = 0 out to the crop's corner. */
  radialMedianPower: number[];
}

/** Payload of `application/vnd.lowdose.fft.v1+json`. */
export interface FftPayloadV1 {
  version: 1;
  kind: 'fft';
  title: string;
  /** Full-resolution image (and spectrum) shape `[rows, cols]`. */
  shape: [number, number];
  /** Pixel size along rows and columns, Å. */
  pixelSizeYA: number;
  pixelSizeXA: number;
  window: FftWindowName;
  /** Quantised, binned preview of the image, with its full-resolution axes (Å) and contrast. */
  image: { preview: ImagePreview; axes: [AxisPayload, AxisPayload]; contrast: ContrastLimits; valueLabel: string };
  /**
   * Quantised, binned preview of log10 |F|² of the whole spectrum (block means of log power), axes in
   * 1/Å of the full-resolution spectrum, contrast in log10 units.
   */
  spectrum: { preview: ImagePreview; axes: [AxisPayload, AxisPayload]; contrast: ContrastLimits };
  crop: FftCropPayload;
  noise: FftNoisePayload;
  /** The kernel's lattice.findPeaks result (one per Friedel pair), strongest first. */
  peaks: FftSpotPayload[];
  /** Initial picks (option `picks`), refined in the kernel. */
  picks: FftSpotPayload[];
  /** Finest d the crop covers, Å (option `minDA`). */
  minDA: number;
  /** Variable name of the image in the notebook, used by "Insert as code" (a JavaScript identifier path). */
  sourceName: string;
  /** Warnings of the payload builder (e.g. the crop was shrunk to fit the budget). */
  warnings: string[];
}

/** One saved pick: the refined vector and its label. */
export interface FftPickState {
  kxInvA: number;
  kyInvA: number;
  label?: string;
}

/** Picker state saved into `metadata[FFT_MIME][FFT_STATE_KEY]`. */
export interface FftPickerState {
  picks: FftPickState[];
  /** d-spacing of the ring overlay, Å (absent: no ring). */
  ringDA?: number;
}
