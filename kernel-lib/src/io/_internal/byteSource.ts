import { promises as fsp } from 'fs';
import { FormatError } from '../../errors';

/**
 * Random access to a file or a byte array with bounds checks: a read past the end throws a
 * FormatError naming the file, the field and the offset, so readers never trust a header's sizes.
 */
export interface ByteSource {
  /** Path or the label given for bytes. */
  readonly name: string;
  /** The file's path when the source was opened from a path (never set for bytes, whatever their name). */
  readonly path?: string;
  readonly size: number;
  /** Reads exactly `length` bytes at `offset`, or throws FormatError(field) if they are not there. */
  read(offset: number, length: number, field: string): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** Largest single read a reader may ask for (guards against headers claiming absurd sizes). */
export const MAX_SINGLE_READ_BYTES = 2 ** 31 - 1;

export async function openByteSource(pathOrBytes: string | Uint8Array, name?: string): Promise<ByteSource> {
  if (typeof pathOrBytes === 'string') {
    const handle = await fsp.open(pathOrBytes, 'r');
    const { size } = await handle.stat();
    let closed = false;
    return {
      name: pathOrBytes,
      path: pathOrBytes,
      size,
      async read(offset, length, field) {
        check(pathOrBytes, size, offset, length, field);
        const buf = new Uint8Array(length);
        let done = 0;
        while (done < length) {
          const { bytesRead } = await handle.read(buf, done, length - done, offset + done);
          if (bytesRead === 0) throw new FormatError(pathOrBytes, field, offset + done, 'unexpected end of file.');
          done += bytesRead;
        }
        return buf;
      },
      async close() {
        if (!closed) {
          closed = true;
          await handle.close();
        }
      }
    };
  }
  const label = name ?? '<bytes>';
  const bytes = pathOrBytes;
  return {
    name: label,
    size: bytes.length,
    async read(offset, length, field) {
      check(label, bytes.length, offset, length, field);
      return bytes.subarray(offset, offset + length);
    },
    async close() {
      /* nothing to release */
    }
  };
}

function check(name: string, size: number, offset: number, length: number, field: string): void {
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new FormatError(name, field, offset, `offset must be a non-negative integer; got ${offset}.`);
  }
  if (!Number.isSafeInteger(length) || length < 0 || length > MAX_SINGLE_READ_BYTES) {
    throw new FormatError(name, field, offset, `length must be 0..${MAX_SINGLE_READ_BYTES} bytes; got ${length}.`);
  }
  if (offset + length > size) {
    throw new FormatError(
      name,
      field,
      offset,
      `needs ${length} bytes but the file has ${Math.max(0, size - offset)} left (file size ${size}); it is truncated or the header is corrupt.`
    );
  }
}
