// lowdose.io: readers, writers and lazy sources (Node only: uses fs).
export { PathOrBytes, ReadOptions, LazySource } from './types';
export { ByteSource, openByteSource } from './_internal/byteSource';
export { read, readAll, detectFormat } from './read';
export { open } from './open';
export { readMrc, mrcFormat } from './readMrc';
export { readNpy, npyFormat } from './readNpy';
export { readDm, openDm, dmFormat } from './readDm';
export { writeMrc, WriteMrcOptions } from './writeMrc';
export { writeNpy, WriteNpyOptions } from './writeNpy';
export { readTiff, openTiff, tiffFormat, TiffReadOptions } from './readTiff';
export { writeTiff, WriteTiffOptions, TiffWriteDtype } from './writeTiff';
export { readEmd, readEmdAll, emdFormat } from './readEmd';
export { readSer, serFormat, SerReadOptions } from './readSer';
export { readMib, mibFormat, MibReadOptions } from './readMib';
export { readBlo, bloFormat } from './readBlo';
