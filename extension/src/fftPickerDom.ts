/**
 * The FFT picker's DOM, built once per renderer (re-renders only fill it in). Payload and user text
 * only ever enters through `textContent` / `value`.
 */
import { button, el, group } from './domKit';

/** Handles to the parts of the picker that change. */
export interface FftPickerDom {
  error: HTMLDivElement;
  picker: HTMLDivElement;
  title: HTMLElement;
  description: HTMLElement;
  ringInput: HTMLInputElement;
  resetRegionButton: HTMLButtonElement;
  imageWrap: HTMLDivElement;
  imageCanvas: HTMLCanvasElement;
  imageCaption: HTMLElement;
  spectrumWrap: HTMLDivElement;
  spectrumCanvas: HTMLCanvasElement;
  spectrumCaption: HTMLElement;
  readout: HTMLElement;
  relations: HTMLElement;
  tableBody: HTMLTableSectionElement;
  emptyRow: HTMLTableRowElement;
  status: HTMLElement;
  /** Shows text to copy by hand when the clipboard or the notebook is not available. */
  fallback: HTMLTextAreaElement;
}

let counter = 0;

/** Builds the picker's DOM inside `root`. */
export function buildFftPickerDom(root: HTMLElement): FftPickerDom {
  const id = `jp-lowdose-fft-${++counter}`;
  const error = el('div', 'jp-lowdose-error');
  error.setAttribute('role', 'alert');
  error.hidden = true;
  const picker = el('div', 'jp-lowdose-fft-picker');
  picker.hidden = true;

  const header = el('div', 'jp-lowdose-fft-header');
  const title = el('span', 'jp-lowdose-title');
  const description = el('span', 'jp-lowdose-description');
  header.append(title, description);

  const toolbar = el('div', 'jp-lowdose-toolbar');
  toolbar.setAttribute('role', 'toolbar');
  toolbar.setAttribute('aria-label', 'FFT picker controls');
  const ringInput = el('input', 'jp-lowdose-number jp-lowdose-fft-ring');
  ringInput.type = 'number';
  ringInput.step = 'any';
  ringInput.min = '0';
  ringInput.id = `${id}-ring`;
  ringInput.placeholder = 'd (Å)';
  ringInput.title = 'Draw a ring at this d-spacing (Å) on the spectrum; empty for none';
  const ringLabel = el('label', 'jp-lowdose-label');
  ringLabel.htmlFor = ringInput.id;
  ringLabel.textContent = 'ring at d (Å)';
  const resetRegionButton = button('reset-region', 'Whole image', 'Show the spectrum of the whole image again');
  resetRegionButton.disabled = true;
  toolbar.append(
    group('Ring overlay', ringLabel, ringInput),
    group(
      'Picks',
      button('accept-peaks', 'Add found spots', "Add the kernel's spots (cyan squares) to the table"),
      button('clear', 'Clear picks', 'Remove every pick')
    ),
    group('Region', resetRegionButton),
    group(
      'Export',
      button('copy', 'Copy table', 'Copy the table as CSV'),
      button('insert', 'Insert as code', 'Insert a cell below with the picks as lowdose.lattice.spots([...]), re-refined in the kernel')
    )
  );

  const panels = el('div', 'jp-lowdose-fft-panels');
  const [imagePanel, imageWrap, imageCanvas, imageCaption] = panel(
    'Image. Drag a rectangle to see the spectrum of that region; wheel to zoom.'
  );
  const [spectrumPanel, spectrumWrap, spectrumCanvas, spectrumCaption] = panel(
    'Log power spectrum. Click a spot to pick it (it snaps to the refined maximum); drag to pan; wheel to zoom; double-click to fit.'
  );
  imageWrap.classList.add('jp-lowdose-fft-image');
  spectrumWrap.classList.add('jp-lowdose-fft-spectrum');
  panels.append(imagePanel, spectrumPanel);

  const readout = el('div', 'jp-lowdose-readout jp-lowdose-fft-readout');
  readout.textContent = 'Click a spot on the spectrum';
  const relations = el('div', 'jp-lowdose-fft-relations');
  relations.setAttribute('aria-live', 'polite');

  const table = el('table', 'jp-lowdose-fft-table');
  const head = document.createElement('thead');
  const headRow = document.createElement('tr');
  for (const [text, tip] of [
    ['spot', 'Label'],
    ['d (Å)', 'd-spacing = 1/|g|'],
    ['|g| (1/Å)', 'Spatial frequency, no 2π'],
    ['angle (°)', 'atan2(ky, kx), kx right, ky down'],
    ['SNR', 'Spot SNR S against the 4–12 px annulus (science.md §1.6)'],
    ['refined by', 'parabolic: in the browser on the full-resolution crop; upsampled-dft: in the kernel'],
    ['', '']
  ]) {
    const th = document.createElement('th');
    th.textContent = text;
    th.title = tip;
    headRow.appendChild(th);
  }
  head.appendChild(headRow);
  const tableBody = document.createElement('tbody');
  const emptyRow = document.createElement('tr');
  const emptyCell = document.createElement('td');
  emptyCell.colSpan = 7;
  emptyCell.className = 'jp-lowdose-fft-empty';
  emptyCell.textContent = 'No picks yet: click a spot on the spectrum.';
  emptyRow.appendChild(emptyCell);
  table.append(head, tableBody);

  const status = el('div', 'jp-lowdose-fft-status');
  status.setAttribute('role', 'status');
  const fallback = el('textarea', 'jp-lowdose-fft-fallback');
  fallback.readOnly = true;
  fallback.hidden = true;
  fallback.rows = 6;
  fallback.setAttribute('aria-label', 'Text to copy');

  picker.append(header, toolbar, panels, readout, relations, table, status, fallback);
  root.append(error, picker);
  return {
    error,
    picker,
    title,
    description,
    ringInput,
    resetRegionButton,
    imageWrap,
    imageCanvas,
    imageCaption,
    spectrumWrap,
    spectrumCanvas,
    spectrumCaption,
    readout,
    relations,
    tableBody,
    emptyRow,
    status,
    fallback
  };
}

/** One table row: label, numbers and a remove button carrying the row's index. */
export function tableRow(index: number, cells: string[], removeTitle: string): HTMLTableRowElement {
  const tr = document.createElement('tr');
  for (const text of cells) {
    const td = document.createElement('td');
    td.textContent = text;
    tr.appendChild(td);
  }
  const td = document.createElement('td');
  const remove = button('remove', '×', removeTitle);
  remove.dataset.index = String(index);
  td.appendChild(remove);
  tr.appendChild(td);
  return tr;
}

function panel(ariaLabel: string): [HTMLDivElement, HTMLDivElement, HTMLCanvasElement, HTMLElement] {
  const box = el('div', 'jp-lowdose-fft-panel');
  const wrap = el('div', 'jp-lowdose-fft-wrap');
  const canvas = el('canvas', 'jp-lowdose-canvas');
  canvas.tabIndex = 0;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', ariaLabel);
  wrap.appendChild(canvas);
  const caption = el('div', 'jp-lowdose-fft-caption');
  box.append(wrap, caption);
  return [box, wrap, canvas, caption];
}
