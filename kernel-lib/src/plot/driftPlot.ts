import { ShapeError, ValueError } from '../errors';
import { VegaLiteSpec, VEGALITE_V5_SCHEMA } from './linePlot';

/** Options of {@link driftPlot}. */
export interface DriftPlotOptions {
  /** Plot in pixels (default) or Å (needs `pixelSizeA`). */
  units?: 'px' | 'A';
  /** Pixel size, Å (for units 'A'). */
  pixelSizeA?: number;
  /** Raw measurements to show as hollow points (e.g. alignFrames' `measuredShiftsPx`), one per unit. */
  measuredShiftsPx?: ReadonlyArray<readonly [number, number]>;
  /** Frames of each measurement (e.g. alignFrames' `groups`, or inferred as one frame each). */
  measuredFrames?: ReadonlyArray<{ start: number; count: number }>;
  /** A reference trajectory (e.g. a simulation's true `shiftsPx`), drawn dashed. */
  truthShiftsPx?: ReadonlyArray<readonly [number, number]>;
  /** Colour the trajectory by accumulated dose (e⁻/Å², one per frame) instead of frame index. */
  doseEPerA2?: ArrayLike<number>;
  /** Default 'Drift trajectory'. */
  title?: string;
  /** Default 360 px. */
  width?: number;
  /** Default 360 px. */
  height?: number;
}

type Row = { frame: number; dx: number; dy: number; series: string; dose?: number };

/**
 * Drift trajectory of a movie as a Vega-Lite v5 spec (plain JSON): the path of `shiftsPx` in the
 * image plane — x to the right, y downward as in the image (design.md sign: content displacement of
 * frame i relative to frame 0) — with points coloured by frame (or dose), frame number in the
 * tooltip, optional raw measurements (hollow) and a reference trajectory (dashed).
 *
 * @param shiftsPx - `[dy, dx]` per frame, px (e.g. `alignFrames(...).shiftsPx`).
 * @param options - units, measurements, truth, dose colouring, size; see {@link DriftPlotOptions}.
 * @returns a layered Vega-Lite v5 spec.
 * @throws ShapeError for malformed shift lists; ValueError for units 'A' without a pixel size.
 * @example
 * const r = await lowdose.motion.alignFrames(movie);
 * lowdose.display.show(lowdose.plot.driftPlot(r.shiftsPx, { measuredShiftsPx: r.measuredShiftsPx, measuredFrames: r.groups }));
 */
export function driftPlot(shiftsPx: ReadonlyArray<readonly [number, number]>, options: DriftPlotOptions = {}): VegaLiteSpec {
  const fn = 'driftPlot';
  const check = (name: string, list: unknown): ReadonlyArray<readonly [number, number]> => {
    if (!Array.isArray(list) || !list.every(s => Array.isArray(s) && s.length === 2 && s.every(v => typeof v === 'number'))) {
      throw new ShapeError(`${fn}: ${name} must be a list of [dy, dx] pairs (px); got ${JSON.stringify(list)?.slice(0, 80)}.`);
    }
    return list as ReadonlyArray<readonly [number, number]>;
  };
  check('shiftsPx', shiftsPx);
  const units = options.units ?? 'px';
  if (units !== 'px' && units !== 'A') throw new ValueError(`${fn}: options.units must be 'px' or 'A'; got ${JSON.stringify(units)}.`);
  const p = options.pixelSizeA;
  if (units === 'A' && !(typeof p === 'number' && p > 0 && Number.isFinite(p))) {
    throw new ValueError(`${fn}: options.pixelSizeA must be a positive pixel size in Å for units 'A'; got ${String(p)}.`);
  }
  const scale = units === 'A' ? (p as number) : 1;
  const dose = options.doseEPerA2;
  if (dose && dose.length !== shiftsPx.length) throw new ShapeError(`${fn}: options.doseEPerA2 must hold one dose per frame (${shiftsPx.length}); got ${dose.length}.`);
  const rows = (list: ReadonlyArray<readonly [number, number]>, series: string, frameOf: (i: number) => number): Row[] =>
    list
      .map((s, i) => {
        const frame = frameOf(i);
        const row: Row = { frame, dx: s[1] * scale, dy: s[0] * scale, series };
        if (dose && Number.isFinite(dose[Math.round(frame)])) row.dose = dose[Math.round(frame)];
        return row;
      })
      .filter(r => Number.isFinite(r.dx) && Number.isFinite(r.dy));
  const u = units === 'A' ? 'Å' : 'px';
  const x = { field: 'dx', type: 'quantitative', title: `dx (${u}, right)`, scale: { zero: false } };
  const y = { field: 'dy', type: 'quantitative', title: `dy (${u}, down)`, scale: { zero: false, reverse: true } };
  const color = dose
    ? { field: 'dose', type: 'quantitative', title: 'dose (e⁻/Å²)', scale: { scheme: 'viridis' } }
    : { field: 'frame', type: 'quantitative', title: 'frame', scale: { scheme: 'viridis' } };
  const tooltip = [
    { field: 'frame', type: 'quantitative', title: 'frame' },
    { field: 'dx', type: 'quantitative', format: '.2f', title: `dx (${u})` },
    { field: 'dy', type: 'quantitative', format: '.2f', title: `dy (${u})` },
    ...(dose ? [{ field: 'dose', type: 'quantitative', format: '.3g', title: 'dose (e⁻/Å²)' }] : [])
  ];
  const layer: object[] = [];
  if (options.truthShiftsPx) {
    const t = check('options.truthShiftsPx', options.truthShiftsPx);
    layer.push({ data: { values: rows(t, 'reference', i => i) }, mark: { type: 'line', strokeDash: [4, 3], color: '#888' }, encoding: { x, y, order: { field: 'frame', type: 'quantitative' } } });
  }
  if (options.measuredShiftsPx) {
    const m = check('options.measuredShiftsPx', options.measuredShiftsPx);
    const f = options.measuredFrames;
    if (f && f.length !== m.length) throw new ShapeError(`${fn}: options.measuredFrames must match measuredShiftsPx (${m.length}); got ${f.length}.`);
    layer.push({
      data: { values: rows(m, 'measured', i => (f ? f[i].start + (f[i].count - 1) / 2 : i)) },
      mark: { type: 'point', filled: false, size: 40, opacity: 0.7 },
      encoding: { x, y, color, tooltip }
    });
  }
  const traj = rows(shiftsPx, 'trajectory', i => i);
  layer.push({ data: { values: traj }, mark: { type: 'line', color: '#4c78a8' }, encoding: { x, y, order: { field: 'frame', type: 'quantitative' } } });
  layer.push({ data: { values: traj }, mark: { type: 'point', filled: true, size: 30 }, encoding: { x, y, color, tooltip } });
  return {
    $schema: VEGALITE_V5_SCHEMA,
    title: options.title ?? 'Drift trajectory',
    width: options.width ?? 360,
    height: options.height ?? 360,
    layer
  };
}
