/**
 * lowdose.fft — 2D discrete Fourier transforms of any size (numpy.fft conventions), frequencies,
 * shifts, windows and the periodic-plus-smooth decomposition. In Node the transforms use worker
 * threads sharing the WebAssembly core's memory (engineNode); everything else is in ./browser.
 */
import './_internal/engineNode';
export * from './browser';
