/**
 * Bragg spots of an FFT: local maxima above a local background, refined by upsampled DFT
 * (science.md §1.4–1.6).
 */
import { ValueError } from '../errors';
import { Dataset, NdArray } from '../types/dataset';
import { PowerSpectrum } from '../fft/powerSpectrum';
import { radialProfile } from '../fft/radialProfile';
import { boxVarianceFactor } from '../fft/_internal/apodize';
import { Grid, boxSums, nullModel, spotStat } from './_internal/spotStats';
import { Peak, RefineContext, RefineOptions, makePeak, refineAt, refineContext } from './refinePeak';

export { Peak };

/** Options of {@link findPeaks}. */
export interface FindPeaksOptions extends RefineOptions {
  /** Finest d searched, Å (default 2.1·p: just inside Nyquist). */
  minDA?: number;
  /** Coarsest d searched, Å (default: 4 pixels from the centre, min(rows·p_y, cols·p_x)/4). */
  maxDA?: number;
  /**
   * Smallest spot SNR S reported (default: the S that pure noise exceeds on average 0.01 times over
   * every tested position of the band — ≈ 8.5 without a window at 512², higher for larger images;
   * see {@link searchThreshold}). Pass 3 (detection) or 5 (Rose) to list weak spots too.
   */
  minSnr?: number;
  /** Most spots returned (default 20). */
  maxPeaks?: number;
  /** Two spots are at least this many pixels apart (default 3). */
  minSeparationPx?: number;
  /**
   * 'upsampled-dft' (default; falls back to parabolic without a source), 'parabolic' (quadratic fit of
   * log power on the pixel grid: fast, biased up to ~0.03 %) or 'none' (pixel centres).
   */
  refine?: 'upsampled-dft' | 'parabolic' | 'none';
}

/**
 * Finds FFT spots, strongest first. One spot per Friedel pair: the member with kx > 0 (or kx = 0,
 * ky > 0) is reported and its mate −g is in `friedelMate` (for a real image |F(−g)| = |F(g)|, so the
 * mate is not an independent detection). The centre and everything outside [minDA, maxDA] is excluded.
 *
 * Algorithm: box sums B = Σ_W|F|² (W = 3×3) of the spectrum; local maxima of B (no larger value within
 * minSeparationPx) ranked by a quick SNR against the radial median; for the best of them the spot SNR
 * against a local background (science.md §1.6):
 *
 *   S = (Σ_{k∈W}|F(k)|² − n_W·P̂) / (P̂·√V_W),  P̂ = median of the annulus (4–12 px) / ln 2,
 *
 * with V_W = n_W (9) for independent noise values (window 'none' or 'periodic-smooth': science.md's
 * √n_W) and V_W = Σ|ρ_ij|² = 23.4 under Hann (neighbouring noise values correlate with ρ = −2/3), so
 * S has mean 0 and standard deviation 1 on noise for every window. For independent values the noise
 * box sum is Gamma(9, 1)·P: P(S ≥ 3) = 0.0071 with P known, 0.0092 with P̂ from the ~400-pixel annulus;
 * under Hann the tail is heavier (P(S ≥ 3) ≈ 0.02), which the default threshold accounts for (the null
 * model in `_internal/spotStats`, checked against pure Poisson noise). `intensity` = Σ_W|F|² − n_W·P̂.
 * Spots that are likely sidelobes of a much stronger spot nearby are dropped (box sum below 0.2 %
 * (Hann) or 5 % (other windows) of a stronger spot within 6/8 px). Each kept spot is refined by an
 * upsampled DFT of the source image (refinePeak; Guizar-Sicairos et al., Opt. Lett. 33, 156 (2008),
 * doi:10.1364/OL.33.000156) and its S is evaluated at the refined position.
 *
 * @param psOrImage - a PowerSpectrum from fft.powerSpectrum (keeps the source), or a 2D image.
 * @param options - band (minDA, maxDA, Å), minSnr, maxPeaks, SNR box/annulus, refinement; see {@link FindPeaksOptions}.
 * @returns {@link Peak}[]: `{kxInvA, kyInvA, dA, gInvA, angleDeg, intensity, snr, friedelMate, …}`, by intensity.
 * @throws ValueError for invalid options; CalibrationError when an image has no pixel size.
 * @example
 * const peaks = lowdose.lattice.findPeaks(img, { minDA: 2, maxDA: 12, maxPeaks: 10 });
 * peaks.map(p => p.dA.toFixed(3)); // ['4.695', '4.695', '9.390', …]
 */
export function findPeaks(psOrImage: PowerSpectrum | Dataset | NdArray, options: FindPeaksOptions = {}): Peak[] {
  const fn = 'findPeaks';
  const ctx = refineContext(psOrImage, options, fn);
  const g = ctx.grid;
  const band = bandOf(ctx, options, fn);
  const maxPeaks = options.maxPeaks ?? 20;
  if (!(Number.isInteger(maxPeaks) && maxPeaks >= 1)) throw new ValueError(`${fn}: maxPeaks must be a positive integer; got ${maxPeaks}.`);
  const sep = options.minSeparationPx ?? 3;
  if (!(sep >= 1) || !Number.isFinite(sep)) throw new ValueError(`${fn}: minSeparationPx must be a number ≥ 1; got ${sep}.`);
  const refine = options.refine ?? 'upsampled-dft';
  if (refine !== 'upsampled-dft' && refine !== 'parabolic' && refine !== 'none') {
    throw new ValueError(`${fn}: refine must be 'upsampled-dft', 'parabolic' or 'none'; got ${JSON.stringify(refine)}.`);
  }
  const minSnr = options.minSnr ?? searchThreshold(ctx, band, 0.01);
  if (typeof minSnr !== 'number' || Number.isNaN(minSnr)) throw new ValueError(`${fn}: minSnr must be a number; got ${JSON.stringify(minSnr)}.`);

  const cands = candidates(ctx, band, sep, minSnr, Math.max(200, 20 * maxPeaks));
  const kept: Array<{ r: number; c: number; box: number; intensity: number }> = [];
  const [ratio, radius] = g.window === 'hann' ? [2e-3, 6] : [0.05, 8];
  for (const k of cands) {
    if (kept.some(q => q.box * ratio > k.box && Math.hypot(q.r - k.r, q.c - k.c) <= radius)) continue;
    kept.push(k);
  }
  kept.sort((a, b) => b.intensity - a.intensity);
  const peaks: Peak[] = [];
  for (const k of kept) {
    if (peaks.length >= maxPeaks) break;
    const p = refine === 'none' ? pixelPeak(ctx, k.r, k.c) : refineAt(refine === 'parabolic' ? { ...ctx, source: () => null } : ctx, k.r, k.c);
    if (!(p.snr >= minSnr)) continue;
    if (peaks.some(q => Math.hypot(q.positionPx.row - p.positionPx.row, q.positionPx.col - p.positionPx.col) < 1)) continue;
    peaks.push(p);
  }
  return peaks.sort((a, b) => b.intensity - a.intensity);
}

/** The searched band in pixels: |k| between kMin and kMax (1/Å), at least 3 px from the centre. */
export interface Band {
  kMin: number;
  kMax: number;
  /** Number of pixels of the band in the reported half-plane (the tested positions). */
  positions: number;
}

/** Validates minDA/maxDA and counts the band's half-plane pixels. */
export function bandOf(ctx: RefineContext, options: { minDA?: number; maxDA?: number }, fn: string): Band {
  const g = ctx.grid;
  const py = 1 / (g.rows * g.sy);
  const px = 1 / (g.cols * g.sx);
  const minDA = options.minDA ?? 2.1 * Math.max(py, px);
  const maxDA = options.maxDA ?? Math.min(g.rows * py, g.cols * px) / 4;
  if (!(minDA > 0) || !(maxDA > minDA)) {
    throw new ValueError(`${fn}: minDA and maxDA must satisfy 0 < minDA < maxDA (Å); got minDA ${minDA}, maxDA ${maxDA}.`);
  }
  const band: Band = { kMin: 1 / maxDA, kMax: 1 / minDA, positions: 0 };
  forBand(g, band, () => band.positions++);
  return band;
}

/** Calls fn(row, col, v, u) for every band pixel in the half-plane u > 0 or (u = 0, v > 0). */
export function forBand(g: Grid, band: Band, fn: (r: number, c: number, v: number, u: number) => void): void {
  const lo = band.kMin * band.kMin;
  const hi = band.kMax * band.kMax;
  for (let r = 0; r < g.rows; r++) {
    const v = r - g.r0;
    const ky2 = (v * g.sy) ** 2;
    if (ky2 > hi) continue;
    for (let c = Math.max(0, g.c0); c < g.cols; c++) {
      const u = c - g.c0;
      if ((u === 0 && v <= 0) || u * u + v * v < 9) continue;
      const k2 = ky2 + (u * g.sx) ** 2;
      if (k2 >= lo && k2 <= hi) fn(r, c, v, u);
    }
  }
}

/**
 * The S that pure noise reaches on average `falseAlarms` times over the band's positions: P(S ≥ s)
 * = falseAlarms / positions under the null model of S (spotStats: the box sum's law for the window,
 * widened by the uncertainty of the annulus estimate P̂).
 */
export function searchThreshold(ctx: RefineContext, band: Band, falseAlarms: number): number {
  return nullModel(ctx.grid.window, ctx.snr.half, ctx.offsets.length / 2).threshold(falseAlarms / Math.max(1, band.positions));
}

/** Local maxima of the box sums in the band, pre-ranked against the radial median, then scored by the annulus S. */
function candidates(ctx: RefineContext, band: Band, sep: number, minSnr: number, limit: number): Array<{ r: number; c: number; box: number; intensity: number }> {
  const g = ctx.grid;
  const B = boxSums(g, ctx.snr.half);
  const rp = radialProfile(ctx.ps, { maxKInvA: Math.hypot(g.r0 * g.sy, g.c0 * g.sx) + Math.max(g.sx, g.sy) });
  const nW = (2 * ctx.snr.half + 1) ** 2;
  const sd = Math.sqrt(boxVarianceFactor(g.window, ctx.snr.half));
  const R = Math.floor(sep);
  const quick: Array<{ r: number; c: number; s: number }> = [];
  forBand(g, band, (r, c, v, u) => {
    const b = B[r * g.cols + c];
    for (let dr = -R; dr <= R; dr++) {
      for (let dc = -R; dc <= R; dc++) {
        if ((dr === 0 && dc === 0) || dr * dr + dc * dc > sep * sep) continue;
        const rr = r + dr;
        const cc = c + dc;
        if (rr < 0 || cc < 0 || rr >= g.rows || cc >= g.cols) continue;
        const o = B[rr * g.cols + cc];
        if (o > b || (o === b && rr * g.cols + cc < r * g.cols + c)) return;
      }
    }
    const bin = Math.floor(Math.sqrt((u * g.sx) ** 2 + (v * g.sy) ** 2) / rp.binWidthInvA + 0.5);
    const pn = rp.medianPower[bin] / Math.LN2;
    const s = pn > 0 ? (b - nW * pn) / (pn * sd) : b > 0 ? Infinity : 0;
    if (s >= Math.min(minSnr, 3) - 2) quick.push({ r, c, s });
  });
  quick.sort((a, b) => b.s - a.s);
  const scratch = new Float64Array(ctx.offsets.length / 2);
  const out: Array<{ r: number; c: number; box: number; intensity: number }> = [];
  for (const q of quick.slice(0, limit)) {
    const st = spotStat(g, q.r, q.c, ctx.snr, ctx.offsets, scratch);
    if (st.snr >= minSnr) out.push({ r: q.r, c: q.c, box: st.boxSum, intensity: st.intensity });
  }
  return out.sort((a, b) => b.box - a.box);
}

/** A peak at a pixel centre (refine: 'none'). */
function pixelPeak(ctx: RefineContext, r: number, c: number): Peak {
  const g = ctx.grid;
  return makePeak(g, r - g.r0, c - g.c0, spotStat(g, r, c, ctx.snr, ctx.offsets), 'none');
}
