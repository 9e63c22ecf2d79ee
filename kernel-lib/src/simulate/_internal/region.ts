import { ValueError } from '../../errors';

/** The crystal region: a disk or polygon with a soft edge, or the whole field. Lengths in Å, points `{x, y}` in the array frame (x = col·p, y = row·p). */
export interface RegionSpec {
  /** `'disk'` (default), `'polygon'` (give `verticesA`) or `'full'` (crystal everywhere). */
  shape?: 'disk' | 'polygon' | 'full';
  /** Disk area as a fraction of the field when `radiusA` is not given (default 0.65; science.md asks for 0.5–0.8). */
  areaFraction?: number;
  /** Disk radius, Å (overrides areaFraction). */
  radiusA?: number;
  /** Centre (the phase reference of every fringe and the centre of expansion), Å. Default: field centre (disk) or vertex mean (polygon). */
  centreA?: { x: number; y: number };
  /** Polygon vertices in order, Å (at least 3). */
  verticesA?: Array<{ x: number; y: number }>;
  /** Width of the smooth (smoothstep) edge, Å (default 3). */
  edgeWidthA?: number;
}

export interface ResolvedRegion {
  shape: 'disk' | 'polygon' | 'full';
  centreA: { x: number; y: number };
  radiusA?: number;
  verticesA?: Array<{ x: number; y: number }>;
  edgeWidthA: number;
}

export function resolveRegion(fn: string, spec: RegionSpec | undefined, rows: number, cols: number, p: number): ResolvedRegion {
  const s = spec ?? {};
  const shape = s.shape ?? 'disk';
  const edgeWidthA = s.edgeWidthA ?? 3;
  if (!(edgeWidthA >= 0) || !Number.isFinite(edgeWidthA)) throw new ValueError(`${fn}: region.edgeWidthA must be a finite length ≥ 0 in Å; got ${edgeWidthA}.`);
  const checkPoint = (name: string, q: { x: number; y: number } | undefined): void => {
    if (!q || !Number.isFinite(q.x) || !Number.isFinite(q.y)) throw new ValueError(`${fn}: ${name} must be a point {x, y} in Å; got ${JSON.stringify(q)}.`);
  };
  if (shape === 'full') {
    const centreA = s.centreA ?? { x: ((cols - 1) * p) / 2, y: ((rows - 1) * p) / 2 };
    checkPoint('region.centreA', centreA);
    return { shape, centreA: { ...centreA }, edgeWidthA };
  }
  if (shape === 'disk') {
    const centreA = s.centreA ?? { x: ((cols - 1) * p) / 2, y: ((rows - 1) * p) / 2 };
    checkPoint('region.centreA', centreA);
    const frac = s.areaFraction ?? 0.65;
    if (s.radiusA === undefined && !(frac > 0 && frac <= 1)) throw new ValueError(`${fn}: region.areaFraction must lie in (0, 1]; got ${frac}.`);
    const radiusA = s.radiusA ?? Math.sqrt((frac * rows * cols * p * p) / Math.PI);
    if (!(radiusA > 0) || !Number.isFinite(radiusA)) throw new ValueError(`${fn}: region.radiusA must be a positive length in Å; got ${radiusA}.`);
    return { shape, centreA: { ...centreA }, radiusA, edgeWidthA };
  }
  if (shape === 'polygon') {
    const v = s.verticesA;
    if (!Array.isArray(v) || v.length < 3) throw new ValueError(`${fn}: region.verticesA must list at least 3 points {x, y} in Å; got ${JSON.stringify(v)}.`);
    v.forEach((q, i) => checkPoint(`region.verticesA[${i}]`, q));
    const centreA = s.centreA ?? { x: v.reduce((a, q) => a + q.x, 0) / v.length, y: v.reduce((a, q) => a + q.y, 0) / v.length };
    checkPoint('region.centreA', centreA);
    return { shape, centreA: { ...centreA }, verticesA: v.map(q => ({ x: q.x, y: q.y })), edgeWidthA };
  }
  throw new ValueError(`${fn}: region.shape must be 'disk', 'polygon' or 'full'; got ${JSON.stringify(shape)}.`);
}

/**
 * Mask M(r) ∈ [0, 1] for a rigid shift (sx, sy) and deformation F (given as F⁻¹) about the centre:
 * the material point is X = c + F⁻¹(r − s − c); M = smoothstep of the signed distance to the edge.
 */
export function buildMask(
  region: ResolvedRegion,
  rows: number,
  cols: number,
  p: number,
  sx: number,
  sy: number,
  Finv: [[number, number], [number, number]]
): Float64Array {
  const out = new Float64Array(rows * cols);
  if (region.shape === 'full') return out.fill(1);
  const { x: cx, y: cy } = region.centreA;
  const w = region.edgeWidthA;
  const step = (dist: number): number => {
    if (w === 0) return dist >= 0 ? 1 : 0;
    const t = Math.min(1, Math.max(0, dist / w + 0.5));
    return t * t * (3 - 2 * t);
  };
  const verts = region.verticesA ?? [];
  const R = region.radiusA ?? 0;
  for (let r = 0; r < rows; r++) {
    const ry = r * p - sy - cy;
    for (let c = 0; c < cols; c++) {
      const rx = c * p - sx - cx;
      const X = Finv[0][0] * rx + Finv[0][1] * ry;
      const Y = Finv[1][0] * rx + Finv[1][1] * ry;
      const dist = region.shape === 'disk' ? R - Math.sqrt(X * X + Y * Y) : polygonSignedDistance(verts, X + cx, Y + cy);
      out[r * cols + c] = step(dist);
    }
  }
  return out;
}

/** Signed distance to a simple polygon: positive inside (even–odd rule), negative outside. */
function polygonSignedDistance(v: Array<{ x: number; y: number }>, x: number, y: number): number {
  let inside = false;
  let best = Infinity;
  for (let i = 0, j = v.length - 1; i < v.length; j = i++) {
    const a = v[j];
    const b = v[i];
    if (b.y > y !== a.y > y && x < ((a.x - b.x) * (y - b.y)) / (a.y - b.y) + b.x) inside = !inside;
    const ex = b.x - a.x;
    const ey = b.y - a.y;
    const len2 = ex * ex + ey * ey;
    const t = len2 > 0 ? Math.max(0, Math.min(1, ((x - a.x) * ex + (y - a.y) * ey) / len2)) : 0;
    const d = Math.hypot(x - a.x - t * ex, y - a.y - t * ey);
    if (d < best) best = d;
  }
  return inside ? best : -best;
}
