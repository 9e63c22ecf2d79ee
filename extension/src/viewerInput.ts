/**
 * Mapping of pointer and keyboard input onto the image canvas view.
 */
import type { ImageCanvasView } from './imageCanvasView';

/** The event's position on `canvas` in CSS px of the view (robust to CSS scaling of the canvas). */
export function canvasPoint(
  canvas: HTMLCanvasElement,
  viewport: { width: number; height: number },
  event: MouseEvent
): { x: number; y: number } {
  const rect = canvas.getBoundingClientRect();
  const sx = rect.width > 0 ? viewport.width / rect.width : 1;
  const sy = rect.height > 0 ? viewport.height / rect.height : 1;
  return { x: (event.clientX - rect.left) * sx, y: (event.clientY - rect.top) * sy };
}

/**
 * The view change a key stands for while the canvas has focus, or undefined for keys the viewer
 * leaves alone: arrows pan (Shift: by half the view), + and - zoom, 0 or f fits, 1 shows 1:1.
 * Keys with Ctrl, Meta or Alt always pass through (Ctrl+S still saves).
 */
export function keyAction(view: ImageCanvasView, event: KeyboardEvent): (() => void) | undefined {
  if (event.ctrlKey || event.metaKey || event.altKey) {
    return undefined;
  }
  const { width, height } = view.viewport;
  const step = (event.shiftKey ? 0.5 : 0.1) * Math.min(width, height);
  switch (event.key) {
    case 'ArrowLeft':
      return () => view.panBy(step, 0);
    case 'ArrowRight':
      return () => view.panBy(-step, 0);
    case 'ArrowUp':
      return () => view.panBy(0, step);
    case 'ArrowDown':
      return () => view.panBy(0, -step);
    case '+':
    case '=':
      return () => view.zoomBy(1.5);
    case '-':
    case '_':
      return () => view.zoomBy(1 / 1.5);
    case '0':
    case 'f':
      return () => view.fit();
    case '1':
      return () => view.oneToOne();
    default:
      return undefined;
  }
}

/**
 * Downloads a canvas as a PNG file named `filename` (through an anchor with a `download`
 * attribute). Resolves false when the browser cannot encode the canvas.
 */
export function downloadCanvasPng(canvas: HTMLCanvasElement, filename: string): Promise<boolean> {
  return new Promise(resolve => {
    canvas.toBlob(blob => {
      if (!blob) {
        resolve(false);
        return;
      }
      const url = URL.createObjectURL(blob);
      const anchor = document.createElement('a');
      anchor.href = url;
      anchor.download = filename;
      anchor.style.display = 'none';
      document.body.appendChild(anchor);
      anchor.click();
      anchor.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 30000);
      resolve(true);
    }, 'image/png');
  });
}
