// Lazy access to 4D-STEM scans and series: pattern(row, col), frame(i) and streamed frames equal
// the whole-file read, and a pattern costs one pattern's bytes, not the file.
import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';
import { corpusIt } from '../../io-conformance/corpus';
import { countingSource, makeBlo, makeMib, makeSer } from './fixtures4d';

type Ds = lowdose.Dataset;

/** Values of `full` at the leading indices `lead` (a frame), flattened. */
function frameOf(full: Ds, lead: number[]): number[] {
  const [rows, cols] = full.data.shape.slice(-2);
  const out: number[] = [];
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out.push(full.data.get(...lead, r, c));
  return out;
}

function values(ds: Ds): number[] {
  const out: number[] = [];
  const shape = ds.data.shape;
  const idx = shape.map(() => 0);
  const n = shape.reduce((a, b) => a * b, 1);
  for (let k = 0; k < n; k++) {
    out.push(ds.data.get(...idx));
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** Checks every pattern, every streamed frame and 3-frame chunks of a 4D source against `full`. */
async function expectSameAsFull(src: lowdose.io.LazySource, full: Ds): Promise<void> {
  assert.deepEqual(src.shape, full.data.shape);
  const [rows, cols] = src.shape;
  assert.ok(src.pattern, '4D sources have pattern(row, col)');
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const p = await src.pattern(r, c);
      assert.deepEqual(p.data.shape, src.shape.slice(2));
      assert.deepEqual(values(p), frameOf(full, [r, c]), `pattern (${r}, ${c})`);
    }
  }
  let i = 0;
  for await (const f of src.frames()) {
    assert.deepEqual(values(f), frameOf(full, [Math.floor(i / cols), i % cols]), `streamed frame ${i}`);
    i++;
  }
  assert.equal(i, rows * cols);
  const chunks: number[] = [];
  for await (const chunk of src.frames({ chunkSize: 3 })) {
    assert.ok(chunk.data.shape[0] <= 3);
    for (const v of values(chunk)) chunks.push(v);
  }
  assert.deepEqual(chunks, values(full));
}

describe('io lazy 4D access (MIB, BLO, EMD, SER)', () => {
  it('mibFormat.open reads one pattern of a synthetic 3×4 scan by its own bytes only', async () => {
    const bytes = makeMib(12, 8, 8);
    const { src, stats } = countingSource(bytes, 'scan.mib');
    const lazy = await lowdose.io.mibFormat.open!(src, { navigationShape: [3, 4] });
    const before = stats.bytesRead;
    const p = await lazy.pattern!(2, 1);
    assert.equal(stats.bytesRead - before, 384 + 8 * 8 * 2, 'one frame (header + pixels) read');
    // frame 9 = 2·4 + 1, rows flipped: pattern row 0 is file row 7
    assert.equal(p.data.get(0, 0), 9 * 100 + 7 * 8);
    await lazy.close();
  });

  it('bloFormat.open reads one pattern of a synthetic 4×5 scan by its own bytes only, and equals the full read', async () => {
    const bytes = makeBlo(4, 5, 6);
    const { src, stats } = countingSource(bytes, 'scan.blo');
    const lazy = await lowdose.io.bloFormat.open!(src, {});
    const before = stats.bytesRead;
    await lazy.pattern!(3, 2);
    assert.equal(stats.bytesRead - before, 6 * 6 + 6, 'one pattern (marker + pixels) read');
    await expectSameAsFull(lazy, await lowdose.io.readBlo(bytes, { name: 'scan.blo' }));
    await lazy.close();
  });

  it('serFormat.open streams the images of a synthetic 5-image series one by one', async () => {
    const bytes = makeSer(5, 4, 6);
    const full = await lowdose.io.readSer(bytes, { name: 'series_1.ser' });
    assert.deepEqual(full.data.shape, [5, 4, 6]);
    const { src, stats } = countingSource(bytes, 'series_1.ser');
    const lazy = await lowdose.io.serFormat.open!(src, {});
    const before = stats.bytesRead;
    const f3 = await lazy.frame(3);
    assert.ok(stats.bytesRead - before < 2 * (50 + 4 * 6 * 2), 'about one element read');
    assert.deepEqual(values(f3), frameOf(full, [3]));
    assert.equal(f3.data.get(0, 0), 3000 + 3 * 6, 'rows flipped: row 0 is the last stored row');
    await lazy.close();
  });

  corpusIt('mib/001_4x2_6bit.mib', 'pattern(row, col) and streamed frames equal the full read of the 2×4 Merlin scan', async file => {
    const full = await lowdose.io.read(file);
    const lazy = await lowdose.io.open(file);
    await expectSameAsFull(lazy, full);
    await lazy.close();
  });

  corpusIt('blo/test1.blo', 'pattern(row, col) and streamed frames equal the full read of the 3×2 blockfile', async file => {
    const lazy = await lowdose.io.open(file);
    await expectSameAsFull(lazy, await lowdose.io.read(file));
    await lazy.close();
  });

  corpusIt('emd/py4DSTEM_size2x3x4x5.h5', 'pattern(row, col) and streamed frames equal the full read of the EMD 1.0 data cube', async file => {
    const lazy = await lowdose.io.open(file);
    assert.equal(lazy.dtype, 'float32');
    await expectSameAsFull(lazy, await lowdose.io.read(file));
    await lazy.close();
  });

  corpusIt('emd/Si100_4D.emd', 'frames of the stacked Prismatic depth series and a single depth’s patterns equal the full read', async file => {
    const full = await lowdose.io.read(file);
    const lazy = await lowdose.io.open(file);
    assert.deepEqual(lazy.shape, [2, 11, 11, 8, 8]);
    assert.equal(lazy.frameCount, 242);
    for (const i of [0, 5, 121, 241]) {
      const f = await lazy.frame(i);
      assert.deepEqual(values(f), frameOf(full, [Math.floor(i / 121), Math.floor((i % 121) / 11), i % 11]), `frame ${i}`);
    }
    await lazy.close();
    const depth1 = await lowdose.io.open(file, { signal: 'CBED_array_depth0001' });
    const p = await depth1.pattern!(10, 3);
    assert.deepEqual(values(p), frameOf(full, [1, 10, 3]));
    await depth1.close();
  });

  corpusIt('emd/example_signal.emd', 'frames of a transposed Berkeley array equal the full read', async file => {
    const full = await lowdose.io.read(file);
    const lazy = await lowdose.io.open(file);
    for (let i = 0; i < 3; i++) assert.deepEqual(values(await lazy.frame(i)), frameOf(full, [i]));
    await lazy.close();
  });

  corpusIt('emd/Test SI 16x16 215 kx.emd', 'frames of the Velox HAADF series (stored frames-last) equal the full read', async file => {
    const full = await lowdose.io.read(file, { signal: 'HAADF' });
    const lazy = await lowdose.io.open(file, { signal: 'HAADF' });
    assert.deepEqual(lazy.shape, [2, 16, 16]);
    for (let i = 0; i < 2; i++) assert.deepEqual(values(await lazy.frame(i)), frameOf(full, [i]));
    await lazy.close();
  });

  corpusIt('ser/16x16-line_profile_horizontal_5x128x128_EDS_2.ser', 'frames of the SER diffraction line scan equal the full read', async file => {
    const full = await lowdose.io.read(file);
    const lazy = await lowdose.io.open(file);
    assert.equal(lazy.frameCount, 5);
    for (let i = 0; i < 5; i++) assert.deepEqual(values(await lazy.frame(i)), frameOf(full, [i]));
    await lazy.close();
  });
});
