/**
 * Drawing one dose-slider view (frame sum, spectrum with spots, chart cursor, captions) from the
 * cached renderings, sizing the panels, and the idle-time scheduling of the prefetch.
 */
import type { DoseSeriesPayloadV1 } from 'lowdose/dist/browser';
import type { DoseChart } from './doseSliderChart';
import type { DoseSliderDom } from './doseSliderDom';
import { doseWindow, windowDetail } from './doseSliderFormat';
import type { DoseSeriesFrames } from './doseSliderFrames';
import { drawSpots, spectrumCaption } from './doseSliderOverlay';

const CHART_HEIGHT = 220;

/** Sizes the two square panels to share the widget's width, and the chart to the full width. */
export function layoutPanels(dom: DoseSliderDom, chart: DoseChart | null, themeNode: HTMLElement): void {
  const ratio = window.devicePixelRatio || 1;
  const total = Math.max(200, Math.floor(dom.viewer.clientWidth));
  // Two square panels side by side: 12 px gap, 1 px border each side of each canvas.
  const side = Math.max(120, Math.min(520, Math.floor((total - 12) / 2) - 2));
  for (const c of [dom.frameCanvas, dom.spectrumCanvas]) {
    const b = Math.round(side * ratio);
    if (c.width !== b || c.height !== b) c.width = c.height = b;
    c.style.width = c.style.height = `${side}px`;
  }
  if (chart) {
    const style = getComputedStyle(themeNode);
    chart.layout(total - 2, CHART_HEIGHT, ratio, {
      text: style.getPropertyValue('--jp-ui-font-color1').trim() || '#333',
      grid: style.getPropertyValue('--jp-border-color2').trim() || '#ddd',
      background: style.getPropertyValue('--jp-layout-color0').trim() || '#fff'
    });
  }
}

/** Draws the window `first`, `group`; false when its frames are not decoded yet. */
export function drawWindow(
  dom: DoseSliderDom,
  payload: DoseSeriesPayloadV1,
  data: DoseSeriesFrames,
  chart: DoseChart | null,
  first: number,
  group: number
): boolean {
  const rendered = data.render(first, group);
  if (!rendered) return false;
  const ratio = window.devicePixelRatio || 1;
  const { frameCanvas, spectrumCanvas } = dom;
  const w = doseWindow(payload, first, group);
  const { rows, cols } = payload.frames;
  const fctx = frameCanvas.getContext('2d');
  if (fctx) {
    const scale = Math.min(frameCanvas.width / cols, frameCanvas.height / rows);
    fctx.setTransform(1, 0, 0, 1, 0, 0);
    fctx.clearRect(0, 0, frameCanvas.width, frameCanvas.height);
    fctx.imageSmoothingEnabled = scale < 1;
    fctx.drawImage(rendered.frame, 0, 0, cols * scale, rows * scale);
  }
  const sctx = spectrumCanvas.getContext('2d');
  if (sctx) {
    sctx.setTransform(1, 0, 0, 1, 0, 0);
    sctx.imageSmoothingEnabled = rendered.spectrum.width > spectrumCanvas.width;
    sctx.drawImage(rendered.spectrum, 0, 0, spectrumCanvas.width, spectrumCanvas.height);
    drawSpots(sctx, payload, data.geometry, w, spectrumCanvas.width, ratio);
  }
  dom.frameCaption.textContent = windowDetail(w);
  dom.spectrumCaption.textContent = spectrumCaption(payload, data.geometry);
  chart?.drawCursor(w.doseStartEPerA2, w.doseEndEPerA2);
  frameCanvas.dataset.window = `${w.first}-${w.last}`;
  return true;
}

/** Start frames 0..last ordered by distance from `frame` (prefetch the neighbourhood first). */
export function nearestFirst(frame: number, last: number): number[] {
  const order: number[] = [];
  for (let d = 0; d <= last; d++) {
    if (frame + d <= last) order.push(frame + d);
    if (d > 0 && frame - d >= 0) order.push(frame - d);
  }
  return order;
}

/** Runs `fn` when the browser is idle (or soon, where requestIdleCallback is missing). */
export function schedule(fn: () => void): void {
  const w = window as Window & { requestIdleCallback?: (cb: () => void, o?: { timeout: number }) => number };
  if (typeof w.requestIdleCallback === 'function') w.requestIdleCallback(fn, { timeout: 200 });
  else window.setTimeout(fn, 0);
}

/**
 * What a key does on the slider: the new start frame, 'toggle' (Space: play/pause), or null for keys
 * left alone. ←/↓ and →/↑ step one frame, PageDown/PageUp one group, Home/End jump to the ends.
 */
export function keyAction(key: string, tagName: string, frame: number, group: number, last: number): number | 'toggle' | null {
  const steps: { [key: string]: number } = { ArrowLeft: -1, ArrowDown: -1, ArrowRight: 1, ArrowUp: 1, PageDown: -group, PageUp: group };
  if (key in steps) return frame + steps[key];
  if (key === 'Home') return 0;
  if (key === 'End') return last;
  if (key === ' ' && tagName !== 'BUTTON') return 'toggle';
  return null;
}

/** Timing of the draws (ms), for tests and the curious. */
export interface DoseSliderTimings {
  draws: number;
  lastDrawMs: number;
  maxDrawMs: number;
  /** Draws that had to compute a frame sum and spectrum (not cached yet). */
  cacheMisses: number;
}
