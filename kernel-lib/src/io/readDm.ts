// Gatan DigitalMicrograph DM3 / DM4 reader.
import { FormatError, ValueError } from '../errors';
import { Dataset } from '../types/dataset';
import { ByteSource, openByteSource } from './_internal/byteSource';
import { DmSignalPlan, planDmSignal } from './_internal/dmImage';
import { baseMetadata, dmFrameLayout, readDmDataset, readDmFrames } from './_internal/dmPixels';
import { widenedDtype } from './_internal/dtypes';
import { makeLazySource } from './_internal/lazySource';
import { DmFile, DmTagGroup, dmGet, isGroup, parseDmFile } from './_internal/dmTagTree';
import { FormatHandler } from './formats';
import { LazySource, PathOrBytes, ReadOptions } from './types';

interface DmParsed {
  dm: DmFile;
  plans: DmSignalPlan[];
}

/** Parses the tag tree and plans every image in the ImageList except the thumbnails. */
async function parseSignals(src: ByteSource): Promise<DmParsed> {
  const dm = await parseDmFile(src);
  const list = dmGet(dm.tags, 'ImageList');
  if (!isGroup(list) || Object.keys(list).length === 0) {
    throw new FormatError(src.name, 'ImageList', dm.offsets.get('ImageList') ?? 0, 'DM file must hold at least one image in its ImageList; it holds none.');
  }
  // As RosettaSciIO: skip the ImageList entries the root Thumbnails group points at (usually image 0).
  const thumbnails = new Set<number>();
  const thumbs = dmGet(dm.tags, 'Thumbnails');
  if (isGroup(thumbs)) {
    for (const t of Object.values(thumbs)) {
      const idx = isGroup(t) ? t.ImageIndex : undefined;
      if (typeof idx === 'number') thumbnails.add(idx);
    }
  }
  const keys = Object.keys(list).filter(k => {
    const m = /^TagGroup(\d+)$/.exec(k);
    return !(m && thumbnails.has(Number(m[1])));
  });
  if (keys.length === 0) {
    throw new FormatError(src.name, 'ImageList', 0, 'DM file must hold an image besides its thumbnail; it holds only the thumbnail.');
  }
  return { dm, plans: keys.map(k => planDmSignal(dm, src.name, k)) };
}

/** The tag tree as RosettaSciIO's original_metadata: the root tags with only this image in ImageList. */
function originalFor(parsed: DmParsed, plan: DmSignalPlan): DmTagGroup {
  const list = dmGet(parsed.dm.tags, 'ImageList') as DmTagGroup;
  return { ...parsed.dm.tags, ImageList: { TagGroup0: list[plan.imageKey] } };
}

/** Index of the plan `options.signal` names (index or title); default the first image-like one. */
function pickSignal(plans: DmSignalPlan[], options: ReadOptions, fn: string): number {
  const s = options.signal;
  if (typeof s === 'number') {
    if (!Number.isInteger(s) || s < 0 || s >= plans.length) {
      throw new ValueError(`${fn}: options.signal must be an integer in [0, ${plans.length - 1}] or a title; got ${s}.`);
    }
    return s;
  }
  if (typeof s === 'string') {
    let i = plans.findIndex(p => p.title === s);
    if (i < 0) i = plans.findIndex(p => p.title.toLowerCase() === s.toLowerCase());
    if (i < 0) {
      throw new ValueError(`${fn}: options.signal must be one of the titles ${JSON.stringify(plans.map(p => p.title))} or an index; got ${JSON.stringify(s)}.`);
    }
    return i;
  }
  const i = plans.findIndex(p => p.imageLike);
  return i < 0 ? 0 : i;
}

async function readAllDm(src: ByteSource): Promise<Dataset[]> {
  const parsed = await parseSignals(src);
  const out: Dataset[] = [];
  for (const plan of parsed.plans) out.push(await readDmDataset(src, plan, originalFor(parsed, plan)));
  return out;
}

async function openDmSource(src: ByteSource, options: ReadOptions): Promise<LazySource> {
  const parsed = await parseSignals(src);
  const plan = parsed.plans[pickSignal(parsed.plans, options, 'openDm')];
  const layout = dmFrameLayout(plan);
  return makeLazySource({
    name: src.name,
    shape: plan.shape.slice(),
    axes: plan.axes.map(a => ({ ...a })),
    metadata: { ...baseMetadata(plan), original: originalFor(parsed, plan) },
    dtype: widenedDtype(plan.fileDtype),
    frameDims: plan.axes.length - layout.coreNdim + Math.min(2, layout.coreNdim),
    scan: layout.coreNdim === 4,
    async read(start, count) {
      const px = await readDmFrames(src, plan, layout, start, count);
      return { data: px.re, imag: px.im };
    },
    close: () => src.close()
  });
}

/**
 * Reads a Gatan DigitalMicrograph DM3 or DM4 file.
 *
 * Arrays come out as RosettaSciIO returns them: slowest axis first (DM lists dimensions fastest
 * first), length-1 axes squeezed, spectrum images with the energy axis last, RGB(A) images with a
 * last channel axis of 4 (R, G, B, A), complex data as `data` (real) plus `imag`, bool as 0/1 uint8.
 * Axis calibration: offset = −Origin·Scale, units mapped onto lowdose's list ('µm' → 'um',
 * 'Å' → 'A', 'pm' → 'A' ×0.01). Thumbnails are skipped.
 *
 * @param pathOrBytes - file path, or the file's bytes (name them with `options.name`).
 * @param options - `signal`: index or title of the image to return when the file holds several
 *   (default: the first image-like one); `name`: label for errors when reading bytes.
 * @returns the Dataset, with normalised metadata (voltageKV, magnification, cameraLengthMm,
 *   exposureS, dwellTimeS, detector, microscope, acquisitionDate, title, …) and the whole tag tree
 *   under `metadata.original`.
 * @throws FormatError naming file, tag and byte offset for a wrong version, truncated or hostile file.
 * @throws ValueError when `options.signal` names no image in the file.
 * @example
 * const img = await lowdose.io.readDm('stem.dm4');
 * console.log(img.data.shape, img.axes[1].scale, img.axes[1].units, img.metadata.voltageKV);
 */
export async function readDm(pathOrBytes: PathOrBytes, options: ReadOptions = {}): Promise<Dataset> {
  const src = await openByteSource(pathOrBytes, options.name);
  try {
    const parsed = await parseSignals(src);
    const plan = parsed.plans[pickSignal(parsed.plans, options, 'readDm')];
    return await readDmDataset(src, plan, originalFor(parsed, plan));
  } finally {
    await src.close();
  }
}

/**
 * Opens a DM3/DM4 file lazily: the tag tree is parsed, pixels are read per frame (the leading
 * axes of the returned shape, flattened) by byte offset, so a stack larger than memory streams.
 *
 * @param pathOrBytes - file path or bytes.
 * @param options - as {@link readDm}.
 * @returns a LazySource; call `close()` when done.
 * @throws FormatError as {@link readDm}.
 * @example
 * const stack = await lowdose.io.openDm('tilt-series.dm4');
 * for await (const f of stack.frames()) console.log(f.metadata.frameIndex, f.data.shape);
 * await stack.close();
 */
export async function openDm(pathOrBytes: PathOrBytes, options: ReadOptions = {}): Promise<LazySource> {
  const src = await openByteSource(pathOrBytes, options.name);
  try {
    return await openDmSource(src, options);
  } catch (e) {
    await src.close();
    throw e;
  }
}

/** True when `head` starts like a DM3/DM4 file: version 3 or 4, a byte-order flag, a root tag group. */
function sniffDm(head: Uint8Array): boolean {
  if (head.length < 27) return false;
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const version = v.getInt32(0, false);
  if (version !== 3 && version !== 4) return false;
  const at = version === 3 ? 8 : 12;
  const flag = v.getInt32(at, false);
  const sorted = head[at + 4];
  const open = head[at + 5];
  const count = version === 3 ? v.getInt32(at + 6, false) : v.getUint32(at + 6, false) === 0 ? v.getUint32(at + 10, false) : -1;
  const firstKind = head[at + 6 + (version === 3 ? 4 : 8)];
  return (flag === 0 || flag === 1) && sorted <= 1 && open <= 1 && count > 0 && count < 1_000_000 && (firstKind === 20 || firstKind === 21);
}

/**
 * The DM3/DM4 {@link FormatHandler}: sniffs the header (version 3 or 4, byte-order flag, root tag
 * group), reads every image but the thumbnails (`readAll`) and opens stacks lazily (`open`).
 * `io.read`, `io.readAll` and `io.open` use it; call it directly to skip format detection.
 * @example
 * const src = await lowdose.io.openByteSource('stack.dm4');
 * const [first] = await lowdose.io.dmFormat.readAll(src, {});
 * await src.close();
 */
export const dmFormat: FormatHandler = {
  name: 'dm',
  extensions: ['dm3', 'dm4'],
  sniff: head => sniffDm(head),
  readAll: src => readAllDm(src),
  open: (src, options) => openDmSource(src, options)
};
