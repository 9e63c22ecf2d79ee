import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ARTIFACTS, ROOT, VENV_PYTHON, describeFailures, runNotebook } from './runNotebook';

const IMAGE_BUNDLE = ['application/vnd.lowdose.image.v1+json', 'image/png', 'text/plain'];
const NOTEBOOKS_DIR = path.join(ROOT, 'notebooks');
const notebooks = fs.readdirSync(NOTEBOOKS_DIR).filter(f => /^\d\d-.*\.ipynb$/.test(f)).sort();
const BINDER_MEMORY_BYTES = 2 * 1024 ** 3;

function hasImageBundle(outputs: Array<{ mime_types?: string[] }>): boolean {
  return outputs.some(o => IMAGE_BUNDLE.every(m => o.mime_types?.includes(m)));
}

describe('notebooks (headless, tslab kernel)', function () {
  this.timeout(20 * 60 * 1000);

  before(function () {
    assert.ok(fs.existsSync(VENV_PYTHON), `no project Python at ${VENV_PYTHON}: run "npm test" (it sets up .venv) or "npm run setup"`);
  });

  it('notebooks/ holds the getting-started notebook', () => {
    assert.ok(notebooks.includes('00-getting-started.ipynb'), `found ${notebooks.join(', ')}`);
  });

  for (const name of notebooks) {
    it(`${name} runs top to bottom with no error, within Binder's 2 GB`, async () => {
      // The executed copy goes to test/artifacts (inside the repository, so `lowdose` resolves),
      // never over the committed notebook.
      const workDir = path.join(ARTIFACTS, 'run');
      fs.mkdirSync(workDir, { recursive: true });
      const input = path.join(workDir, name);
      fs.copyFileSync(path.join(NOTEBOOKS_DIR, name), input);
      const report = await runNotebook(input, path.join(ARTIFACTS, name));
      assert.equal(report.fatal, null, describeFailures(report));
      assert.deepEqual(report.errors, [], describeFailures(report));
      assert.ok(report.kernel_peak_rss_bytes < BINDER_MEMORY_BYTES, `kernel peak RSS ${(report.kernel_peak_rss_bytes / 1e6).toFixed(0)} MB`);
      if (name === '00-getting-started.ipynb') {
        const shown = report.cells.find(c => c.source.includes('display.show(img'));
        assert.ok(shown, 'the show() cell is present');
        assert.ok(hasImageBundle(shown.outputs), `show() output MIME types: ${JSON.stringify(shown.outputs)}`);
        const dose = report.cells.flatMap(c => c.outputs).map(o => o.text ?? '').join('').match(/dose from counts: ([\d.]+) e⁻\/Å² \(simulated 40/);
        assert.ok(dose, 'the statistics cell prints the dose from counts');
        // 256² px × 10 counts: the Poisson standard error of the mean dose is 0.12 %.
        assert.ok(Math.abs(Number(dose[1]) - 40) < 0.2, `dose from counts ${dose[1]}`);
      }
    });
  }

  it('the committed 00-getting-started.ipynb carries the three MIME types in one output', () => {
    const nb = JSON.parse(fs.readFileSync(path.join(NOTEBOOKS_DIR, '00-getting-started.ipynb'), 'utf8'));
    const outputs = nb.cells.flatMap((c: { outputs?: Array<{ data?: object }> }) => c.outputs ?? []);
    assert.ok(hasImageBundle(outputs.map((o: { data?: object }) => ({ mime_types: Object.keys(o.data ?? {}) }))));
    const size = fs.statSync(path.join(NOTEBOOKS_DIR, '00-getting-started.ipynb')).size;
    assert.ok(size < 1_000_000, `committed notebook is ${size} bytes; keep outputs small`);
  });

  it("a failing cell's real compiler message reaches the report", async () => {
    const workDir = path.join(ARTIFACTS, 'run');
    fs.mkdirSync(workDir, { recursive: true });
    const broken = path.join(workDir, 'broken.ipynb');
    const nb = JSON.parse(fs.readFileSync(path.join(NOTEBOOKS_DIR, '00-getting-started.ipynb'), 'utf8'));
    nb.cells = [
      { cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: 'import * as lowdose from "lowdose";\nconst n: number = lowdose.simulate.rng(1);' }
    ];
    fs.writeFileSync(broken, JSON.stringify(nb));
    const report = await runNotebook(broken, path.join(ARTIFACTS, 'broken.ipynb'));
    assert.equal(report.errors.length, 1);
    assert.match(report.errors[0].message, /Type 'Rng' is not assignable to type 'number'/);
  });
});
