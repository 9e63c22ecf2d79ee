/**
 * lowdose — analysis of low-dose and cryogenic TEM data of beam-sensitive materials, for the
 * tslab TypeScript kernel. Namespaces: `io`, `display`, `simulate`, `stats`, `plot`, `types`, errors.
 * @example import * as lowdose from "lowdose";
 *          const img = lowdose.simulate.latticeImage({ doseEPerA2: 20 });
 *          lowdose.display.show(img);
 */
export * as display from './display';
export * as io from './io';
export * as fft from './fft';
export * as registration from './registration';
export * as motion from './motion';
export * as dose from './dose';
export * as lattice from './lattice';
export * as crystal from './crystal';
export * as simulate from './simulate';
export * as stats from './stats';
export * as plot from './plot';
export * as types from './types';
export * from './types';
export * from './errors';
export { show, bundle } from './display';
