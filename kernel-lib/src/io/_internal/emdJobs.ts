// What the EMD parsing worker (emdWorker.ts) does with a file, and the plain ("wire") forms its
// results travel in: ndarrays and h5wasm objects cannot be structured-cloned, so Datasets go as
// `{shape, dtype, buffer, axes, metadata, imagBuffer?}` (buffers transferred, not copied) and the
// signals of a lazily opened file as their descriptions with dataset *paths*, re-opened by path in
// the main thread (rehydrateSignal). Errors go as plain records and come back as the same typed
// errors (FormatError with file, field and offset).
import ndarray from 'ndarray';
import { CalibrationError, FormatError, LowdoseError, ShapeError, ValueError } from '../../errors';
import { Dataset, Metadata, NdArray, NumericArray } from '../../types/dataset';
import { ReadOptions } from '../types';
import { EmdArraySignal, frameCountOf, listBerkeleySignals, readBerkeleyFrames } from './emdBerkeley';
import { decodeSpectrumImage, isVelox, listVeloxSignals, readVeloxFrames, VeloxSignal } from './emdVelox';
import { H5Dataset, Hdf5File } from './h5';
import { selectSignal } from './selectSignal';

export type AnySignal = { family: 'berkeley'; sig: EmdArraySignal } | { family: 'velox'; sig: VeloxSignal };

/** Lists the signals of an open EMD file (Velox or Berkeley/Prismatic/EMD 1.0), values unread. */
export function listSignals(h: Hdf5File): AnySignal[] {
  const signals: AnySignal[] = isVelox(h)
    ? listVeloxSignals(h).map(sig => ({ family: 'velox' as const, sig }))
    : listBerkeleySignals(h).map(sig => ({ family: 'berkeley' as const, sig }));
  if (!signals.length) throw new FormatError(h.name, 'EMD signals', 0, 'must hold at least one readable signal (a Velox /Data entry, an emd_group_type=1 group or an EMD 1.0 array); got none — the file is corrupt or not an EMD file.');
  return signals;
}

export function metadataOf(name: string, s: AnySignal): Metadata {
  const base = s.family === 'berkeley' ? { sourceFormat: 'emd-berkeley', sourceDtype: s.sig.sourceDtype } : {};
  return { ...base, ...s.sig.metadata, sourceFile: name };
}

/** Reads frames [start, start + count) of a signal (the whole signal for 1-D data). */
export function readFrames(h: Hdf5File, s: AnySignal, start: number, count: number): { data: NumericArray; imag?: NumericArray } {
  if (s.family === 'berkeley') return { data: readBerkeleyFrames(h, s.sig, start, count) };
  if (s.sig.kind === 'spectrumImage') return { data: decodeSpectrumImage(h, s.sig) };
  return readVeloxFrames(h, s.sig, start, count);
}

function frameCount(s: AnySignal): number {
  if (s.family === 'berkeley') return frameCountOf(s.sig);
  return s.sig.kind === 'image' ? s.sig.frames : 1;
}

export function readWhole(h: Hdf5File, s: AnySignal): Dataset {
  const { data, imag } = readFrames(h, s, 0, frameCount(s));
  const ds: Dataset = { data: ndarray(data, s.sig.shape) as NdArray, axes: s.sig.axes.map(a => ({ ...a })), metadata: metadataOf(h.name, s) };
  if (imag) ds.imag = ndarray(imag, s.sig.shape) as NdArray;
  return ds;
}

/** True when `open` must decode the signal whole (spectra, event-stream spectrum images: no frames to stream). */
export function readWholeOnOpen(s: AnySignal): boolean {
  return s.sig.shape.length < 2 || (s.family === 'velox' && s.sig.kind !== 'image');
}

/**
 * Index of the signal `signal` names among `signals` (default: the first image-like one).
 * A Prismatic depth series is one stacked signal; naming one of its groups (`CBED_array_depth0001`)
 * selects that depth alone (appended to `signals`).
 */
export function pickIndex(signals: AnySignal[], want: ReadOptions['signal'], file: string, fn: string): number {
  if (typeof want === 'string' && !signals.some(s => s.sig.title === want)) {
    for (const s of signals) {
      if (s.family !== 'berkeley' || s.sig.datasets.length < 2) continue;
      const i = s.sig.datasets.findIndex(d => d.path.split('/').slice(-2, -1)[0] === want);
      if (i >= 0) {
        const one: EmdArraySignal = {
          ...s.sig,
          title: want,
          datasets: [s.sig.datasets[i]],
          shape: s.sig.shape.slice(1),
          axes: s.sig.axes.slice(1),
          metadata: { ...s.sig.metadata, title: want }
        };
        signals.push({ family: 'berkeley', sig: one });
        return signals.length - 1;
      }
    }
  }
  // selectSignal looks at titles and shapes only: give it light stand-ins for the unread signals
  const stand = signals.map((s, i) => ({
    data: { shape: s.sig.shape } as unknown as NdArray,
    axes: s.sig.axes,
    metadata: { title: s.sig.title, index: i }
  }));
  return selectSignal(stand, want, fn, file).metadata.index as number;
}

// ---------------------------------------------------------------------------------------------
// Wire forms

/** A Dataset as it crosses the worker boundary. */
export interface WireDataset {
  shape: number[];
  /** Constructor name of the typed array ('Float32Array', …). */
  dtype: string;
  buffer: ArrayBuffer;
  axes: Dataset['axes'];
  metadata: Metadata;
  imagBuffer?: ArrayBuffer;
}

const CTORS: { [name: string]: new (b: ArrayBuffer) => NumericArray } = {
  Float32Array,
  Float64Array,
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array
};

/** The typed array's own buffer when it spans it exactly (then it can be transferred), else a copy. */
function ownBuffer(a: NumericArray): ArrayBuffer {
  const b = a.buffer;
  if (b instanceof ArrayBuffer && a.byteOffset === 0 && a.byteLength === b.byteLength) return b;
  return a.slice().buffer as ArrayBuffer;
}

export function datasetToWire(ds: Dataset, transfer: Set<ArrayBuffer>): WireDataset {
  const data = ds.data.data as NumericArray;
  const w: WireDataset = { shape: ds.data.shape.slice(), dtype: data.constructor.name, buffer: ownBuffer(data), axes: ds.axes, metadata: ds.metadata };
  transfer.add(w.buffer);
  if (ds.imag) {
    w.imagBuffer = ownBuffer(ds.imag.data as NumericArray);
    transfer.add(w.imagBuffer);
  }
  return w;
}

export function datasetFromWire(w: WireDataset): Dataset {
  const Ctor = CTORS[w.dtype];
  if (!Ctor) throw new Error(`lowdose: the EMD worker sent an unknown array type ${JSON.stringify(w.dtype)}.`);
  const ds: Dataset = { data: ndarray(new Ctor(w.buffer), w.shape) as NdArray, axes: w.axes, metadata: w.metadata };
  if (w.imagBuffer) ds.imag = ndarray(new Ctor(w.imagBuffer), w.shape) as NdArray;
  return ds;
}

/** A signal description with its h5wasm datasets replaced by their paths in the file. */
export type WireSignal =
  | { family: 'berkeley'; sig: Omit<EmdArraySignal, 'datasets'> & { datasetPaths: string[] } }
  | { family: 'velox'; sig: Omit<VeloxSignal, 'dataset' | 'streams'> & { datasetPath?: string; streamPaths?: string[] } };

export function signalToWire(s: AnySignal): WireSignal {
  if (s.family === 'berkeley') {
    const { datasets, ...rest } = s.sig;
    return { family: 'berkeley', sig: { ...rest, datasetPaths: datasets.map(d => d.path) } };
  }
  const { dataset, streams, ...rest } = s.sig;
  return { family: 'velox', sig: { ...rest, datasetPath: dataset?.path, streamPaths: streams?.map(d => d.path) } };
}

/** Re-opens the datasets of a signal the worker described, in `h` (the same file, opened here). */
export function rehydrateSignal(h: Hdf5File, w: WireSignal): AnySignal {
  const open = (p: string): H5Dataset => {
    const d = h.dataset(p);
    if (!d) throw new FormatError(h.name, `HDF5 dataset ${p}`, 0, 'must be readable as it was when the file was parsed; got none.');
    return d;
  };
  if (w.family === 'berkeley') {
    const { datasetPaths, ...rest } = w.sig;
    return { family: 'berkeley', sig: { ...rest, datasets: datasetPaths.map(open) } };
  }
  const { datasetPath, streamPaths, ...rest } = w.sig;
  return { family: 'velox', sig: { ...rest, dataset: datasetPath === undefined ? undefined : open(datasetPath), streams: streamPaths?.map(open) } };
}

/** An error as it crosses the worker boundary. */
export interface WireError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  file?: string;
  field?: string;
  offset?: number;
}

export function errorToWire(e: unknown): WireError {
  if (e instanceof FormatError) return { name: 'FormatError', message: e.message, stack: e.stack, code: e.code, file: e.file, field: e.field, offset: e.offset };
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack, code: (e as { code?: unknown }).code === undefined ? undefined : String((e as { code?: unknown }).code) };
  return { name: 'Error', message: String(e) };
}

/** The same typed error in this thread; the worker's stack is appended to this thread's. */
export function errorFromWire(w: WireError): Error {
  let e: Error;
  if (w.name === 'FormatError' && w.file !== undefined && w.field !== undefined && w.offset !== undefined) {
    const prefix = `${w.file}: ${w.field} at byte ${w.offset}: `;
    e = new FormatError(w.file, w.field, w.offset, w.message.startsWith(prefix) ? w.message.slice(prefix.length) : w.message);
  } else if (w.name === 'ValueError') e = new ValueError(w.message);
  else if (w.name === 'ShapeError') e = new ShapeError(w.message);
  else if (w.name === 'CalibrationError') e = new CalibrationError(w.message);
  else if (w.code !== undefined && w.name !== 'Error') {
    e = new LowdoseError(w.code, w.message);
    e.name = w.name;
  } else {
    const Ctor = w.name === 'RangeError' ? RangeError : w.name === 'TypeError' ? TypeError : Error;
    e = new Ctor(w.message);
    if (e.name !== w.name) e.name = w.name;
  }
  const workerFrames = (w.stack ?? '').split('\n').filter(l => /^\s+at /.test(l));
  if (workerFrames.length && e.stack) e.stack = `${e.stack}\n    --- in the EMD parsing worker ---\n${workerFrames.join('\n')}`;
  return e;
}

// ---------------------------------------------------------------------------------------------
// Jobs

/**
 * A parse the worker runs on a file on disk (`file`: the source's path or a temporary copy;
 * `name`: the label errors and metadata carry; `size`: the source's size, for read-size checks).
 * - `readAll`: every signal, read whole (io.readAll / io.read / readEmdAll);
 * - `read`: the signal `signal` selects, read whole (readEmd);
 * - `open`: the metadata of the signal `signal` selects (io.open), or the whole signal when it has
 *   no frames to stream.
 */
export interface EmdJob {
  op: 'readAll' | 'read' | 'open';
  file: string;
  name: string;
  size: number;
  signal?: ReadOptions['signal'];
}

export type EmdJobResult =
  | { op: 'readAll'; datasets: WireDataset[] }
  | { op: 'read'; dataset: WireDataset }
  | { op: 'open'; whole: WireDataset }
  | { op: 'open'; signal: WireSignal; metadata: Metadata };

/** Runs a job in this thread (the worker calls it); `transfer` collects the buffers to move. */
export async function runEmdJobHere(job: EmdJob, transfer: Set<ArrayBuffer>): Promise<EmdJobResult> {
  const h = await Hdf5File.openPath(job.file, job.name, job.size);
  try {
    const signals = listSignals(h);
    if (job.op === 'readAll') return { op: 'readAll', datasets: signals.map(s => datasetToWire(readWhole(h, s), transfer)) };
    const s = signals[pickIndex(signals, job.signal, h.name, job.op === 'read' ? 'readEmd' : 'open')];
    if (job.op === 'read') return { op: 'read', dataset: datasetToWire(readWhole(h, s), transfer) };
    if (readWholeOnOpen(s)) return { op: 'open', whole: datasetToWire(readWhole(h, s), transfer) };
    return { op: 'open', signal: signalToWire(s), metadata: metadataOf(h.name, s) };
  } finally {
    await h.close();
  }
}
