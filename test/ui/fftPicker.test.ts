/**
 * UI test of the FFT peak picker in a real JupyterLab, driven in headless Chromium (issue 4 item 8
 * acceptance). Opens notebooks/01-nnb-fft-dspacing.ipynb (a copy), runs all cells in the tslab kernel,
 * clicks near the simulated 4.7 Å spot (screen position computed from the payload's calibration), and
 * checks: the table's d within 0.2 % of the simulation, the Friedel mate marker, the angle of two picks,
 * the ring overlay, the region spectrum, "Copy table" CSV, picks saved into the .ipynb and restored on
 * reload, and "Insert as code" inserting a cell below that runs and prints the refined spots.
 * Screenshots go to test/artifacts/screenshots/fft-*.png.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { LabServer, LabSession, openLabSession, SCREENSHOTS, sleep } from './jupyterLabHarness';
import { PAGE_HELPERS } from './pageHelpers';

const FFT_MIME = 'application/vnd.lowdose.fft.v1+json';
const NOTEBOOK = '01-nnb-fft-dspacing.ipynb';
const PICKER = '.jp-lowdose-fft .jp-lowdose-fft-picker:not([hidden])';
const SPECTRUM = `${PICKER} .jp-lowdose-fft-spectrum canvas`;
const IMAGE = `${PICKER} .jp-lowdose-fft-image canvas`;
/** α-NNB a = 4.695 Å: the simulated (100) spot lies at kx = 1/a, ky = 0 and (010) at kx = 0, ky = 1/a (seed 1, no rotation). */
const D100_A = 4.695;

/** Page-side helpers of this test (plain JavaScript, see pageHelpers.ts for why). */
const FFT_HELPERS = String.raw`
window.__fftTest = {
  // Pixels of a colour near a canvas point (CSS px): counts matches on a ring of radii r0..r1.
  ringCount: function (selector, x, y, r0, r1, test) {
    var canvas = document.querySelector(selector);
    var ctx = canvas.getContext('2d');
    var ratio = canvas.width / canvas.getBoundingClientRect().width;
    var R = Math.ceil(r1 * ratio) + 1;
    var cx = Math.round(x * ratio), cy = Math.round(y * ratio);
    var data = ctx.getImageData(cx - R, cy - R, 2 * R + 1, 2 * R + 1).data;
    var n = 0;
    for (var j = -R; j <= R; j++) for (var i = -R; i <= R; i++) {
      var d = Math.hypot(i, j) / ratio;
      if (d < r0 || d > r1) continue;
      var k = 4 * ((j + R) * (2 * R + 1) + (i + R));
      var r = data[k], g = data[k + 1], b = data[k + 2];
      if (test === 'cyan' ? (r < 90 && g > 180 && b > 200) : (g > 200 && r > 90 && r < 160 && b < 60)) n++;
    }
    return n;
  },
  hash: function (selector) {
    var canvas = document.querySelector(selector);
    var data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    var h = 0;
    for (var k = 0; k < data.length; k += 4) h = (h * 31 + data[k] + data[k + 1] * 7 + data[k + 2] * 13) | 0;
    return h;
  },
  rows: function () {
    return Array.from(document.querySelectorAll('${PICKER} .jp-lowdose-fft-table tbody tr')).map(function (tr) {
      return Array.from(tr.querySelectorAll('td')).map(function (td) { return td.textContent; });
    }).filter(function (r) { return r.length > 2; });
  }
};
`;

interface Payload {
  crop: { size: number; kxScaleInvA: number; kyScaleInvA: number };
  sourceName: string;
}

describe('FFT peak picker in JupyterLab (headless Chromium)', function () {
  let server: LabServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let payload: Payload;

  let session: LabSession | undefined;

  before(async function () {
    this.timeout(240000);
    assert.ok(fs.existsSync(path.join(__dirname, '../../notebooks', NOTEBOOK)), `notebooks/${NOTEBOOK} is missing`);
    session = await openLabSession(this, { copyName: 'ui-notebooks-fft', initScript: PAGE_HELPERS + FFT_HELPERS, clipboard: true });
    ({ server, browser, context, page } = session);
  });

  after(async function () {
    this.timeout(60000);
    await session?.close();
  });

  async function diagnose(what: string): Promise<string> {
    const cells = await page.evaluate('__lowdoseTest.cells()').catch(e => String(e));
    return `${what}\ncells: ${JSON.stringify(cells, null, 1)}\n--- server log ---\n${server?.logTail(30)}`;
  }

  async function shot(name: string, selector?: string): Promise<void> {
    const file = path.join(SCREENSHOTS, `fft-${name}.png`);
    if (selector) await page.locator(selector).first().screenshot({ path: file });
    else await page.screenshot({ path: file });
  }

  /** Page position (CSS px) of reciprocal vector k on the spectrum canvas in its fitted view, from the payload's calibration. */
  async function spectrumPoint(kx: number, ky: number): Promise<{ x: number; y: number; localX: number; localY: number }> {
    const box = (await page.locator(SPECTRUM).first().boundingBox())!;
    const n = payload.crop.size;
    const zoom = Math.min(box.width / n, box.height / n);
    // crop pixel index i sits at k = (i − n/2)·step and covers [i, i + 1) of the view's image coordinates
    const col = kx / payload.crop.kxScaleInvA + n / 2 + 0.5;
    const row = ky / payload.crop.kyScaleInvA + n / 2 + 0.5;
    const localX = (col - n / 2) * zoom + box.width / 2;
    const localY = (row - n / 2) * zoom + box.height / 2;
    return { x: box.x + localX, y: box.y + localY, localX, localY };
  }

  async function rows(): Promise<string[][]> {
    return (await page.evaluate('__fftTest.rows()')) as string[][];
  }

  it('opens notebook 01 with the TypeScript kernel and runs all cells', async function () {
    this.timeout(600000);
    await page.goto(`${server!.url}/lab/tree/${NOTEBOOK}?reset&token=${server!.token}`);
    await page.waitForFunction('window.__lowdoseTest && __lowdoseTest.panel() !== null', null, { timeout: 120000 });
    await page.waitForFunction("__lowdoseTest.kernelStatus() === 'idle'", null, { timeout: 180000, polling: 500 }).catch(async () =>
      assert.fail(await diagnose('the kernel did not become idle'))
    );
    await page.evaluate("window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs').then(function () { return null; })");
    await page.waitForFunction(`document.querySelectorAll('.jp-lowdose-fft').length === 0`);
    await page.locator('.lm-MenuBar-item', { hasText: /^Run$/ }).click();
    await page.locator('.lm-Menu-item:not(.lm-mod-disabled) .lm-Menu-itemLabel', { hasText: /^Run All Cells$/ }).click();
    const state = await page
      .waitForFunction("__lowdoseTest.executionState() !== 'running' && __lowdoseTest.executionState()", null, { timeout: 540000, polling: 1000 })
      .then(h => h.jsonValue())
      .catch(() => 'timeout');
    if (state !== 'done') assert.fail(await diagnose(`running all cells ended in state "${state}"`));
    payload = (await page.evaluate(`__lowdoseTest.firstPayload(${JSON.stringify(FFT_MIME)})`)) as Payload;
    assert.ok(payload && payload.crop.size > 0, 'no FFT picker payload in the outputs');
    assert.equal(payload.sourceName, 'sum');
  });

  it('clicking near the simulated 4.7 Å spot snaps to it: the table shows d within 0.2 % and the Friedel mate is marked', async function () {
    this.timeout(120000);
    await page.locator(SPECTRUM).first().scrollIntoViewIfNeeded();
    await page.locator(SPECTRUM).first().waitFor({ state: 'visible' });
    await sleep(500);
    await shot('01-picker', '.jp-lowdose-fft');
    const g = 1 / D100_A;
    const mate = await spectrumPoint(-g, 0);
    assert.equal(await page.evaluate(`__fftTest.ringCount(${JSON.stringify(SPECTRUM)}, ${mate.localX}, ${mate.localY}, 7, 11, 'cyan')`), 0, 'a pick marker is drawn before any click');
    // 1.5 crop pixels off the spot, as a hand would click.
    const click = await spectrumPoint(g + 1.5 * payload.crop.kxScaleInvA, 1.2 * payload.crop.kyScaleInvA);
    await page.mouse.click(click.x, click.y);
    await page.waitForFunction('__fftTest.rows().length === 1', null, { timeout: 10000 });
    const [row] = await rows();
    const d = Number(row[1]);
    assert.ok(Math.abs(d / D100_A - 1) < 2e-3, `table d ${d} Å vs simulated ${D100_A} Å`);
    assert.equal(row[5], 'parabolic');
    assert.ok(Number(row[4]) > 10, `SNR ${row[4]}`);
    await sleep(300);
    const mateMarks = (await page.evaluate(`__fftTest.ringCount(${JSON.stringify(SPECTRUM)}, ${mate.localX}, ${mate.localY}, 7, 11, 'cyan')`)) as number;
    assert.ok(mateMarks > 8, `Friedel mate marker: ${mateMarks} cyan pixels around −g`);
    await shot('02-one-pick', '.jp-lowdose-fft');
  });

  it('a second pick shows the angle between the two g-vectors (90° for (100)/(010)) and their |g| ratio', async function () {
    this.timeout(60000);
    const p = await spectrumPoint(0, 1 / D100_A);
    await page.mouse.click(p.x - 2, p.y + 2);
    await page.waitForFunction('__fftTest.rows().length === 2', null, { timeout: 10000 });
    const text = (await page.locator(`${PICKER} .jp-lowdose-fft-relations`).textContent()) ?? '';
    const m = /angle ([\d.]+)°, \|g\| ratio [^=]+= ([\d.]+)/.exec(text);
    assert.ok(m, `relations line "${text}"`);
    assert.ok(Math.abs(Number(m[1]) - 90) < 0.3, `angle ${m[1]}`);
    assert.ok(Math.abs(Number(m[2]) - 1) < 4e-3, `ratio ${m[2]}`);
  });

  it('draws a ring at a typed d-spacing', async function () {
    this.timeout(60000);
    const before = await page.evaluate(`__fftTest.hash(${JSON.stringify(SPECTRUM)})`);
    await page.locator(`${PICKER} input.jp-lowdose-fft-ring`).fill('9.39');
    await page.locator(`${PICKER} input.jp-lowdose-fft-ring`).press('Enter');
    await page.waitForFunction(`__fftTest.hash(${JSON.stringify(SPECTRUM)}) !== ${before}`, null, { timeout: 10000 });
    // On the ring, 30° away from any spot.
    const k = 1 / 9.39;
    const p = await spectrumPoint(k * Math.cos(Math.PI / 6), k * Math.sin(Math.PI / 6));
    const green = (await page.evaluate(`__fftTest.ringCount(${JSON.stringify(SPECTRUM)}, ${p.localX}, ${p.localY}, 0, 4, 'green')`)) as number;
    assert.ok(green > 0, 'no ring pixels where the 9.39 Å ring should be');
    await shot('03-two-picks-ring', '.jp-lowdose-fft');
  });

  it('dragging a rectangle on the image shows the spectrum of that region, says so, and resets', async function () {
    this.timeout(60000);
    const before = await page.evaluate(`__fftTest.hash(${JSON.stringify(SPECTRUM)})`);
    const box = (await page.locator(IMAGE).first().boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.25, box.y + box.height * 0.25);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.6, { steps: 6 });
    await page.mouse.up();
    const caption = page.locator(`${PICKER} .jp-lowdose-fft-caption.jp-mod-region`);
    await caption.waitFor({ state: 'visible', timeout: 10000 });
    assert.match((await caption.textContent()) ?? '', /^Region spectrum: rows \d+–\d+, cols \d+–\d+/);
    await page.waitForFunction(`__fftTest.hash(${JSON.stringify(SPECTRUM)}) !== ${before}`, null, { timeout: 10000 });
    await shot('04-region', '.jp-lowdose-fft');
    await page.locator(`${PICKER} button[data-action="reset-region"]`).click();
    await page.waitForFunction(`!document.querySelector('${PICKER} .jp-lowdose-fft-caption.jp-mod-region')`, null, { timeout: 10000 });
  });

  it('"Copy table" puts the picks on the clipboard as CSV', async function () {
    this.timeout(60000);
    await page.locator(`${PICKER} button[data-action="copy"]`).click();
    await page.waitForFunction(`/Copied|refused/.test(document.querySelector('${PICKER} .jp-lowdose-fft-status').textContent)`, null, { timeout: 10000 });
    const status = (await page.locator(`${PICKER} .jp-lowdose-fft-status`).textContent()) ?? '';
    const csv = /Copied/.test(status)
      ? ((await page.evaluate('navigator.clipboard.readText()')) as string)
      : await page.locator(`${PICKER} textarea.jp-lowdose-fft-fallback`).inputValue();
    const lines = csv.trim().split('\n');
    assert.equal(lines[0], 'label,d_A,g_invA,angle_deg,snr,kx_invA,ky_invA,refined_by');
    assert.equal(lines.length, 3, csv);
    const table = await rows();
    assert.ok(Math.abs(Number(lines[1].split(',')[1]) - Number(table[0][1])) < 1e-4, `${lines[1]} vs ${table[0]}`);
  });

  it('saves the picks and the ring into the notebook and restores them on reload', async function () {
    this.timeout(180000);
    await page.waitForFunction('__lowdoseTest.dirty() === true', null, { timeout: 10000 });
    await page.locator('.jp-Notebook .jp-Cell .jp-InputPrompt').first().click();
    await page.keyboard.press('Control+s');
    await page.waitForFunction('__lowdoseTest.dirty() === false', null, { timeout: 30000 });
    const nb = JSON.parse(fs.readFileSync(path.join(server!.rootDir, NOTEBOOK), 'utf8'));
    const output = nb.cells.flatMap((c: { outputs?: unknown[] }) => c.outputs ?? []).find((o: any) => o.data && o.data[FFT_MIME]);
    assert.ok(output, 'no saved output carries the FFT picker payload');
    assert.ok(output.data['image/png'] && output.data['text/plain'], 'the picker output lacks its PNG or text fallback');
    const state = output.metadata?.[FFT_MIME]?.picker;
    assert.ok(state && state.picks.length === 2, `saved state ${JSON.stringify(output.metadata)}`);
    assert.ok(Math.abs(Math.hypot(state.picks[0].kxInvA, state.picks[0].kyInvA) * D100_A - 1) < 2e-3);
    assert.equal(state.ringDA, 9.39);
    const before = await rows();
    await page.reload();
    await page.locator(SPECTRUM).first().waitFor({ state: 'visible', timeout: 120000 });
    await page.waitForFunction('__fftTest.rows().length === 2', null, { timeout: 30000 });
    assert.deepEqual(await rows(), before);
    assert.equal(await page.locator(`${PICKER} input.jp-lowdose-fft-ring`).inputValue(), '9.39');
    await sleep(800);
    assert.equal(await page.evaluate('__lowdoseTest.dirty()'), false, 'reopening the notebook made it dirty');
  });

  it('"Insert as code" inserts a cell below the picker that runs and prints the re-refined spots', async function () {
    this.timeout(240000);
    await page.waitForFunction("__lowdoseTest.kernelStatus() === 'idle'", null, { timeout: 60000 });
    const pickerCell = (await page.evaluate(`(function () {
      var p = __lowdoseTest.panel();
      return p.content.widgets.findIndex(function (c) { return !!c.node.querySelector('.jp-lowdose-fft'); });
    })()`)) as number;
    assert.ok(pickerCell >= 0);
    await page.locator(SPECTRUM).first().scrollIntoViewIfNeeded();
    await page.locator(`${PICKER} button[data-action="insert"]`).click();
    const source = (await page
      .waitForFunction(`(function () { var c = __lowdoseTest.panel().content.widgets[${pickerCell + 1}]; var s = c && c.model.sharedModel.getSource(); return s && s.indexOf('lattice.spots') >= 0 ? s : null; })()`, null, { timeout: 10000 })
      .then(h => h.jsonValue())) as string;
    assert.match(source, /const spots = lowdose\.lattice\.spots\(\[\n  \{ kxInvA: [-\d.e]+, kyInvA: [-\d.e]+, label: "pick 1" \},/);
    assert.match(source, /\], sum\);/);
    assert.equal(await page.evaluate('__lowdoseTest.panel().content.activeCellIndex'), pickerCell + 1);
    await page.evaluate("window.jupyterapp.commands.execute('notebook:run-cell').then(function () { return null; })");
    const out = (await page
      .waitForFunction(`(function () {
        var c = __lowdoseTest.panel().content.widgets[${pickerCell + 1}];
        if (c.model.executionCount === null || __lowdoseTest.kernelStatus() !== 'idle') return null;
        return JSON.stringify(c.model.outputs.toJSON());
      })()`, null, { timeout: 120000, polling: 500 })
      .then(h => h.jsonValue())) as string;
    const outputs = JSON.parse(out) as Array<{ output_type: string; name?: string; text?: string | string[] }>;
    assert.ok(!outputs.some(o => o.output_type === 'error' || o.name === 'stderr'), `the inserted cell failed: ${out}`);
    const text = outputs.map(o => (Array.isArray(o.text) ? o.text.join('') : o.text ?? '')).join('');
    const m = /pick 1: d ([\d.]+) Å, \|g\| [\d.]+ 1\/Å, angle [-\d.]+°, SNR [\d.]+ \(upsampled-dft\)/.exec(text);
    assert.ok(m, `printed: ${text}`);
    assert.ok(Math.abs(Number(m[1]) / D100_A - 1) < 1e-3, `kernel-refined d ${m[1]}`);
    assert.match(text, /pick 2: d 4\.69\d\d Å/);
    await page.locator('.jp-Notebook .jp-Cell').nth(pickerCell + 1).scrollIntoViewIfNeeded();
    await shot('05-inserted-cell');
  });

  it('shows a clear message for a newer or malformed payload and never injects payload strings as HTML', async function () {
    this.timeout(60000);
    const full = (await page.evaluate(`__lowdoseTest.firstPayload(${JSON.stringify(FFT_MIME)})`)) as { title: string };
    const count = await page.locator('.jp-lowdose-fft .jp-lowdose-error:not([hidden])').count();
    await page.evaluate(`__lowdoseTest.addOutput({ ${JSON.stringify(FFT_MIME)}: { version: 2, kind: 'fft' }, 'text/plain': 'newer' })`);
    await page.evaluate(`__lowdoseTest.addOutput({ ${JSON.stringify(FFT_MIME)}: ${JSON.stringify({ ...full, sourceName: 'sum); alert(1' })} })`);
    const hostile = '<img src=x onerror="window.__lowdosePwned = 1"><b>bold</b>';
    await page.evaluate(`__lowdoseTest.addOutput({ ${JSON.stringify(FFT_MIME)}: ${JSON.stringify({ ...full, title: hostile })} })`);
    await page.waitForFunction(`document.querySelectorAll('.jp-lowdose-fft .jp-lowdose-error:not([hidden])').length >= ${count + 2}`, null, { timeout: 20000 });
    const messages = await page.locator('.jp-lowdose-fft .jp-lowdose-error:not([hidden])').allTextContents();
    assert.ok(messages.some(m => /newer lowdose/.test(m) && /Update lowdose-jupyterlab/.test(m)), messages.join('\n'));
    assert.ok(messages.some(m => /payload\.sourceName must be a variable name/.test(m)), messages.join('\n'));
    await page.waitForFunction(`Array.from(document.querySelectorAll('.jp-lowdose-fft .jp-lowdose-title')).some(e => e.textContent === ${JSON.stringify(hostile)})`, null, { timeout: 20000 });
    assert.equal(await page.locator('.jp-lowdose-fft img:not(.jp-lowdose-fallback), .jp-lowdose-fft b').count(), 0, 'payload markup became DOM elements');
    assert.equal(await page.evaluate('window.__lowdosePwned === undefined'), true, 'payload script ran');
    await page.locator('.jp-lowdose-fft .jp-lowdose-error:not([hidden])').last().scrollIntoViewIfNeeded();
    await shot('06-error', '.jp-lowdose-fft .jp-lowdose-error:not([hidden])');
  });
});
