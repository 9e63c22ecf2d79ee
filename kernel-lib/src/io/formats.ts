import { Dataset } from '../types/dataset';
import { ByteSource } from './_internal/byteSource';
import { LazySource, ReadOptions } from './types';
import { npyFormat } from './readNpy';
import { mrcFormat } from './readMrc';
import { dmFormat } from './readDm';
import { tiffFormat } from './readTiff';
import { emdFormat } from './readEmd';
import { mibFormat } from './readMib';
import { bloFormat } from './readBlo';
import { serFormat } from './readSer';

/**
 * One file format: how to recognise it from its first bytes and how to read it.
 * `io.read` tries every registered format's `sniff` on the first 4 KiB (and the file name).
 */
export interface FormatHandler {
  name: string;
  /** File extensions (lower case, no dot), used only after byte sniffing fails to decide. */
  extensions: string[];
  /** True when `head` (first ≤ 4096 bytes) looks like this format. */
  sniff(head: Uint8Array, fileName: string): boolean;
  /** Every signal in the file, in file order. */
  readAll(src: ByteSource, options: ReadOptions): Promise<Dataset[]>;
  /** Lazy access for movies / stacks / 4D data (optional). */
  open?(src: ByteSource, options: ReadOptions): Promise<LazySource>;
}

// Each format module registers itself here, one line per format (keep this list in sniffing order:
// formats with strong magic numbers first, weak ones — MRC, SER — last).
export const FORMATS: FormatHandler[] = [npyFormat, tiffFormat, emdFormat, mibFormat, bloFormat, mrcFormat, dmFormat, serFormat];
