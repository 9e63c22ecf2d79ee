import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';
import ndarray from 'ndarray';
import { numpy, randomArray } from './numpyRef';

describe('fft.fftshift / ifftshift', () => {
  it('fftshift() and ifftshift() match numpy for even and odd shapes, all axes and chosen axes', () => {
    for (const shape of [[5], [4, 6], [5, 7], [3, 4, 5]]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const x = randomArray(Float64Array, n, n);
      const ref = numpy('out["s"] = np.fft.fftshift(x)\nout["i"] = np.fft.ifftshift(x)\nout["a"] = np.fft.fftshift(x, axes=(-1,))', { x: { data: x, shape } });
      const a = ndarray(x, shape);
      assert.deepEqual(Array.from(lowdose.fft.fftshift(a).data), Array.from(ref.s.re));
      assert.deepEqual(Array.from(lowdose.fft.ifftshift(a).data), Array.from(ref.i.re));
      assert.deepEqual(Array.from(lowdose.fft.fftshift(a, { axes: [-1] }).data), Array.from(ref.a.re));
      assert.deepEqual(Array.from(lowdose.fft.ifftshift(lowdose.fft.fftshift(a)).data), Array.from(x));
    }
  });

  it('fftshift() puts the zero frequency of an rfft-free fft2 at [floor(ny/2), floor(nx/2)] and shifts {re, im} together', () => {
    const [ny, nx] = [7, 10];
    const one = new Float64Array(ny * nx).fill(1);
    const F = lowdose.fft.fft2(ndarray(one, [ny, nx]));
    const S = lowdose.fft.fftshift(F);
    assert.equal(S.re.get(3, 5), ny * nx);
    assert.equal(S.im.get(3, 5), 0);
    assert.throws(() => lowdose.fft.fftshift(ndarray(one, [ny, nx]), { axes: [2] }), lowdose.ValueError);
  });
});
