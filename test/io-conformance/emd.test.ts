// One test per corpus file under emd/, asserting what MANIFEST.md records for it: signals and their
// order/titles, shapes, dtypes, axes (scale/units/offset), min/max/mean/sum, first element and
// metadata. Unit conventions: Velox SI lengths are returned in nm (1/m in 1/nm), so MANIFEST's µm /
// pm / 1/µm values are converted in the expectations below.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import * as lowdose from 'lowdose';
import { assertClose, corpusIt, expectAxes, expectStats } from './corpus';

type Ds = lowdose.Dataset;

const dtype = (ds: Ds) => lowdose.dtypeOf(ds.data);
const titles = (all: Ds[]) => all.map(d => d.metadata.title);

describe('io conformance: EMD (MANIFEST.md)', () => {
  corpusIt('emd/example_signal.emd', 'reads the HyperSpy 3×3×3 int32 signal transposed, as RosettaSciIO does', async file => {
    const ds = await lowdose.io.read(file);
    assert.equal(ds.metadata.sourceFormat, 'emd-berkeley');
    assert.deepEqual(ds.data.shape, [3, 3, 3]);
    assert.equal(dtype(ds), 'int32');
    expectStats(ds, { min: 0, max: 26, mean: 13, sum: 351, first: 0 });
    // stored arange(27).reshape(3,3,3); rsciio asserts the data equal its transpose
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) assert.equal(ds.data.get(i, j, k), k * 9 + j * 3 + i);
    ds.axes.forEach(a => assert.equal(a.scale, 1));
    // from bytes (h5wasm reads a temporary copy, removed afterwards)
    const temps = () => fs.readdirSync(os.tmpdir()).filter(f => f.startsWith(`lowdose-${process.pid}-`)).length;
    const before = temps();
    const fromBytes = await lowdose.io.read(new Uint8Array(fs.readFileSync(file)), { name: 'example_signal.emd' });
    assert.deepEqual(Array.from(fromBytes.data.data as Int32Array), Array.from(ds.data.data as Int32Array));
    assert.equal(fromBytes.metadata.sourceFile, 'example_signal.emd');
    assert.equal(temps(), before, 'temporary copy removed');
  });

  corpusIt('emd/example_spectrum.emd', 'reads the 1-D int32 spectrum [0, 1, 2]', async file => {
    const ds = await lowdose.io.readEmd(file);
    assert.deepEqual(ds.data.shape, [3]);
    assert.equal(dtype(ds), 'int32');
    assert.deepEqual(Array.from(ds.data.data as Int32Array), [0, 1, 2]);
    expectStats(ds, { min: 0, max: 2, mean: 1, sum: 3, first: 0 });
    assert.equal(ds.metadata.signalType, 'spectrum');
  });

  corpusIt('emd/example_metadata.emd', "reads 'This is a test!' with its user, microscope, sample and comments groups", async file => {
    const ds = await lowdose.io.readEmd(file, { signal: 'This is a test!' });
    assert.equal(ds.metadata.title, 'This is a test!');
    assert.deepEqual(ds.data.shape, [3, 3]);
    expectStats(ds, { min: 0, max: 8, mean: 4, sum: 36, first: 0 });
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) assert.equal(ds.data.get(i, j), j * 3 + i);
    const o = ds.metadata.original as Record<string, Record<string, unknown>>;
    assert.deepEqual(o.user, { name: 'John Doe', institution: 'TestUniversity', department: 'Microscopy', email: 'johndoe@web.de' });
    assert.deepEqual(o.microscope, { name: 'Titan', voltage: '300kV' });
    assert.deepEqual(o.sample, { material: 'TiO2', preparation: 'FIB' });
    assert.deepEqual(o.comments, { comment: 'Test' });
    assert.equal(ds.metadata.voltageKV, 300);
    assert.equal(ds.metadata.microscope, 'Titan');
  });

  corpusIt('emd/Acquisition_18.emd', 'reads the NCEM TEAM 0.5 1024×1024 uint16 image with its microscope attributes', async file => {
    const ds = await lowdose.io.readEmd(file);
    assert.deepEqual(ds.data.shape, [1024, 1024]);
    assert.equal(dtype(ds), 'uint16');
    expectStats(ds, { min: 4842, max: 23891, mean: 10663.45363, sum: 1.118144156e10, first: 12487 });
    // units 'n_m' (rsciio cannot parse it and leaves them blank) are nanometres
    expectAxes(ds, [
      ['X', 1024, 0.0122465, 'nm', 0],
      ['Y', 1024, 0.0122465, 'nm', 0]
    ]);
    const mic = (ds.metadata.original as { microscope: Record<string, unknown> }).microscope;
    assert.equal(mic.binning, 4);
    assert.equal(ds.metadata.voltageKV, 200);
    assert.equal(ds.metadata.magnification, 5.1e6);
    assert.equal(ds.metadata.cameraLengthMm, 85);
    assert.equal(ds.metadata.microscope, 'TEAM 0.5');
  });

  corpusIt('emd/Si100_2D_3D_DPC_potential_2slices.emd', 'reads the four Prismatic signals with the depth series stacked', async file => {
    const all = await lowdose.io.readAll(file);
    assert.deepEqual(titles(all), ['DPC_CoM', 'annular_detector', 'ppotential', 'virtual_detector']);
    assert.deepEqual(all.map(d => d.data.shape), [[2, 2, 22, 22], [2, 22, 22], [4, 16, 16], [2, 18, 22, 22]]);
    all.forEach(d => assert.equal(dtype(d), 'float32'));
    const [dpc, annular, pot, vd] = all;
    expectAxes(dpc, [
      ['DPC_CoM_depth', 2, 2.715, 'A', 2.715],
      ['dim3', 2, 1, ''],
      ['R_y', 22, 0.25, 'nm'],
      ['R_x', 22, 0.25, 'nm']
    ]);
    expectStats(dpc, { min: -0.00440038275, max: 0.004340979271, mean: -8.092834508e-5, sum: -0.1566772761, first: -1.275607792e-5 });
    expectAxes(annular, [
      ['annular_detector_depth', 2, 2.715, 'A', 2.715],
      ['R_y', 22, 0.25, 'nm'],
      ['R_x', 22, 0.25, 'nm']
    ]);
    expectStats(annular, { min: 0, max: 0, mean: 0, sum: 0, first: 0 });
    expectAxes(pot, [
      ['R_z', 4, 1.3575, 'nm'],
      ['R_y', 16, 0.339375, 'nm'],
      ['R_x', 16, 0.339375, 'nm']
    ]);
    expectStats(pot, { min: 0, max: 377.3857422, mean: 18.94149309, sum: 19396.08893, first: 4.245926857 });
    expectAxes(vd, [
      ['virtual_detector_depth', 2, 2.715, 'A', 2.715],
      ['bin_outer_angle', 18, 0.001, 'mrad', 0.0005],
      ['R_y', 22, 0.25, 'nm'],
      ['R_x', 22, 0.25, 'nm']
    ]);
    expectStats(vd, { min: 0, max: 0.5913984776, mean: 0.05541995835, sum: 965.6373543, first: 0.1797189415 });
    assert.equal(dpc.metadata.voltageKV, 100);
  });

  corpusIt('emd/Si100_4D.emd', 'reads the Prismatic 4D-STEM data cubes as [depth, Rx, Ry, Qx, Qy]', async file => {
    const ds = await lowdose.io.read(file);
    assert.equal(ds.metadata.title, 'CBED_array');
    assert.deepEqual(ds.data.shape, [2, 11, 11, 8, 8]);
    assert.equal(dtype(ds), 'float32');
    expectAxes(ds, [
      ['CBED_array_depth', 2, 2.715, 'A', 2.715],
      ['R_x', 11, 0.5, 'nm', 0],
      ['R_y', 11, 0.5, 'nm', 0],
      ['Q_x', 8, 0.18416205, '1/nm', -0.73664826],
      ['Q_y', 8, 0.18416205, '1/nm', -0.73664826]
    ]);
    expectStats(ds, { min: 3.916989044e-8, max: 0.02030744776, mean: 0.01428691273, sum: 221.2757043, first: 1.061423447e-7 });
    assert.equal(ds.metadata.signalType, '4d-stem');
    // one depth alone, by its group name
    const d1 = await lowdose.io.readEmd(file, { signal: 'CBED_array_depth0001' });
    assert.deepEqual(d1.data.shape, [11, 11, 8, 8]);
    assert.equal(d1.data.get(3, 4, 5, 6), ds.data.get(1, 3, 4, 5, 6));
  });

  corpusIt('emd/py4DSTEM_size2x3x4x5.h5', 'reads the EMD 1.0 data cube 2×3×4×5 with R in nm and Q in 1/Å', async file => {
    const ds = await lowdose.io.read(file);
    assert.deepEqual(ds.data.shape, [2, 3, 4, 5]);
    assert.equal(dtype(ds), 'float32');
    expectAxes(ds, [
      ['Rx', 2, 0.126796875, 'nm', 0],
      ['Ry', 3, 0.126796875, 'nm', 0],
      ['Qx', 4, 0.044251566616087125, '1/A', 0],
      ['Qy', 5, 0.044251566616087125, '1/A', 0]
    ]);
    const cal = (ds.metadata.original as { calibration: Record<string, unknown> }).calibration;
    assertClose(cal.Q_pixel_size as number, 0.044251566616087125, 1e-12, 'Q_pixel_size');
    assertClose(cal.R_pixel_size as number, 0.126796875, 1e-12, 'R_pixel_size');
    assertClose(ds.metadata.pixelSizeA as number, 1.26796875, 1e-9, 'pixelSizeA');
  });

  corpusIt('emd/fei_example_complex_fft.emd', 'reads the Velox half-plane FFT (3×4) as complex data', async file => {
    const ds = await lowdose.io.read(file);
    assert.equal(ds.metadata.sourceFormat, 'emd-velox');
    assert.equal(ds.metadata.title, 'Half FFT');
    assert.deepEqual(ds.data.shape, [3, 4]);
    assert.ok(ds.imag, 'complex data carry an imaginary part');
    assert.equal(dtype(ds), 'float32');
    assert.equal(ds.metadata.sourceDtype, '<c8');
    assert.equal(ds.data.get(0, 0), 1075972736.0);
    assert.equal(ds.imag.get(0, 0), -2.0);
    // 98.0158 1/µm = 0.0980158 1/nm, offset −49.0079 1/µm
    expectAxes(ds, [
      ['y', 3, 0.0980158, '1/nm', -0.0490079],
      ['x', 4, 0.0980158, '1/nm', -0.0490079]
    ]);
  });

  corpusIt('emd/FFTComplexEven.emd', 'reads the 70×36 complex half FFT and the 128×128 HAADF it came from', async file => {
    const all = await lowdose.io.readAll(file);
    assert.deepEqual(titles(all), ['Half FFT', 'HAADF']);
    const [fft, haadf] = all;
    assert.deepEqual(fft.data.shape, [70, 36]);
    assert.ok(fft.imag);
    assert.equal(fft.data.get(0, 0), 117118000.0);
    assert.equal(fft.imag.get(0, 0), 0);
    expectAxes(fft, [
      ['y', 70, 0.526851e-3, '1/nm', -0.263425e-3],
      ['x', 36, 0.526851e-3, '1/nm', -0.263425e-3]
    ]);
    assert.deepEqual(haadf.data.shape, [128, 128]);
    assert.equal(dtype(haadf), 'uint16');
    expectStats(haadf, { min: 5762, max: 55735, mean: 23966.89081, sum: 392673539, first: 18004 });
    expectAxes(haadf, [
      ['y', 128, 27.1153, 'nm', 0],
      ['x', 128, 27.1153, 'nm', 0]
    ]);
    assert.equal(haadf.metadata.voltageKV, 300);
    assert.match(String(haadf.metadata.microscope), /Spectra/);
  });

  corpusIt('emd/fei_example_dpc_titles.emd', 'reads the nine DPC images with RosettaSciIO’s titles, DPC complex', async file => {
    const all = await lowdose.io.readAll(file);
    assert.deepEqual(titles(all), ['B-D', 'DPC', 'iDPC', 'DF4-C', 'DF4-B', 'DF4-A', 'A-C', 'DF4-D', 'Filtered iDPC']);
    all.forEach((d, i) => {
      assert.deepEqual(d.data.shape, [2, 2]);
      assert.equal(!!d.imag, i === 1, `${d.metadata.title} complex`);
      // 99.6199 pm = 0.0996199 nm
      expectAxes(d, [
        ['y', 2, 0.0996199, 'nm'],
        ['x', 2, 0.0996199, 'nm']
      ]);
    });
    const byTitle = (t: string) => all.find(d => d.metadata.title === t) as Ds;
    expectStats(byTitle('B-D'), { min: -2208, max: -1072, mean: -1622, sum: -6488, first: -1170 });
    assertClose(byTitle('DPC').data.get(0, 0), -32.84666442871094, 1e-9, 'DPC re');
    assertClose((byTitle('DPC').imag as lowdose.NdArray).get(0, 0), -214.79666137695312, 1e-9, 'DPC im');
    expectStats(byTitle('iDPC'), { min: 186561.3438, max: 187585.0938, mean: 187064.668, sum: 748258.6719, first: 187515.3594 });
    expectStats(byTitle('DF4-C'), { min: 29955, max: 30503, mean: 30234, sum: 120936, first: 29955 });
    expectStats(byTitle('DF4-B'), { min: 29094, max: 30202, mean: 29559.75, sum: 118239, first: 29094 });
    expectStats(byTitle('DF4-A'), { min: 29142, max: 30335, mean: 30001.25, sum: 120005, first: 30313 });
    expectStats(byTitle('A-C'), { min: -1361, max: 358, mean: -232.75, sum: -931, first: 358 });
    expectStats(byTitle('DF4-D'), { min: 30264, max: 32410, mean: 31181.75, sum: 124727, first: 30264 });
    expectStats(byTitle('Filtered iDPC'), { min: 9776.375, max: 10810.75, mean: 10285.22266, sum: 41140.89062, first: 10375.51562 });
    assert.equal(dtype(byTitle('DF4-C')), 'uint16');
    assert.equal(byTitle('iDPC').metadata.voltageKV, 300);
    assert.equal(byTitle('iDPC').metadata.acquisitionDate, '2020-10-29T13:16:16.000Z');
  });

  corpusIt('emd/Test SI 16x16 215 kx.emd', 'reads 10 signals and decodes the EDX spectrum image from the event streams', async file => {
    const all = await lowdose.io.readAll(file);
    assert.equal(all.length, 10);
    assert.deepEqual(titles(all).slice(4), ['C', 'Ca', 'O', 'Cu', 'HAADF', 'EDS']);
    const spectra = all.slice(0, 4);
    spectra.forEach(s => assert.deepEqual(s.data.shape, [4096]));
    const sums = spectra.map(s => (Array.from(s.data.data as Uint32Array) as number[]).reduce((a, b) => a + b, 0));
    assert.deepEqual(sums.slice().sort((a, b) => a - b), [6437, 10177, 11538, 13945]);
    const si = all[9];
    assert.deepEqual(si.data.shape, [16, 16, 4096]);
    expectStats(si, { sum: 42097, max: 60 });
    assert.equal(si.axes[2].units, 'keV');
    assertClose(si.axes[0].scale, 3.5992492559614689, 1e-9, 'SI pixel (nm)');
    const haadf = all[8];
    assert.deepEqual(haadf.data.shape, [2, 16, 16], 'both HAADF frames, frames first');
    assert.equal(dtype(haadf), 'uint16');
    expectStats(haadf, { min: 5425, max: 16410, mean: 9225.916015625 });
    assert.deepEqual(si.metadata.elements, ['C', 'O', 'Ca', 'Cu']);
    assert.equal(si.metadata.voltageKV, 300);
    const def = await lowdose.io.read(file);
    assert.equal(def.metadata.title, 'C', 'the default is the first image-like signal');
  });

  corpusIt('emd/STEM HAADF Diffraction Micro.emd', 'reads the 128×128 HAADF at 87.3708 nm per pixel, 300 kV', async file => {
    const ds = await lowdose.io.read(file);
    assert.deepEqual(ds.data.shape, [128, 128]);
    assert.equal(dtype(ds), 'uint16');
    expectStats(ds, { min: 9987, max: 10002, mean: 9994.926758, sum: 163756880, first: 9993 });
    // 0.0873708 µm, offset −5.59173 µm
    expectAxes(ds, [
      ['y', 128, 87.3708, 'nm', -5591.73],
      ['x', 128, 87.3708, 'nm', -5591.73]
    ]);
    assert.equal(ds.metadata.voltageKV, 300);
    assert.equal(ds.metadata.detector, 'HAADF');
    assertClose(ds.metadata.pixelSizeA as number, 873.708, 1e-5, 'pixelSizeA');
    assert.equal((ds.metadata.original as { Optics: { AccelerationVoltage: string } }).Optics.AccelerationVoltage, '300000');
  });

  corpusIt('emd/Camera Ceta Diffraction Micro.emd', 'reads the 512×512 int16 Ceta pattern in 1/nm with a 378 mm camera length', async file => {
    const ds = await lowdose.io.read(file);
    assert.deepEqual(ds.data.shape, [512, 512]);
    assert.equal(dtype(ds), 'int16');
    expectStats(ds, { min: -10, max: 7, mean: -1.544780731, sum: -404955, first: -8 });
    expectAxes(ds, [
      ['y', 512, 0.11443, '1/nm', -29.294],
      ['x', 512, 0.11443, '1/nm', -29.294]
    ]);
    assert.equal((ds.metadata.original as { BinaryResult: { PixelUnitX: string } }).BinaryResult.PixelUnitX, '1/m');
    assert.equal(ds.metadata.signalType, 'diffraction');
    assert.equal(ds.metadata.cameraLengthMm, 378);
    assert.equal(ds.metadata.exposureS, 0.4);
  });
});
