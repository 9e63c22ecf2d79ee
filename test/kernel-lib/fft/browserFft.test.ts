import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { numpy, randomArray, relL2 } from './numpyRef';

// The extension bundles dist/browser.js: its fft runs single-threaded over a plain (non-shared)
// memory. Loaded alone in a child process, so the Node entry's engine is not registered.
describe('fft in the browser entry', () => {
  it('browser fft.rfft2() (single thread, plain memory) matches numpy, returns plain arrays, and irfft2 inverts it', () => {
    const [ny, nx] = [37, 64];
    const x = randomArray(Float32Array, ny * nx, 11);
    const script = `
      const browser = require(${JSON.stringify(require.resolve('lowdose/dist/browser.js'))});
      const ndarray = require(${JSON.stringify(require.resolve('ndarray'))});
      (async () => {
        await browser.fft.ready();
        const x = new Float32Array(JSON.parse(process.argv[1]));
        const X = browser.fft.rfft2(ndarray(x, [${ny}, ${nx}]), { workers: 2 });
        const back = browser.fft.irfft2(X, { shape: [${ny}, ${nx}] });
        const shared = typeof SharedArrayBuffer !== 'undefined' && X.re.data.buffer instanceof SharedArrayBuffer;
        const workerThreads = Object.keys(require.cache).some(k => k.includes('engineNode'));
        process.stdout.write(JSON.stringify({ re: Array.from(X.re.data), im: Array.from(X.im.data), back: Array.from(back.data), shared, workerThreads }));
      })();`;
    const r = spawnSync(process.execPath, ['-e', script, JSON.stringify(Array.from(x))], { encoding: 'utf8', maxBuffer: 1 << 26 });
    assert.equal(r.status, 0, r.stderr);
    const got = JSON.parse(r.stdout) as { re: number[]; im: number[]; back: number[]; shared: boolean; workerThreads: boolean };
    const ref = numpy('out["X"] = np.fft.rfft2(x.astype(np.float64))', { x: { data: x, shape: [ny, nx] } }).X;
    assert.ok(relL2(got.re, got.im, ref.re, ref.im!) < 1e-6);
    assert.ok(relL2(got.back, null, x, null) < 1e-6);
    assert.equal(got.shared, false, 'browser results are plain arrays, not views of shared memory');
    assert.equal(got.workerThreads, false, 'the browser entry does not load the worker-thread engine');
  });
});
