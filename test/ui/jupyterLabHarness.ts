/**
 * Starts a real JupyterLab from the project environment for UI tests, and finds a system Chromium.
 *
 * The server runs on a free loopback port with a generated token, in its own process group, with
 * its config, runtime, data, settings and workspace directories in a temporary folder (nothing is
 * read from or written to the user's Jupyter paths), serving a copy of `notebooks/` placed inside the
 * repository (`test/artifacts/ui-notebooks/`) so the tslab kernel resolves `lowdose` from the
 * workspace's node_modules.
 */
import { ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
export const ARTIFACTS = path.join(ROOT, 'test/artifacts');
export const SCREENSHOTS = path.join(ARTIFACTS, 'screenshots');

/**
 * The Chromium to drive: `CHROMIUM_PATH` when set, else the usual Debian/Ubuntu locations.
 * @returns the executable, or why none can be used (the UI tests are then skipped with that reason).
 */
export function findChromium(): { path: string } | { reason: string } {
  const howTo = 'install it with `apt-get install chromium` (Debian) or set CHROMIUM_PATH to a Chromium/Chrome binary';
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    return fs.existsSync(fromEnv) ? { path: fromEnv } : { reason: `CHROMIUM_PATH=${fromEnv} does not exist; ${howTo}` };
  }
  for (const candidate of ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable']) {
    if (fs.existsSync(candidate)) {
      return { path: candidate };
    }
  }
  return { reason: `no Chromium found: ${howTo}` };
}

/** Flags for a quiet, offline headless Chromium in a container. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage'
];

/** A running JupyterLab server. */
export interface LabServer {
  url: string;
  token: string;
  port: number;
  /** Directory the server serves (the copy of notebooks/). */
  rootDir: string;
  process: ChildProcess;
  logFile: string;
  /** Last lines of the server log, for failure messages. */
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `jupyter lab` from the project's `.venv` and resolves once `/api/status` answers.
 * @throws if the server exits or does not answer within `timeoutMs`; the error carries the log tail.
 */
export async function startJupyterLab(rootDir: string, timeoutMs = 120000): Promise<LabServer> {
  const jupyter = path.join(ROOT, '.venv/bin/jupyter');
  if (!fs.existsSync(jupyter)) {
    throw new Error(`UI test: ${jupyter} is missing; run \`npm test\` (or \`npm run setup\`) to create the project environment.`);
  }
  const port = await freePort();
  const token = crypto.randomBytes(24).toString('hex');
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'lowdose-ui-'));
  const dirs = {
    JUPYTER_CONFIG_DIR: path.join(home, 'config'),
    JUPYTER_RUNTIME_DIR: path.join(home, 'runtime'),
    JUPYTER_DATA_DIR: path.join(home, 'data'),
    JUPYTERLAB_SETTINGS_DIR: path.join(home, 'settings'),
    JUPYTERLAB_WORKSPACES_DIR: path.join(home, 'workspaces')
  };
  for (const dir of Object.values(dirs)) {
    fs.mkdirSync(dir, { recursive: true });
  }
  // No update checks or news fetches (tests run offline), and expose the app object for waiting on
  // kernel and execution state.
  fs.writeFileSync(
    path.join(dirs.JUPYTER_CONFIG_DIR, 'jupyter_server_config.json'),
    JSON.stringify({
      LabApp: {
        news_url: null,
        check_for_updates_class: 'jupyterlab.NeverCheckForUpdate',
        expose_app_in_browser: true
      }
    })
  );
  // The news-consent toast would cover the bottom of screenshots: disable the announcements plugin.
  fs.mkdirSync(path.join(dirs.JUPYTER_CONFIG_DIR, 'labconfig'), { recursive: true });
  fs.writeFileSync(
    path.join(dirs.JUPYTER_CONFIG_DIR, 'labconfig/page_config.json'),
    JSON.stringify({ disabledExtensions: { '@jupyterlab/apputils-extension:announcements': true } })
  );
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const logFile = path.join(ARTIFACTS, 'ui-jupyterlab.log');
  const log = fs.openSync(logFile, 'w');
  const child = spawn(
    jupyter,
    [
      'lab',
      '--no-browser',
      '--ServerApp.ip=127.0.0.1',
      `--ServerApp.port=${port}`,
      '--ServerApp.port_retries=0',
      `--IdentityProvider.token=${token}`,
      `--ServerApp.root_dir=${rootDir}`,
      // CI containers often run as root, which Jupyter refuses without this flag.
      ...(process.getuid?.() === 0 ? ['--allow-root'] : [])
    ],
    {
      cwd: rootDir,
      env: { ...process.env, ...dirs },
      stdio: ['ignore', log, log],
      detached: true // its own process group, so stop() can end the server and its children
    }
  );
  fs.closeSync(log);
  const logTail = (lines = 40): string => {
    try {
      return fs.readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  };
  let exited: number | null | undefined;
  child.on('exit', code => (exited = code));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited !== undefined) {
      throw new Error(`UI test: jupyter lab exited with code ${exited} before answering.\n${logTail()}`);
    }
    try {
      const response = await fetch(`${url}/api/status`, { headers: { Authorization: `token ${token}` } });
      if (response.ok) {
        break;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      killGroup(child, 'SIGKILL');
      throw new Error(`UI test: jupyter lab did not answer on ${url} within ${timeoutMs / 1000} s.\n${logTail()}`);
    }
    await sleep(500);
  }
  const stop = async (): Promise<void> => {
    if (exited !== undefined) {
      return;
    }
    // Ask the server to shut down its kernels and itself, then make sure the whole group is gone.
    try {
      await fetch(`${url}/api/shutdown`, { method: 'POST', headers: { Authorization: `token ${token}` } });
    } catch {
      // already gone
    }
    const exitedSoon = await waitForExit(child, 10000);
    if (!exitedSoon) {
      killGroup(child, 'SIGTERM');
      if (!(await waitForExit(child, 5000))) {
        killGroup(child, 'SIGKILL');
      }
    }
    fs.rmSync(home, { recursive: true, force: true });
  };
  return { url, token, port, rootDir, process: child, logFile, logTail, stop };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) {
    return;
  }
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is already gone
  }
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve(true);
  }
  return new Promise(resolve => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/**
 * Copies `notebooks/` to `test/artifacts/<name>/` (fresh each run) and returns its path: each UI
 * test serves its own copy, so tests never see each other's edits.
 */
export function copyNotebooksTo(name: string): string {
  const dest = path.join(ARTIFACTS, name);
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  fs.cpSync(path.join(ROOT, 'notebooks'), dest, {
    recursive: true,
    filter: src => !src.includes('.ipynb_checkpoints')
  });
  return dest;
}

/** A JupyterLab server on a fresh copy of notebooks/ with one headless Chromium page on it. */
export interface LabSession {
  server: LabServer;
  browser: import('playwright-core').Browser;
  context: import('playwright-core').BrowserContext;
  page: import('playwright-core').Page;
  close(): Promise<void>;
}

/** Options of {@link openLabSession}. */
export interface LabSessionOptions {
  /** Folder under test/artifacts for this suite's copy of notebooks/. */
  copyName: string;
  /** Scripts run in every page before JupyterLab's own (the test helpers). */
  initScript: string;
  viewport?: { width: number; height: number };
  acceptDownloads?: boolean;
  /** Grant clipboard read/write on the server's origin. */
  clipboard?: boolean;
}

/**
 * For a suite's `before`: skips the whole suite (with the reason) when no Chromium is found,
 * otherwise starts JupyterLab on a fresh copy of notebooks/ and opens a page with the helpers.
 */
export async function openLabSession(suite: Mocha.Context, o: LabSessionOptions): Promise<LabSession> {
  const chromium = findChromium();
  if ('reason' in chromium) {
    for (const test of suite.test?.parent?.tests ?? []) (test as Mocha.Test & { skipReason?: string }).skipReason = chromium.reason;
    suite.skip();
    throw new Error('unreachable: skipped');
  }
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const server = await startJupyterLab(copyNotebooksTo(o.copyName));
  const { chromium: launcher } = await import('playwright-core');
  const browser = await launcher.launch({ executablePath: chromium.path, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: o.viewport ?? { width: 1280, height: 1000 }, acceptDownloads: o.acceptDownloads ?? false });
  if (o.clipboard) await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  await context.addInitScript({ content: o.initScript });
  const page = await context.newPage();
  page.setDefaultTimeout(60000);
  return {
    server,
    browser,
    context,
    page,
    close: async () => {
      await context.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await server.stop();
    }
  };
}
