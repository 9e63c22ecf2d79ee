/**
 * Periodic-plus-smooth decomposition (Moisan 2011): removes the cross of streaks that the jump
 * between opposite image edges puts through the centre of an FFT.
 */
import ndarray from 'ndarray';
import { ShapeError } from '../errors';
import { Dataset, NdArray } from '../types/dataset';
import { FftOptions, realInput } from './_internal/transforms';
import { irfft2, rfft2 } from './rfft2';

/** Result of {@link periodicSmoothDecomposition}: `image = periodic + smooth`. */
export interface PeriodicSmooth {
  /** The periodic component `[rows, cols]`: FFT it instead of the image (no edge cross). */
  periodic: NdArray;
  /** The smooth component `[rows, cols]` (mean zero), carrying the edge discontinuities. */
  smooth: NdArray;
}

/**
 * Splits an image u into a periodic component p and a smooth component s, u = p + s, where s is
 * the solution of Δs = Δ_boundary(u) with zero mean (Moisan, "Periodic plus smooth image
 * decomposition", J. Math. Imaging Vis. 39:161–179, 2011, doi:10.1007/s10851-010-0227-1).
 * In Fourier space ŝ(q, r) = v̂(q, r) / (2cos(2πq/M) + 2cos(2πr/N) − 4), ŝ(0, 0) = 0, where v
 * holds the jumps across opposite edges. p keeps the image's content (lattice fringes, their
 * Fourier peaks) without the cross along kx = 0 and ky = 0 that a plain FFT shows.
 *
 * @param image - real `[rows, cols]` ndarray or Dataset (float32 computes in float32, else float64).
 * @param options - `workers` for the FFTs (Node).
 * @returns `{periodic, smooth}`, each `[rows, cols]`.
 * @throws ShapeError unless the image is 2D.
 * @example
 * const { periodic } = lowdose.fft.periodicSmoothDecomposition(img);
 * const X = lowdose.fft.rfft2(periodic);   // no edge cross
 */
export function periodicSmoothDecomposition(image: NdArray | Dataset, options: FftOptions = {}): PeriodicSmooth {
  const u = realInput(image, 'periodicSmoothDecomposition', 'image');
  if (u.shape.length !== 2) {
    throw new ShapeError(`periodicSmoothDecomposition: image must be 2D [rows, cols]; got shape [${u.shape}].`);
  }
  const [M, N] = u.shape;
  const f32 = u.data instanceof Float32Array;
  const Ctor = f32 ? Float32Array : Float64Array;
  const dense = new Ctor(M * N);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) dense[i * N + j] = u.get(i, j);
  const v = new Ctor(M * N);
  for (let j = 0; j < N; j++) {
    const d = dense[(M - 1) * N + j] - dense[j];
    v[j] += d;
    v[(M - 1) * N + j] -= d;
  }
  for (let i = 0; i < M; i++) {
    const d = dense[i * N + N - 1] - dense[i * N];
    v[i * N] += d;
    v[i * N + N - 1] -= d;
  }
  const V = rfft2(ndarray(v, [M, N]), options);
  const nc = (N >> 1) + 1;
  const cq = new Float64Array(M), cr = new Float64Array(nc);
  for (let q = 0; q < M; q++) cq[q] = 2 * Math.cos((2 * Math.PI * q) / M);
  for (let r = 0; r < nc; r++) cr[r] = 2 * Math.cos((2 * Math.PI * r) / N);
  const re = V.re.data, im = V.im.data;
  for (let q = 0; q < M; q++) {
    for (let r = 0; r < nc; r++) {
      const k = q * nc + r;
      const den = cq[q] + cr[r] - 4;
      if (q === 0 && r === 0) {
        re[k] = 0;
        im[k] = 0;
      } else {
        re[k] /= den;
        im[k] /= den;
      }
    }
  }
  const s = irfft2(V, { ...options, shape: [M, N] });
  const p = new Ctor(M * N);
  const sd = s.data;
  for (let k = 0; k < M * N; k++) p[k] = dense[k] - sd[k];
  return { periodic: ndarray(p, [M, N]), smooth: s };
}
