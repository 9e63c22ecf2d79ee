import { FormatError } from '../errors';
import { Dataset } from '../types/dataset';
import { ByteSource, openByteSource } from './_internal/byteSource';
import { selectSignal } from './_internal/selectSignal';
import { FORMATS, FormatHandler } from './formats';
import { PathOrBytes, ReadOptions } from './types';

/** Bytes handed to each format's `sniff`. */
export const SNIFF_BYTES = 4096;

/** Formats whose magic is weak (a header plausibility test): asked after all the others. */
const WEAK_MAGIC = new Set(['mrc', 'ser', 'tia']);

function ordered(): FormatHandler[] {
  return [...FORMATS.filter(f => !WEAK_MAGIC.has(f.name)), ...FORMATS.filter(f => WEAK_MAGIC.has(f.name))];
}

function extensionOf(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  return base.includes('.') ? (base.split('.').pop() ?? '').toLowerCase() : '';
}

function safeSniff(f: FormatHandler, head: Uint8Array, name: string): boolean {
  try {
    return f.sniff(head, name);
  } catch {
    return false;
  }
}

/**
 * Which format a source holds: first by bytes alone (every handler's `sniff` with no file name),
 * then by bytes plus the name (weak formats may use the extension to accept a plausible header),
 * then by extension alone.
 * @throws FormatError listing the formats tried when none recognises the file.
 */
export async function detectFormat(src: ByteSource): Promise<FormatHandler> {
  const head = await src.read(0, Math.min(SNIFF_BYTES, src.size), 'magic');
  const handlers = ordered();
  const byBytes = handlers.find(f => safeSniff(f, head, ''));
  if (byBytes) return byBytes;
  const byName = handlers.find(f => safeSniff(f, head, src.name));
  if (byName) return byName;
  const ext = extensionOf(src.name);
  const byExt = ext ? handlers.find(f => f.extensions.includes(ext)) : undefined;
  if (byExt) return byExt;
  const tried = handlers.map(f => f.name).join(', ') || 'none registered';
  throw new FormatError(
    src.name,
    'magic',
    0,
    `the first ${head.length} bytes (${Array.from(head.subarray(0, 8), b => b.toString(16).padStart(2, '0')).join(' ')}) match no supported format; tried ${tried}.`
  );
}

async function withSource<T>(pathOrBytes: PathOrBytes, options: ReadOptions, fn: (src: ByteSource, f: FormatHandler) => Promise<T>): Promise<T> {
  const src = await openByteSource(pathOrBytes, options.name);
  try {
    return await fn(src, await detectFormat(src));
  } finally {
    await src.close();
  }
}

/**
 * Reads every signal of a file in any supported format, detected from its bytes (magic numbers,
 * header checks) and only then from its extension.
 *
 * @param pathOrBytes - file path or the file's bytes (`options.name` labels errors for bytes).
 * @param options - `name` for bytes.
 * @returns all signals in file order, each a Dataset with calibrated axes and normalised metadata.
 * @throws FormatError (file, field, offset) when no format matches or the file is corrupt.
 * @example
 * const signals = await lowdose.io.readAll('multi_signal.dm3');
 * signals.map(s => s.metadata.title); // ['HAADF', 'Plot']
 */
export async function readAll(pathOrBytes: PathOrBytes, options: ReadOptions = {}): Promise<Dataset[]> {
  return withSource(pathOrBytes, options, (src, f) => f.readAll(src, options));
}

/**
 * Reads one signal of a file in any supported format (MRC, TIFF, DM3/DM4, EMD, SER, MIB, BLO,
 * NPY), detected from its bytes rather than its extension.
 *
 * @param pathOrBytes - file path or the file's bytes (`options.name` labels errors for bytes).
 * @param options - `signal`: index into {@link readAll}'s list or a title; default the first
 *   image-like signal (two or more axes longer than 1, not counting an RGB axis).
 * @returns the Dataset (`data`, calibrated `axes`, `metadata` with `sourceFormat`, …).
 * @throws FormatError when no format matches or the file is corrupt; ValueError for an unknown signal.
 * @example
 * const img = await lowdose.io.read('HAADFscan.mrc');
 * img.metadata.sourceFormat; // 'mrc'
 * const plot = await lowdose.io.read('multi_signal.dm3', { signal: 'Plot' });
 */
export async function read(pathOrBytes: PathOrBytes, options: ReadOptions = {}): Promise<Dataset> {
  return withSource(pathOrBytes, options, async (src, f) => selectSignal(await f.readAll(src, options), options.signal, 'read', src.name));
}
