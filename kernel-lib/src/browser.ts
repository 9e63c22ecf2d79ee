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
export { validateDoseSeriesPayload } from './display/validateDoseSeriesPayload';
export { decodeDoseFrame, inflateDoseFrame, logPowerSpectrum } from './display/doseSliderDecode';
export * as fft from './fft/browser';
export * as lattice from './lattice/browser';
export * as crystal from './crystal';
export { validateFftPayload, sanitizeFftState } from './display/validateFftPayload';
export { cropSpectrum, pickSpot, PickStart, pairRelation, picksCsv, picksCode, isIdentifierPath, decodeCropPower, regionSpectrum, logPowerView, PreviewRegion } from './display/fftPickerMaths';
