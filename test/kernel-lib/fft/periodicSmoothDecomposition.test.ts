import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';
import ndarray from 'ndarray';
import { numpy } from './numpyRef';

// A lattice (fringes with a non-integer number of periods across the frame) on a ramp: its FFT has a
// strong edge cross along kx = 0 and ky = 0.
function lattice(ny: number, nx: number, Ctor: Float32ArrayConstructor | Float64ArrayConstructor = Float64Array) {
  const x = new Ctor(ny * nx);
  for (let r = 0; r < ny; r++) {
    for (let c = 0; c < nx; c++) x[r * nx + c] = Math.cos((2 * Math.PI * (c * 0.113 + r * 0.071))) + 0.02 * c + 0.01 * r;
  }
  return x;
}

describe('fft.periodicSmoothDecomposition', () => {
  it('periodicSmoothDecomposition() matches a numpy implementation of Moisan (2011) and image = periodic + smooth', () => {
    const [ny, nx] = [48, 37];
    const u = lattice(ny, nx);
    const ref = numpy(
      [
        'M, N = u.shape',
        'v = np.zeros_like(u)',
        'v[0, :] += u[-1, :] - u[0, :]; v[-1, :] -= u[-1, :] - u[0, :]',
        'v[:, 0] += u[:, -1] - u[:, 0]; v[:, -1] -= u[:, -1] - u[:, 0]',
        'q = np.arange(M)[:, None]; r = np.arange(N)[None, :]',
        'den = 2 * np.cos(2 * np.pi * q / M) + 2 * np.cos(2 * np.pi * r / N) - 4',
        'den[0, 0] = 1',
        'S = np.fft.fft2(v) / den; S[0, 0] = 0',
        's = np.real(np.fft.ifft2(S))',
        'out["p"] = u - s; out["s"] = s'
      ].join('\n'),
      { u: { data: u, shape: [ny, nx] } }
    );
    const { periodic, smooth } = lowdose.fft.periodicSmoothDecomposition(ndarray(u, [ny, nx]));
    (periodic.data as Float64Array).forEach((v, i) => assert.ok(Math.abs(v - ref.p.re[i]) < 1e-12, `periodic[${i}]`));
    (smooth.data as Float64Array).forEach((v, i) => assert.ok(Math.abs(v - ref.s.re[i]) < 1e-12, `smooth[${i}]`));
    for (let i = 0; i < ny * nx; i++) assert.ok(Math.abs((periodic.data[i] as number) + (smooth.data[i] as number) - u[i]) < 1e-12);
  });

  it('periodicSmoothDecomposition() removes ≥ 90 % of the edge-cross power along the kx = 0 and ky = 0 axes, keeping the lattice peak', () => {
    const [ny, nx] = [128, 160];
    const u = lattice(ny, nx, Float32Array);
    const crossPower = (img: ndarray.NdArray) => {
      const X = lowdose.fft.rfft2(img);
      let p = 0;
      for (let r = 0; r < ny; r++) for (let c = 0; c < X.re.shape[1]; c++) {
        if ((r === 0) === (c === 0)) continue; // on exactly one axis, not the DC term
        p += (X.re.get(r, c) as number) ** 2 + (X.im.get(r, c) as number) ** 2;
      }
      const peak = Math.hypot(X.re.get(Math.round(0.071 * ny), Math.round(0.113 * nx)), X.im.get(Math.round(0.071 * ny), Math.round(0.113 * nx)));
      return { p, peak };
    };
    const before = crossPower(ndarray(u, [ny, nx]));
    const { periodic } = lowdose.fft.periodicSmoothDecomposition(ndarray(u, [ny, nx]));
    assert.ok(periodic.data instanceof Float32Array);
    const after = crossPower(periodic);
    assert.ok(after.p < 0.1 * before.p, `cross power ${after.p.toExponential(2)} vs ${before.p.toExponential(2)}`);
    assert.ok(Math.abs(after.peak - before.peak) < 0.05 * before.peak, `lattice peak ${after.peak} vs ${before.peak}`);
  });
});
