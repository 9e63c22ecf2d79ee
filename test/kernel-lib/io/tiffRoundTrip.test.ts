// TIFF round trips: lowdose writes then reads back every supported sample type bit-exactly;
// tifffile (the project's Python environment) reads lowdose's files with the same values and
// calibration; lowdose reads tifffile-written files of every layout the reader supports.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ndarray from 'ndarray';
import * as lowdose from 'lowdose';

const PYTHON = path.resolve(__dirname, '../../../.venv/bin/python');
const HAVE_PYTHON = fs.existsSync(PYTHON);
const NO_PYTHON = `project Python environment not found at ${PYTHON}; run the set-up script to create it with tifffile`;

type Typed = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RANGES: { [k: string]: [number, number] } = {
  uint8: [0, 255], int8: [-128, 127], uint16: [0, 65535], int16: [-32768, 32767],
  uint32: [0, 2 ** 32 - 1], int32: [-(2 ** 31), 2 ** 31 - 1]
};
const CTORS: { [k: string]: new (n: number) => Typed } = {
  uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array, uint32: Uint32Array,
  int32: Int32Array, float32: Float32Array, float64: Float64Array
};

/** Seeded values covering the type's whole range (floats: wide dynamic range, negative zero). */
function values(dtype: string, n: number, seed: number): Typed {
  const rng = mulberry32(seed);
  const out = new CTORS[dtype](n);
  const r = RANGES[dtype];
  for (let i = 0; i < n; i++) {
    if (r) out[i] = i === 0 ? r[0] : i === 1 ? r[1] : Math.floor(r[0] + rng() * (r[1] - r[0] + 1));
    else out[i] = i === 0 ? -0 : (rng() - 0.5) * 10 ** Math.floor(rng() * 12 - 6);
  }
  return out;
}

function bytesOf(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function axis(name: string, size: number, scale: number, units: lowdose.Axis['units']): lowdose.Axis {
  return { name, size, scale, offset: 0, units };
}

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'lowdose-tiff-'));
after(() => fs.rmSync(TMP, { recursive: true, force: true }));

describe('writeTiff() then readTiff() round trips', () => {
  for (const dtype of ['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'float64']) {
    it(`writeTiff() stores a ${dtype} image that readTiff() returns bit-exactly with its 0.7 Å pixels`, async () => {
      const v = values(dtype, 17 * 23, 11);
      const file = path.join(TMP, `rt-${dtype}.tif`);
      await lowdose.io.writeTiff(file, { data: ndarray(v, [17, 23]), axes: [axis('y', 17, 0.7, 'A'), axis('x', 23, 0.7, 'A')], metadata: {} });
      const back = await lowdose.io.readTiff(file);
      assert.equal(back.data.data.constructor, v.constructor);
      assert.deepEqual(back.data.shape, [17, 23]);
      assert.ok(bytesOf(back.data.data).equals(bytesOf(v)), 'values differ');
      // Calibration is stored as ImageJ writes it (pixels per micron, unit=micron), so it reads back in µm.
      for (const a of back.axes) {
        assert.equal(a.units, 'um');
        assert.ok(Math.abs(a.scale * 1e4 - 0.7) < 1e-9, `scale ${a.scale} µm`);
      }
      assert.ok(Math.abs((back.metadata.pixelSizeA as number) - 0.7) < 1e-9);
    });
  }

  it('writeTiff() stores float16 that readTiff() widens back to the same float32 values', async () => {
    const v = Float32Array.from([0, -0, 1, -2.5, 65504, 6.103515625e-5, 5.960464477539063e-8, 0.333251953125, NaN, Infinity]);
    const file = path.join(TMP, 'rt-f16.tif');
    await lowdose.io.writeTiff(file, ndarray(v, [2, 5]), { dtype: 'float16' });
    const back = await lowdose.io.readTiff(file);
    assert.equal(back.metadata.sourceDtype, '<f2');
    assert.ok(bytesOf(back.data.data).equals(bytesOf(v)));
  });

  it('writeTiff() writes a float32 z-stack as ImageJ slices whose 2 nm spacing and 1.5 nm pixels read back', async () => {
    const v = values('float32', 5 * 16 * 12, 3);
    const file = path.join(TMP, 'rt-stack.tif');
    const ds = { data: ndarray(v, [5, 16, 12]), axes: [axis('z', 5, 2, 'nm'), axis('y', 16, 1.5, 'nm'), axis('x', 12, 1.5, 'nm')], metadata: {} };
    await lowdose.io.writeTiff(file, ds);
    const back = await lowdose.io.readTiff(file);
    assert.deepEqual(back.data.shape, [5, 16, 12]);
    assert.ok(bytesOf(back.data.data).equals(bytesOf(v)));
    // Stored as ImageJ writes calibration (unit=micron), so lengths read back in µm.
    assert.deepEqual(back.axes.map(a => [a.name, a.units]), [['z', 'um'], ['y', 'um'], ['x', 'um']]);
    back.axes.forEach((a, i) => assert.ok(Math.abs(a.scale * 1e3 - [2, 1.5, 1.5][i]) < 1e-9, `${a.name} scale ${a.scale} µm`));
    assert.equal(back.metadata.signalType, 'volume');
  });

  it('writeTiff() writes a uint16 movie with Deflate, big-endian, whose 0.25 s frame axis and pages stream back', async () => {
    const v = values('uint16', 4 * 40 * 9, 5) as Uint16Array;
    const file = path.join(TMP, 'rt-movie.tif');
    const ds = { data: ndarray(v, [4, 40, 9]), axes: [axis('frame', 4, 0.25, 's'), axis('y', 40, 3, 'A'), axis('x', 9, 3, 'A')], metadata: {} };
    await lowdose.io.writeTiff(file, ds, { compression: 'deflate', byteOrder: 'big' });
    const back = await lowdose.io.readTiff(file);
    assert.equal(back.metadata.sourceDtype, '>u2');
    assert.equal((back.metadata.original as { compression: number }).compression, 8);
    assert.ok(bytesOf(back.data.data).equals(bytesOf(v)));
    assert.deepEqual([back.axes[0].name, back.axes[0].scale, back.axes[0].units], ['frame', 0.25, 's']);
    const src = await lowdose.io.openTiff(file);
    try {
      const f2 = await src.frame(2);
      assert.ok(bytesOf(f2.data.data).equals(bytesOf(v.subarray(2 * 360, 3 * 360))));
    } finally {
      await src.close();
    }
  });

  it('writeTiff() writes an RGB image from a last axis named rgb', async () => {
    const v = values('uint8', 10 * 12 * 3, 9);
    const file = path.join(TMP, 'rt-rgb.tif');
    await lowdose.io.writeTiff(file, { data: ndarray(v, [10, 12, 3]), axes: [axis('y', 10, 1, ''), axis('x', 12, 1, ''), axis('rgb', 3, 1, '')], metadata: {} });
    const back = await lowdose.io.readTiff(file);
    assert.deepEqual(back.data.shape, [10, 12, 3]);
    assert.equal(back.axes[2].name, 'rgb');
    assert.ok(bytesOf(back.data.data).equals(bytesOf(v)));
  });

  it('writeTiff() writes a strided view (a transposed array) in its logical order', async () => {
    const v = values('int16', 6 * 7, 21) as Int16Array;
    const t = ndarray(v, [6, 7]).transpose(1, 0);
    const file = path.join(TMP, 'rt-transposed.tif');
    await lowdose.io.writeTiff(file, t);
    const back = await lowdose.io.readTiff(file);
    assert.deepEqual(back.data.shape, [7, 6]);
    for (let r = 0; r < 7; r++) for (let c = 0; c < 6; c++) assert.equal(back.data.get(r, c), t.get(r, c));
  });

  it('writeTiff() refuses an existing file without {overwrite: true} and leaves it and no temporary file behind', async () => {
    const file = path.join(TMP, 'exists.tif');
    fs.writeFileSync(file, 'keep me');
    const img = ndarray(new Float32Array(4), [2, 2]);
    await assert.rejects(lowdose.io.writeTiff(file, img), (e: Error) => e instanceof lowdose.ValueError && /overwrite/.test(e.message));
    assert.equal(fs.readFileSync(file, 'utf8'), 'keep me');
    await lowdose.io.writeTiff(file, img, { overwrite: true });
    assert.equal((await lowdose.io.readTiff(file)).data.size, 4);
    assert.deepEqual(fs.readdirSync(TMP).filter(f => f.endsWith('.tmp')), []);
  });

  it('writeTiff() rejects values that do not fit uint16 and writes nothing', async () => {
    const file = path.join(TMP, 'overflow.tif');
    const img = ndarray(Float32Array.from([1, 2, 70000, 4]), [2, 2]);
    await assert.rejects(lowdose.io.writeTiff(file, img, { dtype: 'uint16' }), (e: Error) => e instanceof lowdose.ValueError && /uint16/.test(e.message));
    assert.equal(fs.existsSync(file), false);
    assert.deepEqual(fs.readdirSync(TMP).filter(f => f.endsWith('.tmp')), []);
  });
});

// --- tifffile reads what lowdose wrote -------------------------------------------------------------

const READ_BACK_PY = String.raw`
import json, sys, numpy as np, tifffile
out = {}
for case in json.load(open(sys.argv[1])):
    with tifffile.TiffFile(case['file']) as t:
        a = t.asarray()
        p = t.pages[0]
        ref = np.frombuffer(open(case['raw'], 'rb').read(), dtype=np.dtype(case['dtype']).newbyteorder('<')).reshape(case['shape'])
        tag = lambda name: p.tags[name].value if name in p.tags else None
        same = a.shape == ref.shape and a.dtype.kind == ref.dtype.kind and a.dtype.itemsize == ref.dtype.itemsize
        same = bool(same and np.ascontiguousarray(a).astype(ref.dtype).tobytes() == ref.tobytes())
        out[case['file']] = {
            'equal': same,
            'shape': list(a.shape), 'dtype': a.dtype.str, 'pages': len(t.pages), 'imagej': t.imagej_metadata,
            'xres': list(tag('XResolution') or []), 'yres': list(tag('YResolution') or []),
            'resunit': int(tag('ResolutionUnit') or 0), 'compression': int(p.compression), 'byteorder': t.byteorder,
            'bigtiff': t.is_bigtiff,
        }
print(json.dumps(out))
`;

interface PyResult {
  equal: boolean;
  shape: number[];
  dtype: string;
  pages: number;
  imagej: { [k: string]: unknown } | null;
  xres: number[];
  yres: number[];
  resunit: number;
  compression: number;
  byteorder: string;
  bigtiff: boolean;
}

describe('tifffile reads TIFFs written by lowdose', function () {
  this.timeout(60000);
  const cases: Array<{ file: string; raw: string; dtype: string; shape: number[]; write: () => Promise<void> }> = [];
  const add = (name: string, dtype: string, shape: number[], data: Typed, ds: (d: lowdose.NdArray) => lowdose.Dataset | lowdose.NdArray, options?: lowdose.io.WriteTiffOptions): void => {
    const file = path.join(TMP, `py-${name}.tif`);
    const raw = path.join(TMP, `py-${name}.raw`);
    cases.push({ file, raw, dtype, shape, write: async () => {
      fs.writeFileSync(raw, bytesOf(data));
      await lowdose.io.writeTiff(file, ds(ndarray(data, shape)), options);
    } });
  };
  add('f32', 'float32', [30, 20], values('float32', 600, 1), d => ({ data: d, axes: [axis('y', 30, 0.5, 'A'), axis('x', 20, 0.5, 'A')], metadata: {} }));
  add('u16-stack', 'uint16', [4, 10, 12], values('uint16', 480, 2), d => ({ data: d, axes: [axis('z', 4, 3, 'nm'), axis('y', 10, 1.5, 'nm'), axis('x', 12, 1.5, 'nm')], metadata: {} }));
  add('u16-deflate-be', 'uint16', [3, 33, 7], values('uint16', 693, 4), d => d, { compression: 'deflate', byteOrder: 'big', pixelSizeA: 2.25 });
  add('i16', 'int16', [9, 8], values('int16', 72, 6), d => d);
  add('u8', 'uint8', [5, 6], values('uint8', 30, 7), d => d);
  add('f64-bigtiff', 'float64', [2, 6, 5], values('float64', 60, 8), d => d, { bigTiff: true });
  let results: { [file: string]: PyResult } = {};

  before(async function () {
    if (!HAVE_PYTHON) return;
    for (const c of cases) await c.write();
    const list = path.join(TMP, 'cases.json');
    fs.writeFileSync(list, JSON.stringify(cases.map(({ file, raw, dtype, shape }) => ({ file, raw, dtype, shape }))));
    const r = spawnSync(PYTHON, ['-c', READ_BACK_PY, list], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tifffile failed: ${r.stderr}`);
    results = JSON.parse(r.stdout);
  });

  function check(name: string, title: string, fn: (r: PyResult) => void): void {
    it(title, function () {
      if (!HAVE_PYTHON) {
        (this.test as unknown as { skipReason?: string }).skipReason = NO_PYTHON;
        this.skip();
      }
      const r = results[path.join(TMP, `py-${name}.tif`)];
      assert.ok(r, `no tifffile result for ${name}`);
      assert.ok(r.equal, `tifffile read different values: ${JSON.stringify(r)}`);
      fn(r);
    });
  }

  check('f32', 'tifffile reads a lowdose float32 image with XResolution 2×10⁴ px/µm (0.5 Å) and ImageJ unit=micron', r => {
    assert.deepEqual([r.shape, r.dtype], [[30, 20], '<f4']);
    assert.ok(r.resunit === 0 || r.resunit === 1, `resolution unit ${r.resunit} (none, as ImageJ writes)`);
    assert.equal(r.xres[0] / r.xres[1], 2e4);
    assert.equal(r.yres[0] / r.yres[1], 2e4);
    assert.equal(r.imagej?.unit, 'micron');
  });
  check('u16-stack', 'tifffile reads a lowdose uint16 stack as 4 ImageJ slices with 0.003 µm spacing and 1.5 nm pixels', r => {
    assert.deepEqual([r.shape, r.dtype, r.pages], [[4, 10, 12], '<u2', 4]);
    assert.equal(r.imagej?.slices, 4);
    assert.ok(Math.abs((r.imagej?.spacing as number) - 0.003) < 1e-15);
    assert.ok(Math.abs(1e4 / (r.xres[0] / r.xres[1]) - 15) < 1e-9, 'pixel size 15 Å');
  });
  check('u16-deflate-be', 'tifffile reads a lowdose big-endian Deflate stack with the given 2.25 Å pixel size', r => {
    assert.deepEqual([r.shape, r.dtype.slice(1), r.compression, r.byteorder], [[3, 33, 7], 'u2', 8, '>']);
    assert.ok(Math.abs(1e4 / (r.xres[0] / r.xres[1]) - 2.25) < 1e-12);
  });
  check('i16', 'tifffile reads a lowdose int16 image', r => assert.deepEqual([r.shape, r.dtype], [[9, 8], '<i2']));
  check('u8', 'tifffile reads a lowdose uint8 image', r => assert.deepEqual([r.shape, r.dtype], [[5, 6], '|u1']));
  check('f64-bigtiff', 'tifffile reads a lowdose float64 BigTIFF stack', r => {
    assert.deepEqual([r.shape, r.dtype, r.bigtiff], [[2, 6, 5], '<f8', true]);
  });
});

// --- lowdose reads what tifffile wrote ---------------------------------------------------------------

// tifffile needs the optional 'imagecodecs' package to *encode* LZW, PackBits and the floating-point
// predictor; it is not installed, so small pure-Python encoders (written from the TIFF 6.0 spec and
// libtiff's tif_lzw.c / tif_predict.c behaviour) are registered in tifffile's codec tables. tifffile
// itself still lays out the files (strips, tiles, planes, IFDs); PackBits output is checked by
// tifffile's own pure-Python decoder before the test uses it.
const GENERATE_PY = String.raw`
import json, os, sys, numpy as np, tifffile
out_dir = sys.argv[1]

def lzw_encode(data, *args, **kwargs):
    src = np.ascontiguousarray(data).view(np.uint8).ravel().tobytes()
    bits = []  # (code, width)
    table = {bytes([i]): i for i in range(256)}
    nxt, width = 258, 9
    bits.append((256, width))
    w = b''
    for c in src:
        wc = w + bytes([c])
        if wc in table:
            w = wc
            continue
        bits.append((table[w], width))
        table[wc] = nxt
        nxt += 1
        if nxt >= (1 << width) and width < 12:
            width += 1
        if nxt >= 4094:
            bits.append((256, width))
            table = {bytes([i]): i for i in range(256)}
            nxt, width = 258, 9
        w = bytes([c])
    if w:
        bits.append((table[w], width))
        nxt += 1
        if nxt >= (1 << width) and width < 12:
            width += 1
    bits.append((257, width))
    acc, n, out = 0, 0, bytearray()
    for code, wd in bits:
        acc = (acc << wd) | code
        n += wd
        while n >= 8:
            out.append((acc >> (n - 8)) & 0xFF)
            n -= 8
    if n:
        out.append((acc << (8 - n)) & 0xFF)
    return bytes(out)

def packbits_encode(data, *args, **kwargs):
    b = np.ascontiguousarray(data).view(np.uint8).ravel().tobytes()
    out, i, n = bytearray(), 0, len(b)
    while i < n:
        j = i
        while j + 1 < n and b[j + 1] == b[i] and j - i < 127:
            j += 1
        if j > i:
            out.append((256 - (j - i)) & 0xFF)
            out.append(b[i])
            i = j + 1
            continue
        start = i
        i += 1
        while i < n and i - start < 128 and not (i + 1 < n and b[i] == b[i + 1]):
            i += 1
        out.append(i - start - 1)
        out += b[start:i]
    return bytes(out)

def floatpred_encode(data, axis=-2, out=None):
    a = np.asarray(data)
    if axis == -1:
        a = a[..., np.newaxis]
    rows = int(np.prod(a.shape[:-2]))
    wc, size = a.shape[-2] * a.shape[-1], a.dtype.itemsize
    be = a.astype(a.dtype.newbyteorder('>')).reshape(rows, wc)
    planes = be.view(np.uint8).reshape(rows, wc, size).transpose(0, 2, 1).reshape(rows, size * wc)
    stride = a.shape[-1]
    enc = planes.copy()
    enc[:, stride:] = planes[:, stride:] - planes[:, :-stride]
    return enc

tifffile.TIFF.COMPRESSORS._codecs[5] = lzw_encode
tifffile.TIFF.COMPRESSORS._codecs[32773] = packbits_encode
tifffile.TIFF.PREDICTORS._codecs[3] = floatpred_encode

rng = np.random.default_rng(20240611)
def ramp(dtype, shape):
    dt = np.dtype(dtype)
    if dt.kind == 'f':
        return (rng.standard_normal(shape) * 1000).astype(dt)
    info = np.iinfo(dt)
    a = rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=dt)
    a.flat[0], a.flat[-1] = info.min, info.max
    return a

cases = [
    ('uint8-strips', ramp('uint8', (23, 31)), dict(rowsperstrip=4)),
    ('int8', ramp('int8', (9, 11)), {}),
    ('int16', ramp('int16', (12, 10)), {}),
    ('uint16-bigendian', ramp('uint16', (15, 13)), dict(byteorder='>')),
    ('int32', ramp('int32', (8, 9)), {}),
    ('uint32', ramp('uint32', (8, 9)), {}),
    ('float32', ramp('float32', (14, 19)), {}),
    ('float64-bigendian', ramp('float64', (10, 7)), dict(byteorder='>')),
    ('float16', ramp('float16', (6, 11)), {}),
    ('float32-tiled', ramp('float32', (37, 45)), dict(tile=(16, 32))),
    ('uint16-strips', ramp('uint16', (50, 21)), dict(rowsperstrip=7)),
    ('uint8-lzw', (np.arange(64 * 96) // 7 % 251).astype('uint8').reshape(64, 96), dict(compression=5, rowsperstrip=16)),
    ('uint16-lzw-predictor2', ramp('uint16', (40, 33)) // 64 + np.arange(33, dtype='uint16') * 100, dict(compression=5, predictor=2, rowsperstrip=9)),
    ('uint16-lzw-noise', ramp('uint16', (70, 80)), dict(compression=5)),
    ('int16-deflate-predictor2', ramp('int16', (30, 41)), dict(compression=8, predictor=2, rowsperstrip=8)),
    ('float32-deflate', ramp('float32', (33, 27)), dict(compression=8)),
    ('float32-deflate-predictor3', ramp('float32', (21, 26)), dict(compression=8, predictor=3, rowsperstrip=5)),
    ('float64-deflate-predictor3-bigendian', ramp('float64', (12, 9)), dict(compression=8, predictor=3, byteorder='>')),
    ('float32-tiled-deflate', ramp('float32', (40, 50)), dict(tile=(16, 16), compression=8)),
    ('uint8-packbits', np.repeat(ramp('uint8', (30, 10)), 4, axis=1), dict(compression=32773, rowsperstrip=8)),
    ('uint8-rgb-planar', ramp('uint8', (3, 20, 24)), dict(photometric='rgb', planarconfig='separate', rowsperstrip=6)),
    ('uint16-rgb-contig-lzw', ramp('uint16', (18, 22, 3)), dict(photometric='rgb', planarconfig='contig', compression=5)),
    ('uint8-rgba-tiled', ramp('uint8', (33, 20, 4)), dict(photometric='rgb', extrasamples=['unassalpha'], tile=(16, 16))),
    ('uint16-multipage', ramp('uint16', (5, 12, 14)), dict(metadata=None)),
    ('float32-bigtiff-stack', ramp('float32', (5, 16, 10)), dict(bigtiff=True, photometric='minisblack', metadata=None)),
    ('uint16-bigtiff-tiled-deflate', ramp('uint16', (40, 35)), dict(bigtiff=True, tile=(16, 16), compression=8)),
    ('float32-resolution-cm', ramp('float32', (6, 8)), dict(resolution=(1e7, 5e6), resolutionunit='CENTIMETER', metadata=None)),
]
manifest = []
for name, arr, kw in cases:
    file = os.path.join(out_dir, name + '.tif')
    tifffile.imwrite(file, arr, **kw)
    back = tifffile.imread(file) if kw.get('compression') not in (5,) and kw.get('predictor') != 3 else arr
    assert back.shape == arr.shape and np.array_equal(back.astype(arr.dtype), arr), name
    expect = np.ascontiguousarray(arr)
    if expect.dtype == np.float16:
        expect = expect.astype(np.float32)
    if kw.get('planarconfig') == 'separate':
        expect = np.ascontiguousarray(np.moveaxis(expect, 0, -1))
    raw = expect.astype(expect.dtype.newbyteorder('<'))
    open(file[:-4] + '.raw', 'wb').write(raw.tobytes())
    manifest.append(dict(name=name, file=file, raw=file[:-4] + '.raw', shape=list(expect.shape),
                         dtype=raw.dtype.name, sourceDtype=np.dtype(arr.dtype).newbyteorder('>' if kw.get('byteorder') == '>' else '<').str))

# an ImageJ hyperstack with calibration, as tifffile writes it for Fiji
hyper = ramp('uint16', (2, 3, 8, 9))
file = os.path.join(out_dir, 'imagej-hyperstack.tif')
tifffile.imwrite(file, hyper, imagej=True, resolution=(1 / 0.25, 1 / 0.25),
                 metadata={'axes': 'TZYX', 'unit': 'um', 'spacing': 0.5, 'finterval': 0.2})
open(file[:-4] + '.raw', 'wb').write(hyper.astype('<u2').tobytes())
manifest.append(dict(name='imagej-hyperstack', file=file, raw=file[:-4] + '.raw', shape=list(hyper.shape), dtype='uint16', sourceDtype='<u2'))
print(json.dumps(manifest))
`;

interface Generated {
  name: string;
  file: string;
  raw: string;
  shape: number[];
  dtype: string;
  sourceDtype: string;
}

describe('readTiff() reads TIFFs written by tifffile', function () {
  this.timeout(60000);
  const names = [
    'uint8-strips', 'int8', 'int16', 'uint16-bigendian', 'int32', 'uint32', 'float32', 'float64-bigendian', 'float16',
    'float32-tiled', 'uint16-strips', 'uint8-lzw', 'uint16-lzw-predictor2', 'uint16-lzw-noise', 'int16-deflate-predictor2',
    'float32-deflate', 'float32-deflate-predictor3', 'float64-deflate-predictor3-bigendian', 'float32-tiled-deflate',
    'uint8-packbits', 'uint8-rgb-planar', 'uint16-rgb-contig-lzw', 'uint8-rgba-tiled', 'uint16-multipage',
    'float32-bigtiff-stack', 'uint16-bigtiff-tiled-deflate', 'float32-resolution-cm', 'imagej-hyperstack'
  ];
  const generated = new Map<string, Generated>();
  const dir = path.join(TMP, 'tifffile');

  before(function () {
    if (!HAVE_PYTHON) return;
    fs.mkdirSync(dir, { recursive: true });
    const r = spawnSync(PYTHON, ['-c', GENERATE_PY, dir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`generating TIFFs with tifffile failed: ${r.stderr}`);
    for (const g of JSON.parse(r.stdout) as Generated[]) generated.set(g.name, g);
  });

  for (const name of names) {
    it(`readTiff() reads tifffile's ${name} file bit-exactly`, async function () {
      if (!HAVE_PYTHON) {
        (this.test as unknown as { skipReason?: string }).skipReason = NO_PYTHON;
        this.skip();
      }
      const g = generated.get(name);
      assert.ok(g, `tifffile did not write ${name}`);
      const ds = await lowdose.io.readTiff(g.file);
      assert.deepEqual(ds.data.shape, g.shape);
      assert.equal(ds.data.data.constructor, CTORS[g.dtype]);
      assert.equal(ds.metadata.sourceDtype, g.sourceDtype.replace(/^[<>](.1)$/, '|$1'));
      assert.ok(bytesOf(ds.data.data).equals(fs.readFileSync(g.raw)), 'values differ from what tifffile wrote');
      if (name === 'imagej-hyperstack') {
        assert.deepEqual(ds.axes.map(a => [a.name, a.size, a.units]), [['frame', 2, 's'], ['z', 3, 'um'], ['y', 8, 'um'], ['x', 9, 'um']]);
        ds.axes.forEach((a, i) => assert.ok(Math.abs(a.scale - [0.2, 0.5, 0.25, 0.25][i]) < 1e-9, `${a.name} scale ${a.scale}`));
      }
      if (name === 'float32-resolution-cm') {
        // plain X/YResolution in pixels per cm: 10⁷ → 1 nm, 5·10⁶ → 2 nm
        assert.deepEqual(ds.axes.map(a => [a.name, a.scale, a.units]), [['y', 2, 'nm'], ['x', 1, 'nm']]);
      }
      if (name === 'uint16-multipage') {
        const src = await lowdose.io.openTiff(g.file);
        try {
          const frames: number[] = [];
          for await (const chunk of src.frames({ chunkSize: 2 })) frames.push(chunk.data.shape[0]);
          assert.deepEqual(frames, [2, 2, 1]);
        } finally {
          await src.close();
        }
      }
    });
  }
});

describe('readTiff() on ImageJ stacks stored as one IFD', () => {
  it('readTiff() reads an ImageJ stack whose frames follow one IFD back to back (ImageJ’s > 4 GiB layout)', async () => {
    const [frames, h, w] = [3, 4, 5];
    const description = Buffer.from(`ImageJ=1.53t\nimages=${frames}\nslices=${frames}\nunit=nm\nspacing=2\n\0`, 'latin1');
    const entries: Array<[number, number, number]> = [
      [256, 4, w], [257, 4, h], [258, 3, 16], [259, 3, 1], [262, 3, 1], [270, 2, 0], [273, 4, 0], [277, 3, 1], [278, 4, h], [279, 4, h * w * 2],
      [282, 5, 0], [283, 5, 0], [296, 3, 1]
    ];
    const ifdBytes = 2 + 12 * entries.length + 4;
    const descAt = 8 + ifdBytes;
    const resAt = descAt + description.length + (description.length % 2);
    const dataAt = resAt + 8;
    const pixels = Uint16Array.from({ length: frames * h * w }, (_, i) => 1000 + i);
    const file = new Uint8Array(dataAt + pixels.byteLength);
    const v = new DataView(file.buffer);
    file.set([0x49, 0x49, 42, 0]);
    v.setUint32(4, 8, true);
    v.setUint16(8, entries.length, true);
    entries.forEach(([tag, type, value], i) => {
      const p = 10 + 12 * i;
      v.setUint16(p, tag, true);
      v.setUint16(p + 2, type, true);
      v.setUint32(p + 4, tag === 270 ? description.length : 1, true);
      if (type === 3) v.setUint16(p + 8, value, true);
      else v.setUint32(p + 8, tag === 270 ? descAt : tag === 273 ? dataAt : tag === 282 || tag === 283 ? resAt : value, true);
    });
    file.set(description, descAt);
    v.setUint32(resAt, 2, true); // 2 pixels per nm → 0.5 nm
    v.setUint32(resAt + 4, 1, true);
    file.set(new Uint8Array(pixels.buffer), dataAt);
    const ds = await lowdose.io.readTiff(file, { name: 'imagej-contiguous.tif' });
    assert.deepEqual(ds.data.shape, [frames, h, w]);
    assert.ok(bytesOf(ds.data.data).equals(bytesOf(pixels)));
    assert.deepEqual(ds.axes.map(a => [a.name, a.scale, a.units]), [['z', 2, 'nm'], ['y', 0.5, 'nm'], ['x', 0.5, 'nm']]);
    const src = await lowdose.io.openTiff(file, { name: 'imagej-contiguous.tif' });
    const last = await src.frame(2);
    await src.close();
    assert.ok(bytesOf(last.data.data).equals(bytesOf(pixels.subarray(2 * h * w))));
  });
});
