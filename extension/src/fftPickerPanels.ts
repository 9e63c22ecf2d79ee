/**
 * The FFT picker's two canvases — the image and the log power spectrum — each an `ImageCanvasView`
 * (the image viewer's pan/zoom/scale-bar view), plus what is drawn over them: picks with their
 * Friedel mates, the kernel's spots, the ring of a typed d, and the dragged region. The spectrum
 * panel shows either the payload's full-resolution crop (where clicks are refined) or the spectrum
 * of a region of the image preview, computed here with kernel-lib's browser FFT.
 */
import {
  cropSpectrum,
  decodePreview,
  FftPayloadV1,
  FftSpotPayload,
  fft,
  ImagePayloadV1,
  logPowerView,
  PreviewRegion,
  regionSpectrum
} from 'lowdose/dist/browser';
import { ImageCanvasView } from './imageCanvasView';

type PowerSpectrum = ReturnType<typeof cropSpectrum>;

/** Calibration of what the spectrum panel shows: index (r0, c0) is k = 0; steps in 1/Å per pixel. */
export interface SpectrumGrid {
  rows: number;
  cols: number;
  r0: number;
  c0: number;
  sy: number;
  sx: number;
}

/** What is drawn over the panels. */
export interface Overlay {
  picks: ReadonlyArray<FftSpotPayload>;
  peaks: ReadonlyArray<FftSpotPayload>;
  ringDA: number | null;
  /** Region being dragged or shown, in image-preview pixels. */
  region: PreviewRegion | null;
}

export const PICK_COLOR = '#00e5ff';
const PEAK_COLOR = 'rgba(255, 255, 255, 0.75)';
const RING_COLOR = '#7cfc00';
const REGION_COLOR = '#ffd400';
/** Radius of a pick's circle, CSS px. */
export const PICK_RADIUS_PX = 9;

/** The two views of one payload. */
export class FftPickerPanels {
  readonly image: ImageCanvasView;
  readonly spectrum: ImageCanvasView;

  constructor(imageCanvas: HTMLCanvasElement, spectrumCanvas: HTMLCanvasElement) {
    this.image = new ImageCanvasView(imageCanvas);
    this.spectrum = new ImageCanvasView(spectrumCanvas);
  }

  get payload(): FftPayloadV1 | null {
    return this._payload;
  }

  /** The crop as a PowerSpectrum (clicks are refined on it). */
  get cropPs(): PowerSpectrum | null {
    return this._cropPs;
  }

  /** The region whose spectrum is shown, or null for the full-resolution crop. */
  get region(): PreviewRegion | null {
    return this._region;
  }

  /** Shows a validated payload: image preview left, crop spectrum right. */
  load(payload: FftPayloadV1): void {
    this._payload = payload;
    this._imageValues = decodePreview(payload.image.preview);
    const p = payload.image;
    this.image.setPayload(
      viewPayload(payload.title, payload.shape, p.axes, p.preview, p.contrast.low, p.contrast.high, 'gray', p.valueLabel),
      false,
      this._imageValues
    );
    this._cropPs = cropSpectrum(payload);
    this._region = null;
    this._showSpectrum(this._cropPs, false);
  }

  /** Calibration of the spectrum shown now. */
  grid(): SpectrumGrid {
    const ps = this._shownPs;
    if (!ps) return { rows: 1, cols: 1, r0: 0, c0: 0, sy: 1, sx: 1 };
    const [rows, cols] = ps.data.shape;
    return { rows, cols, r0: Math.floor(rows / 2), c0: Math.floor(cols / 2), sy: ps.axes[0].scale, sx: ps.axes[1].scale };
  }

  /** Spectrum-canvas point (CSS px) of a reciprocal vector (1/Å). */
  kToScreen(kx: number, ky: number): { x: number; y: number } {
    const g = this.grid();
    return this.spectrum.toScreen({ row: ky / g.sy + g.r0 + 0.5, col: kx / g.sx + g.c0 + 0.5 });
  }

  /** Reciprocal vector (1/Å) and fractional array index under a spectrum-canvas point. */
  screenToK(x: number, y: number): { kxInvA: number; kyInvA: number; row: number; col: number } {
    const g = this.grid();
    const p = this.spectrum.toImage(x, y);
    const row = p.row - 0.5;
    const col = p.col - 0.5;
    return { kxInvA: (col - g.c0) * g.sx, kyInvA: (row - g.r0) * g.sy, row, col };
  }

  /** Computes and shows the Hann-windowed spectrum of a region of the image preview. */
  async showRegion(region: PreviewRegion): Promise<void> {
    const payload = this._payload;
    if (!payload || !this._imageValues) return;
    await fft.ready();
    const b = payload.image.preview.binning;
    const ps = regionSpectrum(this._imageValues, payload.image.preview.cols, region, payload.pixelSizeYA * b, payload.pixelSizeXA * b);
    this._region = region;
    this._showSpectrum(ps, false);
  }

  /** Back to the full-resolution crop. */
  resetRegion(): void {
    if (this._cropPs) {
      this._region = null;
      this._showSpectrum(this._cropPs, false);
    }
  }

  /** Sizes both canvases for a total width (CSS px) split in two. */
  layout(totalWidth: number, windowHeight: number, devicePixelRatio: number): void {
    const each = Math.max(120, Math.floor((totalWidth - 12) / 2));
    this.image.layout(each, windowHeight, devicePixelRatio);
    this.spectrum.layout(each, windowHeight, devicePixelRatio);
  }

  /** Draws both views and the overlay. */
  draw(overlay: Overlay): void {
    this.image.draw();
    this.spectrum.draw();
    const ictx = context(this.image);
    if (ictx && overlay.region) {
      const a = this.image.toScreen({ row: overlay.region.row0, col: overlay.region.col0 });
      const z = this.image.zoom;
      ictx.strokeStyle = REGION_COLOR;
      ictx.lineWidth = 2;
      ictx.setLineDash([6, 4]);
      ictx.strokeRect(a.x, a.y, overlay.region.cols * z, overlay.region.rows * z);
    }
    const ctx = context(this.spectrum);
    if (!ctx) return;
    const g = this.grid();
    if (overlay.ringDA && overlay.ringDA > 0) {
      const c = this.kToScreen(0, 0);
      const z = this.spectrum.zoom;
      ctx.strokeStyle = RING_COLOR;
      ctx.lineWidth = 1.5;
      ctx.setLineDash([8, 5]);
      ctx.beginPath();
      ctx.ellipse(c.x, c.y, (1 / overlay.ringDA / g.sx) * z, (1 / overlay.ringDA / g.sy) * z, 0, 0, 2 * Math.PI);
      ctx.stroke();
    }
    ctx.setLineDash([]);
    ctx.strokeStyle = PEAK_COLOR;
    ctx.lineWidth = 1;
    for (const p of overlay.peaks) {
      for (const s of [1, -1]) {
        const q = this.kToScreen(s * p.kxInvA, s * p.kyInvA);
        ctx.strokeRect(q.x - 6, q.y - 6, 12, 12);
      }
    }
    ctx.strokeStyle = PICK_COLOR;
    ctx.fillStyle = PICK_COLOR;
    ctx.lineWidth = 2;
    ctx.font = '600 12px sans-serif';
    overlay.picks.forEach((p, i) => {
      const q = this.kToScreen(p.kxInvA, p.kyInvA);
      const m = this.kToScreen(-p.kxInvA, -p.kyInvA);
      ctx.setLineDash([]);
      ctx.beginPath();
      ctx.arc(q.x, q.y, PICK_RADIUS_PX, 0, 2 * Math.PI);
      ctx.stroke();
      ctx.fillText(String(i + 1), q.x + PICK_RADIUS_PX + 2, q.y - PICK_RADIUS_PX);
      // The Friedel mate −g: |F(−g)| = |F(g)| for a real image, so it is marked, not listed.
      ctx.setLineDash([3, 3]);
      ctx.beginPath();
      ctx.arc(m.x, m.y, PICK_RADIUS_PX, 0, 2 * Math.PI);
      ctx.stroke();
      ctx.fillText(`${i + 1}′`, m.x + PICK_RADIUS_PX + 2, m.y - PICK_RADIUS_PX);
    });
    ctx.setLineDash([]);
  }

  dispose(): void {
    this.image.dispose();
    this.spectrum.dispose();
    this._imageValues = null;
    this._cropPs = null;
    this._shownPs = null;
    this._payload = null;
  }

  private _showSpectrum(ps: PowerSpectrum, keepView: boolean): void {
    const payload = this._payload!;
    const view = logPowerView(ps);
    const [rows, cols] = ps.data.shape;
    const axes = ps.axes.map(a => ({ name: a.name, size: a.size, scale: a.scale, offset: a.offset, units: a.units })) as ImagePayloadV1['axes'];
    const preview = { rows, cols, binning: 1, encoding: 'uint16-le-base64' as const, data: '', valueMin: view.low, valueMax: view.high };
    this._shownPs = ps;
    this.spectrum.setPayload(viewPayload(payload.title, [rows, cols], axes, preview, view.low, view.high, 'inferno', 'log10 power'), keepView, view.values);
  }

  private _payload: FftPayloadV1 | null = null;
  private _imageValues: Float32Array | null = null;
  private _cropPs: PowerSpectrum | null = null;
  private _shownPs: PowerSpectrum | null = null;
  private _region: PreviewRegion | null = null;
}

/** The 2D context of a view's canvas, set to CSS-pixel coordinates (after the view has drawn). */
function context(view: ImageCanvasView): CanvasRenderingContext2D | null {
  const ctx = view.canvas.getContext('2d');
  const w = view.viewport.width;
  if (!ctx || w <= 0) return null;
  const ratio = view.canvas.width / w;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return ctx;
}

/** An image-viewer payload for one panel (the view only reads geometry, preview, contrast and colormap). */
function viewPayload(
  title: string,
  shape: [number, number],
  axes: ImagePayloadV1['axes'],
  preview: ImagePayloadV1['preview'],
  low: number,
  high: number,
  colormap: ImagePayloadV1['colormap'],
  valueLabel: string
): ImagePayloadV1 {
  return {
    version: 1,
    kind: 'image',
    title,
    shape,
    axes,
    sourceShape: [shape[0], shape[1]],
    note: '',
    dtype: 'float32',
    valueLabel,
    preview,
    contrast: { low, high, percentiles: [0, 100] },
    colormap,
    stats: { min: low, max: high, mean: 0, std: 0, count: shape[0] * shape[1], nanCount: 0 }
  };
}
