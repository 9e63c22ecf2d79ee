/**
 * Radially averaged power spectrum (RAPS) with a noise-floor estimate (science.md §1.6) — issue 4
 * item 2, for plot.radialProfilePlot and the spot statistics of lattice.findPeaks.
 */
import { ValueError } from '../errors';
import { PowerSpectrum, isPowerSpectrum } from './powerSpectrum';

/** Options of {@link radialProfile}. */
export interface RadialProfileOptions {
  /** Bin width Δk, 1/Å (default the coarser axis step max(1/(rows·p_y), 1/(cols·p_x)): one pixel). */
  binWidthInvA?: number;
  /** Largest |k| binned, 1/Å (default the smaller axis Nyquist 1/(2·max(p_y, p_x)): complete rings only). */
  maxKInvA?: number;
  /**
   * Treat the source as a counting image, so the shot-noise floor Σw²·c is the noise floor (default:
   * true when the source's `signalUnits` is 'counts').
   */
  counting?: boolean;
}

/** Result of {@link radialProfile}. Arrays hold one value per bin. */
export interface RadialProfile {
  /** Bin centres n·Δk, 1/Å (bin n holds pixels with |k| in [(n − ½)Δk, (n + ½)Δk); bin 0 is the centre). */
  kInvA: Float64Array;
  /** Mean |F|² of the pixels in each bin (power units of the spectrum). */
  power: Float64Array;
  /** Median |F|² per bin: robust against spots; pure noise has median = ln 2 × mean. */
  medianPower: Float64Array;
  /** Pixels per bin. */
  counts: Uint32Array;
  binWidthInvA: number;
  /** Noise floor in power units: the shot-noise floor for counting images, else the high-k estimate. */
  noiseFloor: number;
  /** How `noiseFloor` was obtained. */
  noiseFloorMethod: 'shot' | 'high-k';
  /** Σ w²·c of the source (science.md §1.3), or null when the source is not non-negative. */
  shotNoiseFloor: number | null;
  /**
   * Median over the bins with |k| in [0.75, 0.95]·maxKInvA of medianPower/ln 2: the mean power of
   * the outer shells, assuming they hold noise only (not true with a detector MTF or super-resolution).
   */
  highKNoiseFloor: number;
}

/**
 * Radially averaged power spectrum: bins of width Δk = 1/(N·p) by default, the mean and median
 * |F|² per bin and the noise floor. For a counting image the shot-noise floor Σ w²·c is exact
 * (every k ≠ 0, science.md §1.3); otherwise the outer shells estimate it. Plot log P against k
 * (`plot.radialProfilePlot`). Reference: openNCEM `ncempy/algo/radial_profile.py::calc_radialprofile`.
 *
 * @param ps - a {@link PowerSpectrum} (from `fft.powerSpectrum`).
 * @param options - `binWidthInvA`, `maxKInvA`, `counting`.
 * @returns {@link RadialProfile}: `kInvA` (1/Å), `power`, `medianPower`, `counts`, `noiseFloor`.
 * @throws ValueError for a non-spectrum input or non-positive bin width.
 * @example
 * const rp = lowdose.fft.radialProfile(lowdose.fft.powerSpectrum(img));
 * rp.power.map(p => Math.log10(p / rp.noiseFloor)); // log P − log P_noise
 */
export function radialProfile(ps: PowerSpectrum, options: RadialProfileOptions = {}): RadialProfile {
  const fn = 'radialProfile';
  if (!isPowerSpectrum(ps)) {
    throw new ValueError(`${fn}: ps must be a power spectrum from fft.powerSpectrum; got ${typeof ps}. Call fft.powerSpectrum(image) first.`);
  }
  const [rows, cols] = ps.data.shape;
  const [ay, ax] = ps.axes;
  const dk = options.binWidthInvA ?? Math.max(ay.scale, ax.scale);
  if (!(dk > 0) || !Number.isFinite(dk)) throw new ValueError(`${fn}: binWidthInvA must be a positive number of 1/Å; got ${dk}.`);
  const kMax = options.maxKInvA ?? Math.min(ay.scale * Math.floor(rows / 2), ax.scale * Math.floor(cols / 2));
  if (!(kMax > 0)) throw new ValueError(`${fn}: maxKInvA must be positive; got ${kMax}.`);
  const nBins = Math.floor(kMax / dk + 0.5) + 1;
  const bin = new Int32Array(rows * cols).fill(-1);
  const counts = new Uint32Array(nBins);
  const r0 = Math.floor(rows / 2);
  const c0 = Math.floor(cols / 2);
  const kx2 = new Float64Array(cols);
  for (let c = 0; c < cols; c++) kx2[c] = ((c - c0) * ax.scale) ** 2;
  for (let r = 0; r < rows; r++) {
    const ky2 = ((r - r0) * ay.scale) ** 2;
    for (let c = 0; c < cols; c++) {
      const k = Math.sqrt(ky2 + kx2[c]);
      if (k > kMax) continue;
      const b = Math.floor(k / dk + 0.5);
      if (b < nBins) {
        bin[r * cols + c] = b;
        counts[b]++;
      }
    }
  }
  const start = new Uint32Array(nBins + 1);
  for (let b = 0; b < nBins; b++) start[b + 1] = start[b] + counts[b];
  const grouped = new Float64Array(start[nBins]);
  const fill = start.slice(0, nBins);
  const power = new Float64Array(nBins);
  const d = ps.data.data;
  const [s0, s1] = ps.data.stride;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const b = bin[r * cols + c];
      if (b < 0) continue;
      const v = d[ps.data.offset + r * s0 + c * s1];
      grouped[fill[b]++] = v;
      power[b] += v;
    }
  }
  const medianPower = new Float64Array(nBins);
  const kInvA = new Float64Array(nBins);
  for (let b = 0; b < nBins; b++) {
    kInvA[b] = b * dk;
    power[b] = counts[b] ? power[b] / counts[b] : NaN;
    medianPower[b] = counts[b] ? median(grouped, start[b], start[b + 1]) : NaN;
  }
  const outer: number[] = [];
  for (let b = 0; b < nBins; b++) if (counts[b] && kInvA[b] >= 0.75 * kMax && kInvA[b] <= 0.95 * kMax) outer.push(medianPower[b] / Math.LN2);
  const highK = outer.length ? median(Float64Array.from(outer), 0, outer.length) : NaN;
  const shot = ps.metadata.shotNoiseFloor;
  const counting = options.counting ?? ps.metadata.sourceSignalUnits === 'counts';
  const useShot = counting && shot !== null && shot > 0;
  return {
    kInvA,
    power,
    medianPower,
    counts,
    binWidthInvA: dk,
    noiseFloor: useShot ? (shot as number) : highK,
    noiseFloorMethod: useShot ? 'shot' : 'high-k',
    shotNoiseFloor: shot,
    highKNoiseFloor: highK
  };
}

/** Median of a[lo..hi) (reorders that segment): quickselect, the mean of the two middles for even counts. */
export function median(a: Float64Array, lo: number, hi: number): number {
  const n = hi - lo;
  if (n <= 0) return NaN;
  const k = lo + (n >> 1);
  const upper = select(a, lo, hi - 1, k);
  if (n % 2 === 1) return upper;
  let lower = -Infinity;
  for (let i = lo; i < k; i++) if (a[i] > lower) lower = a[i];
  return (lower + upper) / 2;
}

/** k-th smallest of a[lo..hi] (inclusive), Hoare partition; afterwards a[lo..k) ≤ a[k]. */
function select(a: Float64Array, lo: number, hi: number, k: number): number {
  while (hi > lo) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k];
}
