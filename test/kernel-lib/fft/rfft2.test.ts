import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';
import ndarray from 'ndarray';
import { numpy, randomArray, relL2 } from './numpyRef';

const { rfft2, irfft2 } = lowdose.fft;

// Awkward sizes: 1, 2, 3, primes (1009 runs Bluestein), odd widths, the K2 factors 2·19·101 and 2·5·7·53;
// radix-16 passes first, last and before odd radices (256 = 16·16, 80 = 16·5, 48 = 16·3, 512 = 16·8·4).
const SIZES: Array<[number, number]> = [
  [1, 1], [1, 2], [2, 1], [2, 2], [3, 3], [1, 7], [5, 1], [8, 8], [9, 10], [13, 17], [64, 64], [49, 121],
  [101, 53], [1009, 3], [3, 1009], [202, 106], [96, 1009], [256, 80], [48, 512]
];

describe('fft.rfft2', () => {
  for (const Ctor of [Float32Array, Float64Array]) {
    const dtype = Ctor === Float32Array ? 'float32' : 'float64';
    const tol = Ctor === Float32Array ? 1e-6 : 1e-13;
    it(`rfft2() of ${dtype} input matches numpy.fft.rfft2 (float64) at awkward sizes within ${tol}`, () => {
      for (const [ny, nx] of SIZES) {
        const x = randomArray(Ctor, ny * nx, ny * 1000 + nx);
        const ref = numpy('out["X"] = np.fft.rfft2(x.astype(np.float64))', { x: { data: x, shape: [ny, nx] } }).X;
        const X = rfft2(ndarray(x, [ny, nx]));
        assert.deepEqual(X.re.shape, [ny, Math.floor(nx / 2) + 1], `shape at ${ny}×${nx}`);
        assert.ok(X.re.data instanceof Ctor, `${dtype} in → ${dtype} out`);
        const err = relL2(X.re.data, X.im.data, ref.re, ref.im!);
        assert.ok(err <= tol, `${ny}×${nx}: relative L2 error ${err.toExponential(2)} > ${tol}`);
      }
    });
  }

  it('rfft2() of float32 4096² matches numpy (float64) within relative L2 error 1e-5', function () {
    this.timeout(60000);
    const n = 4096;
    const x = randomArray(Float32Array, n * n, 4096);
    const ref = numpy('out["X"] = np.fft.rfft2(x.astype(np.float64))', { x: { data: x, shape: [n, n] } }).X;
    const X = rfft2(ndarray(x, [n, n]));
    const err = relL2(X.re.data, X.im.data, ref.re, ref.im!);
    assert.ok(err <= 1e-5, `relative L2 error ${err.toExponential(2)}`);
  });

  it('rfft2() of the K2 frame size 3838×3710 (float32) matches numpy within 1e-5', function () {
    this.timeout(60000);
    const [ny, nx] = [3838, 3710];
    const x = randomArray(Float32Array, ny * nx, 3838);
    const ref = numpy('out["X"] = np.fft.rfft2(x.astype(np.float64))', { x: { data: x, shape: [ny, nx] } }).X;
    const err = relL2(rfft2(ndarray(x, [ny, nx])).re.data, rfft2(ndarray(x, [ny, nx])).im.data, ref.re, ref.im!);
    assert.ok(err <= 1e-5, `relative L2 error ${err.toExponential(2)}`);
  });

  it('rfft2() gives bitwise identical results with 1 and 2 workers', () => {
    for (const [ny, nx] of [[512, 512], [301, 257], [1009, 64]] as Array<[number, number]>) {
      for (const Ctor of [Float32Array, Float64Array]) {
        const x = ndarray(randomArray(Ctor, ny * nx, 7), [ny, nx]);
        const a = rfft2(x, { workers: 1 }), b = rfft2(x, { workers: 2 });
        assert.deepEqual(Array.from(a.re.data), Array.from(b.re.data));
        assert.deepEqual(Array.from(a.im.data), Array.from(b.im.data));
      }
    }
  });

  it('irfft2(rfft2(x)) recovers x (even and odd widths, float32 within 1e-6, float64 within 1e-14)', () => {
    for (const [ny, nx] of [[1, 1], [2, 3], [64, 64], [101, 53], [96, 1009], [3, 10]] as Array<[number, number]>) {
      for (const Ctor of [Float32Array, Float64Array]) {
        const x = randomArray(Ctor, ny * nx, ny + nx);
        const back = irfft2(rfft2(ndarray(x, [ny, nx])), { shape: [ny, nx] });
        assert.deepEqual(back.shape, [ny, nx]);
        const err = relL2(back.data as Float64Array, null, x, null);
        assert.ok(err <= (Ctor === Float32Array ? 1e-6 : 1e-14), `${ny}×${nx}: ${err.toExponential(2)}`);
      }
    }
  });

  it('irfft2() matches numpy.fft.irfft2, ignoring the imaginary parts numpy ignores, and crops/pads like numpy s=', () => {
    const [ny, nc] = [12, 9];
    const re = randomArray(Float64Array, ny * nc, 1), im = randomArray(Float64Array, ny * nc, 2);
    const ref = numpy('X = re + 1j * im\nout["a"] = np.fft.irfft2(X)\nout["b"] = np.fft.irfft2(X, s=(12, 17))\nout["c"] = np.fft.irfft2(X, s=(7, 10))', {
      re: { data: re, shape: [ny, nc] }, im: { data: im, shape: [ny, nc] }
    });
    const X = { re: ndarray(re, [ny, nc]), im: ndarray(im, [ny, nc]) };
    assert.ok(relL2(irfft2(X).data as Float64Array, null, ref.a.re, null) < 1e-14);
    assert.ok(relL2(irfft2(X, { shape: [12, 17] }).data as Float64Array, null, ref.b.re, null) < 1e-14);
    assert.ok(relL2(irfft2(X, { shape: [7, 10] }).data as Float64Array, null, ref.c.re, null) < 1e-14);
  });

  it('rfft2() transforms each frame of a stack, strided views and Datasets like numpy', () => {
    const [f, ny, nx] = [3, 20, 30];
    const x = randomArray(Float64Array, f * ny * nx, 5);
    const ref = numpy('out["X"] = np.fft.rfft2(x)\nout["T"] = np.fft.rfft2(x[1].T)', { x: { data: x, shape: [f, ny, nx] } });
    const stack = ndarray(x, [f, ny, nx]);
    const X = rfft2(stack);
    assert.deepEqual(X.re.shape, [f, ny, nx / 2 + 1]);
    assert.ok(relL2(X.re.data, X.im.data, ref.X.re, ref.X.im!) < 1e-14);
    const T = rfft2(stack.pick(1, null, null).transpose(1, 0));
    assert.ok(relL2(T.re.data, T.im.data, ref.T.re, ref.T.im!) < 1e-14);
    const ds = lowdose.imageDataset(x.slice(0, ny * nx), [ny, nx], { pixelSizeA: 0.5 });
    const D = rfft2(ds);
    assert.ok(relL2(D.re.data, D.im.data, ref.X.re.subarray(0, ny * (nx / 2 + 1)), ref.X.im!.subarray(0, ny * (nx / 2 + 1))) < 1e-14);
  });

  it('rfft2() of arrays that are views of the core memory (an earlier result) equals rfft2 of their copies', () => {
    const x = randomArray(Float32Array, 256 * 192, 21);
    const X = rfft2(ndarray(x, [256, 192]), { workers: 1 });
    const view = X.re.data as Float32Array;
    assert.ok(view.buffer instanceof SharedArrayBuffer, 'results of ≥ 64 KiB a plane are views of the shared core memory');
    // small results are copies: thousands of small views awaiting collection fragmented the heap
    const small = rfft2(ndarray(x.subarray(0, 64 * 96), [64, 96]), { workers: 1 });
    assert.ok(!(small.re.data.buffer instanceof SharedArrayBuffer) && !(small.im.data.buffer instanceof SharedArrayBuffer), 'a 64×49 result is a copy');
    for (const workers of [1, 2]) {
      const a = rfft2(ndarray(view, [256, 97]), { workers });
      const b = rfft2(ndarray(view.slice(), [256, 97]), { workers });
      assert.deepEqual(Array.from(a.re.data), Array.from(b.re.data));
      assert.deepEqual(Array.from(a.im.data), Array.from(b.im.data));
    }
  });

  it('rfft2() rejects 1D input and bad workers with typed errors', () => {
    assert.throws(() => rfft2(ndarray(new Float64Array(8), [8])), lowdose.ShapeError);
    assert.throws(() => rfft2(ndarray(new Float64Array(8), [2, 4]), { workers: 0 }), lowdose.ValueError);
    assert.throws(() => irfft2({ re: ndarray(new Float64Array(8), [2, 4]), im: ndarray(new Float64Array(6), [2, 3]) }), lowdose.ShapeError);
  });

  it('rfft2() with 2 workers rethrows an error raised while reading the input and then still works', () => {
    // the input is read on the calling thread: its own rows first or the worker rows first; a
    // failure either way must not leave a worker waiting for rows that never arrive
    const n = 512;
    for (const badIndex of [5, n * n - 3 * n]) {
      const data = new Proxy(new Array<number>(n * n).fill(1), {
        get: (t, k) => {
          if (k === String(badIndex)) throw new Error(`unreadable element ${badIndex}`);
          return Reflect.get(t, k);
        }
      });
      assert.throws(() => rfft2(ndarray(data, [n, n]), { workers: 2 }), new RegExp(`unreadable element ${badIndex}`));
    }
    const X = rfft2(ndarray(new Float64Array(n * n).fill(1), [n, n]), { workers: 2 });
    assert.equal(X.re.data[0], n * n);
    assert.equal(X.re.data[1], 0);
  });
});
