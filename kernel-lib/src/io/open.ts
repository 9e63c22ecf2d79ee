import { openByteSource } from './_internal/byteSource';
import { lazyFromDataset } from './_internal/lazySource';
import { selectSignal } from './_internal/selectSignal';
import { detectFormat } from './read';
import { LazySource, PathOrBytes, ReadOptions } from './types';

/**
 * Opens a file lazily: the header is parsed now, pixels are read when asked for, one frame (or
 * one chunk of frames, or one 4D-STEM pattern) at a time, so memory is bounded by what one call
 * returns. Formats without streaming support are read whole and wrapped in the same interface.
 *
 * @param pathOrBytes - file path (or bytes; `options.name` labels errors).
 * @param options - `signal` for files holding several (as in {@link read}).
 * @returns a LazySource with `shape`, `axes`, `metadata`, `frameCount`, `frame(i)`,
 *   `frames({chunkSize, start, stop})`, `pattern(row, col)` for 4D scans, `readAll()`, `close()`.
 * @throws FormatError when no format matches or the header is corrupt.
 * @example
 * const movie = await lowdose.io.open('movie.mrc');
 * const f100 = await movie.frame(100);
 * for await (const chunk of movie.frames({ chunkSize: 8 })) { ... }
 * await movie.close();
 */
export async function open(pathOrBytes: PathOrBytes, options: ReadOptions = {}): Promise<LazySource> {
  const src = await openByteSource(pathOrBytes, options.name);
  try {
    const f = await detectFormat(src);
    if (f.open) return await f.open(src, options);
    const ds = selectSignal(await f.readAll(src, options), options.signal, 'open', src.name);
    await src.close();
    return lazyFromDataset(ds, src.name);
  } catch (e) {
    await src.close();
    throw e;
  }
}
