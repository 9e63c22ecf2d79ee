// Atomic file writes: a temporary file in the target's directory, fsync, then a rename (or a hard
// link when overwriting is not allowed, so an existing file can never be replaced by a race).
import { randomBytes } from 'crypto';
import { promises as fsp } from 'fs';
import path from 'path';
import { ValueError } from '../../errors';

export interface AtomicWriteOptions {
  /** Replace an existing file (default false). */
  overwrite?: boolean;
  /** The file the data was read from (`metadata.sourceFile`): never replaced unless `overwrite`. */
  sourceFile?: unknown;
  /** Public function name for error messages (`writeMrc`). */
  caller: string;
}

async function realOrResolved(p: string): Promise<string> {
  try {
    return await fsp.realpath(p);
  } catch {
    return path.resolve(p);
  }
}

/**
 * Writes the chunks to `target` atomically: readers see either the old file or the complete new
 * one. Without `overwrite`, an existing target (in particular the dataset's own source file) is
 * refused; on any failure the temporary file is removed and the target is left untouched.
 * Chunks are pulled lazily, so data can be encoded while it is written.
 */
export async function atomicWrite(
  target: string,
  chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  options: AtomicWriteOptions
): Promise<void> {
  const { caller } = options;
  if (typeof target !== 'string' || target.length === 0) {
    throw new ValueError(`${caller}: path must be a non-empty file path; got ${JSON.stringify(target)}.`);
  }
  const abs = path.resolve(target);
  const overwrite = options.overwrite === true;
  if (!overwrite && typeof options.sourceFile === 'string' && options.sourceFile) {
    if ((await realOrResolved(options.sourceFile)) === (await realOrResolved(abs))) {
      throw new ValueError(
        `${caller}: path must not be the file this dataset was read from (${options.sourceFile}); got the same file. Pass {overwrite: true} to replace it.`
      );
    }
  }
  let exists = false;
  try {
    await fsp.lstat(abs);
    exists = true;
  } catch {
    /* does not exist */
  }
  if (exists && !overwrite) {
    throw new ValueError(`${caller}: path must not name an existing file; got ${target}. Pass {overwrite: true} to replace it.`);
  }
  const dir = path.dirname(abs);
  const tmp = path.join(dir, `.${path.basename(abs)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fsp.open(tmp, 'wx');
  let handleOpen = true;
  try {
    for await (const chunk of chunks as AsyncIterable<Uint8Array>) {
      let done = 0;
      while (done < chunk.length) {
        const { bytesWritten } = await handle.write(chunk, done, chunk.length - done);
        done += bytesWritten;
      }
    }
    await handle.sync();
    await handle.close();
    handleOpen = false;
    if (overwrite) {
      await fsp.rename(tmp, abs);
    } else {
      // link() fails with EEXIST instead of replacing a file created since the check above.
      try {
        await fsp.link(tmp, abs);
        await fsp.unlink(tmp);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
          throw new ValueError(`${caller}: path must not name an existing file; got ${target} (created while writing). Pass {overwrite: true} to replace it.`);
        }
        if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'ENOSYS'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
        await fsp.rename(tmp, abs); // file systems without hard links
      }
    }
    try {
      const d = await fsp.open(dir, 'r');
      await d.sync().catch(() => undefined);
      await d.close();
    } catch {
      /* directory fsync is best effort (not possible on every platform) */
    }
  } catch (e) {
    if (handleOpen) await handle.close().catch(() => undefined);
    await fsp.unlink(tmp).catch(() => undefined);
    throw e;
  }
}
