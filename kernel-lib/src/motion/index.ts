export { alignFrames, AlignFramesOptions, AlignFramesResult } from './alignFrames';
export { doseWeightedSum, DoseWeightedSumOptions, DoseWeightedSumResult, CriticalDoseModel } from './doseWeightedSum';
export { DefectPixel } from './_internal/defects';
export { ProgressInfo, ProgressOption } from './_internal/progress';
