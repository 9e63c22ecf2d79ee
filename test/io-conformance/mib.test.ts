// One test per .mib file under mib/, asserting what MANIFEST.md records: shape (frames flipped
// vertically as RosettaSciIO returns them), dtype, min/max/mean/sum, the brightest pixel's file
// position, exposure and counter depth; RAW (R64) frames are checked against the processed ones.
import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';
import { assertClose, corpusFile, corpusIt, expectStats } from './corpus';

type Ds = lowdose.Dataset;

/** A single frame: shape, dtype, unit pixel axes, and the file-order brightest pixel after the flip. */
function expectSingle(ds: Ds, rows: number, cols: number, dtype: string, maxAtFileRowCol: [number, number], max: number): void {
  assert.deepEqual(ds.data.shape, [rows, cols]);
  assert.equal(lowdose.dtypeOf(ds.data), dtype);
  for (const a of ds.axes) {
    assert.equal(a.scale, 1);
    assert.equal(a.offset, 0);
    assert.equal(a.units, '');
  }
  const [r, c] = maxAtFileRowCol;
  assert.equal(ds.data.get(rows - 1 - r, c), max, 'the brightest file pixel, rows flipped');
}

describe('io conformance: Merlin MIB (MANIFEST.md)', () => {
  corpusIt('mib/Single_1_Frame_CounterDepth_1_Rows_256.mib', 'reads the single-chip 1-bit frame (U08, 256×256, 1 ms)', async file => {
    const ds = await lowdose.io.read(file);
    assert.equal(ds.metadata.sourceFormat, 'mib');
    assert.equal(ds.metadata.sourceDtype, '>u1');
    expectSingle(ds, 256, 256, 'uint8', [0, 0], 1);
    expectStats(ds, { min: 0, max: 1, mean: 0.03659057617, sum: 2398 }, 1e-9);
    assert.equal(ds.metadata.counterDepth, 1);
    assert.equal(ds.metadata.exposureS, 0.001);
    assert.match(String(ds.metadata.acquisitionDate), /^2021-04-15T/);
  });

  corpusIt('mib/Single_1_Frame_CounterDepth_6_Rows_256.mib', 'reads the single-chip 6-bit frame', async file => {
    const ds = await lowdose.io.read(file);
    expectSingle(ds, 256, 256, 'uint8', [1, 134], 63);
    expectStats(ds, { min: 0, max: 63, mean: 0.3713378906, sum: 24336 }, 1e-9);
    assert.equal(ds.metadata.counterDepth, 6);
  });

  corpusIt('mib/Single_1_Frame_CounterDepth_12_Rows_256.mib', 'reads the single-chip 12-bit frame (big-endian U16)', async file => {
    const ds = await lowdose.io.read(file);
    assert.equal(ds.metadata.sourceDtype, '>u2');
    expectSingle(ds, 256, 256, 'uint16', [108, 200], 2239);
    expectStats(ds, { min: 0, max: 2239, mean: 0.4411468506, sum: 28911 }, 1e-9);
    assert.equal(ds.metadata.counterDepth, 12);
  });

  corpusIt('mib/Single_1_Frame_CounterDepth_24_Rows_256.mib', 'reads the single-chip 24-bit frame (big-endian U32)', async file => {
    const ds = await lowdose.io.read(file);
    assert.equal(ds.metadata.sourceDtype, '>u4');
    expectSingle(ds, 256, 256, 'uint32', [108, 200], 2255);
    expectStats(ds, { min: 0, max: 2255, mean: 0.4488525391, sum: 29416 }, 1e-9);
    assert.equal(ds.metadata.counterDepth, 24);
  });

  corpusIt('mib/Quad_1_Frame_CounterDepth_12_Rows_256.mib', 'reads the assembled 512×512 quad frame (768-byte header)', async file => {
    const ds = await lowdose.io.read(file);
    expectSingle(ds, 512, 512, 'uint16', [12, 286], 4093);
    expectStats(ds, { min: 0, max: 4093, mean: 3.22687912, sum: 845907 }, 1e-9);
    assert.equal((ds.metadata.original as { header: string[] }).header[2], '00768');
  });

  corpusIt('mib/Single_1_Frame_CounterDepth_1_Rows_256RAW.mib', 'unpacks the single-chip RAW 1-bit frame like the processed 1-bit frame', async file => {
    const ds = await lowdose.io.read(file);
    assert.equal(ds.metadata.sourceDtype, 'R64 1-bit');
    expectSingle(ds, 256, 256, 'uint8', [0, 0], 1);
    // RosettaSciIO refuses RAW; the frame taken 1.6 s later in processed form hits the same pixels
    const ref = await lowdose.io.read(corpusFile('mib/Single_1_Frame_CounterDepth_1_Rows_256.mib'));
    const a = ds.data.data as Uint8Array;
    const b = ref.data.data as Uint8Array;
    let both = 0;
    let count = 0;
    for (let i = 0; i < a.length; i++) {
      both += a[i] & b[i];
      count += a[i];
    }
    assert.equal(count, 2394);
    assert.ok(both / count > 0.99, `RAW and processed counts coincide (${both} of ${count})`);
  });

  corpusIt('mib/Quad_1_Frame_CounterDepth_1_Rows_256RAW.mib', 'assembles the quad RAW 1-bit frame (1024×256 as stored) into 512×512', async file => {
    const ds = await lowdose.io.read(file);
    assert.equal((ds.metadata.original as { header: string[] }).header[4], '1024');
    expectSingle(ds, 512, 512, 'uint8', [511, 0], ds.data.get(0, 0));
    // each quadrant's counts sit where the processed 12-bit quad frame is bright
    const ref = await lowdose.io.read(corpusFile('mib/Quad_1_Frame_CounterDepth_12_Rows_256.mib'));
    let globalMean = 0;
    for (let i = 0; i < 512 * 512; i++) globalMean += (ref.data.data as Uint16Array)[i] / (512 * 512);
    for (const [r0, c0] of [[0, 0], [0, 256], [256, 0], [256, 256]]) {
      let w = 0;
      let n = 0;
      for (let r = r0; r < r0 + 256; r++) {
        for (let c = c0; c < c0 + 256; c++) {
          w += ds.data.get(r, c) * ref.data.get(r, c);
          n += ds.data.get(r, c);
        }
      }
      assert.ok(n > 1000 && w / n > 3 * globalMean, `quadrant (${r0}, ${c0}) lines up with the processed frame`);
    }
  });

  corpusIt('mib/001_4x2_6bit.mib', 'reads the 8-frame scan as 2×4 (line length from the fly-back gap), 100 ms dwell', async file => {
    const ds = await lowdose.io.read(file);
    assert.deepEqual(ds.data.shape, [2, 4, 256, 256]);
    assert.equal(lowdose.dtypeOf(ds.data), 'uint8');
    expectStats(ds, { min: 0, max: 63, mean: 6.911590576, sum: 3623664 }, 1e-9);
    assert.deepEqual(ds.axes.map(a => a.name), ['scanRow', 'scanCol', 'detRow', 'detCol']);
    assert.equal(ds.metadata.exposureS, 0.1);
    assert.equal(ds.metadata.dwellTimeS, 0.1);
    assert.equal(ds.metadata.acquisitionDate, '2021-05-07T16:51:10.905800928Z');
    assert.equal(ds.metadata.counterDepth, 6);
    assertClose((ds.metadata.thresholdsKeV as number[])[0], 40, 1e-12, 'threshold 0 (keV)');
    const hdr = (ds.metadata.original as { hdr: Record<string, string> }).hdr;
    assert.equal(hdr['Frames in Acquisition (Number)'], '8');
    assert.equal(hdr['Software Version'], '0.76.1.101');
    const given = await lowdose.io.readMib(file, { navigationShape: [4, 2] });
    assert.deepEqual(given.data.shape, [4, 2, 256, 256]);
    const flat = await lowdose.io.readMib(file, { navigationShape: [8] });
    assert.deepEqual(flat.data.shape, [8, 256, 256]);
    assert.equal(flat.data.get(5, 10, 20), ds.data.get(1, 1, 10, 20));
  });

  corpusIt('mib/003_merlin_test_roi_sig256x64_nav4x2_hot_pixel_52x_39y.mib', 'reads the 256×64 ROI scan as 2×4×64×256 with the hot pixel at [-40, 52]', async file => {
    const ds = await lowdose.io.read(file);
    assert.deepEqual(ds.data.shape, [2, 4, 64, 256]);
    assert.equal(lowdose.dtypeOf(ds.data), 'uint16');
    expectStats(ds, { min: 0, max: 15, mean: 0.0005874633789, sum: 77 }, 1e-9);
    for (let r = 0; r < 2; r++) {
      for (let c = 0; c < 4; c++) {
        assert.ok(ds.data.get(r, c, 64 - 40, 52) > 0, `hot pixel in pattern (${r}, ${c})`);
      }
    }
    assert.equal(ds.metadata.exposureS, 0.001);
    assert.equal(ds.metadata.counterDepth, 12);
  });
});
