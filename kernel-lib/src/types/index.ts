export {
  Axis,
  AxisUnits,
  AXIS_UNITS,
  Dataset,
  DatasetOptions,
  Metadata,
  NdArray,
  NumericArray,
  makeDataset,
  imageDataset,
  isDataset,
  isNdArray,
  dtypeOf,
  toDense2d,
  ComplexArray,
  complexOf
} from './dataset';
