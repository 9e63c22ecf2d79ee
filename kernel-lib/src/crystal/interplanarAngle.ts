import { quadForm } from './_internal/linalg3';
import { checkCell, checkHkl } from './_internal/validate';
import type { UnitCell } from './unitCell';

/**
 * Angle between the reciprocal vectors g(h₁k₁l₁) and g(h₂k₂l₂) (equivalently between the plane
 * normals), degrees in [0, 180]: cos φ = h₁ᵀG*h₂ / (|g₁|·|g₂|). Independent of magnification, so
 * it can be compared with the angle between two FFT spots without calibration.
 *
 * @throws ValueError for a malformed cell or indices.
 * @example lowdose.crystal.interplanarAngleDeg(cubic, [1, 0, 0], [1, 1, 0]); // 45
 */
export function interplanarAngleDeg(cell: UnitCell, hkl1: ArrayLike<number>, hkl2: ArrayLike<number>): number {
  checkCell('interplanarAngleDeg', cell);
  checkHkl('interplanarAngleDeg', 'hkl1', hkl1);
  checkHkl('interplanarAngleDeg', 'hkl2', hkl2);
  const g = cell.reciprocalMetricInvA2;
  const c = quadForm(g, hkl1, hkl2) / Math.sqrt(quadForm(g, hkl1, hkl1) * quadForm(g, hkl2, hkl2));
  return (Math.acos(Math.max(-1, Math.min(1, c))) * 180) / Math.PI;
}
