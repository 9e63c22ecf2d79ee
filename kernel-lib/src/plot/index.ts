export { linePlot, LinePlotOptions, VegaLiteSpec, VEGALITE_V5_SCHEMA, decimateMinMax } from './linePlot';
