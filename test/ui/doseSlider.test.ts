/**
 * UI test of the lowdose dose slider in a real JupyterLab, driven in headless Chromium.
 *
 * Opens notebooks/02-nnb-dose-series.ipynb (a copy; its saved outputs render the slider), drags the
 * slider (frame and FFT canvases change, the dose label equals the payload's dose), changes the group
 * size, plays and pauses, steps with the keyboard without triggering notebook shortcuts, measures
 * scrubbing smoothness, saves and reloads (state restored), then runs the notebook in the tslab
 * kernel and checks that "Insert as code" inserts a cell below that runs. Screenshots go to
 * test/artifacts/screenshots/dose-slider-*.png.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import * as lowdose from 'lowdose';
import { LabServer, LabSession, openLabSession, SCREENSHOTS, sleep } from './jupyterLabHarness';
import { PAGE_HELPERS } from './pageHelpers';

const MIME = 'application/vnd.lowdose.doseseries.v1+json';
const NOTEBOOK = '02-nnb-dose-series.ipynb';
const ROOT = '.jp-lowdose-dose .jp-lowdose-dose-viewer:not([hidden])';
const FRAME = `${ROOT} canvas.jp-lowdose-dose-frame`;
const SPECTRUM = `${ROOT} canvas.jp-lowdose-dose-spectrum`;
const SLIDER = `${ROOT} input.jp-lowdose-dose-slider`;
const LABEL = `${ROOT} .jp-lowdose-dose-label`;
const GROUP = `${ROOT} input.jp-lowdose-dose-group`;

/** The first dose-slider widget of the current notebook, as a page expression. */
const WIDGET = `(function () {
  var p = __lowdoseTest.panel(); var found = null;
  p.content.widgets.forEach(function (cell) {
    if (found || cell.model.type !== 'code' || !cell.outputArea) return;
    cell.outputArea.widgets.forEach(function (child) {
      (child.widgets ? child.widgets : [child]).forEach(function (w) { if (!found && w.node && w.node.classList.contains('jp-lowdose-dose')) found = w; });
    });
  });
  return found;
})()`;

interface Stats {
  hash: number;
  std: number;
  opaque: number;
}

describe('dose slider in JupyterLab (headless Chromium)', function () {
  let server: LabServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;

  let session: LabSession | undefined;

  before(async function () {
    this.timeout(240000);
    session = await openLabSession(this, { copyName: 'ui-notebooks-dose', initScript: PAGE_HELPERS, viewport: { width: 1280, height: 1700 } });
    ({ server, browser, context, page } = session);
  });

  after(async function () {
    this.timeout(60000);
    await session?.close();
  });

  const stats = async (selector: string): Promise<Stats> => {
    const s = (await page.evaluate(`__lowdoseTest.canvasStats(${JSON.stringify(selector)})`)) as Stats | null;
    assert.ok(s, `${selector} is missing or has no size`);
    return s;
  };
  const payload = async (): Promise<{ cumulativeDoseEPerA2: number[]; shape: number[]; frameTimeS: number }> =>
    (await page.evaluate(`__lowdoseTest.firstPayload(${JSON.stringify(MIME)})`)) as never;
  const label = async (): Promise<{ text: string; dose: number; first: number; last: number }> =>
    (await page.locator(LABEL).first().evaluate(el => ({
      text: el.textContent ?? '',
      dose: Number((el as HTMLElement).dataset.doseEPerA2),
      first: Number((el as HTMLElement).dataset.first),
      last: Number((el as HTMLElement).dataset.last)
    }))) as never;
  const waitReady = async (): Promise<void> => {
    await page.waitForFunction(`(function () { var w = ${WIDGET}; return w && w.ready && w.timings.draws > 0; })()`, null, { timeout: 90000 });
  };
  const shot = async (name: string, selector?: string): Promise<void> => {
    const file = path.join(SCREENSHOTS, `dose-slider-${name}.png`);
    if (selector) await page.locator(selector).first().screenshot({ path: file });
    else await page.screenshot({ path: file });
  };

  it('renders the saved dose slider of notebook 02', async function () {
    this.timeout(240000);
    await page.goto(`${server!.url}/lab/tree/${NOTEBOOK}?reset&token=${server!.token}`);
    await page.waitForFunction('window.__lowdoseTest && __lowdoseTest.panel() !== null', null, { timeout: 120000 });
    const slider = page.locator('.jp-lowdose-dose').first();
    await slider.scrollIntoViewIfNeeded();
    await waitReady();
    const frame = await stats(FRAME);
    const spectrum = await stats(SPECTRUM);
    assert.ok(frame.opaque > 0 && frame.std > 3, `frame canvas looks blank (std ${frame.std})`);
    assert.ok(spectrum.std > 3, `spectrum canvas looks blank (std ${spectrum.std})`);
    const l = await label();
    const p = await payload();
    assert.equal(l.first, 0);
    assert.equal(l.dose, p.cumulativeDoseEPerA2[0]);
    await shot('01-initial', '.jp-lowdose-dose');
  });

  it('dragging the slider changes the frame and its FFT; the dose label matches the payload', async function () {
    this.timeout(60000);
    const frameBefore = await stats(FRAME);
    const spectrumBefore = await stats(SPECTRUM);
    await page.locator(SLIDER).first().scrollIntoViewIfNeeded();
    const box = (await page.locator(SLIDER).first().boundingBox())!;
    await page.mouse.move(box.x + 4, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.62, box.y + box.height / 2, { steps: 12 });
    await page.mouse.up();
    const l = await label();
    const p = await payload();
    assert.ok(l.first > 5, `slider moved only to frame ${l.first}`);
    assert.equal(l.dose, p.cumulativeDoseEPerA2[l.last], 'dose label data differs from the payload');
    const shown = parseFloat(l.text);
    const expected = p.cumulativeDoseEPerA2[l.last];
    assert.ok(Math.abs(shown - expected) <= 5e-4 * expected, `label "${l.text}" vs payload ${expected}`);
    assert.match(l.text, new RegExp(`· ${(l.last + 1) * p.frameTimeS} s · frame ${l.last + 1}/${p.shape[0]}$`));
    await page.waitForFunction(`__lowdoseTest.canvasStats(${JSON.stringify(FRAME)}).hash !== ${frameBefore.hash}`, null, { timeout: 10000 });
    await page.waitForFunction(`__lowdoseTest.canvasStats(${JSON.stringify(SPECTRUM)}).hash !== ${spectrumBefore.hash}`, null, { timeout: 10000 });
    await shot('02-dragged', '.jp-lowdose-dose');
  });

  it('group size sums frames; arrows step frames without notebook shortcuts; play and pause', async function () {
    this.timeout(60000);
    const before = await stats(FRAME);
    await page.locator(GROUP).first().fill('5');
    await page.locator(GROUP).first().press('Enter');
    await page.waitForFunction(`(function () { var w = ${WIDGET}; return w.view.groupFrames === 5; })()`);
    const l = await label();
    assert.equal(l.last - l.first, 4);
    const p = await payload();
    assert.equal(l.dose, p.cumulativeDoseEPerA2[l.last]);
    const after = await stats(FRAME);
    assert.notEqual(after.hash, before.hash);
    // A 5-frame sum has less relative shot noise: more grey levels in use.
    await shot('03-group5', '.jp-lowdose-dose');
    const active = await page.evaluate('__lowdoseTest.panel().content.activeCellIndex');
    await page.locator(SLIDER).first().focus();
    const f0 = (await label()).first;
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowLeft');
    assert.equal((await label()).first, f0 + 1);
    await page.keyboard.press('ArrowDown');
    assert.equal((await label()).first, f0);
    assert.equal(await page.evaluate('__lowdoseTest.panel().content.activeCellIndex'), active, 'an arrow key moved the notebook selection');
    await page.locator(`${ROOT} button[data-action="play"]`).first().click();
    await page.waitForFunction(`(function () { var w = ${WIDGET}; return w.view.playing && w.view.frame > ${f0 + 2}; })()`, null, { timeout: 10000 });
    await page.locator(`${ROOT} button[data-action="play"]`).first().click();
    const stopped = (await label()).first;
    await sleep(600);
    assert.equal((await label()).first, stopped, 'the series kept playing after Pause');
    assert.equal(await page.evaluate(`${WIDGET}.view.playing`), false);
  });

  it('scrubs smoothly: every step drawn from the cache within one animation frame', async function () {
    this.timeout(120000);
    await page.locator(GROUP).first().fill('1');
    await page.locator(GROUP).first().press('Enter');
    await page.waitForFunction(`/all \\d+ views ready/.test(document.querySelector(${JSON.stringify(`${ROOT} .jp-lowdose-dose-status`)}).textContent)`, null, { timeout: 90000 });
    const result = (await page.evaluate(`new Promise(function (resolve) {
      var w = ${WIDGET}; var slider = w.node.querySelector('input.jp-lowdose-dose-slider');
      var n = Number(slider.max) + 1; var times = []; var draws0 = w.timings.draws; var misses0 = w.timings.cacheMisses; var maxDraw = 0; var k = 0;
      function step(t) {
        times.push(t);
        if (k > 0) maxDraw = Math.max(maxDraw, w.timings.lastDrawMs);
        if (k >= 2 * n) { resolve({ n: n, times: times, draws: w.timings.draws - draws0, misses: w.timings.cacheMisses - misses0, maxDraw: maxDraw }); return; }
        var i = k < n ? k : 2 * n - 1 - k; k++;
        slider.value = String(i); slider.dispatchEvent(new Event('input', { bubbles: true }));
        requestAnimationFrame(step);
      }
      requestAnimationFrame(step);
    })`)) as { n: number; times: number[]; draws: number; misses: number; maxDraw: number };
    const intervals = result.times.slice(1).map((t, i) => t - result.times[i]);
    const sorted = intervals.slice().sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    const over = intervals.filter(d => d > 1.5 * median).length;
    const previews = (await page.evaluate(`__lowdoseTest.firstPayload(${JSON.stringify(MIME)}).frames`)) as { rows: number; cols: number };
    console.log(
      `      scrub: ${intervals.length} steps over ${result.n} frames (${previews.rows} × ${previews.cols} previews), rAF interval median ${median.toFixed(1)} ms, ` +
        `max ${Math.max(...intervals).toFixed(1)} ms, ${over} intervals > 1.5× median; draw max ${result.maxDraw.toFixed(2)} ms; cache misses ${result.misses}; draws ${result.draws}`
    );
    assert.equal(result.misses, 0, 'scrubbing recomputed a frame or spectrum');
    assert.ok(result.draws >= intervals.length - 2, `${result.draws} draws for ${intervals.length} steps`);
    // Generous bound for a loaded 2-core machine: a cached draw is a few canvas copies.
    assert.ok(result.maxDraw < 50, `a cached draw took ${result.maxDraw} ms`);
  });

  it('saves frame and group size into the notebook and restores them on reload', async function () {
    this.timeout(180000);
    await page.evaluate(`${WIDGET}.setView(12, 3)`);
    await page.waitForFunction('__lowdoseTest.dirty() === true', null, { timeout: 10000 });
    // The widget writes its state debounced: on a loaded machine a save can land between the frame
    // and the group-size write, so save until the file holds the final state (or give up).
    const savedView = (): unknown => {
      const nb = JSON.parse(fs.readFileSync(path.join(server!.rootDir, NOTEBOOK), 'utf8'));
      const output = nb.cells.flatMap((c: { outputs?: unknown[] }) => c.outputs ?? []).find((o: { data?: object }) => o.data && MIME in o.data);
      return output?.metadata?.[MIME]?.view;
    };
    const expected = { frame: 12, groupFrames: 3, playing: false };
    for (let attempt = 0; attempt < 5; attempt++) {
      await page.locator('.jp-Notebook .jp-Cell .jp-InputPrompt').first().click();
      await page.keyboard.press('Control+s');
      await page.waitForFunction('__lowdoseTest.dirty() === false', null, { timeout: 30000 });
      if (JSON.stringify(savedView()) === JSON.stringify(expected)) break;
      await sleep(1000);
    }
    assert.deepEqual(savedView(), expected);
    await page.reload();
    await page.waitForFunction('window.__lowdoseTest && __lowdoseTest.panel() !== null', null, { timeout: 120000 });
    await page.locator('.jp-lowdose-dose').first().scrollIntoViewIfNeeded();
    await waitReady();
    const l = await label();
    assert.equal(l.first, 12);
    assert.equal(l.last, 14);
    assert.equal(await page.locator(SLIDER).first().inputValue(), '12');
    assert.equal(await page.locator(GROUP).first().inputValue(), '3');
    await sleep(600);
    // Reopening must not rewrite the widget's state. (JupyterLab itself may mark the notebook dirty
    // on reload, e.g. when the restarted kernel's language_info is written into the metadata, so
    // the check is on what a save would store, not on the dirty flag.)
    if (await page.evaluate('__lowdoseTest.dirty()')) {
      await page.locator('.jp-Notebook .jp-Cell .jp-InputPrompt').first().click();
      await page.keyboard.press('Control+s');
      await page.waitForFunction('__lowdoseTest.dirty() === false', null, { timeout: 30000 });
    }
    assert.deepEqual(savedView(), expected, 'reopening changed the saved view');
    await shot('04-restored', '.jp-lowdose-dose');
  });

  it('shows a clear message for a newer or malformed payload, never payload markup', async function () {
    this.timeout(60000);
    const count = await page.locator('.jp-lowdose-dose .jp-lowdose-error:not([hidden])').count();
    await page.evaluate(`__lowdoseTest.addOutput({ ${JSON.stringify(MIME)}: { version: 2, kind: 'doseseries' }, 'text/plain': 'newer' })`);
    await page.evaluate(`__lowdoseTest.addOutput({ ${JSON.stringify(MIME)}: { version: 1, kind: 'doseseries', title: '<img src=x onerror="window.__pwned=1">' }, 'text/plain': 'bad' })`);
    await page.waitForFunction(`document.querySelectorAll('.jp-lowdose-dose .jp-lowdose-error:not([hidden])').length >= ${count + 2}`, null, { timeout: 20000 });
    const messages = await page.locator('.jp-lowdose-dose .jp-lowdose-error:not([hidden])').allTextContents();
    assert.ok(messages.some(m => /newer lowdose/.test(m)), messages.join('\n'));
    assert.ok(messages.some(m => /payload\.valueLabel must be a string/.test(m)), messages.join('\n'));
    assert.equal(await page.evaluate('window.__pwned === undefined'), true);
  });

  it('previews cropped to a central region (binning capped below the tracked spots\' Nyquist) render, with the region in the status line', async function () {
    this.timeout(120000);
    // 300 kB for a 30 × 512² series would bin it ≥ 4×4; the 4.7 Å spots (0.5 Å pixels) allow 3×3 at most
    const s = lowdose.simulate.doseSeries({ shape: [512, 512], seed: 3, frameTimeS: 0.5 });
    const shiftsPx = s.metadata.shiftsPx as Array<[number, number]>;
    const tracks = await lowdose.lattice.trackSpots(s, { dA: 4.7, shiftsPx, progress: false });
    const bundle = await lowdose.display.doseSliderBundle(s, null, { maxBytes: 300_000, tracks, shiftsPx, title: 'cropped previews' });
    const region = (bundle.data[MIME] as lowdose.display.DoseSeriesPayloadV1).frames.region!;
    assert.ok(region, 'the bundle has a region');
    await page.evaluate(`__lowdoseTest.addOutput(${JSON.stringify(bundle.data)})`);
    await page.waitForFunction(
      `(function () { var all = document.querySelectorAll('.jp-lowdose-dose .jp-lowdose-dose-status'); var el = all[all.length - 1]; return el && /of the central/.test(el.textContent); })()`,
      null,
      { timeout: 60000 }
    );
    const status = await page.evaluate(`(function () { var all = document.querySelectorAll('.jp-lowdose-dose .jp-lowdose-dose-status'); return all[all.length - 1].textContent; })()`);
    assert.match(String(status), new RegExp(`preview ${Math.ceil(region[2] / 3)} × ${Math.ceil(region[3] / 3)} \\(binned 3×3\\) of the central ${region[2]} × ${region[3]} px`));
    const viewer = page.locator('.jp-lowdose-dose .jp-lowdose-dose-viewer:not([hidden])').last();
    await viewer.scrollIntoViewIfNeeded();
    await sleep(500);
    await viewer.screenshot({ path: path.join(SCREENSHOTS, 'dose-slider-06-cropped.png') });
  });

  it('Insert as code writes a cell below the slider that runs in the kernel', async function () {
    this.timeout(600000);
    await page.waitForFunction("__lowdoseTest.kernelStatus() === 'idle'", null, { timeout: 180000, polling: 500 });
    await page.locator('.lm-MenuBar-item', { hasText: /^Run$/ }).click();
    await page.locator('.lm-Menu-item:not(.lm-mod-disabled) .lm-Menu-itemLabel', { hasText: /^Run All Cells$/ }).click();
    const state = await page
      .waitForFunction("__lowdoseTest.executionState() !== 'running' && __lowdoseTest.executionState()", null, { timeout: 500000, polling: 1000 })
      .then(h => h.jsonValue())
      .catch(() => 'timeout');
    assert.equal(state, 'done', JSON.stringify(await page.evaluate('__lowdoseTest.cells()')));
    await page.locator('.jp-lowdose-dose').first().scrollIntoViewIfNeeded();
    await waitReady();
    await page.evaluate(`${WIDGET}.setView(10, 4)`);
    const cellsBefore = (await page.evaluate('__lowdoseTest.panel().content.widgets.length')) as number;
    await page.locator(`${ROOT} button[data-action="insert"]`).first().click();
    await page.waitForFunction(`__lowdoseTest.panel().content.widgets.length === ${cellsBefore + 1}`);
    const inserted = (await page.evaluate(`(function () {
      var p = __lowdoseTest.panel(); var i = p.content.activeCellIndex; var cell = p.content.widgets[i];
      var prev = p.content.widgets[i - 1];
      return { index: i, source: cell.model.sharedModel.getSource(), prevHasSlider: !!prev.node.querySelector('.jp-lowdose-dose') };
    })()`)) as { index: number; source: string; prevHasSlider: boolean };
    assert.ok(inserted.prevHasSlider, 'the cell was not inserted right below the slider output');
    assert.match(inserted.source, /sumDoseWindow\(series, \{ firstFrame: 10, lastFrame: 13, shiftsPx: aligned\.shiftsPx \}\)/);
    await page.evaluate("window.jupyterapp.commands.execute('notebook:run-cell').then(function () { return null; })");
    await page.waitForFunction(
      `(function () { var p = __lowdoseTest.panel(); var c = p.content.widgets[${inserted.index}]; return c.model.executionCount !== null && __lowdoseTest.kernelStatus() === 'idle'; })()`,
      null,
      { timeout: 120000, polling: 500 }
    );
    const outputs = (await page.evaluate(`__lowdoseTest.panel().content.widgets[${inserted.index}].model.outputs.toJSON()`)) as Array<{ output_type: string; data?: object; text?: string }>;
    assert.ok(!outputs.some(o => o.output_type === 'error' || (o.output_type === 'stream' && /Error/.test(String(o.text)))), JSON.stringify(outputs).slice(0, 2000));
    const shown = outputs.find(o => o.data && 'application/vnd.lowdose.image.v1+json' in o.data) as { data: { [k: string]: { title: string; shape: number[] } } } | undefined;
    assert.ok(shown, 'the inserted cell shows no image');
    assert.match(shown.data['application/vnd.lowdose.image.v1+json'].title, /^frames 10–13 · /);
    await page.locator('.jp-lowdose-image').last().scrollIntoViewIfNeeded();
    await shot('05-inserted-cell');
  });
});
