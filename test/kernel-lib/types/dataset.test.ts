import assert from 'node:assert/strict';
import ndarray from 'ndarray';
import * as lowdose from 'lowdose';

describe('types/dataset', () => {
  it('makeDataset() fills default axis names and index calibration per dimension', () => {
    const ds = lowdose.makeDataset(ndarray(new Float32Array(2 * 3 * 4), [2, 3, 4]));
    assert.deepEqual(ds.axes.map(a => a.name), ['frame', 'y', 'x']);
    assert.deepEqual(ds.axes.map(a => [a.size, a.scale, a.offset, a.units]), [
      [2, 1, 0, ''],
      [3, 1, 0, ''],
      [4, 1, 0, '']
    ]);
  });

  it('imageDataset() calibrates both axes in Å and records pixelSizeA', () => {
    const ds = lowdose.imageDataset(new Float32Array(6), [2, 3], { pixelSizeA: 0.5 });
    assert.deepEqual(ds.data.shape, [2, 3]);
    assert.equal(ds.axes[1].scale, 0.5);
    assert.equal(ds.axes[0].units, 'A');
    assert.equal(ds.metadata.pixelSizeA, 0.5);
  });

  it('makeDataset() rejects an axis whose size disagrees with the array, naming the axis', () => {
    assert.throws(
      () => lowdose.makeDataset(ndarray(new Float32Array(6), [2, 3]), { axes: [{ size: 2 }, { size: 4 }] }),
      (e: Error) => e instanceof lowdose.ShapeError && /axes\[1\]\.size must equal data\.shape\[1\] = 3; got 4/.test(e.message)
    );
  });

  it('makeDataset() rejects units outside the documented list and zero scales', () => {
    assert.throws(
      () => lowdose.makeDataset(ndarray(new Float32Array(4), [4]), { axes: [{ units: 'angstrom' as never }] }),
      lowdose.ValueError
    );
    assert.throws(() => lowdose.makeDataset(ndarray(new Float32Array(4), [4]), { axes: [{ scale: 0 }] }), /scale must be a finite non-zero/);
  });

  it('imageDataset() rejects values whose length is not rows × cols', () => {
    assert.throws(() => lowdose.imageDataset(new Float32Array(5), [2, 3]), lowdose.ShapeError);
  });

  it('toDense2d() copies a transposed strided view in row-major order', () => {
    const base = ndarray(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
    const t = base.transpose(1, 0);
    assert.deepEqual(Array.from(lowdose.toDense2d(t)), [1, 4, 2, 5, 3, 6]);
  });

  it('errors carry a stable code and are instances of LowdoseError', () => {
    const e = new lowdose.FormatError('a.mrc', 'nx', 0, 'must be positive; got -1.');
    assert.ok(e instanceof lowdose.LowdoseError);
    assert.equal(e.code, 'FORMAT');
    assert.equal(e.offset, 0);
    assert.match(e.message, /^a\.mrc: nx at byte 0: /);
    assert.equal(e.name, 'FormatError');
  });
});
