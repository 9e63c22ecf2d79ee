export { strainTensor, GVector, StrainTensorOptions, StrainTensorResult } from './strainTensor';
export { spots, Spot, SpotInput } from './spots';
export { indexPeaks, IndexPeaksOptions, IndexPeaksResult, IndexedPeak, PeakPair, PeakToIndex, HklAssignment } from './indexPeaks';
