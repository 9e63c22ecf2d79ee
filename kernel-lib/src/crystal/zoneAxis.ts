import { ValueError } from '../errors';
import { cross3 } from './_internal/linalg3';
import { commonDenominator, gcd } from './_internal/fractions';
import { checkHkl } from './_internal/validate';

/**
 * Zone axis [uvw] shared by two reflections (Weiss zone law: [uvw] = h₁ × h₂, the direct-lattice
 * direction perpendicular to both g vectors), reduced to the smallest integers. Fractional
 * (supercell) indices are scaled to integers first. The sign follows the cross-product order:
 * g₁ × g₂ points along +[uvw].
 *
 * @throws ValueError when the two reflections are collinear (no unique zone).
 * @example lowdose.crystal.zoneAxis([1, 0, 0], [0, 1, 0]); // [0, 0, 1]
 */
export function zoneAxis(hkl1: ArrayLike<number>, hkl2: ArrayLike<number>): [number, number, number] {
  checkHkl('zoneAxis', 'hkl1', hkl1);
  checkHkl('zoneAxis', 'hkl2', hkl2);
  const q1 = commonDenominator(hkl1) || 1;
  const q2 = commonDenominator(hkl2) || 1;
  const h1 = [hkl1[0] * q1, hkl1[1] * q1, hkl1[2] * q1];
  const h2 = [hkl2[0] * q2, hkl2[1] * q2, hkl2[2] * q2];
  const u = cross3(h1, h2).map(v => Math.round(v * 1e9) / 1e9);
  const scale = Math.max(...u.map(Math.abs));
  if (!(scale > 1e-9)) {
    throw new ValueError(`zoneAxis: hkl1 and hkl2 must not be collinear; got [${Array.from(hkl1)}] and [${Array.from(hkl2)}].`);
  }
  if (u.every(v => Number.isInteger(v))) {
    const g = u.reduce((acc, v) => gcd(acc, v), 0);
    return [u[0] / g + 0, u[1] / g + 0, u[2] / g + 0];
  }
  return [u[0] / scale, u[1] / scale, u[2] / scale];
}
