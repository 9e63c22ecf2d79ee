import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';

describe('display/scaleBar', () => {
  it('niceScaleBar() picks a round Å length below 1 nm', () => {
    // 0.05 Å per screen pixel × 120 px = 6 Å → 5 Å bar of 100 px.
    const bar = lowdose.display.niceScaleBar(0.05, 'A');
    assert.equal(bar.label, '5 Å');
    assert.ok(Math.abs(bar.lengthPx - 100) < 1e-9);
  });

  it('niceScaleBar() switches to nm from 1 nm up and keeps 1-2-5 steps', () => {
    assert.equal(lowdose.display.niceScaleBar(0.5, 'A').label, '5 nm'); // 60 Å → 5 nm
    assert.equal(lowdose.display.niceScaleBar(0.2, 'A').label, '2 nm'); // 24 Å → 2 nm
    assert.equal(lowdose.display.niceScaleBar(0.1, 'nm').label, '10 nm'); // 12 nm → 10 nm
    assert.equal(lowdose.display.niceScaleBar(20, 'nm').label, '2 µm');
  });

  it('niceScaleBar() keeps reciprocal and pixel units', () => {
    assert.equal(lowdose.display.niceScaleBar(0.001, '1/A').label, '0.1 1/Å');
    assert.equal(lowdose.display.niceScaleBar(1, '').label, '100 px');
  });

  it('niceScaleBar() bar never exceeds its target length', () => {
    for (const perPx of [0.013, 0.27, 1.9, 33, 710]) {
      const bar = lowdose.display.niceScaleBar(perPx, 'A', 120);
      assert.ok(bar.lengthPx <= 120 + 1e-9 && bar.lengthPx > 120 / 2.5 - 1e-9, `${perPx}: ${bar.lengthPx}`);
    }
  });
});
