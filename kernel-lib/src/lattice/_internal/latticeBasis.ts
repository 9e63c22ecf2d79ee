/**
 * 2D reciprocal lattices from measured spot vectors (pixel units of the spectrum), for predicting
 * where further reflections of the same crystal must lie.
 */

export type Vec = [number, number];

/** A lattice that indexes some of the input vectors: b is null for a 1D (fringe) lattice. */
export interface FoundLattice {
  a: Vec;
  b: Vec | null;
  /** Indices (into the input) of the vectors it indexes. */
  members: number[];
}

const cross = (p: Vec, q: Vec): number => p[0] * q[1] - p[1] * q[0];
const len = (p: Vec): number => Math.hypot(p[0], p[1]);

/**
 * Finds up to `maxLattices` lattices: repeatedly, among bases made of the remaining vectors and their
 * pairwise differences, the one indexing the most remaining vectors within `tol(|g|)` pixels (|h|, |k|
 * ≤ 24), ties broken by the larger cell (the coarsest lattice consistent with the spots); a 2D lattice
 * must index ≥ 3 vectors, a 1D one ≥ 2 different multiples, and its cell must be large enough that a
 * random vector lands within tolerance of a lattice point with probability ≤ 5 % (area ≥ 20·π·tol²:
 * a fine lattice of short difference vectors would "index" anything). Bases are refined by least
 * squares over their members and Gauss-reduced.
 */
export function findLattices(vectors: Vec[], tol: (lengthPx: number) => number, maxLattices = 3): FoundLattice[] {
  const out: FoundLattice[] = [];
  let remaining = vectors.map((_, i) => i);
  while (remaining.length >= 2 && out.length < maxLattices) {
    const lat = bestLattice(vectors, remaining, tol);
    if (!lat) break;
    out.push(lat);
    remaining = remaining.filter(i => !lat.members.includes(i));
  }
  return out;
}

function bestLattice(vectors: Vec[], idx: number[], tol: (l: number) => number): FoundLattice | null {
  const cand: Vec[] = [];
  const push = (v: Vec): void => {
    if (len(v) < 1.5) return;
    if (cand.some(c => Math.hypot(c[0] - v[0], c[1] - v[1]) < 0.5 || Math.hypot(c[0] + v[0], c[1] + v[1]) < 0.5)) return;
    cand.push(v);
  };
  for (const i of idx) push(vectors[i]);
  for (const i of idx) for (const j of idx) if (i < j) {
    push([vectors[i][0] - vectors[j][0], vectors[i][1] - vectors[j][1]]);
    push([vectors[i][0] + vectors[j][0], vectors[i][1] + vectors[j][1]]);
  }
  cand.sort((p, q) => len(p) - len(q));
  const pool = cand.slice(0, 40);
  let best: { a: Vec; b: Vec; members: number[]; area: number } | null = null;
  for (let i = 0; i < pool.length; i++) {
    for (let j = i + 1; j < pool.length; j++) {
      const a = pool[i];
      const b = pool[j];
      const area = Math.abs(cross(a, b));
      if (area < 0.2 * len(a) * len(b) || area < 20 * Math.PI * tol(Math.max(len(a), len(b))) ** 2) continue;
      const members = idx.filter(m => indexOf2d(vectors[m], a, b, tol) !== null);
      if (!best || members.length > best.members.length || (members.length === best.members.length && area > best.area * 1.0001)) {
        best = { a, b, members, area };
      }
    }
  }
  if (best && best.members.length >= 3) {
    const [a, b] = reduce(...refine2d(vectors, best.members, best.a, best.b, tol));
    return { a, b, members: idx.filter(m => indexOf2d(vectors[m], a, b, tol) !== null) };
  }
  // 1D: the longest candidate of which ≥ 2 remaining vectors are different integer multiples.
  let best1: { a: Vec; members: number[] } | null = null;
  for (const a of pool) {
    if (len(a) < 10 * tol(len(a))) continue;
    const mult = new Map<number, number>();
    for (const m of idx) {
      const n = indexOf1d(vectors[m], a, tol);
      if (n !== null && !mult.has(Math.abs(n))) mult.set(Math.abs(n), m);
    }
    const members = idx.filter(m => indexOf1d(vectors[m], a, tol) !== null);
    if (mult.size >= 2 && (!best1 || members.length > best1.members.length || (members.length === best1.members.length && len(a) > len(best1.a)))) {
      best1 = { a, members };
    }
  }
  if (!best1) return null;
  let sx = 0;
  let sy = 0;
  let sn = 0;
  for (const m of best1.members) {
    const n = indexOf1d(vectors[m], best1.a, tol) as number;
    sx += n * vectors[m][0];
    sy += n * vectors[m][1];
    sn += n * n;
  }
  return { a: [sx / sn, sy / sn], b: null, members: best1.members };
}

/** Integer (h, k) with h·a + k·b within tol of g (|h|, |k| ≤ 24), or null. */
export function indexOf2d(g: Vec, a: Vec, b: Vec, tol: (l: number) => number): [number, number] | null {
  const det = cross(a, b);
  const h = Math.round(cross(g, b) / det);
  const k = Math.round(cross(a, g) / det);
  if (Math.abs(h) > 24 || Math.abs(k) > 24 || (h === 0 && k === 0)) return null;
  const r = Math.hypot(h * a[0] + k * b[0] - g[0], h * a[1] + k * b[1] - g[1]);
  return r <= tol(len(g)) ? [h, k] : null;
}

function indexOf1d(g: Vec, a: Vec, tol: (l: number) => number): number | null {
  const n = Math.round((g[0] * a[0] + g[1] * a[1]) / (a[0] * a[0] + a[1] * a[1]));
  if (n === 0 || Math.abs(n) > 24) return null;
  return Math.hypot(n * a[0] - g[0], n * a[1] - g[1]) <= tol(len(g)) ? n : null;
}

/** Least-squares a, b from the members' (h, k): minimise Σ|h·a + k·b − g|² (normal equations). */
function refine2d(vectors: Vec[], members: number[], a: Vec, b: Vec, tol: (l: number) => number): [Vec, Vec] {
  let shh = 0;
  let shk = 0;
  let skk = 0;
  const rx = [0, 0];
  const ry = [0, 0];
  for (const m of members) {
    const hk = indexOf2d(vectors[m], a, b, tol);
    if (!hk) continue;
    const [h, k] = hk;
    const g = vectors[m];
    shh += h * h;
    shk += h * k;
    skk += k * k;
    rx[0] += h * g[0];
    rx[1] += k * g[0];
    ry[0] += h * g[1];
    ry[1] += k * g[1];
  }
  const det = shh * skk - shk * shk;
  if (Math.abs(det) < 1e-9) return [a, b];
  const solve = (r: number[]): [number, number] => [(skk * r[0] - shk * r[1]) / det, (shh * r[1] - shk * r[0]) / det];
  const [ax, bx] = solve(rx);
  const [ay, by] = solve(ry);
  return [
    [ax, ay],
    [bx, by]
  ];
}

/** Gauss (Lagrange) reduction of a 2D basis: shortest a, then b shortened against a. */
function reduce(a0: Vec, b0: Vec): [Vec, Vec] {
  let a = a0;
  let b = b0;
  for (let it = 0; it < 100; it++) {
    if (len(b) < len(a)) [a, b] = [b, a];
    const mu = Math.round((a[0] * b[0] + a[1] * b[1]) / (a[0] * a[0] + a[1] * a[1]));
    if (mu === 0) break;
    b = [b[0] - mu * a[0], b[1] - mu * a[1]];
  }
  return [a, b];
}

/** Lattice points h·a + k·b (or n·a) with |g| ≤ maxLenPx in the half-plane x > 0 or (x = 0, y > 0), with their indices. */
export function latticePoints(lat: FoundLattice, maxLenPx: number): Array<{ g: Vec; hk: [number, number] }> {
  const out: Array<{ g: Vec; hk: [number, number] }> = [];
  const half = (g: Vec): boolean => g[0] > 1e-9 || (Math.abs(g[0]) <= 1e-9 && g[1] > 0);
  if (!lat.b) {
    const n = Math.floor(maxLenPx / len(lat.a));
    for (let i = -n; i <= n; i++) {
      const g: Vec = [i * lat.a[0], i * lat.a[1]];
      if (i !== 0 && half(g)) out.push({ g, hk: [i, 0] });
    }
    return out;
  }
  const area = Math.abs(cross(lat.a, lat.b));
  const H = Math.ceil((maxLenPx * len(lat.b)) / area) + 1;
  const K = Math.ceil((maxLenPx * len(lat.a)) / area) + 1;
  for (let h = -H; h <= H; h++) {
    for (let k = -K; k <= K; k++) {
      if (h === 0 && k === 0) continue;
      const g: Vec = [h * lat.a[0] + k * lat.b[0], h * lat.a[1] + k * lat.b[1]];
      if (len(g) <= maxLenPx && half(g)) out.push({ g, hk: [h, k] });
    }
  }
  return out;
}
