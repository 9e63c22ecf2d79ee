export { matrixDft, upsampledGrid, MatrixDftOptions, MatrixDftResult } from './matrixDft';
export { phaseCrossCorrelation, PhaseCrossCorrelationOptions, PhaseCrossCorrelationResult } from './phaseCrossCorrelation';
