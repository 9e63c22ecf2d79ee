/**
 * Strain-aware matching of the fine stage for lattices that deform with dose (issue #5; science.md
 * Part 2: F(D) = R(θ)·diag(1 + ε(D), 1)·R(θ)ᵀ, g(D) = F(D)^(−T)·g₀, about the crystal centre).
 *
 * A lattice that expands about its crystal's centre c keeps its phase at c only: frames of different
 * strain agree there and drift apart by ε·|r − c|/d periods towards the crystal's edge (notebook 02:
 * ≈ 2 periods over the series), so a frame's lattice frequencies do not match the sum of the others
 * and the fine stage walks off along the expansion. Here every frame is de-strained to one reference
 * strain before its lattice frequencies are compared:
 *  1. each strong Bragg spot — a connected region of the spot mask, strong by its summed power, as a
 *     spot that moves with dose is smeared along its path in Σ|S|² (at 1024² the notebook's (100) spot
 *     moves ~8 bins) — is tracked frame by frame on |S_n|² inside its region (the incoherent power needs
 *     no alignment; log-parabola vertex of the 3 × 3 core), and a straight line in the frame index is
 *     fitted to each spot's position (weighted least squares) — the strain varies smoothly with dose;
 *  2. M_n, the 2 × 2 map g_ref → g_n, follows from the spots by least squares, and the real-space
 *     map F_n = M_n^(−T);
 *  3. the crystal centre (in the aligned reference frame) is the centroid of the lattice's local
 *     power, |IDFT of the aligned sum at the spot frequencies|², over a box symmetric about it;
 *  4. frame n is resampled (Keys bicubic) at c_n + F_n·(r − c_n), c_n = centre + position_n, and its
 *     alignment spectrum replaces the original one on the (dilated) spot mask only: texture and the
 *     other non-lattice content keep the original, undistorted frame.
 * The de-strained lattice sits at p + F_n⁻¹(s − p) for a frame at true position s resampled about its
 * current estimate p: an error of ε·(s − p), which the next pass (resampled again) reduces by ε again.
 * This file holds the numerics; strainStage.ts drives them (frames resampled on the lanes of
 * motionPool.ts, spectra replaced in the shared buffer). Keys, IEEE Trans. ASSP 29, 1153 (1981), doi:10.1109/TASSP.1981.1163711.
 */
import ndarray from 'ndarray';
import { irfft2 } from '../../fft';
import { HalfLayout } from '../../registration/_internal/halfSpectrumDft';
import { Spectrum } from './alignCore';
import { halfSpectrumIndex, spotRegions } from './spectralStats';

export type Mat2 = [[number, number], [number, number]];

export interface StrainTrack {
  /** Real-space map of each frame onto the reference strain: F_n = M_n^(−T) (rows/cols act on [y, x]). */
  deformations: Mat2[];
  /**
   * Tracked spots: reference frequency [fy, fx] (cycles/px), fitted change per frame and its standard
   * error per axis (from the line fit's residuals), the phase change over the series at `radiusPx`
   * (cycles) and the change's significance |d|/SE(|d|) (SE along d).
   */
  spots: Array<{ ref: [number, number]; perFrame: [number, number]; perFrameSE: [number, number]; phaseCycles: number; significance: number }>;
  /** Largest lattice phase change between frames over `radiusPx` from the centre, cycles. */
  maxPhaseCycles: number;
  /** Largest significance among the spots whose phase change reaches the threshold (0: none). */
  significance: number;
  /** The lattice deforms measurably: some spot's phase change ≥ minPhaseCycles at ≥ minSignificance SE. */
  deforms: boolean;
}

/**
 * Significance a spot's fitted drift needs (in its standard errors) before the lattice counts as
 * deforming. Measured (`significance` of the spot with the largest phase change): notebook 02's
 * expanding scene (512², 30 frames, 7.5 %) 98–112 on seeds 1–3, a 256² 20-frame dose series 13.9;
 * non-expanding movies ≤ 2.2 (320² `workers` test 2.1 at 0.110 cycle; every spot of the recipe movies
 * and the 2048² bench movie ≤ 2.2 at ≤ 0.05 cycle) — k = 5 sits between.
 */
export const MIN_STRAIN_SIGNIFICANCE = 5;

/** Strongest spots tracked (one of each ±g pair). */
const MAX_SPOTS = 4;

function inv2(m: Mat2): Mat2 {
  const d = m[0][0] * m[1][1] - m[0][1] * m[1][0];
  return [
    [m[1][1] / d, -m[0][1] / d],
    [-m[1][0] / d, m[0][0] / d]
  ];
}

/** log-parabola vertex offset (−0.5…0.5) through three positive values. */
function logVertex(a: number, b: number, c: number): number {
  if (!(a > 0 && b > 0 && c > 0)) return 0;
  const la = Math.log(a);
  const lb = Math.log(b);
  const lc = Math.log(c);
  const den = la - 2 * lb + lc;
  return den < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (la - lc)) / den)) : 0;
}

/**
 * Tracks the strong Bragg spots of `mask` over the frames and fits a deformation per frame; undefined
 * without two non-collinear strong spots. `deforms` is false when no spot's fitted change moves the
 * lattice phase by ≥ `minPhaseCycles` within `radiusPx` of the centre over the series at ≥
 * `minSignificance` standard errors of that change.
 */
export function trackStrain(spec: Spectrum[], layout: HalfLayout, power: Float64Array, mask: Uint8Array, radiusPx: number, minPhaseCycles = 0.1, minSignificance = MIN_STRAIN_SIGNIFICANCE): StrainTrack | undefined {
  const { ny, nx } = layout;
  const N = spec.length;
  if (N < 3) return undefined;
  const idx = halfSpectrumIndex(layout);
  // strong spots: connected regions of the mask, scored by their summed power (a spot that moves
  // with dose is smeared along its path in Σ|S|², so its integrated power, not its peak, says how
  // strong it is; its region holds the whole path at any image size)
  const chosen = spotRegions(power, mask, layout, 0.2).slice(0, MAX_SPOTS);
  if (chosen.length < 2) return undefined;
  // per frame: the spot's peak inside the window (mask elements) and its log-parabola vertex
  const t = Array.from({ length: N }, (_, n) => n - (N - 1) / 2);
  const tracks: StrainTrack['spots'] = [];
  for (const s of chosen) {
    const pos: Array<[number, number]> = [];
    const wts: number[] = [];
    for (let n = 0; n < N; n++) {
      const S = spec[n];
      const p = (fr: number, fc: number): number => {
        const k = idx(fr, fc);
        return k < 0 ? 0 : S.re[k] * S.re[k] + S.im[k] * S.im[k];
      };
      let best = -1;
      let br = 0;
      let bc = 0;
      for (let i = 0; i < s.fr.length; i++) {
        const v = p(s.fr[i], s.fc[i]);
        if (v > best) {
          best = v;
          br = s.fr[i];
          bc = s.fc[i];
        }
      }
      const oy = logVertex(p(br - 1, bc), best, p(br + 1, bc));
      const ox = logVertex(p(br, bc - 1), best, p(br, bc + 1));
      pos.push([(br + oy) / ny, (bc + ox) / nx]);
      wts.push(Math.max(best, 0));
    }
    // weighted straight line per axis, one pass of 3σ outlier rejection
    const fitLine = (vals: number[], w: number[]): [number, number] => {
      let sw = 0;
      let st = 0;
      let sv = 0;
      let stt = 0;
      let stv = 0;
      for (let n = 0; n < N; n++) {
        sw += w[n];
        st += w[n] * t[n];
        sv += w[n] * vals[n];
        stt += w[n] * t[n] * t[n];
        stv += w[n] * t[n] * vals[n];
      }
      const den = sw * stt - st * st;
      const b = den > 0 ? (sw * stv - st * sv) / den : 0;
      return [(sv - b * st) / sw, b];
    };
    // the slope's standard error from the residuals (weighted least squares, sandwich form: the
    // weights need not be inverse variances), × n/(n − 2) for the two fitted parameters
    const slopeSE = (vals: number[], w: number[], ab: [number, number]): number => {
      let sw = 0;
      let st = 0;
      let n = 0;
      for (let i = 0; i < N; i++) {
        sw += w[i];
        st += w[i] * t[i];
        if (w[i] > 0) n++;
      }
      const tm = st / sw;
      let sxx = 0;
      let num = 0;
      for (let i = 0; i < N; i++) {
        const d = t[i] - tm;
        const r = vals[i] - ab[0] - ab[1] * t[i];
        sxx += w[i] * d * d;
        num += (w[i] * d * r) ** 2;
      }
      return n > 2 && sxx > 0 ? Math.sqrt((num * n) / (n - 2)) / sxx : Infinity;
    };
    const line: Array<[number, number, number]> = [0, 1].map(a => {
      const v = pos.map(q => q[a]);
      let w = wts;
      let ab = fitLine(v, w);
      const res = v.map((x, n) => x - ab[0] - ab[1] * t[n]);
      const sorted = res.map(Math.abs).sort((x, y) => x - y);
      const mad = 1.4826 * sorted[sorted.length >> 1];
      if (mad > 0) {
        w = wts.map((q, n) => (Math.abs(res[n]) <= 3 * mad ? q : 0));
        ab = fitLine(v, w);
      }
      return [ab[0], ab[1], slopeSE(v, w, ab)];
    });
    const [by, bx] = [line[0][1], line[1][1]];
    const [sy, sx] = [line[0][2], line[1][2]];
    const along = Math.sqrt(by * by * sy * sy + bx * bx * sx * sx);
    tracks.push({
      ref: [line[0][0], line[1][0]],
      perFrame: [by, bx],
      perFrameSE: [sy, sx],
      phaseCycles: Math.hypot(by, bx) * (N - 1) * radiusPx,
      significance: along > 0 ? (by * by + bx * bx) / along : 0
    });
  }
  // M_n by least squares over the spots: g_i(n) = M_n·g_i(ref) with g_i(n) = ref_i + t_n·d_i, so
  // M_n = I + t_n·D, D = (Σ d_i ref_iᵀ)(Σ ref_i ref_iᵀ)⁻¹
  const A: Mat2 = [
    [0, 0],
    [0, 0]
  ];
  const B: Mat2 = [
    [0, 0],
    [0, 0]
  ];
  for (const s of tracks) {
    for (let a = 0; a < 2; a++) {
      for (let b = 0; b < 2; b++) {
        A[a][b] += s.ref[a] * s.ref[b];
        B[a][b] += s.perFrame[a] * s.ref[b];
      }
    }
  }
  const det = A[0][0] * A[1][1] - A[0][1] * A[1][0];
  const norm = A[0][0] + A[1][1];
  if (!(Math.abs(det) > 1e-6 * norm * norm)) return undefined;
  const Ai = inv2(A);
  const D: Mat2 = [
    [B[0][0] * Ai[0][0] + B[0][1] * Ai[1][0], B[0][0] * Ai[0][1] + B[0][1] * Ai[1][1]],
    [B[1][0] * Ai[0][0] + B[1][1] * Ai[1][0], B[1][0] * Ai[0][1] + B[1][1] * Ai[1][1]]
  ];
  const deformations: Mat2[] = t.map(tn => {
    const M: Mat2 = [
      [1 + tn * D[0][0], tn * D[0][1]],
      [tn * D[1][0], 1 + tn * D[1][1]]
    ];
    const Mi = inv2(M);
    return [
      [Mi[0][0], Mi[1][0]],
      [Mi[0][1], Mi[1][1]]
    ];
  });
  // phase change over the series at radiusPx; it counts only when the fitted change is significant
  // (spot noise alone gave 0.110 cycle on a non-expanding 320² movie, at 2.1 SE)
  const maxPhaseCycles = Math.max(...tracks.map(s => s.phaseCycles));
  const significance = Math.max(0, ...tracks.filter(s => s.phaseCycles >= minPhaseCycles).map(s => s.significance));
  return { deformations, spots: tracks, maxPhaseCycles, significance, deforms: significance >= minSignificance };
}

/**
 * Centre of the lattice's extent (px, `[y, x]`, in the reference frame that `positions` align to): the
 * local lattice power L = |IDFT(lattice)|² — `lattice` the aligned sum Σ_n S_n·unshift(p_n) on the
 * spot mask, 0 elsewhere (strainStage.alignedLatticeSum) — is averaged over the part of the field that
 * every frame covers and, inside it, over the largest box symmetric about the current estimate (so a
 * crystal cut by the field's edge does not pull the centroid): c ← centroid, 8 times.
 */
export function latticeCentre(lattice: { re: Float64Array; im: Float64Array }, positions: Array<[number, number]>, layout: HalfLayout): [number, number] {
  const { rows, cols, ny, nx } = layout;
  const { re, im } = lattice;
  const my = rows;
  const mx = 2 * (cols - 1);
  const img = irfft2({ re: ndarray(re, [my, cols]), im: ndarray(im, [my, cols]) }, { shape: [my, mx], workers: 1 }).data;
  // frame n covers reference coordinates [−p_n, size − p_n) on each axis
  const lo = [0, 1].map(a => Math.max(...positions.map(p => -p[a])));
  const hi = [0, 1].map((a, i) => Math.min(...positions.map(p => (i === 0 ? ny : nx) - p[a])));
  const sy = ny / my;
  const sx = nx / mx;
  // grid coordinates unwrapped into [lo, lo + size)
  const yOf = Float64Array.from({ length: my }, (_, r) => lo[0] + ((((r * sy - lo[0]) % ny) + ny) % ny));
  const xOf = Float64Array.from({ length: mx }, (_, c) => lo[1] + ((((c * sx - lo[1]) % nx) + nx) % nx));
  let c: [number, number] = [(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2];
  for (let it = 0; it < 8; it++) {
    const hy = Math.min(c[0] - lo[0], hi[0] - c[0]);
    const hx = Math.min(c[1] - lo[1], hi[1] - c[1]);
    let w = 0;
    let wy = 0;
    let wx = 0;
    for (let r = 0; r < my; r++) {
      const y = yOf[r];
      if (Math.abs(y - c[0]) > hy) continue;
      for (let q = 0; q < mx; q++) {
        const x = xOf[q];
        if (Math.abs(x - c[1]) > hx) continue;
        const v = img[r * mx + q] ** 2;
        w += v;
        wy += v * y;
        wx += v * x;
      }
    }
    if (!(w > 0)) break;
    c = [wy / w, wx / w];
  }
  return c;
}

/**
 * The frame resampled onto the reference strain: out(r) = in(c + F·(r − c)) (Keys cubic convolution,
 * a = −0.5; samples outside the field clamped to its edge). `centre` is `[y, x]` px in the frame.
 * Scalar weights and indices, no allocation per sample: at 1024² it runs ~150 times per call
 * (every frame, most passes), 33 ms each against 66 ms with per-sample weight arrays.
 */
export function destrainFrame(frame: Float32Array | Float64Array, rows: number, cols: number, F: Mat2, centre: [number, number]): Float32Array {
  const out = new Float32Array(rows * cols);
  const [cy, cx] = centre;
  const [[f00, f01], [f10, f11]] = F;
  const rMax = rows - 1;
  const cMax = cols - 1;
  for (let r = 0; r < rows; r++) {
    const dy = r - cy;
    const yRow = cy + f00 * dy;
    const xRow = cx + f10 * dy;
    for (let c = 0, q = r * cols; c < cols; c++, q++) {
      const dx = c - cx;
      const y = yRow + f01 * dx;
      const x = xRow + f11 * dx;
      const iy = Math.floor(y);
      const ix = Math.floor(x);
      // Keys weights of the samples at −1, 0, 1, 2 for the offsets ty, tx ∈ [0, 1)
      const ty = y - iy;
      const ty2 = ty * ty;
      const ty3 = ty2 * ty;
      const wy0 = -0.5 * ty3 + ty2 - 0.5 * ty;
      const wy1 = 1.5 * ty3 - 2.5 * ty2 + 1;
      const wy2 = -1.5 * ty3 + 2 * ty2 + 0.5 * ty;
      const wy3 = 0.5 * ty3 - 0.5 * ty2;
      const tx = x - ix;
      const tx2 = tx * tx;
      const tx3 = tx2 * tx;
      const wx0 = -0.5 * tx3 + tx2 - 0.5 * tx;
      const wx1 = 1.5 * tx3 - 2.5 * tx2 + 1;
      const wx2 = -1.5 * tx3 + 2 * tx2 + 0.5 * tx;
      const wx3 = 0.5 * tx3 - 0.5 * tx2;
      // row offsets and columns of the 4 × 4 samples (clamped only near the edge)
      let o0: number, o1: number, o2: number, o3: number, c0: number, c1: number, c2: number, c3: number;
      if (iy >= 1 && iy + 2 <= rMax && ix >= 1 && ix + 2 <= cMax) {
        o0 = (iy - 1) * cols;
        o1 = o0 + cols;
        o2 = o1 + cols;
        o3 = o2 + cols;
        c0 = ix - 1;
        c1 = ix;
        c2 = ix + 1;
        c3 = ix + 2;
      } else {
        o0 = Math.min(rMax, Math.max(0, iy - 1)) * cols;
        o1 = Math.min(rMax, Math.max(0, iy)) * cols;
        o2 = Math.min(rMax, Math.max(0, iy + 1)) * cols;
        o3 = Math.min(rMax, Math.max(0, iy + 2)) * cols;
        c0 = Math.min(cMax, Math.max(0, ix - 1));
        c1 = Math.min(cMax, Math.max(0, ix));
        c2 = Math.min(cMax, Math.max(0, ix + 1));
        c3 = Math.min(cMax, Math.max(0, ix + 2));
      }
      const h0 = 0 + wx0 * frame[o0 + c0] + wx1 * frame[o0 + c1] + wx2 * frame[o0 + c2] + wx3 * frame[o0 + c3];
      const h1 = 0 + wx0 * frame[o1 + c0] + wx1 * frame[o1 + c1] + wx2 * frame[o1 + c2] + wx3 * frame[o1 + c3];
      const h2 = 0 + wx0 * frame[o2 + c0] + wx1 * frame[o2 + c1] + wx2 * frame[o2 + c2] + wx3 * frame[o2 + c3];
      const h3 = 0 + wx0 * frame[o3 + c0] + wx1 * frame[o3 + c1] + wx2 * frame[o3 + c2] + wx3 * frame[o3 + c3];
      out[q] = 0 + wy0 * h0 + wy1 * h1 + wy2 * h2 + wy3 * h3;
    }
  }
  return out;
}

/** The spot mask grown by `by` elements (rows wrap; columns clipped). */
export function dilateMask(mask: Uint8Array, layout: HalfLayout, by: number): Uint8Array {
  const { rows, cols } = layout;
  const out = new Uint8Array(mask.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (!mask[r * cols + c]) continue;
      for (let dr = -by; dr <= by; dr++) {
        const rr = (r + dr + rows) % rows;
        for (let dc = -by; dc <= by; dc++) {
          const cc = c + dc;
          if (cc >= 0 && cc < cols) out[rr * cols + cc] = 1;
        }
      }
    }
  }
  return out;
}
