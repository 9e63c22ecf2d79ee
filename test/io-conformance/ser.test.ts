// One test per .ser file under ser/ (plus the two-detector .emi), asserting what MANIFEST.md records:
// shape, dtype, min/max/mean/sum, first element (after the vertical flip RosettaSciIO applies),
// axes and the EMI metadata.
//
// Offsets: RosettaSciIO converts TIA scales from metres to nm but leaves offsets in metres, and it
// ignores CalibrationElement for navigation axes. lowdose converts offsets too and applies the TIA
// definition (value CalibrationOffset at CalibrationElement), so MANIFEST's "off -1.7208e-07" (m)
// is asserted here as −172.08 nm, and the 5×5 spectrum image's y offset (element 5) differs.
import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';
import { assertClose, corpusFile, corpusIt, expectAxes, expectStats } from './corpus';

type Ds = lowdose.Dataset;

const dtype = (ds: Ds) => lowdose.dtypeOf(ds.data);
const seriesVersion = (ds: Ds) => (ds.metadata.original as { serHeader: { seriesVersion: number } }).serHeader.seriesVersion;

describe('io conformance: TIA SER/EMI (MANIFEST.md)', () => {
  corpusIt('ser/64x64_TEM_images_acquire_1.ser', 'reads the 64×64 float32 TEM image flipped as the reference .npy, 6.2818 nm/px, mag 19500', async file => {
    const ds = await lowdose.io.read(file);
    assert.equal(ds.metadata.sourceFormat, 'ser');
    assert.equal(seriesVersion(ds), 528);
    assert.deepEqual(ds.data.shape, [64, 64]);
    assert.equal(dtype(ds), 'float32');
    expectStats(ds, { min: 7737.379395, max: 49743.01953, mean: 40295.64475, sum: 165050960.9, first: 49154.60547 });
    expectAxes(ds, [
      ['y', 64, 6.281833, 'nm', -201.0187],
      ['x', 64, 6.281833, 'nm', -201.0187]
    ]);
    // the reference .npy rsciio's tests compare with is the flipped SER payload
    const ref = await lowdose.io.read(corpusFile('npy/64x64_TEM_images_acquire.npy'));
    assert.deepEqual(Array.from(ds.data.data as Float32Array), Array.from(ref.data.data as Float32Array));
    assert.equal(ds.metadata.magnification, 19500);
    assert.equal(ds.metadata.voltageKV, 200);
    assert.equal(ds.metadata.microscope, 'Tecnai 200 kV D2267 SuperTwin');
    assert.equal(ds.metadata.acquisitionDate, '2016-02-21T17:50:18');
    assert.equal(ds.metadata.acquisitionMode, 'TEM');
    const ed = (ds.metadata.original as { emi: { ExperimentalDescription: Record<string, string> } }).emi.ExperimentalDescription;
    assertClose(Number(ed['Stage A_deg']), 0, 1e-12, 'tilt alpha (deg)');
  });

  corpusIt('ser/64x64_diffraction_acquire_1.ser', 'reads the 64×64 diffraction pattern in 1/nm (0.101571) with camera length 490 mm', async file => {
    const ds = await lowdose.io.readSer(file);
    assert.deepEqual(ds.data.shape, [64, 64]);
    assert.equal(dtype(ds), 'float32');
    expectStats(ds, { min: -591.5082397, max: 2531.028564, mean: 12.60619636, sum: 51634.9803, first: -446.083252 });
    expectAxes(ds, [
      ['y', 64, 0.101572, '1/nm', -3.2503039],
      ['x', 64, 0.101572, '1/nm', -3.2503039]
    ]);
    assert.equal(ds.metadata.cameraLengthMm, 490);
    assert.equal(ds.metadata.signalType, 'diffraction');
  });

  corpusIt('ser/16x16_STEM_BF_DF_acquire_1.ser', 'reads detector 1 (16×16 uint16) at 21.51 nm, CL 40 mm, mag 10000', async file => {
    const ds = await lowdose.io.read(file);
    assert.deepEqual(ds.data.shape, [16, 16]);
    assert.equal(dtype(ds), 'uint16');
    expectStats(ds, { min: 0, max: 3, mean: 0.51171875, sum: 131, first: 0 });
    expectAxes(ds, [
      ['y', 16, 21.510044, 'nm', -172.08035],
      ['x', 16, 21.510044, 'nm', -172.08035]
    ]);
    assert.equal(ds.metadata.cameraLengthMm, 40);
    assert.equal(ds.metadata.magnification, 10000);
    assert.equal(ds.metadata.acquisitionMode, 'STEM');
    const ed = (ds.metadata.original as { emi: { ExperimentalDescription: Record<string, string> } }).emi.ExperimentalDescription;
    assert.equal(Number(ed['Stage X_um']) * 1e-3, -0.000158);
    assert.equal(Number(ed['Stage Y_um']) * 1e-3, 0.000019);
  });

  corpusIt('ser/16x16_STEM_BF_DF_acquire_2.ser', 'reads detector 2 (16×16 uint16)', async file => {
    const ds = await lowdose.io.read(file);
    assert.deepEqual(ds.data.shape, [16, 16]);
    assert.equal(dtype(ds), 'uint16');
    expectStats(ds, { min: 2549, max: 2798, mean: 2680.347656, sum: 686169, first: 2722 });
    expectAxes(ds, [
      ['y', 16, 21.510044, 'nm', -172.08035],
      ['x', 16, 21.510044, 'nm', -172.08035]
    ]);
  });

  corpusIt('ser/16x16_STEM_BF_DF_acquire.emi', 'reads both detectors of the .emi as two signals', async file => {
    const all = await lowdose.io.readAll(file);
    assert.equal(all.length, 2);
    assert.deepEqual(all.map(d => d.data.shape), [[16, 16], [16, 16]]);
    assert.deepEqual(all.map(d => d.data.get(0, 0)), [0, 2722]);
    assertClose(all[0].axes[1].scale, 21.510044, 1e-6, 'scale');
  });

  corpusIt('ser/16x16-spectrum_image-5x5x1024_1.ser', 'reads the 5×5×1024 int32 EDS spectrum image with a negative y step', async file => {
    const ds = await lowdose.io.read(file);
    assert.deepEqual(ds.data.shape, [5, 5, 1024]);
    assert.equal(dtype(ds), 'int32');
    expectStats(ds, { min: -48, max: 60, mean: 6.4253125, sum: 164488, first: 2 });
    // y: CalibrationOffset −8.57918e-11 m at element 5, step −0.12054 nm → 0.516907 nm at index 0
    expectAxes(ds, [
      ['y', 5, -0.12053969, 'nm', 0.5169066],
      ['x', 5, 0.12053969, 'nm', -0.3655093],
      ['Energy', 1024, 0.2, 'eV', -20]
    ]);
    assert.equal(ds.metadata.voltageKV, 300);
  });

  corpusIt('ser/16x16-line_profile_horizontal_10x1024_1.ser', 'reads the 10-point line profile of 1024-channel spectra', async file => {
    const ds = await lowdose.io.read(file);
    assert.deepEqual(ds.data.shape, [10, 1024]);
    assert.equal(dtype(ds), 'int32');
    expectStats(ds, { min: -42, max: 56, mean: 2.119140625, sum: 21700, first: 20 });
    expectAxes(ds, [
      ['x', 10, 0.12303413, 'nm', 0],
      ['Energy', 1024, 0.2, 'eV', -20]
    ]);
    assert.equal(ds.metadata.acquisitionDate, '2016-02-22T11:50:36');
  });

  corpusIt('ser/16x16-point_spectrum-1x1024_1.ser', 'reads the single point spectrum as 1×1024', async file => {
    const ds = await lowdose.io.read(file);
    assert.deepEqual(ds.data.shape, [1, 1024]);
    expectStats(ds, { min: -39, max: 40, mean: -0.759765625, sum: -778, first: -4 });
    expectAxes(ds, [
      ['x', 1, 1e9, 'nm', 0],
      ['Energy', 1024, 0.2, 'eV', -20]
    ]);
  });

  corpusIt('ser/X - Au NP EELS_2.ser', 'reads only the valid element of the interrupted EELS series (2048 channels, offset 2160 eV)', async file => {
    const ds = await lowdose.io.read(file);
    assert.deepEqual(ds.data.shape, [2048]);
    assert.equal(dtype(ds), 'int32');
    // MANIFEST's hyperspy 1.7.3 stats are over 2×2048 with the missing element zero-filled
    expectStats(ds, { min: 319, max: 686, mean: 1073886 / 2048, sum: 1073886, first: 455 });
    expectAxes(ds, [['Energy', 2048, 0.2, 'eV', 2160]]);
    const padded = await lowdose.io.readSer(file, { onlyValidData: false });
    assert.deepEqual(padded.data.shape, [2, 2048]);
    expectStats(padded, { min: 0, max: 686, mean: 262.1791992, sum: 1073886, first: 455 });
  });

  corpusIt('ser/128x128_TEM_acquire-sum1_1.ser', 'reads the TIA "new" (0x220, 64-bit offsets) 128×128 int32 image, mag 5500', async file => {
    const ds = await lowdose.io.read(file);
    assert.equal(seriesVersion(ds), 544);
    assert.deepEqual(ds.data.shape, [128, 128]);
    assert.equal(dtype(ds), 'int32');
    expectStats(ds, { min: -473, max: 482, mean: 28.32373047, sum: 464056, first: 64 });
    expectAxes(ds, [
      ['y', 128, 21.479318, 'nm', -1374.6763],
      ['x', 128, 21.479318, 'nm', -1374.6763]
    ]);
    assert.equal(ds.metadata.magnification, 5500);
  });

  corpusIt('ser/128x128x5-diffraction_preview_1.ser', 'reads the 5-frame diffraction preview at 0.042464 1/nm, CL 1100 mm', async file => {
    const ds = await lowdose.io.read(file);
    assert.deepEqual(ds.data.shape, [5, 128, 128]);
    assert.equal(dtype(ds), 'int32');
    expectStats(ds, { min: -351, max: 1317, mean: 114.9453857, sum: 9416326, first: 128 });
    expectAxes(ds, [
      ['frame', 5, 1, '', 0],
      ['y', 128, 0.04246413, '1/nm', -2.7177046],
      ['x', 128, 0.04246413, '1/nm', -2.7177046]
    ]);
    assert.equal(ds.metadata.cameraLengthMm, 1100);
  });

  corpusIt('ser/16x16-line_profile_horizontal_5x128x128_EDS_1.ser', 'reads the EDS part of the line scan (5×4000 uint32, 5 eV)', async file => {
    const ds = await lowdose.io.read(file);
    assert.deepEqual(ds.data.shape, [5, 4000]);
    assert.equal(dtype(ds), 'uint32');
    expectStats(ds, { min: 0, max: 1, mean: 0.00055, sum: 11, first: 0 });
    expectAxes(ds, [
      ['x', 5, 3.6886364, 'nm', 0],
      ['Energy', 4000, 5, 'eV', 0]
    ]);
  });

  corpusIt('ser/16x16-line_profile_horizontal_5x128x128_EDS_2.ser', 'reads the diffraction part of the line scan (5×128×128 int32, 0.174353 1/nm)', async file => {
    const ds = await lowdose.io.read(file);
    assert.deepEqual(ds.data.shape, [5, 128, 128]);
    assert.equal(dtype(ds), 'int32');
    expectStats(ds, { min: -1072, max: 1173, mean: -201.2760376, sum: -16488533, first: -64 });
    expectAxes(ds, [
      ['x', 5, 3.6886364, 'nm', 0],
      ['y', 128, 0.17435342, '1/nm', -11.158619],
      ['x', 128, 0.17435342, '1/nm', -11.158619]
    ]);
  });

  corpusIt('ser/16x16-spectrum_image_5x5x4000-not_square_1.ser', 'reads the non-square-pixel 5×5×4000 spectrum image (all zero)', async file => {
    const ds = await lowdose.io.read(file);
    assert.deepEqual(ds.data.shape, [5, 5, 4000]);
    assert.equal(dtype(ds), 'uint32');
    expectStats(ds, { min: 0, max: 0, mean: 0, sum: 0, first: 0 });
    assertClose(ds.axes[0].scale, -4.25819373, 1e-6, 'y scale');
    assertClose(ds.axes[1].scale, 1.9859142, 1e-6, 'x scale');
    assert.deepEqual(ds.axes.map(a => [a.name, a.units]), [['y', 'nm'], ['x', 'nm'], ['Energy', 'eV']]);
    assertClose(ds.axes[2].scale, 5, 1e-12, 'energy scale');
  });

  corpusIt('ser/16_STOimage_1.ser', 'reads the 1024×1024 SrTiO3 HAADF (data[0,0] = 18024 after the flip) at 80 kV', async file => {
    const ds = await lowdose.io.read(file);
    assert.equal(seriesVersion(ds), 528);
    assert.deepEqual(ds.data.shape, [1024, 1024]);
    assert.equal(dtype(ds), 'uint16');
    expectStats(ds, { min: 16121, max: 24376, mean: 18748.33259, sum: 1.96590516e10, first: 18024 });
    assert.equal(ds.data.get(1023, 0), 19351, 'file-order [0,0] ends up in the last row');
    expectAxes(ds, [
      ['y', 1024, 0.0100127, 'nm', -5.1265046],
      ['x', 1024, 0.0100127, 'nm', -5.1265046]
    ]);
    const first = (ds.metadata.original as { firstElement: { calibration: Array<{ element: number }> } }).firstElement;
    assert.equal(first.calibration[1].element, 0);
    assert.equal(ds.metadata.voltageKV, 80);
    const emi = (ds.metadata.original as { emi: { ExperimentalConditions: { MicroscopeConditions: { AcceleratingVoltage: string } } } }).emi;
    assert.equal(Number(emi.ExperimentalConditions.MicroscopeConditions.AcceleratingVoltage), 80000);
  });
});
