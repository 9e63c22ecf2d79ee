import assert from 'node:assert/strict';
import ndarray from 'ndarray';
import * as lowdose from 'lowdose';
import { decodePng } from './pngDecode';

const IMAGE_MIME = 'application/vnd.lowdose.image.v1+json';

function payloadOf(b: lowdose.display.MimeBundle): lowdose.display.ImagePayloadV1 {
  const v = lowdose.display.validateImagePayload(b.data[IMAGE_MIME]);
  if (!v.ok) throw new Error(v.message);
  return v.payload;
}

describe('display/bundle', () => {
  it('bundle() of a 2D image holds the lowdose payload, image/png and text/plain in one bundle', () => {
    const img = lowdose.simulate.latticeImage({ shape: [64, 96], doseEPerA2: 20, seed: 2 });
    const b = lowdose.display.bundle(img);
    assert.deepEqual(Object.keys(b.data).sort(), [IMAGE_MIME, 'image/png', 'text/plain'].sort());
    const p = payloadOf(b);
    assert.deepEqual(p.shape, [64, 96]);
    assert.equal(p.axes[1].scale, 0.5);
    assert.equal(p.axes[1].units, 'A');
    assert.equal(p.preview.binning, 1);
    assert.match(b.data['text/plain'] as string, /64 × 96 float32, pixel 0\.5 Å/);
  });

  it('bundle() preview decodes to the image values within one uint16 quantisation step', () => {
    const values = Float32Array.from({ length: 40 * 50 }, (_, i) => Math.sin(i / 7) * 1000 + i / 3);
    const b = lowdose.display.bundle(lowdose.imageDataset(values, [40, 50], { pixelSizeA: 1.2 }));
    const p = payloadOf(b);
    const decoded = lowdose.display.decodePreview(p.preview);
    const step = (p.preview.valueMax - p.preview.valueMin) / 65535;
    let worst = 0;
    for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(decoded[i] - values[i]));
    assert.ok(worst <= step * 0.5 + 1e-3, `worst ${worst} vs step ${step}`);
  });

  it('bundle() contrast limits are the 0.5 and 99.5 percentiles and stats match describe()', () => {
    const values = Float32Array.from({ length: 10000 }, (_, i) => i);
    const b = lowdose.display.bundle(lowdose.imageDataset(values, [100, 100]));
    const p = payloadOf(b);
    // numpy.percentile(np.arange(10000), [0.5, 99.5]) = [49.995, 9949.005]
    assert.ok(Math.abs(p.contrast.low - 49.995) < 1e-6);
    assert.ok(Math.abs(p.contrast.high - 9949.005) < 1e-6);
    assert.equal(p.stats.mean, 4999.5);
    assert.ok(Math.abs(p.stats.std - 2886.7513315143719) < 1e-6);
  });

  it('bundle() image/png is the colormapped preview at the payload contrast', () => {
    const values = Float32Array.from({ length: 16 * 16 }, (_, i) => i % 16);
    const b = lowdose.display.bundle(lowdose.imageDataset(values, [16, 16]), { colormap: 'inferno', contrastPercentiles: [0, 100] });
    const png = decodePng(Buffer.from(b.data['image/png'] as string, 'base64'));
    assert.deepEqual([png.width, png.height, png.channels], [16, 16, 3]);
    const lut = lowdose.display.colormapLut('inferno');
    // Pixel value 15 = high limit → last LUT entry; value 0 → first.
    assert.deepEqual(Array.from(png.pixels.subarray(15 * 3, 16 * 3)), Array.from(lut.subarray(255 * 3)));
    assert.deepEqual(Array.from(png.pixels.subarray(0, 3)), Array.from(lut.subarray(0, 3)));
  });

  it('bundle() of a 4096 × 4096 float32 image stays within the 2 MB default budget', function () {
    this.timeout(60000);
    const n = 4096;
    const r = lowdose.simulate.rng(1);
    const values = new Float32Array(n * n);
    for (let i = 0; i < values.length; i++) values[i] = r.next() * 100 + ((i % n) % 37);
    const b = lowdose.display.bundle(lowdose.imageDataset(values, [n, n], { pixelSizeA: 0.25 }));
    const bytes = JSON.stringify(b).length;
    const p = payloadOf(b);
    assert.ok(bytes <= 2_000_000, `bundle is ${bytes} bytes`);
    assert.ok(p.preview.binning >= 2 && p.preview.binning <= 8, `binning ${p.preview.binning}`);
    assert.equal(p.preview.cols, Math.ceil(n / p.preview.binning));
    assert.deepEqual(p.shape, [n, n]);
  });

  it('bundle() honours a smaller maxBytes by binning more', () => {
    const img = lowdose.simulate.latticeImage({ shape: [512, 512], doseEPerA2: 20 });
    const big = JSON.stringify(lowdose.display.bundle(img)).length;
    const small = lowdose.display.bundle(img, { maxBytes: 200_000 });
    assert.ok(JSON.stringify(small).length <= 200_000);
    assert.ok(payloadOf(small).preview.binning > 1);
    assert.ok(big > 200_000);
  });

  it('bundle() of a stack shows the sum over frames and names the stack shape', () => {
    const frames = 5;
    const stack = ndarray(Float32Array.from({ length: frames * 8 * 8 }, (_, i) => Math.floor(i / 64) + 1), [frames, 8, 8]);
    const b = lowdose.display.bundle(lowdose.makeDataset(stack));
    const p = payloadOf(b);
    assert.deepEqual(p.sourceShape, [5, 8, 8]);
    assert.deepEqual(p.shape, [8, 8]);
    assert.equal(p.stats.mean, 1 + 2 + 3 + 4 + 5);
    assert.match(b.data['text/plain'] as string, /5 × 8 × 8/);
    assert.match(b.data['text/plain'] as string, /sum of 5 frames/);
  });

  it('bundle() of a 1D signal is a Vega-Lite v5 line plot with a PNG fallback', () => {
    const y = Float64Array.from({ length: 200 }, (_, i) => Math.exp(-i / 50));
    const ds = lowdose.makeDataset(ndarray(y, [200]), { axes: [{ name: 'k', scale: 0.01, units: '1/A' }], metadata: { signalUnits: 'power' } });
    const b = lowdose.display.bundle(ds);
    assert.deepEqual(Object.keys(b.data).sort(), ['application/vnd.vegalite.v5+json', 'image/png', 'text/plain']);
    const spec = b.data['application/vnd.vegalite.v5+json'] as { $schema: string; data: { values: Array<{ x: number; y: number }> }; encoding: { x: { title: string } } };
    assert.match(spec.$schema, /vega-lite\/v5/);
    assert.equal(spec.data.values.length, 200);
    assert.ok(Math.abs(spec.data.values[100].x - 1.0) < 1e-12);
    assert.equal(spec.encoding.x.title, 'k (1/Å)');
    const png = decodePng(Buffer.from(b.data['image/png'] as string, 'base64'));
    assert.ok(png.width > 100 && png.height > 50);
  });

  it('bundle() rejects 4D data with a ShapeError that says what to do', () => {
    const four = ndarray(new Float32Array(16), [2, 2, 2, 2]);
    assert.throws(() => lowdose.display.bundle(four), (e: Error) => e instanceof lowdose.ShapeError && /virtual image/.test(e.message));
  });

  it('show() sends ONE display_data message with all three MIME types through the kernel tslab', () => {
    const calls: Array<{ content: { data: object; transient: object }; update: boolean }> = [];
    const g = globalThis as { __tslab__?: unknown };
    g.__tslab__ = {
      require: (id: string) => {
        assert.equal(id, 'tslab/dist/jupyter');
        return { lastWriteDisplayData: (content: { data: object; transient: object }, update: boolean) => calls.push({ content, update }) };
      }
    };
    try {
      lowdose.display.show(lowdose.simulate.latticeImage({ shape: [32, 32] }));
    } finally {
      delete g.__tslab__;
    }
    assert.equal(calls.length, 1);
    assert.equal(calls[0].update, false);
    assert.deepEqual(Object.keys(calls[0].content.data).sort(), [IMAGE_MIME, 'image/png', 'text/plain'].sort());
  });

  it('show() outside a tslab kernel throws a KernelError pointing to bundle()', () => {
    assert.throws(() => lowdose.display.show(lowdose.simulate.latticeImage({ shape: [8, 8] })), (e: Error) => e instanceof lowdose.KernelError && /bundle\(x\)/.test(e.message));
  });
});
