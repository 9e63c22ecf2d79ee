import { WindowName, noiseCorrelation1d } from './apodize';

/**
 * Σ_{i,j: label i = label j = ℓ} ρ(i−j)² for every label ℓ of a full-plane DFT label map
 * (`labels[r·cols + c]`, −1 = unlabelled; unshifted indices, neighbours wrap as DFT indices do).
 * ρ is the window's noise correlation between Fourier pixels (δ without a window, ±1: −2/3, ±2: 1/6
 * per axis for periodic Hann). For a pure-noise set of n pixels the variance of Σ|F|² is
 * 2·P²·(this sum) and that of Σ Re F₁F₂* is P₁P₂·(this sum) — so the sum is n without a window.
 */
export function noiseCorrelationSums(labels: Int32Array, rows: number, cols: number, nLabels: number, window: WindowName): Float64Array {
  const reach = window === 'hann' ? 2 : 0;
  const rho2: number[] = [];
  for (let d = -reach; d <= reach; d++) rho2.push(noiseCorrelation1d(window, d) ** 2);
  const sums = new Float64Array(nLabels);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const l = labels[r * cols + c];
      if (l < 0) continue;
      let s = 0;
      for (let dy = -reach; dy <= reach; dy++) {
        const rr = (r + dy + rows) % rows;
        for (let dx = -reach; dx <= reach; dx++) {
          if (labels[rr * cols + ((c + dx + cols) % cols)] === l) s += rho2[dy + reach] * rho2[dx + reach];
        }
      }
      sums[l] += s;
    }
  }
  return sums;
}
