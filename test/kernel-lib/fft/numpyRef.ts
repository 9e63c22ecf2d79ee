// Runs numpy (the project's .venv) on arrays from a test and returns its float64 results.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PYTHON = path.resolve(__dirname, '../../../.venv/bin/python');

export interface Arr {
  data: Float32Array | Float64Array;
  shape: number[];
}

const RUNNER = `
import json, sys, numpy as np
d = sys.argv[1]
spec = json.load(open(d + '/in.json'))
inputs = {k: np.fromfile(d + '/' + k + '.bin', dtype=v['dtype']).reshape(v['shape']) for k, v in spec['inputs'].items()}
out = {}
exec(spec['code'], {'np': np, 'out': out, **inputs})
shapes = {}
for k, v in out.items():
    v = np.asarray(v)
    if np.iscomplexobj(v):
        np.ascontiguousarray(v.real, dtype=np.float64).tofile(d + '/' + k + '.re.bin')
        np.ascontiguousarray(v.imag, dtype=np.float64).tofile(d + '/' + k + '.im.bin')
        shapes[k] = {'shape': list(v.shape), 'complex': True}
    else:
        np.ascontiguousarray(v, dtype=np.float64).tofile(d + '/' + k + '.bin')
        shapes[k] = {'shape': list(v.shape), 'complex': False}
json.dump(shapes, open(d + '/out.json', 'w'))
`;

function readF64(file: string): Float64Array {
  const b = fs.readFileSync(file);
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** Runs `code` (which fills the dict `out`) with the inputs bound by name; complex outputs come back as re/im. */
export function numpy(code: string, inputs: Record<string, Arr>): Record<string, { re: Float64Array; im?: Float64Array; shape: number[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lowdose-fft-'));
  try {
    const spec: { code: string; inputs: Record<string, { dtype: string; shape: number[] }> } = { code, inputs: {} };
    for (const [k, v] of Object.entries(inputs)) {
      fs.writeFileSync(path.join(dir, `${k}.bin`), new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength));
      spec.inputs[k] = { dtype: v.data instanceof Float32Array ? 'float32' : 'float64', shape: v.shape };
    }
    fs.writeFileSync(path.join(dir, 'in.json'), JSON.stringify(spec));
    const r = spawnSync(PYTHON, ['-c', RUNNER, dir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`numpy reference failed: ${r.stderr || r.error}`);
    const shapes = JSON.parse(fs.readFileSync(path.join(dir, 'out.json'), 'utf8')) as Record<string, { shape: number[]; complex: boolean }>;
    const out: Record<string, { re: Float64Array; im?: Float64Array; shape: number[] }> = {};
    for (const [k, v] of Object.entries(shapes)) {
      out[k] = v.complex
        ? { re: readF64(path.join(dir, `${k}.re.bin`)), im: readF64(path.join(dir, `${k}.im.bin`)), shape: v.shape }
        : { re: readF64(path.join(dir, `${k}.bin`)), shape: v.shape };
    }
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Seeded uniform values in [-0.5, 0.5) (LCG; deterministic across runs). */
export function randomArray<T extends Float32Array | Float64Array>(Ctor: new (n: number) => T, n: number, seed: number): T {
  const out = new Ctor(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 4294967296 - 0.5;
  }
  return out;
}

/** Relative L2 error ‖a − b‖ / ‖b‖ over (re, im) pairs. */
export function relL2(aRe: ArrayLike<number>, aIm: ArrayLike<number> | null, bRe: ArrayLike<number>, bIm: ArrayLike<number> | null): number {
  let e = 0, n = 0;
  for (let i = 0; i < bRe.length; i++) {
    const dr = aRe[i] - bRe[i];
    const di = (aIm ? aIm[i] : 0) - (bIm ? bIm[i] : 0);
    e += dr * dr + di * di;
    n += bRe[i] * bRe[i] + (bIm ? bIm[i] * bIm[i] : 0);
  }
  return Math.sqrt(e / n);
}
