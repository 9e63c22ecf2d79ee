/**
 * What every lowdose renderer shares: it knows the notebook its output lives in (so "Insert as
 * code" goes below its own output, never into the tracker's current notebook) and is made by a
 * safe factory that the plugin registers globally and once per notebook panel.
 */
import type { NotebookPanel } from '@jupyterlab/notebook';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';
import { enclosingNotebookPanel, insertCodeBelow } from './notebookCells';

/** JupyterLab's renderer options plus the notebook the renderer was made for (null: none). */
export interface INotebookRendererOptions extends IRenderMime.IRendererOptions {
  panel?: NotebookPanel | null;
}

/** Delay before a changed view is written into the output's metadata (one write per burst of changes). */
const SAVE_DEBOUNCE_MS = 300;

/**
 * Base of the lowdose renderers: a Lumino widget bound to its MIME type and notebook, with the two
 * timers every renderer needs — redraws coalesced into one animation frame (`scheduleDraw` →
 * `drawFrame`) and view state saved into the output metadata after a quiet spell (`scheduleSave` →
 * `saveState`). Both are cancelled on dispose.
 */
export abstract class NotebookRenderer extends Widget implements IRenderMime.IRenderer {
  constructor(options: INotebookRendererOptions, className: string) {
    super();
    this.addClass(className);
    this._mimeType = options.mimeType;
    this._boundPanel = options.panel ?? null;
  }

  /**
   * The notebook this output lives in, for inserting code below it; null outside notebooks.
   *
   * The enclosing NotebookPanel when the renderer sits in one, else the panel its per-notebook
   * factory was made for (never the tracker's current widget).
   */
  get notebookPanel(): NotebookPanel | null {
    return enclosingNotebookPanel(this) ?? (this._boundPanel && !this._boundPanel.isDisposed ? this._boundPanel : null);
  }

  /**
   * Inserts a code cell holding `code` below this output, in this output's own notebook.
   * @returns the new cell's index, or -1 outside a notebook (console, output view).
   */
  insertCodeBelow(code: string): number {
    const panel = this.notebookPanel;
    return panel ? insertCodeBelow(panel, this.node, code) : -1;
  }

  abstract renderModel(model: IRenderMime.IMimeModel): Promise<void>;

  dispose(): void {
    if (this.isDisposed) return;
    this.cancelScheduled();
    this._boundPanel = null;
    super.dispose();
  }

  /** Draws on the next animation frame; many calls in one frame draw once (`layout`: re-measure first). */
  protected scheduleDraw(layout = false): void {
    if (layout) this._relayoutRequested = true;
    if (this._drawRequest !== null || this.isDisposed) return;
    this._drawRequest = requestAnimationFrame(() => {
      this._drawRequest = null;
      const relayout = this._relayoutRequested;
      this._relayoutRequested = false;
      this.drawFrame(relayout);
    });
  }

  /** One animation frame's drawing; `layout` when sizes must be measured again first. */
  protected abstract drawFrame(layout: boolean): void;

  /** Saves the view state (`saveState`) once no change has come for SAVE_DEBOUNCE_MS. */
  protected scheduleSave(): void {
    if (this._saveTimeout !== null) window.clearTimeout(this._saveTimeout);
    this._saveTimeout = window.setTimeout(() => {
      this._saveTimeout = null;
      if (!this.isDisposed) this.saveState();
    }, SAVE_DEBOUNCE_MS);
  }

  /** Whether a local change still waits to be saved (a re-render must not overwrite it then). */
  protected get savePending(): boolean {
    return this._saveTimeout !== null;
  }

  /** Writes the current view state into the output's metadata (no-op when already there). */
  protected abstract saveState(): void;

  /** Cancels a pending draw and a pending save. */
  protected cancelScheduled(): void {
    if (this._saveTimeout !== null) window.clearTimeout(this._saveTimeout);
    this._saveTimeout = null;
    if (this._drawRequest !== null) cancelAnimationFrame(this._drawRequest);
    this._drawRequest = null;
  }

  protected readonly _mimeType: string;
  private _boundPanel: NotebookPanel | null;
  private _drawRequest: number | null = null;
  private _relayoutRequested = false;
  private _saveTimeout: number | null = null;
}

/** A safe renderer factory for `mime` bound to `panel` (or to none, for the application-wide registry). */
export function notebookRendererFactory(
  mime: string,
  rank: number,
  panel: NotebookPanel | null,
  create: (options: INotebookRendererOptions) => NotebookRenderer
): IRenderMime.IRendererFactory {
  return { safe: true, mimeTypes: [mime], defaultRank: rank, createRenderer: options => create({ ...options, panel }) };
}
