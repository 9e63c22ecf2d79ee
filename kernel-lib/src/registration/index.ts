export { matrixDft, upsampledGrid, MatrixDftOptions, MatrixDftResult } from './matrixDft';
