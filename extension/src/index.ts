/**
 * lowdose-jupyterlab: JupyterLab 4 renderers for lowdose outputs.
 *
 * One application plugin registers the renderer factories twice over (as ipywidgets does):
 * - on the application's registry, for output views, consoles and anything else without a notebook;
 * - on every notebook's own registry (each NotebookPanel holds a clone), with a factory bound to that
 *   panel, so a renderer knows which notebook it lives in and can insert code below its own output.
 *   The tracker's current widget is never used for that: it may be another notebook by the time a
 *   user clicks. (Views of one notebook share a registry, so a renderer that sits in a notebook
 *   trusts its enclosing NotebookPanel first; see `ImageViewer.notebookPanel`.)
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { createImageRendererFactory, IMAGE_RENDERER_RANK } from './imageViewer';
import { createDoseSliderRendererFactory, DOSE_SERIES_RENDERER_RANK } from './doseSlider';
import { createFftRendererFactory, FFT_RENDERER_RANK } from './fftPicker';

export { ImageViewer, createImageRendererFactory, IMAGE_RENDERER_RANK } from './imageViewer';
export type { IImageViewerOptions } from './imageViewer';
export { DoseSlider, createDoseSliderRendererFactory, DOSE_SERIES_RENDERER_RANK } from './doseSlider';
export { FftPicker, createFftRendererFactory, FFT_RENDERER_RANK } from './fftPicker';
export { insertCodeBelow, findCellIndex, enclosingNotebookPanel } from './notebookCells';

/** Registers the lowdose renderers application-wide and per notebook. */
const renderersPlugin: JupyterFrontEndPlugin<void> = {
  id: 'lowdose-jupyterlab:renderers',
  description: 'Interactive renderers for lowdose outputs (image viewer), registered per notebook.',
  autoStart: true,
  requires: [IRenderMimeRegistry, INotebookTracker],
  activate: (_app: JupyterFrontEnd, rendermime: IRenderMimeRegistry, tracker: INotebookTracker): void => {
    rendermime.addFactory(createImageRendererFactory(null), IMAGE_RENDERER_RANK);
    rendermime.addFactory(createDoseSliderRendererFactory(null), DOSE_SERIES_RENDERER_RANK);
    rendermime.addFactory(createFftRendererFactory(null), FFT_RENDERER_RANK);
    const registerForPanel = (panel: NotebookPanel): void => {
      panel.content.rendermime.addFactory(createImageRendererFactory(panel), IMAGE_RENDERER_RANK);
      panel.content.rendermime.addFactory(createDoseSliderRendererFactory(panel), DOSE_SERIES_RENDERER_RANK);
      panel.content.rendermime.addFactory(createFftRendererFactory(panel), FFT_RENDERER_RANK);
    };
    tracker.forEach(registerForPanel);
    tracker.widgetAdded.connect((_sender, panel) => registerForPanel(panel));
  }
};

const plugins: JupyterFrontEndPlugin<any>[] = [renderersPlugin];
export default plugins;
