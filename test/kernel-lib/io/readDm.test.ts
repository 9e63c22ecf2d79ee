// readDm() on synthetic DM3/DM4 files with known content: byte orders, calibration units, RGB(A),
// packed FFTs, spectrum images, several signals, normalised metadata, format sniffing.
import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';
import { array, buildDm, dmFile, group, imageEntry, simple, text, typedBytes } from './dmFixtures';

const values = (a: lowdose.NdArray) => Array.from(a.data as ArrayLike<number>);

function closeTo(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: expected ${expected}, got ${actual}`);
}

describe('readDm() on synthetic files', () => {
  for (const version of [3, 4] as const) {
    for (const littleEndian of [true, false]) {
      it(`readDm() reads a ${littleEndian ? 'little' : 'big'}-endian DM${version} int16 image slowest axis first, offset = −origin·scale`, async () => {
        const img = imageEntry({
          dataType: 1,
          dims: [3, 2],
          data: typedBytes('int16', [1, -2, 3, 4, 5, -32768], littleEndian),
          calibrations: [{ scale: 0.5, origin: 2, units: 'nm' }, { scale: 0.25, origin: -4, units: 'nm' }],
          name: 'probe'
        });
        const ds = await lowdose.io.readDm(dmFile(version, [img], { littleEndian }), { name: 'x.dm' });
        assert.deepEqual(ds.data.shape, [2, 3]);
        assert.deepEqual(values(ds.data), [1, -2, 3, 4, 5, -32768]);
        assert.equal(ds.data.get(1, 2), -32768);
        assert.deepEqual(ds.axes, [
          { name: 'y', size: 2, scale: 0.25, offset: 1, units: 'nm' },
          { name: 'x', size: 3, scale: 0.5, offset: -1, units: 'nm' }
        ]);
        assert.equal(ds.metadata.title, 'probe');
        assert.equal(ds.metadata.sourceFormat, `dm${version}`);
        assert.equal(ds.metadata.sourceFile, 'x.dm');
        assert.equal(ds.metadata.pixelSizeA, undefined, '0.25 nm × 0.5 nm pixels are not square');
        assert.equal((ds.metadata.original as any).ImageList.TagGroup0.Name, 'probe');
      });
    }
  }

  it('readDm() maps DM units onto lowdose units (Å → A, pm → A ×0.01, µm → um, ms → s) and flags unknown ones', async () => {
    const cal = (units: string, scale = 2, origin = 0) => ({ scale, origin, units });
    const f = dmFile(4, [
      imageEntry({ dataType: 2, dims: [2, 2], data: typedBytes('float32', [0, 0, 0, 0]), calibrations: [cal('pm', 50), cal('\u00c5', 0.5)] }),
      imageEntry({ dataType: 2, dims: [2, 2], data: typedBytes('float32', [0, 0, 0, 0]), calibrations: [cal('\u00b5m'), cal('1/nm')] }),
      imageEntry({ dataType: 2, dims: [3], data: typedBytes('float32', [0, 0, 0]), calibrations: [cal('ms', 40, 1)] }),
      imageEntry({ dataType: 2, dims: [3], data: typedBytes('float32', [0, 0, 0]), calibrations: [cal('furlong', 3)] })
    ]);
    const [a, b, c, d] = await lowdose.io.readAll(f);
    assert.deepEqual(a.axes.map(x => [x.units, x.scale]), [['A', 0.5], ['A', 0.5]]);
    assert.equal(a.metadata.pixelSizeA, 0.5);
    assert.deepEqual(b.axes.map(x => [x.units, x.scale]), [['1/nm', 2], ['um', 2]]);
    assert.deepEqual(c.axes.map(x => [x.units, x.offset]), [['s', -0.04]]);
    closeTo(c.axes[0].scale, 0.04, 1e-15, 'ms → s');
    assert.deepEqual(d.axes.map(x => [x.units, x.scale]), [['', 3]]);
    assert.match(String(d.metadata.warnings), /"furlong" is not one lowdose knows/);
  });

  it('readDm() returns RGB(A) images with a last R, G, B, A axis from the stored B, G, R, A bytes', async () => {
    const bgra = Uint8Array.of(10, 20, 30, 255, 1, 2, 3, 4);
    for (const dataType of [8, 23]) {
      const ds = await lowdose.io.readDm(dmFile(3, [imageEntry({ dataType, dims: [2, 1], data: bgra })]));
      // A 2×1 image: the length-1 row axis is squeezed away, as RosettaSciIO does.
      assert.deepEqual(ds.data.shape, [2, 4]);
      assert.deepEqual(values(ds.data), [30, 20, 10, 255, 3, 2, 1, 4]);
      assert.deepEqual(ds.axes.map(a => a.name), ['x', 'channel']);
    }
  });

  it('readDm() unpacks a DataType 5 packed FFT into the centred FFT of a real 4×4 image', async () => {
    const side = 4;
    const N = side / 2;
    const img = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3];
    // Centred (fftshifted) DFT: Fc[r][c] = F[(r + N) mod 4][(c + N) mod 4].
    const Fc = (r: number, c: number): [number, number] => {
      const u = (r + N) % side;
      const v = (c + N) % side;
      let re = 0;
      let im = 0;
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          const ph = (-2 * Math.PI * (u * y + v * x)) / side;
          re += img[y * side + x] * Math.cos(ph);
          im += img[y * side + x] * Math.sin(ph);
        }
      }
      return [re, im];
    };
    const t = new Array(side * side).fill(0);
    const put = (k: number, [re, im]: [number, number]) => ((t[k] = re), (t[k + 1] = im));
    t[0] = Fc(N, 0)[0];
    t[1] = Fc(0, 0)[0];
    t[2 * N * N] = Fc(N, N)[0];
    t[2 * N * N + 1] = Fc(0, N)[0];
    for (let i = 0; i < N; i++) for (let j = 0; j < N - 1; j++) put(2 * i * N + 2 + 2 * j, Fc(i, N + 1 + j));
    for (let k = 0; k < N - 1; k++) put(2 * N + 2 * N * k, Fc(N + 1 + k, 0));
    for (let j = 0; j < N - 1; j++) put(2 * N * N + 2 + 2 * j, Fc(N, N + 1 + j));
    for (let r = 0; r < N - 1; r++) for (let c = 0; c < N; c++) put(2 * N * N + 2 * N + 2 * (r * N + c), Fc(N + 1 + r, N + c));
    const ds = await lowdose.io.readDm(dmFile(3, [imageEntry({ dataType: 5, dims: [side, side], data: typedBytes('float32', t) })]));
    assert.deepEqual(ds.data.shape, [4, 4]);
    assert.equal(ds.metadata.sourceDtype, 'complex64');
    for (let r = 0; r < side; r++) {
      for (let c = 0; c < side; c++) {
        const [re, im] = Fc(r, c);
        closeTo(ds.data.get(r, c), re, 1e-4, `re[${r},${c}]`);
        closeTo(ds.imag!.get(r, c), im, 1e-4, `im[${r},${c}]`);
      }
    }
  });

  it('readDm() unpacks a DataType 27 FFT stack frame by frame as hstack(p[:, ::-1], conj(p[:, 1:-1]))', async () => {
    // Dimensions x = 4, y = 3, z = 2: each frame stores 3 rows × (4/2 + 1) complex values.
    const packed: number[] = [];
    for (let f = 0; f < 2; f++) for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) packed.push(100 * f + 10 * r + c, -(100 * f + 10 * r + c) - 0.5);
    const ds = await lowdose.io.readDm(dmFile(4, [imageEntry({ dataType: 27, dims: [4, 3, 2], data: typedBytes('float32', packed) })]));
    assert.deepEqual(ds.data.shape, [2, 3, 4]);
    assert.deepEqual(ds.axes.map(a => a.size), [2, 3, 4]);
    for (let f = 0; f < 2; f++) {
      for (let r = 0; r < 3; r++) {
        const p = (c: number) => 100 * f + 10 * r + c;
        assert.deepEqual([0, 1, 2, 3].map(c => ds.data.get(f, r, c)), [p(2), p(1), p(0), p(1)]);
        assert.deepEqual([0, 1, 2, 3].map(c => ds.imag!.get(f, r, c)), [-p(2) - 0.5, -p(1) - 0.5, -p(0) - 0.5, p(1) + 0.5]);
      }
    }
  });

  it('readDm() puts the energy axis of a spectrum image last, as RosettaSciIO does', async () => {
    const stored: number[] = [];
    for (let e = 0; e < 4; e++) for (let y = 0; y < 2; y++) for (let x = 0; x < 3; x++) stored.push(100 * e + 10 * y + x);
    const si = imageEntry({
      dataType: 2,
      dims: [3, 2, 4],
      data: typedBytes('float32', stored),
      calibrations: [{ scale: 2, origin: 0, units: 'nm' }, { scale: 2, origin: 0, units: 'nm' }, { scale: 0.5, origin: -10, units: 'eV' }],
      imageTags: [group('Meta Data', [text('Format', 'Spectrum image'), text('Signal', 'EELS')])]
    });
    const ds = await lowdose.io.readDm(dmFile(4, [si]));
    assert.deepEqual(ds.data.shape, [2, 3, 4]);
    assert.deepEqual(ds.axes.map(a => [a.name, a.units, a.offset]), [['y', 'nm', 0], ['x', 'nm', 0], ['Energy loss', 'eV', 5]]);
    for (let y = 0; y < 2; y++) for (let x = 0; x < 3; x++) for (let e = 0; e < 4; e++) assert.equal(ds.data.get(y, x, e), 100 * e + 10 * y + x);
    assert.equal(ds.metadata.signalType, 'spectrum-image');
    assert.equal(ds.metadata.pixelSizeA, 20);
  });

  it('readDm() picks a signal by index or title and defaults to the first image-like one; readAll() returns all', async () => {
    const spectrum = imageEntry({ dataType: 2, dims: [4], data: typedBytes('float32', [1, 2, 3, 4]), name: 'Spectrum' });
    const image = imageEntry({ dataType: 10, dims: [2, 2], data: typedBytes('uint16', [5, 6, 7, 8]), name: 'HAADF' });
    const bytes = dmFile(3, [spectrum, image]);
    assert.equal((await lowdose.io.readDm(bytes)).metadata.title, 'HAADF');
    assert.equal((await lowdose.io.readDm(bytes, { signal: 0 })).metadata.title, 'Spectrum');
    assert.deepEqual(values((await lowdose.io.readDm(bytes, { signal: 'haadf' })).data), [5, 6, 7, 8]);
    assert.deepEqual((await lowdose.io.readAll(bytes)).map(d => d.metadata.title), ['Spectrum', 'HAADF']);
    await assert.rejects(lowdose.io.readDm(bytes, { signal: 1.5 }), /options\.signal must be an integer in \[0, 1\] or a title; got 1\.5/);
  });

  it('readDm() normalises Microscope Info, DataBar and camera tags into lowdose metadata keys', async () => {
    const tags = [
      group('Microscope Info', [
        simple('Voltage', 7, 300000),
        text('Illumination Mode', 'TEM'),
        text('Imaging Mode', 'DIFFRACTION'),
        simple('Indicated Magnification', 7, 250),
        simple('Actual Magnification', 7, 31.5),
        text('Microscope', ''),
        text('Name', 'Krios'),
        group('Stage Position', [simple('Stage Alpha', 7, -60), simple('Stage X', 7, 12.5)])
      ]),
      group('DataBar', [text('Acquisition Date', '27/08/2016'), text('Acquisition Time', '8:52:30 PM')]),
      group('Acquisition', [group('Device', [text('Name', 'K3')]), group('Parameters', [group('High Level', [simple('Exposure (s)', 7, 1.5)])])]),
      group('Session Info', [text('Operator', 'A. User'), text('Specimen', 'LiPS')])
    ];
    const img = imageEntry({ dataType: 2, dims: [2, 2], data: typedBytes('float32', [0, 0, 0, 0]), imageTags: tags, name: 'DP' });
    const ds = await lowdose.io.readDm(dmFile(4, [img]));
    const { original, ...md } = ds.metadata;
    assert.ok(original);
    assert.deepEqual(md, {
      sourceFormat: 'dm4',
      sourceFile: '<bytes>',
      sourceDtype: 'float32',
      title: 'DP',
      signalType: 'diffraction',
      illuminationMode: 'TEM',
      voltageKV: 300,
      cameraLengthMm: 250,
      actualMagnification: 31.5,
      microscope: 'Krios',
      stageAlphaDeg: -60,
      stageXMm: 0.0125,
      operator: 'A. User',
      specimen: 'LiPS',
      detector: 'K3',
      exposureS: 1.5,
      acquisitionDate: '2016-08-27T20:52:30'
    });
  });

  it('readDm() reads small tag arrays inline and structs as arrays', async () => {
    const img = imageEntry({
      dataType: 1,
      dims: [1],
      data: typedBytes('int16', [0]),
      imageTags: [array('Small', 3, [1, 2, 3]), { kind: 'data', name: 'Pair', info: [15, 0, 2, 0, 3, 0, 8], value: le => Uint8Array.of(...(le ? [7, 0, 0, 0] : [0, 0, 0, 7]), 1) }]
    });
    const tags = (await lowdose.io.readDm(dmFile(3, [img]))).metadata.original as any;
    assert.deepEqual(tags.ImageList.TagGroup0.ImageTags.Small, [1, 2, 3]);
    assert.deepEqual(tags.ImageList.TagGroup0.ImageTags.Pair, [7, true]);
    assert.equal(tags.Thumbnails.TagGroup0.ImageIndex, 0);
  });

  it('io.read() recognises DM3 and DM4 from their bytes alone; dmFormat.sniff() rejects other headers', async () => {
    const img = imageEntry({ dataType: 6, dims: [2], data: Uint8Array.of(9, 8) });
    for (const version of [3, 4] as const) {
      const bytes = dmFile(version, [img]);
      assert.ok(lowdose.io.dmFormat.sniff(bytes.subarray(0, 4096), ''));
      const ds = await lowdose.io.read(bytes, { name: 'no-extension' });
      assert.equal(ds.metadata.sourceFormat, `dm${version}`);
      assert.deepEqual(values(ds.data), [9, 8]);
    }
    const notDm = buildDm(3, [simple('a', 3, 1)]);
    notDm[13] = 7; // is_open must be 0 or 1
    assert.equal(lowdose.io.dmFormat.sniff(notDm, ''), false);
    assert.equal(lowdose.io.dmFormat.sniff(new TextEncoder().encode('\x93NUMPY\x01\x00v\x00{"descr": "<f4", ...}'), ''), false);
    assert.equal(lowdose.io.dmFormat.sniff(Uint8Array.of(0, 0, 0, 3), ''), false);
  });
});
