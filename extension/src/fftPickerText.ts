/**
 * What the FFT picker writes as text: the pick table, the angle/ratio lines of pairs, the panel
 * captions, and the clipboard with its fallback. All text goes in through `textContent` / `value`.
 */
import { FftPayloadV1, FftSpotPayload, pairRelation, picksCode, PreviewRegion } from 'lowdose/dist/browser';
import { formatNumber } from './format';
import { FftPickerDom, tableRow } from './fftPickerDom';
import type { SpectrumGrid } from './fftPickerPanels';

/** Fills the table (one row per pick) and the pair lines (angle between g-vectors, |g| ratio). */
export function renderPickTable(dom: FftPickerDom, picks: ReadonlyArray<FftSpotPayload>): void {
  const { tableBody, emptyRow, relations } = dom;
  tableBody.replaceChildren();
  if (!picks.length) tableBody.appendChild(emptyRow);
  picks.forEach((p, i) => {
    const cells = [p.label ?? `pick ${i + 1}`, p.dA.toFixed(4), p.gInvA.toFixed(5), p.angleDeg.toFixed(2), p.snr.toFixed(1), p.refinedBy];
    tableBody.appendChild(tableRow(i, cells, `Remove ${cells[0]}`));
  });
  const lines: string[] = [];
  for (let i = 0; i < picks.length && lines.length < 10; i++) {
    for (let j = i + 1; j < picks.length && lines.length < 10; j++) {
      const a = picks[i];
      const b = picks[j];
      const r = pairRelation(a, b);
      lines.push(`${a.label} ↔ ${b.label}: angle ${r.angleDeg.toFixed(2)}°, |g| ratio ${b.label}/${a.label} = ${r.ratio.toFixed(4)}`);
    }
  }
  relations.textContent = lines.join('\n');
}

/** Captions under the panels; says on screen when the spectrum is that of a region. */
export function renderCaptions(dom: FftPickerDom, payload: FftPayloadV1, region: PreviewRegion | null, grid: SpectrumGrid): void {
  const { imageCaption, spectrumCaption, resetRegionButton } = dom;
  const b = payload.image.preview.binning;
  imageCaption.textContent = `Image${b > 1 ? ` (preview binned ${b}×${b})` : ''} · drag a rectangle for the spectrum of that region`;
  if (region) {
    const full = (v: number): number => Math.round(v * b);
    spectrumCaption.textContent =
      `Region spectrum: rows ${full(region.row0)}–${full(region.row0 + region.rows)}, cols ${full(region.col0)}–${full(region.col0 + region.cols)} ` +
      `(${grid.rows} × ${grid.cols} preview px, Hann window, step ${formatNumber(grid.sx)} 1/Å) · picks need the whole image`;
  } else {
    spectrumCaption.textContent = `Log power spectrum, full resolution, |k| ≤ ${formatNumber(payload.crop.kMaxInvA)} 1/Å · click a spot to pick it`;
  }
  spectrumCaption.classList.toggle('jp-mod-region', region !== null);
  resetRegionButton.disabled = region === null;
}

/** Readout of the spectrum point under the cursor. */
export function spectrumReadout(kx: number, ky: number): string {
  const g = Math.hypot(kx, ky);
  return (
    `kx ${formatNumber(kx)}, ky ${formatNumber(ky)} 1/Å · |g| ${formatNumber(g)} 1/Å · d ${g > 0 ? formatNumber(1 / g) : '∞'} Å · ` +
    `angle ${formatNumber((Math.atan2(ky, kx) * 180) / Math.PI)}°`
  );
}

/** Puts `text` on the clipboard; when the browser refuses, shows it selected for Ctrl+C. */
export async function copyText(dom: FftPickerDom, text: string, done: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    dom.fallback.hidden = true;
    dom.status.textContent = done;
    return true;
  } catch {
    showFallback(dom, text, 'The browser refused the clipboard: the text is selected below — press Ctrl+C (⌘C) to copy it.');
    return false;
  }
}

/** Shows text to copy by hand, selected, with a message. */
export function showFallback(dom: FftPickerDom, text: string, message: string): void {
  const f = dom.fallback;
  f.value = text;
  f.hidden = false;
  f.focus();
  f.select();
  dom.status.textContent = message;
}

/**
 * "Insert as code": the picks as a `lowdose.lattice.spots([...], sourceName)` cell, through `insert`
 * (which returns the new cell's index, or -1 outside a writable notebook: the code is then shown to copy).
 */
export function insertPicks(dom: FftPickerDom, picks: ReadonlyArray<FftSpotPayload>, sourceName: string, insert: (code: string) => number): void {
  if (!picks.length) {
    dom.status.textContent = 'Pick at least one spot before inserting code.';
    return;
  }
  const code = picksCode(picks, sourceName);
  const index = insert(code);
  if (index < 0) {
    showFallback(dom, code, 'No notebook to insert into (or it is read-only): copy the code below.');
  } else {
    dom.fallback.hidden = true;
    dom.status.textContent = `Inserted the picks as code in cell ${index + 1}; run it to re-refine them in the kernel.`;
  }
}
