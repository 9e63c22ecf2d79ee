// NPY round trips: lowdose → lowdose bit-exactly for every dtype; lowdose → numpy (dtype and
// values); numpy → lowdose for every dtype numpy writes, Fortran order, format versions 2.0/3.0,
// 0-d, 1-d, 5-d and empty arrays.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ndarray from 'ndarray';
import * as lowdose from 'lowdose';

const PYTHON = path.resolve(__dirname, '../../../.venv/bin/python');

function python(script: string, ...args: string[]): unknown {
  return JSON.parse(execFileSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 }));
}

function needPython(ctx: Mocha.Context): void {
  if (!fs.existsSync(PYTHON)) {
    (ctx.test as unknown as { skipReason?: string }).skipReason = `no Python reference environment at ${PYTHON}; run npm run setup`;
    ctx.skip();
  }
}

let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lowdose-npy-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

type Typed = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

const SHAPE = [2, 3, 4];
const N = 24;
const natives: Array<[string, Typed, string]> = [
  ['int8', Int8Array.from({ length: N }, (_, i) => (i === 0 ? -128 : i === 1 ? 127 : i * 5 - 60)), '|i1'],
  ['uint8', Uint8Array.from({ length: N }, (_, i) => (i === 1 ? 255 : i * 10)), '|u1'],
  ['int16', Int16Array.from({ length: N }, (_, i) => (i === 0 ? -32768 : i === 1 ? 32767 : i * 1000 - 12000)), '<i2'],
  ['uint16', Uint16Array.from({ length: N }, (_, i) => (i === 1 ? 65535 : i * 2000)), '<u2'],
  ['int32', Int32Array.from({ length: N }, (_, i) => (i === 0 ? -(2 ** 31) : i === 1 ? 2 ** 31 - 1 : i * 1e6 - 7e6)), '<i4'],
  ['uint32', Uint32Array.from({ length: N }, (_, i) => (i === 1 ? 2 ** 32 - 1 : i * 1e8)), '<u4'],
  ['float32', Float32Array.from({ length: N }, (_, i) => Math.fround(Math.sin(i) * 1e3)), '<f4'],
  ['float64', Float64Array.from({ length: N }, (_, i) => Math.sin(i) * 1e-3 + i), '<f8']
];

describe('io/writeNpy + readNpy round trips', () => {
  for (const [name, values, descr] of natives) {
    it(`writeNpy() then readNpy() returns ${name} data bit-exactly as '${descr}'`, async () => {
      const file = path.join(dir, `native-${name}.npy`);
      await lowdose.io.writeNpy(file, ndarray(values, SHAPE) as lowdose.NdArray);
      const back = await lowdose.io.readNpy(file);
      assert.equal(back.metadata.sourceDtype, descr);
      assert.deepEqual(back.data.shape, SHAPE);
      assert.equal(back.data.data.constructor, values.constructor);
      assert.deepEqual(Array.from(back.data.data as Typed), Array.from(values));
      assert.equal(fs.statSync(file).size % 64, (N * values.BYTES_PER_ELEMENT) % 64, 'data start on a 64-byte boundary');
    });
  }

  it('writeNpy() writes complex Datasets as <c8 / <c16 and readNpy() returns both parts', async () => {
    for (const Ctor of [Float32Array, Float64Array]) {
      const re = Ctor.from({ length: 6 }, (_, i) => i - 2.5);
      const im = Ctor.from({ length: 6 }, (_, i) => 1 / (i + 1));
      const ds = lowdose.makeDataset(ndarray(re, [2, 3]) as lowdose.NdArray);
      ds.imag = ndarray(im, [2, 3]) as lowdose.NdArray;
      const file = path.join(dir, `complex-${Ctor.name}.npy`);
      await lowdose.io.writeNpy(file, ds);
      const back = await lowdose.io.readNpy(file);
      assert.equal(back.metadata.sourceDtype, Ctor === Float32Array ? '<c8' : '<c16');
      assert.deepEqual(Array.from(back.data.data as Typed), Array.from(re));
      assert.deepEqual(Array.from(back.imag!.data as Typed), Array.from(im));
    }
  });

  it('writeNpy() writes a transposed (strided) view in C order', async () => {
    const base = ndarray(Float64Array.from({ length: 6 }, (_, i) => i), [2, 3]);
    const file = path.join(dir, 'transposed.npy');
    await lowdose.io.writeNpy(file, base.transpose(1, 0) as lowdose.NdArray);
    const back = await lowdose.io.readNpy(file);
    assert.deepEqual(back.data.shape, [3, 2]);
    assert.deepEqual(Array.from(back.data.data as Float64Array), [0, 3, 1, 4, 2, 5]);
  });

  it('writeNpy() refuses a dtype the values do not fit, and an unknown dtype', async () => {
    const values = ndarray(Float64Array.from([1, 2.5]), [2]) as lowdose.NdArray;
    await assert.rejects(lowdose.io.writeNpy(path.join(dir, 'x.npy'), values, { dtype: '<i2' }), /must be integers in \[-32768, 32767\] to be stored as int16; got 2\.5 at element 1/);
    await assert.rejects(lowdose.io.writeNpy(path.join(dir, 'y.npy'), values, { dtype: '|O' }), /options\.dtype must be a numpy dtype string/);
    assert.deepEqual(fs.readdirSync(dir).filter(f => /^[xy]\.npy|\.tmp$/.test(f)), []);
  });

  it('numpy loads lowdose’s files with the dtype asked for (incl. <f2, >i4, |b1, <i8, >c16) and the same values', async function () {
    needPython(this);
    const cases: Array<[string, Typed, string | undefined, Typed?]> = [
      ...natives.map(([n, v, d]) => [n, v, d] as [string, Typed, string]),
      ['f2', Float32Array.from([0, 1.5, -2.25, 65504, 2 ** -24, -0.5]), '<f2'],
      ['be-i4', Int32Array.from([-(2 ** 31), -1, 0, 1, 2 ** 31 - 1, 7]), '>i4'],
      ['be-f8', Float64Array.from([Math.PI, -Math.E, 0, 1e300, -1e-300, 42]), '>f8'],
      ['b1', Uint8Array.from([0, 1, 1, 0, 1, 1]), '|b1'],
      ['i8', Float64Array.from([-(2 ** 53) + 1, -1, 0, 1, 2 ** 40, 2 ** 53 - 1]), '<i8'],
      ['u8', Float64Array.from([0, 1, 2 ** 32, 2 ** 40, 2 ** 52, 2 ** 53 - 1]), '<u8'],
      ['be-u2', Uint16Array.from([0, 1, 256, 65535, 4096, 7]), '>u2'],
      ['be-c16', Float64Array.from([1, 2, 3, 4, 5, 6]), '>c16', Float64Array.from([-1, -2, -3, -4, -5, -6])]
    ];
    const files: string[] = [];
    for (const [name, re, dtype, im] of cases) {
      const shape = re.length === N ? SHAPE : [2, 3];
      const ds = lowdose.makeDataset(ndarray(re, shape) as lowdose.NdArray);
      if (im) ds.imag = ndarray(im, shape) as lowdose.NdArray;
      const file = path.join(dir, `to-numpy-${name}.npy`);
      await lowdose.io.writeNpy(file, ds, { dtype });
      files.push(file);
    }
    const got = python(
      `
import sys, json, numpy as np
out = {}
for f in sys.argv[1:]:
    a = np.load(f)
    out[f] = dict(descr=np.lib.format.dtype_to_descr(a.dtype), shape=list(a.shape),
                  re=np.real(a).astype(np.float64).ravel().tolist(), im=np.imag(a).astype(np.float64).ravel().tolist())
print(json.dumps(out))
`,
      ...files
    ) as Record<string, { descr: string; shape: number[]; re: number[]; im: number[] }>;
    cases.forEach(([name, re, dtype, im], k) => {
      const r = got[files[k]];
      assert.equal(r.descr, dtype, name);
      assert.deepEqual(r.shape, re.length === N ? SHAPE : [2, 3], name);
      assert.deepEqual(r.re, Array.from(re), name);
      if (im) assert.deepEqual(r.im, Array.from(im), name);
    });
    // and lowdose reads them back to the same values (widened: f2 → float32, i8/u8 → float64, b1 → uint8)
    for (const [k, [name, re]] of cases.entries()) {
      const back = await lowdose.io.readNpy(files[k]);
      assert.deepEqual(Array.from(back.data.data as Typed), Array.from(re), name);
    }
  });

  it('readNpy() reads every dtype numpy writes, Fortran order, versions 2.0 and 3.0, 0-d, 1-d, 5-d and empty arrays', async function () {
    needPython(this);
    const expected = python(
      `
import sys, os, json, numpy as np
d = sys.argv[1]
out = {}
base = np.arange(24).reshape(2, 3, 4)
arrays = {
  'b1': base % 3 == 0, 'i1': (base * 11 - 128).astype('i1'), 'u1': (base * 10).astype('u1'),
  'lt-i2': (base * 1000 - 12000).astype('<i2'), 'gt-i2': (base * 1000 - 12000).astype('>i2'),
  'lt-u2': (base * 2000).astype('<u2'), 'gt-u2': (base * 2000).astype('>u2'),
  'lt-i4': (base * 10**8 - 10**9).astype('<i4'), 'gt-i4': (base * 10**8 - 10**9).astype('>i4'),
  'gt-u4': (base * 10**8).astype('>u4'), 'lt-i8': (base * 10**12 - 3).astype('<i8'), 'gt-u8': (base * 10**12).astype('>u8'),
  'lt-f2': (base / 8 - 1).astype('<f2'), 'gt-f2': (base / 8 - 1).astype('>f2'),
  'lt-f4': np.sin(base).astype('<f4'), 'gt-f4': np.sin(base).astype('>f4'),
  'lt-f8': np.cos(base) * 1e5, 'gt-f8': (np.cos(base) * 1e5).astype('>f8'),
  'lt-c8': (base + 1j * base[::-1]).astype('<c8'), 'gt-c16': (np.sin(base) - 1j * np.cos(base)).astype('>c16'),
  'fortran-f4': np.asfortranarray(np.sin(base).astype('<f4')), 'fortran-c16': np.asfortranarray(base * (1 - 2j)),
  'fortran-2d-i2': np.asfortranarray((np.arange(15).reshape(3, 5) - 7).astype('<i2')),
  'scalar': np.array(3.5), 'vector': np.arange(7, dtype='<u2'), 'five-d': np.arange(2 * 1 * 3 * 2 * 2, dtype='<f4').reshape(2, 1, 3, 2, 2),
  'empty': np.zeros((0, 4), dtype='<f4'),
}
for name, a in arrays.items():
    f = os.path.join(d, 'np-' + name + '.npy')
    np.save(f, a)
    out[f] = dict(descr=np.lib.format.dtype_to_descr(a.dtype), fortran=bool(a.flags.f_contiguous and not a.flags.c_contiguous), shape=list(a.shape),
                  re=np.real(a).astype(np.float64).ravel(order='C').tolist(), im=np.imag(a).astype(np.float64).ravel(order='C').tolist())
for version in [(2, 0), (3, 0)]:
    f = os.path.join(d, 'np-v%d.npy' % version[0])
    a = np.arange(6, dtype='<f8').reshape(2, 3) / 3
    with open(f, 'wb') as fh:
        np.lib.format.write_array(fh, a, version=version)
    out[f] = dict(descr='<f8', fortran=False, shape=[2, 3], re=a.ravel().tolist(), im=[0.0] * 6, version='%d.0' % version[0])
print(json.dumps(out))
`,
      dir
    ) as Record<string, { descr: string; fortran: boolean; shape: number[]; re: number[]; im: number[]; version?: string }>;
    assert.ok(Object.keys(expected).length >= 28);
    for (const [file, e] of Object.entries(expected)) {
      const name = path.basename(file);
      const ds = await lowdose.io.read(file);
      assert.equal(ds.metadata.sourceFormat, 'npy', name);
      assert.equal(ds.metadata.sourceDtype, e.descr, name);
      assert.deepEqual(ds.data.shape, e.shape, name);
      const orig = ds.metadata.original as { fortran_order: boolean; version: string };
      assert.equal(orig.fortran_order, e.fortran, name);
      if (e.version) assert.equal(orig.version, e.version, name);
      assert.deepEqual(Array.from(ds.data.data as Typed), e.re, `${name} values in C order`);
      if (/c(8|16)$/.test(e.descr)) assert.deepEqual(Array.from(ds.imag!.data as Typed), e.im, `${name} imaginary part`);
      else assert.equal(ds.imag, undefined);
    }
  });
});
