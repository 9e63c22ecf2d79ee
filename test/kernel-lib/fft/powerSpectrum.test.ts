import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';
import ndarray from 'ndarray';
import { numpy, randomArray } from './numpyRef';

// Reference: |fftshift(fft2(w·x))|² and fftshift(fftfreq(n, p)) computed by numpy in the project's .venv.
const NUMPY_PS = [
  'M, N = x.shape',
  'def hann(n): return np.ones(1) if n == 1 else 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)',
  'def moisan(u):',
  '    v = np.zeros_like(u)',
  '    v[0, :] += u[-1, :] - u[0, :]; v[-1, :] -= u[-1, :] - u[0, :]',
  '    v[:, 0] += u[:, -1] - u[:, 0]; v[:, -1] -= u[:, -1] - u[:, 0]',
  '    q = np.arange(M)[:, None]; r = np.arange(N)[None, :]',
  '    den = 2 * np.cos(2 * np.pi * q / M) + 2 * np.cos(2 * np.pi * r / N) - 4; den[0, 0] = 1',
  '    S = np.fft.fft2(v) / den; S[0, 0] = 0',
  '    return u - np.real(np.fft.ifft2(S))',
  'for name, a in (("none", x), ("hann", x * np.outer(hann(M), hann(N))), ("ps", moisan(x))):',
  '    out[name] = np.abs(np.fft.fftshift(np.fft.fft2(a))) ** 2',
  'out["ky"] = np.fft.fftshift(np.fft.fftfreq(M, d=py[0]))',
  'out["kx"] = np.fft.fftshift(np.fft.fftfreq(N, d=px[0]))'
].join('\n');

function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < b.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]) / Math.abs(b[i]));
  return e;
}

describe('fft.powerSpectrum', () => {
  for (const [rows, cols, py, px] of [
    [64, 64, 0.5, 0.5],
    [45, 30, 0.8, 1.3],
    [33, 50, 1, 1]
  ] as const) {
    it(`powerSpectrum() equals numpy's |fftshift(fft2(w·x))|² within 1e-6 relative, with ky/kx axes of fftfreq, for ${rows}×${cols} (p ${py}×${px} Å), every window`, () => {
      const x = randomArray(Float64Array, rows * cols, rows * 1000 + cols).map(v => v + 2);
      const ref = numpy(NUMPY_PS, {
        x: { data: x, shape: [rows, cols] },
        py: { data: Float64Array.of(py), shape: [1] },
        px: { data: Float64Array.of(px), shape: [1] }
      });
      const img = lowdose.makeDataset(ndarray(x, [rows, cols]), {
        axes: [
          { scale: py, units: 'A' },
          { scale: px * 0.1, units: 'nm' }
        ]
      });
      for (const [window, key] of [
        ['none', 'none'],
        ['hann', 'hann'],
        ['periodic-smooth', 'ps']
      ] as const) {
        const ps = lowdose.fft.powerSpectrum(img, { window });
        assert.deepEqual(ps.data.shape, [rows, cols]);
        const err = maxRelErr(ps.data.data, ref[key].re);
        assert.ok(err <= 1e-6, `${window}: max relative error ${err}`);
        const ps64 = lowdose.fft.powerSpectrum(img, { window, dtype: 'float64' });
        assert.ok(maxRelErr(ps64.data.data, ref[key].re) <= 1e-10, `${window} float64`);
      }
      const ps = lowdose.fft.powerSpectrum(img);
      const [ay, ax] = ps.axes;
      assert.deepEqual([ay.name, ax.name, ay.units, ax.units], ['ky', 'kx', '1/A', '1/A']);
      for (let i = 0; i < rows; i++) assert.ok(Math.abs(ay.offset + i * ay.scale - ref.ky.re[i]) < 1e-12);
      for (let j = 0; j < cols; j++) assert.ok(Math.abs(ax.offset + j * ax.scale - ref.kx.re[j]) < 1e-12);
      assert.equal(ps.metadata.pixelSizeYA, py);
      assert.ok(Math.abs(ps.metadata.pixelSizeXA - px) < 1e-12);
    });
  }

  it('powerSpectrum() keeps its source out of enumeration and reports Σw² and the shot-noise floor Σw²·c', () => {
    const img = lowdose.imageDataset(Float32Array.from({ length: 48 * 40 }, (_, i) => (i * 7) % 5), [48, 40], { pixelSizeA: 0.5 });
    const ps = lowdose.fft.powerSpectrum(img, { window: 'hann' });
    assert.equal(ps.metadata.source, img);
    assert.ok(!Object.keys(ps.metadata).includes('source'));
    assert.ok(!JSON.stringify(ps.metadata).includes('"source"'));
    assert.equal(ps.metadata.kind, 'powerSpectrum');
    assert.equal(lowdose.fft.isPowerSpectrum(ps), true);
    assert.equal(lowdose.fft.isPowerSpectrum(img), false);
    const w = lowdose.fft.hann2d([48, 40], { periodic: true }).data as Float64Array;
    let sw2 = 0;
    let floor = 0;
    for (let i = 0; i < w.length; i++) {
      sw2 += w[i] * w[i];
      floor += w[i] * w[i] * (img.data.data[i] as number);
    }
    assert.ok(Math.abs(ps.metadata.windowSumSq - sw2) < 1e-9 * sw2);
    assert.ok(Math.abs((ps.metadata.shotNoiseFloor as number) - floor) < 1e-9 * floor);
    const neg = lowdose.imageDataset(Float64Array.of(1, -1, 2, 3), [2, 2], { pixelSizeA: 1 });
    assert.equal(lowdose.fft.powerSpectrum(neg).metadata.shotNoiseFloor, null);
  });

  it('powerSpectrum() of pure Poisson counts has mean power Σw²·c at k ≠ 0 (science.md §1.3), within 2 %', () => {
    const draw = lowdose.simulate.poisson(lowdose.simulate.rng(11));
    const img = lowdose.imageDataset(Float32Array.from({ length: 256 * 256 }, () => draw(3.2)), [256, 256], {
      pixelSizeA: 0.5,
      metadata: { signalUnits: 'counts' }
    });
    for (const window of ['hann', 'none', 'periodic-smooth'] as const) {
      const ps = lowdose.fft.powerSpectrum(img, { window });
      const rp = lowdose.fft.radialProfile(ps);
      assert.equal(rp.noiseFloorMethod, 'shot');
      let s = 0;
      let n = 0;
      rp.kInvA.forEach((k, b) => {
        if (k > 0.1) {
          s += rp.power[b] * rp.counts[b];
          n += rp.counts[b];
        }
      });
      const ratio = s / n / rp.noiseFloor;
      assert.ok(Math.abs(ratio - 1) < 0.02, `${window}: mean power / floor = ${ratio}`);
      assert.ok(Math.abs(rp.highKNoiseFloor / rp.noiseFloor - 1) < 0.05, `${window}: high-k estimate ${rp.highKNoiseFloor / rp.noiseFloor}`);
    }
  });

  it('powerSpectrum() refuses a stack, an uncalibrated image, a bad window or pixel size', () => {
    assert.throws(() => lowdose.fft.powerSpectrum(ndarray(new Float32Array(8), [2, 2, 2]), { pixelSizeA: 1 }), lowdose.ShapeError);
    assert.throws(() => lowdose.fft.powerSpectrum(ndarray(new Float32Array(4), [2, 2])), lowdose.CalibrationError);
    assert.throws(() => lowdose.fft.powerSpectrum(ndarray(new Float32Array(4), [2, 2]), { pixelSizeA: -1 }), lowdose.ValueError);
    assert.throws(() => lowdose.fft.powerSpectrum(ndarray(new Float32Array(4), [2, 2]), { pixelSizeA: 1, window: 'blackman' as 'hann' }), lowdose.ValueError);
    const ps = lowdose.fft.powerSpectrum(lowdose.imageDataset(new Float32Array(7), [1, 7], { metadata: { pixelSizeA: 2 } }));
    assert.equal(ps.metadata.pixelSizeA, 2);
  });
});

describe('fft.radialProfile', () => {
  it('radialProfile() bins |k| by round(|k|/Δk) and matches numpy bincount means and medians', () => {
    const [rows, cols] = [40, 52];
    const x = randomArray(Float64Array, rows * cols, 5).map(v => v * 10 + 20);
    const img = lowdose.imageDataset(x, [rows, cols], { pixelSizeA: 0.7 });
    const ps = lowdose.fft.powerSpectrum(img, { window: 'none', dtype: 'float64' });
    const rp = lowdose.fft.radialProfile(ps);
    const dk = Math.max(1 / (rows * 0.7), 1 / (cols * 0.7));
    assert.ok(Math.abs(rp.binWidthInvA - dk) < 1e-15);
    const ref = numpy(
      [
        'M, N = P.shape',
        'ky = np.fft.fftshift(np.fft.fftfreq(M, d=0.7)); kx = np.fft.fftshift(np.fft.fftfreq(N, d=0.7))',
        'k = np.hypot(ky[:, None], kx[None, :])',
        'kmax = min(abs(ky[0]), abs(kx[0])); dk = max(1 / (M * 0.7), 1 / (N * 0.7))',
        'b = np.floor(k / dk + 0.5).astype(int); nb = int(np.floor(kmax / dk + 0.5)) + 1',
        'm = (k <= kmax) & (b < nb)',
        'cnt = np.bincount(b[m], minlength=nb); s = np.bincount(b[m], weights=P[m], minlength=nb)',
        'out["mean"] = s / cnt; out["cnt"] = cnt',
        'out["med"] = np.array([np.median(P[m & (b == i)]) for i in range(nb)])'
      ].join('\n'),
      { P: { data: ps.data.data as Float64Array, shape: [rows, cols] } }
    );
    assert.equal(rp.power.length, ref.mean.re.length);
    rp.power.forEach((p, i) => assert.ok(Math.abs(p - ref.mean.re[i]) <= 1e-12 * ref.mean.re[i], `bin ${i}`));
    rp.medianPower.forEach((p, i) => assert.ok(Math.abs(p - ref.med.re[i]) <= 1e-12 * ref.med.re[i], `median bin ${i}`));
    rp.counts.forEach((c, i) => assert.equal(c, ref.cnt.re[i]));
    assert.equal(rp.noiseFloorMethod, 'high-k');
    assert.throws(() => lowdose.fft.radialProfile(img as lowdose.fft.PowerSpectrum), lowdose.ValueError);
    assert.throws(() => lowdose.fft.radialProfile(ps, { binWidthInvA: 0 }), lowdose.ValueError);
  });
});
