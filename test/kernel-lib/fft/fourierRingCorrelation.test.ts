import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';
import ndarray from 'ndarray';
import { numpy } from './numpyRef';

const { fft, simulate } = lowdose;

/** A periodic random texture band-limited to |k| ≤ kCutInvA (sharp cut), unit variance, float64. */
function bandLimitedTexture(n: number, pixelSizeA: number, kCutInvA: number, seed: number): Float64Array {
  const r = simulate.rng(seed);
  const white = Float64Array.from({ length: n * n }, () => r.normal());
  const X = fft.fft2(ndarray(white, [n, n]));
  for (let y = 0; y < n; y++) {
    const fy = (y <= n / 2 ? y : y - n) / (n * pixelSizeA);
    for (let x = 0; x < n; x++) {
      const fx = (x <= n / 2 ? x : x - n) / (n * pixelSizeA);
      if (Math.hypot(fy, fx) > kCutInvA) {
        X.re.set(y, x, 0);
        X.im.set(y, x, 0);
      }
    }
  }
  const back = fft.ifft2(X).re;
  const out = new Float64Array(n * n);
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) out[y * n + x] = back.get(y, x);
  let s2 = 0;
  for (const v of out) s2 += v * v;
  const scale = 1 / Math.sqrt(s2 / out.length);
  return out.map(v => v * scale);
}

function plus(a: Float64Array, noiseSigma: number, seed: number): ndarray.NdArray<Float64Array> {
  const r = simulate.rng(seed);
  const n = Math.round(Math.sqrt(a.length));
  return ndarray(a.map(v => v + noiseSigma * r.normal()), [n, n]);
}

describe('fft.fourierRingCorrelation', () => {
  it("fourierRingCorrelation() equals numpy's ring sums of Re F1F2*/√(|F1|²|F2|²) within 1e-9 (no window)", () => {
    const n = 96;
    const sig = bandLimitedTexture(n, 1, 0.2, 1);
    const a = plus(sig, 1, 2);
    const b = plus(sig, 1, 3);
    const ours = fft.fourierRingCorrelation(a, b, { pixelSizeA: 1, window: 'none', threshold: '1/7' });
    const ref = numpy(
      [
        'F1 = np.fft.fft2(a - a.mean()); F2 = np.fft.fft2(b - b.mean())',
        'f = np.fft.fftfreq(96)',
        'k = np.hypot(f[:, None], f[None, :])',
        'bins = np.floor(k / (1 / 96) + 0.5).astype(int)',
        'keep = (k <= 0.5) & (k > 0)',
        'nb = int(np.floor(0.5 * 96 + 0.5)) + 1',
        'c = np.bincount(bins[keep], (F1 * np.conj(F2)).real[keep], nb)',
        'p1 = np.bincount(bins[keep], np.abs(F1[keep]) ** 2, nb)',
        'p2 = np.bincount(bins[keep], np.abs(F2[keep]) ** 2, nb)',
        'out["frc"] = c / np.sqrt(p1 * p2)',
        'out["n"] = np.bincount(bins[keep], None, nb)'
      ].join('\n'),
      { a: { data: a.data, shape: [n, n] }, b: { data: b.data, shape: [n, n] } }
    );
    assert.equal(ours.frc.length, ref.frc.re.length);
    for (let i = 1; i < ours.frc.length; i++) {
      assert.ok(Math.abs(ours.frc[i] - ref.frc.re[i]) < 1e-9, `ring ${i}: ${ours.frc[i]} vs numpy ${ref.frc.re[i]}`);
      assert.equal(ours.pixels[i], ref.n.re[i], `ring ${i} pixel count`);
    }
  });

  it('fourierRingCorrelation() follows SNR/(1+SNR) and finds the band limit of a signal shared by two noisy halves within 2 %', () => {
    const n = 256;
    const p = 0.5;
    const kCut = 0.5; // 1/Å → 2 Å
    const sig = bandLimitedTexture(n, p, kCut, 11);
    // The band holds π·kCut²/(1/p)² = 0.785 of the plane: per-pixel signal power is 1/0.785 of the
    // unit variance; with noise σ = 1.2 the in-band SNR is 1.27/1.44 ≈ 0.88 → FRC ≈ 0.47.
    const a = plus(sig, 1.2, 12);
    const b = plus(sig, 1.2, 13);
    const frc = fft.fourierRingCorrelation(a, b, { pixelSizeA: p, threshold: 'half-bit' });
    const inBand: number[] = [];
    for (let i = 5; i < frc.kInvA.length; i++) if (frc.kInvA[i] < 0.9 * kCut) inBand.push(frc.frc[i]);
    const mean = inBand.reduce((s, v) => s + v, 0) / inBand.length;
    const snr = 1 / (Math.PI * kCut * kCut * p * p) / 1.44;
    assert.ok(Math.abs(mean - snr / (1 + snr)) < 0.02, `mean in-band FRC ${mean.toFixed(3)} vs ${(snr / (1 + snr)).toFixed(3)}`);
    assert.ok(frc.resolutionA !== null && Math.abs(frc.resolutionA - 1 / kCut) / (1 / kCut) < 0.02, `resolution ${frc.resolutionA} Å vs 2 Å`);
  });

  it('fourierRingCorrelation() of two independent pure-noise images claims no resolution, and its 3σ threshold is 3 standard deviations of pure-noise FRC', () => {
    const n = 128;
    const zero = new Float64Array(n * n);
    for (const window of ['periodic-smooth', 'hann'] as const) {
      let z2 = 0;
      let m = 0;
      for (const seed of [21, 22, 23, 24, 25, 26]) {
        const frc = fft.fourierRingCorrelation(plus(zero, 1, seed), plus(zero, 1, seed + 100), { pixelSizeA: 1, window });
        assert.equal(frc.resolutionA, null, `${window}, seed ${seed}: first rings ${Array.from(frc.frc.slice(1, 4)).map(v => v.toFixed(3))}`);
        for (let i = 3; i < frc.kInvA.length; i++) {
          z2 += (frc.frc[i] / (frc.threshold[i] / 3)) ** 2;
          m++;
        }
      }
      // Pooled over 6 × 60 rings: the mean square of FRC/σ is 1 within its sampling scatter.
      assert.ok(z2 / m > 0.75 && z2 / m < 1.3, `${window}: mean square of FRC in units of σ is ${(z2 / m).toFixed(2)}`);
    }
  });

  it('fourierRingCorrelation() with spot masks reports the finest lattice spot shared by the halves, not a spot absent from them', () => {
    const n = 256;
    const p = 0.5;
    const spots = [
      { kxInvA: 1 / 4.7, kyInvA: 0, amp: 0.1 },
      { kxInvA: 0, kyInvA: 1 / 4.7, amp: 0.1 },
      { kxInvA: 2 / 4.7, kyInvA: 0, amp: 0.05 },
      { kxInvA: 1 / 4.7, kyInvA: 2 / 4.7, amp: 0 } // 2.10 Å: not in the image
    ];
    const expected = new Float64Array(n * n);
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        let v = 1;
        for (const s of spots) v += s.amp * Math.cos(2 * Math.PI * (s.kxInvA * x * p + s.kyInvA * y * p));
        expected[y * n + x] = 20 * v; // 20 counts/px per half
      }
    }
    const half = (seed: number): ndarray.NdArray<Float32Array> => ndarray(simulate.poissonNoise(expected, simulate.rng(seed)), [n, n]);
    const a = half(31);
    const b = half(32);
    const frc = fft.fourierRingCorrelation(a, b, { pixelSizeA: p, spots, spotRadiusPx: 2 });
    const d = 4.7 / 2;
    assert.ok(frc.resolutionA !== null && Math.abs(frc.resolutionA - d) / d < 0.01, `resolution ${frc.resolutionA} Å vs ${d} Å`);
    assert.deepEqual(frc.spots?.map(s => s.transferred), [true, true, true, false], JSON.stringify(frc.spots));
    const unmasked = fft.fourierRingCorrelation(a, b, { pixelSizeA: p });
    assert.ok(unmasked.resolutionA === null || unmasked.resolutionA > 4, `unmasked rings are noise-dominated: ${unmasked.resolutionA}`);
  });

  it('fourierRingCorrelation() refuses halves of different shapes, stacks and bad options', () => {
    const a = ndarray(new Float64Array(64), [8, 8]);
    assert.throws(() => fft.fourierRingCorrelation(a, ndarray(new Float64Array(72), [8, 9]), { pixelSizeA: 1 }), /half2 must have the shape/);
    assert.throws(() => fft.fourierRingCorrelation(a, a, { pixelSizeA: 1, threshold: 2 as never }), /threshold must be/);
    assert.throws(() => fft.fourierRingCorrelation(a, a, { pixelSizeA: 1, spots: [] }), /spots must be a non-empty array/);
    assert.throws(() => fft.fourierRingCorrelation(a, a), /pixel size|pixelSizeA/i);
  });
});

describe('fft.ringSnr', () => {
  for (const window of ['hann', 'none'] as const) {
    it(`ringSnr() thresholds are 3σ of pure Poisson noise for the '${window}' window (1σ exceeded in 16 ± 5 % of rings, no resolution claimed)`, () => {
      let above1 = 0;
      let rings = 0;
      for (const seed of [41, 42, 43]) {
        const n = 256;
        const img = ndarray(simulate.poissonNoise(new Float64Array(n * n).fill(3), simulate.rng(seed)), [n, n]);
        const ps = fft.powerSpectrum({ data: img, axes: [{ name: 'y', size: n, scale: 1, offset: 0, units: 'A' }, { name: 'x', size: n, scale: 1, offset: 0, units: 'A' }], metadata: { signalUnits: 'counts' } } as never, { window });
        const rs = fft.ringSnr(ps);
        assert.equal(rs.noiseFloorMethod, 'shot');
        assert.equal(rs.resolutionA, null, `seed ${seed}`);
        for (let i = 4; i < rs.kInvA.length; i++) {
          rings++;
          if (rs.ssnr[i] > rs.threshold[i] / 3) above1++;
        }
      }
      const frac = above1 / rings;
      assert.ok(frac > 0.11 && frac < 0.21, `fraction of rings above 1σ: ${frac.toFixed(3)}`);
    });
  }

  it('ringSnr() finds the band limit of a texture under shot noise within 3 %', () => {
    const n = 256;
    const p = 1;
    const kCut = 0.25; // 4 Å
    const tex = bandLimitedTexture(n, p, kCut, 51);
    const expected = tex.map(v => 10 * (1 + 0.1 * v));
    const img = ndarray(simulate.poissonNoise(expected, simulate.rng(52)), [n, n]);
    const ps = fft.powerSpectrum({ data: img, axes: [{ name: 'y', size: n, scale: p, offset: 0, units: 'A' }, { name: 'x', size: n, scale: p, offset: 0, units: 'A' }], metadata: { signalUnits: 'counts' } } as never);
    const rs = fft.ringSnr(ps);
    assert.ok(rs.resolutionA !== null && Math.abs(rs.resolutionA - 1 / kCut) * kCut < 0.03, `resolution ${rs.resolutionA} Å vs 4 Å`);
  });
});
