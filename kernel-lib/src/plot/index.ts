export { linePlot, LinePlotOptions, VegaLiteSpec, VEGALITE_V5_SCHEMA, decimateMinMax } from './linePlot';
export { fadingPlot, FadingFit, FadingPlotOptions } from './fadingPlot';
export { strainPlot, StrainPlotOptions, StrainSample, StrainComponent } from './strainPlot';
export { radialProfilePlot, RadialProfilePlotOptions, RadialProfileLike, MarkedSpot } from './radialProfilePlot';
export { dSpacingChart, DSpacingChartOptions, DSpacingSpot } from './dSpacingChart';
export { driftPlot, DriftPlotOptions } from './driftPlot';
