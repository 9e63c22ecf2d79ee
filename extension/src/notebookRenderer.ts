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

/** Base of the lowdose renderers: a Lumino widget bound to its MIME type and notebook. */
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
    this._boundPanel = null;
    super.dispose();
  }

  protected readonly _mimeType: string;
  private _boundPanel: NotebookPanel | null;
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
