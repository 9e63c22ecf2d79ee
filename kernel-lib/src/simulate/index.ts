export { rng, Rng } from './rng';
export { poisson, poissonNoise, logFactorial } from './poisson';
export { latticeImage, LatticeImageOptions } from './latticeImage';
