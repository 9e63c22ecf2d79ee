/**
 * Canvas drawing for the image viewer: colouring the preview through a colormap, drawing the view
 * (pan/zoom, clipped to the image extent) and burning in the scale bar. Used both for the live
 * canvas and for "Export PNG", so the export is exactly what is on screen.
 */
import { colormapLut, ColormapName, ScaleBar, toLevels } from 'lowdose/dist/browser';
import { Extent, imageToScreen, Transform, Viewport } from './viewTransform';

/**
 * Colours preview values into an RGBA canvas (one canvas pixel per preview pixel) through the
 * colormap between the contrast limits `low`..`high` (clipped).
 */
export function colorizePreview(
  values: Float32Array,
  rows: number,
  cols: number,
  colormap: ColormapName,
  low: number,
  high: number,
  target?: HTMLCanvasElement
): HTMLCanvasElement {
  const canvas = target ?? document.createElement('canvas');
  if (canvas.width !== cols || canvas.height !== rows) {
    canvas.width = cols;
    canvas.height = rows;
  }
  const ctx = canvas.getContext('2d');
  if (!ctx) {
    return canvas;
  }
  const image = ctx.createImageData(cols, rows);
  const rgba = image.data;
  const levels = toLevels(values, low, high);
  const lut = colormapLut(colormap);
  for (let i = 0, j = 0; i < levels.length; i++, j += 4) {
    const k = 3 * levels[i];
    rgba[j] = lut[k];
    rgba[j + 1] = lut[k + 1];
    rgba[j + 2] = lut[k + 2];
    rgba[j + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
  return canvas;
}

/** What `drawView` draws. */
export interface ViewScene {
  /** The coloured preview, one pixel per preview pixel. */
  source: HTMLCanvasElement;
  extent: Extent;
  transform: Transform;
  /** Canvas size in CSS pixels. */
  viewport: Viewport;
  /** Backing-store pixels per CSS pixel (devicePixelRatio). */
  pixelRatio: number;
  /** Fill outside the image; undefined leaves it transparent. */
  background?: string;
  scaleBar?: ScaleBar;
}

/** Draws the scene into a 2D context whose canvas is `viewport × pixelRatio` backing pixels. */
export function drawView(ctx: CanvasRenderingContext2D, scene: ViewScene): void {
  const { source, extent, transform, viewport, pixelRatio } = scene;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  ctx.setTransform(pixelRatio, 0, 0, pixelRatio, 0, 0);
  if (scene.background) {
    ctx.fillStyle = scene.background;
    ctx.fillRect(0, 0, viewport.width, viewport.height);
  }
  const topLeft = imageToScreen(transform, viewport, { row: 0, col: 0 });
  const zoom = transform.zoom;
  ctx.save();
  // Clip to the true extent: a partial last block row/column covers less than a preview pixel.
  ctx.beginPath();
  ctx.rect(topLeft.x, topLeft.y, extent.cols * zoom, extent.rows * zoom);
  ctx.clip();
  // Magnified pixels stay crisp squares; minified previews are smoothed to avoid aliasing.
  ctx.imageSmoothingEnabled = zoom * pixelRatio < 1;
  ctx.drawImage(source, topLeft.x, topLeft.y, source.width * zoom, source.height * zoom);
  ctx.restore();
  if (scene.scaleBar) {
    drawScaleBar(ctx, scene.scaleBar, viewport);
  }
}

/** Geometry of the scale-bar box (CSS px), exported for tests of the layout. */
export const SCALE_BAR_STYLE = {
  margin: 10,
  padding: 6,
  fontPx: 13,
  barThickness: 5,
  gap: 4
} as const;

/**
 * Draws the scale bar bottom-left: a white bar and label on a translucent black box, which reads on
 * every colormap and in both themes (the image itself, not the page, is the background).
 */
export function drawScaleBar(ctx: CanvasRenderingContext2D, bar: ScaleBar, viewport: Viewport): void {
  const { margin, padding, fontPx, barThickness, gap } = SCALE_BAR_STYLE;
  ctx.save();
  ctx.font = `600 ${fontPx}px sans-serif`;
  ctx.textBaseline = 'top';
  const textWidth = ctx.measureText(bar.label).width;
  const boxWidth = Math.max(bar.lengthPx, textWidth) + 2 * padding;
  const boxHeight = padding + fontPx + gap + barThickness + padding;
  const x0 = margin;
  const y0 = viewport.height - margin - boxHeight;
  ctx.fillStyle = 'rgba(0, 0, 0, 0.6)';
  roundedRect(ctx, x0, y0, boxWidth, boxHeight, 3);
  ctx.fill();
  ctx.fillStyle = '#ffffff';
  ctx.textAlign = 'center';
  ctx.fillText(bar.label, x0 + boxWidth / 2, y0 + padding);
  const barX = x0 + (boxWidth - bar.lengthPx) / 2;
  ctx.fillRect(barX, y0 + padding + fontPx + gap, bar.lengthPx, barThickness);
  ctx.restore();
}

function roundedRect(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, h: number, r: number): void {
  ctx.beginPath();
  ctx.moveTo(x + r, y);
  ctx.arcTo(x + w, y, x + w, y + h, r);
  ctx.arcTo(x + w, y + h, x, y + h, r);
  ctx.arcTo(x, y + h, x, y, r);
  ctx.arcTo(x, y, x + w, y, r);
  ctx.closePath();
}
