import { ValueError } from '../errors';
import { dot3, quadForm } from './_internal/linalg3';
import { checkCell } from './_internal/validate';
import { allowedPredicate, UnitCell } from './unitCell';
import { formatHkl } from './_internal/fractions';

/** Options of {@link reflections}. */
export interface ReflectionsOptions {
  /** Smallest d-spacing listed, Å (default 1). */
  minDA?: number;
  /** Largest |h|, |k|, |l| searched (default: enough to reach minDA, capped at 12). */
  maxIndex?: number;
  /** Keep only reflections of this zone, h·u + k·v + l·w = 0 (default: all). */
  zoneAxis?: [number, number, number];
  /** Also list reflections that the cell's reflection conditions forbid, flagged (default false). */
  includeForbidden?: boolean;
}

/** One reflection of a cell. */
export interface Reflection {
  hkl: [number, number, number];
  /** `(1 1 0)` — minus signs instead of bars. */
  label: string;
  /** Interplanar spacing, Å. */
  dA: number;
  /** |g| = 1/d, 1/Å. */
  gInvA: number;
  /** False when a reflection condition of the cell forbids it (only listed with includeForbidden). */
  allowed: boolean;
}

/**
 * Lists the reflections of a cell down to `minDA`, largest d first (ties: larger indices first in
 * h, k, l order), both members of each Friedel pair included.
 *
 * @throws ValueError for a malformed cell or a non-positive minDA.
 * @example
 * lowdose.crystal.reflections(lowdose.crystal.cells.betaNNB, { minDA: 3.3 }).map(r => r.label);
 */
export function reflections(cell: UnitCell, options: ReflectionsOptions = {}): Reflection[] {
  checkCell('reflections', cell);
  const minDA = options.minDA ?? 1;
  if (!(minDA > 0) || !Number.isFinite(minDA)) {
    throw new ValueError(`reflections: minDA must be a positive d-spacing in Å; got ${minDA}.`);
  }
  const gMax = 1 / minDA;
  // |h| ≤ gMax / (component of a* …) — bounded by gMax·|a| since h = g·a.
  const limit = [cell.a, cell.b, cell.c].map(x => Math.floor(gMax * x + 1e-9));
  const maxIndex = options.maxIndex ?? 12;
  if (!(Number.isInteger(maxIndex) && maxIndex >= 1)) {
    throw new ValueError(`reflections: maxIndex must be a positive integer; got ${maxIndex}.`);
  }
  const zone = options.zoneAxis;
  const allowed = allowedPredicate(cell);
  const out: Reflection[] = [];
  const [H, K, L] = limit.map(x => Math.min(x, maxIndex));
  for (let h = H; h >= -H; h--) {
    for (let k = K; k >= -K; k--) {
      for (let l = L; l >= -L; l--) {
        if (h === 0 && k === 0 && l === 0) continue;
        const hkl: [number, number, number] = [h, k, l];
        if (zone && Math.abs(dot3(hkl, zone)) > 1e-9) continue;
        const g2 = quadForm(cell.reciprocalMetricInvA2, hkl, hkl);
        if (g2 > gMax * gMax * (1 + 1e-12)) continue;
        const ok = allowed(hkl);
        if (!ok && !options.includeForbidden) continue;
        const gInvA = Math.sqrt(g2);
        out.push({ hkl: [h + 0, k + 0, l + 0], label: formatHkl(hkl), dA: 1 / gInvA, gInvA, allowed: ok });
      }
    }
  }
  out.sort((x, y) => x.gInvA - y.gInvA);
  return out;
}
