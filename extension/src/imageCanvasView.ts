/**
 * The image viewer's canvas: what is shown (decoded preview, colormap, contrast limits) and where
 * (zoom, pan, canvas size), drawn with its scale bar. No listeners, no notebook: the widget in
 * `imageViewer.ts` turns user input into calls here and persists `state()`.
 */
import {
  ColormapName,
  decodePreview,
  ImagePayloadV1,
  ImageViewState,
  niceScaleBar,
  ScaleBar
} from 'lowdose/dist/browser';
import { colorizePreview, drawView } from './canvasRender';
import { roundForState } from './viewState';
import {
  canvasHeightFor,
  clampTransform,
  Extent,
  fitTransform,
  fullResIndex,
  ImagePoint,
  imageExtent,
  imageToScreen,
  maxCanvasHeight,
  oneToOneZoom,
  panBy,
  screenToImage,
  Transform,
  Viewport,
  zoomAbout,
  ZoomLimits,
  zoomLimits
} from './viewTransform';

/** The full-resolution pixel under a canvas point and its preview value. */
export interface PixelUnderCursor {
  row: number;
  col: number;
  value: number;
}

/** Canvas model and renderer of one image payload. */
export class ImageCanvasView {
  constructor(readonly canvas: HTMLCanvasElement) {}

  get payload(): ImagePayloadV1 | null {
    return this._payload;
  }

  get colormap(): ColormapName {
    return this._colormap;
  }

  get contrast(): { low: number; high: number } {
    return { low: this._low, high: this._high };
  }

  /** Zoom relative to 1:1, in percent (100 % = one CSS pixel per full-resolution pixel). */
  get zoomPercent(): number {
    return this._payload ? (this._transform.zoom / oneToOneZoom(this._payload.preview.binning)) * 100 : 100;
  }

  /** CSS size of the canvas after the last `layout` (0 × 0 before the first). */
  get viewport(): Viewport {
    return this._viewport;
  }

  /**
   * Shows a (validated) payload. With `keepView`, zoom, pan and colormap stay as they are (a display
   * updated in place with an image of the same geometry); contrast always follows the new payload.
   * `values`, when given, are shown instead of the decoded `payload.preview`.
   */
  setPayload(payload: ImagePayloadV1, keepView: boolean, values?: Float32Array): void {
    this._payload = payload;
    // `values` (preview.rows × cols) lets a caller show data it computed itself (the FFT picker's spectra).
    this._values = values ?? decodePreview(payload.preview);
    this._extent = imageExtent(payload.shape, payload.preview.binning);
    this._low = payload.contrast.low;
    this._high = payload.contrast.high;
    if (!keepView) {
      this._colormap = payload.colormap;
      this._fit = true;
      this._transform = fitTransform(this._extent, this._viewport);
    }
    this._recolor();
  }

  /** Whether `payload` has the geometry of the image shown (so a view of one fits the other). */
  sameGeometry(payload: ImagePayloadV1): boolean {
    const p = this._payload;
    return (
      p !== null &&
      p.shape[0] === payload.shape[0] &&
      p.shape[1] === payload.shape[1] &&
      p.preview.binning === payload.preview.binning
    );
  }

  /** Applies a checked saved state (absent fields keep their value; absent zoom means "fit"). */
  applyState(state: ImageViewState): void {
    this._colormap = state.colormap ?? this._colormap;
    if (state.contrast) {
      this._low = state.contrast.low;
      this._high = state.contrast.high;
    }
    if (state.zoom !== undefined && state.center) {
      this._fit = false;
      this._transform = { zoom: state.zoom, center: { ...state.center } };
      if (this._viewport.width > 0) {
        this._transform = clampTransform(this._transform, this._extent, this._limits());
      }
    } else {
      this.fit();
    }
    this._recolor();
  }

  /** The state to save: colormap, contrast and, unless fitted, zoom and centre (6 digits). */
  state(): ImageViewState {
    const state: ImageViewState = { colormap: this._colormap, contrast: { low: this._low, high: this._high } };
    if (!this._fit) {
      const t = this._transform;
      state.zoom = roundForState(t.zoom);
      state.center = { row: roundForState(t.center.row), col: roundForState(t.center.col) };
    }
    return state;
  }

  setColormap(name: ColormapName): void {
    this._colormap = name;
    this._recolor();
  }

  /** Sets contrast limits in data units; ignored unless finite with low < high. */
  setContrast(low: number, high: number): boolean {
    if (!(Number.isFinite(low) && Number.isFinite(high) && low < high)) {
      return false;
    }
    this._low = low;
    this._high = high;
    this._recolor();
    return true;
  }

  /** Restores the payload's percentile-based contrast limits. */
  autoContrast(): void {
    if (this._payload) {
      this.setContrast(this._payload.contrast.low, this._payload.contrast.high);
    }
  }

  fit(): void {
    this._fit = true;
    this._transform = fitTransform(this._extent, this._viewport);
  }

  /** One CSS pixel per full-resolution pixel, keeping the centre. */
  oneToOne(): void {
    if (this._payload) {
      this._set({ zoom: oneToOneZoom(this._payload.preview.binning), center: { ...this._transform.center } });
    }
  }

  /** Zooms by `factor` about the canvas point `(x, y)` (CSS px); about the centre when omitted. */
  zoomBy(factor: number, x = this._viewport.width / 2, y = this._viewport.height / 2): void {
    this._set(zoomAbout(this._transform, this._viewport, x, y, factor, this._extent, this._limits()));
  }

  /** Moves the image by `(dx, dy)` CSS px. */
  panBy(dx: number, dy: number): void {
    this._set(panBy(this._transform, dx, dy, this._extent, this._limits()));
  }

  /**
   * Sizes the canvas to `width` CSS px (height from the image's aspect ratio, at most 70 % of the
   * window and 800 px), with a backing store of `devicePixelRatio` pixels per CSS px.
   */
  layout(width: number, windowHeight: number, devicePixelRatio: number): void {
    if (!this._payload || width <= 0) {
      return;
    }
    const height = canvasHeightFor(width, this._extent, maxCanvasHeight(windowHeight));
    const backingWidth = Math.round(width * devicePixelRatio);
    const backingHeight = Math.round(height * devicePixelRatio);
    if (this.canvas.width !== backingWidth || this.canvas.height !== backingHeight) {
      this.canvas.width = backingWidth;
      this.canvas.height = backingHeight;
    }
    this.canvas.style.height = `${height}px`;
    this._viewport = { width, height };
    this._pixelRatio = backingWidth / width;
    this._transform = this._fit
      ? fitTransform(this._extent, this._viewport)
      : clampTransform(this._transform, this._extent, this._limits());
  }

  /** Draws the view into the canvas; returns the scale bar drawn (null if none). */
  draw(): ScaleBar | null {
    const ctx = this.canvas.getContext('2d');
    if (!ctx || !this._colored || this._viewport.width <= 0 || this.canvas.width === 0) {
      return null;
    }
    const scaleBar = this.scaleBar();
    drawView(ctx, this._scene(undefined, scaleBar));
    return scaleBar;
  }

  /**
   * A new canvas holding the current view with its scale bar burned in, at the screen's
   * resolution, for export; `background` fills what lies outside the image.
   */
  renderForExport(background: string): HTMLCanvasElement | null {
    if (!this._colored || this._viewport.width <= 0) {
      return null;
    }
    const out = document.createElement('canvas');
    out.width = Math.round(this._viewport.width * this._pixelRatio);
    out.height = Math.round(this._viewport.height * this._pixelRatio);
    const ctx = out.getContext('2d');
    if (!ctx) {
      return null;
    }
    drawView(ctx, this._scene(background, this.scaleBar()));
    return out;
  }

  /** The bar for the current zoom: one CSS pixel spans `|scale| × binning / zoom` axis units. */
  scaleBar(): ScaleBar | null {
    const payload = this._payload;
    if (!payload || this._viewport.width <= 0) {
      return null;
    }
    const axis = payload.axes[1];
    const unitsPerScreenPx = (Math.abs(axis.scale) * payload.preview.binning) / this._transform.zoom;
    const targetPx = Math.min(120, Math.max(40, this._viewport.width / 4));
    try {
      return niceScaleBar(unitsPerScreenPx, axis.units, targetPx);
    } catch {
      return null;
    }
  }

  /** The full-resolution pixel under canvas point `(x, y)` (CSS px), or null outside the image. */
  pixelAt(x: number, y: number): PixelUnderCursor | null {
    const payload = this._payload;
    if (!payload || !this._values) {
      return null;
    }
    const p = screenToImage(this._transform, this._viewport, x, y);
    const b = payload.preview.binning;
    const row = fullResIndex(p.row, b, payload.shape[0]);
    const col = fullResIndex(p.col, b, payload.shape[1]);
    if (row < 0 || col < 0) {
      return null;
    }
    return { row, col, value: this._values[Math.floor(row / b) * payload.preview.cols + Math.floor(col / b)] };
  }

  /** Canvas point `(x, y)` (CSS px) → continuous preview-pixel coordinates (pixel (r, c) covers [r, r + 1)). */
  toImage(x: number, y: number): ImagePoint {
    return screenToImage(this._transform, this._viewport, x, y);
  }

  /** Continuous preview-pixel coordinates → canvas point (CSS px). */
  toScreen(p: ImagePoint): { x: number; y: number } {
    return imageToScreen(this._transform, this._viewport, p);
  }

  /** CSS pixels per preview pixel of the current view. */
  get zoom(): number {
    return this._transform.zoom;
  }

  /** Frees the canvases' pixel memory. */
  dispose(): void {
    this.canvas.width = this.canvas.height = 0;
    if (this._colored) {
      this._colored.width = this._colored.height = 0;
      this._colored = null;
    }
    this._values = null;
    this._payload = null;
  }

  private _set(t: Transform): void {
    this._fit = false;
    this._transform = t;
  }

  private _limits(): ZoomLimits {
    return zoomLimits(this._extent, this._viewport, this._payload ? this._payload.preview.binning : 1);
  }

  private _recolor(): void {
    const payload = this._payload;
    if (payload && this._values) {
      const { rows, cols } = payload.preview;
      this._colored = colorizePreview(this._values, rows, cols, this._colormap, this._low, this._high, this._colored ?? undefined);
    }
  }

  private _scene(background: string | undefined, scaleBar: ScaleBar | null) {
    return {
      source: this._colored!,
      extent: this._extent,
      transform: this._transform,
      viewport: this._viewport,
      pixelRatio: this._pixelRatio,
      background,
      scaleBar: scaleBar ?? undefined
    };
  }

  private _payload: ImagePayloadV1 | null = null;
  private _values: Float32Array | null = null;
  private _colored: HTMLCanvasElement | null = null;
  private _extent: Extent = { rows: 1, cols: 1 };
  private _colormap: ColormapName = 'gray';
  private _low = 0;
  private _high = 1;
  private _fit = true;
  private _transform: Transform = { zoom: 1, center: { row: 0, col: 0 } };
  private _viewport: Viewport = { width: 0, height: 0 };
  private _pixelRatio = 1;
}
