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
      if (name === '01-nnb-fft-dspacing.ipynb') {
        const text = report.cells.flatMap(c => c.outputs).map(o => o.text ?? '').join('');
        const picker = report.cells.find(c => c.source.includes('display.fftPicker('));
        assert.ok(picker, 'the FFT picker cell is present');
        const out = picker.outputs.find(o => o.mime_types?.includes('application/vnd.lowdose.fft.v1+json'));
        assert.ok(out && out.mime_types!.includes('image/png') && out.mime_types!.includes('text/plain'), `picker MIME types: ${JSON.stringify(picker.outputs)}`);
        assert.ok(out.bytes! <= 640_000, `picker output ${out.bytes} bytes`);
        // science.md Part 2 acceptance: 4.7 Å family within 0.1 % of 4.695 Å, 9.4 Å spot, ratio 2.000 ± 0.002, limit = finest simulated (2.3475 Å).
        const row = (what: string): RegExpMatchArray => {
          const m = text.match(new RegExp(`${what}\\s+\\S+(?: \\(doubling\\))?\\s+([\\d.]+)\\s+([\\d.]+)\\s+(PASS|FAIL)`));
          assert.ok(m, `the comparison table has a row "${what}"`);
          return m;
        };
        const d100 = row('d \\{100\\}, Å');
        assert.ok(Math.abs(Number(d100[2]) / 4.695 - 1) <= 1e-3, `d(100) ${d100[2]}`);
        const d001 = row('d \\{001\\} \\(doubled\\), Å');
        assert.ok(Math.abs(Number(d001[2]) / 9.39 - 1) <= 1e-3, `d(001) doubled ${d001[2]}`);
        const ratio = row('\\|g\\(4\\.7\\)\\| / \\|g\\(9\\.4\\)\\|');
        assert.ok(Math.abs(Number(ratio[2]) - 2) <= 0.002, `ratio ${ratio[2]}`);
        const limit = row('information limit, Å');
        assert.ok(Math.abs(Number(limit[2]) / 2.3475 - 1) <= 0.01, `information limit ${limit[2]}`);
        for (const m of [d100, d001, ratio, limit]) assert.equal(m[3], 'PASS');
        assert.match(text, /supercell flag on the 9\.4 Å spot: yes/);
      }
      if (name === '02-nnb-dose-series.ipynb') {
        const text = report.cells.flatMap(c => c.outputs).map(o => o.text ?? '').join('');
        const slider = report.cells.find(c => c.source.includes('display.doseSlider('));
        assert.ok(slider, 'the dose-slider cell is present');
        const out = slider.outputs.find(o => o.mime_types?.includes('application/vnd.lowdose.doseseries.v1+json'));
        assert.ok(out && out.mime_types!.includes('image/png') && out.mime_types!.includes('text/plain'), `dose-slider MIME types: ${JSON.stringify(slider.outputs)}`);
        assert.ok(out.bytes! <= 2_000_000, `dose-slider output ${out.bytes} bytes`);
        // science.md Part 2: Dc(001) within 5 % of 60 e⁻/Å² on a series reaching 2·Dc; the 38.5 e⁻/Å² series flagged.
        const dc = text.match(/9\.4 Å spot .* Dc = ([\d.]+) e⁻\/Å² \(95 % CI ([\d.]+)–([\d.]+)\).*underdetermined: (true|false)/);
        assert.ok(dc, 'the critical-dose cell prints Dc');
        assert.ok(Math.abs(Number(dc[1]) - 60) <= 3, `Dc ${dc[1]} e⁻/Å²`);
        assert.ok(Number(dc[2]) < 60 && Number(dc[3]) > 60, `95 % CI ${dc[2]}–${dc[3]} excludes 60`);
        assert.equal(dc[4], 'false');
        assert.match(text, /38\.5 e⁻\/Å² series: Dc = [\d.]+ e⁻\/Å² .*underdetermined: true/);
        assert.match(text, /warning: the series spans [\d.]+ e⁻\/Å², less than the fitted Dc/);
        // 7.5 ± 0.2 % within 21.5 e⁻/Å², slope 0.349 ± 0.02 %/(e⁻/Å²), |e2| ≤ 0.2 %, direction within 2°.
        const strain = text.match(/e1 slope ([\d.]+) %\/\(e⁻\/Å²\) → ([\d.]+) % within 21\.5 e⁻\/Å²; max \|e2\| ([\d.]+) %; e1 direction (-?[\d.]+)° \(simulated (-?[\d.]+)°\)/);
        assert.ok(strain, 'the strain cell prints the expansion');
        assert.ok(Math.abs(Number(strain[1]) - 0.349) <= 0.02, `slope ${strain[1]}`);
        assert.ok(Math.abs(Number(strain[2]) - 7.5) <= 0.2, `expansion ${strain[2]} %`);
        assert.ok(Number(strain[3]) <= 0.2, `|e2| ${strain[3]} %`);
        assert.ok(Math.abs(Number(strain[4]) - Number(strain[5])) <= 2, `direction ${strain[4]}° vs ${strain[5]}°`);
        // drift (science.md: < 0.35 px) on this expanding 1024² series: all 30 frames (frame 0, before the jump, on the
        // right lattice translation) and frames 1–29 relative to frame 1
        const drift = text.match(/RMS error ([\d.]+) px over 30 frames \(([\d.]+) px for frames 1–29 relative to frame 1\)/);
        assert.ok(drift, 'the drift cell prints the recovered-vs-true RMS');
        assert.ok(Number(drift[1]) < 0.35, `drift vs truth over all frames: ${drift[1]} px`);
        assert.ok(Number(drift[2]) < 0.35, `drift relative to frame 1: ${drift[2]} px`);
        assert.match(text, /quantity\s+reported\s+measured\s+check/);
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
