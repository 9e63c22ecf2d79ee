export { strainTensor, GVector, StrainTensorOptions, StrainTensorResult } from './strainTensor';
export { spots, Spot, SpotInput, SpotsOptions } from './spots';
export { indexPeaks, IndexPeaksOptions, IndexPeaksResult, IndexedPeak, PeakPair, PeakToIndex, HklAssignment } from './indexPeaks';
export { findPeaks, FindPeaksOptions } from './findPeaks';
export { refinePeak, Peak, FriedelMate, PeakStart, RefineOptions, RefinePeakOptions } from './refinePeak';
export { informationLimit, InformationLimitOptions, InformationLimitResult, InformationSpot } from './informationLimit';
export { trackSpots, TrackSpotsOptions, TrackSpotsResult } from './trackSpots';
