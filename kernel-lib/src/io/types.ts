import { Axis, Dataset, Metadata } from '../types/dataset';

/** A file path, or the file's bytes (then `name` in the options labels errors). */
export type PathOrBytes = string | Uint8Array;

/** Options every reader accepts. */
export interface ReadOptions {
  /**
   * Which signal to return when a file holds several (index into `readAll`'s list, or a title).
   * Default: the first image-like signal.
   */
  signal?: number | string;
  /** Label used in error messages when reading from bytes (default "<bytes>"). */
  name?: string;
  /**
   * Formats parsed in a worker (EMD/HDF5): give up after this many seconds with a FormatError
   * (default 30 s + 20 s per GiB).
   */
  timeoutS?: number;
}

/**
 * A lazily read dataset (movie, stack, 4D-STEM scan): header parsed, pixels read on demand.
 * Memory is bounded by what one call returns, not by the file.
 */
export interface LazySource {
  /** Full shape, slowest axis first (`[frame, row, col]`, `[scanRow, scanCol, detRow, detCol]`). */
  readonly shape: number[];
  readonly axes: Axis[];
  readonly metadata: Metadata;
  /** numpy-style name of the element type as returned (after widening float16/int64). */
  readonly dtype: string;
  /** Number of frames (product of all but the last two axes). */
  readonly frameCount: number;
  /** One frame (2D Dataset) by flat index over the leading axes. */
  frame(index: number): Promise<Dataset>;
  /** Frames in order, one at a time or in chunks of `chunkSize` (a 3D Dataset per chunk). */
  frames(options?: { chunkSize?: number; start?: number; stop?: number }): AsyncIterableIterator<Dataset>;
  /** For 4D-STEM: the diffraction pattern at one scan position. */
  pattern?(row: number, col: number): Promise<Dataset>;
  /** Reads everything (small data only). */
  readAll(): Promise<Dataset>;
  /** Releases the file handle; idempotent. */
  close(): Promise<void>;
}
