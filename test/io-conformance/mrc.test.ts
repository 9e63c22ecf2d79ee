// One test per corpus file under mrc/, asserting what MANIFEST.md records for it (shape, dtype,
// voxel size, min/max/mean/sum, first element, header fields and upstream assertions).
import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';
import { assertClose, corpusIt } from './corpus';

type Ds = lowdose.Dataset;

function stats(ds: Ds): { min: number; max: number; mean: number; sum: number; std: number } {
  const a = ds.data.data as ArrayLike<number>;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const mean = sum / a.length;
  let ss = 0;
  for (let i = 0; i < a.length; i++) ss += (a[i] - mean) ** 2;
  return { min, max, mean, sum, std: Math.sqrt(ss / a.length) };
}

function expectStats(ds: Ds, e: { min: number; max: number; mean: number; sum: number; first: number }, tol = 1e-6): void {
  const s = stats(ds);
  assertClose(s.min, e.min, tol, 'min');
  assertClose(s.max, e.max, tol, 'max');
  assertClose(s.mean, e.mean, tol, 'mean');
  assertClose(s.sum, e.sum, tol, 'sum');
  assertClose(ds.data.get(...ds.data.shape.map(() => 0)), e.first, tol, 'first element');
}

function header(ds: Ds): Record<string, unknown> {
  return (ds.metadata.original as { header: Record<string, unknown> }).header;
}

function expectAxes(ds: Ds, expected: Array<[string, number, string]>, tol = 1e-6): void {
  assert.deepEqual(
    ds.axes.map(a => [a.name, a.units]),
    expected.map(([n, , u]) => [n, u])
  );
  ds.axes.forEach((a, i) => assertClose(a.scale, expected[i][1], tol, `axes[${i}].scale`));
}

/** The Direct Electron files: CELLA negative (−10 Å per pixel), stats unset (DMIN > DMAX). */
function expectDirectElectron(ds: Ds): void {
  const h = header(ds);
  assert.equal(h.nversion, 20140);
  assert.deepEqual(h.voxelSizeA, [-10, -10, 0]);
  assert.ok((h.dmin as number) > (h.dmax as number), 'DMIN > DMAX marks the statistics as unset');
  assert.equal(ds.axes[ds.axes.length - 1].scale, -10);
  assert.equal(ds.axes[ds.axes.length - 2].scale, -10);
  assert.equal(ds.metadata.pixelSizeA, undefined, 'a negative pixel size is not a pixelSizeA');
  assert.match(String(ds.metadata.warnings), /CELLA is negative/);
}

describe('io conformance: MRC (MANIFEST.md)', () => {
  corpusIt('mrc/HAADFscan.mrc', 'reads the Velox 16×16 uint16 image, 56.79 Å pixels and the FEI2 record', async file => {
    const ds = await lowdose.io.read(file);
    assert.equal(ds.metadata.sourceFormat, 'mrc');
    assert.deepEqual(ds.data.shape, [16, 16]);
    assert.ok(ds.data.data instanceof Uint16Array);
    assert.equal(ds.metadata.sourceDtype, '<u2');
    expectStats(ds, { min: 3923, max: 9399, mean: 6066.199219, sum: 1552947, first: 5715 });
    // rsciio: both signal axes 5.679131317138672 nm, offset 0
    expectAxes(ds, [['y', 56.79131317138672, 'A'], ['x', 56.79131317138672, 'A']], 1e-7);
    assert.deepEqual(ds.axes.map(a => a.offset), [0, 0]);
    assertClose(ds.metadata.pixelSizeA as number, 56.79131317, 1e-7, 'pixelSizeA (float32 precision)');
    const h = header(ds);
    assert.equal(h.nsymbt, 909312);
    assert.equal(h.exttyp, 'FEI2');
    const ext = (ds.metadata.original as { extendedHeader: { fei: Array<Record<string, unknown> | undefined> } }).extendedHeader;
    assert.equal(ext.fei.length, 1, 'NZ = 1 record read out of the 1024 pre-allocated slots');
    const r0 = ext.fei[0]!;
    assert.equal(r0['Metadata size'], 888);
    assert.equal(r0['Metadata version'], 2);
    assert.equal(r0['Microscope type'], 'Spectra');
    assert.equal(r0['D-Number'], '3814');
    assert.equal(r0.Application, 'Velox');
    assert.match(String(r0['Application version']), /^3\.7\.0\.872/);
    assert.equal(r0.HT, 300000);
    assertClose(r0['Pixel size X'] as number, 5.679131e-9, 1e-6, 'FEI pixel size (m)');
    assertClose(r0['Camera length'] as number, 0.0911, 1e-9, 'FEI camera length (m)');
    assert.equal(r0['Illumination mode'], 'Probe');
    assert.equal(ds.metadata.voltageKV, 300);
    assertClose(ds.metadata.cameraLengthMm as number, 91.1, 1e-9, 'cameraLengthMm');
    assert.equal(ds.metadata.microscope, 'Spectra');
  });

  corpusIt('mrc/20241021_00405_movie.mrc', 'reads the DE 4D-STEM movie as an 8×4 scan of 4×8 patterns (frame k constant k) with its sidecar', async file => {
    const ds = await lowdose.io.read(file);
    // rsciio test_mrc_metadata_auto: nav (8, 4) × sig (8, 4), array (4, 8, 4, 8)
    assert.deepEqual(ds.data.shape, [4, 8, 4, 8]);
    assert.ok(ds.data.data instanceof Uint16Array);
    assert.equal(ds.metadata.signalType, '4d-stem');
    assert.deepEqual(ds.axes.map(a => [a.name, a.scale, a.units]), [
      ['scanRow', 2, 'A'], // Specimen Pixel Size Y 0.2 nm
      ['scanCol', 1, 'A'], // Specimen Pixel Size X 0.1 nm
      ['detRow', 0.1, '1/nm'],
      ['detCol', 0.1, '1/nm']
    ]);
    expectStats(ds, { min: 0, max: 31, mean: 15.5, sum: 15872, first: 0 });
    for (let r = 0; r < 4; r++) for (let c = 0; c < 8; c++) assert.equal(ds.data.get(r, c, 3, 7), r * 8 + c);
    assert.equal(ds.metadata.detector, 'DESim');
    assert.equal(ds.metadata.magnification, 1000);
    assertClose(ds.metadata.frameTimeS as number, 1 / 700, 1e-12, 'frameTimeS (700 fps)');
    assert.equal((ds.metadata.original as { deInfo: Record<string, string> }).deInfo['Frames Per Second'], '700');
    assert.deepEqual(header(ds).voxelSizeA, [-10, -10, 0]);
    // without its sidecar (bytes) it is the 32×4×8 stack mrcfile returns, ISPG 1 with CELLA.z = 0 read as frames
    const { readFileSync } = await import('node:fs');
    const stack = await lowdose.io.read(readFileSync(file), { name: 'movie' });
    assert.deepEqual(stack.data.shape, [32, 4, 8]);
    assert.equal(stack.axes[0].name, 'frame');
    expectStats(stack, { min: 0, max: 31, mean: 15.5, sum: 15872, first: 0 });
    for (let k = 0; k < 32; k++) assert.equal(stack.data.get(k, 3, 7), k);
    expectDirectElectron(stack);
  });

  for (const name of ['20241021_00405_0_Virt 0_sum.mrc', '20241021_00405_1_Virt 1_sum.mrc']) {
    corpusIt(`mrc/${name}`, 'reads the 4×8 float32 virtual image with values 0..31 in raster order', async file => {
      const ds = await lowdose.io.read(file);
      assert.deepEqual(ds.data.shape, [4, 8]);
      assert.ok(ds.data.data instanceof Float32Array);
      expectStats(ds, { min: 0, max: 31, mean: 15.5, sum: 496, first: 0 });
      assert.deepEqual(Array.from(ds.data.data as Float32Array), Array.from({ length: 32 }, (_, i) => i));
      expectDirectElectron(ds);
    });
  }

  corpusIt('mrc/20241021_00405_ext1_Ext 1.mrc', 'reads the 4×8 float32 external-detector image', async file => {
    const ds = await lowdose.io.read(file);
    assert.deepEqual(ds.data.shape, [4, 8]);
    expectStats(ds, { min: 0, max: 0.03163199872, mean: 0.01531948744, sum: 0.490223598, first: 0 }, 1e-7);
    expectDirectElectron(ds);
  });

  corpusIt('mrc/20241021_00405_final.mrc', 'reads the 4×8 final sum in which every pixel is 496', async file => {
    const ds = await lowdose.io.read(file);
    assert.deepEqual(ds.data.shape, [4, 8]);
    expectStats(ds, { min: 496, max: 496, mean: 496, sum: 15872, first: 496 });
    expectDirectElectron(ds);
  });

  corpusIt('mrc/ROI_Random_Scan_movie.mrc', 'places the 348 random-scan frames on the 29×12 ROI grid; per-position sums match the DE sum image', async file => {
    const ds = await lowdose.io.read(file);
    // rsciio test_mrc_random_scan_pattern: shape (29, 12, 16, 16), signal sums ≈ ROI_Random_Scan_Sum.mrc (decimal=-1)
    assert.deepEqual(ds.data.shape, [29, 12, 16, 16]);
    assert.ok(ds.data.data instanceof Uint16Array);
    expectStats(ds, { min: 681, max: 1596, mean: 1172.748687, sum: 104477835, first: ds.data.get(0, 0, 0, 0) });
    assert.equal(ds.data.get(12, 7, 0, 0), 727, 'file frame 0 (value 727) sits at its CSV position x=7, y=12');
    const sum = await lowdose.io.read(file.replace('_movie.mrc', '_Sum.mrc'));
    let worst = 0;
    for (let r = 0; r < 29; r++) {
      for (let c = 0; c < 12; c++) {
        let s = 0;
        for (let i = 0; i < 16; i++) for (let j = 0; j < 16; j++) s += ds.data.get(r, c, i, j);
        worst = Math.max(worst, Math.abs(s - sum.data.get(r, c)));
      }
    }
    assert.ok(worst < 15, `largest |Σ pattern − sum image| = ${worst} (rsciio: decimal=-1)`);
    assert.equal(ds.metadata.detector, 'DESim');
    assertClose(ds.metadata.frameTimeS as number, 1 / 217.869674, 1e-9, 'frameTimeS');
    // in file order (no sidecars) it is mrcfile's 348×16×16 stack
    const { readFileSync } = await import('node:fs');
    const stack = await lowdose.io.read(readFileSync(file), { name: 'roi' });
    assert.deepEqual(stack.data.shape, [348, 16, 16]);
    expectStats(stack, { min: 681, max: 1596, mean: 1172.748687, sum: 104477835, first: 727 });
    expectDirectElectron(stack);
  });

  corpusIt('mrc/ROI_Random_Scan_Sum.mrc', 'reads the 29×12 float32 DE sum image', async file => {
    const ds = await lowdose.io.read(file);
    assert.deepEqual(ds.data.shape, [29, 12]);
    expectStats(ds, { min: 300174.5625, max: 300270.6875, mean: 300224.0336, sum: 104477963.7, first: 300209.9375 });
    expectDirectElectron(ds);
  });

  corpusIt('mrc/EMD-3197.map', 'reads the 20³ EMDB map with 11.4 Å voxels and mrcfile’s test values', async file => {
    const ds = await lowdose.io.read(file);
    assert.deepEqual(ds.data.shape, [20, 20, 20]);
    assert.equal(ds.metadata.signalType, 'volume');
    expectAxes(ds, [['z', 11.4, 'A'], ['y', 11.4, 'A'], ['x', 11.4, 'A']], 1e-7);
    expectStats(ds, { min: -4.13374567, max: 5.576736927, mean: 0.7836120336, sum: 6268.896269, first: -1.801309109 }, 1e-8);
    // mrcfile tests/test_mrcfile.py:L134-156
    assertClose(ds.data.get(9, 6, 13), 4.620779, 1e-6, 'data[9,6,13]');
    assertClose(ds.data.get(9, 6, 14), 5.0373931, 1e-6, 'data[9,6,14]');
    assertClose(ds.data.get(19, 19, 19), 1.3078574, 1e-6, 'data[-1,-1,-1]');
    const h = header(ds);
    const s = stats(ds);
    assert.equal(s.min, h.dmin);
    assert.equal(s.max, h.dmax);
    assertClose(s.mean, h.dmean as number, 1e-6, 'mean vs DMEAN');
    assertClose(s.std, h.rms as number, 1e-5, 'std vs RMS');
    assert.equal(h.machst, '44 41 00 00');
    assert.equal(h.nsymbt, 0);
    assert.equal(h.nxstart, -2);
    assert.equal(h.ispg, 1);
    assert.equal((h.labels as string[])[0].trim(), '::::EMDATABANK.org::::EMD-3197::::');
  });

  corpusIt('mrc/EMD-3001.map', 'reads the P21 MicroED map with MAPC/MAPR/MAPS 3,1,2 and two symmetry records', async file => {
    const ds = await lowdose.io.read(file);
    assert.deepEqual(ds.data.shape, [25, 43, 73], 'file order (sections, rows, columns), as mrcfile returns it');
    expectStats(ds, { min: -0.3681429625, max: 0.7216102481, mean: 0.0005329666823, sum: 41.82456039, first: 0.04283447191 }, 1e-7);
    const h = header(ds);
    assert.deepEqual([h.mapc, h.mapr, h.maps], [3, 1, 2]);
    assert.deepEqual([h.nx, h.ny, h.nz, h.nxstart, h.nystart, h.nzstart, h.mx, h.my, h.mz], [73, 43, 25, 0, -21, -12, 40, 12, 72]);
    assert.equal(h.ispg, 4);
    assertClose((h.cellbDeg as number[])[1], 94.326, 1e-5, 'beta');
    const v = h.voxelSizeA as number[];
    [0.4482499957, 0.3925000131, 0.4587499797].forEach((x, i) => assertClose(v[i], x, 1e-7, `voxel ${'xyz'[i]}`));
    // columns run along Z (MAPC 3), rows along X (MAPR 1), sections along Y (MAPS 2)
    expectAxes(ds, [['y', 0.3925000131, 'A'], ['x', 0.4482499957, 'A'], ['z', 0.4587499797, 'A']], 1e-7);
    const ext = (ds.metadata.original as { extendedHeader: { bytes: number; symmetryOperators: string[] } }).extendedHeader;
    assert.equal(ext.bytes, 160);
    assert.deepEqual(ext.symmetryOperators, ['X,  Y,  Z', '-X,  Y+1/2,  -Z']);
  });

  corpusIt('mrc/5i55_tiny.ccp4', 'reads the gemmi CCP4 map with MAPC/MAPR/MAPS 2,1,3 and grid 60×24×60', async file => {
    const ds = await lowdose.io.read(file);
    assert.deepEqual(ds.data.shape, [10, 6, 8]);
    expectStats(ds, { min: -0.5310382843, max: 2.39882803, mean: 0.3471204863, sum: 166.6178334, first: 0.05493499339 }, 1e-7);
    const h = header(ds);
    assert.equal(h.nversion, 0);
    assert.equal(h.ispg, 4);
    assert.equal(h.nsymbt, 160);
    assert.deepEqual([h.mapc, h.mapr, h.maps, h.mx, h.my, h.mz], [2, 1, 3, 60, 24, 60]);
    assert.deepEqual([h.nxstart, h.nystart, h.nzstart], [50, -8, 40]);
    assert.equal(stats(ds).max, h.dmax, 'gemmi: header dmax == max of data');
    assert.equal((h.cellbDeg as number[])[0], 90);
    assertClose((h.cellbDeg as number[])[1], 111.975, 1e-5, 'beta');
    const v = h.voxelSizeA as number[];
    [0.4908333421, 0.4375, 0.4950000048].forEach((x, i) => assertClose(v[i], x, 1e-7, `voxel ${'xyz'[i]}`));
    expectAxes(ds, [['z', 0.4950000048, 'A'], ['x', 0.4908333421, 'A'], ['y', 0.4375, 'A']], 1e-7);
  });

  corpusIt('mrc/warptools_test_box-32_angpix-12_reconstruct.mrc', 'reads the RELION 32³ reconstruction as a volume despite ISPG 0', async file => {
    const ds = await lowdose.io.read(file);
    assert.deepEqual(ds.data.shape, [32, 32, 32]);
    assert.equal(ds.metadata.signalType, 'volume');
    expectAxes(ds, [['z', 12.0024, 'A'], ['y', 12.0024, 'A'], ['x', 12.0024, 'A']], 1e-6);
    assertClose(ds.metadata.pixelSizeA as number, 12.00239944, 1e-7, 'pixelSizeA (float32 precision)');
    expectStats(ds, { min: -0.0006295965286, max: 0.002454351867, mean: 1.757822728e-5, sum: 0.5760033516, first: -1.443987458e-6 }, 1e-8);
    assert.equal(header(ds).rms, 0, 'RMS 0 (unset)');
    assert.match(String(ds.metadata.title), /^Relion/);
  });

  corpusIt('mrc/relion31.mrcs', 'reads the RELION particle stack whose MAP field and MACHST are blank', async file => {
    const ds = await lowdose.io.read(file);
    assert.equal(ds.metadata.sourceFormat, 'mrc');
    assert.deepEqual(ds.data.shape, [5, 256, 256]);
    assert.equal(ds.axes[0].name, 'frame');
    expectStats(ds, { min: -4.383320332, max: 4.400736332, mean: 0.01076617349, sum: 3527.85973, first: 0.2854250073 }, 1e-7);
    const h = header(ds);
    assert.equal(h.map, '');
    assert.equal(h.machst, '00 00 00 00');
    assert.deepEqual(h.voxelSizeA, [1, 1, 1], 'CELLA = (256, 256, 5) reads as 1 Å voxels');
    // detected from the bytes alone (no extension to help)
    const { readFileSync } = await import('node:fs');
    const fromBytes = await lowdose.io.read(readFileSync(file), { name: 'particles' });
    assert.equal(fromBytes.metadata.sourceFormat, 'mrc');
    assert.deepEqual(fromBytes.data.shape, [5, 256, 256]);
  });

  for (const side of ['20241021_00405_info.txt', 'ROI_Random_Scan_info.txt', 'ROI_Random_Scan_scan_coordinates.csv']) {
    corpusIt(`mrc/${side}`, 'is a Direct Electron sidecar, which read() refuses with a FormatError naming the file', async file => {
      await assert.rejects(lowdose.io.read(file), (e: unknown) => e instanceof lowdose.FormatError && e.file === file && e.offset === 0);
    });
  }
});
