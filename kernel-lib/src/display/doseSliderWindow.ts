/**
 * The call the dose slider's "Insert as code" writes: the sum of the frames of one dose window.
 */
import ndarray from 'ndarray';
import { ShapeError, ValueError } from '../errors';
import type { LazySource } from '../io/types';
import { ShiftSum } from '../motion/_internal/shiftSum';
import { Dataset, NdArray, isDataset, makeDataset } from '../types/dataset';
import { frameSource } from '../motion/_internal/frameSource';

/** Options of {@link sumDoseWindow}. */
export interface SumDoseWindowOptions {
  /** First frame of the window, 0-based. */
  firstFrame: number;
  /** Last frame of the window, 0-based, inclusive. */
  lastFrame: number;
  /** Drift `[dy, dx]` per frame of the whole series, px (alignFrames' shiftsPx): frames are moved back by −shiftsPx (Fourier shift theorem) before summing. */
  shiftsPx?: ReadonlyArray<readonly [number, number]>;
}

/**
 * Sums frames `firstFrame..lastFrame` of a movie — the dose window chosen in the dose slider — with
 * optional drift correction by the Fourier shift theorem (science.md §1.7 step 6). Reads only the
 * window's frames from a lazy source. When the stack's metadata has `cumulativeDoseEPerA2` (e.g.
 * simulate.doseSeries), the result's metadata carries the window's dose range.
 *
 * @param stack - movie `[frame, row, col]`: ndarray, Dataset or lazy source (`io.open`).
 * @returns 2D Dataset (float32, the stack's y/x axes); metadata `firstFrame`, `lastFrame`, `frames`,
 *   and `doseStartEPerA2`/`doseEndEPerA2` (e⁻/Å², accumulated before the first and after the last frame) when known.
 * @throws ValueError for a window outside the series; ShapeError for a non-3D stack or wrong shiftsPx length.
 * @example
 * const w = await lowdose.display.sumDoseWindow(series, { firstFrame: 10, lastFrame: 19 });
 * w.metadata.doseEndEPerA2; // 14.34 for simulate.doseSeries' 0.717 e⁻/Å² frames
 */
export async function sumDoseWindow(stack: Dataset | NdArray | LazySource, options: SumDoseWindowOptions): Promise<Dataset> {
  const fn = 'sumDoseWindow';
  const src = frameSource(stack, fn);
  const { frameCount: n, rows, cols } = src;
  const { firstFrame: a, lastFrame: b } = options ?? ({} as SumDoseWindowOptions);
  if (!(Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b >= a && b < n)) {
    throw new ValueError(`${fn}: options.firstFrame and lastFrame must be frame indices with 0 ≤ first ≤ last < ${n}; got ${a} and ${b}.`);
  }
  const shifts = options.shiftsPx;
  if (shifts !== undefined && (!Array.isArray(shifts) || shifts.length !== n)) {
    throw new ShapeError(`${fn}: options.shiftsPx must hold one [dy, dx] per frame of the series (${n}); got ${Array.isArray(shifts) ? shifts.length : typeof shifts}.`);
  }
  const acc = shifts ? new ShiftSum(rows, cols) : null;
  const sum = new Float32Array(rows * cols);
  const add = (index: number, data: Float32Array): void => {
    if (acc && shifts) {
      acc.addFrame(data, [shifts[index][0], shifts[index][1]], 0, fn);
    } else {
      for (let k = 0; k < sum.length; k++) sum[k] += data[k];
    }
  };
  const lazy = !isDataset(stack) && typeof (stack as LazySource).frames === 'function' && !('data' in stack);
  if (lazy) {
    let index = a;
    for await (const chunk of (stack as LazySource).frames({ start: a, stop: b + 1, chunkSize: 1 })) {
      const d = chunk.data;
      const frames = d.shape.length === 3 ? d.shape[0] : 1;
      for (let f = 0; f < frames; f++) {
        const one = new Float32Array(rows * cols);
        for (let r = 0, k = 0; r < rows; r++) for (let c = 0; c < cols; c++, k++) one[k] = d.shape.length === 3 ? d.get(f, r, c) : d.get(r, c);
        add(index++, one);
      }
    }
  } else {
    for await (const f of src.frames(1)) {
      if (f.index > b) break;
      if (f.index >= a) add(f.index, f.data);
    }
  }
  const data = acc ? (acc.images().sum as Float32Array) : sum;
  const cumulative = src.metadata.cumulativeDoseEPerA2;
  const perFrame = src.metadata.doseEPerA2PerFrame;
  const dose: { doseStartEPerA2?: number; doseEndEPerA2?: number } = {};
  if (Array.isArray(cumulative) && cumulative.length === n && Array.isArray(perFrame) && perFrame.length === n) {
    dose.doseStartEPerA2 = (cumulative[a] as number) - (perFrame[a] as number);
    dose.doseEndEPerA2 = cumulative[b] as number;
  }
  return makeDataset(ndarray(data, [rows, cols]), {
    axes: src.axes.map(x => ({ ...x })),
    metadata: {
      title: `frames ${a}–${b}`,
      generator: 'lowdose.display.sumDoseWindow',
      firstFrame: a,
      lastFrame: b,
      frames: b - a + 1,
      aligned: Boolean(shifts),
      ...dose,
      signalUnits: typeof src.metadata.signalUnits === 'string' ? src.metadata.signalUnits : 'counts'
    }
  });
}
