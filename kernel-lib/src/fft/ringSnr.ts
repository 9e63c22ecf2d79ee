/**
 * The ring criterion of science.md §1.6 for amorphous areas and Thon rings: spectral SNR per ring
 * against its noise floor, with a threshold that accounts for Friedel symmetry and the window.
 */
import { ValueError } from '../errors';
import { PowerSpectrum, isPowerSpectrum } from './powerSpectrum';
import { radialProfile } from './radialProfile';
import { noiseCorrelationSums } from './_internal/noiseCorrelationSums';

/** Options of {@link ringSnr}. */
export interface RingSnrOptions {
  /** Ring width Δk, 1/Å (default one pixel of the coarser axis). */
  binWidthInvA?: number;
  /** Noise power per pixel (default radialProfile's floor: shot noise Σw²·c for counts, else the outer shells). */
  noiseFloor?: number;
  /** Threshold in standard deviations of a pure-noise ring mean (default 3). */
  sigmas?: number;
  /** A ring counts as transferred only inside a run of at least this many consecutive passing rings (default 2). */
  minRunRings?: number;
}

/** Result of {@link ringSnr}. Arrays hold one value per ring. */
export interface RingSnr {
  /** Ring centres n·Δk, 1/Å. */
  kInvA: Float64Array;
  /** SSNR(k) = (P(k) − P_noise)/P_noise, P(k) the ring's mean power. */
  ssnr: Float64Array;
  /** `sigmas` × the standard deviation of a pure-noise ring's SSNR. */
  threshold: Float64Array;
  /** Pixels per ring. */
  pixels: Uint32Array;
  /** 1 where the ring passes inside a run of ≥ `minRunRings` passing rings. */
  transferred: Uint8Array;
  /** 1/k of the finest transferred ring, Å (null if none). */
  resolutionA: number | null;
  noiseFloor: number;
  noiseFloorMethod: 'shot' | 'high-k' | 'given';
}

/**
 * Ring criterion (science.md §1.6): SSNR(k) = (P(k) − P_noise)/P_noise per ring of the power
 * spectrum, compared with `sigmas` standard deviations of the same quantity for pure white noise.
 * science.md writes the threshold as 3/√n for n ring pixels; for a real image only half of them are
 * independent (|F(−k)| = |F(k)|) and a Hann window correlates neighbours, so here the standard
 * deviation is computed exactly for the spectrum's window: Var = 2·Σ_{i,j∈ring} ρ(i−j)²/n², with ρ
 * the window's noise correlation between pixels (ρ = δ without a window) — √(2/n) unwindowed.
 * Use it on amorphous areas and Thon rings; for crystals use `lattice.informationLimit` (spot SNR)
 * or a spot-masked `fft.fourierRingCorrelation`.
 *
 * @param ps - a {@link PowerSpectrum} (fft.powerSpectrum).
 * @param options - see {@link RingSnrOptions}.
 * @returns {@link RingSnr}: `kInvA` (1/Å), `ssnr`, `threshold`, `transferred`, `resolutionA` (Å).
 * @throws ValueError for a non-spectrum input or a bad option.
 * @example
 * const rs = lowdose.fft.ringSnr(lowdose.fft.powerSpectrum(img, { pixelSizeA: 1 }));
 * rs.resolutionA; // Å
 */
export function ringSnr(ps: PowerSpectrum, options: RingSnrOptions = {}): RingSnr {
  const fn = 'ringSnr';
  if (!isPowerSpectrum(ps)) {
    throw new ValueError(`${fn}: ps must be a power spectrum from fft.powerSpectrum; got ${typeof ps}. Call fft.powerSpectrum(image) first.`);
  }
  const sigmas = options.sigmas ?? 3;
  if (!(sigmas > 0) || !Number.isFinite(sigmas)) throw new ValueError(`${fn}: sigmas must be a positive number; got ${sigmas}.`);
  const minRun = options.minRunRings ?? 2;
  if (!(Number.isInteger(minRun) && minRun >= 1)) throw new ValueError(`${fn}: minRunRings must be an integer ≥ 1; got ${minRun}.`);
  if (options.noiseFloor !== undefined && !(options.noiseFloor > 0 && Number.isFinite(options.noiseFloor))) {
    throw new ValueError(`${fn}: noiseFloor must be a positive power; got ${options.noiseFloor}.`);
  }
  const rp = radialProfile(ps, { binWidthInvA: options.binWidthInvA });
  const noise = options.noiseFloor ?? rp.noiseFloor;
  if (!(noise > 0)) throw new ValueError(`${fn}: the noise floor must be positive; got ${noise}. Pass options.noiseFloor.`);
  const nBins = rp.kInvA.length;
  const pairSums = correlatedPairSums(ps, rp.binWidthInvA, nBins);
  const ssnr = new Float64Array(nBins);
  const threshold = new Float64Array(nBins);
  const pass = new Uint8Array(nBins);
  for (let n = 0; n < nBins; n++) {
    const count = rp.counts[n];
    ssnr[n] = count ? (rp.power[n] - noise) / noise : NaN;
    threshold[n] = count ? (sigmas * Math.sqrt(2 * pairSums[n])) / count : NaN;
    pass[n] = n > 0 && ssnr[n] >= threshold[n] ? 1 : 0;
  }
  const transferred = new Uint8Array(nBins);
  let resolutionA: number | null = null;
  for (let n = 1; n < nBins; ) {
    let end = n;
    while (end < nBins && pass[end]) end++;
    if (end - n >= minRun) {
      transferred.fill(1, n, end);
      resolutionA = 1 / rp.kInvA[end - 1];
    }
    n = end + 1;
  }
  return {
    kInvA: rp.kInvA,
    ssnr,
    threshold,
    pixels: rp.counts,
    transferred,
    resolutionA,
    noiseFloor: noise,
    noiseFloorMethod: options.noiseFloor !== undefined ? 'given' : rp.noiseFloorMethod
  };
}

/** Σ_{i,j∈ring} ρ(i−j)² per ring (radialProfile's binning, on unshifted DFT indices). */
function correlatedPairSums(ps: PowerSpectrum, dk: number, nBins: number): Float64Array {
  const [rows, cols] = ps.data.shape;
  const [ay, ax] = ps.axes;
  const kMax = Math.min(ay.scale * Math.floor(rows / 2), ax.scale * Math.floor(cols / 2));
  const labels = new Int32Array(rows * cols).fill(-1);
  for (let r = 0; r < rows; r++) {
    const ky = (r < rows - Math.floor(rows / 2) ? r : r - rows) * ay.scale;
    for (let c = 0; c < cols; c++) {
      const k = Math.hypot(ky, (c < cols - Math.floor(cols / 2) ? c : c - cols) * ax.scale);
      if (k <= kMax) {
        const b = Math.floor(k / dk + 0.5);
        if (b < nBins) labels[r * cols + c] = b;
      }
    }
  }
  return noiseCorrelationSums(labels, rows, cols, nBins, ps.metadata.window);
}
