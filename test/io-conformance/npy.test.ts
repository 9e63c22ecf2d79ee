// One test per corpus file under npy/, asserting what MANIFEST.md records (shape, dtype, order,
// min/max/mean/sum, first element) plus element checks computed with numpy for the Fortran files.
import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';
import { arrayStats as stats, assertClose, corpusIt } from './corpus';

function original(ds: lowdose.Dataset): { version: string; fortran_order: boolean; descr: string; dataOffset: number } {
  return ds.metadata.original as { version: string; fortran_order: boolean; descr: string; dataOffset: number };
}

describe('io conformance: NPY (MANIFEST.md)', () => {
  corpusIt('npy/64x64_TEM_images_acquire.npy', 'reads the 64×64 float32 C-order v1.0 array whose header ends at byte 80', async file => {
    const ds = await lowdose.io.read(file);
    assert.equal(ds.metadata.sourceFormat, 'npy');
    assert.equal(ds.metadata.sourceDtype, '<f4');
    assert.deepEqual(ds.data.shape, [64, 64]);
    assert.ok(ds.data.data instanceof Float32Array);
    assert.equal(original(ds).version, '1.0');
    assert.equal(original(ds).fortran_order, false);
    assert.equal(original(ds).dataOffset, 80, 'older numpy aligned the data to 16 bytes');
    const s = stats(ds.data.data as Float32Array);
    assertClose(s.min, 7737.379395, 1e-9, 'min');
    assertClose(s.max, 49743.01953, 1e-9, 'max');
    assertClose(s.mean, 40295.64475, 1e-9, 'mean');
    assertClose(s.sum, 165050960.9, 1e-9, 'sum');
    assertClose(ds.data.get(0, 0), 49154.60547, 1e-9, 'first');
    assertClose(ds.data.get(63, 0), 48408.402, 1e-7, 'data[63, 0] (numpy)');
    assertClose(ds.data.get(10, 20), 47757.363, 1e-7, 'data[10, 20] (numpy)');
  });

  corpusIt('npy/clean70SRibosome_vol_crop8.npy', 'reads the 8³ complex128 Fortran-order array in C order with numpy’s values', async file => {
    const ds = await lowdose.io.read(file);
    assert.equal(ds.metadata.sourceDtype, '<c16');
    assert.equal(original(ds).fortran_order, true);
    assert.deepEqual(ds.data.shape, [8, 8, 8]);
    assert.ok(ds.imag, 'complex data carry an imaginary part');
    assert.ok(ds.data.data instanceof Float64Array && ds.imag.data instanceof Float64Array);
    assertClose(ds.data.get(0, 0, 0), -0.16225066019174797, 1e-14, 'first re');
    assertClose(ds.imag.get(0, 0, 0), 0.5043846950836761, 1e-14, 'first im');
    assertClose(ds.data.get(1, 2, 3), -0.5619045091285281, 1e-14, 're[1,2,3] (numpy)');
    assertClose(ds.imag.get(1, 2, 3), 0.24717657183796565, 1e-14, 'im[1,2,3] (numpy)');
    assertClose(ds.data.get(7, 0, 4), -0.3920660389765627, 1e-14, 're[7,0,4] (numpy)');
    assertClose(ds.imag.get(7, 0, 4), 0.040368059548838396, 1e-14, 'im[7,0,4] (numpy)');
    const re = stats(ds.data.data as Float64Array);
    assertClose(re.sum, -0.19715937872273542, 1e-10, 'sum of real parts (numpy)');
    assertClose(stats(ds.imag.data as Float64Array).sum, -0.0244518999609111, 1e-10, 'sum of imaginary parts (numpy)');
  });

  corpusIt('npy/rand_rot_matrices32.npy', 'reads the 3×3×32 float64 Fortran-order rotation matrices in C order', async file => {
    const ds = await lowdose.io.read(file);
    assert.equal(ds.metadata.sourceDtype, '<f8');
    assert.equal(original(ds).fortran_order, true);
    assert.deepEqual(ds.data.shape, [3, 3, 32]);
    const s = stats(ds.data.data as Float64Array);
    assertClose(s.min, -0.9952729263, 1e-9, 'min');
    assertClose(s.max, 0.9993633688, 1e-9, 'max');
    assertClose(s.mean, -0.04833395463, 1e-9, 'mean');
    assertClose(s.sum, -13.92017893, 1e-9, 'sum');
    assertClose(ds.data.get(0, 0, 0), -0.1097373172, 1e-9, 'first');
    assertClose(ds.data.get(1, 2, 5), 0.6754213926626454, 1e-14, 'data[1,2,5] (numpy)');
    assertClose(ds.data.get(2, 0, 31), 0.47667253027783363, 1e-14, 'data[2,0,31] (numpy)');
    // Each data[:, :, k] is a rotation: R Rᵀ = I only holds when the axes are in the right order.
    for (let k = 0; k < 32; k++) {
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) {
          let dot = 0;
          for (let m = 0; m < 3; m++) dot += ds.data.get(i, m, k) * ds.data.get(j, m, k);
          assertClose(dot, i === j ? 1 : 0, 1e-9, `(R Rᵀ)[${i},${j}] of matrix ${k}`);
        }
      }
    }
  });

  corpusIt('npy/fourier_kernel_16_16_16.npy', 'reads the 16³ float32 C-order Fourier kernel', async file => {
    const ds = await lowdose.io.read(file);
    assert.equal(ds.metadata.sourceDtype, '<f4');
    assert.equal(original(ds).fortran_order, false);
    assert.deepEqual(ds.data.shape, [16, 16, 16]);
    const s = stats(ds.data.data as Float32Array);
    assertClose(s.min, -0.01885798946, 1e-9, 'min');
    assertClose(s.max, 0.06818006188, 1e-9, 'max');
    assertClose(s.mean, 0.006980941584, 1e-9, 'mean');
    assertClose(s.sum, 28.59393673, 1e-9, 'sum');
    assertClose(ds.data.get(0, 0, 0), 0.01230700873, 1e-9, 'first');
    assertClose(ds.data.get(3, 9, 12), 0.002671274, 1e-6, 'data[3,9,12] (numpy)');
  });
});
