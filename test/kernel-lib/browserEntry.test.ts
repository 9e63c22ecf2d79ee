import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import path from 'node:path';

// The extension bundles kernel-lib's browser entry: it must load without any Node built-in.
describe('kernel-lib browser entry', () => {
  it('dist/browser.js loads without requiring a Node built-in module', () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const Module = require('node:module') as { _load: (request: string, ...rest: unknown[]) => unknown };
    const builtins = new Set(builtinModules.flatMap(m => [m, `node:${m}`]));
    const original = Module._load;
    const requested: string[] = [];
    const entry = require.resolve('lowdose/dist/browser.js');
    const distDir = path.dirname(entry);
    for (const key of Object.keys(require.cache)) if (key.startsWith(distDir)) delete require.cache[key];
    Module._load = function (request: string, ...rest: unknown[]) {
      if (builtins.has(request)) requested.push(request);
      return original.call(this, request, ...rest);
    };
    let browser: { IMAGE_MIME?: string; validateImagePayload?: unknown; niceScaleBar?: unknown };
    try {
      browser = require(entry);
    } finally {
      Module._load = original;
      for (const key of Object.keys(require.cache)) if (key.startsWith(distDir)) delete require.cache[key];
    }
    assert.deepEqual(requested, []);
    assert.equal(browser.IMAGE_MIME, 'application/vnd.lowdose.image.v1+json');
    assert.equal(typeof browser.validateImagePayload, 'function');
    assert.equal(typeof browser.niceScaleBar, 'function');
    // The FFT picker's browser-side maths: lattice and crystal namespaces, the payload validator, the snap.
    const b = browser as unknown as { [k: string]: any };
    assert.equal(b.FFT_MIME, 'application/vnd.lowdose.fft.v1+json');
    assert.equal(b.MIME_TYPES.fft, b.FFT_MIME);
    for (const name of ['refinePeak', 'findPeaks', 'spots', 'indexPeaks', 'informationLimit', 'strainTensor']) assert.equal(typeof b.lattice[name], 'function', `lattice.${name}`);
    for (const name of ['unitCell', 'dSpacing', 'interplanarAngleDeg']) assert.equal(typeof b.crystal[name], 'function', `crystal.${name}`);
    for (const name of ['validateFftPayload', 'sanitizeFftState', 'cropSpectrum', 'pickSpot', 'pairRelation', 'picksCsv', 'picksCode', 'regionSpectrum', 'logPowerView']) {
      assert.equal(typeof b[name], 'function', name);
    }
  });
});
