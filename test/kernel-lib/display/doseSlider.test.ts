import assert from 'node:assert/strict';
import ndarray from 'ndarray';
import * as lowdose from 'lowdose';
import { decodePng } from './pngDecode';

const MIME = 'application/vnd.lowdose.doseseries.v1+json';

function payloadOf(b: lowdose.display.MimeBundle): lowdose.display.DoseSeriesPayloadV1 {
  const v = lowdose.display.validateDoseSeriesPayload(b.data[MIME]);
  if (!v.ok) throw new Error(v.message);
  return v.payload;
}

/** A small stack of Poisson counts (frames × rows × cols) with a known mean. */
function countsStack(frames: number, rows: number, cols: number, mean: number, seed = 1): lowdose.Dataset {
  const draw = lowdose.simulate.poisson(lowdose.simulate.rng(seed));
  const data = new Float32Array(frames * rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = draw(mean);
  return lowdose.makeDataset(ndarray(data, [frames, rows, cols]), {
    axes: [{ name: 'frame', units: '' }, { name: 'y', scale: 0.5, units: 'A' }, { name: 'x', scale: 0.5, units: 'A' }]
  });
}

describe('display/doseSlider', function () {
  this.timeout(120000);
  let series: lowdose.Dataset;
  let full: lowdose.display.MimeBundle;

  before(async () => {
    series = lowdose.simulate.doseSeries({ shape: [512, 512], seed: 3, frameTimeS: 0.5 });
    full = await lowdose.display.doseSliderBundle(series, series.metadata.cumulativeDoseEPerA2 as number[]);
  });

  it('doseSliderBundle() fits a 30 × 512² low-dose series in the 8 MB default at full resolution', () => {
    const bytes = JSON.stringify(full).length;
    const p = payloadOf(full);
    assert.deepEqual(Object.keys(full.data).sort(), [MIME, 'image/png', 'text/plain'].sort());
    assert.ok(bytes <= 8_000_000, `bundle is ${bytes} bytes`);
    // ~0.16 counts/px/frame deflates to ~0.6 bit/px: measured 1.50 MB for seed 1.
    assert.ok(bytes < 2_500_000, `bundle is ${bytes} bytes; expected ~1.5 MB for sparse counts`);
    assert.equal(p.frames.binning, 1);
    assert.deepEqual(p.shape, [30, 512, 512]);
    assert.equal(p.frames.frames.length, 30);
    assert.ok(p.frames.frames.every(f => f.exact && f.bits === 8));
  });

  it('frames decode back exactly (integer counts)', async () => {
    const p = payloadOf(full);
    const n = 512 * 512;
    for (const f of [0, 17, 29]) {
      const values = await lowdose.display.decodeDoseFrame(p.frames.frames[f], p.frames.rows, p.frames.cols);
      const source = (series.data.data as Float32Array).subarray(f * n, (f + 1) * n);
      let maxDiff = 0;
      for (let i = 0; i < n; i++) maxDiff = Math.max(maxDiff, Math.abs(values[i] - source[i]));
      assert.equal(maxDiff, 0, `frame ${f} differs by up to ${maxDiff} counts`);
    }
  });

  it('carries per-frame and cumulative doses and the frame time', () => {
    const p = payloadOf(full);
    const end = series.metadata.cumulativeDoseEPerA2 as number[];
    p.cumulativeDoseEPerA2.forEach((d, i) => assert.ok(Math.abs(d - end[i]) < 1e-12));
    p.frameDoseEPerA2.forEach(d => assert.ok(Math.abs(d - 0.717) < 1e-9, `frame dose ${d}`));
    assert.equal(p.preDoseEPerA2, 0);
    assert.equal(p.frameTimeS, 0.5);
    assert.ok(Math.abs(p.cumulativeDoseEPerA2[29] - 21.51) < 1e-9);
    assert.match(full.data['text/plain'] as string, /30 frames, 512 × 512, pixel 0\.5 Å/);
    assert.match(full.data['text/plain'] as string, /accumulated 0\.717–21\.51 e⁻\/Å²; frame time 0\.5 s/);
  });

  it('reads doses from a number, per-frame array, cumulativeDose result or the metadata alike', async () => {
    const small = countsStack(5, 32, 32, 2, 4);
    const perFrame = [1, 2, 1.5, 0.5, 1];
    const cum = lowdose.dose.cumulativeDose(perFrame, { preDoseEPerA2: 3 });
    const expectEnd = [4, 6, 7.5, 8, 9];
    const fromCum = payloadOf(await lowdose.display.doseSliderBundle(small, cum));
    assert.deepEqual(fromCum.cumulativeDoseEPerA2, expectEnd);
    assert.deepEqual(fromCum.frameDoseEPerA2, perFrame);
    assert.equal(fromCum.preDoseEPerA2, 3);
    const fromPerFrame = payloadOf(await lowdose.display.doseSliderBundle(small, perFrame, { preDoseEPerA2: 3 }));
    assert.deepEqual(fromPerFrame.cumulativeDoseEPerA2, expectEnd);
    const fromCumArray = payloadOf(await lowdose.display.doseSliderBundle(small, expectEnd, { preDoseEPerA2: 3 }));
    assert.deepEqual(fromCumArray.frameDoseEPerA2, perFrame);
    const fromNumber = payloadOf(await lowdose.display.doseSliderBundle(small, 0.25));
    assert.deepEqual(fromNumber.cumulativeDoseEPerA2, [0.25, 0.5, 0.75, 1, 1.25]);
    await assert.rejects(lowdose.display.doseSliderBundle(small, [1, 2, 3]), /doses must hold one .* per frame \(5\)/);
    await assert.rejects(lowdose.display.doseSliderBundle(small, null), /doses must be given/);
  });

  it('bins previews by block sums to honour a smaller budget; counts stay exact', async () => {
    const b = await lowdose.display.doseSliderBundle(series, null, { maxBytes: 1_000_000 });
    const p = payloadOf(b);
    assert.ok(JSON.stringify(b).length <= 1_000_000);
    assert.equal(p.frames.binning, 2);
    const values = await lowdose.display.decodeDoseFrame(p.frames.frames[4], p.frames.rows, p.frames.cols);
    const src = series.data;
    for (const [r, c] of [[0, 0], [100, 37], [255, 255]]) {
      let s = 0;
      for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) s += src.get(4, 2 * r + dy, 2 * c + dx);
      assert.equal(values[r * 256 + c], s, `block (${r}, ${c})`);
    }
  });

  it('with tracked spots, bins no further than keeps them inside 0.8 × the preview Nyquist; a tighter budget crops a central region (exact counts, shifts applied)', async () => {
    // 4.7 Å spots at 0.5 Å/px: 0.106 cycles/px (≤ 0.114 as the lattice expands), so binning ≤ 3. Without the
    // cap, 300 kB (the static PNG alone takes ~160 kB) would bin this series 4×4 or more (≥ 2 Å pixels: the 4.7 Å
    // spots at ≥ 0.85 of Nyquist, blurred by the block sums, or aliased).
    const shiftsPx = series.metadata.shiftsPx as Array<[number, number]>;
    const tracks = await lowdose.lattice.trackSpots(series, { dA: 4.7, shiftsPx, progress: false });
    const plain = payloadOf(await lowdose.display.doseSliderBundle(series, null, { maxBytes: 300_000 }));
    assert.ok(plain.frames.binning >= 4 && plain.frames.region === undefined, `without tracks: binning ${plain.frames.binning}`);
    const b = await lowdose.display.doseSliderBundle(series, null, { maxBytes: 300_000, tracks, shiftsPx });
    const p = payloadOf(b);
    assert.ok(JSON.stringify(b).length <= 300_000);
    let far = 0;
    p.tracks!.kxInvA.forEach((row, m) => row.forEach((kx, j) => (far = Math.max(far, Math.hypot(kx, p.tracks!.kyInvA[m][j])))));
    assert.ok(far * 0.5 * p.frames.binning <= 0.4, `spots at ${far * 0.5 * p.frames.binning} cycles per preview pixel`);
    const region = p.frames.region!;
    assert.ok(region, 'a central region');
    const [row0, col0, h, w] = region;
    assert.ok(h < 512 && w < 512 && Math.abs(row0 - (512 - h) / 2) <= 1 && Math.abs(col0 - (512 - w) / 2) <= 1, `region ${region}`);
    assert.deepEqual([p.frames.rows, p.frames.cols], [Math.ceil(h / p.frames.binning), Math.ceil(w / p.frames.binning)]);
    assert.match(b.data['text/plain'] as string, new RegExp(`of the central ${h} × ${w} pixels`));
    // preview pixel (r, c) of frame f = the block sum of the frame moved back by its whole-pixel drift
    const f = 21;
    const values = await lowdose.display.decodeDoseFrame(p.frames.frames[f], p.frames.rows, p.frames.cols);
    const [sy, sx] = shiftsPx[f].map(Math.round);
    const bin = p.frames.binning;
    for (const [r, c] of [[0, 0], [17, 40], [p.frames.rows - 2, p.frames.cols - 2]]) {
      let s = 0;
      for (let dy = 0; dy < bin; dy++) {
        for (let dx = 0; dx < bin; dx++) s += series.data.get(f, (row0 + r * bin + dy + sy + 512) % 512, (col0 + c * bin + dx + sx + 512) % 512);
      }
      assert.equal(values[r * p.frames.cols + c], s, `block (${r}, ${c})`);
    }
    await assert.rejects(lowdose.display.doseSliderBundle(series, null, { maxBytes: 60_000 }), /options\.maxBytes must leave room for the static PNG/);
    const bad = { ...p, frames: { ...p.frames, region: [row0, col0, h, 600] } };
    assert.match(String((lowdose.display.validateDoseSeriesPayload(bad) as { message: string }).message), /region must be \[row0, col0, rows, cols\] inside the 512 × 512 frame/);
  });

  it('non-integer frames are quantised to 16 bits within half a level', async () => {
    const values = Float32Array.from({ length: 3 * 20 * 30 }, (_, i) => Math.sin(i / 5) * 7.3 + i / 100);
    const stack = lowdose.makeDataset(ndarray(values, [3, 20, 30]));
    const p = payloadOf(await lowdose.display.doseSliderBundle(stack, 1));
    const frame = p.frames.frames[1];
    assert.equal(frame.exact, false);
    assert.equal(frame.bits, 16);
    const decoded = await lowdose.display.decodeDoseFrame(frame, 20, 30);
    for (let i = 0; i < 600; i++) assert.ok(Math.abs(decoded[i] - values[600 + i]) <= frame.scale / 2 + 1e-5, `pixel ${i}`);
  });

  it('carries tracked spots, strain and a critical-dose fit', async () => {
    const small = lowdose.simulate.doseSeries({ shape: [256, 256], frames: 12, seed: 5 });
    const tracks = await lowdose.lattice.trackSpots(small, { dA: 4.7, shiftsPx: small.metadata.shiftsPx as Array<[number, number]>, groupFrames: 3, progress: false });
    const intensity = tracks.intensity.map(r => r[0]);
    const fit = lowdose.dose.fitCriticalDose(tracks.doseEPerA2!, intensity, { fixedBackground: 0 });
    const p = payloadOf(await lowdose.display.doseSliderBundle(small, null, { tracks, fit, fitLabel: '4.7 Å', variableName: 'small' }));
    const t = p.tracks!;
    assert.equal(t.spots.length, 2);
    assert.deepEqual(t.frames, [[0, 2], [3, 5], [6, 8], [9, 11]]);
    assert.deepEqual(t.doseEPerA2, tracks.doseEPerA2);
    assert.equal(t.kxInvA[3][1], tracks.g[3][1].kxInvA);
    assert.equal(t.intensity[2][0], tracks.intensity[2][0]);
    assert.equal(t.strain!.e1[3], tracks.strain[3].e1);
    assert.ok(t.strain!.e1[3] > 0.02, `e1 ${t.strain!.e1[3]}`);
    assert.equal(p.fit!.criticalDoseEPerA2, fit.criticalDoseEPerA2);
    assert.equal(p.fit!.label, '4.7 Å');
    assert.equal(p.variableName, 'small');
  });

  it('the PNG shows the sum and its spectrum side by side', async () => {
    const png = decodePng(Buffer.from(full.data['image/png'] as string, 'base64'));
    assert.equal(png.height, 256);
    assert.equal(png.width, 2 * 256 + 6);
  });

  it('sumDoseWindow() sums the frames of a dose window and reports its doses', async () => {
    const w = await lowdose.display.sumDoseWindow(series, { firstFrame: 10, lastFrame: 19 });
    let expected = 0;
    for (let f = 10; f <= 19; f++) expected += series.data.get(f, 100, 200);
    assert.equal(w.data.get(100, 200), expected);
    assert.ok(Math.abs((w.metadata.doseStartEPerA2 as number) - 7.17) < 1e-9);
    assert.ok(Math.abs((w.metadata.doseEndEPerA2 as number) - 14.34) < 1e-9);
    await assert.rejects(lowdose.display.sumDoseWindow(series, { firstFrame: 5, lastFrame: 30 }), /0 ≤ first ≤ last < 30/);
  });

  it('validateDoseSeriesPayload() rejects malformed, hostile and newer payloads', () => {
    const good = payloadOf(full);
    const bad = (patch: object): string => {
      const r = lowdose.display.validateDoseSeriesPayload({ ...good, ...patch });
      assert.equal(r.ok, false, `accepted ${JSON.stringify(patch).slice(0, 80)}`);
      return (r as { message: string }).message;
    };
    assert.match(bad({ version: 2 }), /newer lowdose .* Update lowdose-jupyterlab/);
    assert.match(bad({ kind: 'image' }), /payload\.kind/);
    assert.match(bad({ title: 3 }), /payload\.title must be a string/);
    assert.match(bad({ cumulativeDoseEPerA2: good.cumulativeDoseEPerA2.slice(0, 29) }), /30 finite numbers/);
    assert.match(bad({ cumulativeDoseEPerA2: good.cumulativeDoseEPerA2.slice().reverse() }), /must not decrease/);
    assert.match(bad({ frames: { ...good.frames, rows: 100 } }), /binned by 1/);
    assert.match(bad({ frames: { ...good.frames, frames: good.frames.frames.slice(1) } }), /must hold 30 frames/);
    assert.match(bad({ frames: { ...good.frames, frames: [{ ...good.frames.frames[0], data: '<img src=x>' }, ...good.frames.frames.slice(1)] } }), /base64/);
    assert.match(bad({ variableName: 'x; alert(1)' }), /JavaScript identifier/);
    assert.match(bad({ shiftsExpression: 'a.b()' }), /dotted JavaScript name/);
    assert.match(bad({ groupFrames: 31 }), /groupFrames must be an integer from 1 to 30/);
    assert.match(bad({ tracks: { spots: [], frames: [] } }), /tracks\.spots/);
    assert.match(bad({ fit: { label: 'x', criticalDoseEPerA2: -1 } }), /criticalDoseEPerA2/);
    assert.equal(lowdose.display.validateDoseSeriesPayload(null).ok, false);
  });

  it('decodeDoseFrame() refuses data that inflates to the wrong size', async () => {
    const p = payloadOf(full);
    await assert.rejects(lowdose.display.decodeDoseFrame(p.frames.frames[0], 256, 256), /inflates to more than 65536 bytes/);
    await assert.rejects(lowdose.display.decodeDoseFrame(p.frames.frames[0], 600, 600), /must inflate to 360000 bytes/);
  });

  it('logPowerSpectrum() puts a 4.7 Å fringe at its frequency', () => {
    const rows = 128;
    const cols = 128;
    const p = 0.5;
    const values = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) values[r * cols + c] = 10 + 5 * Math.cos((2 * Math.PI * c * p) / 4.7);
    const ps = lowdose.display.logPowerSpectrum(values, rows, cols);
    let best = 0;
    for (let i = 0; i < ps.length; i++) if (ps[i] > ps[best]) best = i;
    const kx = Math.abs((best % cols) - cols / 2) / (cols * p);
    assert.equal(Math.floor(best / cols), rows / 2);
    assert.ok(Math.abs(kx - 1 / 4.7) <= 1 / (cols * p), `peak at ${kx} 1/Å`);
  });
});
