/**
 * Zoom and pan maths of the image viewer, kept free of the DOM so it can be unit-tested.
 *
 * ## Coordinates
 * - **Image coordinates** are continuous and measured in *preview* pixels: preview pixel `(r, c)`
 *   covers `[r, r + 1) × [c, c + 1)`. The kernel's preview is the full-resolution image binned by
 *   `binning`, so full-resolution pixel `(R, C)` covers `[R / b, (R + 1) / b) × [C / b, (C + 1) / b)`
 *   and the continuous mapping `full = image × binning` is exact.
 * - The image's **extent** is `shape / binning` preview pixels, which is smaller than the preview's
 *   `rows × cols` when the last block row or column was partial (the kernel averages the pixels a
 *   partial block holds). Drawing the preview at its natural size and clipping it to the extent puts
 *   every full-resolution pixel exactly where it belongs.
 * - **Screen coordinates** are CSS pixels from the canvas' top-left corner.
 *
 * ## Zoom
 * `zoom` is CSS pixels per preview pixel (the unit `ImageViewState.zoom` is stored in). "1:1" shows one
 * CSS pixel per *full-resolution* pixel, so its zoom equals the preview binning: a preview binned by 4
 * is drawn 4× magnified, each preview pixel becoming a 4 × 4 block. The browser's own zoom and the
 * screen's devicePixelRatio stay outside this maths (the canvas backing store is scaled separately),
 * exactly as for an `<img>` shown at 100 %.
 */

/** A point in image coordinates (preview pixels, continuous). */
export interface ImagePoint {
  row: number;
  col: number;
}

/** A size in CSS pixels. */
export interface Viewport {
  width: number;
  height: number;
}

/** Extent of the image in preview pixels (`shape / binning`, possibly fractional). */
export interface Extent {
  rows: number;
  cols: number;
}

/** Where the view looks: zoom (CSS px per preview px) and the image point at the viewport centre. */
export interface Transform {
  zoom: number;
  center: ImagePoint;
}

/** Smallest and largest allowed zoom. */
export interface ZoomLimits {
  min: number;
  max: number;
}

/** Extent of a full-resolution `[rows, cols]` image binned by `binning`, in preview pixels. */
export function imageExtent(shape: readonly [number, number], binning: number): Extent {
  return { rows: shape[0] / binning, cols: shape[1] / binning };
}

/** The transform that shows the whole image, centred, as large as the viewport allows. */
export function fitTransform(extent: Extent, viewport: Viewport): Transform {
  const zoom = Math.min(viewport.width / extent.cols, viewport.height / extent.rows);
  return { zoom: zoom > 0 && Number.isFinite(zoom) ? zoom : 1, center: { row: extent.rows / 2, col: extent.cols / 2 } };
}

/** Zoom of the "1:1" view: one CSS pixel per full-resolution pixel. */
export function oneToOneZoom(binning: number): number {
  return binning;
}

/**
 * Allowed zoom range: down to a quarter of "fit", up to 32× the larger of "fit" and "1:1"
 * (so even a tiny image can be magnified until single pixels are easy to point at).
 */
export function zoomLimits(extent: Extent, viewport: Viewport, binning: number): ZoomLimits {
  const fit = fitTransform(extent, viewport).zoom;
  return { min: Math.min(fit, oneToOneZoom(binning)) / 4, max: Math.max(fit, oneToOneZoom(binning)) * 32 };
}

/** Screen position (CSS px) → image coordinates. */
export function screenToImage(t: Transform, viewport: Viewport, x: number, y: number): ImagePoint {
  return {
    row: (y - viewport.height / 2) / t.zoom + t.center.row,
    col: (x - viewport.width / 2) / t.zoom + t.center.col
  };
}

/** Image coordinates → screen position (CSS px). */
export function imageToScreen(t: Transform, viewport: Viewport, p: ImagePoint): { x: number; y: number } {
  return {
    x: (p.col - t.center.col) * t.zoom + viewport.width / 2,
    y: (p.row - t.center.row) * t.zoom + viewport.height / 2
  };
}

/**
 * Keeps the zoom within `limits` and the view centre over the image, so the image can never be
 * panned out of sight.
 */
export function clampTransform(t: Transform, extent: Extent, limits: ZoomLimits): Transform {
  const zoom = clamp(t.zoom, limits.min, limits.max);
  return {
    zoom,
    center: { row: clamp(t.center.row, 0, extent.rows), col: clamp(t.center.col, 0, extent.cols) }
  };
}

/**
 * Multiplies the zoom by `factor` keeping the image point under the screen position `(x, y)` fixed
 * (zoom "about the cursor"); the result is clamped.
 */
export function zoomAbout(
  t: Transform,
  viewport: Viewport,
  x: number,
  y: number,
  factor: number,
  extent: Extent,
  limits: ZoomLimits
): Transform {
  const anchor = screenToImage(t, viewport, x, y);
  const zoom = clamp(t.zoom * factor, limits.min, limits.max);
  const center = {
    row: anchor.row - (y - viewport.height / 2) / zoom,
    col: anchor.col - (x - viewport.width / 2) / zoom
  };
  return clampTransform({ zoom, center }, extent, limits);
}

/** Moves the view by a drag of `(dx, dy)` CSS pixels (the image follows the pointer). */
export function panBy(t: Transform, dx: number, dy: number, extent: Extent, limits: ZoomLimits): Transform {
  return clampTransform(
    { zoom: t.zoom, center: { row: t.center.row - dy / t.zoom, col: t.center.col - dx / t.zoom } },
    extent,
    limits
  );
}

/**
 * The full-resolution index `[0, size)` under an image coordinate, or -1 outside the image.
 * @param coord - image coordinate (preview pixels) along one axis.
 * @param binning - preview binning.
 * @param size - full-resolution size of that axis.
 */
export function fullResIndex(coord: number, binning: number, size: number): number {
  const index = Math.floor(coord * binning);
  return index >= 0 && index < size ? index : -1;
}

/** Factor by which one wheel event zooms: a typical mouse notch (100 px) gives about 1.22×. */
export function wheelZoomFactor(deltaY: number, deltaMode: number, pageHeight: number): number {
  // deltaMode: 0 = pixels, 1 = lines, 2 = pages (DOM WheelEvent constants).
  const px = deltaMode === 1 ? deltaY * 16 : deltaMode === 2 ? deltaY * pageHeight : deltaY;
  return Math.exp(-clamp(px, -600, 600) * 0.002);
}

/**
 * Canvas height (CSS px) for a given width: the image's aspect ratio at full width, between 120 px
 * and `maxHeight` (default 800 px).
 */
export function canvasHeightFor(width: number, extent: Extent, maxHeight = 800): number {
  return Math.round(clamp((width * extent.rows) / extent.cols, 120, Math.max(120, maxHeight)));
}

/**
 * Tallest canvas for a browser window `windowHeight` CSS px high: 70 % of it, between 240 and 800
 * px, so the viewer never fills the window and the notebook stays scrollable around it.
 */
export function maxCanvasHeight(windowHeight: number): number {
  return Math.round(clamp(windowHeight * 0.7, 240, 800));
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
