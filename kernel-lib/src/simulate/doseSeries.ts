import type { Dataset } from '../types/dataset';
import { MovieOptions, renderMovie } from './movie';

/**
 * Simulates a dose series — a movie in which the specimen changes with dose: Bragg fading and a
 * unidirectional lattice expansion (science.md Part 2, NNB Fig. 2), on top of drift and Poisson
 * noise. Same options and ground truth as {@link movie}; only the defaults differ: 30 frames ×
 * 0.717 e⁻/Å² (21.5 e⁻/Å² in all), expansion on (+7.5 % over 21.5 e⁻/Å², ε(D) = 0.075·D/21.5,
 * along the first reflection's direction), fading on (Dc = 60 e⁻/Å² at 9.39 Å, ∝ |g|⁻¹).
 *
 * @returns Dataset `[frame, y, x]` of counts; `metadata.strain[n]` is ε at frame n's midpoint dose,
 *   `metadata.frameTruth[n].reflections` the true g vectors (1/Å) and amplitudes of frame n.
 * @throws ValueError as {@link movie}.
 * @example
 * const s = lowdose.simulate.doseSeries({ seed: 4 });
 * s.metadata.strain[29]; // 0.075 · 21.1415 / 21.5
 */
export function doseSeries(options: MovieOptions = {}): Dataset {
  return renderMovie('doseSeries', options, { frames: 30, doseEPerA2PerFrame: 0.717, expansion: {} });
}
