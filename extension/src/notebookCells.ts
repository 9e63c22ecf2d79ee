/**
 * Inserting code into the notebook a widget lives in ("Insert as code", see design.md, Widget →
 * kernel). A renderer gets its own NotebookPanel from the per-notebook factory that created it, never
 * from the tracker's current widget (which may be another notebook by the time the user clicks).
 */
import type { NotebookPanel } from '@jupyterlab/notebook';
import { NotebookPanel as NotebookPanelClass } from '@jupyterlab/notebook';
import type { Widget } from '@lumino/widgets';

/**
 * Inserts a code cell holding `code` directly below the cell whose output contains `outputNode`, in
 * `panel`, and makes it the active cell. The cell is not run.
 *
 * @param panel - the notebook the renderer belongs to.
 * @param outputNode - any DOM node inside the renderer's output (usually the renderer's own node).
 * @param code - source of the new cell.
 * @returns the index of the new cell, or -1 when the output is not (or no longer) in `panel`, the
 *   panel is disposed or the notebook is read-only.
 */
export function insertCodeBelow(panel: NotebookPanel, outputNode: Node, code: string): number {
  if (panel.isDisposed) {
    return -1;
  }
  const notebook = panel.content;
  const model = notebook.model;
  if (!model || model.readOnly) {
    return -1;
  }
  const index = findCellIndex(panel, outputNode);
  if (index < 0) {
    return -1;
  }
  model.sharedModel.insertCell(index + 1, { cell_type: 'code', source: code });
  notebook.deselectAll();
  notebook.activeCellIndex = index + 1;
  const cell = notebook.widgets[index + 1];
  if (cell) {
    void notebook.scrollToCell(cell);
  }
  return index + 1;
}

/**
 * The notebook panel a widget sits in, found by walking up its Lumino parents (null outside a
 * notebook).
 *
 * This is the truth a renderer should trust: views of one notebook made with "New View for
 * Notebook" share one rendermime registry, so the panel a per-notebook factory was bound to can be
 * the other view.
 */
export function enclosingNotebookPanel(widget: Widget): NotebookPanel | null {
  for (let w: Widget | null = widget.parent; w; w = w.parent) {
    if (w instanceof NotebookPanelClass) {
      return w;
    }
  }
  return null;
}

/** Index of the cell of `panel` whose DOM contains `node`, or -1. */
export function findCellIndex(panel: NotebookPanel, node: Node): number {
  const cells = panel.content.widgets;
  for (let i = 0; i < cells.length; i++) {
    if (cells[i].node.contains(node)) {
      return i;
    }
  }
  return -1;
}

