import { ValueError } from '../../errors';
import type { UnitCell } from '../unitCell';

/** Throws ValueError unless `cell` looks like a {@link UnitCell}. */
export function checkCell(fn: string, cell: unknown): asserts cell is UnitCell {
  const c = cell as UnitCell;
  if (typeof c !== 'object' || c === null || !Array.isArray(c.reciprocalMetricInvA2) || !(c.a > 0)) {
    throw new ValueError(`${fn}: cell must be a unit cell from lowdose.crystal.unitCell({a, …}); got ${describe(cell)}.`);
  }
}

/** Throws ValueError unless `hkl` is three finite numbers, not all zero (fractions allowed). */
export function checkHkl(fn: string, name: string, hkl: unknown): asserts hkl is [number, number, number] {
  const h = hkl as number[];
  const ok =
    (Array.isArray(h) || ArrayBuffer.isView(h)) &&
    h.length === 3 &&
    Array.from(h).every(v => typeof v === 'number' && Number.isFinite(v)) &&
    (h[0] !== 0 || h[1] !== 0 || h[2] !== 0);
  if (!ok) {
    throw new ValueError(`${fn}: ${name} must be three finite Miller indices [h, k, l], not all zero; got ${describe(hkl)}.`);
  }
}

function describe(x: unknown): string {
  try {
    const s = JSON.stringify(x);
    return s === undefined ? String(x) : s.length > 80 ? s.slice(0, 77) + '...' : s;
  } catch {
    return String(x);
  }
}
