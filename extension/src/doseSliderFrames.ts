/**
 * The dose slider's pixels: frame previews inflated once (kept as 8/16-bit levels), window sums and
 * their log power spectra computed on demand or ahead of time, coloured into small canvases and
 * cached, so scrubbing only copies cached canvases (no FFT while dragging once the cache is warm).
 */
import {
  ColormapName,
  DoseSeriesPayloadV1,
  fft,
  inflateDoseFrame,
  logPowerSpectrum
} from 'lowdose/dist/browser';
import { colorizePreview } from './canvasRender';

/** A window's coloured frame and spectrum (the spectrum cropped to `crop` pixels around k = 0). */
export interface RenderedWindow {
  frame: HTMLCanvasElement;
  spectrum: HTMLCanvasElement;
}

/** Spectrum display geometry: half-width (preview spectrum px) of the central crop and 1/Å per px. */
export interface SpectrumGeometry {
  halfPx: number;
  /** Spatial frequency of one spectrum pixel along columns and rows, 1/Å (null when uncalibrated). */
  invAPerPxX: number | null;
  invAPerPxY: number | null;
}

/** Most windows kept coloured at once (each holds two canvases). */
const MAX_CACHED_WINDOWS = 96;

export class DoseSeriesFrames {
  constructor(readonly payload: DoseSeriesPayloadV1) {
    const { rows, cols, binning } = payload.frames;
    const p = payload.pixelUnits === 'A' ? payload.pixelSize : payload.pixelUnits === 'nm' ? payload.pixelSize * 10 : null;
    this.geometry = {
      halfPx: Math.floor(Math.min(rows, cols) / 2),
      invAPerPxX: p === null ? null : 1 / (cols * p * binning),
      invAPerPxY: p === null ? null : 1 / (rows * p * binning)
    };
    const tracks = payload.tracks;
    if (tracks && this.geometry.invAPerPxX !== null && this.geometry.invAPerPxY !== null) {
      // Crop so that the tracked spots sit at about 60 % of the half-width (they move: use the farthest).
      let far = 0;
      for (let m = 0; m < tracks.frames.length; m++) {
        for (let s = 0; s < tracks.spots.length; s++) {
          const kx = tracks.kxInvA[m][s];
          const ky = tracks.kyInvA[m][s];
          if (kx === null || ky === null) continue;
          far = Math.max(far, Math.abs(kx / this.geometry.invAPerPxX), Math.abs(ky / this.geometry.invAPerPxY));
        }
      }
      if (far > 0) this.geometry.halfPx = Math.min(this.geometry.halfPx, Math.max(16, Math.ceil(far / 0.6)));
    }
  }

  readonly geometry: SpectrumGeometry;

  /** Inflates every frame (yielding between frames); resolves when all are ready. */
  async load(isCancelled: () => boolean): Promise<void> {
    await fft.ready();
    const { rows, cols, frames } = this.payload.frames;
    for (let i = 0; i < frames.length; i++) {
      if (isCancelled()) return;
      this._levels[i] = await inflateDoseFrame(frames[i], rows, cols);
    }
    this._loaded = true;
  }

  get loaded(): boolean {
    return this._loaded;
  }

  /** Whether the window `first`, `group` is already coloured. */
  has(first: number, group: number): boolean {
    return this._cache.has(key(first, group));
  }

  /** The coloured frame sum and spectrum of a window (computed and cached on a miss). */
  render(first: number, group: number): RenderedWindow | null {
    if (!this._loaded) return null;
    const k = key(first, group);
    const hit = this._cache.get(k);
    if (hit) {
      this._cache.delete(k);
      this._cache.set(k, hit);
      return hit;
    }
    const { rows, cols } = this.payload.frames;
    const sum = this.windowSum(first, group);
    const spectrum = this._crop(logPowerSpectrum(sum, rows, cols));
    const limits = this._limits(group, sum, spectrum);
    const rendered: RenderedWindow = {
      frame: colorizePreview(sum, rows, cols, this.payload.colormap, limits.frame[0], limits.frame[1]),
      spectrum: colorizePreview(spectrum, 2 * this.geometry.halfPx, 2 * this.geometry.halfPx, this.payload.spectrumColormap, limits.spectrum[0], limits.spectrum[1])
    };
    this._cache.set(k, rendered);
    while (this._cache.size > MAX_CACHED_WINDOWS) {
      const oldest = this._cache.keys().next().value as string;
      const old = this._cache.get(oldest)!;
      old.frame.width = old.spectrum.width = 0;
      this._cache.delete(oldest);
    }
    return rendered;
  }

  /** Sum of frames first..first+group−1 in data units (row-major preview). */
  windowSum(first: number, group: number): Float32Array {
    const { rows, cols, frames } = this.payload.frames;
    const out = new Float32Array(rows * cols);
    const last = Math.min(frames.length - 1, first + group - 1);
    for (let f = first; f <= last; f++) {
      const q = this._levels[f];
      const { scale, offset } = frames[f];
      for (let i = 0; i < out.length; i++) out[i] += offset + q[i] * scale;
    }
    return out;
  }

  /** Frees the cached canvases and levels. */
  dispose(): void {
    for (const r of this._cache.values()) r.frame.width = r.spectrum.width = 0;
    this._cache.clear();
    this._levels = [];
    this._loaded = false;
  }

  /** Central (2·halfPx)² crop of an fftshifted spectrum. */
  private _crop(ps: Float32Array): Float32Array {
    const { rows, cols } = this.payload.frames;
    const h = this.geometry.halfPx;
    const side = 2 * h;
    const r0 = Math.floor(rows / 2) - h;
    const c0 = Math.floor(cols / 2) - h;
    const out = new Float32Array(side * side);
    for (let r = 0; r < side; r++) {
      const src = (r0 + r) * cols + c0;
      out.set(ps.subarray(src, src + side), r * side);
    }
    // k = 0 (and its row/column leakage) would set the contrast: show it at the median instead.
    out[h * side + h] = NaN;
    return out;
  }

  /**
   * Contrast limits, fixed per group size from the first window drawn at that size, so fading and
   * spot motion show as changes rather than being normalised away.
   */
  private _limits(group: number, sum: Float32Array, spectrum: Float32Array): { frame: [number, number]; spectrum: [number, number] } {
    let limits = this._contrast.get(group);
    if (!limits) {
      const [lo, hi] = quantiles(sum, 0.005, 0.995);
      const [slo, shi] = quantiles(spectrum, 0.3, 0.9995);
      limits = { frame: [lo, hi > lo ? hi : lo + 1], spectrum: [slo, shi > slo ? shi : slo + 1] };
      this._contrast.set(group, limits);
    }
    return limits;
  }

  private _levels: Array<Uint8Array | Uint16Array> = [];
  private _loaded = false;
  private readonly _cache = new Map<string, RenderedWindow>();
  private readonly _contrast = new Map<number, { frame: [number, number]; spectrum: [number, number] }>();
}

function key(first: number, group: number): string {
  return `${first}:${group}`;
}

/** Two quantiles of the finite values, from a sample of at most ~65k of them. */
export function quantiles(values: Float32Array, qLow: number, qHigh: number): [number, number] {
  const step = Math.max(1, Math.floor(values.length / 65536));
  const sample: number[] = [];
  for (let i = 0; i < values.length; i += step) if (Number.isFinite(values[i])) sample.push(values[i]);
  if (sample.length === 0) return [0, 1];
  sample.sort((a, b) => a - b);
  const at = (q: number): number => sample[Math.min(sample.length - 1, Math.max(0, Math.round(q * (sample.length - 1))))];
  return [at(qLow), at(qHigh)];
}

export type { ColormapName };
