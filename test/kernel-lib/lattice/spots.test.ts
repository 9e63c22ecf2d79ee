import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';

const { lattice } = lowdose;

describe('lattice.spots', () => {
  it('spots() derives d = 1/|k|, |g| and angle = atan2(ky, kx) from the picker literal', () => {
    const s = lattice.spots([
      { kxInvA: 1 / 4.695, kyInvA: 0 },
      { kxInvA: 0, kyInvA: 1 / 4.695, label: '(010)', snr: 12.5 },
      { kxInvA: -0.1, kyInvA: -0.1 }
    ]);
    assert.ok(Math.abs(s[0].dA - 4.695) < 1e-12);
    assert.equal(s[0].angleDeg, 0);
    assert.equal(s[1].angleDeg, 90);
    assert.equal(s[1].label, '(010)');
    assert.equal(s[1].snr, 12.5);
    assert.ok(Math.abs(s[2].angleDeg + 135) < 1e-12);
    assert.ok(Math.abs(s[2].gInvA - Math.SQRT2 * 0.1) < 1e-15);
  });

  it('spots() accepts the polar form {dA, angleDeg} and returns the same vector', () => {
    const [s] = lattice.spots([{ dA: 9.39, angleDeg: 30 }]);
    assert.ok(Math.abs(s.kxInvA - Math.cos(Math.PI / 6) / 9.39) < 1e-15);
    assert.ok(Math.abs(s.kyInvA - 0.5 / 9.39) < 1e-15);
    assert.ok(Math.abs(s.dA - 9.39) < 1e-12);
  });

  it('spots() accepts a rounded dA beside the vector but rejects one more than 1 % off', () => {
    assert.doesNotThrow(() => lattice.spots([{ kxInvA: 0.213, kyInvA: 0, dA: 4.695 }]));
    assert.throws(() => lattice.spots([{ kxInvA: 0.213, kyInvA: 0, dA: 4.5 }]), /spots: list\[0\]\.dA must match 1\/\|k\|/);
    assert.throws(() => lattice.spots([{ kxInvA: 0.213, kyInvA: 0, angleDeg: 5 }]), /angleDeg must match/);
  });

  it('spots() rejects an empty list, the DC term, non-finite values and duplicates, naming the entry', () => {
    assert.throws(() => lattice.spots([]), /spots: list must hold at least one spot/);
    assert.throws(() => lattice.spots([{ kxInvA: 0, kyInvA: 0 }]), /spots: list\[0\] must not be the origin/);
    assert.throws(() => lattice.spots([{ kxInvA: 0.1, kyInvA: NaN }]), /spots: list\[0\]\.kyInvA must be a finite number/);
    assert.throws(() => lattice.spots([{ kxInvA: 0.1 } as never]), /kyInvA must be a finite number/);
    assert.throws(() => lattice.spots([{ label: 'x' } as never]), /must have kxInvA and kyInvA/);
    assert.throws(() => lattice.spots([{ kxInvA: 0.1, kyInvA: 0 }, { kxInvA: 0.1, kyInvA: 0 }]), /list\[1\] must differ from list\[0\]/);
    assert.throws(() => lattice.spots('x' as never), lowdose.ValueError);
  });

  it('spots() output feeds indexPeaks() directly', () => {
    const r = lattice.indexPeaks(lattice.spots([{ dA: 9.39, angleDeg: 0 }, { dA: 4.695, angleDeg: 0 }, { dA: 4.695, angleDeg: 90 }]), lowdose.crystal.cells.alphaNNB);
    assert.deepEqual(r.peaks.map(p => p.supercellMultiplier), [2, 1, 1]);
  });
});
