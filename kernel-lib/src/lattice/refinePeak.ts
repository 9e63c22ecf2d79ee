/**
 * Sub-pixel refinement of one FFT spot by an upsampled DFT of the source image (science.md §1.5).
 */
import { ValueError } from '../errors';
import { Dataset, NdArray, toDense2d } from '../types/dataset';
import { PowerSpectrum, WindowName, isPowerSpectrum, powerSpectrum } from '../fft/powerSpectrum';
import { WINDOW_NAMES, apodize } from '../fft/_internal/apodize';
import { matrixDft } from '../registration/matrixDft';
import { Grid, SnrSettings, SpotStat, annulusOffsets, gridOf, spotStat } from './_internal/spotStats';

/** The Friedel mate −g of a spot (|F(−g)| = |F(g)| for a real image: not an independent observation). */
export interface FriedelMate {
  kxInvA: number;
  kyInvA: number;
  angleDeg: number;
}

/** One refined FFT spot. Reciprocal vectors in 1/Å without 2π, array frame (kx along columns, ky along rows, downward). */
export interface Peak {
  kxInvA: number;
  kyInvA: number;
  /** d = 1/|g|, Å. */
  dA: number;
  /** |g|, 1/Å. */
  gInvA: number;
  /** atan2(ky, kx), degrees in (−180, 180]. */
  angleDeg: number;
  /** Background-subtracted integrated power Σ_W|F|² − n_W·P̂ over the box W (power units of the spectrum, counts² for counts). */
  intensity: number;
  /** Spot SNR S = (Σ_W|F|² − n_W·P̂)/(P̂·√V_W) (science.md §1.6; see {@link findPeaks}). */
  snr: number;
  /** P̂: local noise power (annulus median / ln 2), power units. */
  noisePower: number;
  friedelMate: FriedelMate;
  /** Refined position in the (fftshifted) spectrum array, fractional pixels. */
  positionPx: { row: number; col: number };
  /** 'upsampled-dft' (of the source), 'parabolic' (on the spectrum, when it has no source) or 'none' (pixel centre). */
  refinedBy: 'upsampled-dft' | 'parabolic' | 'none';
}

/** Options shared by {@link refinePeak} and `findPeaks`. */
export interface RefineOptions {
  /** Pixel size, Å, when an image without calibration is given (see fft.powerSpectrum). */
  pixelSizeA?: number;
  /** Window of the spectrum computed when an image is given (default 'hann'). */
  window?: WindowName;
  /** Box W of the SNR: 3 (3×3, default) or 5 (5×5) pixels. */
  boxPx?: 3 | 5;
  /** Inner and outer radius of the background annulus, pixels (default [4, 12]: ~400 pixels, so P̂ is known to ~7 %). */
  annulusPx?: [number, number];
  /** Final step of the upsampled-DFT search is ≤ 1/upsampleFactor px (default 400; science.md §1.5 asks u ≥ 50). */
  upsampleFactor?: number;
  /** Window applied to the source before the upsampled DFT (default 'hann': sidelobes fall as 1/Δk³, so neighbouring spots pull least). */
  refineWindow?: WindowName;
}

/** Options of {@link refinePeak}. */
export interface RefinePeakOptions extends RefineOptions {
  /** The start snaps to the largest 3×3 box sum within this many pixels (default 3). */
  searchRadiusPx?: number;
}

/** A start position: a reciprocal vector (1/Å) or a click on the spectrum (fftshifted array indices). */
export type PeakStart = { kxInvA: number; kyInvA: number } | { row: number; col: number };

/** Everything refinement needs, prepared once per spectrum. */
export interface RefineContext {
  ps: PowerSpectrum;
  grid: Grid;
  snr: SnrSettings;
  offsets: Int32Array;
  /** The apodised, mean-subtracted source (rows × cols; computed on first use), or null when the spectrum has no usable source. */
  source: () => Float64Array | null;
  upsampleFactor: number;
}

/**
 * Refines one spot: snaps the start to the strongest 3×3 box within `searchRadiusPx`, then finds the
 * maximum of the continuous |F(k)|² of the apodised source by upsampled DFTs (Guizar-Sicairos,
 * Thurman & Fienup, Opt. Lett. 33, 156 (2008), doi:10.1364/OL.33.000156) on 3×3 grids of shrinking
 * step (1/20, 1/400, … ≤ 1/upsampleFactor px) starting at the log-power parabola of the pixel grid,
 * each recentred on the vertex of a least-squares quadratic. Parabolic refinement of the windowed
 * power spectrum alone is biased ~0.1 % (science.md §1.5). Without a source (a spectrum not made by fft.powerSpectrum) a quadratic fit of log power on
 * the pixel grid is used and `refinedBy` says 'parabolic'.
 *
 * @param psOrImage - a PowerSpectrum (fft.powerSpectrum) or a 2D image (its spectrum is computed).
 * @param start - `{kxInvA, kyInvA}` (e.g. from `lattice.spots`) or a click `{row, col}` on the spectrum.
 * @param options - see {@link RefinePeakOptions}.
 * @returns the refined {@link Peak} (not moved to a canonical half-plane: clicking −g refines −g).
 * @throws ValueError for a bad start or options; CalibrationError when an image has no pixel size.
 * @example
 * const ps = lowdose.fft.powerSpectrum(img);
 * lowdose.lattice.refinePeak(ps, { kxInvA: 0.213, kyInvA: 0 }).dA; // 4.695
 */
export function refinePeak(psOrImage: PowerSpectrum | Dataset | NdArray, start: PeakStart, options: RefinePeakOptions = {}): Peak {
  const fn = 'refinePeak';
  const ctx = refineContext(psOrImage, options, fn);
  const { grid } = ctx;
  let row: number;
  let col: number;
  const s = start as { kxInvA?: number; kyInvA?: number; row?: number; col?: number };
  if (s && typeof s.kxInvA === 'number' && typeof s.kyInvA === 'number' && Number.isFinite(s.kxInvA) && Number.isFinite(s.kyInvA)) {
    row = s.kyInvA / grid.sy + grid.r0;
    col = s.kxInvA / grid.sx + grid.c0;
  } else if (s && typeof s.row === 'number' && typeof s.col === 'number' && Number.isFinite(s.row) && Number.isFinite(s.col)) {
    row = s.row;
    col = s.col;
  } else {
    throw new ValueError(`${fn}: start must be {kxInvA, kyInvA} (1/Å) or {row, col} (spectrum pixels); got ${JSON.stringify(start)}.`);
  }
  const radius = options.searchRadiusPx ?? 3;
  if (!(radius >= 0) || !Number.isFinite(radius)) throw new ValueError(`${fn}: searchRadiusPx must be a number ≥ 0; got ${radius}.`);
  const [r, c] = snap(grid, Math.round(row), Math.round(col), radius);
  if (r === grid.r0 && c === grid.c0) {
    throw new ValueError(`${fn}: start must not be the zero-frequency pixel; got row ${row}, col ${col}. Click on a spot, not the centre.`);
  }
  return refineAt(ctx, r, c);
}

/** Validates options and prepares a {@link RefineContext}. */
export function refineContext(psOrImage: PowerSpectrum | Dataset | NdArray, options: RefineOptions, fn: string): RefineContext {
  const ps = isPowerSpectrum(psOrImage) ? psOrImage : powerSpectrum(psOrImage, { pixelSizeA: options.pixelSizeA, window: options.window });
  const box = options.boxPx ?? 3;
  if (box !== 3 && box !== 5) throw new ValueError(`${fn}: boxPx must be 3 or 5; got ${JSON.stringify(box)}.`);
  const ann = options.annulusPx ?? [4, 12];
  if (!Array.isArray(ann) || !(ann[0] > (box - 1) / 2) || !(ann[1] >= ann[0] + 1) || !(ann[1] <= 64)) {
    throw new ValueError(`${fn}: annulusPx must be [inner, outer] with box/2 < inner < outer ≤ 64 px; got ${JSON.stringify(ann)}.`);
  }
  const up = options.upsampleFactor ?? 400;
  if (!(up >= 1) || !Number.isFinite(up)) throw new ValueError(`${fn}: upsampleFactor must be a number ≥ 1; got ${up}.`);
  const rw = options.refineWindow ?? 'hann';
  if (!WINDOW_NAMES.includes(rw)) throw new ValueError(`${fn}: refineWindow must be one of ${WINDOW_NAMES.join(', ')}; got ${JSON.stringify(rw)}.`);
  const grid = gridOf(ps);
  const src = ps.metadata.source as Dataset | undefined;
  let apodized: Float64Array | undefined;
  const usable = src && src.data.shape.length === 2 && src.data.shape[0] === grid.rows && src.data.shape[1] === grid.cols;
  return {
    ps,
    grid,
    snr: { half: (box - 1) / 2, annulus: [ann[0], ann[1]] },
    offsets: annulusOffsets(ann[0], ann[1]),
    source: () => {
      if (!usable) return null;
      apodized ??= apodize(toDense2d(src.data), grid.rows, grid.cols, rw, true);
      return apodized;
    },
    upsampleFactor: up
  };
}

/** Refines the spot at integer pixel (row, col) and builds its {@link Peak}. */
export function refineAt(ctx: RefineContext, row: number, col: number): Peak {
  const { grid } = ctx;
  const v0 = row - grid.r0;
  const u0 = col - grid.c0;
  const [pv, pu] = refineParabolic(grid, row, col);
  const source = ctx.source();
  const [v, u] = source ? refineDft(source, grid.rows, grid.cols, pv, pu, ctx.upsampleFactor, [v0, u0]) : [pv, pu];
  const stat = spotStat(grid, Math.round(v) + grid.r0, Math.round(u) + grid.c0, ctx.snr, ctx.offsets);
  return makePeak(grid, v, u, stat, source ? 'upsampled-dft' : 'parabolic');
}

/** A {@link Peak} from a fractional frequency (v rows, u columns from the centre) and its statistic. */
export function makePeak(grid: Grid, v: number, u: number, stat: SpotStat, refinedBy: Peak['refinedBy']): Peak {
  const kx = u * grid.sx;
  const ky = v * grid.sy;
  const g = Math.hypot(kx, ky);
  return {
    kxInvA: kx,
    kyInvA: ky,
    dA: 1 / g,
    gInvA: g,
    angleDeg: angleOf(kx, ky),
    intensity: stat.intensity,
    snr: stat.snr,
    noisePower: stat.noisePower,
    friedelMate: { kxInvA: -kx, kyInvA: -ky, angleDeg: angleOf(-kx, -ky) },
    positionPx: { row: v + grid.r0, col: u + grid.c0 },
    refinedBy
  };
}

/** atan2(ky, kx) in degrees, in (−180, 180]. */
export function angleOf(kx: number, ky: number): number {
  const a = (Math.atan2(ky, kx) * 180) / Math.PI;
  return a <= -180 ? a + 360 : a;
}

/** The pixel with the largest 3×3 box sum within `radius` of (row, col) (the centre pixel excluded). */
function snap(g: Grid, row: number, col: number, radius: number): [number, number] {
  let best = -Infinity;
  let br = row;
  let bc = col;
  const R = Math.floor(radius);
  for (let dr = -R; dr <= R; dr++) {
    for (let dc = -R; dc <= R; dc++) {
      if (dr * dr + dc * dc > radius * radius) continue;
      const r = row + dr;
      const c = col + dc;
      if (r < 0 || c < 0 || r >= g.rows || c >= g.cols || (r === g.r0 && c === g.c0)) continue;
      let s = 0;
      for (let i = -1; i <= 1; i++) {
        for (let j = -1; j <= 1; j++) {
          const rr = Math.min(g.rows - 1, Math.max(0, r + i));
          const cc = Math.min(g.cols - 1, Math.max(0, c + j));
          if (rr !== g.r0 || cc !== g.c0) s += g.p[rr * g.cols + cc];
        }
      }
      if (s > best) {
        best = s;
        br = r;
        bc = c;
      }
    }
  }
  return [br, bc];
}

/**
 * Maximum of |DTFT|² of `src` near frequency (v0, u0) (cycles per image; the start is the log-power
 * parabola on the pixel grid): 3×3 evaluations by matrixDft at step h, recentred on the best point
 * until it is the centre, then moved to the vertex of the least-squares quadratic; h = 1/20, 1/400, …
 * down to ≤ 1/upsampleFactor px (each stage leaves an error ~ offset·h², so two stages reach
 * ~10⁻⁷ px). Each stage costs one pass over the image per column coordinate (3·rows·cols). Never
 * wanders more than 2 px from `anchor`.
 */
export function refineDft(
  src: Float64Array,
  rows: number,
  cols: number,
  v0: number,
  u0: number,
  upsampleFactor: number,
  anchor: [number, number] = [v0, u0]
): [number, number] {
  let v = v0;
  let u = u0;
  const hMin = 1 / upsampleFactor;
  for (let h = Math.max(0.05, hMin); ; h = Math.max(h / 20, hMin)) {
    for (let move = 0; move < 12; move++) {
      const z = matrixDft(src, null, rows, cols, { rowCoords: [v - h, v, v + h], colCoords: [u - h, u, u + h], sign: -1, indexing: 'index' });
      const f = new Float64Array(9);
      for (let i = 0; i < 9; i++) f[i] = z.re[i] * z.re[i] + z.im[i] * z.im[i];
      let m = 4;
      for (let i = 0; i < 9; i++) if (f[i] > f[m]) m = i;
      if (m !== 4) {
        const nv = v + (Math.floor(m / 3) - 1) * h;
        const nu = u + ((m % 3) - 1) * h;
        if (Math.hypot(nv - anchor[0], nu - anchor[1]) > 2) break;
        v = nv;
        u = nu;
        continue;
      }
      const [dv, du] = quadraticVertex(f);
      v += dv * h;
      u += du * h;
      break;
    }
    if (h <= hMin) break;
  }
  return [v, u];
}

/** Quadratic fit of log power on the pixel grid around (row, col): the fallback without a source. */
function refineParabolic(g: Grid, row: number, col: number): [number, number] {
  const f = new Float64Array(9);
  for (let i = 0; i < 9; i++) {
    const r = Math.min(g.rows - 1, Math.max(0, row + Math.floor(i / 3) - 1));
    const c = Math.min(g.cols - 1, Math.max(0, col + (i % 3) - 1));
    f[i] = Math.log(Math.max(g.p[r * g.cols + c], 1e-300));
  }
  const [dv, du] = quadraticVertex(f);
  return [row - g.r0 + dv, col - g.c0 + du];
}

/**
 * Vertex (dy, dx) of the least-squares quadratic a + b·x + c·y + d·x² + e·xy + f·y² through a 3×3
 * grid f[(y+1)·3 + (x+1)] (x, y ∈ {−1, 0, 1}); (0, 0) when the fit has no maximum; clamped to ±1.
 */
export function quadraticVertex(f: ArrayLike<number>): [number, number] {
  const at = (y: number, x: number): number => f[(y + 1) * 3 + (x + 1)];
  let bx = 0;
  let cy = 0;
  let sx1 = 0;
  let sx0 = 0;
  let sy1 = 0;
  let sy0 = 0;
  for (let k = -1; k <= 1; k++) {
    bx += at(k, 1) - at(k, -1);
    cy += at(1, k) - at(-1, k);
    sx1 += at(k, 1) + at(k, -1);
    sx0 += at(k, 0);
    sy1 += at(1, k) + at(-1, k);
    sy0 += at(0, k);
  }
  bx /= 6;
  cy /= 6;
  const dxx = sx1 / 6 - sx0 / 3;
  const dyy = sy1 / 6 - sy0 / 3;
  const exy = (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / 4;
  // Maximise: ∇ = 0 → [2dxx exy; exy 2dyy]·[x; y] = −[bx; cy]
  const a11 = 2 * dxx;
  const a22 = 2 * dyy;
  const det = a11 * a22 - exy * exy;
  if (!(a11 < 0 && a22 < 0 && det > 0)) return [0, 0];
  const x = (-bx * a22 + cy * exy) / det;
  const y = (-cy * a11 + bx * exy) / det;
  const clamp = (t: number): number => Math.max(-1, Math.min(1, t));
  return [clamp(y), clamp(x)];
}
