/**
 * Renderer for `application/vnd.lowdose.doseseries.v1+json`: the dose slider — frames (or sums of G frames) scrubbed
 * by accumulated dose with their log power spectrum and tracked spots, a linked intensity/strain chart with a cursor,
 * play/pause, state saved in the output metadata, "Insert as code". Untrusted payload: validated, text via textContent.
 */
import type { NotebookPanel } from '@jupyterlab/notebook';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import type { Message } from '@lumino/messaging';
import { DOSE_SERIES_MIME, DoseSeriesPayloadV1, validateDoseSeriesPayload } from 'lowdose/dist/browser';
import { DoseChart } from './doseSliderChart';
import { buildDoseSliderDom, copyText, DoseSliderDom } from './doseSliderDom';
import { showRenderError } from './domKit';
import { clampView, doseStatesEqual, doseWindow, maxStart, payloadKey, readDoseState, windowCode, windowLabel, withDoseState } from './doseSliderFormat';
import { DoseSeriesFrames } from './doseSliderFrames';
import { DoseSliderTimings, drawWindow, keyAction, layoutPanels, nearestFirst, schedule } from './doseSliderDraw';
import { formatSeriesDescription, formatStatus } from './doseSliderOverlay';
import { INotebookRendererOptions, NotebookRenderer, notebookRendererFactory } from './notebookRenderer';

/** Rank of the dose slider renderer: below image/png's 90, so it wins where installed. */
export const DOSE_SERIES_RENDERER_RANK = 50;

/** Frames per second while playing. */
const PLAY_FPS = 8;

/** Options: JupyterLab's renderer options plus the notebook this renderer belongs to. */
export type IDoseSliderOptions = INotebookRendererOptions;

/** A dose-slider renderer factory bound to one notebook (or none). */
export function createDoseSliderRendererFactory(panel: NotebookPanel | null): IRenderMime.IRendererFactory {
  return notebookRendererFactory(DOSE_SERIES_MIME, DOSE_SERIES_RENDERER_RANK, panel, options => new DoseSlider(options));
}

/** The dose slider widget. */
export class DoseSlider extends NotebookRenderer {
  constructor(options: IDoseSliderOptions) {
    super(options, 'jp-lowdose-dose');
    this._dom = buildDoseSliderDom(this.node);
  }

  /** Current view: first frame of the window, group size, playing. */
  get view(): { frame: number; groupFrames: number; playing: boolean } {
    return { frame: this._frame, groupFrames: this._group, playing: this._playing };
  }

  get timings(): DoseSliderTimings {
    return { ...this._timings };
  }

  /** Whether every frame is inflated and the current window has been drawn. */
  get ready(): boolean {
    return this._data !== null && this._data.loaded;
  }

  /** The code "Insert as code" writes for the current window. */
  windowCode(): string {
    return this._payload ? windowCode(this._payload, doseWindow(this._payload, this._frame, this._group)) : '';
  }

  /** Shows a frame window (clamped); the state is saved unless `save` is false. */
  setView(frame: number, groupFrames = this._group, save = true): void {
    if (!this._payload) return;
    const v = clampView(this._payload, frame, groupFrames);
    const groupChanged = v.group !== this._group;
    this._frame = v.frame;
    this._group = v.group;
    this._syncControls();
    if (groupChanged) this._startPrefetch();
    this.scheduleDraw();
    if (save) this.scheduleSave();
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this._model = model;
    const result = validateDoseSeriesPayload(model.data[this._mimeType]);
    if (!result.ok) {
      this._showError(result.message, model);
      return;
    }
    const payload = result.payload;
    const saved = readDoseState(model.metadata, this._mimeType, payload);
    if (this._payload && payloadKey(payload) === this._payloadKey) {
      if (saved && !this.savePending && !doseStatesEqual(saved, this._state())) this.setView(saved.frame, saved.groupFrames, false);
      return;
    }
    this._load(payload, saved);
    const data = this._data!;
    const token = ++this._loadToken;
    try {
      await data.load(() => token !== this._loadToken || this.isDisposed);
    } catch (e) {
      this._showError(`the frames could not be decoded (${(e as Error).message}).`, model);
      return;
    }
    if (token !== this._loadToken || this.isDisposed) return;
    this._dom.status.textContent = this._statusText();
    this._startPrefetch();
    this.scheduleDraw(true);
  }

  dispose(): void {
    if (this.isDisposed) return;
    this._stop();
    this._cancelTimers();
    this._loadToken++;
    this._data?.dispose();
    this._chart?.dispose();
    this._data = null;
    this._chart = null;
    this._model = null;
    super.dispose();
  }

  handleEvent(event: Event): void {
    if (!this._payload) return;
    switch (event.type) {
      case 'input':
        if (event.target === this._dom.slider) {
          this._stop();
          this.setView(Number(this._dom.slider.value));
        }
        break;
      case 'change':
        if (event.target === this._dom.groupInput) {
          const g = Number(this._dom.groupInput.value);
          if (Number.isFinite(g) && g >= 1) this.setView(this._frame, g);
          else this._syncControls();
        }
        break;
      case 'click':
        this._onClick(event as MouseEvent);
        break;
      case 'keydown':
        this._onKeyDown(event as KeyboardEvent);
        break;
    }
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.node.addEventListener('input', this);
    this.node.addEventListener('change', this);
    this.node.addEventListener('click', this);
    // Capture on window runs before JupyterLab's document-level shortcuts (arrows select cells).
    window.addEventListener('keydown', this, true);
    if (typeof ResizeObserver !== 'undefined') {
      this._resizeObserver = new ResizeObserver(() => this.scheduleDraw(true));
      this._resizeObserver.observe(this._dom.viewer);
    }
    this.scheduleDraw(true);
  }

  protected onBeforeDetach(msg: Message): void {
    this.node.removeEventListener('input', this);
    this.node.removeEventListener('change', this);
    this.node.removeEventListener('click', this);
    window.removeEventListener('keydown', this, true);
    this._resizeObserver?.disconnect();
    this._resizeObserver = null;
    this._stop();
    super.onBeforeDetach(msg);
  }

  // ---- content ----------------------------------------------------------------------------------

  private _showError(message: string, model: IRenderMime.IMimeModel): void {
    this._payload = null;
    showRenderError(this._dom.viewer, this._dom.error, 'dose slider', message, model.data['image/png']);
  }

  private _load(payload: DoseSeriesPayloadV1, saved: ReturnType<typeof readDoseState>): void {
    const { error, viewer, title, description, slider, groupInput } = this._dom;
    this._stop();
    this._data?.dispose();
    this._chart?.dispose();
    this._payload = payload;
    this._payloadKey = payloadKey(payload);
    this._data = new DoseSeriesFrames(payload);
    this._chart = payload.tracks || payload.fit ? new DoseChart(this._dom.chartCanvas, payload) : null;
    this._dom.chartCanvas.hidden = this._chart === null;
    error.hidden = true;
    error.replaceChildren();
    viewer.hidden = false;
    title.textContent = payload.title;
    description.textContent = formatSeriesDescription(payload);
    groupInput.max = String(payload.shape[0]);
    slider.dataset.frames = String(payload.shape[0]);
    const v = clampView(payload, saved?.frame ?? 0, saved?.groupFrames ?? payload.groupFrames);
    this._frame = v.frame;
    this._group = v.group;
    this._syncControls();
    this._dom.status.textContent = 'decoding frames…';
  }

  private _state = () => ({ frame: this._frame, groupFrames: this._group, playing: false as const });

  private _syncControls(): void {
    const payload = this._payload;
    if (!payload) return;
    const { slider, groupInput, label } = this._dom;
    slider.max = String(maxStart(payload, this._group));
    slider.value = String(this._frame);
    groupInput.value = String(this._group);
    const w = doseWindow(payload, this._frame, this._group);
    label.textContent = windowLabel(payload, w);
    label.dataset.doseEPerA2 = String(w.doseEndEPerA2);
    label.dataset.first = String(w.first);
    label.dataset.last = String(w.last);
    slider.setAttribute('aria-valuetext', label.textContent);
  }

  private _statusText(): string {
    return formatStatus(this._payload!);
  }

  // ---- drawing ----------------------------------------------------------------------------------

  /** Draws the current window; a layout waits (in _layoutPending) until the frames are loaded and attached. */
  protected drawFrame(layout: boolean): void {
    if (layout) this._layoutPending = true;
    const payload = this._payload;
    const data = this._data;
    if (!payload || !data || !data.loaded || !this.isAttached) return;
    const started = performance.now();
    if (this._layoutPending) {
      this._layoutPending = false;
      layoutPanels(this._dom, this._chart, this.node);
    }
    const miss = !data.has(this._frame, this._group);
    if (!drawWindow(this._dom, payload, data, this._chart, this._frame, this._group)) return;
    const ms = performance.now() - started;
    this._timings.draws++;
    this._timings.lastDrawMs = ms;
    this._timings.maxDrawMs = Math.max(this._timings.maxDrawMs, ms);
    if (miss) this._timings.cacheMisses++;
  }

  /** Colours the windows of the current group size ahead of time, nearest first, one per idle slot. */
  private _startPrefetch(): void {
    const token = ++this._prefetchToken;
    const payload = this._payload;
    const data = this._data;
    if (!payload || !data || !data.loaded) return;
    const group = this._group;
    const last = maxStart(payload, group);
    const order = nearestFirst(this._frame, last);
    const step = (): void => {
      if (token !== this._prefetchToken || this.isDisposed || group !== this._group) return;
      const next = order.find(f => !data.has(f, group));
      if (next === undefined) {
        this._dom.status.textContent = `${this._statusText()} · all ${last + 1} views ready`;
        return;
      }
      data.render(next, group);
      schedule(step);
    };
    schedule(step);
  }

  // ---- interaction ------------------------------------------------------------------------------

  private _onClick(event: MouseEvent): void {
    const button = (event.target as HTMLElement).closest('button');
    if (!button || !this.node.contains(button) || !this._payload) return;
    switch (button.dataset.action) {
      case 'play':
        if (this._playing) this._stop();
        else this._play();
        break;
      case 'insert':
        this.insertCodeBelow(this.windowCode());
        break;
      case 'copy':
        copyText(this.windowCode(), this._dom.status);
        break;
    }
  }

  private _onKeyDown(event: KeyboardEvent): void {
    const target = event.target as HTMLElement | null;
    if (!target || !this.node.contains(target) || !this._payload || event.ctrlKey || event.metaKey || event.altKey) return;
    if (target === this._dom.groupInput) {
      // Typing a group size must not trigger notebook shortcuts; the input keeps its own keys.
      event.stopPropagation();
      return;
    }
    const action = keyAction(event.key, target.tagName, this._frame, this._group, maxStart(this._payload, this._group));
    if (action === 'toggle') {
      event.preventDefault();
      event.stopPropagation();
      if (this._playing) this._stop();
      else this._play();
      return;
    }
    const frame = action;
    if (frame === null) return;
    event.preventDefault();
    event.stopPropagation();
    this._stop();
    this.setView(frame);
  }

  private _play(): void {
    if (!this._payload || this._playing) return;
    if (this._frame >= maxStart(this._payload, this._group)) this.setView(0);
    this._playing = true;
    this._dom.playButton.textContent = '⏸ Pause';
    this._dom.playButton.setAttribute('aria-pressed', 'true');
    let lastStep = performance.now();
    const tick = (now: number): void => {
      if (!this._playing || !this._payload) return;
      if (now - lastStep >= 1000 / PLAY_FPS) {
        lastStep = now;
        if (this._frame >= maxStart(this._payload, this._group)) return this._stop();
        this.setView(this._frame + 1);
      }
      this._playRaf = requestAnimationFrame(tick);
    };
    this._playRaf = requestAnimationFrame(tick);
  }

  private _stop(): void {
    this._playing = false;
    if (this._playRaf !== null) cancelAnimationFrame(this._playRaf);
    this._playRaf = null;
    this._dom.playButton.textContent = '▶ Play';
    this._dom.playButton.setAttribute('aria-pressed', 'false');
  }

  // ---- persistence ------------------------------------------------------------------------------

  protected saveState(): void {
    const model = this._model;
    const payload = this._payload;
    if (!model || !payload || this.isDisposed) return;
    const state = this._state();
    if (doseStatesEqual(readDoseState(model.metadata, this._mimeType, payload), state)) return;
    model.setData({ metadata: withDoseState(model.metadata, this._mimeType, state) as IRenderMime.IMimeModel['metadata'] });
  }

  private _cancelTimers(): void {
    this.cancelScheduled();
    this._prefetchToken++;
  }

  private readonly _dom: DoseSliderDom;
  private _model: IRenderMime.IMimeModel | null = null;
  private _payload: DoseSeriesPayloadV1 | null = null;
  private _payloadKey = '';
  private _data: DoseSeriesFrames | null = null;
  private _chart: DoseChart | null = null;
  private _frame = 0;
  private _group = 1;
  private _playing = false;
  private _playRaf: number | null = null;
  private _layoutPending = true;
  private _loadToken = 0;
  private _prefetchToken = 0;
  private _resizeObserver: ResizeObserver | null = null;
  private readonly _timings: DoseSliderTimings = { draws: 0, lastDrawMs: 0, maxDrawMs: 0, cacheMisses: 0 };
}
