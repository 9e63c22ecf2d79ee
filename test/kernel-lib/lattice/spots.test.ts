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

  describe('with a source (re-refinement by upsampled DFT)', function () {
    this.timeout(120000);
    type Truth = { label: string; kxInvA: number; kyInvA: number; dA: number; amplitudeInImage: number };
    // science.md Part 2 at 1024², p = 0.5 Å, 38.5 e⁻/Å²: the 9.4 Å spot reaches 0.1 % only at this size.
    let img: lowdose.Dataset;
    let truth: Truth[];
    before(() => {
      img = lowdose.simulate.crystalImage({ seed: 11, shape: [1024, 1024], inPlaneRotationDeg: 31 });
      truth = (img.metadata.reflections as Truth[]).filter(r => r.amplitudeInImage > 0);
    });

    it('spots(list, image) re-refines picks given 1.5 px off to within 0.1 % of the simulated d, keeping labels and order', () => {
      const step = 1 / (1024 * 0.5);
      const list = truth.map(t => ({ kxInvA: t.kxInvA + 1.2 * step, kyInvA: t.kyInvA - 0.9 * step, label: t.label }));
      const refined = lattice.spots(list, img);
      assert.equal(refined.length, truth.length);
      truth.forEach((t, i) => {
        const s = refined[i];
        assert.equal(s.label, t.label);
        assert.equal(s.refinedBy, 'upsampled-dft');
        assert.ok(Math.abs(s.dA / t.dA - 1) < 1e-3, `${t.label}: d ${s.dA} vs ${t.dA}`);
        assert.ok(Math.hypot(s.kxInvA - t.kxInvA, s.kyInvA - t.kyInvA) < 0.05 * step, `${t.label}: vector off by ${Math.hypot(s.kxInvA - t.kxInvA, s.kyInvA - t.kyInvA) / step} px`);
        assert.deepEqual(s.given, { kxInvA: list[i].kxInvA, kyInvA: list[i].kyInvA });
        assert.ok((s.snr as number) > 5);
      });
    });

    it('spots(list, powerSpectrum) gives the same refined vectors as spots(list, image); one argument still only validates', () => {
      const list = truth.slice(0, 3).map(t => ({ kxInvA: t.kxInvA, kyInvA: t.kyInvA }));
      const a = lattice.spots(list, img);
      const b = lattice.spots(list, lowdose.fft.powerSpectrum(img));
      a.forEach((s, i) => assert.ok(Math.abs(s.kxInvA - b[i].kxInvA) < 1e-12 && Math.abs(s.kyInvA - b[i].kyInvA) < 1e-12));
      const plain = lattice.spots(list);
      assert.equal(plain[0].kxInvA, list[0].kxInvA);
      assert.equal(plain[0].refinedBy, undefined);
      assert.throws(() => lattice.spots(list, 'img' as never), /spots: source must be a power spectrum/);
    });
  });
});
