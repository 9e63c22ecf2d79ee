/**
 * Test helper: amplitude of a cosine at an arbitrary reciprocal vector, by a direct Hann-windowed DFT
 * of a 2D view: A ≈ 2·|Σ w·I·exp(−2πi k·r)| / (mean·Σ w). No FFT (independent of the code under test).
 */
export function amplitudeAt(
  get: (row: number, col: number) => number,
  rows: number,
  cols: number,
  pixelSizeA: number,
  kxInvA: number,
  kyInvA: number,
  meanCounts: number
): number {
  const wy = Array.from({ length: rows }, (_, r) => 0.5 - 0.5 * Math.cos((2 * Math.PI * (r + 0.5)) / rows));
  const wx = Array.from({ length: cols }, (_, c) => 0.5 - 0.5 * Math.cos((2 * Math.PI * (c + 0.5)) / cols));
  const cx = Array.from({ length: cols }, (_, c) => Math.cos(-2 * Math.PI * kxInvA * c * pixelSizeA));
  const sx = Array.from({ length: cols }, (_, c) => Math.sin(-2 * Math.PI * kxInvA * c * pixelSizeA));
  let re = 0;
  let im = 0;
  let sw = 0;
  for (let r = 0; r < rows; r++) {
    const ty = -2 * Math.PI * kyInvA * r * pixelSizeA;
    const cy = Math.cos(ty);
    const sy = Math.sin(ty);
    for (let c = 0; c < cols; c++) {
      const w = wy[r] * wx[c];
      const v = get(r, c) * w;
      // exp(i(tx + ty)) = (cx + i sx)(cy + i sy)
      re += v * (cx[c] * cy - sx[c] * sy);
      im += v * (sx[c] * cy + cx[c] * sy);
      sw += w;
    }
  }
  return (2 * Math.hypot(re, im)) / (meanCounts * sw);
}
