// HDF5 access through h5wasm (ESM-only, loaded with a real dynamic import), typed by a minimal local
// interface so our .d.ts never mentions h5wasm's own types (tslab's TypeScript 5.0 with node10
// resolution cannot follow its `exports`). Every h5wasm call is wrapped: HDF5 errors become
// FormatErrors, and no read larger than the file can plausibly hold is attempted.
import { randomBytes } from 'crypto';
import { promises as fsp } from 'fs';
import os from 'os';
import path from 'path';
import { FormatError } from '../../errors';
import { NumericArray } from '../../types/dataset';
import { ByteSource } from './byteSource';

/** The part of h5wasm's API lowdose uses (h5wasm 0.10). */
export interface H5Attribute {
  readonly value: unknown;
  readonly shape: number[] | null;
}
export interface H5Entity {
  readonly type: string;
  readonly path: string;
  readonly attrs: Record<string, H5Attribute>;
}
export interface H5Metadata {
  type: number;
  size: number;
  signed: boolean;
  littleEndian: boolean;
  shape: number[] | null;
  chunks: number[] | null;
  vlen: boolean;
  compound_type?: { members: Array<{ name: string; type: number; size: number; signed: boolean; littleEndian: boolean }> };
}
export interface H5Group extends H5Entity {
  keys(): string[];
  get(name: string): H5Entity | null;
}
export interface H5Dataset extends H5Entity {
  readonly shape: number[] | null;
  readonly metadata: H5Metadata;
  readonly filters: unknown[];
  readonly value: unknown;
  slice(ranges: Array<[] | [number | null, number | null]>): unknown;
}
interface H5File extends H5Group {
  close(): number;
}
interface H5Module {
  activate_throwing_error_handler(): number;
  HEAPU8?: Uint8Array;
  /** Emscripten calls this from abort() (an HDF5 assertion, a failed allocation, …). */
  onAbort?: (what: unknown) => void;
}
interface H5Lib {
  File: new (filename: string, mode: 'r') => H5File;
  ready: Promise<H5Module>;
}

const dynamicImport = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<unknown>;
let libPromise: Promise<H5Lib> | undefined;
let wasmModule: H5Module | undefined;
let abortCount = 0;

/** Loads h5wasm's Node build once (a real `import()`, which the CommonJS build keeps as is). */
export function loadH5wasm(): Promise<H5Lib> {
  if (!libPromise) {
    libPromise = (async () => {
      const mod = (await dynamicImport('h5wasm/node')) as H5Lib & { default?: H5Lib };
      const lib = (mod.File ? mod : mod.default) as H5Lib;
      const module = await lib.ready;
      wasmModule = module;
      // an abort is thrown as a RuntimeError that a caller may catch (attribute reads do): count it,
      // so the EMD worker can tell that this h5wasm instance is no longer to be trusted
      module.onAbort = () => {
        abortCount++;
      };
      // Turn HDF5's printed error stacks into thrown JS errors (caught and re-thrown as FormatError).
      module.activate_throwing_error_handler();
      return lib;
    })();
    libPromise.catch(() => {
      libPromise = undefined;
    });
  }
  return libPromise;
}

/** How many times h5wasm has aborted in this thread (its state after an abort is undefined). */
export function wasmAbortCount(): number {
  return abortCount;
}

/** Bytes of WebAssembly memory h5wasm holds in this thread (0 before it is loaded); it never shrinks. */
export function wasmHeapBytes(): number {
  return wasmModule?.HEAPU8?.byteLength ?? 0;
}

/** HDF5 signature: at 0, or at 512, 1024, 2048, … when a user block precedes it. */
export function hasHdf5Signature(head: Uint8Array): boolean {
  const sig = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
  for (let at = 0; at + 8 <= head.length; at = at === 0 ? 512 : at * 2) {
    if (sig.every((b, i) => head[at + i] === b)) return true;
  }
  return false;
}

/** The innermost message of an HDF5 error stack, and a byte offset when it names one. */
function cleanHdf5Message(e: unknown): { message: string; offset: number } {
  const text = e instanceof Error ? e.message : String(e);
  const lines = text.split('\n').filter(l => /#\d+:/.test(l));
  const last = lines.length ? lines[lines.length - 1] : text.split('\n')[0];
  const m = /\):\s*(.*)$/.exec(last);
  const message = (m ? m[1] : last).trim() || 'HDF5 library error';
  const eof = /\beof = (\d+)/.exec(text);
  return { message, offset: eof ? Number(eof[1]) : 0 };
}

/** An open HDF5 file with guarded access. */
export class Hdf5File {
  private constructor(
    readonly name: string,
    readonly size: number,
    private readonly file: H5File,
    private readonly tempPath: string | undefined
  ) {}

  /** Opens `src` with h5wasm: in place when it was opened from a file on disk, else through a temporary copy. */
  static async open(src: ByteSource): Promise<Hdf5File> {
    const disk = await fileOnDisk(src);
    return Hdf5File.openPath(disk.path, src.name, src.size, disk.tempPath);
  }

  /**
   * Opens the HDF5 file at `filePath`, labelled `name` (errors, metadata) and checked against
   * `size` bytes; `tempPath` (a temporary copy to delete on close or failure) is owned from now on.
   */
  static async openPath(filePath: string, name: string, size: number, tempPath?: string): Promise<Hdf5File> {
    let lib: H5Lib;
    try {
      lib = await loadH5wasm();
    } catch (e) {
      if (tempPath) await fsp.rm(tempPath, { force: true });
      throw e;
    }
    try {
      const file = new lib.File(filePath, 'r');
      return new Hdf5File(name, size, file, tempPath);
    } catch (e) {
      if (tempPath) await fsp.rm(tempPath, { force: true });
      const { message, offset } = cleanHdf5Message(e);
      throw new FormatError(name, 'HDF5 superblock', offset, `not a readable HDF5 file: ${message}.`);
    }
  }

  /** Runs an h5wasm call, turning its errors into a FormatError naming `field`. */
  guard<T>(field: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof FormatError) throw e;
      const { message, offset } = cleanHdf5Message(e);
      throw new FormatError(this.name, field, offset, `HDF5 read failed: ${message}.`);
    }
  }

  get root(): H5Group {
    return this.file;
  }

  /** The object at `p`, or undefined when absent. */
  get(p: string): H5Entity | undefined {
    return this.guard(`HDF5 object ${p}`, () => this.file.get(p)) ?? undefined;
  }

  group(p: string): H5Group | undefined {
    const e = this.get(p);
    return e && e.type === 'Group' ? (e as H5Group) : undefined;
  }

  dataset(p: string): H5Dataset | undefined {
    const e = this.get(p);
    return e && e.type === 'Dataset' ? (e as H5Dataset) : undefined;
  }

  /** Sorted member names of a group (HDF5's name order, as h5py lists them). */
  keys(g: H5Group | undefined): string[] {
    if (!g) throw new FormatError(this.name, 'HDF5 group', 0, 'must be a readable group; got none (a group the file lists cannot be opened: the file is corrupt).');
    return this.guard(`HDF5 group ${g.path}`, () => g.keys()).slice().sort(byteOrder);
  }

  /** Attribute value (strings decoded, 1-element arrays unwrapped), undefined when absent or unreadable. */
  attr(e: H5Entity, name: string): unknown {
    try {
      const a = e.attrs[name];
      if (!a) return undefined;
      return plain(a.value);
    } catch {
      return undefined;
    }
  }

  /** All readable attributes of an object as plain values. */
  attrs(e: H5Entity): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    let names: string[] = [];
    try {
      names = Object.keys(e.attrs);
    } catch {
      return out;
    }
    for (const n of names) {
      const v = this.attr(e, n);
      if (v !== undefined) out[n] = v;
    }
    return out;
  }

  /** Shape of a dataset ([] for a scalar). */
  shape(ds: H5Dataset): number[] {
    return this.guard(`HDF5 dataset ${ds.path}`, () => ds.shape ?? []);
  }

  /**
   * Checks that reading `elements` values of `ds` is plausible for a file of this size before
   * h5wasm allocates them: uncompressed data cannot exceed the file, compressed data is allowed a
   * bounded expansion (decompression bombs are refused).
   */
  checkReadSize(ds: H5Dataset, elements: number): void {
    const meta = this.guard(`HDF5 dataset ${ds.path}`, () => ds.metadata);
    const filters = this.guard(`HDF5 dataset ${ds.path}`, () => ds.filters);
    const bytes = elements * Math.max(1, meta.size);
    const limit = Math.min(2 ** 31 - 1, (filters.length ? 1024 : 1) * this.size + 2 ** 20);
    if (!Number.isFinite(bytes) || bytes > limit) {
      throw new FormatError(
        this.name,
        `HDF5 dataset ${ds.path}`,
        0,
        `reading ${elements} elements (${bytes} bytes) must fit what a ${this.size}-byte file can hold (at most ${limit} bytes); the header is corrupt or the dataset is too large to load whole — use io.open for lazy access.`
      );
    }
  }

  /** Reads a whole dataset (or a hyperslab) after the size check. */
  read(ds: H5Dataset, ranges?: Array<[] | [number, number]>): unknown {
    const shape = this.shape(ds);
    const n = ranges ? ranges.reduce((p, r, i) => p * (r.length ? r[1] - r[0] : shape[i]), 1) : shape.reduce((p, s) => p * s, 1);
    this.checkReadSize(ds, n);
    return this.guard(`HDF5 dataset ${ds.path}`, () => (ranges ? ds.slice(ranges) : ds.value));
  }

  /** Reads a numeric dataset (or hyperslab) as a typed array (64-bit integers widened to float64). */
  readNumeric(ds: H5Dataset, ranges?: Array<[] | [number, number]>): NumericArray {
    const v = this.read(ds, ranges);
    return toNumericArray(v, this.name, ds.path);
  }

  /** Reads a UTF-8 string dataset's first element (Velox JSON metadata). */
  readString(ds: H5Dataset): string {
    const v = this.read(ds);
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') return first;
    if (first instanceof Uint8Array) return decodeUtf8Z(first);
    throw new FormatError(this.name, `HDF5 dataset ${ds.path}`, 0, `must hold a string; got ${typeof first}.`);
  }

  async close(): Promise<void> {
    try {
      this.file.close();
    } catch {
      /* already closed */
    }
    if (this.tempPath) await fsp.rm(this.tempPath, { force: true });
  }
}

/** h5py-style sort: plain byte order of the names. */
function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Decodes zero-terminated UTF-8. */
export function decodeUtf8Z(bytes: Uint8Array): string {
  let end = bytes.indexOf(0);
  if (end < 0) end = bytes.length;
  return Buffer.from(bytes.buffer, bytes.byteOffset, end).toString('utf8');
}

function plain(v: unknown): unknown {
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) return Array.from(v, x => Number(x));
  if (typeof v === 'bigint') return Number(v);
  if (ArrayBuffer.isView(v) && (v as unknown as { length: number }).length === 1) return (v as unknown as ArrayLike<number>)[0];
  if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'string') return v[0];
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  return v;
}

function toNumericArray(v: unknown, file: string, p: string): NumericArray {
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) return Float64Array.from(v, x => Number(x));
  if (
    v instanceof Float32Array ||
    v instanceof Float64Array ||
    v instanceof Int8Array ||
    v instanceof Uint8Array ||
    v instanceof Int16Array ||
    v instanceof Uint16Array ||
    v instanceof Int32Array ||
    v instanceof Uint32Array
  ) {
    return v;
  }
  if (typeof v === 'number') return Float64Array.of(v);
  if (typeof v === 'bigint') return Float64Array.of(Number(v));
  throw new FormatError(file, `HDF5 dataset ${p}`, 0, `must hold numbers; got ${Array.isArray(v) ? 'an array of non-numbers' : typeof v}.`);
}

/**
 * A file on disk holding `src`'s bytes, for h5wasm (which reads files, not memory): the source's own
 * file when it was opened from a path (and still has its size), else a new temporary copy
 * (`tempPath`, which the caller must delete). Bytes are always copied — even when `src.name` is the
 * path of a file on disk that looks the same, that file is not what the caller handed over.
 */
export async function fileOnDisk(src: ByteSource): Promise<{ path: string; tempPath?: string }> {
  const own = await samePathOnDisk(src);
  if (own) return { path: own };
  const tempPath = path.join(os.tmpdir(), `lowdose-${process.pid}-${randomBytes(6).toString('hex')}.h5`);
  try {
    await copyToFile(src, tempPath);
  } catch (e) {
    await fsp.rm(tempPath, { force: true });
    throw e;
  }
  return { path: tempPath, tempPath };
}

/** The path of the file `src` was opened from, when it still holds `src.size` bytes. */
async function samePathOnDisk(src: ByteSource): Promise<string | undefined> {
  if (src.path === undefined) return undefined;
  try {
    const st = await fsp.stat(src.path);
    return st.isFile() && st.size === src.size ? path.resolve(src.path) : undefined;
  } catch {
    return undefined;
  }
}

/** Streams `src` into a new file in bounded chunks. */
async function copyToFile(src: ByteSource, dest: string): Promise<void> {
  const fh = await fsp.open(dest, 'wx', 0o600);
  try {
    const chunk = 16 * 2 ** 20;
    for (let at = 0; at < src.size; at += chunk) {
      const bytes = await src.read(at, Math.min(chunk, src.size - at), 'HDF5 bytes');
      await fh.write(bytes, 0, bytes.length, at);
    }
  } finally {
    await fh.close();
  }
}
