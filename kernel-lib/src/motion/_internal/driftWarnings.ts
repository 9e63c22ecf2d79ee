/**
 * alignFrames' warnings about the drift estimate (estimateDrift.ts): chain steps without a clear
 * peak, fine measurements on the search window's edge, and frame 0's lattice translation when it is
 * not clearly decided (firstFrame.ts; science.md §1.7 item 7).
 */
import { DriftEstimate } from './estimateDrift';

/**
 * The warnings for `drift`: `maxShiftPx`/`searchRadiusPx` as alignFrames used them, `periodPx` the
 * lattice period (Infinity: no lattice).
 * @example driftWarnings(drift, 32, 3, 0.8 / kSub) // → ['Frame 0 (measured on its own, …', …]
 */
export function driftWarnings(drift: DriftEstimate, maxShiftPx: number, searchRadiusPx: number, periodPx: number): string[] {
  const warnings: string[] = [];
  if (drift.badSteps > 0) {
    warnings.push(`${drift.badSteps} of ${drift.groupUnits.length - 1} group-to-group steps had no clear correlation peak within ±${maxShiftPx} px and took the median step; raise groupFrames or maxShiftPx if the drift is faster.`);
  }
  if (drift.edgeHits > 0) {
    warnings.push(`${drift.edgeHits} fine-stage measurement(s) peaked at the edge of the ±${searchRadiusPx} px search window (lattice aliasing or a jump the coarse stage missed); they were down-weighted. Check the trajectory or raise searchRadiusPx.`);
  }
  // frame 0 measured alone, then its lattice translation chosen by scoring candidates: a margin
  // < 3σ (or, unscored, a lattice-free σ > period/5: P(wrong peak) ≈ 2Φ(−period/(2σ)) > 1 %) leaves it ambiguous
  const s0 = drift.firstFrameSigmaPx;
  const m0 = drift.firstFrameMarginSigma;
  const consequence = 'its offset to the other frames, and so every shift (they are relative to frame 0), may be off by a lattice translation. Shifts relative to frame 1 are not affected; more texture outside the crystal, a larger field or more dose per frame resolves it.';
  if (m0 !== undefined && !(m0 >= 3)) {
    warnings.push(`Frame 0 (measured on its own, as a jump after it is common) was placed on the lattice translation that matches the other frames best, but only by ${m0.toFixed(1)} σ (< 3): ${consequence}`);
  } else if (m0 === undefined && s0 !== undefined && Number.isFinite(periodPx) && !(s0 <= periodPx / 5)) {
    warnings.push(
      `Frame 0 (measured on its own, as a jump after it is common) is located without the lattice only to ${Number.isFinite(s0) ? `σ ≈ ${s0.toFixed(1)}` : `σ > ${Math.max(2 * searchRadiusPx, 10)}`} px, not ≪ the lattice period (≈ ${periodPx.toFixed(1)} px): ${consequence}`
    );
  }
  return warnings;
}
