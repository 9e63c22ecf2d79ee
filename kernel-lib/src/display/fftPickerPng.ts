/**
 * The static PNG of the FFT picker (where the extension is absent): the image and the central part of
 * its log power spectrum side by side (grayscale), with the kernel's spots (squares) and the picks
 * (white circles, their Friedel mates dashed) marked. Node only (PNG encoding uses zlib).
 */
import { ContrastLimits } from './protocol';
import { FftCropPayload, FftSpotPayload } from './fftPickerProtocol';
import { DenseImage, binImage } from './imagePreview';
import { toLevels } from './colormaps';
import { encodePng } from './pngEncode';

/** Longest side of each panel of the PNG, pixels (the image panel is never finer than the payload's preview). */
const PANEL_PX = 512;
const GAP_PX = 8;

/**
 * Renders the two panels into one RGB PNG.
 * @param image - the image (the payload's binned preview); binned further to ≤ 512 px.
 * @param logPower - log10 |F|² of the whole spectrum (fftshifted); the crop's square is shown.
 */
export function fftPickerPng(
  image: DenseImage,
  imageContrast: Pick<ContrastLimits, 'low' | 'high'>,
  logPower: DenseImage,
  crop: FftCropPayload,
  spectrumContrast: Pick<ContrastLimits, 'low' | 'high'>,
  peaks: FftSpotPayload[],
  picks: FftSpotPayload[]
): { base64: string; width: number; height: number } {
  const left = binImage(image, Math.max(1, Math.ceil(Math.max(image.rows, image.cols) / PANEL_PX)));
  // The spectrum panel shows the crop's square out to kMax (plus its margin), binned to the panel size.
  const size = crop.size;
  const sq = new Float32Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) sq[i * size + j] = logPower.values[(crop.rowStart + i) * logPower.cols + crop.colStart + j];
  }
  const sb = Math.max(1, Math.ceil(size / Math.min(PANEL_PX, Math.max(64, left.rows))));
  const right = binImage({ rows: size, cols: size, values: sq }, sb);
  const height = Math.max(left.rows, right.rows);
  const width = left.cols + GAP_PX + right.cols;
  const px = new Uint8Array(width * height).fill(255);
  const blit = (panel: DenseImage, x0: number, c: Pick<ContrastLimits, 'low' | 'high'>): void => {
    const levels = toLevels(panel.values, c.low, c.high);
    for (let r = 0; r < panel.rows; r++) {
      for (let q = 0; q < panel.cols; q++) {
        const v = levels[r * panel.cols + q];
        px[r * width + x0 + q] = v;
      }
    }
  };
  blit(left, 0, imageContrast);
  const x0 = left.cols + GAP_PX;
  blit(right, x0, spectrumContrast);
  const h = size / 2;
  const toPanel = (kx: number, ky: number): [number, number] => [x0 + (kx / crop.kxScaleInvA + h + 0.5) / sb, (ky / crop.kyScaleInvA + h + 0.5) / sb];
  const dot = (x: number, y: number, value: number): void => {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < x0 || xi >= width || yi < 0 || yi >= height) return;
    px[yi * width + xi] = value;
  };
  const cyan = 190;
  const yellow = 255;
  for (const p of peaks) {
    for (const sign of [1, -1]) {
      const [x, y] = toPanel(sign * p.kxInvA, sign * p.kyInvA);
      for (let t = -5; t <= 5; t++) {
        dot(x + t, y - 5, cyan);
        dot(x + t, y + 5, cyan);
        dot(x - 5, y + t, cyan);
        dot(x + 5, y + t, cyan);
      }
    }
  }
  for (const p of picks) {
    for (const sign of [1, -1]) {
      const [x, y] = toPanel(sign * p.kxInvA, sign * p.kyInvA);
      for (let a = 0; a < 96; a++) {
        if (sign < 0 && a % 8 >= 4) continue; // the Friedel mate is dashed
        const t = (2 * Math.PI * a) / 96;
        for (const r of [7, 8]) dot(x + r * Math.cos(t), y + r * Math.sin(t), yellow);
      }
    }
  }
  const png = encodePng(px, width, height, 1);
  return { base64: Buffer.from(png).toString('base64'), width, height };
}
