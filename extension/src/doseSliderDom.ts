/**
 * The dose slider's DOM, built once per renderer. Payload text only ever goes in via `textContent`.
 */
import { button, el } from './domKit';

export interface DoseSliderDom {
  error: HTMLDivElement;
  viewer: HTMLDivElement;
  title: HTMLElement;
  description: HTMLElement;
  playButton: HTMLButtonElement;
  slider: HTMLInputElement;
  label: HTMLElement;
  groupInput: HTMLInputElement;
  insertButton: HTMLButtonElement;
  copyButton: HTMLButtonElement;
  frameCanvas: HTMLCanvasElement;
  frameCaption: HTMLElement;
  spectrumCanvas: HTMLCanvasElement;
  spectrumCaption: HTMLElement;
  chartCanvas: HTMLCanvasElement;
  status: HTMLElement;
}

let counter = 0;

/** Builds the dose slider's DOM inside `root`. */
export function buildDoseSliderDom(root: HTMLElement): DoseSliderDom {
  const id = `jp-lowdose-dose-${++counter}`;
  const error = el('div', 'jp-lowdose-error');
  error.setAttribute('role', 'alert');
  error.hidden = true;
  const viewer = el('div', 'jp-lowdose-dose-viewer');
  viewer.hidden = true;

  const header = el('div', 'jp-lowdose-dose-header');
  const title = el('span', 'jp-lowdose-dose-title');
  const description = el('span', 'jp-lowdose-dose-description');
  header.append(title, description);

  const controls = el('div', 'jp-lowdose-dose-controls');
  controls.setAttribute('role', 'toolbar');
  controls.setAttribute('aria-label', 'Dose series controls');
  const playButton = button('play', '▶ Play', 'Play or pause the series (Space)');
  const slider = el('input', 'jp-lowdose-dose-slider');
  slider.type = 'range';
  slider.min = '0';
  slider.step = '1';
  slider.id = `${id}-slider`;
  slider.setAttribute('aria-label', 'Accumulated dose: frame shown (arrow keys step one frame)');
  const label = el('output', 'jp-lowdose-dose-label');
  label.setAttribute('for', slider.id);
  label.setAttribute('aria-live', 'off');
  controls.append(playButton, slider, label);

  const actions = el('div', 'jp-lowdose-dose-actions');
  const groupLabel = el('label', 'jp-lowdose-label');
  groupLabel.htmlFor = `${id}-group`;
  groupLabel.textContent = 'frames per view';
  const groupInput = el('input', 'jp-lowdose-number jp-lowdose-dose-group');
  groupInput.type = 'number';
  groupInput.min = '1';
  groupInput.step = '1';
  groupInput.id = `${id}-group`;
  groupInput.title = 'Group size: sum of this many consecutive frames';
  const insertButton = button('insert', 'Insert as code', 'Insert a cell below that sums the frames of this dose window');
  const copyButton = button('copy', 'Copy code', 'Copy the code that sums the frames of this dose window');
  actions.append(groupLabel, groupInput, insertButton, copyButton);

  const panels = el('div', 'jp-lowdose-dose-panels');
  const frameFigure = el('figure', 'jp-lowdose-dose-figure');
  const frameCanvas = el('canvas', 'jp-lowdose-dose-frame');
  frameCanvas.setAttribute('role', 'img');
  frameCanvas.setAttribute('aria-label', 'Frame (or sum of frames) at the chosen dose');
  const frameCaption = el('figcaption', 'jp-lowdose-dose-caption');
  frameFigure.append(frameCanvas, frameCaption);
  const spectrumFigure = el('figure', 'jp-lowdose-dose-figure');
  const spectrumCanvas = el('canvas', 'jp-lowdose-dose-spectrum');
  spectrumCanvas.setAttribute('role', 'img');
  spectrumCanvas.setAttribute('aria-label', 'Log power spectrum of the frame shown, with tracked spots');
  const spectrumCaption = el('figcaption', 'jp-lowdose-dose-caption');
  spectrumFigure.append(spectrumCanvas, spectrumCaption);
  panels.append(frameFigure, spectrumFigure);

  const chartCanvas = el('canvas', 'jp-lowdose-dose-chart');
  chartCanvas.setAttribute('role', 'img');
  chartCanvas.setAttribute('aria-label', 'Spot intensity and strain against accumulated dose, cursor at the chosen dose');
  const status = el('div', 'jp-lowdose-dose-status');
  viewer.append(header, controls, actions, panels, chartCanvas, status);
  root.append(error, viewer);
  return {
    error,
    viewer,
    title,
    description,
    playButton,
    slider,
    label,
    groupInput,
    insertButton,
    copyButton,
    frameCanvas,
    frameCaption,
    spectrumCanvas,
    spectrumCaption,
    chartCanvas,
    status
  };
}

/** Copies `text` to the clipboard and says how that went in `status`. */
export function copyText(text: string, status: HTMLElement): void {
  void navigator.clipboard?.writeText(text).then(
    () => (status.textContent = 'code copied to the clipboard'),
    () => (status.textContent = 'the browser refused clipboard access')
  );
}
