// MRC round trips: lowdose → lowdose bit-exactly for every mode it writes; lowdose → mrcfile
// (validate + values + voxel size); mrcfile → lowdose for modes 0, 1, 2, 4, 6, 12 (the corpus only
// holds 2 and 6), a big-endian file, a volume and a volume stack; hand-built modes 3, 16, 101.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ndarray from 'ndarray';
import * as lowdose from 'lowdose';

const PYTHON = path.resolve(__dirname, '../../../.venv/bin/python');
const HAVE_PYTHON = fs.existsSync(PYTHON);

function python(script: string, ...args: string[]): unknown {
  return JSON.parse(execFileSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 }));
}

function needPython(ctx: Mocha.Context): void {
  if (!HAVE_PYTHON) {
    (ctx.test as unknown as { skipReason?: string }).skipReason = `no Python reference environment at ${PYTHON}; run npm run setup`;
    ctx.skip();
  }
}

let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lowdose-mrc-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

type Typed = Int8Array | Uint8Array | Int16Array | Uint16Array | Float32Array;

/** Test data for each mode: extremes of the type, negative values, and non-integers where allowed. */
function sample(mode: number, n: number): { data: Typed; imag?: Float32Array } {
  const f = (i: number) => Math.sin(i * 0.7) * 1000 + i * 0.125;
  switch (mode) {
    case 0:
      return { data: Int8Array.from({ length: n }, (_, i) => (i === 0 ? -128 : i === 1 ? 127 : ((i * 37) % 256) - 128)) };
    case 1:
      return { data: Int16Array.from({ length: n }, (_, i) => (i === 0 ? -32768 : i === 1 ? 32767 : ((i * 7919) % 65536) - 32768)) };
    case 6:
      return { data: Uint16Array.from({ length: n }, (_, i) => (i === 0 ? 0 : i === 1 ? 65535 : (i * 7919) % 65536)) };
    case 2:
      return { data: Float32Array.from({ length: n }, (_, i) => f(i)) };
    case 12: // values exactly representable in float16, including the smallest subnormal (2^-24);
      // spread kept small because mrcfile.validate accumulates float16 squared deviations in float16
      return { data: Float32Array.from({ length: n }, (_, i) => (i === 1 ? 2 ** -24 : (((i * 13) % 2048) - 1024) / 64)) };
    case 3:
      return { data: Float32Array.from({ length: n }, (_, i) => ((i * 31) % 2000) - 1000), imag: Float32Array.from({ length: n }, (_, i) => 500 - i) };
    default:
      return { data: Float32Array.from({ length: n }, (_, i) => f(i)), imag: Float32Array.from({ length: n }, (_, i) => -f(i + 3)) };
  }
}

function dataset(mode: number, shape: number[], pixelA: number, first: 'frame' | 'z' = 'frame'): lowdose.Dataset {
  const n = shape.reduce((a, b) => a * b, 1);
  const { data, imag } = sample(mode, n);
  const names = shape.length === 3 ? [first, 'y', 'x'] : ['y', 'x'];
  const ds = lowdose.makeDataset(ndarray(data, shape) as lowdose.NdArray, {
    axes: names.map(name => (name === 'frame' ? { name } : { name, scale: pixelA, units: 'A' as const }))
  });
  if (imag) ds.imag = ndarray(imag, shape) as lowdose.NdArray;
  return ds;
}

const WRITE_MODES: Array<0 | 1 | 2 | 3 | 4 | 6 | 12> = [0, 1, 2, 3, 4, 6, 12];

describe('io/writeMrc + readMrc round trips', () => {
  for (const mode of WRITE_MODES) {
    it(`writeMrc() then readMrc() returns mode ${mode} data bit-exactly with the pixel size`, async () => {
      const ds = dataset(mode, [3, 5, 7], 1.25);
      const file = path.join(dir, `lowdose-mode${mode}.mrc`);
      await lowdose.io.writeMrc(file, ds, { mode });
      assert.equal(fs.statSync(file).size, 1024 + 3 * 5 * 7 * { 0: 1, 1: 2, 2: 4, 3: 4, 4: 8, 6: 2, 12: 2 }[mode]);
      const back = await lowdose.io.readMrc(file);
      assert.deepEqual(back.data.shape, [3, 5, 7]);
      assert.equal((back.metadata.original as { header: { mode: number } }).header.mode, mode);
      assert.deepEqual(Array.from(back.data.data as Typed), Array.from(ds.data.data as Typed));
      assert.equal(back.data.data.constructor, mode === 3 ? Float32Array : ds.data.data.constructor);
      if (ds.imag) assert.deepEqual(Array.from(back.imag!.data as Float32Array), Array.from(ds.imag.data as Float32Array));
      assert.deepEqual(back.axes.map(a => [a.name, a.scale, a.units]), [['frame', 1, ''], ['y', 1.25, 'A'], ['x', 1.25, 'A']]);
      assert.equal(back.metadata.pixelSizeA, 1.25);
    });
  }

  it('writeMrc() with mode 12 keeps float16 extremes and rounds other values to the nearest half', async () => {
    const values = Float32Array.from([65504, -65504, 2 ** -24, 2 ** -14, 1 / 3, 1 + 2 ** -11, 70000]);
    const file = path.join(dir, 'half-extremes.mrc');
    await lowdose.io.writeMrc(file, ndarray(values, [1, 7]) as lowdose.NdArray, { mode: 12 });
    const back = Array.from((await lowdose.io.readMrc(file)).data.data as Float32Array);
    // 1/3 → 0.333251953125; 1 + 2^-11 is a tie that rounds to even (1); 70000 overflows to Infinity
    assert.deepEqual(back, [65504, -65504, 2 ** -24, 2 ** -14, 0.333251953125, 1, Infinity]);
  });

  it('writeMrc() writes a 3D array whose first axis is z as a volume (ISPG 1) with the z voxel size and origin', async () => {
    const ds = dataset(2, [4, 6, 5], 2.5, 'z');
    ds.axes[0].scale = 3;
    ds.axes[2].offset = 12.5;
    const file = path.join(dir, 'volume.mrc');
    await lowdose.io.writeMrc(file, ds);
    const back = await lowdose.io.readMrc(file);
    assert.equal(back.metadata.signalType, 'volume');
    assert.deepEqual(back.axes.map(a => [a.name, a.scale, a.offset]), [['z', 3, 0], ['y', 2.5, 0], ['x', 2.5, 12.5]]);
  });

  it('writeMrc() converts nm axes to Å and takes pixelSizeA from the options over the axes', async () => {
    const ds = dataset(6, [4, 4], 1);
    ds.axes.forEach(a => Object.assign(a, { scale: 0.2, units: 'nm' }));
    await lowdose.io.writeMrc(path.join(dir, 'nm.mrc'), ds);
    assert.equal((await lowdose.io.readMrc(path.join(dir, 'nm.mrc'))).metadata.pixelSizeA, 2);
    await lowdose.io.writeMrc(path.join(dir, 'opt.mrc'), ds, { pixelSizeA: 0.5 });
    assert.equal((await lowdose.io.readMrc(path.join(dir, 'opt.mrc'))).metadata.pixelSizeA, 0.5);
  });

  it('writeMrc() refuses values that do not fit the requested integer mode', async () => {
    const ds = dataset(2, [2, 3], 1);
    await assert.rejects(lowdose.io.writeMrc(path.join(dir, 'bad.mrc'), ds, { mode: 1 }), /must be integers in \[-32768, 32767\]/);
    assert.equal(fs.existsSync(path.join(dir, 'bad.mrc')), false);
  });

  it('mrcfile validates lowdose’s files and reads the same values and voxel size in modes 0, 1, 2, 4, 6, 12', async function () {
    needPython(this);
    const files: Record<string, lowdose.Dataset> = {};
    for (const mode of [0, 1, 2, 4, 6, 12] as const) {
      const stack = dataset(mode, [3, 5, 7], 0.75);
      const file = path.join(dir, `for-mrcfile-${mode}.mrc`);
      await lowdose.io.writeMrc(file, stack, { mode });
      files[file] = stack;
    }
    const vol = dataset(2, [4, 5, 6], 1.5, 'z');
    await lowdose.io.writeMrc(path.join(dir, 'for-mrcfile-vol.mrc'), vol);
    files[path.join(dir, 'for-mrcfile-vol.mrc')] = vol;
    const report = python(
      `
import sys, json, io, mrcfile, numpy as np
out = {}
for f in sys.argv[1:]:
    buf = io.StringIO()
    valid = mrcfile.validate(f, print_file=buf)
    with mrcfile.open(f) as m:
        d = m.data
        out[f] = dict(valid=bool(valid), msg=buf.getvalue(), dtype=str(d.dtype), shape=list(d.shape),
                      re=np.real(d).astype(np.float64).ravel().tolist(), im=np.imag(d).astype(np.float64).ravel().tolist(),
                      voxel=[float(m.voxel_size.x), float(m.voxel_size.y), float(m.voxel_size.z)],
                      stack=bool(m.is_image_stack()), volume=bool(m.is_volume()))
print(json.dumps(out))
`,
      ...Object.keys(files)
    ) as Record<string, { valid: boolean; msg: string; dtype: string; shape: number[]; re: number[]; im: number[]; voxel: number[]; stack: boolean; volume: boolean }>;
    const dtypes: Record<number, string> = { 0: 'int8', 1: 'int16', 2: 'float32', 4: 'complex64', 6: 'uint16', 12: 'float16' };
    for (const [file, ds] of Object.entries(files)) {
      const r = report[file];
      assert.ok(r.valid, `mrcfile.validate(${path.basename(file)}) failed: ${r.msg}`);
      assert.deepEqual(r.shape, ds.data.shape);
      assert.deepEqual(r.re, Array.from(ds.data.data as Typed), `values of ${path.basename(file)}`);
      if (ds.imag) assert.deepEqual(r.im, Array.from(ds.imag.data as Float32Array));
      const mode = Number(/for-mrcfile-(\d+)/.exec(file)?.[1] ?? 2);
      assert.equal(r.dtype, dtypes[mode]);
      if (file.endsWith('vol.mrc')) {
        assert.ok(r.volume);
        assert.deepEqual(r.voxel, [1.5, 1.5, 1.5]);
      } else {
        assert.ok(r.stack);
        assert.deepEqual(r.voxel.slice(0, 2), [0.75, 0.75]);
      }
    }
  });

  it('readMrc() reads what mrcfile writes in modes 0, 1, 2, 4, 6, 12, big-endian, as volumes and volume stacks', async function () {
    needPython(this);
    const expected = python(
      `
import sys, json, os, mrcfile, numpy as np
d = sys.argv[1]
out = {}
def save(name, data, voxel, kind):
    f = os.path.join(d, name)
    with mrcfile.new(f, overwrite=True) as m:
        m.set_data(data)
        if kind == 'stack': m.set_image_stack()
        elif kind == 'volume': m.set_volume()
        m.voxel_size = voxel
    out[f] = dict(shape=list(data.shape), re=np.real(data).astype(np.float64).ravel().tolist(),
                  im=np.imag(data).astype(np.float64).ravel().tolist(), voxel=list(voxel), dtype=str(data.dtype))
    return f
i = np.arange(3 * 4 * 5).reshape(3, 4, 5)
save('mf-mode0.mrc', ((i * 37) % 256 - 128).astype(np.int8), (1.0, 1.0, 1.0), 'stack')
save('mf-mode1.mrc', ((i * 7919) % 65536 - 32768).astype(np.int16), (2.0, 2.0, 2.0), 'stack')
save('mf-mode2.mrc', (np.sin(i) * 100).astype(np.float32), (0.5, 0.5, 0.5), 'volume')
save('mf-mode4.mrc', (np.cos(i) + 1j * np.sin(i)).astype(np.complex64), (1.5, 1.5, 1.5), 'stack')
save('mf-mode6.mrc', ((i * 7919) % 65536).astype(np.uint16), (3.0, 3.0, 3.0), 'stack')
save('mf-mode12.mrc', ((i - 30) / 8).astype(np.float16), (0.25, 0.25, 0.25), 'volume')
save('mf-image.mrc', (np.arange(12).reshape(3, 4) - 5).astype(np.float32), (4.0, 4.0, 4.0), 'image')
save('mf-volstack.mrc', np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5), (1.0, 1.0, 1.0), 'volstack')
# big-endian copy of mf-mode1.mrc: header and data byte-swapped, machine stamp 0x11 0x11
src = os.path.join(d, 'mf-mode1.mrc')
with mrcfile.open(src) as m:
    h = m.header.copy(); data = m.data.copy()
be = h.view(h.dtype.newbyteorder('>'))
be_h = np.zeros((), dtype=h.dtype.newbyteorder('>'))
for k in h.dtype.names: be_h[k] = h[k]
be_h['machst'] = [0x11, 0x11, 0, 0]
f = os.path.join(d, 'mf-bigendian.mrc')
with open(f, 'wb') as fh:
    fh.write(be_h.tobytes()); fh.write(data.astype('>i2').tobytes())
with mrcfile.open(f) as m:
    assert m.data.dtype.byteorder == '>' and (m.data == data).all()
out[f] = dict(out[src]); 
print(json.dumps(out))
`,
      dir
    ) as Record<string, { shape: number[]; re: number[]; im: number[]; voxel: number[]; dtype: string }>;
    const ctor: Record<string, unknown> = { int8: Int8Array, int16: Int16Array, float32: Float32Array, complex64: Float32Array, uint16: Uint16Array, float16: Float32Array };
    for (const [file, e] of Object.entries(expected)) {
      const ds = await lowdose.io.read(file);
      const name = path.basename(file);
      assert.deepEqual(ds.data.shape, e.shape, name);
      assert.equal(ds.data.data.constructor, ctor[e.dtype], name);
      assert.deepEqual(Array.from(ds.data.data as Typed), e.re, name);
      if (e.dtype === 'complex64') assert.deepEqual(Array.from(ds.imag!.data as Float32Array), e.im, name);
      assert.equal(ds.axes[ds.axes.length - 1].scale, e.voxel[0], `${name} voxel size`);
      assert.equal(ds.axes[ds.axes.length - 1].units, 'A');
      if (name === 'mf-bigendian.mrc') assert.equal((ds.metadata.original as { header: { byteOrder: string } }).header.byteOrder, 'big');
      if (name === 'mf-volstack.mrc') assert.deepEqual(ds.axes.map(a => a.name), ['volume', 'z', 'y', 'x']);
      if (name === 'mf-mode2.mrc') assert.deepEqual(ds.axes.map(a => [a.name, a.scale]), [['z', 0.5], ['y', 0.5], ['x', 0.5]]);
      if (name === 'mf-mode0.mrc') assert.equal(ds.axes[0].name, 'frame');
    }
  });

  it('readMrc() reads modes mrcfile cannot write: 3 (complex int16), 16 (IMOD RGB), 101 (4-bit) and IMOD unsigned bytes', async () => {
    const build = (nx: number, ny: number, nz: number, mode: number, payload: number[], imod?: { flags: number }) => {
      const b = new Uint8Array(1024 + payload.length);
      const v = new DataView(b.buffer);
      [nx, ny, nz, mode, 0, 0, 0, nx, ny, nz].forEach((x, k) => v.setInt32(4 * k, x, true));
      [1, 2, 3].forEach((x, k) => v.setInt32(64 + 4 * k, x, true));
      if (imod) {
        v.setInt32(152, 1146047817, true);
        v.setInt32(156, imod.flags, true);
      }
      b.set([0x4d, 0x41, 0x50, 0x20, 0x44, 0x44, 0, 0], 208);
      b.set(payload, 1024);
      return b;
    };
    // mode 101: 3×2 voxels, rows padded to 2 bytes, first voxel in the low nibble
    const m101 = await lowdose.io.read(build(3, 2, 1, 101, [0x21, 0x03, 0x54, 0x06]));
    assert.deepEqual(Array.from(m101.data.data as Uint8Array), [1, 2, 3, 4, 5, 6]);
    // mode 16: RGB triplets → last axis 'rgb'
    const m16 = await lowdose.io.read(build(2, 1, 1, 16, [1, 2, 3, 4, 5, 6]));
    assert.deepEqual(m16.data.shape, [1, 2, 3]);
    assert.equal(m16.axes[2].name, 'rgb');
    assert.equal(m16.data.get(0, 1, 2), 6);
    // mode 3: int16 (re, im) pairs → float32 parts
    const m3 = await lowdose.io.read(build(2, 1, 1, 3, [0xff, 0xff, 2, 0, 0x00, 0x80, 0xff, 0x7f]));
    assert.deepEqual(Array.from(m3.data.data as Float32Array), [-1, -32768]);
    assert.deepEqual(Array.from(m3.imag!.data as Float32Array), [2, 32767]);
    // mode 0: IMOD without the signed flag → uint8; with it → int8; plain MRC2014 → int8
    const unsigned = await lowdose.io.read(build(2, 1, 1, 0, [200, 7], { flags: 0 }));
    assert.ok(unsigned.data.data instanceof Uint8Array);
    assert.deepEqual(Array.from(unsigned.data.data as Uint8Array), [200, 7]);
    const signed = await lowdose.io.read(build(2, 1, 1, 0, [200, 7], { flags: 1 }));
    assert.deepEqual(Array.from(signed.data.data as Int8Array), [-56, 7]);
    assert.deepEqual(Array.from((await lowdose.io.read(build(2, 1, 1, 0, [200, 7]))).data.data as Int8Array), [-56, 7]);
  });
});
