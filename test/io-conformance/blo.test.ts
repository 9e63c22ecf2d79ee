// One test per .blo file under blo/, asserting what MANIFEST.md records (shape, axes, statistics,
// header values) and RosettaSciIO's reference array for test2.blo. Detector axes: RosettaSciIO gives
// 0.016061676839061997 cm per pixel; lowdose gives the same length in mm.
import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';
import { assertClose, corpusIt, expectStats } from './corpus';

type Ds = lowdose.Dataset;

function expectAxes(ds: Ds, ny: number, nx: number, dp: number, stepNm: number): void {
  assert.deepEqual(
    ds.axes.map(a => [a.name, a.size, a.units, a.offset]),
    [
      ['y', ny, 'nm', 0],
      ['x', nx, 'nm', 0],
      ['dy', dp, 'mm', 0],
      ['dx', dp, 'mm', 0]
    ]
  );
  assert.equal(ds.axes[0].scale, stepNm);
  assert.equal(ds.axes[1].scale, stepNm);
  assertClose(ds.axes[2].scale, 0.016061676839061997 * 10, 1e-12, 'dy (mm)');
  assertClose(ds.axes[3].scale, 0.016061676839061997 * 10, 1e-12, 'dx (mm)');
}

// rsciio/tests/test_blockfile.py ref_data2: the six 5×5 patterns of test2.blo in raster order
const REF2 = [
  '20 23 25 25 27 29 23 23 0 29 24 0 0 22 18 0 14 19 17 26 19 21 22 27 20',
  '28 25 29 15 29 12 15 12 25 24 25 26 26 18 27 19 18 20 23 28 28 18 22 25 0',
  '21 29 25 19 18 30 15 20 22 26 23 18 26 15 25 22 25 24 15 20 22 15 15 21 23',
  '28 25 26 24 26 26 17 0 24 12 17 18 21 19 21 21 24 19 17 0 17 14 25 15 26',
  '25 18 20 15 24 19 13 23 18 11 0 25 0 0 14 26 22 22 11 14 21 0 15 13 19',
  '24 18 20 22 21 13 25 20 28 29 15 17 24 23 23 22 21 21 22 18 24 25 18 18 27'
].flatMap(s => s.split(' ').map(Number));

describe('io conformance: NanoMegas blockfile (MANIFEST.md)', () => {
  corpusIt('blo/test1.blo', 'reads 3×2 patterns of 144×144 uint8 with 12.8 nm steps at 200 kV', async file => {
    const ds = await lowdose.io.read(file);
    assert.equal(ds.metadata.sourceFormat, 'blo');
    assert.deepEqual(ds.data.shape, [3, 2, 144, 144]);
    assert.equal(lowdose.dtypeOf(ds.data), 'uint8');
    expectAxes(ds, 3, 2, 144, 12.8);
    // integer counts: a relative tolerance of 1e-9 makes min, max, sum and first exact
    expectStats(ds, { min: 0, max: 255, mean: 41.51049704, sum: 5164570, first: 17 }, 1e-9);
    assert.equal(ds.metadata.voltageKV, 200);
    assert.equal(ds.metadata.cameraLengthMm, 200);
    assert.equal(ds.metadata.acquisitionDate, '2015-12-01T15:40:59.812');
    const all = await lowdose.io.readAll(file);
    assert.equal(all[1].metadata.title, 'virtual bright field');
    assert.deepEqual(Array.from(all[1].data.data as Uint8Array), [169, 173, 173, 174, 170, 173]);
  });

  corpusIt('blo/test2.blo', "reads 2×3 patterns of 5×5 equal to RosettaSciIO's reference array, with the header note", async file => {
    const ds = await lowdose.io.readBlo(file);
    assert.deepEqual(ds.data.shape, [2, 3, 5, 5]);
    expectAxes(ds, 2, 3, 5, 64);
    expectStats(ds, { min: 0, max: 30, mean: 19.68, sum: 2952, first: 20 }, 1e-9);
    assert.deepEqual(Array.from(ds.data.data as Uint8Array), REF2);
    assert.equal(ds.metadata.notes, 'Precession angle : \r\nPrecession Frequency : \r\nCamera gamma : on');
    assert.equal(ds.metadata.acquisitionDate, '2015-12-01T15:43:09.828');
    assert.equal(ds.metadata.scanRotationDeg, 25);
    const h = (ds.metadata.original as { blockfileHeader: { magic: number; offsetNavigator: number } }).blockfileHeader;
    assert.equal(h.magic, 0x0102);
    assert.equal(h.offsetNavigator, 0x1000);
  });
});
