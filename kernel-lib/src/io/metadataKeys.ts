/**
 * Normalised metadata keys every reader fills where its file records the value. Units are in the
 * names. The file's own tags stay reachable, untouched, under `metadata.original`.
 *
 * | key | meaning |
 * |---|---|
 * | `sourceFormat` | 'mrc', 'tiff', 'dm3', 'dm4', 'emd-berkeley', 'emd-velox', 'ser', 'mib', 'blo', 'npy' |
 * | `sourceFile` | path (or the name given for bytes) |
 * | `sourceDtype` | element type in the file as numpy spells it ('<f2', 'uint16', '>i4', …) |
 * | `title` | signal title |
 * | `signalType` | 'image', 'diffraction', 'spectrum', 'movie', '4d-stem', 'volume', … when known |
 * | `signalUnits` | units of the values ('counts', 'e-', …) when known |
 * | `pixelSizeA` | real-space pixel size in Å (square pixels; else see the axes) |
 * | `voltageKV` | accelerating voltage, kV |
 * | `exposureS` | total exposure time, s |
 * | `frameTimeS` | time per frame, s |
 * | `dwellTimeS` | STEM dwell time per position, s |
 * | `cameraLengthMm` | camera length, mm |
 * | `magnification` | nominal magnification |
 * | `doseEPerA2` | total dose recorded by the file, e⁻/Å² |
 * | `electronCounts` | total electron count recorded by the file |
 * | `detector` | detector / camera name |
 * | `microscope` | instrument name |
 * | `acquisitionDate` | ISO 8601 date-time |
 * | `original` | the file's own header fields / tag tree, as parsed |
 */
export const METADATA_KEYS = [
  'sourceFormat',
  'sourceFile',
  'sourceDtype',
  'title',
  'signalType',
  'signalUnits',
  'pixelSizeA',
  'voltageKV',
  'exposureS',
  'frameTimeS',
  'dwellTimeS',
  'cameraLengthMm',
  'magnification',
  'doseEPerA2',
  'electronCounts',
  'detector',
  'microscope',
  'acquisitionDate',
  'original'
] as const;

export type MetadataKey = (typeof METADATA_KEYS)[number];
