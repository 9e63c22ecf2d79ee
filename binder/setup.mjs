#!/usr/bin/env node
// One set-up for every way lowdose runs: `npm start`, `npm test` and Binder's postBuild.
//
//   node binder/setup.mjs --target venv [--for-tests] [--launch] [--host H] [--port P] [--no-browser]
//   node binder/setup.mjs --target prefix          (Binder: install into the running Python's prefix)
//
// Steps, each skipped when its inputs have not changed since the last run (stamps in
// .lowdose-setup/ and inside the Python environment):
//   1. npm dependencies (npm ci from the committed package-lock.json)
//   2. build kernel-lib (CommonJS + .d.ts for tslab's TypeScript 5.0)
//   3. build the JupyterLab extension (prebuilt labextension via @jupyter/builder)
//   4. Python environment: .venv (target venv) or sys.prefix (target prefix), pinned requirements
//   5. the extension wheel built from extension/pyproject.toml, pip-installed into that environment
//   6. the tslab kernelspec, written into that environment only (never the user's Jupyter paths)
//   7. with --launch: JupyterLab on notebooks/ at a loopback port it prints
// Environment overrides: LOWDOSE_PYTHON (interpreter that creates .venv), LOWDOSE_HOST,
// LOWDOSE_PORT, LOWDOSE_NO_BROWSER=1.
import { spawnSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STAMPS = path.join(ROOT, '.lowdose-setup');
const TSLAB_VERSION = '1.0.22';

const args = parseArgs(process.argv.slice(2));

main().catch(err => {
  console.error(`\n[lowdose setup] FAILED: ${err.message}`);
  process.exit(1);
});

async function main() {
  fs.mkdirSync(STAMPS, { recursive: true });
  checkNode();
  ensureNodeDependencies();
  buildKernelLib();
  buildExtension();
  const py = ensurePython();
  installExtensionWheel(py);
  installKernelspec(py);
  log(`ready: Python environment ${py.prefix}`);
  if (args.launch) await launch(py);
}

function parseArgs(argv) {
  const out = {
    target: 'venv',
    forTests: false,
    launch: false,
    host: process.env.LOWDOSE_HOST || '127.0.0.1',
    port: process.env.LOWDOSE_PORT ? Number(process.env.LOWDOSE_PORT) : undefined,
    noBrowser: process.env.LOWDOSE_NO_BROWSER === '1' || process.env.CI === 'true'
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) fail(`option ${a} needs a value`);
      return argv[++i];
    };
    if (a === '--target') out.target = value();
    else if (a === '--for-tests') out.forTests = true;
    else if (a === '--launch') out.launch = true;
    else if (a === '--host') out.host = value();
    else if (a === '--port') out.port = Number(value());
    else if (a === '--no-browser') out.noBrowser = true;
    else fail(`unknown option ${a}; see the header of binder/setup.mjs`);
  }
  if (!['venv', 'prefix'].includes(out.target)) fail(`--target must be venv or prefix; got ${out.target}`);
  if (out.port !== undefined && !(Number.isInteger(out.port) && out.port > 0 && out.port < 65536)) {
    fail(`--port must be an integer in 1..65535; got ${out.port}`);
  }
  return out;
}

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    fail(`Node.js >= 20.19 is required; this is ${process.version}`);
  }
}

// ---- 1. npm dependencies ------------------------------------------------------------------
function ensureNodeDependencies() {
  const inputs = ['package.json', 'package-lock.json', 'kernel-lib/package.json', 'extension/package.json'];
  const hash = hashFiles(inputs.map(f => path.join(ROOT, f)));
  const installed = fs.existsSync(path.join(ROOT, 'node_modules', '.package-lock.json'));
  if (installed && readStamp('npm') === hash) return skip('npm dependencies');
  step('installing npm dependencies (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: ROOT });
  writeStamp('npm', hash);
}

// ---- 2./3. builds ---------------------------------------------------------------------------
function buildKernelLib() {
  const hash = hashTree(['kernel-lib/src', 'kernel-lib/package.json', 'kernel-lib/tsconfig.json', 'tsconfig.json']);
  if (fs.existsSync(path.join(ROOT, 'kernel-lib/dist/index.js')) && readStamp('kernel-lib') === hash) {
    return skip('kernel-lib build');
  }
  step('building kernel-lib');
  run('npm', ['run', 'build', '-w', 'kernel-lib'], { cwd: ROOT });
  writeStamp('kernel-lib', hash);
}

function buildExtension() {
  const hash = hashTree([
    'extension/src',
    'extension/style',
    'extension/scripts',
    'extension/package.json',
    'extension/tsconfig.json',
    'kernel-lib/src',
    'tsconfig.json'
  ]);
  const built = fs.existsSync(path.join(ROOT, 'extension/lowdose_jupyterlab/labextension/package.json'));
  if (built && readStamp('extension') === hash) return skip('extension build');
  step('building the JupyterLab extension');
  run('npm', ['run', 'build', '-w', 'extension'], { cwd: ROOT });
  writeStamp('extension', hash);
}

// ---- 4. Python environment ------------------------------------------------------------------
function ensurePython() {
  let python;
  if (args.target === 'venv') {
    const venv = path.join(ROOT, '.venv');
    python = path.join(venv, 'bin', 'python');
    if (!fs.existsSync(python)) {
      const base = process.env.LOWDOSE_PYTHON || 'python3';
      step(`creating the project's Python environment .venv (with ${base})`);
      run(base, ['-m', 'venv', venv]);
      run(python, ['-m', 'pip', 'install', '--quiet', '--upgrade', 'pip']);
    }
  } else {
    python = process.env.LOWDOSE_PYTHON || 'python';
  }
  const prefix = capture(python, ['-c', 'import sys; print(sys.prefix)']).trim();
  // Binder's conda environment already holds JupyterLab and hatchling (environment.yml).
  const files =
    args.target === 'venv'
      ? ['binder/lab-requirements.txt', ...(args.forTests ? ['binder/test-requirements.txt'] : [])]
      : [];
  // One stamp per requirements file, so `npm start` after `npm test` (or the reverse) installs
  // only what the other did not.
  const stale = files.filter(f => readFile(requirementsStamp(prefix, f)) !== hashFiles([path.join(ROOT, f)]));
  if (stale.length === 0) {
    skip('Python requirements');
  } else {
    step(`installing Python requirements (${stale.join(', ')}) into ${prefix}`);
    run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...stale.flatMap(f => ['-r', path.join(ROOT, f)])]);
    for (const f of stale) fs.writeFileSync(requirementsStamp(prefix, f), hashFiles([path.join(ROOT, f)]));
  }
  return { python, prefix, bin: path.dirname(python) };
}

function requirementsStamp(prefix, file) {
  return path.join(prefix, `.lowdose-${path.basename(file, '.txt')}.sha256`);
}

// ---- 5. extension wheel ---------------------------------------------------------------------
function installExtensionWheel(py) {
  const labext = path.join(ROOT, 'extension/lowdose_jupyterlab/labextension');
  const hash = hashTree([
    'extension/lowdose_jupyterlab',
    'extension/pyproject.toml',
    'extension/install.json'
  ]);
  const stamp = path.join(py.prefix, '.lowdose-extension.sha256');
  const installedPkg = path.join(py.prefix, 'share/jupyter/labextensions/lowdose-jupyterlab/package.json');
  if (readFile(stamp) === hash && fs.existsSync(installedPkg)) return skip('extension wheel');
  if (!fs.existsSync(path.join(labext, 'package.json'))) fail('the labextension was not built (extension/lowdose_jupyterlab/labextension)');
  step('building and installing the lowdose-jupyterlab wheel');
  const wheels = path.join(STAMPS, 'wheels');
  fs.rmSync(wheels, { recursive: true, force: true });
  run(py.python, ['-m', 'pip', 'wheel', '--quiet', '--no-deps', '--no-build-isolation', '--wheel-dir', wheels, path.join(ROOT, 'extension')]);
  const wheel = fs.readdirSync(wheels).find(f => f.endsWith('.whl'));
  if (!wheel) fail('pip wheel produced no wheel for extension/');
  run(py.python, ['-m', 'pip', 'install', '--quiet', '--no-deps', '--force-reinstall', path.join(wheels, wheel)]);
  fs.writeFileSync(stamp, hash);
}

// ---- 6. kernelspec --------------------------------------------------------------------------
function installKernelspec(py) {
  const tslabBin = path.join(ROOT, 'node_modules/tslab/bin/tslab');
  const tslabPkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/tslab/package.json'), 'utf8'));
  if (tslabPkg.version !== TSLAB_VERSION) fail(`tslab ${TSLAB_VERSION} is pinned but ${tslabPkg.version} is installed; run npm ci`);
  const spec = {
    argv: [process.execPath, tslabBin, 'kernel', '--config-path', '{connection_file}'],
    display_name: 'TypeScript (tslab)',
    language: 'typescript',
    metadata: { lowdose: { tslab: TSLAB_VERSION, repository: ROOT } }
  };
  const dir = path.join(py.prefix, 'share/jupyter/kernels/tslab');
  const file = path.join(dir, 'kernel.json');
  const text = JSON.stringify(spec, null, 1) + '\n';
  if (readFile(file) === text) return skip('tslab kernelspec');
  step(`registering the tslab kernel in ${dir}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, text);
}

// ---- 7. launch ------------------------------------------------------------------------------
async function launch(py) {
  const port = await freePort(args.host, args.port ?? 8888, args.port !== undefined);
  const notebooks = path.join(ROOT, 'notebooks');
  const jupyter = path.join(py.bin, 'jupyter');
  const argv = [
    'lab',
    `--ServerApp.ip=${args.host}`,
    `--ServerApp.port=${port}`,
    '--ServerApp.port_retries=0',
    `--ServerApp.root_dir=${notebooks}`,
    ...(args.noBrowser ? ['--no-browser'] : []),
    // Containers (Binder images, CI) often run as root, which JupyterLab refuses without this.
    ...(process.getuid && process.getuid() === 0 ? ['--allow-root'] : [])
  ];
  log(`starting JupyterLab on http://${args.host}:${port}/lab (notebooks in ${notebooks})`);
  log('the full URL with its token follows in JupyterLab\'s own log; stop with Ctrl+C');
  // Our kernelspec first, even if the user has another 'tslab' kernel in their own Jupyter paths.
  const env = { ...process.env, JUPYTER_PATH: [path.join(py.prefix, 'share/jupyter'), process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter) };
  const child = spawn(jupyter, argv, { stdio: 'inherit', cwd: notebooks, env });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', code => process.exit(code ?? 0));
}

function freePort(host, start, exact) {
  const tryPort = p =>
    new Promise(resolve => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(p, host, () => srv.close(() => resolve(true)));
    });
  return (async () => {
    for (let p = start; p < start + (exact ? 1 : 50); p++) if (await tryPort(p)) return p;
    fail(exact ? `port ${start} on ${host} is in use; pick another with --port` : `no free port in ${start}..${start + 49}`);
  })();
}

// ---- helpers --------------------------------------------------------------------------------
function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { stdio: 'inherit', ...opts });
  if (r.error) fail(`cannot run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${argv.join(' ')} exited with ${r.status}`);
}

function capture(cmd, argv) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8' });
  if (r.error) fail(`cannot run ${cmd}: ${r.error.message} (set LOWDOSE_PYTHON to a Python >= 3.10)`);
  if (r.status !== 0) fail(`${cmd} ${argv.join(' ')} exited with ${r.status}: ${r.stderr}`);
  return r.stdout;
}

function hashFiles(files) {
  const h = createHash('sha256');
  for (const f of files) {
    h.update(path.relative(ROOT, f));
    h.update(fs.existsSync(f) ? fs.readFileSync(f) : 'missing');
  }
  return h.digest('hex');
}

function hashTree(relPaths) {
  const files = [];
  const walk = p => {
    if (!fs.existsSync(p)) return;
    const st = fs.statSync(p);
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(p).sort()) if (e !== 'node_modules' && e !== '__pycache__') walk(path.join(p, e));
    } else files.push(p);
  };
  for (const r of relPaths) walk(path.join(ROOT, r));
  return hashFiles(files);
}

function readStamp(name) {
  return readFile(path.join(STAMPS, `${name}.sha256`));
}

function writeStamp(name, hash) {
  fs.writeFileSync(path.join(STAMPS, `${name}.sha256`), hash);
}

function readFile(f) {
  try {
    return fs.readFileSync(f, 'utf8');
  } catch {
    return undefined;
  }
}

function step(msg) {
  console.log(`[lowdose setup] ${msg}`);
}

function skip(what) {
  console.log(`[lowdose setup] ${what}: up to date, skipped`);
}

function log(msg) {
  console.log(`[lowdose] ${msg}`);
}

function fail(msg) {
  throw new Error(msg);
}
