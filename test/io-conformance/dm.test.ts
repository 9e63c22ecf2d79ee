// One test per corpus file under dm3/ and dm4/, asserting what MANIFEST.md records for it (shape,
// dtype, values, axes scale/units/offset, normalised metadata, upstream assertions).
import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';
import { assertClose, corpusIt } from './corpus';

type Ds = lowdose.Dataset;
interface Stats {
  min: number;
  max: number;
  mean: number;
  sum: number;
  first: number;
}
/** [name, scale, units, offset] of each axis, slowest first. */
type AxisSpec = [string, number, string, number];

function stats(values: ArrayLike<number>, step = 1, start = 0): Stats {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let n = 0;
  for (let i = start; i < values.length; i += step, n++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return { min, max, mean: sum / n, sum, first: values[start] };
}

/** |actual − expected| ≤ rel·|expected| (+1e-12): MANIFEST prints 6 to 10 significant digits. */
function near(actual: number, expected: number, rel: number, what: string): void {
  const ok = Math.abs(actual - expected) <= rel * Math.abs(expected) + 1e-12;
  assert.ok(ok, `${what}: expected ${expected}, got ${actual} (relative tolerance ${rel})`);
}

function expectStats(ds: Ds, e: Stats, rel = 1e-8): void {
  const s = stats(ds.data.data as ArrayLike<number>);
  for (const k of ['min', 'max', 'mean', 'sum', 'first'] as const) near(s[k], e[k], rel, k);
}

/** Axis names, units and sizes exactly; scale and offset to the 6 digits MANIFEST prints. */
function expectAxes(ds: Ds, expected: AxisSpec[], rel = 1e-5): void {
  assert.deepEqual(ds.axes.map(a => [a.name, a.units]), expected.map(([n, , u]) => [n, u]));
  assert.deepEqual(ds.axes.map(a => a.size), ds.data.shape);
  ds.axes.forEach((a, i) => {
    near(a.scale, expected[i][1], rel, `axes[${i}].scale`);
    near(a.offset, expected[i][3], rel, `axes[${i}].offset`);
  });
}

function values(ds: Ds): number[] {
  return Array.from(ds.data.data as ArrayLike<number>);
}

function expectMetadata(ds: Ds, expected: Record<string, unknown>, tol = 1e-7): void {
  for (const [k, v] of Object.entries(expected)) {
    if (typeof v === 'number') near(ds.metadata[k] as number, v, tol, `metadata.${k}`);
    else assert.deepEqual(ds.metadata[k], v, `metadata.${k}`);
  }
}

/** The ImageTags of the returned image inside metadata.original (RosettaSciIO's layout). */
function imageTags(ds: Ds): Record<string, any> {
  return (ds.metadata.original as any).ImageList.TagGroup0.ImageTags;
}

// rsciio/tests/generate_dm_testing_files.py: NewImage("test", type, 2, 2) with pixels 1, 2, 3, 4.
const TYPE_CASES: [number, string, string][] = [
  [1, 'int16', 'Int16Array'],
  [2, 'float32', 'Float32Array'],
  [3, 'complex64', 'Float32Array'],
  [5, 'complex64', 'Float32Array'],
  [6, 'uint8', 'Uint8Array'],
  [7, 'int32', 'Int32Array'],
  [8, 'rgba', 'Uint8Array'],
  [9, 'int8', 'Int8Array'],
  [10, 'uint16', 'Uint16Array'],
  [11, 'uint32', 'Uint32Array'],
  [12, 'float64', 'Float64Array'],
  [13, 'complex128', 'Float64Array'],
  [14, 'bool', 'Uint8Array'],
  [23, 'rgba', 'Uint8Array'],
  [28, 'complex128', 'Float64Array']
];
const TYPES_IN: { [ext: string]: number[] } = {
  dm3: [1, 2, 3, 5, 6, 7, 8, 9, 10, 12, 13, 14, 23],
  dm4: [1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 23, 28]
};
const UNCALIBRATED_2D: AxisSpec[] = [['y', 1, '', 0], ['x', 1, '', 0]];

function typeTests(ext: 'dm3' | 'dm4'): void {
  for (const [type, dtype, ctor] of TYPE_CASES.filter(([t]) => TYPES_IN[ext].includes(t))) {
    corpusIt(`${ext}/2D_test-${type}.${ext}`, `reads DataType ${type} (${dtype}) as the 2×2 image 1, 2, 3, 4`, async file => {
      const ds = await lowdose.io.readDm(file);
      assert.equal(ds.metadata.title, 'test');
      assert.equal(ds.metadata.sourceFormat, ext);
      assert.equal((ds.data.data as object).constructor.name, ctor);
      if (dtype === 'rgba') {
        // RGB(A): last axis R, G, B, A; DM wrote the grey value into R, G and B, alpha 0.
        assert.deepEqual(ds.data.shape, [2, 2, 4]);
        assert.equal(ds.metadata.sourceDtype, 'uint8');
        const v = values(ds);
        for (const [c, e] of [[0, [1, 4, 2.5]], [1, [1, 4, 2.5]], [2, [1, 4, 2.5]], [3, [0, 0, 0]]] as [number, number[]][]) {
          const s = stats(v, 4, c);
          assert.deepEqual([s.min, s.max, s.mean], e, `channel ${'RGBA'[c]}`);
        }
        assert.deepEqual(v.filter((_, i) => i % 4 === 0), [1, 2, 3, 4]);
        expectAxes(ds, [...UNCALIBRATED_2D, ['channel', 1, '', 0]]);
        return;
      }
      assert.deepEqual(ds.data.shape, [2, 2]);
      expectAxes(ds, UNCALIBRATED_2D);
      assert.equal(ds.metadata.sourceDtype, dtype);
      if (dtype === 'bool') {
        assert.deepEqual(values(ds), [1, 1, 1, 1]);
      } else {
        assert.deepEqual(values(ds), [1, 2, 3, 4]);
      }
      if (dtype.startsWith('complex')) {
        assert.ok(ds.imag, 'complex data carries an imaginary part');
        assert.deepEqual(Array.from(ds.imag!.data as ArrayLike<number>), [0, 0, 0, 0]);
      } else {
        assert.equal(ds.imag, undefined);
      }
    });
  }
}

function stackTests(ext: 'dm3' | 'dm4', types: [number, string][]): void {
  for (const [type, dtype] of types) {
    corpusIt(`${ext}/3D_test-${type}.${ext}`, `reads the 2×2×2 ${dtype} stack 1..8 in (z, y, x) order`, async file => {
      const ds = await lowdose.io.readDm(file);
      assert.deepEqual(ds.data.shape, [2, 2, 2]);
      assert.equal(ds.metadata.sourceDtype, dtype);
      assert.deepEqual(values(ds), [1, 2, 3, 4, 5, 6, 7, 8]);
      expectStats(ds, { min: 1, max: 8, mean: 4.5, sum: 36, first: 1 });
      expectAxes(ds, [['z', 1, '', 0], ...UNCALIBRATED_2D]);
    });
  }
}

function oneDTest(ext: 'dm3' | 'dm4'): void {
  corpusIt(`${ext}/1D_test-2.${ext}`, 'reads the float32 line [1, 2]', async file => {
    const ds = await lowdose.io.readDm(file);
    assert.deepEqual(ds.data.shape, [2]);
    assert.equal(ds.metadata.sourceDtype, 'float32');
    assert.deepEqual(values(ds), [1, 2]);
    expectAxes(ds, [['x', 1, '', 0]]);
    assert.equal(ds.metadata.signalType, 'spectrum');
  });
}

function ncempyTests(ext: 'dm3' | 'dm4'): void {
  corpusIt(`${ext}/dmTest_3D_int16_64,65,66.${ext}`, 'reads the 66×65×64 int16 volume with per-axis units (x pm → Å, y nm, z µm)', async file => {
    const ds = await lowdose.io.readDm(file);
    assert.deepEqual(ds.data.shape, [66, 65, 64]);
    assert.equal(ds.metadata.sourceDtype, 'int16');
    assert.equal(ds.metadata.title, 'image3D_int16_64,65,66');
    expectStats(ds, { min: 0, max: 63, mean: 31.5, sum: 8648640, first: 0 });
    // 2 pm is not in lowdose's unit list: it comes out as 0.02 Å.
    expectAxes(ds, [['z', 4, 'um', 0], ['y', 3, 'nm', 0], ['x', 0.02, 'A', 0]], 1e-12);
    for (const [z, y, x] of [[0, 0, 0], [65, 64, 63], [10, 20, 30], [33, 1, 62]]) assert.equal(ds.data.get(z, y, x), x);
  });
  corpusIt(`${ext}/dmTest_float32_nonSquare_diffPixelSize.${ext}`, 'reads the 64×128 float32 image with y in Å and x in nm', async file => {
    const ds = await lowdose.io.readDm(file);
    assert.deepEqual(ds.data.shape, [64, 128]);
    assert.equal(ds.metadata.sourceDtype, 'float32');
    expectStats(ds, { min: 0, max: 127, mean: 63.5, sum: 520192, first: 0 });
    expectAxes(ds, [['y', 2, 'A', 0], ['x', 1, 'nm', 0]]);
    assert.equal(ds.data.get(5, 100), 100, 'pixel value = x index');
    assert.equal(ds.metadata.pixelSizeA, undefined, 'pixels are not square (2 Å × 10 Å)');
  });
}

describe('io conformance: DM3 (MANIFEST.md)', () => {
  typeTests('dm3');
  stackTests('dm3', [[1, 'int16'], [2, 'float32'], [6, 'uint8'], [10, 'uint16']]);
  oneDTest('dm3');
  ncempyTests('dm3');

  corpusIt('dm3/test-EELS_spectrum.dm3', 'reads the 2048-channel EELS spectrum (0.5 eV/ch from −100 eV) and its acquisition tags', async file => {
    const ds = await lowdose.io.readDm(file);
    assert.deepEqual(ds.data.shape, [2048]);
    assert.equal(ds.metadata.sourceDtype, 'float32');
    expectStats(ds, { min: -366.4345703, max: 305.0202637, mean: -3.749295443, sum: -7678.557068, first: -20.67956543 });
    expectAxes(ds, [['Energy loss', 0.5, 'eV', -100]]);
    expectMetadata(ds, {
      title: 'EELS Acquire',
      signalType: 'spectrum',
      spectrumType: 'EELS',
      voltageKV: 200,
      illuminationMode: 'STEM',
      microscope: 'FEI Titan',
      cameraLengthMm: 135,
      magnification: 640000,
      convergenceAngleMrad: 21,
      collectionAngleMrad: 0,
      exposureS: 0.0035,
      eelsFrames: 50,
      spectrometer: 'GIF Quantum ER',
      apertureMm: 5,
      acquisitionDate: '2016-08-08T19:35:17',
      signalUnits: 'e-'
    });
    assertClose(ds.metadata.stageAlphaDeg as number, 24.95, 0.01 / 24.95, 'stage alpha');
    near(ds.metadata.stageXMm as number, -0.478619, 1e-6, 'stage x');
    near(ds.metadata.stageYMm as number, 0.0554612, 1e-6, 'stage y');
    near(ds.metadata.stageZMm as number, 0.036348, 1e-6, 'stage z');
    const brightness = (ds.metadata.original as any).ImageList.TagGroup0.ImageData.Calibrations.Brightness;
    near(brightness.Scale, 0.1285347, 1e-6, 'gain factor');
    assert.equal(brightness.Origin, 0);
    assert.equal(imageTags(ds).EELS.Acquisition['Align min. correlation coefficient'], 0.5);
  });

  corpusIt('dm3/test-EDS_spectrum.dm3', 'reads the 4096-channel uint32 EDS spectrum in keV with live and real time', async file => {
    const ds = await lowdose.io.readDm(file);
    assert.deepEqual(ds.data.shape, [4096]);
    assert.equal(ds.metadata.sourceDtype, 'uint32');
    expectStats(ds, { min: 0, max: 3525, mean: 4.162841797, sum: 17051, first: 0 });
    expectAxes(ds, [['Energy', 0.005, 'keV', -0.478]]);
    expectMetadata(ds, {
      title: 'EDS Spectrum',
      spectrumType: 'EDS',
      azimuthAngleDeg: 45,
      elevationAngleDeg: 18,
      liveTimeS: 3.806,
      realTimeS: 4.233,
      voltageKV: 200,
      microscope: 'FEI Titan',
      cameraLengthMm: 135,
      magnification: 320000,
      acquisitionDate: '2016-08-08T21:46:19'
    });
    assertClose(ds.metadata.stageAlphaDeg as number, 24.95, 0.01 / 24.95, 'stage alpha');
  });

  corpusIt('dm3/test_STEM_image.dm3', 'reads the 68×68 uint32 STEM image at 0.248538 nm/px with dwell time and camera length', async file => {
    const ds = await lowdose.io.readDm(file);
    assert.deepEqual(ds.data.shape, [68, 68]);
    assert.equal(ds.metadata.sourceDtype, 'uint32');
    expectStats(ds, { min: 29407, max: 36106, mean: 32655.39684, sum: 150998555, first: 33121 });
    expectAxes(ds, [['y', 0.248538, 'nm', 42.5], ['x', 0.248538, 'nm', 51.4474]]);
    expectMetadata(ds, {
      illuminationMode: 'STEM',
      voltageKV: 200,
      dwellTimeS: 3.5e-6,
      cameraLengthMm: 135,
      magnification: 225000,
      microscope: 'FEI Titan',
      acquisitionDate: '2016-08-08T16:26:37',
      signalType: 'image'
    });
    near(ds.metadata.pixelSizeA as number, 2.48538, 1e-5, 'pixelSizeA');
  });

  corpusIt('dm3/test_diffraction_pattern.dm3', 'reads the 87×87 int32 diffraction pattern at 0.174433 1/nm with the TEM camera length', async file => {
    const ds = await lowdose.io.readDm(file);
    assert.deepEqual(ds.data.shape, [87, 87]);
    assert.equal(ds.metadata.sourceDtype, 'int32');
    expectStats(ds, { min: 625, max: 2974, mean: 1249.804598, sum: 9459771, first: 834 });
    expectAxes(ds, [['y', 0.174433, '1/nm', 131.871], ['x', 0.174433, '1/nm', 137.104]]);
    expectMetadata(ds, {
      illuminationMode: 'TEM',
      voltageKV: 200,
      exposureS: 0.2,
      cameraLengthMm: 320,
      microscope: 'FEI Tecnai',
      acquisitionDate: '2014-07-09T18:56:37',
      signalType: 'diffraction',
      detector: 'BM-UltraScan'
    });
    assert.equal(ds.metadata.magnification, undefined, 'in TEM diffraction the indicated value is a camera length');
    assert.equal(ds.metadata.pixelSizeA, undefined);
  });

  corpusIt('dm3/multi_signal.dm3', 'reads both signals (HAADF image and line plot) and picks one by index or title', async file => {
    const all = await lowdose.io.readAll(file);
    assert.equal(all.length, 2);
    const [s1, s2] = all;
    assert.equal(s1.metadata.title, 'HAADF');
    assert.deepEqual(s1.data.shape, [512, 512]);
    assert.equal(s1.metadata.sourceDtype, 'uint16');
    expectStats(s1, { min: 0, max: 9739, mean: 3622.017879, sum: 949490255, first: 195 });
    assert.equal(stats(s1.data.data as ArrayLike<number>).sum, 949490255);
    expectAxes(s1, [['y', 0.0177516, 'nm', 0], ['x', 0.0177516, 'nm', 0]]);
    expectMetadata(s1, {
      acquisitionDate: '2019-12-10T15:32:41',
      operator: 'JohnDoe',
      voltageKV: 300,
      illuminationMode: 'STEM',
      cameraLengthMm: 77,
      magnification: 1e7,
      dwellTimeS: 3.2400001525878905e-5,
      stageAlphaDeg: 0.001951998453075299,
      stageXMm: 0.0787215,
      stageYMm: 0.100896,
      stageZMm: -0.0895279,
      specimen: 'PrecipitateA',
      microscope: 'Example Microscope'
    });
    assert.equal(s2.metadata.title, 'Plot');
    assert.deepEqual(s2.data.shape, [512]);
    expectStats(s2, { min: 0, max: 0.1578655541, mean: 0.05485506411, sum: 28.08579283, first: 0.04764660448 });
    expectAxes(s2, [['x', 1, '', 0]]);

    assert.equal((await lowdose.io.readDm(file)).metadata.title, 'HAADF', 'the default is the first image-like signal');
    assert.equal((await lowdose.io.readDm(file, { signal: 1 })).metadata.title, 'Plot');
    assert.deepEqual((await lowdose.io.readDm(file, { signal: 'Plot' })).data.shape, [512]);
    assert.equal((await lowdose.io.read(file, { signal: 'plot' })).metadata.title, 'Plot');
    await assert.rejects(lowdose.io.readDm(file, { signal: 2 }), lowdose.ValueError);
    await assert.rejects(lowdose.io.readDm(file, { signal: 'EELS' }), lowdose.ValueError);
  });

  corpusIt('dm3/test_dm_image_um_unit.dm3', 'reads the 68×68 int32 TEM image calibrated in µm (as um)', async file => {
    const ds = await lowdose.io.readDm(file);
    assert.deepEqual(ds.data.shape, [68, 68]);
    assert.equal(ds.metadata.sourceDtype, 'int32');
    expectStats(ds, { min: 2866, max: 3774, mean: 3335.387111, sum: 15422830, first: 3465 });
    expectAxes(ds, [['y', 0.168675, 'um', 128.193], ['x', 0.168675, 'um', 139.663]]);
    expectMetadata(ds, {
      illuminationMode: 'TEM',
      voltageKV: 200,
      exposureS: 0.5,
      magnification: 51,
      microscope: 'FEI Tecnai',
      acquisitionDate: '2015-07-20T18:48:25'
    });
    near(ds.metadata.pixelSizeA as number, 1686.75, 1e-5, 'pixelSizeA');
  });

  corpusIt('dm3/Fei HAADF-UK_location.dm3', 'reads the 4×16 HAADF strip and its day-first (UK) date', async file => {
    const ds = await lowdose.io.readDm(file);
    assert.deepEqual(ds.data.shape, [4, 16]);
    assert.equal(ds.metadata.sourceDtype, 'uint16');
    expectStats(ds, { min: 3799, max: 3969, mean: 3877.75, sum: 248176, first: 3917 });
    expectAxes(ds, [['y', 0.00550607, 'um', 0], ['x', 0.00550607, 'um', 0]]);
    assert.equal(ds.metadata.acquisitionDate, '2016-08-27T20:52:30');
  });

  corpusIt('dm3/08_carbon.dm3', 'reads the (1, 2048) EELS spectrum squeezed to 2048 channels from 240 eV', async file => {
    const ds = await lowdose.io.readDm(file);
    assert.deepEqual(ds.data.shape, [2048]);
    assert.equal(ds.metadata.sourceDtype, 'float32');
    expectStats(ds, { min: 8674, max: 33036, mean: 17479.60889, sum: 35798239, first: 21281 });
    expectAxes(ds, [['Energy loss', 0.1, 'eV', 240]]);
    const a = ds.axes[0];
    near(a.offset + 2047 * a.scale, 444.7, 1e-6, 'last channel energy');
    assert.equal(ds.metadata.detector, 'EF-CCD');
    assert.equal(ds.metadata.spectrumType, 'EELS');
    const dims = (ds.metadata.original as any).ImageList.TagGroup0.ImageData.Dimensions;
    assert.deepEqual(dims, { Data0: 2048, Data1: 1 });
  });

  corpusIt('dm3/BF_001.dm3', 'reads the 128×128 float32 tilt-series image (zero pixels) and its −72° stage tilt', async file => {
    const ds = await lowdose.io.readDm(file);
    assert.deepEqual(ds.data.shape, [128, 128]);
    assert.equal(ds.metadata.sourceDtype, 'float32');
    expectStats(ds, { min: 0, max: 0, mean: 0, sum: 0, first: 0 });
    expectAxes(ds, [['y', 0.0191087, 'um', 0], ['x', 0.0191087, 'um', 0]]);
    assert.ok(Math.abs((ds.metadata.stageAlphaDeg as number) + 72) < 0.01, `stage alpha ≈ −72°; got ${ds.metadata.stageAlphaDeg}`);
  });
});

describe('io conformance: DM4 (MANIFEST.md)', () => {
  typeTests('dm4');
  stackTests('dm4', [[1, 'int16'], [2, 'float32'], [10, 'uint16']]);
  oneDTest('dm4');
  ncempyTests('dm4');

  corpusIt('dm4/EELS_SI.dm4', 'reads the 2×2×2048 EELS spectrum image with the energy axis last', async file => {
    const ds = await lowdose.io.readDm(file);
    assert.deepEqual(ds.data.shape, [2, 2, 2048]);
    assert.equal(ds.metadata.sourceDtype, 'float32');
    expectStats(ds, { min: -27.72143555, max: 8634.402344, mean: 875.1305018, sum: 7169069.071, first: 8473.005859 });
    expectAxes(ds, [['y', 0.00199207, 'um', 0], ['x', 0.00199207, 'um', 0], ['Energy loss', 1, 'eV', 300]]);
    expectMetadata(ds, {
      signalType: 'spectrum-image',
      illuminationMode: 'STEM',
      acquisitionDate: '2019-05-14T20:50:13',
      apertureMm: 5,
      convergenceAngleMrad: 21,
      collectionAngleMrad: 62,
      eelsFrames: 1,
      dwellTimeS: 1.9950125e-2
    });
  });

  corpusIt('dm4/test_fft_packed_complex8.dm4', 'unpacks the 5×5 packed FFT (DataType 27) to 5×4 complex64 as RosettaSciIO does', async file => {
    const ds = await lowdose.io.readDm(file);
    assert.deepEqual(ds.data.shape, [5, 4]);
    assert.equal(ds.metadata.sourceDtype, 'complex64');
    assert.equal(ds.metadata.title, 'FFT of untitled2');
    near(ds.data.get(0, 0), 5.960464477539063e-8, 1e-12, 'first real');
    near(ds.imag!.get(0, 0), -1.88132531775409e-9, 1e-12, 'first imag');
    expectAxes(ds, [['y', 0.2, '', -0.5], ['x', 0.2, '', -0.5]]);
  });
});
