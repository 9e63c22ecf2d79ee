import { ValueError } from '../errors';

/** A reciprocal-lattice vector in the array frame (1/Å, no 2π): kx along columns, ky along rows (downward). */
export interface GVector {
  kxInvA: number;
  kyInvA: number;
}

/** Options of {@link strainTensor}. */
export interface StrainTensorOptions {
  /**
   * Strain measure (all from the exact deformation gradient F; none linearises g):
   * - `'infinitesimal'` (default, science.md §1.10): ε = ½(F + Fᵀ) − I. Exact for symmetric F (pure stretch);
   *   a rigid rotation θ leaks in as −θ²/2 on the diagonal.
   * - `'biot'`: U − I with F = R·U (polar decomposition): principal values are exactly the stretches − 1,
   *   whatever the rotation.
   * - `'green-lagrange'`: E = ½(FᵀF − I), rotation-free, but 7.5 % stretch reads as 7.78 %.
   */
  measure?: 'infinitesimal' | 'biot' | 'green-lagrange';
}

/** Result of {@link strainTensor}: dimensionless strains (0.075 = 7.5 %), angles in degrees in the array frame. */
export interface StrainTensorResult {
  /** Normal strain along x (columns). */
  exx: number;
  /** Normal strain along y (rows, downward). */
  eyy: number;
  /** Tensor shear component ε_xy (half the engineering shear γ_xy). */
  exy: number;
  /** Larger principal strain. */
  e1: number;
  /** Smaller principal strain. */
  e2: number;
  /** Direction of e1 in the reference (array) frame, atan2(y, x) with y down, in (−90, 90]. */
  angleDeg: number;
  /** Rigid rotation of the lattice from the polar decomposition F = R·U (= ω₂₁ to first order); positive turns +x toward +y (clockwise on screen). */
  rotationDeg: number;
  /** Real-space deformation gradient F = G^(−T)·G₀ᵀ, row-major [[Fxx, Fxy], [Fyx, Fyy]]; g = F^(−T)·g_ref. */
  deformationGradient: [[number, number], [number, number]];
  /** Area (volume per unit thickness) change det F − 1. */
  dilatation: number;
  measure: 'infinitesimal' | 'biot' | 'green-lagrange';
  warnings: string[];
}

/**
 * 2D strain and rotation of a lattice from two non-collinear reciprocal vectors measured now (g0, g1) and in the
 * reference (g0ref, g1ref) (science.md §1.10). With columns G = [g0 g1], G₀ = [g0ref g1ref], the real-space basis is
 * A = G^(−T), so the deformation gradient is F = A·A₀⁻¹ = G^(−T)·G₀ᵀ (exact, not the linearised reciprocal form of
 * py4DSTEM's `get_strain_from_reference_g1g2`, whose error ~ε²/2 is 0.3 % at 7.5 % strain). Reciprocal vectors
 * shrink when the lattice expands. Which vector is g0 and which g1 does not matter, as long as the same spot
 * families are used in both.
 * @param g0 first measured g-vector (1/Å), e.g. a `findPeaks` peak.
 * @param g1 second measured g-vector (1/Å), not collinear with g0.
 * @param g0ref g0 in the reference frame (1/Å).
 * @param g1ref g1 in the reference frame (1/Å).
 * @returns strains (dimensionless), principal strains and direction (deg), rotation (deg), F.
 * @throws ValueError for non-finite components, collinear vectors, or a swapped pair (det F ≤ 0).
 * @example const s = lowdose.lattice.strainTensor(gA, gB, gA0, gB0); // s.e1 = 0.075 for 7.5 % expansion
 */
export function strainTensor(
  g0: GVector,
  g1: GVector,
  g0ref: GVector,
  g1ref: GVector,
  options: StrainTensorOptions = {}
): StrainTensorResult {
  const fn = 'strainTensor';
  const vectors: Array<[string, GVector]> = [
    ['g0', g0],
    ['g1', g1],
    ['g0ref', g0ref],
    ['g1ref', g1ref]
  ];
  for (const [name, g] of vectors) {
    if (!g || !Number.isFinite(g.kxInvA) || !Number.isFinite(g.kyInvA)) {
      throw new ValueError(`${fn}: ${name} must be {kxInvA, kyInvA} with finite numbers (1/Å); got ${JSON.stringify(g)}.`);
    }
  }
  const measure = options.measure ?? 'infinitesimal';
  if (measure !== 'infinitesimal' && measure !== 'biot' && measure !== 'green-lagrange') {
    throw new ValueError(`${fn}: options.measure must be 'infinitesimal', 'biot' or 'green-lagrange'; got ${String(measure)}.`);
  }
  const warnings: string[] = [];
  const sinRef = checkPair(fn, 'g0ref, g1ref', g0ref, g1ref);
  checkPair(fn, 'g0, g1', g0, g1);
  if (sinRef < Math.sin((10 * Math.PI) / 180)) {
    warnings.push(
      `g0ref and g1ref are within 10° of collinear: the strain across them is poorly conditioned; pick spot families further apart.`
    );
  }

  // G^(-T) for G = [[g0x, g1x], [g0y, g1y]]: (1/det)·[[g1y, −g0y], [−g1x, g0x]].
  const det = g0.kxInvA * g1.kyInvA - g1.kxInvA * g0.kyInvA;
  const git = [
    [g1.kyInvA / det, -g0.kyInvA / det],
    [-g1.kxInvA / det, g0.kxInvA / det]
  ];
  // G0ᵀ = [[g0ref.x, g0ref.y], [g1ref.x, g1ref.y]].
  const f00 = git[0][0] * g0ref.kxInvA + git[0][1] * g1ref.kxInvA;
  const f01 = git[0][0] * g0ref.kyInvA + git[0][1] * g1ref.kyInvA;
  const f10 = git[1][0] * g0ref.kxInvA + git[1][1] * g1ref.kxInvA;
  const f11 = git[1][0] * g0ref.kyInvA + git[1][1] * g1ref.kyInvA;
  const detF = f00 * f11 - f01 * f10;
  if (!(detF > 0)) {
    throw new ValueError(
      `${fn}: the deformation from (g0ref, g1ref) to (g0, g1) must keep handedness (det F > 0); got det F = ${detF}. ` +
        'Check that g0 and g1 are the same spot families as g0ref and g1ref, in the same order and with the same signs.'
    );
  }

  // Polar decomposition F = R·U in 2D: R is the rotation by atan2(F10 − F01, F00 + F11).
  const theta = Math.atan2(f10 - f01, f00 + f11);
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  let exx: number;
  let eyy: number;
  let exy: number;
  if (measure === 'infinitesimal') {
    exx = f00 - 1;
    eyy = f11 - 1;
    exy = 0.5 * (f01 + f10);
  } else if (measure === 'biot') {
    // U = Rᵀ·F (symmetric up to rounding).
    exx = c * f00 + s * f10 - 1;
    eyy = -s * f01 + c * f11 - 1;
    exy = 0.5 * (c * f01 + s * f11 + (-s * f00 + c * f10));
  } else {
    exx = 0.5 * (f00 * f00 + f10 * f10 - 1);
    eyy = 0.5 * (f01 * f01 + f11 * f11 - 1);
    exy = 0.5 * (f00 * f01 + f10 * f11);
  }
  const mean = 0.5 * (exx + eyy);
  const radius = Math.hypot(0.5 * (exx - eyy), exy);
  let angleDeg = (0.5 * Math.atan2(2 * exy, exx - eyy) * 180) / Math.PI;
  if (angleDeg <= -90) angleDeg += 180;
  return {
    exx,
    eyy,
    exy,
    e1: mean + radius,
    e2: mean - radius,
    angleDeg,
    rotationDeg: (theta * 180) / Math.PI,
    deformationGradient: [
      [f00, f01],
      [f10, f11]
    ],
    dilatation: detF - 1,
    measure,
    warnings
  };
}

/** |sin| of the angle between two vectors; throws when they are collinear or zero. */
function checkPair(fn: string, names: string, a: GVector, b: GVector): number {
  const na = Math.hypot(a.kxInvA, a.kyInvA);
  const nb = Math.hypot(b.kxInvA, b.kyInvA);
  const sin = na > 0 && nb > 0 ? Math.abs(a.kxInvA * b.kyInvA - a.kyInvA * b.kxInvA) / (na * nb) : 0;
  if (!(sin > 1e-6)) {
    throw new ValueError(
      `${fn}: ${names} must be two non-zero, non-collinear g-vectors; got an angle of ${((Math.asin(Math.min(1, sin)) * 180) / Math.PI).toFixed(6)}° ` +
        'between them. Use two spot families that are not parallel (e.g. (100) and (010)).'
    );
  }
  return sin;
}
