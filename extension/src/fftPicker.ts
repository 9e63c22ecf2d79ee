/**
 * Renderer for `application/vnd.lowdose.fft.v1+json`: the FFT peak picker. Image and log power
 * spectrum side by side; a click snaps to the refined maximum (kernel-lib's `lattice.refinePeak` on the
 * payload's full-resolution crop) and the table lists d, |g|, angle and SNR; Friedel mates are marked;
 * pairs give angle and |g| ratio; a ring marks a typed d; a dragged image region shows its spectrum.
 * Picks persist in the output metadata; "Copy table" gives CSV; "Insert as code" adds a
 * `lowdose.lattice.spots([...], source)` cell below. The payload is untrusted: validated, shown only as text or pixels.
 */
import type { NotebookPanel } from '@jupyterlab/notebook';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import type { Message } from '@lumino/messaging';
import type { Widget } from '@lumino/widgets';
import {
  FFT_MIME,
  FFT_STATE_KEY,
  FftPayloadV1,
  FftPickerState,
  FftSpotPayload,
  pickSpot,
  picksCsv,
  PreviewRegion,
  sanitizeFftState,
  validateFftPayload
} from 'lowdose/dist/browser';
import { formatNumber } from './format';
import { buildFftPickerDom, FftPickerDom } from './fftPickerDom';
import { FftPickerPanels } from './fftPickerPanels';
import { nextLabel, pickerState, restorePicks, samePayload, withPickerState } from './fftPickerState';
import { copyText, insertPicks, renderCaptions, renderPickTable, spectrumReadout } from './fftPickerText';
import { showRenderError } from './domKit';
import { canvasPoint } from './viewerInput';
import { wheelZoomFactor } from './viewTransform';
import { INotebookRendererOptions, NotebookRenderer, notebookRendererFactory } from './notebookRenderer';

/** Rank of the FFT picker renderer: below image/png's 90, so the picker wins where installed. */
export const FFT_RENDERER_RANK = 50;

const CLICK_SLOP_PX = 4;

/** A renderer factory bound to one notebook (or to none, for the application-wide registry). */
export function createFftRendererFactory(panel: NotebookPanel | null): IRenderMime.IRendererFactory {
  return notebookRendererFactory(FFT_MIME, FFT_RENDERER_RANK, panel, options => new FftPicker(options));
}

/** The FFT peak picker widget. */
export class FftPicker extends NotebookRenderer {
  constructor(options: INotebookRendererOptions) {
    super(options, 'jp-lowdose-fft');
    this._dom = buildFftPickerDom(this.node);
    this._panels = new FftPickerPanels(this._dom.imageCanvas, this._dom.spectrumCanvas);
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this._model = model;
    const result = validateFftPayload(model.data[this._mimeType]);
    if (!result.ok) {
      this._showError(result.message, model);
      return;
    }
    const payload = result.payload;
    const saved = sanitizeFftState((model.metadata[this._mimeType] as { [k: string]: unknown } | undefined)?.[FFT_STATE_KEY]);
    if (this._showing && this._panels.payload && samePayload(this._panels.payload, payload)) {
      // Re-render after our own setData (or another view's): adopt a differing state only when idle.
      if (saved && !this.savePending && JSON.stringify(saved) !== JSON.stringify(this._state())) this._restore(saved, payload);
      return;
    }
    const { error, picker, title, description } = this._dom;
    error.hidden = true;
    picker.hidden = false;
    this._panels.load(payload);
    this._showing = true;
    title.textContent = payload.title;
    description.textContent =
      `${payload.shape[0]} × ${payload.shape[1]} px · pixel ${formatNumber(payload.pixelSizeXA)} Å · ${payload.window} window · ` +
      `snap on the full-resolution spectrum for d ≥ ${formatNumber(payload.minDA)} Å` +
      (payload.warnings.length ? ` · ${payload.warnings.join(' ')}` : '');
    this._restore(saved ?? { picks: payload.picks }, payload, saved ? undefined : payload.picks);
    this._updateCaptions();
    this.scheduleDraw(true);
  }

  dispose(): void {
    if (this.isDisposed) return;
    this._resizeObserver?.disconnect();
    this._panels.dispose();
    this._model = null;
    super.dispose();
  }

  handleEvent(event: Event): void {
    if (!this._showing) return;
    const target = event.target;
    switch (event.type) {
      case 'click':
        this._onButton(event as MouseEvent);
        break;
      case 'input':
      case 'change':
        if (target === this._dom.ringInput) this._onRing();
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
      case 'wheel': {
        const e = event as WheelEvent;
        e.preventDefault();
        const view = target === this._dom.imageCanvas ? this._panels.image : this._panels.spectrum;
        const p = canvasPoint(view.canvas, view.viewport, e);
        view.zoomBy(wheelZoomFactor(e.deltaY, e.deltaMode, view.viewport.height), p.x, p.y);
        this.scheduleDraw();
        break;
      }
      case 'dblclick':
        (target === this._dom.imageCanvas ? this._panels.image : this._panels.spectrum).fit();
        this.scheduleDraw();
        break;
    }
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.node.addEventListener('click', this);
    this.node.addEventListener('change', this);
    this.node.addEventListener('input', this);
    for (const canvas of [this._dom.imageCanvas, this._dom.spectrumCanvas]) {
      for (const type of ['pointerdown', 'pointermove', 'pointerup', 'pointercancel', 'dblclick']) canvas.addEventListener(type, this);
      canvas.addEventListener('wheel', this, { passive: false });
    }
    if (typeof ResizeObserver !== 'undefined') {
      this._resizeObserver = new ResizeObserver(() => this.scheduleDraw(true));
      this._resizeObserver.observe(this._dom.picker);
    }
    this.scheduleDraw(true);
  }

  protected onBeforeDetach(msg: Message): void {
    this.node.removeEventListener('click', this);
    this.node.removeEventListener('change', this);
    this.node.removeEventListener('input', this);
    for (const canvas of [this._dom.imageCanvas, this._dom.spectrumCanvas]) {
      for (const type of ['pointerdown', 'pointermove', 'pointerup', 'pointercancel', 'dblclick', 'wheel']) canvas.removeEventListener(type, this);
    }
    this._resizeObserver?.disconnect();
    this._resizeObserver = null;
    this._drag = null;
    super.onBeforeDetach(msg);
  }

  protected onResize(msg: Widget.ResizeMessage): void {
    super.onResize(msg);
    this.scheduleDraw(true);
  }

  // ---- state ------------------------------------------------------------------------------------

  private _restore(state: FftPickerState, payload: FftPayloadV1, kernelPicks?: FftSpotPayload[]): void {
    const ps = this._panels.cropPs;
    this._picks = ps ? restorePicks(ps, payload.crop, state, kernelPicks) : [];
    this._ringDA = state.ringDA ?? null;
    this._dom.ringInput.value = this._ringDA ? String(this._ringDA) : '';
    this._updateTable();
    this.scheduleDraw();
  }

  private _state(): FftPickerState {
    return pickerState(this._picks, this._ringDA);
  }

  private _changed(): void {
    this._updateTable();
    this.scheduleDraw();
    this.scheduleSave();
  }

  protected saveState(): void {
    const model = this._model;
    if (!model || !this._showing) return;
    const metadata = withPickerState(model.metadata, this._mimeType, this._state());
    model.setData({ metadata: metadata as IRenderMime.IMimeModel['metadata'] });
  }

  // ---- interaction ------------------------------------------------------------------------------

  private _onButton(event: MouseEvent): void {
    const button = (event.target as HTMLElement).closest('button');
    if (!button || !this.node.contains(button)) return;
    const payload = this._panels.payload!;
    switch (button.dataset.action) {
      case 'remove':
        this._picks.splice(Number(button.dataset.index), 1);
        this._changed();
        break;
      case 'clear':
        this._picks = [];
        this._changed();
        break;
      case 'accept-peaks':
        for (const p of payload.peaks) {
          if (!this._picks.some(q => Math.hypot(q.kxInvA - p.kxInvA, q.kyInvA - p.kyInvA) < 2 * payload.crop.kxScaleInvA)) {
            this._picks.push({ ...p, label: nextLabel(this._picks) });
          }
        }
        this._changed();
        break;
      case 'reset-region':
        this._panels.resetRegion();
        this._region = null;
        this._updateCaptions();
        this.scheduleDraw();
        break;
      case 'copy':
        void this._copy();
        break;
      case 'insert':
        this._insert();
        break;
    }
  }

  private _onRing(): void {
    const v = parseFloat(this._dom.ringInput.value);
    const ok = this._dom.ringInput.value.trim() === '' || (Number.isFinite(v) && v > 0);
    this._dom.ringInput.setAttribute('aria-invalid', ok ? 'false' : 'true');
    if (ok) {
      this._ringDA = Number.isFinite(v) && v > 0 ? v : null;
      this._changed();
    }
  }

  private _onPointerDown(event: PointerEvent): void {
    if (event.button !== 0) return;
    const canvas = event.target as HTMLCanvasElement;
    const view = canvas === this._dom.imageCanvas ? this._panels.image : this._panels.spectrum;
    const p = canvasPoint(canvas, view.viewport, event);
    this._drag = { pointerId: event.pointerId, canvas, x0: p.x, y0: p.y, x: p.x, y: p.y, moved: false };
    canvas.setPointerCapture(event.pointerId);
  }

  private _onPointerMove(event: PointerEvent): void {
    const canvas = event.target as HTMLCanvasElement;
    const isImage = canvas === this._dom.imageCanvas;
    const view = isImage ? this._panels.image : this._panels.spectrum;
    const p = canvasPoint(canvas, view.viewport, event);
    const drag = this._drag;
    if (drag && drag.pointerId === event.pointerId) {
      drag.moved ||= Math.hypot(p.x - drag.x0, p.y - drag.y0) > CLICK_SLOP_PX;
      if (drag.moved && isImage) {
        const a = view.toImage(drag.x0, drag.y0);
        const b = view.toImage(p.x, p.y);
        this._region = { row0: Math.min(a.row, b.row), col0: Math.min(a.col, b.col), rows: Math.abs(b.row - a.row), cols: Math.abs(b.col - a.col) };
        this._requestRegionSpectrum();
      } else if (drag.moved) {
        view.panBy(p.x - drag.x, p.y - drag.y);
      }
      drag.x = p.x;
      drag.y = p.y;
      this.scheduleDraw();
    }
    if (!isImage) {
      const k = this._panels.screenToK(p.x, p.y);
      this._dom.readout.textContent = spectrumReadout(k.kxInvA, k.kyInvA);
    }
  }

  private _onPointerUp(event: PointerEvent): void {
    const drag = this._drag;
    if (!drag || drag.pointerId !== event.pointerId) return;
    this._drag = null;
    if (drag.canvas.hasPointerCapture(event.pointerId)) drag.canvas.releasePointerCapture(event.pointerId);
    if (!drag.moved && drag.canvas === this._dom.spectrumCanvas && event.type === 'pointerup') this._pickAt(drag.x0, drag.y0);
  }

  /** Snap + refine at a spectrum-canvas point, on the full-resolution crop. */
  private _pickAt(x: number, y: number): void {
    const payload = this._panels.payload;
    const ps = this._panels.cropPs;
    if (!payload || !ps) return;
    if (this._panels.region) {
      this._dom.status.textContent = 'Picks are refined on the spectrum of the whole image: press "Whole image" first.';
      return;
    }
    const k = this._panels.screenToK(x, y);
    try {
      this._picks.push(pickSpot(ps, payload.crop, { row: k.row, col: k.col }, { label: nextLabel(this._picks) }));
      const s = this._picks[this._picks.length - 1];
      this._dom.status.textContent = `Picked ${s.label}: d ${s.dA.toFixed(4)} Å (refined on the full-resolution spectrum; Friedel mate marked ′).`;
      this._changed();
    } catch (e) {
      this._dom.status.textContent = (e as Error).message;
    }
  }

  /** Computes the region's spectrum at most once per animation frame while dragging. */
  private _requestRegionSpectrum(): void {
    if (this._regionBusy) {
      this._regionAgain = true;
      return;
    }
    const region = this._region;
    if (!region || region.rows < 8 || region.cols < 8) return;
    this._regionBusy = true;
    void this._panels
      .showRegion({ ...region })
      .then(() => this._updateCaptions())
      .catch(e => (this._dom.status.textContent = (e as Error).message))
      .finally(() => {
        this._regionBusy = false;
        this.scheduleDraw();
        if (this._regionAgain) {
          this._regionAgain = false;
          requestAnimationFrame(() => this._requestRegionSpectrum());
        }
      });
  }

  private async _copy(): Promise<void> {
    const n = this._picks.length;
    await copyText(this._dom, picksCsv(this._picks), `Copied ${n} row${n === 1 ? '' : 's'} as CSV.`);
  }

  private _insert(): void {
    insertPicks(this._dom, this._picks, this._panels.payload!.sourceName, code => this.insertCodeBelow(code));
  }

  // ---- drawing ----------------------------------------------------------------------------------

  private _updateTable(): void {
    renderPickTable(this._dom, this._picks);
  }

  private _updateCaptions(): void {
    const payload = this._panels.payload;
    if (payload) renderCaptions(this._dom, payload, this._panels.region, this._panels.grid());
  }

  protected drawFrame(layout: boolean): void {
    if (!this._showing) return; // renderModel asks for a layout when a payload shows again
    if (layout) this._panels.layout(Math.floor(this._dom.picker.clientWidth), window.innerHeight, window.devicePixelRatio || 1);
    this._panels.draw({ picks: this._picks, peaks: this._panels.payload?.peaks ?? [], ringDA: this._ringDA, region: this._region });
  }

  private _showError(message: string, model: IRenderMime.IMimeModel): void {
    this._showing = false;
    showRenderError(this._dom.picker, this._dom.error, 'FFT picker', message, model.data['image/png']);
  }

  private readonly _dom: FftPickerDom;
  private readonly _panels: FftPickerPanels;
  private _model: IRenderMime.IMimeModel | null = null;
  private _showing = false;
  private _picks: FftSpotPayload[] = [];
  private _ringDA: number | null = null;
  private _region: PreviewRegion | null = null;
  private _regionBusy = false;
  private _regionAgain = false;
  private _drag: { pointerId: number; canvas: HTMLCanvasElement; x0: number; y0: number; x: number; y: number; moved: boolean } | null = null;
  private _resizeObserver: ResizeObserver | null = null;
}
