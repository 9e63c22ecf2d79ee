/**
 * The strain-aware fine stage of alignFrames (destrain.ts; issue #5): given the current positions,
 * every frame whose de-straining centre moved is resampled onto the reference strain on a lane
 * (motionTasks.destrain) and its alignment spectrum replaced, on the grown spot mask, in the shared
 * spectra every lane reads; Σ|S|² is updated here, in frame order (the same sums for any number of
 * lanes). The originals on the grown mask are kept (the crystal centre is measured on them).
 * Keys, IEEE Trans. ASSP 29, 1153 (1981), doi:10.1109/TASSP.1981.1163711.
 */
import { HalfLayout } from '../../registration/_internal/halfSpectrumDft';
import { Spectrum, unshiftFactors } from './alignCore';
import { Mat2, StrainTrack, dilateMask, latticeCentre, trackStrain } from './destrain';
import { Lanes, framePass } from './motionPool';

/** One frame to resample: its deformation onto the reference strain and the centre (px, in the frame). */
export interface DestrainJob {
  n: number;
  F: Mat2;
  centre: [number, number];
}

/** What {@link strainAwareSpectra} needs from alignFrames. */
export interface StrainAwareInput {
  /** The frames' alignment spectra: views of the lanes' shared buffer, replaced there on `where`. */
  spec: Spectrum[];
  /** Σ_n |S_n|² of the original `spec`. */
  power: Float64Array;
  layout: HalfLayout;
  spotMask: Uint8Array;
  rows: number;
  cols: number;
  /**
   * Resamples the frames of `jobs` (ascending n) and writes their alignment spectra at the flat
   * indices `where` into the shared spectra (alignFrames: {@link destrainOnLanes}).
   */
  resample(jobs: DestrainJob[], where: Int32Array): Promise<void>;
}

/** Spot-mask growth (elements) for the replacement: the de-strained spots' sidelobes. */
const GROW = 2;
/**
 * A frame is resampled again only when the move Δc of its resampling centre since it last was would
 * move its de-strained lattice by more than this (px): ‖(F_n − I)·Δc‖ — the old fixed 0.25 px rule's
 * bound at ±3.75 %. Frames near the reference strain are then not redone each time the crystal centre
 * estimate moves (1024² notebook-02 scene, seed 1: 144 → 98 resamplings per call; 512²: 150 → 133;
 * RMS vs truth within ±0.007 px on 16 + 8 seeds).
 */
const REDO_LATTICE_PX = 0.01;

/**
 * Σ_n S_n·unshift(p_n) at the flat indices `where` of the spot mask (0 elsewhere), from the original
 * spectra's values there (`orig`: frame n's at [n·W, (n + 1)·W)); the same operations per element
 * as alignCore.addShifted.
 */
export function alignedLatticeSum(orig: { re: Float32Array; im: Float32Array }, where: Int32Array, mask: Uint8Array, positions: Array<[number, number]>, layout: HalfLayout): { re: Float64Array; im: Float64Array } {
  const { rows, cols } = layout;
  const re = new Float64Array(rows * cols);
  const im = new Float64Array(rows * cols);
  const W = where.length;
  positions.forEach((p, n) => {
    const { ey, ex } = unshiftFactors(layout, p);
    for (let i = 0; i < W; i++) {
      const k = where[i];
      if (!mask[k]) continue;
      const r = (k / cols) | 0;
      const c = k - r * cols;
      const yr = ey[2 * r];
      const yi = ey[2 * r + 1];
      const fr = yr * ex[2 * c] - yi * ex[2 * c + 1];
      const fi = yr * ex[2 * c + 1] + yi * ex[2 * c];
      const a = orig.re[n * W + i];
      const b = orig.im[n * W + i];
      re[k] += a * fr - b * fi;
      im[k] += a * fi + b * fr;
    }
  });
  return { re, im };
}

/**
 * The fine stage's spectra for a deforming lattice: a function of the current positions that
 * replaces the frames' lattice frequencies by de-strained ones (in `spec`, shared with the lanes) and
 * returns their Σ|S|², or none when the lattice does not deform measurably (then nothing changes).
 * `track` (undefined without two strong spots) says why (alignFrames' `latticeStrain`).
 */
export function strainAwareSpectra(input: StrainAwareInput): { track?: StrainTrack; spectra?: (positions: Array<[number, number]>) => Promise<Float64Array> } {
  const { spec, power, layout, spotMask, rows, cols } = input;
  const track = trackStrain(spec, layout, power, spotMask, Math.min(rows, cols) / 2);
  if (!track?.deforms) return { track };
  const grown = dilateMask(spotMask, layout, GROW);
  let count = 0;
  for (let k = 0; k < grown.length; k++) if (grown[k]) count++;
  const where = new Int32Array(count);
  for (let k = 0, i = 0; k < grown.length; k++) if (grown[k]) where[i++] = k;
  const N = spec.length;
  const W = where.length;
  // the originals on the grown mask (the centre is measured on them) and the values now in `spec`
  const orig = { re: new Float32Array(N * W), im: new Float32Array(N * W) };
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < W; i++) {
      orig.re[n * W + i] = spec[n].re[where[i]];
      orig.im[n * W + i] = spec[n].im[where[i]];
    }
  }
  const pInc = Float64Array.from(power);
  const done: Array<[number, number] | undefined> = new Array(N);
  const spectra = async (positions: Array<[number, number]>): Promise<Float64Array> => {
    // the centre from the current positions (from coarse ones alone it was 0.4–1.5 px RMS worse in x)
    const centre = latticeCentre(alignedLatticeSum(orig, where, spotMask, positions, layout), positions, layout);
    const jobs: DestrainJob[] = [];
    for (let n = 0; n < N; n++) {
      const c: [number, number] = [centre[0] + positions[n][0], centre[1] + positions[n][1]];
      const d = done[n];
      const F = track.deformations[n];
      const moved = (dy: number, dx: number): number => Math.hypot((F[0][0] - 1) * dy + F[0][1] * dx, F[1][0] * dy + (F[1][1] - 1) * dx);
      if (!d || moved(c[0] - d[0], c[1] - d[1]) > REDO_LATTICE_PX) jobs.push({ n, F, centre: c });
    }
    // the values being replaced, per frame in order (the lanes overwrite them)
    const old = jobs.map(j => ({ re: Float32Array.from(where, k => spec[j.n].re[k]), im: Float32Array.from(where, k => spec[j.n].im[k]) }));
    await input.resample(jobs, where);
    jobs.forEach((j, i) => {
      done[j.n] = j.centre;
      const D = spec[j.n];
      const O = old[i];
      for (let q = 0; q < W; q++) {
        const k = where[q];
        pInc[k] += D.re[k] * D.re[k] + D.im[k] * D.im[k] - O.re[q] * O.re[q] - O.im[q] * O.im[q];
      }
    });
    return Float64Array.from(pInc);
  };
  return { track, spectra };
}

/**
 * alignFrames' {@link StrainAwareInput.resample}: the jobs' frames to their lanes (frame n to lane n
 * mod lanes, as in the spectra pass: it holds the frame's cached spectrum when n ≥ cacheFrom), those
 * before `cacheFrom` re-read from `frames` (others' buffers recycled).
 */
export function destrainOnLanes(
  lanesOf: Lanes,
  frames: () => AsyncIterable<{ index: number; data: Float32Array }>,
  cacheFrom: number,
  frameTotals: number[],
  tick: (done: number) => Promise<void>
): (jobs: DestrainJob[], where: Int32Array) => Promise<void> {
  return async (jobs, where) => {
    const byN = new Map(jobs.map(j => [j.n, j]));
    const lastRead = jobs.reduce((m, j) => (j.n < cacheFrom ? j.n : m), -1);
    async function* supply(): AsyncGenerator<{ index: number; data?: Float32Array }> {
      if (lastRead >= 0) {
        for await (const f of frames()) {
          if (byN.has(f.index)) yield f;
          else lanesOf.spares.put(f.data);
          if (f.index >= lastRead) break;
        }
      }
      for (const j of jobs) if (j.n >= cacheFrom) yield { index: j.n };
    }
    await framePass(lanesOf, supply(), 'destrain', (n, data) => ({ n, data, frameTotal: frameTotals[n], F: byN.get(n)?.F, centre: byN.get(n)?.centre, where }), tick);
  };
}
