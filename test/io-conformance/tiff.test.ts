// One test per corpus file under tiff/, asserting what MANIFEST.md records for it: shape, dtype,
// byte order, min/max/mean/sum, first element, axes scale/units/offset (RosettaSciIO's values,
// mapped onto lowdose's unit list) and the acquisition metadata upstream tests assert.
import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';
import { assertClose, corpusIt } from './corpus';

type Ds = lowdose.Dataset;

function stats(values: ArrayLike<number>): { min: number; max: number; mean: number; sum: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return { min, max, mean: sum / values.length, sum };
}

function expectPixels(ds: Ds, shape: number[], ctor: string, e: { min: number; max: number; mean: number; sum: number; first: number }): void {
  assert.deepEqual(ds.data.shape, shape);
  assert.equal((ds.data.data as object).constructor.name, ctor);
  const s = stats(ds.data.data as ArrayLike<number>);
  assertClose(s.min, e.min, 1e-9, 'min');
  assertClose(s.max, e.max, 1e-9, 'max');
  assertClose(s.mean, e.mean, 1e-9, 'mean');
  assertClose(s.sum, e.sum, 1e-12, 'sum');
  assertClose(ds.data.get(...shape.map(() => 0)), e.first, 0, 'first element');
}

/** [name, size, scale, units, offset?] per axis, scale and offset within `tol` (relative). */
function expectAxes(ds: Ds, expected: Array<[string, number, number, string, number?]>, tol = 1e-6): void {
  assert.deepEqual(
    ds.axes.map(a => [a.name, a.size, a.units]),
    expected.map(([n, size, , u]) => [n, size, u])
  );
  ds.axes.forEach((a, i) => {
    assertClose(a.scale, expected[i][2], tol, `axes[${i}].scale`);
    assertClose(a.offset, expected[i][4] ?? 0, tol, `axes[${i}].offset`);
  });
}

function original(ds: Ds): { [k: string]: unknown } {
  return ds.metadata.original as { [k: string]: unknown };
}

function tags(ds: Ds): { [k: string]: unknown } {
  return original(ds).tags as { [k: string]: unknown };
}

const SAME_68 = { min: 2866, max: 3774, mean: 3335.387111, sum: 15422830, first: 3465 };
const PILLOW_16BIT = { min: 291, max: 694, mean: 384.113037109375, sum: 1573327, first: 480 };
const PILLOW_RGB_MEAN = 161.77956244629965;

describe('io conformance: TIFF (MANIFEST.md)', () => {
  corpusIt('tiff/test_loading_image_saved_with_DM.tif', 'reads the DM-exported int32 image with µm scales, offsets and the DM tag tree', async file => {
    const ds = await lowdose.io.readTiff(file);
    expectPixels(ds, [68, 68], 'Int32Array', SAME_68);
    assert.equal(ds.metadata.sourceDtype, '<i4');
    assert.equal(ds.metadata.sourceFormat, 'tiff');
    // rsciio test_read_unit_from_dm: µm, 0.16867 (atol 1e-5), offsets x 139.66264, y 128.19276
    expectAxes(ds, [['y', 68, 0.168675, 'um', 128.19276], ['x', 68, 0.168675, 'um', 139.66264]], 1e-5);
    assertClose(ds.metadata.pixelSizeA as number, 1686.75, 1e-5, 'pixelSizeA');
    // the DM tag tree in tag 65027 holds what the .dm3 twin records (200 kV, 0.5 s, ×51, FEI Tecnai, date)
    assert.equal(ds.metadata.voltageKV, 200);
    assert.equal(ds.metadata.exposureS, 0.5);
    assert.equal(ds.metadata.magnification, 51);
    assert.equal(ds.metadata.microscope, 'FEI Tecnai');
    assert.equal(ds.metadata.detector, 'BM-UltraScan');
    assert.equal(ds.metadata.acquisitionDate, '2015-07-20T18:48:25');
    assert.equal(tags(ds)['65003'], 'µm');
  });

  corpusIt('tiff/test_loading_image_saved_with_DM_stack.tif', 'reads the 2-page float32 DM stack with a 2.5 s frame axis and unequal x/y scales', async file => {
    const ds = await lowdose.io.readTiff(file);
    expectPixels(ds, [2, 68, 68], 'Float32Array', { ...SAME_68, sum: 30845660 });
    assert.equal(ds.metadata.sourceDtype, '<f4');
    // rsciio L256-268: nav 2.5 s; x (width) 0.16867 µm; y (height) 1.68674 µm
    expectAxes(ds, [['frame', 2, 2.5, 's'], ['y', 68, 1.68674, 'um'], ['x', 68, 0.168674, 'um']], 1e-5);
    assert.equal(ds.metadata.pixelSizeA, undefined, 'non-square pixels give no pixelSizeA');
    assert.equal(original(ds).pages, 2);
  });

  corpusIt('tiff/test_loading_image_saved_with_imageJ.tif', 'reads the big-endian ImageJ float32 image with its micron calibration', async file => {
    const ds = await lowdose.io.readTiff(file);
    expectPixels(ds, [68, 68], 'Float32Array', SAME_68);
    assert.equal(ds.metadata.sourceDtype, '>f4');
    assert.equal(original(ds).byteOrder, 'MM');
    expectAxes(ds, [['y', 68, 0.168675, 'um'], ['x', 68, 0.168675, 'um']], 1e-5);
    assert.equal((original(ds).imagej as { unit: string }).unit, 'micron');
  });

  corpusIt('tiff/test_loading_image_saved_with_imageJ_stack.tif', 'reads the ImageJ 2-slice hyperstack with spacing 2.5', async file => {
    const ds = await lowdose.io.readTiff(file);
    expectPixels(ds, [2, 68, 68], 'Float32Array', { ...SAME_68, sum: 30845660 });
    assert.equal(ds.metadata.sourceDtype, '>f4');
    // rsciio L122-132: axis0 scale 2.5 (HyperSpy leaves its unit unset; ImageJ's spacing is in `unit`)
    expectAxes(ds, [['z', 2, 2.5, 'um'], ['y', 68, 0.16867, 'um'], ['x', 68, 0.16867, 'um']], 1e-4);
    assert.equal(ds.metadata.signalType, 'volume');
    const ij = original(ds).imagej as { images: number; slices: number; spacing: number };
    assert.deepEqual([ij.images, ij.slices, ij.spacing], [2, 2, 2.5]);
  });

  corpusIt('tiff/JEOL-SightX-SAED-dummy.tif', 'reads the JEOL SightX diffraction pattern in 1/nm from camera length and voltage', async file => {
    const ds = await lowdose.io.readTiff(file);
    expectPixels(ds, [556, 556], 'Uint16Array', { min: 513, max: 513, mean: 513, sum: 158586768, first: 513 });
    assert.equal(ds.metadata.sourceDtype, '<u2');
    // rsciio L992-1013: both axes 0.2723 (rtol 1e-3) in 1/nm; HyperSpy 1.7.3 gives 0.272254
    expectAxes(ds, [['y', 556, 0.272254, '1/nm'], ['x', 556, 0.272254, '1/nm']], 1e-5);
    assertClose(ds.axes[1].scale, 0.2723, 1e-3, 'upstream scale');
    assert.equal(ds.metadata.signalType, 'diffraction');
    assert.equal(ds.metadata.voltageKV, 200);
    assert.equal(ds.metadata.cameraLengthMm, 400);
    assert.equal(ds.metadata.microscope, 'JEM-ARM200F');
    assert.equal(ds.metadata.exposureS, 0.25);
    assert.equal(ds.metadata.acquisitionDate, '2015-07-30T07:17:25.7725342+09:00');
  });

  corpusIt('tiff/FEI-Helios-Ebeam-16bits.tif', 'reads the FEI Helios SEM image with its pixel size and beam metadata (tag 34682)', async file => {
    const ds = await lowdose.io.read(file);
    assert.equal(ds.metadata.sourceFormat, 'tiff', 'io.read sniffs TIFF');
    expectPixels(ds, [471, 512], 'Uint16Array', { min: 0, max: 65280, mean: 785.0849257, sum: 189324800, first: 0 });
    // rsciio L553-567: µm, 3.3724 (rtol 1e-5); HyperSpy 1.7.3: 3.3724e-06 m
    expectAxes(ds, [['y', 471, 3.3724, 'um'], ['x', 512, 3.3724, 'um']], 1e-5);
    assert.equal(ds.metadata.voltageKV, 5);
    assert.equal(ds.metadata.dwellTimeS, 1e-5);
    assertClose(ds.metadata.workingDistanceMm as number, 4.03466, 1e-9, 'working distance');
    assertClose(ds.metadata.beamCurrentNA as number, 0.00625, 1e-9, 'beam current');
    const stage = ds.metadata.stage as { xM: number; yM: number; zM: number; rotationDeg: number; tiltDeg: number };
    assertClose(stage.rotationDeg, (-2.3611 * 180) / Math.PI, 1e-9, 'stage rotation');
    assertClose(stage.tiltDeg, (6.54498e-6 * 180) / Math.PI, 1e-9, 'stage tilt');
    assertClose(stage.xM, 2.576e-5, 1e-12, 'stage x');
    assertClose(stage.yM, -0.000194177, 1e-12, 'stage y');
    assertClose(stage.zM, 0.007965, 1e-12, 'stage z');
    const fei = original(ds).fei as { Stage: { StageR: string; StageT: string } };
    assert.deepEqual([fei.Stage.StageR, fei.Stage.StageT], ['-2.3611', '6.54498e-006']);
    assert.equal(ds.metadata.microscope, 'Helios NanoLab" 660');
    assert.equal(ds.metadata.detector, 'ETD');
    assert.equal(ds.metadata.acquisitionDate, '2016-06-13T17:06:40');
  });

  corpusIt('tiff/13pf_MT.tif', 'reads the 36-page uint8 tomogram with 1.052 nm voxels, and streams it page by page', async file => {
    const ds = await lowdose.io.readTiff(file);
    expectPixels(ds, [36, 206, 94], 'Uint8Array', { min: 0, max: 255, mean: 106.0622447, sum: 73936415, first: 121 });
    assert.equal(ds.metadata.sourceDtype, '|u1');
    // ImageJ spacing=1.052, unit=nm; XResolution 0.95057 px/nm → 1.052 nm
    expectAxes(ds, [['z', 36, 1.052, 'nm'], ['y', 206, 1.052, 'nm'], ['x', 94, 1.052, 'nm']], 1e-6);
    assertClose(1 / (tags(ds).XResolution as number[]).reduce((n, d) => n / d), 1.052, 1e-6, '1/XResolution');
    const src = await lowdose.io.openTiff(file);
    try {
      assert.deepEqual(src.shape, [36, 206, 94]);
      assert.equal(src.frameCount, 36);
      const last = await src.frame(35);
      assert.deepEqual(last.data.shape, [206, 94]);
      for (let i = 0; i < 206 * 94; i++) assert.equal(last.data.data[i], ds.data.data[35 * 206 * 94 + i]);
      let sum = 0;
      let frames = 0;
      for await (const chunk of src.frames({ chunkSize: 10 })) {
        frames += chunk.data.shape[0];
        sum += stats(chunk.data.data as ArrayLike<number>).sum;
      }
      assert.equal(frames, 36);
      assert.equal(sum, 73936415);
    } finally {
      await src.close();
    }
  });

  corpusIt('tiff/16bit.cropped.tif', 'reads the little-endian uint16 image (Pillow: pixel (0,0) = 480)', async file => {
    const ds = await lowdose.io.readTiff(file);
    expectPixels(ds, [64, 64], 'Uint16Array', PILLOW_16BIT);
    assert.equal(ds.metadata.sourceDtype, '<u2');
    expectAxes(ds, [['y', 64, 1, ''], ['x', 64, 1, '']]);
  });

  corpusIt('tiff/16bit.MM.cropped.tif', 'reads the big-endian uint16 image with the same pixels', async file => {
    const ds = await lowdose.io.readTiff(file);
    expectPixels(ds, [64, 64], 'Uint16Array', PILLOW_16BIT);
    assert.equal(ds.metadata.sourceDtype, '>u2');
    assert.equal(original(ds).byteOrder, 'MM');
    // 72 dpi (inch) is a display resolution, not a pixel size
    expectAxes(ds, [['y', 64, 1, ''], ['x', 64, 1, '']]);
  });

  corpusIt('tiff/16bit.deflate.tif', 'reads the Deflate-compressed uint16 image with the same pixels', async file => {
    const ds = await lowdose.io.readTiff(file);
    expectPixels(ds, [64, 64], 'Uint16Array', PILLOW_16BIT);
    assert.equal(original(ds).compression, 8);
    assert.equal(ds.metadata.sourceDtype, '<u2');
  });

  corpusIt('tiff/hopper_bigtiff.tif', 'reads the BigTIFF RGB image with a last axis of 3', async file => {
    const ds = await lowdose.io.readTiff(file);
    expectPixels(ds, [128, 128, 3], 'Uint8Array', { min: 0, max: 255, mean: 88.39113363, sum: 4344601, first: 20 });
    assert.equal(original(ds).bigTiff, true);
    assert.equal(ds.axes[2].name, 'rgb');
    const channel = (c: number): number[] => Array.from({ length: 128 * 128 }, (_, i) => ds.data.data[3 * i + c]);
    assertClose(stats(channel(0)).mean, 89.71063232, 1e-9, 'R mean');
    assertClose(stats(channel(1)).mean, 80.08544922, 1e-9, 'G mean');
    assertClose(stats(channel(2)).mean, 95.37731934, 1e-9, 'B mean');
  });

  corpusIt('tiff/tiff_strip_planar_lzw.tiff', 'decodes LZW strips in separate colour planes', async file => {
    const ds = await lowdose.io.readTiff(file);
    const s = stats(ds.data.data as ArrayLike<number>);
    assert.deepEqual(ds.data.shape, [374, 278, 3]);
    assert.deepEqual([s.min, s.max], [0, 255]);
    assertClose(s.mean, PILLOW_RGB_MEAN, 1e-12, 'mean (PIL 9.4)');
    assert.deepEqual([original(ds).compression, original(ds).planarConfiguration, original(ds).tiled], [5, 2, false]);
  });

  corpusIt('tiff/tiff_tiled_planar_lzw.tiff', 'decodes LZW tiles in separate colour planes, pixel-equal to the strip file', async file => {
    const ds = await lowdose.io.readTiff(file);
    const s = stats(ds.data.data as ArrayLike<number>);
    assert.deepEqual(ds.data.shape, [374, 278, 3]);
    assert.deepEqual([s.min, s.max], [0, 255]);
    assertClose(s.mean, PILLOW_RGB_MEAN, 1e-12, 'mean (PIL 9.4)');
    assert.deepEqual([original(ds).compression, original(ds).planarConfiguration, original(ds).tiled], [5, 2, true]);
    const strips = await lowdose.io.readTiff(file.replace('tiff_tiled_planar_lzw', 'tiff_strip_planar_lzw'));
    assert.deepEqual(Buffer.from(ds.data.data as Uint8Array), Buffer.from(strips.data.data as Uint8Array));
  });
});
