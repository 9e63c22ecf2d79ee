import ndarray from 'ndarray';
import { ValueError } from '../errors';
import { Dataset, NdArray } from '../types/dataset';
import { ByteSource, openByteSource } from './_internal/byteSource';
import { EmdArraySignal, frameCountOf, listBerkeleySignals, readBerkeleyFrames } from './_internal/emdBerkeley';
import { decodeSpectrumImage, isVelox, listVeloxSignals, readVeloxFrames, VeloxSignal } from './_internal/emdVelox';
import { hasHdf5Signature, Hdf5File } from './_internal/h5';
import { lazyFromDataset, makeLazySource } from './_internal/lazySource';
import { selectSignal } from './_internal/selectSignal';
import { FormatHandler } from './formats';
import { LazySource, PathOrBytes, ReadOptions } from './types';

type AnySignal = { family: 'berkeley'; sig: EmdArraySignal } | { family: 'velox'; sig: VeloxSignal };

/** Lists the signals of an open EMD file (Velox or Berkeley/Prismatic/EMD 1.0), values unread. */
function listSignals(h: Hdf5File): AnySignal[] {
  if (isVelox(h)) return listVeloxSignals(h).map(sig => ({ family: 'velox' as const, sig }));
  return listBerkeleySignals(h).map(sig => ({ family: 'berkeley' as const, sig }));
}

function metadataOf(h: Hdf5File, s: AnySignal): Dataset['metadata'] {
  const base = s.family === 'berkeley' ? { sourceFormat: 'emd-berkeley', sourceDtype: s.sig.sourceDtype } : {};
  return { ...base, ...s.sig.metadata, sourceFile: h.name };
}

/** Reads frames [start, start + count) of a signal (the whole signal for 1-D data). */
function readFrames(h: Hdf5File, s: AnySignal, start: number, count: number) {
  if (s.family === 'berkeley') return { data: readBerkeleyFrames(h, s.sig, start, count) };
  if (s.sig.kind === 'spectrumImage') return { data: decodeSpectrumImage(h, s.sig) };
  return readVeloxFrames(h, s.sig, start, count);
}

function frameCount(s: AnySignal): number {
  if (s.family === 'berkeley') return frameCountOf(s.sig);
  return s.sig.kind === 'image' ? s.sig.frames : 1;
}

function readWhole(h: Hdf5File, s: AnySignal): Dataset {
  const { data, imag } = readFrames(h, s, 0, frameCount(s));
  const ds: Dataset = { data: ndarray(data, s.sig.shape) as NdArray, axes: s.sig.axes.map(a => ({ ...a })), metadata: metadataOf(h, s) };
  if (imag) ds.imag = ndarray(imag, s.sig.shape) as NdArray;
  return ds;
}

/**
 * Index of the signal `options.signal` names among `signals` (default: the first image-like one).
 * A Prismatic depth series is one stacked signal; naming one of its groups (`CBED_array_depth0001`)
 * selects that depth alone (appended to `signals`).
 */
function pickIndex(signals: AnySignal[], options: ReadOptions, file: string, fn: string): number {
  const want = options.signal;
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

/**
 * Format handler for EMD files (HDF5): Thermo Fisher Velox EMD, Berkeley EMD v0.2 (NCEM, HyperSpy),
 * Prismatic EMD and EMD 1.0 (py4DSTEM/emdfile). Sniffs the HDF5 signature at 0, 512, 1024 or 2048.
 * `open` reads single frames / patterns through HDF5 hyperslabs, so a large 4D scan is not loaded.
 */
export const emdFormat: FormatHandler = {
  name: 'emd',
  extensions: ['emd', 'h5', 'hdf5', 'hdf', 'he5'],
  sniff(head: Uint8Array): boolean {
    return hasHdf5Signature(head);
  },
  async readAll(src: ByteSource): Promise<Dataset[]> {
    const h = await Hdf5File.open(src);
    try {
      return listSignals(h).map(s => readWhole(h, s));
    } finally {
      await h.close();
    }
  },
  async open(src: ByteSource, options: ReadOptions): Promise<LazySource> {
    const h = await Hdf5File.open(src);
    try {
      const signals = listSignals(h);
      const s = signals[pickIndex(signals, options, h.name, 'open')];
      if (s.sig.shape.length < 2 || (s.family === 'velox' && s.sig.kind !== 'image')) {
        // spectra and event-stream spectrum images have no frames to stream: decode them whole
        const ds = readWhole(h, s);
        await h.close();
        await src.close();
        if (ds.data.shape.length < 2) {
          throw new ValueError(`open: options.signal must name an image-like signal (2 or more dimensions); got ${JSON.stringify(s.sig.title)} of shape [${s.sig.shape.join(', ')}]. Use io.read for spectra.`);
        }
        return lazyFromDataset(ds, h.name);
      }
      return makeLazySource({
        name: h.name,
        shape: s.sig.shape,
        axes: s.sig.axes,
        metadata: metadataOf(h, s),
        dtype: s.sig.dtype,
        frameDims: 2,
        scan: s.sig.shape.length === 4,
        read: async (start, count) => readFrames(h, s, start, count),
        close: async () => {
          await h.close();
          await src.close();
        }
      });
    } catch (e) {
      await h.close();
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
 * @param pathOrBytes - file path or the file's bytes (bytes are copied to a temporary file for HDF5).
 * @param options - `signal`: index or title (e.g. 'HAADF', 'DPC', 'CBED_array') of the signal to
 *   return; default the first image-like one. `name` labels errors when reading bytes.
 * @returns the Dataset (complex Velox images: `data` real part, `imag` imaginary part).
 * @throws FormatError (file, field, offset) for a file h5wasm cannot read or a corrupt layout;
 *   ValueError when `signal` names no signal of the file.
 * @example
 * const haadf = await lowdose.io.readEmd('STEM HAADF Diffraction Micro.emd');
 * haadf.axes[1].scale;        // 87.37 (nm per pixel)
 * haadf.metadata.voltageKV;   // 300
 */
export async function readEmd(pathOrBytes: PathOrBytes, options: ReadOptions = {}): Promise<Dataset> {
  const src = await openByteSource(pathOrBytes, options.name);
  try {
    const h = await Hdf5File.open(src);
    try {
      const signals = listSignals(h);
      return readWhole(h, signals[pickIndex(signals, options, h.name, 'readEmd')]);
    } finally {
      await h.close();
    }
  } finally {
    await src.close();
  }
}

/**
 * Reads every signal of an EMD file, in RosettaSciIO's order.
 * @example const all = await lowdose.io.readEmdAll('fei_example_dpc_titles.emd'); all.map(s => s.metadata.title);
 */
export async function readEmdAll(pathOrBytes: PathOrBytes, options: ReadOptions = {}): Promise<Dataset[]> {
  const src = await openByteSource(pathOrBytes, options.name);
  try {
    return await emdFormat.readAll(src, options);
  } finally {
    await src.close();
  }
}
