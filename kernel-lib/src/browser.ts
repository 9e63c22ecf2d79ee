/**
 * Browser-safe entry of lowdose: what the JupyterLab extension bundles.
 *
 * Nothing here imports Node built-ins (fs, zlib, worker_threads); the kernel entry (`index.ts`)
 * re-exports all of it and adds the Node-only parts.
 */
export * from './display/protocol';
export { validateImagePayload } from './display/validatePayload';
export { decodePreview, base64ToBytes } from './display/decodePreview';
export { colormapLut, toLevels } from './display/colormaps';
export { niceScaleBar, roundNice, ScaleBar } from './display/scaleBar';
export * as fft from './fft/browser';
