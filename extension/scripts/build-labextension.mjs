// Builds the prebuilt (federated) labextension with @jupyter/builder against JupyterLab's core
// metadata from the pinned @jupyterlab/core-meta package, so no network or Python is needed.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const extDir = path.resolve(here, '..');
const require = createRequire(path.join(extDir, 'package.json'));
const builder = require.resolve('@jupyter/builder/lib/build-labextension.js');
const corePackageFile = require.resolve('@jupyterlab/core-meta/core.package.json');
const args = [builder, '--core-package-file', corePackageFile, extDir];
if (process.argv.includes('--development')) args.push('--development', '--source-map');
const result = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: extDir });
process.exit(result.status ?? 1);
