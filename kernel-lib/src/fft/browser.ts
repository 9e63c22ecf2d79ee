/**
 * The browser-safe part of lowdose.fft (what kernel-lib's browser entry exports as `fft`): the
 * same transforms, computed on the calling thread by the WebAssembly core over a plain memory.
 * Call `await ready()` once before the first transform where synchronous WebAssembly compilation
 * on the main thread is refused.
 */
export { fft2, ifft2 } from './fft2';
export { rfft2, irfft2, Irfft2Options } from './rfft2';
export { fftshift, ifftshift, ShiftOptions } from './fftshift';
export { fftfreq, rfftfreq } from './fftfreq';
export { hann2d, Hann2dOptions } from './hann2d';
export { periodicSmoothDecomposition, PeriodicSmooth } from './periodicSmoothDecomposition';
export { powerSpectrum, isPowerSpectrum, PowerSpectrum, PowerSpectrumOptions, PowerSpectrumMetadata, WindowName } from './powerSpectrum';
export { radialProfile, RadialProfile, RadialProfileOptions } from './radialProfile';
export { nextFastLen } from './nextFastLen';
export { FftOptions } from './_internal/transforms';
export { ready } from './_internal/engineRegistry';
export { fourierRingCorrelation, FourierRingCorrelation, FourierRingCorrelationOptions, FrcSpot, FrcThreshold } from './fourierRingCorrelation';
export { ringSnr, RingSnr, RingSnrOptions } from './ringSnr';
