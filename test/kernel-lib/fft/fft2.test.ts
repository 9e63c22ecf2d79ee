import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';
import ndarray from 'ndarray';
import { numpy, randomArray, relL2 } from './numpyRef';

const { fft2, ifft2 } = lowdose.fft;

// 256 = 16·16 and 48 = 16·3 run radix-16 passes (last, and before an odd radix)
const SIZES: Array<[number, number]> = [[1, 1], [2, 2], [3, 3], [1, 5], [7, 1], [16, 12], [13, 17], [101, 53], [1009, 2], [64, 1009], [120, 96], [256, 48]];

describe('fft.fft2 / ifft2', () => {
  for (const Ctor of [Float32Array, Float64Array]) {
    const dtype = Ctor === Float32Array ? 'float32' : 'float64';
    const tol = Ctor === Float32Array ? 1e-6 : 1e-13;
    it(`fft2() and ifft2() of ${dtype} input match numpy at awkward sizes within ${tol}`, () => {
      for (const [ny, nx] of SIZES) {
        const re = randomArray(Ctor, ny * nx, ny * 31 + nx), im = randomArray(Ctor, ny * nx, ny * 17 + nx + 1);
        const ref = numpy('z = re.astype(np.float64) + 1j * im\nout["F"] = np.fft.fft2(z)\nout["I"] = np.fft.ifft2(z)', {
          re: { data: re, shape: [ny, nx] }, im: { data: im, shape: [ny, nx] }
        });
        const z = { re: ndarray(re, [ny, nx]), im: ndarray(im, [ny, nx]) };
        const F = fft2(z), I = ifft2(z);
        assert.ok(F.re.data instanceof Ctor);
        const ef = relL2(F.re.data, F.im.data, ref.F.re, ref.F.im!), ei = relL2(I.re.data, I.im.data, ref.I.re, ref.I.im!);
        assert.ok(ef <= tol && ei <= tol, `${ny}×${nx}: fft2 ${ef.toExponential(2)}, ifft2 ${ei.toExponential(2)}`);
      }
    });
  }

  it('ifft2(fft2(z)) recovers z at 3838×3710 (float32, Bluestein and generic radices) within 1e-6', function () {
    this.timeout(60000);
    const [ny, nx] = [3838, 3710];
    const re = randomArray(Float32Array, ny * nx, 1), im = randomArray(Float32Array, ny * nx, 2);
    const back = ifft2(fft2({ re: ndarray(re, [ny, nx]), im: ndarray(im, [ny, nx]) }));
    const err = relL2(back.re.data, back.im.data, re, im);
    assert.ok(err <= 1e-6, `relative L2 error ${err.toExponential(2)}`);
  });

  it('fft2() of a real array equals rfft2() on the non-negative column frequencies, and Hermitian symmetry holds', () => {
    const [ny, nx] = [9, 14];
    const x = randomArray(Float64Array, ny * nx, 3);
    const F = fft2(ndarray(x, [ny, nx])), R = lowdose.fft.rfft2(ndarray(x, [ny, nx]));
    const nc = nx / 2 + 1;
    for (let r = 0; r < ny; r++) {
      for (let c = 0; c < nx; c++) {
        if (c < nc) {
          assert.ok(Math.abs(F.re.get(r, c) - R.re.get(r, c)) < 1e-12 && Math.abs(F.im.get(r, c) - R.im.get(r, c)) < 1e-12);
        }
        // F(-k) = conj(F(k))
        const r2 = (ny - r) % ny, c2 = (nx - c) % nx;
        assert.ok(Math.abs(F.re.get(r, c) - F.re.get(r2, c2)) < 1e-12 && Math.abs(F.im.get(r, c) + F.im.get(r2, c2)) < 1e-12);
      }
    }
  });

  it('fft2() gives bitwise identical results with 1, 2 and 64 (capped) workers', () => {
    const [ny, nx] = [300, 522];
    const z = { re: ndarray(randomArray(Float32Array, ny * nx, 1), [ny, nx]), im: ndarray(randomArray(Float32Array, ny * nx, 2), [ny, nx]) };
    const a = fft2(z, { workers: 1 }), b = fft2(z, { workers: 2 }), c = fft2(z, { workers: 64 });
    assert.deepEqual(Array.from(a.re.data), Array.from(b.re.data));
    assert.deepEqual(Array.from(a.im.data), Array.from(b.im.data));
    assert.deepEqual(Array.from(c.re.data), Array.from(a.re.data), 'more workers than cores are capped to the cores');
  });
});
