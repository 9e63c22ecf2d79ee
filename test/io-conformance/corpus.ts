// Test helper: where the real-file corpus lives, and a describe() that reports (never hides) its absence.
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
