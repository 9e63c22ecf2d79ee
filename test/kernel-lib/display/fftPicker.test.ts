import assert from 'node:assert/strict';
import * as lowdose from 'lowdose';
import * as browser from 'lowdose/dist/browser';
import { decodePng } from './pngDecode';

type Truth = { label: string; kxInvA: number; kyInvA: number; dA: number; amplitudeInImage: number };
const FFT_MIME = 'application/vnd.lowdose.fft.v1+json';

describe('display.fftPicker', function () {
  this.timeout(120000);
  // science.md Part 2: α-NNB [001] with the doubled-cell (½00) spots, p = 0.5 Å, 38.5 e⁻/Å², rotated 17°.
  let img: lowdose.Dataset;
  let ps: lowdose.fft.PowerSpectrum;
  let truth: Truth[];
  let b: lowdose.MimeBundle;
  let payload: lowdose.display.FftPayloadV1;
  before(() => {
    img = lowdose.simulate.crystalImage({ seed: 7, shape: [512, 512], inPlaneRotationDeg: 17 });
    truth = (img.metadata.reflections as Truth[]).filter(r => r.amplitudeInImage > 0);
    ps = lowdose.fft.powerSpectrum(img);
    b = lowdose.display.fftPickerBundle(img, { sourceName: 'sum', picks: [{ dA: 4.695, angleDeg: 17 + 90, label: '(010)' }] });
    payload = b.data[FFT_MIME] as lowdose.display.FftPayloadV1;
  });

  const truthOf = (label: string): Truth => truth.find(t => t.label === label) as Truth;

  it('fftPickerBundle() carries the payload, a PNG of both panels and a text table, within the 4 MB default budget and a 1 MB one', () => {
    assert.deepEqual(Object.keys(b.data).sort(), [FFT_MIME, 'image/png', 'text/plain'].sort());
    const size = JSON.stringify(b).length;
    assert.ok(size <= 4_000_000, `bundle ${size} bytes`);
    const small = lowdose.display.fftPickerBundle(img, { maxBytes: 1_000_000 });
    const smallSize = JSON.stringify(small).length;
    assert.ok(smallSize <= 1_000_000, `bundle ${smallSize} bytes with maxBytes 1e6`);
    const sp = small.data[FFT_MIME] as lowdose.display.FftPayloadV1;
    assert.ok(sp.image.preview.binning > 1, 'the small budget bins the previews');
    assert.equal(sp.crop.size, payload.crop.size, 'the crop is never binned');
    const png = decodePng(Buffer.from(b.data['image/png'] as string, 'base64'));
    assert.equal(png.width, 512 + 8 + payload.crop.size);
    assert.equal(png.height, 512);
    assert.equal(png.channels, 1);
    const text = b.data['text/plain'] as string;
    assert.match(text, /d 4\.69\d\d Å/);
    assert.match(text, /d 9\.3\d\d\d Å/);
    assert.match(text, /\(010\)/);
  });

  it('the crop holds the spectrum at full resolution, k = 0 at (size/2, size/2), covering d ≥ 2 Å with the SNR margin', () => {
    const c = payload.crop;
    assert.equal(c.kxScaleInvA, 1 / (512 * 0.5));
    assert.equal(c.kyScaleInvA, 1 / (512 * 0.5));
    assert.equal(c.rowStart + c.size / 2, 256);
    assert.equal(c.colStart + c.size / 2, 256);
    assert.ok(c.kMaxInvA >= 1 / 2 && c.kMaxInvA < 1 / 2 + 2 * c.kxScaleInvA, `kMax ${c.kMaxInvA}`);
    assert.ok(c.size / 2 - 1 - c.kMaxInvA / c.kxScaleInvA >= 14, 'annulus margin');
    const cropPs = browser.cropSpectrum(payload);
    // uint16 levels of log10 power: relative error ≤ ln10·(logMax − logMin)/131070.
    const tol = (Math.LN10 * (c.logMax - c.logMin)) / 131070;
    assert.ok(tol < 5e-4, `quantisation ${tol}`);
    for (const [i, j] of [[0, 0], [c.size / 2, c.size / 2], [17, c.size - 3], [c.size - 1, 40], [c.size / 2 + 3, c.size / 2 - 50]]) {
      const want = ps.data.get(c.rowStart + i, c.colStart + j);
      assert.ok(Math.abs(cropPs.data.get(i, j) / want - 1) <= tol * 1.01, `(${i}, ${j}): ${cropPs.data.get(i, j)} vs ${want}`);
    }
    assert.equal(cropPs.axes[1].offset + (c.size / 2) * cropPs.axes[1].scale, 0);
    assert.equal(payload.minDA, 1 / c.kMaxInvA);
    assert.deepEqual(payload.shape, [512, 512]);
    assert.equal(payload.pixelSizeXA, 0.5);
  });

  it('a click near a spot snaps on the crop with kernel-lib code in the browser and recovers its d within 0.2 % (as the kernel does)', () => {
    const cropPs = browser.cropSpectrum(payload);
    const h = payload.crop.size / 2;
    for (const label of ['(1 0 0)', '(0 1 0)', '(1/2 0 0)', '(1 1 0)', '(2 0 0)']) {
      const t = truthOf(label);
      // 2.4 px off the spot, as a hurried click would be.
      const click = { row: t.kyInvA / payload.crop.kyScaleInvA + h + 1.7, col: t.kxInvA / payload.crop.kxScaleInvA + h - 1.7 };
      const s = browser.pickSpot(cropPs, payload.crop, click);
      assert.equal(s.refinedBy, 'parabolic');
      assert.ok(Math.abs(s.dA / t.dA - 1) < 2e-3, `${label}: browser d ${s.dA} vs ${t.dA}`);
      const kernel = lowdose.lattice.refinePeak(ps, { row: click.row + payload.crop.rowStart, col: click.col + payload.crop.colStart }, { searchRadiusPx: 4 });
      assert.equal(kernel.refinedBy, 'upsampled-dft');
      assert.ok(Math.abs(s.dA / kernel.dA - 1) < 2e-3, `${label}: browser ${s.dA} vs kernel ${kernel.dA}`);
      assert.ok(s.snr > 5 && Math.abs(s.snr / kernel.snr - 1) < 0.3, `${label}: SNR ${s.snr} vs kernel ${kernel.snr}`);
    }
  });

  it('the browser snap equals the kernel parabolic refinement of the whole spectrum (same code; only the crop quantisation differs)', () => {
    const cropPs = browser.cropSpectrum(payload);
    const noSource = lowdose.makeDataset(ps.data, { axes: ps.axes, metadata: { ...ps.metadata } }) as lowdose.fft.PowerSpectrum;
    const t = truthOf('(1 0 0)');
    const s = browser.pickSpot(cropPs, payload.crop, { kxInvA: t.kxInvA, kyInvA: t.kyInvA });
    const k = lowdose.lattice.refinePeak(noSource, { kxInvA: t.kxInvA, kyInvA: t.kyInvA }, { searchRadiusPx: 4 });
    assert.equal(k.refinedBy, 'parabolic');
    const step = payload.crop.kxScaleInvA;
    assert.ok(Math.hypot(s.kxInvA - k.kxInvA, s.kyInvA - k.kyInvA) < 1e-3 * step, `position differs by ${Math.hypot(s.kxInvA - k.kxInvA, s.kyInvA - k.kyInvA) / step} px`);
    assert.ok(Math.abs(s.snr / k.snr - 1) < 2e-3, `SNR ${s.snr} vs ${k.snr}`);
  });

  it('pickSpot() refuses a click beyond the crop and gives angle and ratio of two picks free of calibration', () => {
    const cropPs = browser.cropSpectrum(payload);
    assert.throws(() => browser.pickSpot(cropPs, payload.crop, { kxInvA: 0.6, kyInvA: 0 }), /pickSpot: start must lie within \|k\| ≤ .*minDA/);
    const a = browser.pickSpot(cropPs, payload.crop, truthOf('(1/2 0 0)'));
    const c = browser.pickSpot(cropPs, payload.crop, truthOf('(1 0 0)'));
    const d = browser.pickSpot(cropPs, payload.crop, truthOf('(0 1 0)'));
    const r = browser.pairRelation(a, c);
    assert.ok(Math.abs(r.ratio - 2) < 4e-3, `ratio ${r.ratio}`);
    assert.ok(r.angleDeg < 0.5, `angle ${r.angleDeg}`);
    assert.ok(Math.abs(browser.pairRelation(c, d).angleDeg - 90) < 0.3);
  });

  it('the kernel spots in the payload hold every transferred reflection once (upsampled DFT), and initial picks are refined', () => {
    for (const t of truth) {
      const found = payload.peaks.filter(p => Math.min(Math.hypot(p.kxInvA - t.kxInvA, p.kyInvA - t.kyInvA), Math.hypot(p.kxInvA + t.kxInvA, p.kyInvA + t.kyInvA)) < 0.003);
      assert.equal(found.length, 1, `${t.label}`);
      assert.equal(found[0].refinedBy, 'upsampled-dft');
    }
    assert.equal(payload.picks.length, 1);
    assert.equal(payload.picks[0].label, '(010)');
    assert.ok(Math.abs(payload.picks[0].dA / truthOf('(0 1 0)').dA - 1) < 1e-3);
    assert.ok(payload.noise.noiseFloor > 0 && payload.noise.method === 'shot');
  });

  it('CSV and the "Insert as code" cell carry the picks; the code runs and re-refines them in the kernel', () => {
    const cropPs = browser.cropSpectrum(payload);
    const picks = ['(1 0 0)', '(1/2 0 0)'].map((l, i) => browser.pickSpot(cropPs, payload.crop, truthOf(l), { label: i ? 'it\'s "9.4"' : 'pick 1' }));
    const csv = browser.picksCsv(picks).trim().split('\n');
    assert.equal(csv[0], 'label,d_A,g_invA,angle_deg,snr,kx_invA,ky_invA,refined_by');
    assert.equal(csv.length, 3);
    assert.ok(Math.abs(Number(csv[1].split(',')[1]) - picks[0].dA) < 1e-4);
    assert.match(csv[2], /^"it's ""9\.4""",/);
    const code = browser.picksCode(picks, payload.sourceName);
    assert.match(code, /const spots = lowdose\.lattice\.spots\(\[/);
    assert.match(code, /\], sum\);/);
    const logged: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => logged.push(a.join(' '));
    let result: lowdose.lattice.Spot[];
    try {
      result = new Function('lowdose', 'sum', `${code}\nreturn spots;`)(lowdose, img);
    } finally {
      console.log = log;
    }
    assert.equal(result!.length, 2);
    assert.equal(result![1].label, 'it\'s "9.4"');
    assert.equal(result![0].refinedBy, 'upsampled-dft');
    assert.ok(Math.abs(result![0].dA / truthOf('(1 0 0)').dA - 1) < 1e-3);
    assert.equal(logged.length, 2);
    assert.match(logged[0], /^pick 1: d 4\.69\d\d Å/);
    assert.throws(() => browser.picksCode(picks, 'x); alert(1'), /sourceName must be a variable name/);
  });

  it('validateFftPayload() accepts the payload and rejects malformed, newer or hostile ones, naming the field', () => {
    assert.equal(browser.validateFftPayload(JSON.parse(JSON.stringify(payload))).ok, true);
    const bad = (patch: (p: any) => void): string => {
      const p = JSON.parse(JSON.stringify(payload));
      patch(p);
      const r = browser.validateFftPayload(p);
      assert.equal(r.ok, false);
      return (r as { message: string }).message;
    };
    assert.match(bad(p => (p.version = 2)), /newer lowdose .*Update lowdose-jupyterlab/);
    assert.match(bad(p => (p.kind = 'image')), /payload\.kind must be "fft"/);
    assert.match(bad(p => (p.crop.data = p.crop.data.slice(0, -8))), /payload\.crop\.data must decode to/);
    assert.match(bad(p => (p.crop.size = 1e6)), /payload\.crop\.size/);
    assert.match(bad(p => (p.image.preview.data = '<script>')), /payload\.image\.preview\.data must be a base64 string/);
    assert.match(bad(p => (p.peaks[0].dA = 'NaN')), /payload\.peaks\[0\]\.dA must be a finite number/);
    assert.match(bad(p => (p.sourceName = 'sum); fetch("x")')), /payload\.sourceName must be a variable name/);
    assert.match(bad(p => (p.spectrum.axes = [])), /payload\.spectrum\.axes/);
    assert.equal(browser.validateFftPayload(null).ok, false);
    assert.deepEqual(browser.sanitizeFftState({ picks: [{ kxInvA: 0.2, kyInvA: 0, label: 3 }, { kxInvA: 'x' }, { kxInvA: 0, kyInvA: 0 }], ringDA: -1 }), {
      picks: [{ kxInvA: 0.2, kyInvA: 0 }]
    });
    assert.equal(browser.sanitizeFftState('nope'), undefined);
  });

  it('regionSpectrum() of a rectangle of the preview is calibrated with the preview pixel size: the 4.7 Å spot lands at 1/4.695 1/Å within one of its pixels', () => {
    const prev = payload.image.preview;
    const values = lowdose.display.decodePreview(prev);
    const region = { row0: 128, col0: 128, rows: 256, cols: 256 };
    const b = prev.binning;
    const rps = browser.regionSpectrum(values, prev.cols, region, 0.5 * b, 0.5 * b);
    assert.deepEqual(rps.data.shape, [256 / b, 256 / b]);
    assert.equal(rps.axes[1].scale, 1 / ((256 / b) * 0.5 * b));
    assert.equal(rps.metadata.window, 'hann');
    const t = truthOf('(1 0 0)');
    const p = lowdose.lattice.refinePeak(rps, { kxInvA: t.kxInvA, kyInvA: t.kyInvA }, { searchRadiusPx: 2 });
    assert.ok(Math.hypot(p.kxInvA - t.kxInvA, p.kyInvA - t.kyInvA) < rps.axes[1].scale, `region spot at ${p.kxInvA}, ${p.kyInvA}`);
    assert.throws(() => browser.regionSpectrum(values, prev.cols, { row0: 0, col0: 0, rows: 4, cols: 40 }, 1, 1), /regionSpectrum: region must be at least 8 × 8/);
    const view = browser.logPowerView(rps);
    assert.ok(view.high > view.low && view.values.length === rps.data.size);
  });

  it('fftPickerBundle() validates its options with the message formula', () => {
    assert.throws(() => lowdose.display.fftPickerBundle(img, { sourceName: 'a b' }), /fftPicker: sourceName must be the image's variable name/);
    assert.throws(() => lowdose.display.fftPickerBundle(img, { maxBytes: 10 }), /fftPicker: maxBytes must be a number ≥ 200000; got 10\./);
    assert.throws(() => lowdose.display.fftPickerBundle(img, { minDA: -1 }), /fftPicker: minDA must be a positive number/);
  });
});
