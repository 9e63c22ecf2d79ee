/**
 * Renderer for `application/vnd.lowdose.image.v1+json`: an interactive image viewer with pan/zoom,
 * calibrated scale bar, cursor readout, contrast and colormap controls and PNG export. Shaped like
 * JupyterLab's vega5-extension renderer (a Lumino widget implementing `IRenderMime.IRenderer`).
 *
 * The payload is untrusted: it is validated first, and only ever reaches the page as text
 * (`textContent`) or pixels. Viewer state is saved into the output's metadata (debounced) so a saved
 * notebook reopens showing the same view; JupyterLab then calls `renderModel` again on this same
 * renderer, which must be (and is) idempotent.
 */
import type { NotebookPanel } from '@jupyterlab/notebook';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import type { Message } from '@lumino/messaging';
import type { Widget } from '@lumino/widgets';
import { ColormapName, IMAGE_MIME, ImagePayloadV1, validateImagePayload } from 'lowdose/dist/browser';
import { formatDescription, formatNumber, formatReadout, formatStats, sanitizeFilename } from './format';
import { ImageCanvasView } from './imageCanvasView';
import { buildViewerDom, ViewerDom } from './imageViewerDom';
import { showRenderError } from './domKit';
import { readViewState, viewStatesEqual, withViewState } from './viewState';
import { canvasPoint, downloadCanvasPng, keyAction } from './viewerInput';
import { wheelZoomFactor } from './viewTransform';
import { INotebookRendererOptions, NotebookRenderer, notebookRendererFactory } from './notebookRenderer';

/** Rank of the lowdose image renderer: below image/png's 90, so the viewer wins where installed. */
export const IMAGE_RENDERER_RANK = 50;

const READOUT_HINT = 'Drag to pan · wheel to zoom · double-click to fit';

/** Options of the image viewer: JupyterLab's renderer options plus the notebook it renders into. */
export type IImageViewerOptions = INotebookRendererOptions;

/** A renderer factory bound to one notebook (or to none, for the application-wide registry). */
export function createImageRendererFactory(panel: NotebookPanel | null): IRenderMime.IRendererFactory {
  return notebookRendererFactory(IMAGE_MIME, IMAGE_RENDERER_RANK, panel, options => new ImageViewer(options));
}

/** The interactive image viewer. */
export class ImageViewer extends NotebookRenderer {
  constructor(options: IImageViewerOptions) {
    super(options, 'jp-lowdose-image');
    this._dom = buildViewerDom(this.node);
    this._view = new ImageCanvasView(this._dom.canvas);
  }

  /** Renders (or re-renders) the model; never throws for a bad payload. */
  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this._model = model;
    const result = validateImagePayload(model.data[this._mimeType]);
    if (!result.ok) {
      this._showError(result.message, model);
      return;
    }
    const payload = result.payload;
    const saved = readViewState(model.metadata, this._mimeType);
    const key = payloadKey(payload);
    const current = this._view.payload;
    if (this._showing && current && key === this._payloadKey && payload.preview.data === current.preview.data) {
      // Same image: JupyterLab re-renders after our own setData, or after undo/another view changed
      // the metadata. Apply a differing saved state only when no local change is waiting to be saved.
      if (saved && !this.savePending && !viewStatesEqual(saved, this._view.state())) {
        this._view.applyState(saved);
        this._syncControls();
        this.scheduleDraw();
      }
      return;
    }
    this._load(payload, key);
    if (saved) {
      this._view.applyState(saved);
    }
    this._syncControls();
    this.scheduleDraw(true);
  }

  /** Frees canvases, timers and observers; safe to call more than once. */
  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._resizeObserver?.disconnect();
    this._resizeObserver = null;
    this._view.dispose();
    this._model = null;
    super.dispose();
  }

  /** Handles DOM events of the viewer (Lumino's `handleEvent` pattern). */
  handleEvent(event: Event): void {
    if (!this._showing) {
      return;
    }
    switch (event.type) {
      case 'click':
        this._onClick(event as MouseEvent);
        break;
      case 'change':
        this._onChange(event);
        break;
      case 'pointerdown':
        this._onPointerDown(event as PointerEvent);
        break;
      case 'pointermove':
        this._onPointerMove(event as PointerEvent);
        break;
      case 'pointerup':
      case 'pointercancel':
        this._onPointerUp(event as PointerEvent);
        break;
      case 'pointerleave':
        this._dom.readout.textContent = READOUT_HINT;
        break;
      case 'wheel':
        this._onWheel(event as WheelEvent);
        break;
      case 'dblclick':
        this._changeView(() => this._view.fit());
        break;
      case 'keydown':
        this._onKeyDown(event as KeyboardEvent);
        break;
    }
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    const { canvas, wrap } = this._dom;
    this.node.addEventListener('click', this);
    this.node.addEventListener('change', this);
    for (const type of CANVAS_EVENTS) {
      canvas.addEventListener(type, this);
    }
    canvas.addEventListener('wheel', this, { passive: false });
    // Capture on window runs before JupyterLab's document-level shortcut handler, so the viewer's
    // own keys (arrows, + - 0 1) don't also act on the notebook while the canvas has focus.
    window.addEventListener('keydown', this, true);
    if (typeof ResizeObserver !== 'undefined') {
      this._resizeObserver = new ResizeObserver(() => this.scheduleDraw(true));
      this._resizeObserver.observe(wrap);
    }
    this.scheduleDraw(true);
  }

  protected onBeforeDetach(msg: Message): void {
    const { canvas } = this._dom;
    this.node.removeEventListener('click', this);
    this.node.removeEventListener('change', this);
    for (const type of CANVAS_EVENTS) {
      canvas.removeEventListener(type, this);
    }
    canvas.removeEventListener('wheel', this);
    window.removeEventListener('keydown', this, true);
    this._resizeObserver?.disconnect();
    this._resizeObserver = null;
    this._drag = null;
    super.onBeforeDetach(msg);
  }

  protected onResize(msg: Widget.ResizeMessage): void {
    super.onResize(msg);
    this.scheduleDraw(true);
  }

  // ---- content ----------------------------------------------------------------------------------

  private _showError(message: string, model: IRenderMime.IMimeModel): void {
    const { error, viewer } = this._dom;
    this._showing = false;
    showRenderError(viewer, error, 'image viewer', message, model.data['image/png']);
  }

  private _load(payload: ImagePayloadV1, key: string): void {
    const { error, viewer, title, description, stats, autoButton } = this._dom;
    error.hidden = true;
    error.replaceChildren();
    viewer.hidden = false;
    // A display updated in place (progress, a live preview) with an image of the same geometry keeps
    // the user's zoom, pan and colormap.
    this._view.setPayload(payload, this._showing && this._view.sameGeometry(payload));
    this._showing = true;
    this._payloadKey = key;
    title.textContent = payload.title;
    title.hidden = !payload.title;
    description.textContent = formatDescription(payload);
    stats.textContent = formatStats(payload);
    const [p0, p1] = payload.contrast.percentiles;
    autoButton.title = `Auto contrast: the ${formatNumber(p0)}–${formatNumber(p1)} percentile range`;
  }

  /** Puts the current colormap and contrast into the toolbar controls. */
  private _syncControls(): void {
    const { colormapSelect, minInput, maxInput } = this._dom;
    const { low, high } = this._view.contrast;
    colormapSelect.value = this._view.colormap;
    minInput.value = String(Number(low.toPrecision(6)));
    maxInput.value = String(Number(high.toPrecision(6)));
    minInput.setAttribute('aria-invalid', 'false');
    maxInput.setAttribute('aria-invalid', 'false');
  }

  // ---- drawing ----------------------------------------------------------------------------------

  protected drawFrame(layout: boolean): void {
    if (layout) {
      this._view.layout(Math.floor(this._dom.wrap.clientWidth), window.innerHeight, window.devicePixelRatio || 1);
    }
    if (!this._showing) {
      return;
    }
    const bar = this._view.draw();
    const { scaleBarLabel, zoomLabel } = this._dom;
    scaleBarLabel.textContent = bar ? bar.label : '';
    scaleBarLabel.dataset.lengthPx = bar ? bar.lengthPx.toFixed(2) : '';
    zoomLabel.textContent = `${formatNumber(this._view.zoomPercent, 3)}%`;
  }

  // ---- interaction ------------------------------------------------------------------------------

  /** Runs a change of the view, then redraws and schedules saving. */
  private _changeView(change: () => void, controls = false): void {
    change();
    if (controls) {
      this._syncControls();
    }
    this.scheduleDraw();
    this.scheduleSave();
  }

  private _onClick(event: MouseEvent): void {
    const button = (event.target as HTMLElement).closest('button');
    if (!button || !this.node.contains(button)) {
      return;
    }
    const view = this._view;
    switch (button.dataset.action) {
      case 'fit':
        this._changeView(() => view.fit());
        break;
      case 'one-to-one':
        this._changeView(() => view.oneToOne());
        break;
      case 'zoom-in':
        this._changeView(() => view.zoomBy(1.5));
        break;
      case 'zoom-out':
        this._changeView(() => view.zoomBy(1 / 1.5));
        break;
      case 'auto':
        this._changeView(() => view.autoContrast(), true);
        break;
      case 'export':
        this._exportPng();
        break;
    }
  }

  private _onChange(event: Event): void {
    const { colormapSelect, minInput, maxInput } = this._dom;
    if (event.target === colormapSelect) {
      this._changeView(() => this._view.setColormap(colormapSelect.value as ColormapName));
    } else if (event.target === minInput || event.target === maxInput) {
      const low = parseFloat(minInput.value);
      const high = parseFloat(maxInput.value);
      const valid = Number.isFinite(low) && Number.isFinite(high) && low < high;
      for (const input of [minInput, maxInput]) {
        input.setAttribute('aria-invalid', valid ? 'false' : 'true');
      }
      if (valid) {
        this._changeView(() => this._view.setContrast(low, high));
      }
    }
  }

  private _localPoint(event: MouseEvent): { x: number; y: number } {
    return canvasPoint(this._dom.canvas, this._view.viewport, event);
  }

  private _onPointerDown(event: PointerEvent): void {
    if (event.button !== 0) {
      return;
    }
    const p = this._localPoint(event);
    this._drag = { pointerId: event.pointerId, x: p.x, y: p.y };
    this._dom.canvas.setPointerCapture(event.pointerId);
    this._dom.canvas.classList.add('jp-mod-dragging');
  }

  private _onPointerMove(event: PointerEvent): void {
    const p = this._localPoint(event);
    const drag = this._drag;
    if (drag && drag.pointerId === event.pointerId) {
      const dx = p.x - drag.x;
      const dy = p.y - drag.y;
      drag.x = p.x;
      drag.y = p.y;
      if (dx !== 0 || dy !== 0) {
        this._changeView(() => this._view.panBy(dx, dy));
      }
    }
    this._setReadout(p.x, p.y);
  }

  private _onPointerUp(event: PointerEvent): void {
    if (this._drag && this._drag.pointerId === event.pointerId) {
      this._drag = null;
      if (this._dom.canvas.hasPointerCapture(event.pointerId)) {
        this._dom.canvas.releasePointerCapture(event.pointerId);
      }
      this._dom.canvas.classList.remove('jp-mod-dragging');
    }
  }

  private _onWheel(event: WheelEvent): void {
    event.preventDefault();
    const p = this._localPoint(event);
    const factor = wheelZoomFactor(event.deltaY, event.deltaMode, this._view.viewport.height);
    this._changeView(() => this._view.zoomBy(factor, p.x, p.y));
    this._setReadout(p.x, p.y);
  }

  private _onKeyDown(event: KeyboardEvent): void {
    const action = event.target === this._dom.canvas ? keyAction(this._view, event) : undefined;
    if (action) {
      event.preventDefault();
      event.stopPropagation();
      this._changeView(action);
    }
  }

  /** Shows row, column, position and value under a canvas point (CSS px). */
  private _setReadout(x: number, y: number): void {
    const payload = this._view.payload;
    const pixel = this._view.pixelAt(x, y);
    this._dom.readout.textContent =
      payload && pixel ? formatReadout(payload, pixel.row, pixel.col, pixel.value) : 'outside the image';
  }

  // ---- persistence and export -------------------------------------------------------------------

  /** Writes the view into `metadata[mime].view`; a no-op when it is already there. */
  protected saveState(): void {
    const model = this._model;
    if (!model || !this._showing || this.isDisposed) {
      return;
    }
    const state = this._view.state();
    if (viewStatesEqual(readViewState(model.metadata, this._mimeType), state)) {
      return;
    }
    const metadata = withViewState(model.metadata, this._mimeType, state);
    model.setData({ metadata: metadata as IRenderMime.IMimeModel['metadata'] });
  }

  /** Downloads the current view, scale bar burned in, as `<title>.png`. */
  private _exportPng(): void {
    const payload = this._view.payload;
    const background = getComputedStyle(this._dom.canvas).backgroundColor || '#808080';
    const canvas = this._view.renderForExport(background);
    if (!payload || !canvas) {
      return;
    }
    void downloadCanvasPng(canvas, `${sanitizeFilename(payload.title)}.png`).then(ok => {
      canvas.width = canvas.height = 0;
      if (!ok && !this.isDisposed) {
        this._dom.readout.textContent = 'Export failed: the browser could not encode the PNG.';
      }
    });
  }

  private readonly _dom: ViewerDom;
  private readonly _view: ImageCanvasView;
  private _model: IRenderMime.IMimeModel | null = null;
  /** Whether a valid payload is shown (false while empty or showing an error). */
  private _showing = false;
  private _payloadKey = '';
  private _drag: { pointerId: number; x: number; y: number } | null = null;
  private _resizeObserver: ResizeObserver | null = null;
}

const CANVAS_EVENTS = ['pointerdown', 'pointermove', 'pointerup', 'pointercancel', 'pointerleave', 'dblclick'];

/** Identity of a payload apart from its (large) preview data, which is compared separately. */
function payloadKey(payload: ImagePayloadV1): string {
  return JSON.stringify({ ...payload, preview: { ...payload.preview, data: payload.preview.data.length } });
}
