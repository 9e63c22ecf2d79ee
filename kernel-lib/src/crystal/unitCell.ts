import { ValueError } from '../errors';
import { Mat3, det3, inv3, transpose3 } from './_internal/linalg3';
import { centringConditions, parseReflectionCondition } from './reflectionConditions';

/** Options of {@link unitCell}: lattice parameters in Å and degrees (crystallographic symbols kept). */
export interface UnitCellOptions {
  /** Lattice parameter a, Å (required). */
  a: number;
  /** Lattice parameter b, Å (default a). */
  b?: number;
  /** Lattice parameter c, Å (default a when b is also omitted, else b — so `{a, c}` is tetragonal). */
  c?: number;
  /** Angle α between b and c, degrees (default 90). */
  alphaDeg?: number;
  /** Angle β between a and c, degrees (default 90). */
  betaDeg?: number;
  /** Angle γ between a and b, degrees (default 90). */
  gammaDeg?: number;
  /** Phase name, e.g. `'α-NNB'` (optional, carried through to results). */
  name?: string;
  /**
   * Hermann–Mauguin space-group symbol, e.g. `'Pm-3m'`, `'Pbcm'`, `'C2/c'`. Its first letter adds the
   * centring conditions (I, F, A, B, C, R) to `reflectionConditions`; glide and screw conditions are
   * not derived from the symbol — list them in `reflectionConditions`.
   */
  spaceGroup?: string;
  /**
   * Extra reflection conditions in International Tables notation (see
   * {@link parseReflectionCondition}), e.g. `['0kl: k=2n', 'h0l: l=2n']` for Pbcm. Default none.
   */
  reflectionConditions?: string[];
  /** Where the numbers come from (free text, carried through). */
  reference?: string;
}

/**
 * A unit cell with its metric. Lengths in Å, angles in degrees. Cartesian setting (used for
 * projections): a ∥ x, b in the xy plane, c completing a right-handed frame.
 */
export interface UnitCell {
  name?: string;
  spaceGroup?: string;
  reference?: string;
  /** Lattice parameters, Å. */
  a: number;
  b: number;
  c: number;
  alphaDeg: number;
  betaDeg: number;
  gammaDeg: number;
  /** Cell volume, Å³ (= √det G). */
  volumeA3: number;
  /** Metric tensor G (Å²): G_ij = a_i · a_j. */
  metricA2: Mat3;
  /** Reciprocal metric tensor G* = G⁻¹ (1/Å²): 1/d²(hkl) = hᵀ·G*·h (no 2π). */
  reciprocalMetricInvA2: Mat3;
  /** Direct basis, Å: columns are a, b, c in the Cartesian setting. */
  directBasisA: Mat3;
  /** Reciprocal basis, 1/Å: columns are a*, b*, c* (= directBasisA^−T, no 2π). */
  reciprocalBasisInvA: Mat3;
  /** Reflection conditions in force (centring first, then the listed ones). */
  reflectionConditions: string[];
}

/**
 * Builds a unit cell (any crystal system, triclinic included) with its metric and reciprocal
 * metric tensors, volume and Cartesian bases.
 *
 * Formulas: G = [[a², ab cosγ, ac cosβ], [ab cosγ, b², bc cosα], [ac cosβ, bc cosα, c²]],
 * V = √det G, G* = G⁻¹ (Giacovazzo et al., *Fundamentals of Crystallography*, 3rd ed., OUP 2011, §2.3;
 * International Tables Vol. B, §1.1, doi:10.1107/97809553602060000759).
 *
 * @throws ValueError for non-positive or non-finite lengths, angles outside (0°, 180°), angles that
 *   cannot close a cell (det G ≤ 0), or malformed reflection conditions.
 * @example
 * const alpha = lowdose.crystal.unitCell({ a: 4.695, name: 'α-NNB', spaceGroup: 'Pm-3m' });
 * lowdose.crystal.dSpacing(alpha, [1, 1, 0]); // 3.3199 Å
 */
export function unitCell(options: UnitCellOptions): UnitCell {
  if (typeof options !== 'object' || options === null) {
    throw new ValueError(`unitCell: options must be an object such as {a: 4.695}; got ${String(options)}.`);
  }
  const a = options.a;
  const b = options.b ?? a;
  const c = options.c ?? (options.b === undefined ? a : b);
  const alphaDeg = options.alphaDeg ?? 90;
  const betaDeg = options.betaDeg ?? 90;
  const gammaDeg = options.gammaDeg ?? 90;
  for (const [name, v] of [['a', a], ['b', b], ['c', c]] as Array<[string, number]>) {
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) {
      throw new ValueError(`unitCell: ${name} must be a positive length in Å; got ${v}.`);
    }
  }
  for (const [name, v] of [['alphaDeg', alphaDeg], ['betaDeg', betaDeg], ['gammaDeg', gammaDeg]] as Array<[string, number]>) {
    if (typeof v !== 'number' || !(v > 0 && v < 180)) {
      throw new ValueError(`unitCell: ${name} must be an angle in degrees within (0, 180); got ${v}.`);
    }
  }
  const rad = Math.PI / 180;
  const ca = cosDeg(alphaDeg);
  const cb = cosDeg(betaDeg);
  const cg = cosDeg(gammaDeg);
  const sg = Math.sin(gammaDeg * rad);
  const metricA2: Mat3 = [
    [a * a, a * b * cg, a * c * cb],
    [a * b * cg, b * b, b * c * ca],
    [a * c * cb, b * c * ca, c * c]
  ];
  const detG = det3(metricA2);
  const closure = 1 - ca * ca - cb * cb - cg * cg + 2 * ca * cb * cg;
  if (!(closure > 1e-12) || !(detG > 0)) {
    throw new ValueError(
      `unitCell: alphaDeg, betaDeg, gammaDeg must describe a closed cell (1 − cos²α − cos²β − cos²γ + 2cosα·cosβ·cosγ > 0); got ${alphaDeg}, ${betaDeg}, ${gammaDeg}. Check that no angle exceeds the sum of the other two.`
    );
  }
  const volumeA3 = a * b * c * Math.sqrt(closure);
  const directBasisA: Mat3 = [
    [a, b * cg, c * cb],
    [0, b * sg, (c * (ca - cb * cg)) / sg],
    [0, 0, volumeA3 / (a * b * sg)]
  ];
  const hexagonalAxes = Math.abs(gammaDeg - 120) < 1e-6;
  const reflectionConditions = [...centringConditions(options.spaceGroup, hexagonalAxes), ...(options.reflectionConditions ?? [])];
  reflectionConditions.forEach(parseReflectionCondition);
  const cell: UnitCell = {
    a,
    b,
    c,
    alphaDeg,
    betaDeg,
    gammaDeg,
    volumeA3,
    metricA2,
    reciprocalMetricInvA2: symmetrise(inv3(metricA2)),
    directBasisA,
    reciprocalBasisInvA: transpose3(inv3(directBasisA)),
    reflectionConditions
  };
  if (options.name !== undefined) cell.name = options.name;
  if (options.spaceGroup !== undefined) cell.spaceGroup = options.spaceGroup;
  if (options.reference !== undefined) cell.reference = options.reference;
  return cell;
}

/** cos of an angle in degrees, exact zero at 90° (so orthogonal cells have exactly diagonal metrics). */
function cosDeg(deg: number): number {
  return deg === 90 ? 0 : Math.cos((deg * Math.PI) / 180);
}

function symmetrise(m: Mat3): Mat3 {
  const s = (i: number, j: number): number => (m[i][j] + m[j][i]) / 2;
  return [
    [m[0][0], s(0, 1), s(0, 2)],
    [s(0, 1), m[1][1], s(1, 2)],
    [s(0, 2), s(1, 2), m[2][2]]
  ];
}

/**
 * True when (h, k, l) is allowed by the cell's reflection conditions (centring + listed glide/screw
 * conditions). Fractional (supercell) indices are always "allowed" here — they lie outside the cell.
 * For many tests, compile once with {@link allowedPredicate}.
 * @example isAllowed(lowdose.crystal.cells.betaNNB, [0, 0, 1]); // false (Pbcm: 00l needs l = 2n)
 */
export function isAllowed(cell: UnitCell, hkl: ArrayLike<number>): boolean {
  return allowedPredicate(cell)(hkl);
}

/** Compiles a cell's reflection conditions into one predicate `(hkl) => allowed`. */
export function allowedPredicate(cell: UnitCell): (hkl: ArrayLike<number>) => boolean {
  const conds = cell.reflectionConditions.map(parseReflectionCondition);
  return (hkl: ArrayLike<number>): boolean => {
    for (const cond of conds) if (cond.forbids(hkl)) return false;
    return true;
  };
}
