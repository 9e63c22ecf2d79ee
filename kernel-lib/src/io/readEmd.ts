import { promises as fsp } from 'fs';
import { ValueError } from '../errors';
import { Dataset } from '../types/dataset';
import { ByteSource, openByteSource } from './_internal/byteSource';
import { datasetFromWire, EmdJob, readFrames, rehydrateSignal } from './_internal/emdJobs';
import { runEmdJob } from './_internal/emdWorker';
import { fileOnDisk, hasHdf5Signature, Hdf5File } from './_internal/h5';
import { lazyFromDataset, makeLazySource } from './_internal/lazySource';
import { FormatHandler } from './formats';
import { LazySource, PathOrBytes, ReadOptions } from './types';

/** Options of the EMD reader (also honoured by `io.read`, `io.readAll` and `io.open` for EMD files). */
export interface EmdReadOptions extends ReadOptions {
  /**
   * Seconds the HDF5 parse may take before the file is declared corrupt (a FormatError on field
   * 'HDF5 structure'). The parse runs in a worker thread that is terminated then, so a hostile
   * file cannot hang the caller. Default: 30 s plus 20 s per GiB of file.
   */
  timeoutS?: number;
}

/** The parse timeout for a file of `size` bytes, in milliseconds (validates `options.timeoutS`). */
function timeoutMs(options: ReadOptions, size: number, fn: string): number {
  const t = (options as EmdReadOptions).timeoutS;
  if (t === undefined) return Math.round((30 + (20 * size) / 2 ** 30) * 1000);
  if (typeof t !== 'number' || !Number.isFinite(t) || t <= 0) {
    throw new ValueError(`${fn}: options.timeoutS must be a positive number of seconds; got ${JSON.stringify(t)}.`);
  }
  return Math.max(1, Math.round(t * 1000));
}

/**
 * Runs a whole-file parse (`readAll` / `read`) of `src` in the EMD worker, on the source's own file
 * or a temporary copy (deleted afterwards, also when the parse timed out).
 */
async function parseInWorker(src: ByteSource, options: ReadOptions, op: 'readAll' | 'read', fn: string): Promise<Dataset[]> {
  const ms = timeoutMs(options, src.size, fn);
  const disk = await fileOnDisk(src);
  try {
    const job: EmdJob = { op, file: disk.path, name: src.name, size: src.size, signal: options.signal };
    const r = await runEmdJob(job, ms);
    if (r.op === 'readAll') return r.datasets.map(datasetFromWire);
    if (r.op === 'read') return [datasetFromWire(r.dataset)];
    throw new Error(`lowdose: the EMD worker answered ${r.op} to ${op}.`);
  } finally {
    if (disk.tempPath) await fsp.rm(disk.tempPath, { force: true });
  }
}

/**
 * Format handler for EMD files (HDF5): Thermo Fisher Velox EMD, Berkeley EMD v0.2 (NCEM, HyperSpy),
 * Prismatic EMD and EMD 1.0 (py4DSTEM/emdfile). Sniffs the HDF5 signature at 0, 512, 1024 or 2048.
 * `open` reads single frames / patterns through HDF5 hyperslabs, so a large 4D scan is not loaded.
 *
 * Every whole-file read, and the header / attribute parse of `open`, runs in a worker thread under
 * a timeout (`options.timeoutS`, see {@link EmdReadOptions}); only `open`'s frame reads run in the
 * calling thread, on datasets the worker has already parsed.
 */
export const emdFormat: FormatHandler = {
  name: 'emd',
  extensions: ['emd', 'h5', 'hdf5', 'hdf', 'he5'],
  sniff(head: Uint8Array): boolean {
    return hasHdf5Signature(head);
  },
  readAll(src: ByteSource, options: ReadOptions = {}): Promise<Dataset[]> {
    return parseInWorker(src, options, 'readAll', 'readAll');
  },
  async open(src: ByteSource, options: ReadOptions): Promise<LazySource> {
    // the header and attributes are parsed in the worker (under the timeout); this thread then
    // opens the file only to read frames through hyperslabs of the datasets the worker named
    const ms = timeoutMs(options, src.size, 'open');
    const disk = await fileOnDisk(src);
    let h: Hdf5File | undefined;
    try {
      const r = await runEmdJob({ op: 'open', file: disk.path, name: src.name, size: src.size, signal: options.signal }, ms);
      if (r.op !== 'open') throw new Error(`lowdose: the EMD worker answered ${r.op} to open.`);
      if ('whole' in r) {
        // spectra and event-stream spectrum images have no frames to stream: decoded whole
        const ds = datasetFromWire(r.whole);
        if (disk.tempPath) await fsp.rm(disk.tempPath, { force: true });
        await src.close();
        if (ds.data.shape.length < 2) {
          throw new ValueError(`open: options.signal must name an image-like signal (2 or more dimensions); got ${JSON.stringify(ds.metadata.title)} of shape [${ds.data.shape.join(', ')}]. Use io.read for spectra.`);
        }
        return lazyFromDataset(ds, src.name);
      }
      const file = await Hdf5File.openPath(disk.path, src.name, src.size, disk.tempPath);
      h = file;
      const s = rehydrateSignal(file, r.signal);
      return makeLazySource({
        name: src.name,
        shape: s.sig.shape,
        axes: s.sig.axes,
        metadata: r.metadata,
        dtype: s.sig.dtype,
        frameDims: 2,
        scan: s.sig.shape.length === 4,
        read: async (start, count) => readFrames(file, s, start, count),
        close: async () => {
          await file.close();
          await src.close();
        }
      });
    } catch (e) {
      // h owns the temporary copy once opened (its close deletes it)
      if (h) await h.close();
      else if (disk.tempPath) await fsp.rm(disk.tempPath, { force: true });
      throw e;
    }
  }
};

/**
 * Reads an EMD file: Thermo Fisher Velox (images, image series, complex FFT and DPC images, EDX
 * spectra and spectrum images decoded from the event streams), Berkeley EMD v0.2 (NCEM acquisition
 * files, HyperSpy-written files), Prismatic simulations (depth series stacked on a leading axis)
 * and EMD 1.0 / py4DSTEM files (4D-STEM data cubes).
 *
 * Orientation and order follow RosettaSciIO: Velox images come frames first `[frame, y, x]`;
 * Berkeley `data` arrays are returned transposed (HyperSpy writes `data.T`), Prismatic data cubes and
 * EMD 1.0 arrays as stored (`[Rx, Ry, Qx, Qy]`). Axes carry the file's calibration in lowdose units
 * (Velox metres → nm, 1/m → 1/nm; EMD `[n_m]` → nm, `[n_m^-1]` → 1/nm, `A^-1` → 1/A); metadata holds
 * voltageKV, pixelSizeA, detector, microscope, magnification, cameraLengthMm, dwell/frame times and
 * the acquisition date where recorded, and the file's JSON / attributes under `original`.
 *
 * The HDF5 parse runs in a worker thread (about 0.2 s to start one; a worker is kept for 10 s for
 * the next read) and is abandoned after `options.timeoutS`, so a corrupt or hostile file that would
 * make HDF5 loop forever gives a FormatError instead of a hang.
 *
 * @param pathOrBytes - file path or the file's bytes (bytes are copied to a temporary file for HDF5).
 * @param options - `signal`: index or title (e.g. 'HAADF', 'DPC', 'CBED_array') of the signal to
 *   return; default the first image-like one. `name` labels errors when reading bytes. `timeoutS`:
 *   how long the parse may take (default 30 s plus 20 s per GiB of file).
 * @returns the Dataset (complex Velox images: `data` real part, `imag` imaginary part).
 * @throws FormatError (file, field, offset) for a file h5wasm cannot read or a corrupt layout, and
 *   FormatError (file, 'HDF5 structure', 0) when the parse does not finish within `timeoutS`;
 *   ValueError when `signal` names no signal of the file or `timeoutS` is not a positive number.
 * @example
 * const haadf = await lowdose.io.readEmd('STEM HAADF Diffraction Micro.emd');
 * haadf.axes[1].scale;        // 87.37 (nm per pixel)
 * haadf.metadata.voltageKV;   // 300
 */
export async function readEmd(pathOrBytes: PathOrBytes, options: EmdReadOptions = {}): Promise<Dataset> {
  const src = await openByteSource(pathOrBytes, options.name);
  try {
    return (await parseInWorker(src, options, 'read', 'readEmd'))[0];
  } finally {
    await src.close();
  }
}

/**
 * Reads every signal of an EMD file, in RosettaSciIO's order.
 * @param options - `timeoutS` as in {@link readEmd}; `name` labels errors when reading bytes.
 * @example const all = await lowdose.io.readEmdAll('fei_example_dpc_titles.emd'); all.map(s => s.metadata.title);
 */
export async function readEmdAll(pathOrBytes: PathOrBytes, options: EmdReadOptions = {}): Promise<Dataset[]> {
  const src = await openByteSource(pathOrBytes, options.name);
  try {
    return await emdFormat.readAll(src, options);
  } finally {
    await src.close();
  }
}
