/**
 * The browser-safe part of lowdose.lattice (what kernel-lib's browser entry exports as `lattice`):
 * everything but `trackSpots`, which streams frames through the Node FFT engine.
 */
export { strainTensor, GVector, StrainTensorOptions, StrainTensorResult } from './strainTensor';
export { spots, Spot, SpotInput, SpotsOptions } from './spots';
export { indexPeaks, IndexPeaksOptions, IndexPeaksResult, IndexedPeak, PeakPair, PeakToIndex, HklAssignment } from './indexPeaks';
export { findPeaks, FindPeaksOptions } from './findPeaks';
export { refinePeak, Peak, FriedelMate, PeakStart, RefineOptions, RefinePeakOptions } from './refinePeak';
export { informationLimit, InformationLimitOptions, InformationLimitResult, InformationSpot } from './informationLimit';
