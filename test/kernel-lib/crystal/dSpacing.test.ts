import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';

const { crystal } = lowdose;
type Hkl = [number, number, number];

/** d-spacings of science.md §1.16 (3 decimals there, so ±0.0006 Å). */
const TABLE: Array<[keyof typeof crystal.cells, Array<[Hkl, number]>]> = [
  ['alphaNNB', [[[1, 0, 0], 4.695], [[1, 1, 0], 3.32], [[1, 1, 1], 2.711], [[2, 0, 0], 2.348], [[2, 1, 0], 2.1], [[2, 2, 0], 1.66]]],
  ['betaNNB', [[[1, 0, 0], 6.538], [[0, 0, 2], 4.926], [[1, 1, 0], 4.608], [[1, 1, 1], 4.174], [[1, 0, 2], 3.934], [[1, 1, 2], 3.365]]],
  ['li', [[[1, 1, 0], 2.481], [[2, 0, 0], 1.754]]],
  ['li2o', [[[1, 1, 1], 2.662], [[2, 2, 0], 1.63]]],
  ['lif', [[[1, 1, 1], 2.325], [[2, 0, 0], 2.014], [[2, 2, 0], 1.424]]],
  ['li3n', [[[0, 0, 1], 3.875], [[1, 0, 0], 3.159], [[1, 0, 1], 2.449], [[0, 0, 2], 1.938], [[1, 1, 0], 1.824]]],
  ['li2co3', [[[1, 1, 0], 4.159], [[1, 1, 1], 3.027], [[2, 0, -2], 2.921], [[0, 0, 2], 2.812], [[1, 1, -2], 2.627], [[0, 2, 0], 2.486], [[3, 1, -1], 2.43]]],
  ['si', [[[1, 1, 1], 3.136], [[2, 2, 0], 1.92], [[3, 1, 1], 1.637]]],
  ['pbi2', [[[0, 0, 1], 6.979], [[0, 0, 2], 3.49], [[1, 0, 1], 3.435], [[1, 0, 2], 2.614], [[0, 0, 3], 2.326], [[1, 1, 0], 2.279], [[1, 0, 3], 2.004]]],
  ['pb', [[[1, 1, 1], 2.858], [[2, 0, 0], 2.475]]],
  ['mapbi3Tetragonal', [[[0, 0, 2], 6.33], [[1, 1, 0], 6.265], [[2, 1, 1], 3.781], [[2, 0, 2], 3.629], [[0, 0, 4], 3.165], [[2, 2, 0], 3.132], [[3, 1, 0], 2.802], [[2, 2, 4], 2.226], [[4, 0, 0], 2.215]]],
  ['nvpf', [[[0, 1, 1], 6.92], [[1, 1, 1], 5.492], [[0, 0, 2], 5.373], [[0, 2, 0], 4.522], [[2, 0, 0], 4.514], [[1, 2, 0], 4.043], [[2, 1, 1], 3.781], [[0, 2, 2], 3.46]]],
  ['gammaLi3po4', [[[2, 0, 0], 5.238], [[1, 0, 1], 4.455], [[2, 1, 0], 3.979], [[0, 1, 1], 3.836], [[1, 1, 1], 3.602], [[2, 1, 1], 3.095], [[3, 0, 1], 2.848]]]
];

describe('crystal.dSpacing', () => {
  it('dSpacing() of cubic α-NNB: (100) 4.695, (110) 3.320, (200) 2.3475 Å', () => {
    const cell = crystal.unitCell({ a: 4.695 });
    assert.ok(Math.abs(crystal.dSpacing(cell, [1, 0, 0]) - 4.695) < 1e-12);
    assert.ok(Math.abs(crystal.dSpacing(cell, [1, 1, 0]) - 4.695 / Math.SQRT2) < 1e-12);
    assert.ok(Math.abs(crystal.dSpacing(cell, [1, 1, 0]) - 3.32) < 5e-4);
    assert.ok(Math.abs(crystal.dSpacing(cell, [2, 0, 0]) - 2.3475) < 1e-12);
  });

  it('dSpacing() of a supercell reflection (1/2 0 0) is 2a = 9.39 Å', () => {
    assert.ok(Math.abs(crystal.dSpacing(crystal.cells.alphaNNB, [0.5, 0, 0]) - 9.39) < 1e-12);
  });

  it('dSpacing() of β-NNB (orthorhombic) matches numpy to 1e-4 Å: (002) 4.9256, (110) 4.6083, (112) 3.3651', () => {
    const b = crystal.cells.betaNNB;
    assert.ok(Math.abs(crystal.dSpacing(b, [0, 0, 2]) - 4.9256) < 1e-4);
    assert.ok(Math.abs(crystal.dSpacing(b, [1, 1, 0]) - 4.6083) < 1e-4);
    assert.ok(Math.abs(crystal.dSpacing(b, [1, 1, 1]) - 4.1742) < 1e-4);
    assert.ok(Math.abs(crystal.dSpacing(b, [1, 1, 2]) - 3.3651) < 1e-4);
  });

  it('dSpacing() of a triclinic cell matches numpy 1/sqrt(hᵀ·inv(G)·h) to 1e-12 Å', () => {
    // numpy (.venv): a,b,c = 5.1, 6.3, 7.7; α,β,γ = 78, 95.5, 104.2°; G built from them; d = 1/sqrt(h @ inv(G) @ h)
    const cell = crystal.unitCell({ a: 5.1, b: 6.3, c: 7.7, alphaDeg: 78, betaDeg: 95.5, gammaDeg: 104.2 });
    const expected: Array<[Hkl, number]> = [
      [[1, 0, 0], 4.938639698394079],
      [[0, 1, 0], 5.994957832500949],
      [[0, 0, 1], 7.523309946864976],
      [[1, 1, 0], 3.4408867593033077],
      [[1, -1, 1], 3.4948192546703356],
      [[2, 1, -3], 1.596668381629111],
      [[0.5, 0, 0], 9.877279396788158]
    ];
    for (const [hkl, d] of expected) assert.ok(Math.abs(crystal.dSpacing(cell, hkl) - d) < 1e-12, `${hkl}: ${crystal.dSpacing(cell, hkl)} vs ${d}`);
    // numpy: angle between g(1 -1 1) and g(2 1 -3) = 97.97587415374555°
    assert.ok(Math.abs(crystal.interplanarAngleDeg(cell, [1, -1, 1], [2, 1, -3]) - 97.97587415374555) < 1e-9);
  });

  for (const [name, rows] of TABLE) {
    it(`dSpacing() reproduces the science.md §1.16 table for ${name} within 0.0006 Å`, () => {
      const cell = crystal.cells[name];
      for (const [hkl, d] of rows) {
        const got = crystal.dSpacing(cell, hkl);
        assert.ok(Math.abs(got - d) <= 6e-4, `${name} ${hkl}: ${got.toFixed(4)} vs ${d}`);
        assert.ok(crystal.isAllowed(cell, hkl), `${name} ${hkl} should be allowed`);
      }
    });
  }

  it('reflections() lists the geometric β-NNB d-spacings of science.md in order: 6.538, 4.926, 4.608, 4.174, 3.934, 3.365 Å', () => {
    const ds: number[] = [];
    for (const r of crystal.reflections(crystal.cells.betaNNB, { minDA: 3.36 })) {
      if (!ds.some(d => Math.abs(d - r.dA) < 1e-6)) ds.push(r.dA);
    }
    assert.deepEqual(ds.map(d => d.toFixed(3)), ['6.538', '4.926', '4.608', '4.174', '3.934', '3.365']);
  });

  it('reflections() with zoneAxis [001] of α-NNB keeps only hk0 and lists Friedel pairs', () => {
    const list = crystal.reflections(crystal.cells.alphaNNB, { minDA: 3.3, zoneAxis: [0, 0, 1] });
    assert.equal(list.length, 8); // {100}: 4, {110}: 4 in the zone
    assert.ok(list.every(r => r.hkl[2] === 0));
    assert.ok(Math.abs(list[0].dA - 4.695) < 1e-12);
  });

  it('interplanarAngleDeg() and zoneAxis(): (100)∠(110) = 45°, (100)×(010) = [001], (1/2 0 0)×(010) = [001]', () => {
    const cell = crystal.cells.alphaNNB;
    assert.ok(Math.abs(crystal.interplanarAngleDeg(cell, [1, 0, 0], [1, 1, 0]) - 45) < 1e-12);
    assert.deepEqual(crystal.zoneAxis([1, 0, 0], [0, 1, 0]), [0, 0, 1]);
    assert.deepEqual(crystal.zoneAxis([0.5, 0, 0], [0, 1, 0]), [0, 0, 1]);
    assert.deepEqual(crystal.zoneAxis([1, 1, 0], [0, 0, 2]), [1, -1, 0]);
    assert.throws(() => crystal.zoneAxis([1, 0, 0], [2, 0, 0]), /collinear/);
  });

  it('dSpacing() rejects (000) and non-numeric indices with a message naming hkl', () => {
    const cell = crystal.cells.alphaNNB;
    assert.throws(() => crystal.dSpacing(cell, [0, 0, 0]), /dSpacing: hkl must be three finite Miller indices/);
    assert.throws(() => crystal.dSpacing(cell, [1, NaN, 0]), lowdose.ValueError);
    assert.throws(() => crystal.dSpacing({} as never, [1, 0, 0]), /dSpacing: cell must be a unit cell/);
  });
});
