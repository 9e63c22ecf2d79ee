// Reading DM pixels: the whole image, or single frames (and chunks of frames) by byte offset.
import ndarray from 'ndarray';
import { Axis, Dataset, Metadata, NumericArray } from '../../types/dataset';
import { ByteSource } from './byteSource';
import { DmPixels, DmSignalPlan, decodeDmPixels } from './dmImage';

/** Largest byte span read in one go when gathering a spectrum-image frame from strided runs. */
const GATHER_SPAN_BYTES = 64 * 1024 * 1024;

const dataField = (plan: DmSignalPlan) => `ImageList.${plan.imageKey}.ImageData.Data`;

/** Geometry of frames: the leading axes of the returned shape, flattened, index frames. */
export interface DmFrameLayout {
  /** Returned axes without the RGB(A) channel axis. */
  coreNdim: number;
  frameCount: number;
  /** Returned pixels per frame (without channels). */
  framePixels: number;
  /** Stored pixels per frame (packed FFTs store fewer). */
  storedFramePixels: number;
}

/** Frame geometry of a plan. */
export function dmFrameLayout(plan: DmSignalPlan): DmFrameLayout {
  const channels = plan.kind === 'rgba' ? 1 : 0;
  const coreNdim = plan.axes.length - channels;
  const frameNdim = Math.min(2, coreNdim);
  const core = plan.shape.slice(0, coreNdim);
  const frameCount = core.slice(0, coreNdim - frameNdim).reduce((a, b) => a * b, 1);
  const framePixels = core.slice(coreNdim - frameNdim).reduce((a, b) => a * b, 1);
  const storedTotal = plan.storedShape.reduce((a, b) => a * b, 1);
  return {
    coreNdim,
    frameCount,
    framePixels,
    storedFramePixels: storedTotal / frameCount
  };
}

/** Reads and decodes the whole image of a plan into a Dataset. */
export async function readDmDataset(src: ByteSource, plan: DmSignalPlan, original: unknown): Promise<Dataset> {
  const bytes = await src.read(plan.dataOffset, plan.dataBytes, dataField(plan));
  const storedPixels = plan.storedShape.reduce((a, b) => a * b, 1);
  let px = decodeDmPixels(bytes, plan, storedPixels);
  if (plan.moveFirstToLast) px = moveFirstToLast(px, plan.storedShape[0]);
  return toDataset(px, plan, plan.shape, plan.axes, { ...baseMetadata(plan), original });
}

/** Reads `count` frames starting at `start` (contiguous in the returned order) as one pixel block. */
export async function readDmFrames(src: ByteSource, plan: DmSignalPlan, layout: DmFrameLayout, start: number, count: number): Promise<DmPixels> {
  if (!plan.moveFirstToLast) {
    const frameBytes = layout.storedFramePixels * plan.pixelBytes;
    const bytes = await src.read(plan.dataOffset + start * frameBytes, count * frameBytes, dataField(plan));
    return decodeDmPixels(bytes, plan, count * layout.storedFramePixels);
  }
  // Spectrum image: stored (E, …, x), returned (…, x, E); a frame is P positions × E channels,
  // stored as E runs of P consecutive positions, one per energy channel.
  const E = plan.storedShape[0];
  const R = plan.storedShape.reduce((a, b) => a * b, 1) / E;
  const P = (layout.framePixels / E) * count;
  const p0 = start * (layout.framePixels / E);
  const runBytes = P * plan.pixelBytes;
  const span = ((E - 1) * R + P) * plan.pixelBytes;
  const runs: DmPixels[] = [];
  if (span <= GATHER_SPAN_BYTES) {
    const all = await src.read(plan.dataOffset + p0 * plan.pixelBytes, span, dataField(plan));
    for (let e = 0; e < E; e++) runs.push(decodeDmPixels(all.subarray(e * R * plan.pixelBytes, e * R * plan.pixelBytes + runBytes), plan, P));
  } else {
    for (let e = 0; e < E; e++) {
      const bytes = await src.read(plan.dataOffset + (e * R + p0) * plan.pixelBytes, runBytes, dataField(plan));
      runs.push(decodeDmPixels(bytes, plan, P));
    }
  }
  const gather = (part: (r: DmPixels) => NumericArray): NumericArray => {
    const first = part(runs[0]);
    const out = new (first.constructor as { new (n: number): NumericArray })(P * E);
    for (let e = 0; e < E; e++) {
      const run = part(runs[e]);
      for (let p = 0; p < P; p++) out[p * E + e] = run[p];
    }
    return out;
  };
  const re = gather(r => r.re);
  return runs[0].im ? { re, im: gather(r => r.im as NumericArray) as Float32Array | Float64Array } : { re };
}

function toDataset(px: DmPixels, plan: DmSignalPlan, shape: number[], axes: Axis[], metadata: Metadata): Dataset {
  const ds: Dataset = { data: ndarray(px.re, shape), axes, metadata };
  if (px.im) ds.imag = ndarray(px.im, shape);
  return ds;
}

/** Normalised metadata of a plan plus its warnings, when there are any. */
export function baseMetadata(plan: DmSignalPlan): Metadata {
  return plan.warnings.length ? { ...plan.metadata, warnings: plan.warnings.slice() } : { ...plan.metadata };
}

function moveFirstToLast(px: DmPixels, first: number): DmPixels {
  const t = (a: NumericArray): NumericArray => {
    const rest = a.length / first;
    const out = new (a.constructor as { new (n: number): NumericArray })(a.length);
    for (let e = 0; e < first; e++) for (let p = 0; p < rest; p++) out[p * first + e] = a[e * rest + p];
    return out;
  };
  return px.im ? { re: t(px.re), im: t(px.im) as Float32Array | Float64Array } : { re: t(px.re) };
}
