import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';

const { crystal } = lowdose;

describe('crystal.unitCell', () => {
  it('unitCell() of a cubic cell has G = a²·I, G* = I/a² and V = a³', () => {
    const cell = crystal.unitCell({ a: 4.695, name: 'α-NNB', spaceGroup: 'Pm-3m' });
    assert.deepEqual([cell.b, cell.c, cell.alphaDeg, cell.betaDeg, cell.gammaDeg], [4.695, 4.695, 90, 90, 90]);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        assert.ok(Math.abs(cell.metricA2[i][j] - (i === j ? 4.695 ** 2 : 0)) < 1e-12);
        assert.ok(Math.abs(cell.reciprocalMetricInvA2[i][j] - (i === j ? 1 / 4.695 ** 2 : 0)) < 1e-15);
      }
    }
    assert.ok(Math.abs(cell.volumeA3 - 4.695 ** 3) < 1e-9);
    assert.equal(cell.name, 'α-NNB');
  });

  it('unitCell({a, c}) is tetragonal (b = a) and unitCell({a, b}) keeps c = b', () => {
    const t = crystal.unitCell({ a: 8.86, c: 12.66 });
    assert.deepEqual([t.a, t.b, t.c], [8.86, 8.86, 12.66]);
    const o = crystal.unitCell({ a: 3, b: 4 });
    assert.deepEqual([o.a, o.b, o.c], [3, 4, 4]);
  });

  it('unitCell() of a triclinic cell gives the volume numpy gives (234.33815792 Å³) and G·G* = I', () => {
    // numpy: G from a,b,c = 5.1, 6.3, 7.7 Å and α,β,γ = 78, 95.5, 104.2°; sqrt(det G) = 234.33815792155417
    const cell = crystal.unitCell({ a: 5.1, b: 6.3, c: 7.7, alphaDeg: 78, betaDeg: 95.5, gammaDeg: 104.2 });
    assert.ok(Math.abs(cell.volumeA3 - 234.33815792155417) < 1e-9);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += cell.metricA2[i][k] * cell.reciprocalMetricInvA2[k][j];
        assert.ok(Math.abs(s - (i === j ? 1 : 0)) < 1e-12);
      }
    }
    // Cartesian bases are dual: a_i · a*_j = δ_ij, and |a| = a.
    const A = cell.directBasisA;
    const B = cell.reciprocalBasisInvA;
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const dot = A[0][i] * B[0][j] + A[1][i] * B[1][j] + A[2][i] * B[2][j];
        assert.ok(Math.abs(dot - (i === j ? 1 : 0)) < 1e-12);
      }
    }
    assert.ok(Math.abs(Math.hypot(A[0][2], A[1][2], A[2][2]) - 7.7) < 1e-12);
  });

  it('unitCell() rejects non-positive lengths and angles that cannot close a cell, naming the parameter', () => {
    assert.throws(() => crystal.unitCell({ a: 0 }), /unitCell: a must be a positive length in Å; got 0/);
    assert.throws(() => crystal.unitCell({ a: 4, gammaDeg: 180 }), /unitCell: gammaDeg must be an angle/);
    assert.throws(() => crystal.unitCell({ a: 4, alphaDeg: 150, betaDeg: 150, gammaDeg: 150 }), lowdose.ValueError);
    assert.throws(() => crystal.unitCell({ a: 4, reflectionConditions: ['0kl k=2n'] }), /parseReflectionCondition/);
  });

  it('centring and listed conditions decide allowed reflections (Pbcm (001) forbidden, Fd-3m (200) forbidden, C2/c (110) allowed)', () => {
    const beta = crystal.cells.betaNNB;
    assert.equal(crystal.isAllowed(beta, [0, 0, 1]), false);
    assert.equal(crystal.isAllowed(beta, [0, 0, 2]), true);
    assert.equal(crystal.isAllowed(beta, [0, 1, 1]), false);
    assert.equal(crystal.isAllowed(beta, [1, 0, 1]), false);
    assert.equal(crystal.isAllowed(beta, [1, 1, 1]), true);
    assert.equal(crystal.isAllowed(crystal.cells.si, [2, 0, 0]), false);
    assert.equal(crystal.isAllowed(crystal.cells.si, [4, 0, 0]), true);
    assert.equal(crystal.isAllowed(crystal.cells.si, [1, 1, 1]), true);
    assert.equal(crystal.isAllowed(crystal.cells.si, [1, 1, 0]), false);
    assert.equal(crystal.isAllowed(crystal.cells.li, [1, 0, 0]), false);
    assert.equal(crystal.isAllowed(crystal.cells.li2co3, [1, 1, 0]), true);
    assert.equal(crystal.isAllowed(crystal.cells.li2co3, [1, 0, 0]), false);
    // fractional (supercell) indices are outside the cell's conditions
    assert.equal(crystal.isAllowed(beta, [0, 0, 0.5]), true);
  });

  it('presets are frozen', () => {
    assert.ok(Object.isFrozen(crystal.cells.alphaNNB));
    assert.ok(Object.isFrozen(crystal.cells.alphaNNB.metricA2[0]));
  });
});
