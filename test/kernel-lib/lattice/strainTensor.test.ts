import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';

type G = { kxInvA: number; kyInvA: number };
type M = [[number, number], [number, number]];

const rad = (deg: number): number => (deg * Math.PI) / 180;
const rot = (deg: number): M => [
  [Math.cos(rad(deg)), -Math.sin(rad(deg))],
  [Math.sin(rad(deg)), Math.cos(rad(deg))]
];
const mul = (a: M, b: M): M => [
  [a[0][0] * b[0][0] + a[0][1] * b[1][0], a[0][0] * b[0][1] + a[0][1] * b[1][1]],
  [a[1][0] * b[0][0] + a[1][1] * b[1][0], a[1][0] * b[0][1] + a[1][1] * b[1][1]]
];
const transpose = (a: M): M => [
  [a[0][0], a[1][0]],
  [a[0][1], a[1][1]]
];
/** F = R(θ)·diag(1 + ε, 1)·R(θ)ᵀ, science.md Part 2. */
const stretch = (eps: number, thetaDeg: number): M => mul(mul(rot(thetaDeg), [[1 + eps, 0], [0, 1]]), transpose(rot(thetaDeg)));
/** g = F^(−T)·g_ref. */
const deform = (f: M, g: G): G => {
  const det = f[0][0] * f[1][1] - f[0][1] * f[1][0];
  // F^(−T) = (1/det)·[[f11, −f10], [−f01, f00]]
  return {
    kxInvA: (f[1][1] * g.kxInvA - f[1][0] * g.kyInvA) / det,
    kyInvA: (-f[0][1] * g.kxInvA + f[0][0] * g.kyInvA) / det
  };
};
const polar = (dA: number, deg: number): G => ({ kxInvA: Math.cos(rad(deg)) / dA, kyInvA: Math.sin(rad(deg)) / dA });
const close = (got: number, want: number, tol: number, what: string): void =>
  assert.ok(Math.abs(got - want) <= tol, `${what}: got ${got}, want ${want} ± ${tol}`);

describe('lattice.strainTensor', () => {
  // The 4.7 Å (100) and (010) families of α-NNB, turned 12° in the image.
  const g0ref = polar(4.7, 12);
  const g1ref = polar(4.7, 102);

  it('strainTensor() recovers the science.md F(D) = R(θ)·diag(1.075, 1)·R(θ)ᵀ exactly: e1 = 0.075, e2 = 0, direction θ, no rotation', () => {
    for (const theta of [12, 30, -47.5, 89]) {
      const f = stretch(0.075, theta);
      const s = lowdose.lattice.strainTensor(deform(f, g0ref), deform(f, g1ref), g0ref, g1ref);
      close(s.e1, 0.075, 1e-9, `e1 at θ=${theta}`);
      close(s.e2, 0, 1e-9, `e2 at θ=${theta}`);
      close(s.angleDeg, theta, 1e-6, 'principal direction');
      close(s.rotationDeg, 0, 1e-9, 'rotation');
      close(s.dilatation, 0.075, 1e-9, 'det F − 1');
      for (let r = 0; r < 2; r++) for (let c = 0; c < 2; c++) close(s.deformationGradient[r][c], f[r][c], 1e-12, `F[${r}][${c}]`);
      assert.deepEqual(s.warnings, []);
    }
  });

  it('strainTensor() reads a 1 % expansion along x (columns) as exx = 0.01, eyy = exy = 0, angle 0°', () => {
    const s = lowdose.lattice.strainTensor(
      { kxInvA: 1 / 4.747, kyInvA: 0 },
      { kxInvA: 0, kyInvA: 1 / 4.7 },
      { kxInvA: 1 / 4.7, kyInvA: 0 },
      { kxInvA: 0, kyInvA: 1 / 4.7 }
    );
    close(s.exx, 0.01, 1e-12, 'exx');
    close(s.eyy, 0, 1e-12, 'eyy');
    close(s.exy, 0, 1e-12, 'exy');
    close(s.angleDeg, 0, 1e-9, 'angle');
  });

  it('strainTensor() follows the array frame: an expansion along +x+y (down-right) has angleDeg = +45', () => {
    const f = stretch(0.02, 45);
    const s = lowdose.lattice.strainTensor(deform(f, g0ref), deform(f, g1ref), g0ref, g1ref);
    close(s.angleDeg, 45, 1e-9, 'angle');
    assert.ok(s.exy > 0);
  });

  it('strainTensor() separates a 3° rotation from a 7.5 % stretch with the biot measure, and reports it for every measure', () => {
    const f = mul(rot(3), stretch(0.075, 30));
    const [g0, g1] = [deform(f, g0ref), deform(f, g1ref)];
    const biot = lowdose.lattice.strainTensor(g0, g1, g0ref, g1ref, { measure: 'biot' });
    close(biot.e1, 0.075, 1e-9, 'biot e1');
    close(biot.e2, 0, 1e-9, 'biot e2');
    close(biot.angleDeg, 30, 1e-6, 'biot angle');
    close(biot.rotationDeg, 3, 1e-9, 'rotation');
    const gl = lowdose.lattice.strainTensor(g0, g1, g0ref, g1ref, { measure: 'green-lagrange' });
    close(gl.e1, (1.075 ** 2 - 1) / 2, 1e-9, 'Green–Lagrange e1');
    close(gl.rotationDeg, 3, 1e-9, 'rotation');
    // The infinitesimal measure mixes rotation into the diagonal at second order: e2 ≈ cos 3° − 1.
    const inf = lowdose.lattice.strainTensor(g0, g1, g0ref, g1ref);
    close(inf.e2, Math.cos(rad(3)) - 1, 2e-4, 'infinitesimal e2');
  });

  it('strainTensor() gives the same tensor whichever family is g0, and for non-orthogonal (60°) families', () => {
    const f = stretch(0.05, -20);
    const h0 = polar(4.5, 5);
    const h1 = polar(4.5, 65);
    const a = lowdose.lattice.strainTensor(deform(f, h0), deform(f, h1), h0, h1);
    const b = lowdose.lattice.strainTensor(deform(f, h1), deform(f, h0), h1, h0);
    for (const k of ['exx', 'eyy', 'exy', 'e1', 'e2', 'angleDeg'] as const) close(a[k], b[k], 1e-12, k);
    close(a.e1, 0.05, 1e-9, 'e1');
    close(a.angleDeg, -20, 1e-6, 'angle');
  });

  it('strainTensor() refuses collinear or swapped vectors and warns on nearly collinear ones', () => {
    const g = { kxInvA: 0.2, kyInvA: 0 };
    assert.throws(() => lowdose.lattice.strainTensor(g, { kxInvA: 0.4, kyInvA: 0 }, g, { kxInvA: 0, kyInvA: 0.2 }), lowdose.ValueError);
    assert.throws(() => lowdose.lattice.strainTensor(g, { kxInvA: 0, kyInvA: 0.2 }, g, { kxInvA: 0.4, kyInvA: 0 }), /non-collinear/);
    assert.throws(() => lowdose.lattice.strainTensor(g0ref, g1ref, g1ref, g0ref), /det F > 0/);
    assert.throws(() => lowdose.lattice.strainTensor({ kxInvA: NaN, kyInvA: 0 }, g1ref, g0ref, g1ref), /g0 must be/);
    const near = polar(4.7, 17);
    const s = lowdose.lattice.strainTensor(g0ref, near, g0ref, near);
    close(s.e1, 0, 1e-12, 'identity');
    assert.match(s.warnings[0], /within 10° of collinear/);
  });
});
