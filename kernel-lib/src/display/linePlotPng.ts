import { encodePng } from './pngEncode';

/**
 * Rasterises a line plot to a small PNG (the static fallback beside a Vega-Lite spec): white
 * background, a light frame, the series in blue. No text: axis labels live in the spec and in
 * the text/plain summary.
 */
export function linePlotPng(x: ArrayLike<number>, y: ArrayLike<number>, width = 480, height = 240): Uint8Array {
  const rgb = new Uint8Array(width * height * 3).fill(255);
  const margin = 8;
  const plotW = width - 2 * margin;
  const plotH = height - 2 * margin;
  const set = (px: number, py: number, color: [number, number, number]): void => {
    if (px < 0 || py < 0 || px >= width || py >= height) return;
    const k = 3 * (py * width + px);
    rgb[k] = color[0];
    rgb[k + 1] = color[1];
    rgb[k + 2] = color[2];
  };
  const frame: [number, number, number] = [200, 200, 200];
  for (let px = margin; px <= margin + plotW; px++) {
    set(px, margin, frame);
    set(px, margin + plotH, frame);
  }
  for (let py = margin; py <= margin + plotH; py++) {
    set(margin, py, frame);
    set(margin + plotW, py, frame);
  }
  let xMin = Infinity;
  let xMax = -Infinity;
  let yMin = Infinity;
  let yMax = -Infinity;
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) continue;
    xMin = Math.min(xMin, x[i]);
    xMax = Math.max(xMax, x[i]);
    yMin = Math.min(yMin, y[i]);
    yMax = Math.max(yMax, y[i]);
  }
  if (xMax > xMin) {
    const ySpan = yMax > yMin ? yMax - yMin : 1;
    const toPx = (i: number): [number, number] => [
      margin + ((x[i] - xMin) / (xMax - xMin)) * plotW,
      margin + plotH - ((y[i] - yMin) / ySpan) * plotH
    ];
    const blue: [number, number, number] = [31, 119, 180];
    let prev: [number, number] | undefined;
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) {
        prev = undefined;
        continue;
      }
      const cur = toPx(i);
      if (prev) drawLine(prev, cur, (px, py) => set(px, py, blue));
      prev = cur;
    }
  }
  return encodePng(rgb, width, height, 3);
}

function drawLine(a: [number, number], b: [number, number], plot: (x: number, y: number) => void): void {
  const steps = Math.max(1, Math.ceil(Math.max(Math.abs(b[0] - a[0]), Math.abs(b[1] - a[1]))));
  for (let s = 0; s <= steps; s++) {
    const t = s / steps;
    plot(Math.round(a[0] + t * (b[0] - a[0])), Math.round(a[1] + t * (b[1] - a[1])));
  }
}
