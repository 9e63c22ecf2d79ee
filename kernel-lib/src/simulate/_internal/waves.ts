/**
 * Separable evaluation of plane-wave sums on a pixel grid (no FFT):
 * Σ_w A_w·cos(2π(kx_w·(x − x0) + ky_w·(y − y0)) + φ_w) with x = col·p, y = row·p (Å), using
 * cos(θx + θy) = cos θx·cos θy − sin θx·sin θy, so each wave costs one multiply-add pair per pixel
 * plus O(rows + cols) trigonometry.
 */

/** One plane wave: k in 1/Å (array frame), amplitude relative to the mean, phase in radians. */
export interface Wave {
  kx: number;
  ky: number;
  amp: number;
  phase: number;
}

/** Adds Σ_w amp·cos(2π k·(r − r0) + φ) to `out` (row-major rows × cols), r0 = (x0, y0) in Å. */
export function addWaves(
  out: Float64Array,
  rows: number,
  cols: number,
  pixelSizeA: number,
  waves: ReadonlyArray<Wave>,
  x0: number,
  y0: number
): void {
  const active = waves.filter(w => w.amp !== 0);
  const K = active.length;
  if (K === 0) return;
  const colCos = new Float64Array(K * cols);
  const colSin = new Float64Array(K * cols);
  const rowA = new Float64Array(K * rows);
  const rowB = new Float64Array(K * rows);
  const twoPi = 2 * Math.PI;
  for (let w = 0; w < K; w++) {
    const { kx, ky, amp, phase } = active[w];
    for (let c = 0; c < cols; c++) {
      const t = twoPi * kx * (c * pixelSizeA - x0);
      colCos[w * cols + c] = Math.cos(t);
      colSin[w * cols + c] = Math.sin(t);
    }
    for (let r = 0; r < rows; r++) {
      const t = twoPi * ky * (r * pixelSizeA - y0) + phase;
      rowA[w * rows + r] = amp * Math.cos(t);
      rowB[w * rows + r] = amp * Math.sin(t);
    }
  }
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let w = 0;
    for (; w + 1 < K; w += 2) {
      const a0 = rowA[w * rows + r];
      const b0 = rowB[w * rows + r];
      const a1 = rowA[(w + 1) * rows + r];
      const b1 = rowB[(w + 1) * rows + r];
      const o0 = w * cols;
      const o1 = o0 + cols;
      for (let c = 0; c < cols; c++) {
        out[base + c] += a0 * colCos[o0 + c] - b0 * colSin[o0 + c] + a1 * colCos[o1 + c] - b1 * colSin[o1 + c];
      }
    }
    for (; w < K; w++) {
      const a = rowA[w * rows + r];
      const b = rowB[w * rows + r];
      const off = w * cols;
      for (let c = 0; c < cols; c++) out[base + c] += a * colCos[off + c] - b * colSin[off + c];
    }
  }
}

/**
 * A stationary random field with standard deviation σ and Gaussian correlation
 * C(r) = σ²·exp(−r²/(2ℓ²)), built as a sum of J separable products f_j(x)·g_j(y) of independent 1D
 * Gaussian fields, each a sum of M random cosines (spectral representation: wave numbers from
 * N(0, (2πℓ)⁻²), uniform phases; Shinozuka & Deodatis, Appl. Mech. Rev. 44, 191 (1991),
 * doi:10.1115/1.3119501). Since exp(−(x²+y²)/2ℓ²) = exp(−x²/2ℓ²)·exp(−y²/2ℓ²), the product
 * has exactly the isotropic covariance; the sum over J makes it nearly Gaussian (excess kurtosis 6/J).
 * A pixel costs J multiply-adds, and the field is evaluated exactly at any shift.
 */
export interface SeparableField {
  /** Amplitude of each product term, σ/√J. */
  scale: number;
  /** J pairs of 1D cosine sums: k in 1/Å, amplitude, phase (rad). */
  terms: Array<{ fx: Wave1d[]; gy: Wave1d[] }>;
}

export interface Wave1d {
  k: number;
  amp: number;
  phase: number;
}

export function separableRandomField(
  terms: number,
  sigma: number,
  correlationLengthA: number,
  random: { next(): number; normal(): number },
  cosines = 32
): SeparableField {
  const s = 1 / (2 * Math.PI * correlationLengthA);
  const amp = Math.sqrt(2 / cosines);
  const draw = (): Wave1d[] => Array.from({ length: cosines }, () => ({ k: s * random.normal(), amp, phase: 2 * Math.PI * random.next() }));
  const out: SeparableField = { scale: sigma / Math.sqrt(terms), terms: [] };
  for (let j = 0; j < terms; j++) out.terms.push({ fx: draw(), gy: draw() });
  return out;
}

/** Adds weight·field(r − r0) to `out` (row-major rows × cols, x = col·p, y = row·p). */
export function addSeparableField(
  out: Float64Array,
  rows: number,
  cols: number,
  pixelSizeA: number,
  field: SeparableField,
  x0: number,
  y0: number
): void {
  const J = field.terms.length;
  if (J === 0 || field.scale === 0) return;
  const fx = new Float64Array(J * cols);
  const gy = new Float64Array(J * rows);
  // Cosines along a row advance by a fixed angle: rotate a unit phasor instead of calling cos.
  const eval1d = (waves: Wave1d[], n: number, origin: number, dst: Float64Array, off: number, scale: number): void => {
    for (const w of waves) {
      const t0 = 2 * Math.PI * w.k * -origin + w.phase;
      const dt = 2 * Math.PI * w.k * pixelSizeA;
      const cr = Math.cos(dt);
      const ci = Math.sin(dt);
      let zr = Math.cos(t0);
      let zi = Math.sin(t0);
      const a = scale * w.amp;
      for (let i = 0; i < n; i++) {
        dst[off + i] += a * zr;
        const nr = zr * cr - zi * ci;
        zi = zr * ci + zi * cr;
        zr = nr;
      }
    }
  };
  field.terms.forEach((t, j) => {
    eval1d(t.fx, cols, x0, fx, j * cols, 1);
    eval1d(t.gy, rows, y0, gy, j * rows, field.scale);
  });
  // Four terms per pass over the output row (fewer loads and stores of out).
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let j = 0;
    for (; j + 3 < J; j += 4) {
      const g0 = gy[j * rows + r];
      const g1 = gy[(j + 1) * rows + r];
      const g2 = gy[(j + 2) * rows + r];
      const g3 = gy[(j + 3) * rows + r];
      const o0 = j * cols;
      const o1 = o0 + cols;
      const o2 = o1 + cols;
      const o3 = o2 + cols;
      for (let c = 0; c < cols; c++) {
        out[base + c] += g0 * fx[o0 + c] + g1 * fx[o1 + c] + g2 * fx[o2 + c] + g3 * fx[o3 + c];
      }
    }
    for (; j < J; j++) {
      const g = gy[j * rows + r];
      const off = j * cols;
      for (let c = 0; c < cols; c++) out[base + c] += g * fx[off + c];
    }
  }
}

/** Normalised sinc, sin(πx)/(πx). */
export function sinc(x: number): number {
  if (Math.abs(x) < 1e-8) return 1;
  const t = Math.PI * x;
  return Math.sin(t) / t;
}
