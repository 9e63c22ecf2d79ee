// lowdose.io: readers, writers and lazy sources (Node only: uses fs).
export { PathOrBytes, ReadOptions, LazySource } from './types';
export { ByteSource, openByteSource } from './_internal/byteSource';
