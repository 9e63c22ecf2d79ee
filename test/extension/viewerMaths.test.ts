/**
 * The image viewer's DOM-free maths (extension/src/viewTransform.ts, format.ts, viewState.ts):
 * zoom/pan, the 1:1 convention, readout text and the saved-state round trip.
 */
import assert from 'node:assert/strict';
import { IMAGE_MIME, niceScaleBar } from 'lowdose/dist/browser';
import { formatNumber, formatPosition, sanitizeFilename } from '../../extension/src/format';
import { readViewState, sanitizeViewState, viewStatesEqual, withViewState } from '../../extension/src/viewState';
import {
  canvasHeightFor,
  fitTransform,
  fullResIndex,
  imageExtent,
  imageToScreen,
  oneToOneZoom,
  panBy,
  screenToImage,
  zoomAbout,
  zoomLimits
} from '../../extension/src/viewTransform';

describe('image viewer maths', function () {
  const viewport = { width: 800, height: 600 };

  it('fitTransform() shows the whole 1000 × 2000 image (binned by 4) centred in an 800 × 600 view', function () {
    const extent = imageExtent([1000, 2000], 4); // 250 × 500 preview pixels
    const t = fitTransform(extent, viewport);
    assert.equal(t.zoom, 800 / 500);
    assert.deepEqual(t.center, { row: 125, col: 250 });
    const topLeft = imageToScreen(t, viewport, { row: 0, col: 0 });
    assert.equal(topLeft.x, 0);
    assert.ok(Math.abs(topLeft.y - (300 - 125 * 1.6)) < 1e-9);
  });

  it('1:1 zoom equals the preview binning, so one CSS pixel spans one full-resolution pixel', function () {
    const binning = 4;
    const zoom = oneToOneZoom(binning);
    const t = { zoom, center: { row: 100, col: 100 } };
    const a = screenToImage(t, viewport, 400, 300);
    const b = screenToImage(t, viewport, 401, 300);
    assert.ok(Math.abs((b.col - a.col) * binning - 1) < 1e-12);
    // And the scale bar at 1:1 measures the full-resolution pixel size: 0.5 Å/px → 120 px ≈ 60 Å → "5 nm".
    const bar = niceScaleBar((0.5 * binning) / zoom, 'A', 120);
    assert.equal(bar.label, '5 nm');
    assert.ok(Math.abs(bar.lengthPx - 100) < 1e-9);
  });

  it('zoomAbout() keeps the image point under the cursor fixed', function () {
    const extent = imageExtent([512, 512], 1);
    const limits = zoomLimits(extent, viewport, 1);
    const t0 = fitTransform(extent, viewport);
    const before = screenToImage(t0, viewport, 250, 120);
    const t1 = zoomAbout(t0, viewport, 250, 120, 2.5, extent, limits);
    const after = screenToImage(t1, viewport, 250, 120);
    assert.ok(Math.abs(t1.zoom - t0.zoom * 2.5) < 1e-12);
    assert.ok(Math.abs(after.row - before.row) < 1e-9 && Math.abs(after.col - before.col) < 1e-9);
  });

  it('zoom and pan are clamped so the image cannot be lost', function () {
    const extent = imageExtent([100, 100], 1);
    const limits = zoomLimits(extent, viewport, 1);
    const t0 = fitTransform(extent, viewport);
    const far = panBy(t0, 1e6, -1e6, extent, limits);
    assert.deepEqual(far.center, { row: 100, col: 0 });
    const tiny = zoomAbout(t0, viewport, 400, 300, 1e-6, extent, limits);
    assert.equal(tiny.zoom, limits.min);
  });

  it('fullResIndex() maps preview coordinates to full-resolution indices and rejects the outside', function () {
    assert.equal(fullResIndex(2.3, 4, 10), 9);
    assert.equal(fullResIndex(2.5, 4, 10), -1); // the partial last block ends at 10 / 4 = 2.5
    assert.equal(fullResIndex(-0.01, 4, 10), -1);
    assert.equal(canvasHeightFor(800, { rows: 10, cols: 1000 }), 120);
    assert.equal(canvasHeightFor(800, { rows: 1000, cols: 10 }), 800);
  });

  it('formats positions in nm for Å and nm axes and numbers with 4 significant digits', function () {
    assert.equal(formatPosition({ name: 'x', size: 10, scale: 0.5, offset: 2, units: 'A' }, 6), '0.5 nm');
    assert.equal(formatPosition({ name: 'x', size: 10, scale: 0.25, offset: 0, units: 'nm' }, 3), '0.75 nm');
    assert.equal(formatPosition({ name: 'k', size: 10, scale: 0.01, offset: -0.05, units: '1/A' }, 5), '0 1/Å');
    assert.equal(formatPosition({ name: '', size: 10, scale: 1, offset: 0, units: '' }, 7), '7 px');
    assert.equal(formatNumber(1234.5678), '1235');
    assert.equal(formatNumber(2.5e-5), '2.5e-5');
    assert.equal(sanitizeFilename('Lattice 4.7 Å / 20 e⁻/Å²'), 'Lattice_4.7_A_20_e_A_2');
    assert.equal(sanitizeFilename('<>'), 'lowdose-image');
  });

  it('view state survives the metadata round trip and bad fields are dropped', function () {
    const state = { zoom: 2, center: { row: 10, col: 20.5 }, colormap: 'viridis' as const, contrast: { low: 1, high: 9 } };
    const metadata = withViewState({ other: 1, [IMAGE_MIME]: { keep: true } }, IMAGE_MIME, state);
    assert.equal((metadata as any).other, 1);
    assert.equal((metadata as any)[IMAGE_MIME].keep, true);
    assert.ok(viewStatesEqual(readViewState(JSON.parse(JSON.stringify(metadata)), IMAGE_MIME), state));
    assert.deepEqual(sanitizeViewState({ zoom: -1, center: { row: 1, col: 1 }, colormap: 'jet', contrast: { low: 5, high: 1 } }), undefined);
    assert.deepEqual(sanitizeViewState({ colormap: 'inferno', zoom: 'x' }), { colormap: 'inferno' });
  });
});
