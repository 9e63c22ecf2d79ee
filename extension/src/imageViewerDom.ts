/**
 * The image viewer's DOM, built once per renderer (re-renders only fill it in, so listeners and the
 * canvas survive). Everything that can carry payload text is filled through `textContent`.
 */
import { COLORMAP_NAMES } from 'lowdose/dist/browser';
import { button, el, group, label, numberInput } from './domKit';

/** Handles to the parts of the viewer that change. */
export interface ViewerDom {
  /** Shown instead of the viewer when the payload is malformed or too new. */
  error: HTMLDivElement;
  viewer: HTMLDivElement;
  title: HTMLElement;
  description: HTMLElement;
  wrap: HTMLDivElement;
  canvas: HTMLCanvasElement;
  colormapSelect: HTMLSelectElement;
  minInput: HTMLInputElement;
  maxInput: HTMLInputElement;
  autoButton: HTMLButtonElement;
  zoomLabel: HTMLElement;
  readout: HTMLElement;
  scaleBarLabel: HTMLElement;
  stats: HTMLElement;
}

let instanceCounter = 0;

/** Builds the viewer's DOM inside `root`. */
export function buildViewerDom(root: HTMLElement): ViewerDom {
  const id = `jp-lowdose-image-${++instanceCounter}`;
  const error = el('div', 'jp-lowdose-error');
  error.setAttribute('role', 'alert');
  error.hidden = true;
  const viewer = el('div', 'jp-lowdose-viewer');
  viewer.hidden = true;

  const header = el('div', 'jp-lowdose-header');
  const title = el('span', 'jp-lowdose-title');
  const description = el('span', 'jp-lowdose-description');
  header.append(title, description);

  const toolbar = el('div', 'jp-lowdose-toolbar');
  toolbar.setAttribute('role', 'toolbar');
  toolbar.setAttribute('aria-label', 'Image view controls');

  const zoomGroup = group('Zoom');
  const zoomLabel = el('span', 'jp-lowdose-zoom');
  zoomLabel.title = 'Zoom; 100% shows one screen pixel per full-resolution pixel';
  zoomGroup.append(
    button('fit', 'Fit', 'Fit the whole image in the view (double-click the image, or key 0)'),
    button('one-to-one', '1:1', 'One screen pixel per full-resolution pixel (key 1)'),
    button('zoom-out', '−', 'Zoom out (key -)'),
    button('zoom-in', '+', 'Zoom in (key +)'),
    zoomLabel
  );

  const contrastGroup = group('Contrast');
  const minInput = numberInput(`${id}-min`, 'Lowest value shown (contrast minimum)');
  const maxInput = numberInput(`${id}-max`, 'Highest value shown (contrast maximum)');
  const autoButton = button('auto', 'Auto', 'Auto contrast from percentiles');
  contrastGroup.append(label(`${id}-min`, 'min'), minInput, label(`${id}-max`, 'max'), maxInput, autoButton);

  const colormapGroup = group('Colormap');
  const colormapSelect = document.createElement('select');
  colormapSelect.className = 'jp-lowdose-colormap';
  colormapSelect.id = `${id}-colormap`;
  colormapSelect.title = 'Colormap';
  for (const name of COLORMAP_NAMES) {
    const option = document.createElement('option');
    option.value = name;
    option.textContent = name;
    colormapSelect.appendChild(option);
  }
  colormapGroup.append(label(`${id}-colormap`, 'colormap'), colormapSelect);

  const exportGroup = group('Export');
  exportGroup.append(button('export', 'Export PNG', 'Download the current view, with its scale bar, as a PNG'));
  toolbar.append(zoomGroup, contrastGroup, colormapGroup, exportGroup);

  const wrap = el('div', 'jp-lowdose-canvas-wrap');
  const canvas = document.createElement('canvas');
  canvas.className = 'jp-lowdose-canvas';
  canvas.tabIndex = 0;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute(
    'aria-label',
    'Image view. Drag to pan, wheel to zoom, double-click to fit. Keys: arrows pan, + and - zoom, 0 fits, 1 shows 1:1.'
  );
  wrap.appendChild(canvas);

  const footer = el('div', 'jp-lowdose-footer');
  const readout = el('span', 'jp-lowdose-readout');
  readout.setAttribute('aria-live', 'off');
  readout.textContent = 'Drag to pan · wheel to zoom · double-click to fit';
  const scaleBarBox = el('span', 'jp-lowdose-scalebar');
  const scaleBarCaption = el('span', 'jp-lowdose-scalebar-caption');
  scaleBarCaption.textContent = 'scale bar ';
  const scaleBarLabel = el('span', 'jp-lowdose-scalebar-label');
  scaleBarBox.append(scaleBarCaption, scaleBarLabel);
  footer.append(readout, scaleBarBox);

  const stats = el('div', 'jp-lowdose-stats');
  viewer.append(header, toolbar, wrap, footer, stats);
  root.append(error, viewer);
  return {
    error,
    viewer,
    title,
    description,
    wrap,
    canvas,
    colormapSelect,
    minInput,
    maxInput,
    autoButton,
    zoomLabel,
    readout,
    scaleBarLabel,
    stats
  };
}
