/**
 * Correlation kernels of alignFrames, on Fourier-cropped half spectra of the frames' periodic
 * components (Moisan's periodic-plus-smooth decomposition, J. Math. Imaging Vis. 39, 161 (2011),
 * doi:10.1007/s10851-010-0227-1: no edge cross, no taper), low-passed by exp(−B·k²/4).
 * Shifts are in pixels of the full frame; the crop only drops frequencies the B-factor already
 * removed, and the upsampled DFT evaluates correlations at any position from the cropped half.
 */
import ndarray from 'ndarray';
import { irfft2, rfft2 } from '../../fft';
import { HalfLayout, SparseHalfSpectrum, croppedHalfLayout, halfSpectrumDft } from '../../registration/_internal/halfSpectrumDft';

/** Amplitude a frequency keeps at the crop edge: exp(−B·k²/4) = CROP_LEVEL. */
const CROP_LEVEL = 1e-2;

export interface Spectrum {
  re: Float32Array;
  im: Float32Array;
}

/** Smallest 2,3,5-smooth integer ≥ n. */
export function smooth235(n: number): number {
  for (let m = Math.max(1, n); ; m++) {
    let r = m;
    for (const p of [2, 3, 5]) while (r % p === 0) r /= p;
    if (r === 1) return m;
  }
}

/** Even cropped size for one axis of n pixels keeping |f| ≤ kMax·n (cycles per pixel). */
function cropAxis(n: number, kMax: number): number {
  const keep = Math.ceil(kMax * n) + 1;
  let m = smooth235(2 * (keep + 1));
  while (m % 2) m = smooth235(m + 1);
  return m >= n ? (n % 2 === 0 ? n : n + 1) : Math.max(8, m);
}

/**
 * The crop and its layout for a B-factor of bPx2 (px², i.e. B in Å² / p²; 0: none) and a frequency
 * limit kLimit (cycles per pixel; ≥ 0.5 keeps everything).
 */
export function cropFor(ny: number, nx: number, bPx2: number, kLimit = 0.5): { my: number; mx: number; layout: HalfLayout } {
  const kMax = Math.min(kLimit, bPx2 > 0 ? Math.sqrt((4 * Math.log(1 / CROP_LEVEL)) / bPx2) : 1);
  const my = cropAxis(ny, kMax);
  const mx = cropAxis(nx, kMax);
  return { my, mx, layout: croppedHalfLayout(ny, nx, my, mx) };
}

/** |k|² (cycles/px)² of every cropped element. */
export function k2Of(layout: HalfLayout): Float64Array {
  const out = new Float64Array(layout.rows * layout.cols);
  for (let r = 0; r < layout.rows; r++) {
    const fy = layout.rowFreq[r] / layout.ny;
    for (let c = 0; c < layout.cols; c++) {
      const fx = layout.colFreq[c] / layout.nx;
      out[r * layout.cols + c] = fy * fy + fx * fx;
    }
  }
  return out;
}

/**
 * The alignment spectrum of one frame: its periodic component's half spectrum (or, with
 * `periodicSmooth` false, its plain spectrum) restricted to the crop, DC removed, times `filter`
 * (exp(−B·k²/4) per cropped element).
 * `frame` is the dense frame (rows·cols), `F` its full `rfft2` half spectrum.
 */
export function alignmentSpectrum(frame: ArrayLike<number>, F: { re: ArrayLike<number>; im: ArrayLike<number> }, layout: HalfLayout, filter: Float64Array, periodicSmooth = true, out?: Spectrum): Spectrum {
  const { ny, nx, rows, cols, rowFreq } = layout;
  const nc = (nx >> 1) + 1;
  // a(x) = I(ny−1, x) − I(0, x); b(y) = I(y, nx−1) − I(y, 0); their DFTs at the kept frequencies
  // (one real FFT each: frequency f < 0 is the conjugate of −f)
  const edgeA = new Float64Array(nx);
  for (let x = 0; x < nx; x++) edgeA[x] = frame[(ny - 1) * nx + x] - frame[x];
  const edgeB = new Float64Array(ny);
  for (let y = 0; y < ny; y++) edgeB[y] = frame[y * nx + nx - 1] - frame[y * nx];
  const dft = (v: Float64Array): { re: ArrayLike<number>; im: ArrayLike<number> } => {
    const F1 = rfft2(ndarray(v, [1, v.length]), { workers: 1 });
    return { re: F1.re.data, im: F1.im.data };
  };
  const A = dft(edgeA);
  const Ar = new Float64Array(cols);
  const Ai = new Float64Array(cols);
  // (a crop wider than the frame — odd sizes — adds a Nyquist column/row that is never used: left 0)
  for (let c = 0; c < Math.min(cols, A.re.length); c++) {
    Ar[c] = A.re[c];
    Ai[c] = A.im[c];
  }
  const B = dft(edgeB);
  const Br = new Float64Array(rows);
  const Bi = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const f = rowFreq[r];
    if (Math.abs(f) >= B.re.length) continue;
    Br[r] = B.re[Math.abs(f)];
    Bi[r] = f < 0 ? -B.im[-f] : B.im[f];
  }
  const re = out ? out.re.fill(0) : new Float32Array(rows * cols);
  const im = out ? out.im.fill(0) : new Float32Array(rows * cols);
  // per column: cos(wx) and 1 − exp(2πi f_x/nx), wx = 2π·c/nx
  const { cx, ex0, ex1 } = columnTerms(cols, nx);
  for (let r = 0; r < rows; r++) {
    const fr = rowFreq[r];
    if (2 * Math.abs(fr) >= rows) continue; // the crop's Nyquist row stays zero
    const src = ((fr % ny) + ny) % ny;
    const wy = (2 * Math.PI * fr) / ny;
    // 1 − exp(2πi f_y/ny)
    const ey0 = 1 - Math.cos(wy);
    const ey1 = -Math.sin(wy);
    const cy = Math.cos(wy);
    const br = Br[r];
    const bi = Bi[r];
    const o = src * nc;
    for (let c = 0; c < cols - 1; c++) {
      const k = r * cols + c;
      const den = 2 * cx[c] + 2 * cy - 4;
      let sr = 0;
      let si = 0;
      if (den !== 0 && periodicSmooth) {
        const vr = Ar[c] * ey0 - Ai[c] * ey1 + br * ex0[c] - bi * ex1[c];
        const vi = Ar[c] * ey1 + Ai[c] * ey0 + br * ex1[c] + bi * ex0[c];
        sr = vr / den;
        si = vi / den;
      }
      const g = filter[k];
      re[k] = (F.re[o + c] - sr) * g;
      im[k] = (F.im[o + c] - si) * g;
    }
  }
  re[0] = 0;
  im[0] = 0;
  return { re, im };
}

/** cos(wx), 1 − cos(wx) and −sin(wx) for wx = 2π·c/nx, c < cols (as alignmentSpectrum computed them inline). */
function columnTerms(cols: number, nx: number): { cx: Float64Array; ex0: Float64Array; ex1: Float64Array } {
  const cx = new Float64Array(cols);
  const ex0 = new Float64Array(cols);
  const ex1 = new Float64Array(cols);
  for (let c = 0; c < cols; c++) {
    const wx = (2 * Math.PI * c) / nx;
    cx[c] = Math.cos(wx);
    ex0[c] = 1 - Math.cos(wx);
    ex1[c] = -Math.sin(wx);
  }
  return { cx, ex0, ex1 };
}

/** Per-row and per-column factors of exp(+2πi(f_y·s_y/ny + f_x·s_x/nx)): moves content by −s. */
export function unshiftFactors(layout: HalfLayout, s: [number, number]): { ey: Float64Array; ex: Float64Array } {
  const ey = new Float64Array(2 * layout.rows);
  const ex = new Float64Array(2 * layout.cols);
  for (let r = 0; r < layout.rows; r++) {
    const ph = (2 * Math.PI * layout.rowFreq[r] * s[0]) / layout.ny;
    ey[2 * r] = Math.cos(ph);
    ey[2 * r + 1] = Math.sin(ph);
  }
  for (let c = 0; c < layout.cols; c++) {
    const ph = (2 * Math.PI * layout.colFreq[c] * s[1]) / layout.nx;
    ex[2 * c] = Math.cos(ph);
    ex[2 * c + 1] = Math.sin(ph);
  }
  return { ey, ex };
}

/** acc += spec · factors (factors from {@link unshiftFactors}) over every row. */
export function addShifted(accRe: Float64Array, accIm: Float64Array, spec: { re: ArrayLike<number>; im: ArrayLike<number> }, f: { ey: Float64Array; ex: Float64Array }, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) addShiftedRow({ re: accRe, im: accIm }, spec, f, r, cols, cols);
}

/**
 * acc += spec · (ey ⊗ ex) over row r, columns [0, cw) (rows of `cols` elements). The JavaScript
 * definition of the core's shiftAccumulate_f32 (assembly/fft/frameSums.ts), same operations.
 */
export function addShiftedRow(acc: { re: Float64Array; im: Float64Array }, spec: { re: ArrayLike<number>; im: ArrayLike<number> }, f: { ey: Float64Array; ex: Float64Array }, r: number, cols: number, cw: number): void {
  const { ey, ex } = f;
  const yr = ey[2 * r];
  const yi = ey[2 * r + 1];
  const o = r * cols;
  for (let c = 0; c < cw; c++) {
    const fr = yr * ex[2 * c] - yi * ex[2 * c + 1];
    const fi = yr * ex[2 * c + 1] + yi * ex[2 * c];
    const a = spec.re[o + c];
    const b = spec.im[o + c];
    acc.re[o + c] += a * fr - b * fi;
    acc.im[o + c] += a * fi + b * fr;
  }
}

/**
 * Shift factors packed for the core's kernels into `dst` (f64): the row factors as (re, im) pairs,
 * then the columns' re, then their im; returns the byte offsets of the three parts.
 */
export function packFactors(dst: Float64Array, f: { ey: Float64Array; ex: Float64Array }, rows: number, cols: number): { ey: number; exRe: number; exIm: number } {
  dst.set(f.ey.subarray(0, 2 * rows));
  for (let c = 0; c < cols; c++) {
    dst[2 * rows + c] = f.ex[2 * c];
    dst[2 * rows + cols + c] = f.ex[2 * c + 1];
  }
  const ey = dst.byteOffset;
  return { ey, exRe: ey + 16 * rows, exIm: ey + 16 * rows + 8 * cols };
}

/** Real correlation values at positions ys × xs (pixels of the full frame). */
export function correlationAt(pr: Float64Array, pi: Float64Array, layout: HalfLayout, ys: ArrayLike<number>, xs: ArrayLike<number>): Float64Array {
  return halfSpectrumDft(pr, pi, layout, ys, xs).re;
}

export interface Peak {
  position: [number, number];
  value: number;
  /** The best whole-step value lay on the search window's edge: the peak may lie outside it. */
  atEdge: boolean;
}

/**
 * Peak of the correlation within `radius` px of `center` (a grid of spacing h0 ≤ 1 px), then
 * zoomed (5 × 5 grids, spacing ÷ 2.5 per level) down to `hMin` px and finished by a parabola
 * through the 3 × 3 neighbourhood on each axis.
 */
export function zoomPeak(pr: Float64Array, pi: Float64Array, layout: HalfLayout, center: [number, number], radius: number, hMin: number, h0 = 1): Peak {
  return zoomPeakOf(new SparseHalfSpectrum(pr, pi, layout), center, radius, hMin, h0);
}

/** {@link zoomPeak} of a cross-power spectrum prepared once (several searches on one spectrum). */
export function zoomPeakOf(spectrum: SparseHalfSpectrum, center: [number, number], radius: number, hMin: number, h0 = 1): Peak {
  const n0 = Math.max(1, Math.round(radius / h0));
  const axis = (c: number, n: number, h: number): Float64Array => Float64Array.from({ length: 2 * n + 1 }, (_, i) => c + (i - n) * h);
  const values = (ys: Float64Array, xs: Float64Array): Float64Array => spectrum.at(ys, xs).re;
  let ys = axis(center[0], n0, h0);
  let xs = axis(center[1], n0, h0);
  let v = values(ys, xs);
  let k = argmax(v);
  let py = ys[Math.floor(k / xs.length)];
  let px = xs[k % xs.length];
  const i0 = Math.floor(k / xs.length);
  const j0 = k % xs.length;
  const atEdge = i0 === 0 || j0 === 0 || i0 === ys.length - 1 || j0 === xs.length - 1;
  let h = h0;
  let best = v[k];
  for (let guard = 0; guard < 40; guard++) {
    const finest = h <= hMin;
    if (!finest) h /= 2.5;
    ys = axis(py, finest ? 1 : 2, h);
    xs = axis(px, finest ? 1 : 2, h);
    v = values(ys, xs);
    k = argmax(v);
    const i = Math.floor(k / xs.length);
    const j = k % xs.length;
    py = ys[i];
    px = xs[j];
    best = v[k];
    if (finest) {
      if (i === 1 && j === 1) {
        const w = xs.length;
        py += h * parabola(v[j], v[w + j], v[2 * w + j]);
        px += h * parabola(v[i * w], v[i * w + 1], v[i * w + 2]);
        break;
      }
      continue; // re-centre at this spacing
    }
  }
  return { position: [py, px], value: best, atEdge };
}

/** Vertex offset (−0.5 … 0.5) of the parabola through (−1, a), (0, b), (1, c). */
function parabola(a: number, b: number, c: number): number {
  const den = a - 2 * b + c;
  if (!(den < 0)) return 0;
  return Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / den));
}

function argmax(v: Float64Array): number {
  let k = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[k]) k = i;
  return k;
}

/**
 * Whole-field search: the correlation on the cropped my × mx grid by one inverse FFT, its largest
 * value within `maxShiftPx` of the origin (px of the full frame), then zoomed to `hMin`.
 */
export function globalPeak(pr: Float64Array, pi: Float64Array, layout: HalfLayout, maxShiftPx: number, hMin: number): Peak {
  const my = layout.rows;
  const mx = 2 * (layout.cols - 1);
  const cc = irfft2({ re: ndarray(pr, [my, layout.cols]), im: ndarray(pi, [my, layout.cols]) }, { shape: [my, mx], workers: 1 }).data;
  const sy = layout.ny / my;
  const sx = layout.nx / mx;
  let best = -Infinity;
  let at: [number, number] = [0, 0];
  for (let r = 0; r < my; r++) {
    const y = (r < my / 2 ? r : r - my) * sy;
    if (Math.abs(y) > maxShiftPx) continue;
    for (let c = 0; c < mx; c++) {
      const x = (c < mx / 2 ? c : c - mx) * sx;
      if (Math.abs(x) > maxShiftPx) continue;
      const v = cc[r * mx + c];
      if (v > best) {
        best = v;
        at = [y, x];
      }
    }
  }
  const p = zoomPeak(pr, pi, layout, at, Math.max(sy, sx), hMin, Math.min(1, Math.max(sy, sx) / 2));
  return { ...p, atEdge: Math.abs(p.position[0]) > maxShiftPx || Math.abs(p.position[1]) > maxShiftPx };
}
