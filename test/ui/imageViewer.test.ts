/**
 * UI test of the lowdose image viewer in a real JupyterLab, driven in headless Chromium.
 *
 * Starts JupyterLab from the project environment, opens notebooks/00-getting-started.ipynb (a copy),
 * runs all cells in the tslab kernel, then checks the viewer: canvas drawn, calibrated scale bar,
 * wheel zoom, pan, readout, colormap, state saved into the .ipynb and restored on reload, PNG export,
 * the dark theme, and that malformed or hostile payloads show a message instead of breaking the page.
 * Screenshots go to test/artifacts/screenshots/.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { LabServer, LabSession, openLabSession, SCREENSHOTS, sleep } from './jupyterLabHarness';
import { PAGE_HELPERS } from './pageHelpers';

const IMAGE_MIME = 'application/vnd.lowdose.image.v1+json';
const NOTEBOOK = '00-getting-started.ipynb';
const VIEWER = '.jp-lowdose-image .jp-lowdose-viewer:not([hidden])';
const CANVAS = `${VIEWER} canvas.jp-lowdose-canvas`;
const SCALE_LABEL = `${VIEWER} .jp-lowdose-scalebar-label`;

interface CanvasStats {
  width: number;
  height: number;
  opaque: number;
  mean: number;
  std: number;
  colouredFraction: number;
  distinct: number;
  hash: number;
}

describe('image viewer in JupyterLab (headless Chromium)', function () {
  let server: LabServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;

  let session: LabSession | undefined;

  before(async function () {
    this.timeout(240000);
    assert.ok(fs.existsSync(path.join(__dirname, '../../notebooks', NOTEBOOK)), `notebooks/${NOTEBOOK} is missing`);
    session = await openLabSession(this, { copyName: 'ui-notebooks', initScript: PAGE_HELPERS, acceptDownloads: true });
    ({ server, browser, context, page } = session);
  });

  after(async function () {
    this.timeout(60000);
    await session?.close();
  });

  /** Fails with the server log and the cells' state attached. */
  async function diagnose(what: string): Promise<string> {
    const cells = await page.evaluate('__lowdoseTest.cells()').catch(e => String(e));
    return `${what}\ncells: ${JSON.stringify(cells, null, 1)}\n--- server log ---\n${server?.logTail(30)}`;
  }

  async function canvasStats(): Promise<CanvasStats> {
    const stats = (await page.evaluate(`__lowdoseTest.canvasStats(${JSON.stringify(CANVAS)})`)) as CanvasStats | null;
    assert.ok(stats, 'the viewer canvas is missing or has no size');
    return stats;
  }

  async function scaleBar(): Promise<{ label: string; lengthPx: number }> {
    const label = page.locator(SCALE_LABEL).first();
    return {
      label: ((await label.textContent()) ?? '').trim(),
      lengthPx: Number(await label.getAttribute('data-length-px'))
    };
  }

  /** Waits until the viewer's zoom label reads `text`. */
  async function waitForZoomText(text: string): Promise<void> {
    const selector = JSON.stringify(`${VIEWER} .jp-lowdose-zoom`);
    await page.waitForFunction(`(document.querySelector(${selector}) || {}).textContent === ${JSON.stringify(text)}`, null, {
      timeout: 10000
    });
  }

  /** Waits until the canvas differs from a previous rendering (drawing happens on animation frames). */
  async function canvasChangedFrom(previous: CanvasStats): Promise<CanvasStats> {
    const expr = `(function () { var s = __lowdoseTest.canvasStats(${JSON.stringify(CANVAS)}); return s && s.hash !== ${previous.hash} ? s : null; })()`;
    const handle = await page.waitForFunction(expr, null, { timeout: 10000 }).catch(() => null);
    return handle ? ((await handle.jsonValue()) as CanvasStats) : canvasStats();
  }

  async function shot(name: string, selector?: string): Promise<void> {
    const file = path.join(SCREENSHOTS, `${name}.png`);
    if (selector) {
      await page.locator(selector).first().screenshot({ path: file });
    } else {
      await page.screenshot({ path: file });
    }
  }

  it('opens the getting-started notebook with the TypeScript kernel and runs all cells', async function () {
    this.timeout(600000);
    await page.goto(`${server!.url}/lab/tree/${NOTEBOOK}?reset&token=${server!.token}`);
    await page.waitForFunction('window.__lowdoseTest && __lowdoseTest.panel() !== null', null, { timeout: 120000 });
    assert.equal(
      await page.evaluate("window.jupyterapp.hasPlugin('lowdose-jupyterlab:renderers')"),
      true,
      'the lowdose-jupyterlab extension is not installed in the JupyterLab of .venv (run `npm run setup`)'
    );
    await page.waitForFunction("__lowdoseTest.kernelStatus() === 'idle'", null, { timeout: 180000, polling: 500 }).catch(
      async () => assert.fail(await diagnose(`the kernel did not become idle (status ${await page.evaluate('__lowdoseTest.kernelStatus()')})`))
    );
    // Start from a clean slate so the outputs checked below come from this run, not the committed file.
    await page.evaluate("window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs').then(function () { return null; })");
    await page.waitForFunction(`document.querySelectorAll('.jp-lowdose-image').length === 0`);
    // Run → Run All Cells, through the menu as a user would.
    await page.locator('.lm-MenuBar-item', { hasText: /^Run$/ }).click();
    await page.locator('.lm-Menu-item:not(.lm-mod-disabled) .lm-Menu-itemLabel', { hasText: /^Run All Cells$/ }).click();
    const state = await page
      .waitForFunction("__lowdoseTest.executionState() !== 'running' && __lowdoseTest.executionState()", null, {
        timeout: 540000,
        polling: 1000
      })
      .then(h => h.jsonValue())
      .catch(() => 'timeout');
    await shot('01-notebook-after-run-all');
    if (state !== 'done') {
      assert.fail(await diagnose(`running all cells ended in state "${state}"`));
    }
  });

  it('draws the image on the canvas with a calibrated scale bar', async function () {
    this.timeout(120000);
    await page.locator(CANVAS).first().waitFor({ state: 'visible', timeout: 60000 });
    await page.locator(CANVAS).first().scrollIntoViewIfNeeded();
    await page.waitForFunction(
      `(document.querySelector(${JSON.stringify(SCALE_LABEL)}) || {}).textContent`,
      null,
      { timeout: 30000 }
    );
    const stats = await canvasStats();
    assert.ok(stats.opaque > 0, 'the canvas has no drawn pixels');
    assert.ok(stats.std > 5, `the canvas looks blank (luminance std ${stats.std.toFixed(2)})`);
    assert.ok(stats.distinct > 16, `the canvas holds only ${stats.distinct} distinct colours`);
    const bar = await scaleBar();
    assert.match(bar.label, /^\d+(\.\d+)? (Å|nm)$/, `scale-bar label "${bar.label}"`);
    assert.ok(bar.lengthPx > 10 && bar.lengthPx <= 130, `scale-bar length ${bar.lengthPx} px`);
    await shot('02-viewer-light', '.jp-lowdose-image');
    await shot('02-notebook-with-viewer');
  });

  it('zooms with the wheel about the cursor, changing the scale bar', async function () {
    this.timeout(60000);
    const before = await scaleBar();
    const zoomBefore = await page.locator(`${VIEWER} .jp-lowdose-zoom`).first().textContent();
    const box = (await page.locator(CANVAS).first().boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.4);
    await page.mouse.wheel(0, -600);
    await page.waitForFunction(
      `(document.querySelector(${JSON.stringify(SCALE_LABEL)}) || {}).textContent !== ${JSON.stringify(before.label)}`,
      null,
      { timeout: 10000 }
    );
    const after = await scaleBar();
    const zoomAfter = await page.locator(`${VIEWER} .jp-lowdose-zoom`).first().textContent();
    assert.notEqual(after.label, before.label);
    assert.notEqual(zoomAfter, zoomBefore);
    assert.match(after.label, /^\d+(\.\d+)? (Å|nm)$/);
    // Zooming in shortens the physical length of the bar (a smaller round number).
    const toA = (label: string): number => parseFloat(label) * (label.endsWith('nm') ? 10 : 1);
    assert.ok(toA(after.label) < toA(before.label), `${after.label} should be shorter than ${before.label}`);
    await shot('03-viewer-zoomed', '.jp-lowdose-image');
  });

  it('pans by dragging and reads out row, column, position and value under the cursor', async function () {
    this.timeout(60000);
    const before = await canvasStats();
    const box = (await page.locator(CANVAS).first().boundingBox())!;
    const x = box.x + box.width * 0.5;
    const y = box.y + box.height * 0.5;
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x + 60, y + 40, { steps: 4 });
    await page.mouse.up();
    const after = await canvasChangedFrom(before);
    assert.notEqual(after.hash, before.hash, 'dragging did not move the image');
    await page.mouse.move(x + 5, y + 5);
    const readout = ((await page.locator(`${VIEWER} .jp-lowdose-readout`).first().textContent()) ?? '').trim();
    assert.match(readout, /^row \d+, col \d+ · x -?[\d.e+-]+ nm, y -?[\d.e+-]+ nm · -?[\d.e+-]+/, `readout "${readout}"`);
  });

  it('answers its own keys (0 fit, 1 one-to-one, + zoom) without triggering notebook shortcuts', async function () {
    this.timeout(60000);
    const zoom = page.locator(`${VIEWER} .jp-lowdose-zoom`).first();
    const cellTypes = async (): Promise<string> =>
      String(await page.evaluate("__lowdoseTest.panel().content.widgets.map(c => c.model.type).join(',')"));
    const typesBefore = await cellTypes();
    const activeBefore = await page.evaluate('__lowdoseTest.panel().content.activeCellIndex');
    await page.locator(CANVAS).first().focus();
    await page.keyboard.press('0');
    const fitText = await zoom.textContent();
    await page.keyboard.press('1');
    await waitForZoomText('100%'); // one screen pixel per full-resolution pixel
    await page.keyboard.press('+');
    await waitForZoomText('150%');
    assert.notEqual(fitText, '150%');
    // In command mode JupyterLab maps 1 to "heading 1" and 0 0 to restart: neither may have fired.
    assert.equal(await cellTypes(), typesBefore, 'a viewer key changed a cell type');
    assert.equal(await page.evaluate('__lowdoseTest.panel().content.activeCellIndex'), activeBefore);
    assert.equal(await page.evaluate('__lowdoseTest.kernelStatus()'), 'idle');
  });

  it('changes colormap and contrast from the toolbar', async function () {
    this.timeout(60000);
    const gray = await canvasStats();
    assert.ok(gray.colouredFraction < 0.05 || (await page.locator(`${VIEWER} select`).first().inputValue()) !== 'gray');
    await page.locator(`${VIEWER} select.jp-lowdose-colormap`).first().selectOption('viridis');
    const viridis = await canvasChangedFrom(gray);
    assert.ok(viridis.colouredFraction > 0.5, `viridis coloured only ${viridis.colouredFraction} of the pixels`);
    // Narrow contrast limits saturate the image: fewer distinct colours.
    const min = page.locator(`${VIEWER} input.jp-lowdose-number`).nth(0);
    const max = page.locator(`${VIEWER} input.jp-lowdose-number`).nth(1);
    const low = parseFloat(await min.inputValue());
    const high = parseFloat(await max.inputValue());
    assert.ok(Number.isFinite(low) && Number.isFinite(high) && low < high, `contrast inputs ${low}..${high}`);
    await min.fill(String(low + 0.45 * (high - low)));
    await min.press('Enter');
    await max.fill(String(low + 0.55 * (high - low)));
    await max.press('Enter');
    const narrow = await canvasChangedFrom(viridis);
    assert.notEqual(narrow.hash, viridis.hash, 'changing the contrast did not redraw');
    await page.locator(`${VIEWER} button[data-action="auto"]`).first().click();
    await sleep(150);
    assert.equal(parseFloat(await min.inputValue()), low, 'Auto did not restore the percentile contrast');
    await shot('04-viewer-viridis', '.jp-lowdose-image');
  });

  it('saves the view into the notebook: one output carries the payload, image/png and text/plain', async function () {
    this.timeout(90000);
    // The viewer writes its state 300 ms after the last change; the notebook then becomes dirty.
    await page.waitForFunction('__lowdoseTest.dirty() === true', null, { timeout: 10000 });
    await page.locator('.jp-Notebook .jp-Cell .jp-InputPrompt').first().click();
    await page.keyboard.press('Control+s');
    await page.waitForFunction('__lowdoseTest.dirty() === false', null, { timeout: 30000 });
    const file = path.join(server!.rootDir, NOTEBOOK);
    const nb = JSON.parse(fs.readFileSync(file, 'utf8'));
    const outputs: { data?: { [mime: string]: unknown }; metadata?: { [mime: string]: any } }[] = nb.cells.flatMap(
      (c: { outputs?: unknown[] }) => c.outputs ?? []
    );
    const rich = outputs.filter(o => o.data && o.data[IMAGE_MIME]);
    assert.ok(rich.length >= 1, 'no saved output carries the lowdose image MIME type');
    const output = rich[0];
    assert.ok(output.data!['image/png'], 'the lowdose output has no image/png fallback');
    assert.ok(output.data!['text/plain'], 'the lowdose output has no text/plain summary');
    const view = output.metadata?.[IMAGE_MIME]?.view;
    assert.ok(view, `no view state in the output metadata: ${JSON.stringify(output.metadata)}`);
    assert.equal(view.colormap, 'viridis');
    assert.ok(view.zoom > 0 && view.center, `zoom/center not saved: ${JSON.stringify(view)}`);
  });

  it('restores the saved view when the notebook is reopened', async function () {
    this.timeout(180000);
    const zoomBefore = await page.locator(`${VIEWER} .jp-lowdose-zoom`).first().textContent();
    const barBefore = await scaleBar();
    await page.reload();
    await page.locator(CANVAS).first().waitFor({ state: 'visible', timeout: 120000 });
    await page.locator(CANVAS).first().scrollIntoViewIfNeeded();
    await page.waitForFunction(
      `(document.querySelector(${JSON.stringify(SCALE_LABEL)}) || {}).textContent`,
      null,
      { timeout: 30000 }
    );
    assert.equal(await page.locator(`${VIEWER} select.jp-lowdose-colormap`).first().inputValue(), 'viridis');
    assert.equal(await page.locator(`${VIEWER} .jp-lowdose-zoom`).first().textContent(), zoomBefore);
    assert.equal((await scaleBar()).label, barBefore.label);
    const stats = await canvasStats();
    assert.ok(stats.colouredFraction > 0.5, 'the reopened view is not in viridis');
    // Reopening must not dirty the notebook (no state write without a user change).
    await sleep(600);
    assert.equal(await page.evaluate('__lowdoseTest.dirty()'), false, 'reopening the notebook made it dirty');
  });

  it('exports the current view as a PNG named after the title', async function () {
    this.timeout(60000);
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 20000 }),
      page.locator(`${VIEWER} button[data-action="export"]`).first().click()
    ]);
    const name = download.suggestedFilename();
    assert.match(name, /^[A-Za-z0-9._-]+\.png$/, `download name "${name}"`);
    const file = path.join(SCREENSHOTS, `05-export-${name}`);
    await download.saveAs(file);
    const bytes = fs.readFileSync(file);
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'not a PNG');
    assert.ok(bytes.length > 2000, `exported PNG is only ${bytes.length} bytes`);
  });

  it('follows the dark theme', async function () {
    this.timeout(60000);
    await page.evaluate("window.jupyterapp.commands.execute('apputils:change-theme', { theme: 'JupyterLab Dark' }).then(function () { return null; })");
    await page.waitForFunction("document.body.dataset.jpThemeLight === 'false'", null, { timeout: 30000 });
    await sleep(500);
    const color = await page
      .locator(`${VIEWER} .jp-lowdose-title`)
      .first()
      .evaluate(el => getComputedStyle(el).color);
    const [r, g, b] = (color.match(/\d+/g) ?? []).map(Number);
    assert.ok((r + g + b) / 3 > 128, `title colour ${color} is not light on the dark theme`);
    await shot('06-viewer-dark', '.jp-lowdose-image');
    await page.evaluate("window.jupyterapp.commands.execute('apputils:change-theme', { theme: 'JupyterLab Light' }).then(function () { return null; })");
    await page.waitForFunction("document.body.dataset.jpThemeLight === 'true'", null, { timeout: 30000 });
  });

  it('shows a clear message, not a broken output, for a newer or malformed payload', async function () {
    this.timeout(60000);
    const count = await page.locator('.jp-lowdose-error:not([hidden])').count();
    await page.evaluate(`__lowdoseTest.addOutput({ ${JSON.stringify(IMAGE_MIME)}: { version: 2, kind: 'image' }, 'text/plain': 'newer' })`);
    await page.evaluate(`__lowdoseTest.addOutput({ ${JSON.stringify(IMAGE_MIME)}: { version: 1, kind: 'image', title: 3 }, 'text/plain': 'bad' })`);
    await page.waitForFunction(
      `Array.from(document.querySelectorAll('.jp-lowdose-error')).filter(e => !e.hidden).length >= ${count + 2}`,
      null,
      { timeout: 20000 }
    );
    const messages = await page.locator('.jp-lowdose-error:not([hidden])').allTextContents();
    assert.ok(messages.some(m => /newer lowdose/.test(m) && /Update lowdose-jupyterlab/.test(m)), messages.join('\n'));
    assert.ok(messages.some(m => /payload\.title must be a string/.test(m)), messages.join('\n'));
    await page.locator('.jp-lowdose-error:not([hidden])').last().scrollIntoViewIfNeeded();
    await shot('07-error-message', '.jp-lowdose-error:not([hidden])');
  });

  it('binds each renderer to its own notebook panel and inserts code below its own output', async function () {
    this.timeout(120000);
    await page.evaluate('(window.__lowdoseOriginal = __lowdoseTest.panel()), null');
    // A second view of the notebook becomes the current widget; renderers must not follow it.
    await page.evaluate("window.jupyterapp.commands.execute('docmanager:clone').then(function () { return null; })");
    await page.waitForFunction(
      '__lowdoseTest.panel() && __lowdoseTest.panel() !== window.__lowdoseOriginal && __lowdoseTest.viewers(__lowdoseTest.panel()).length > 0',
      null,
      { timeout: 60000 }
    );
    const result = (await page.evaluate(`(function () {
      var original = window.__lowdoseOriginal;
      var clone = __lowdoseTest.panel();
      // Only renderers on the page count: a cell the windowed notebook has not drawn yet holds its
      // outputs outside the widget tree until it scrolls into view.
      var attached = function (v) { return v.renderer.isAttached; };
      var mine = __lowdoseTest.viewers(original).filter(attached);
      var theirs = __lowdoseTest.viewers(clone).filter(attached);
      var viewer = mine[0];
      var index = viewer.renderer.insertCodeBelow('const inserted = "by the lowdose viewer";');
      var cell = original.content.widgets[index];
      return {
        originalBound: mine.length > 0 && mine.every(function (v) { return v.renderer.notebookPanel === original; }),
        cloneBound: theirs.length > 0 && theirs.every(function (v) { return v.renderer.notebookPanel === clone; }),
        viewerCell: viewer.cellIndex,
        index: index,
        type: cell && cell.model.type,
        source: cell && cell.model.sharedModel.getSource(),
        active: original.content.activeCellIndex
      };
    })()`)) as {
      originalBound: boolean;
      cloneBound: boolean;
      viewerCell: number;
      index: number;
      type: string;
      source: string;
      active: number;
    };
    assert.ok(result.originalBound, 'a renderer in the original view is not bound to its panel');
    assert.ok(result.cloneBound, 'a renderer in the cloned view is not bound to the clone');
    assert.equal(result.index, result.viewerCell + 1, 'the code cell was not inserted right below the output');
    assert.equal(result.type, 'code');
    assert.equal(result.source, 'const inserted = "by the lowdose viewer";');
    assert.equal(result.active, result.index);
    await page.evaluate("window.jupyterapp.commands.execute('application:close').then(function () { return null; })");
  });

  it('never injects payload strings as HTML', async function () {
    this.timeout(60000);
    const payload = (await page.evaluate(`__lowdoseTest.firstPayload(${JSON.stringify(IMAGE_MIME)})`)) as {
      title: string;
      note: string;
    } | null;
    assert.ok(payload, 'no lowdose payload found in the notebook');
    const hostile = '<img src=x onerror="window.__lowdosePwned = 1"><b>bold</b>';
    const tampered = { ...payload, title: hostile, note: hostile };
    const viewers = await page.locator('.jp-lowdose-image').count();
    await page.evaluate(`__lowdoseTest.addOutput({ ${JSON.stringify(IMAGE_MIME)}: ${JSON.stringify(tampered)} })`);
    await page.waitForFunction(`document.querySelectorAll('.jp-lowdose-image').length > ${viewers}`, null, { timeout: 20000 });
    await sleep(300);
    const last = page.locator('.jp-lowdose-image').last();
    assert.equal(await last.locator('.jp-lowdose-title').textContent(), hostile);
    assert.equal(await last.locator('img, b').count(), 0, 'payload markup became DOM elements');
    assert.equal(await page.evaluate('window.__lowdosePwned === undefined'), true, 'payload script ran');
  });
});
