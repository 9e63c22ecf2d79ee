import { quadForm } from './_internal/linalg3';
import { checkCell, checkHkl } from './_internal/validate';
import type { UnitCell } from './unitCell';

/**
 * Interplanar spacing d(hkl) in Å for any cell (triclinic included): 1/d² = hᵀ·G*·h with G* the
 * reciprocal metric tensor (International Tables Vol. B §1.1.3). Fractional indices are accepted, so
 * a supercell reflection such as (½ 0 0) gives d = 2a.
 *
 * @param cell - from {@link unitCell}.
 * @param hkl - Miller indices `[h, k, l]` (finite, not all zero).
 * @returns d in Å.
 * @throws ValueError for a malformed cell or indices.
 * @example
 * const cell = lowdose.crystal.unitCell({ a: 4.695 });
 * lowdose.crystal.dSpacing(cell, [2, 0, 0]); // 2.3475
 */
export function dSpacing(cell: UnitCell, hkl: ArrayLike<number>): number {
  checkCell('dSpacing', cell);
  checkHkl('dSpacing', 'hkl', hkl);
  return 1 / Math.sqrt(quadForm(cell.reciprocalMetricInvA2, hkl, hkl));
}

/**
 * Length of the reciprocal-lattice vector |g(hkl)| = 1/d in 1/Å (no 2π).
 * @example lowdose.crystal.gLengthInvA(cell, [1, 0, 0]); // 1/a
 */
export function gLengthInvA(cell: UnitCell, hkl: ArrayLike<number>): number {
  checkCell('gLengthInvA', cell);
  checkHkl('gLengthInvA', 'hkl', hkl);
  return Math.sqrt(quadForm(cell.reciprocalMetricInvA2, hkl, hkl));
}
