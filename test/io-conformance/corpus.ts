// Test helper: where the real-file corpus lives, and a describe() that reports (never hides) its absence.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** The corpus folder: $LOWDOSE_REAL_DATA, else ../shared/data/real beside the repository. */
export const CORPUS_DIR = process.env.LOWDOSE_REAL_DATA
  ? path.resolve(process.env.LOWDOSE_REAL_DATA)
  : path.resolve(ROOT, '../shared/data/real');

export const CORPUS_PRESENT = fs.existsSync(path.join(CORPUS_DIR, 'MANIFEST.md'));

const HOW = `real-data corpus not found at ${CORPUS_DIR}; set LOWDOSE_REAL_DATA to the folder holding MANIFEST.md`;

/** Absolute path of a corpus file, e.g. corpusFile('mrc/EMD-3197.map'). */
export function corpusFile(rel: string): string {
  return path.join(CORPUS_DIR, rel);
}

/**
 * Declares one mocha test per corpus file; when the corpus is absent each test is reported as
 * skipped with a message saying how to point at it.
 */
export function corpusIt(rel: string, title: string, fn: (file: string) => Promise<void> | void): void {
  it(`${rel}: ${title}`, async function () {
    if (!CORPUS_PRESENT) {
      (this.test as unknown as { skipReason?: string }).skipReason = HOW;
      this.skip();
    }
    await fn(corpusFile(rel));
  });
}

/** |a − b| ≤ tol·max(1, |b|) with a readable message. */
export function assertClose(actual: number, expected: number, relTol = 1e-6, what = 'value'): void {
  const ok = Math.abs(actual - expected) <= relTol * Math.max(1, Math.abs(expected));
  if (!ok) throw new Error(`${what}: expected ${expected}, got ${actual} (relative tolerance ${relTol})`);
}

type Ds = { data: { data: unknown; shape: number[]; get(...i: number[]): number }; axes: Array<{ name: string; size: number; scale: number; offset: number; units: string }> };

/** Minimum, maximum, mean and sum of a raw array. */
export function arrayStats(a: ArrayLike<number>): { min: number; max: number; mean: number; sum: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    min = Math.min(min, a[i]);
    max = Math.max(max, a[i]);
    sum += a[i];
  }
  return { min, max, mean: sum / a.length, sum };
}

/** Asserts whichever of min, max, mean, sum and first element (over the raw array) are given. */
export function expectStats(ds: Ds, e: { min?: number; max?: number; mean?: number; sum?: number; first?: number }, tol = 1e-6): void {
  const a = ds.data.data as ArrayLike<number>;
  const { min, max, sum } = arrayStats(a);
  if (e.min !== undefined) assertClose(min, e.min, tol, 'min');
  if (e.max !== undefined) assertClose(max, e.max, tol, 'max');
  if (e.mean !== undefined) assertClose(sum / a.length, e.mean, tol, 'mean');
  if (e.sum !== undefined) assertClose(sum, e.sum, tol, 'sum');
  if (e.first !== undefined) assertClose(ds.data.get(...ds.data.shape.map(() => 0)), e.first, tol, 'first element');
}

/** [name, size, scale, units, offset?] per axis. */
export function expectAxes(ds: Ds, expected: Array<[string, number, number, string, number?]>, tol = 1e-5): void {
  assert.deepEqual(
    ds.axes.map(a => [a.name, a.size, a.units]),
    expected.map(([n, s, , u]) => [n, s, u])
  );
  expected.forEach(([, , scale, , offset], i) => {
    assertClose(ds.axes[i].scale, scale, tol, `axes[${i}].scale`);
    if (offset !== undefined) assertClose(ds.axes[i].offset, offset, tol, `axes[${i}].offset`);
  });
}

