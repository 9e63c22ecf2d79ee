export { describe, Description, forEachValue } from './describe';
export { percentiles, PERCENTILE_SAMPLE_LIMIT } from './percentile';
