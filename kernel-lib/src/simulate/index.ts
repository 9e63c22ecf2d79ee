export { rng, Rng } from './rng';
export { poisson, poissonNoise, logFactorial } from './poisson';
export { latticeImage, LatticeImageOptions } from './latticeImage';
export { crystalImage, CrystalImageOptions, CrystalSceneOptions, ReflectionSpec, RegionSpec } from './crystalImage';
export { movie, MovieOptions, DriftOptions, FadingOptions, ExpansionOptions, FrameTruth } from './movie';
export { doseSeries } from './doseSeries';
