// Test helper: runs a notebook on the project's tslab kernel through nbclient (execute_notebook.py).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
export const VENV_PYTHON = path.join(ROOT, '.venv/bin/python');
export const ARTIFACTS = path.join(ROOT, 'test/artifacts/notebooks');

export interface NotebookReport {
  notebook: string;
  seconds: number;
  fatal: string | null;
  errors: Array<{ cell: number; source: string; message: string }>;
  cells: Array<{
    index: number;
    source: string;
    outputs: Array<{ output_type: string; mime_types?: string[]; bytes?: number; name?: string; text?: string }>;
  }>;
  kernel_peak_rss_bytes: number;
}

/** Environment whose Jupyter paths put the project's kernelspec first. */
export function jupyterEnv(): NodeJS.ProcessEnv {
  const share = path.join(ROOT, '.venv/share/jupyter');
  return { ...process.env, JUPYTER_PATH: [share, process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter) };
}

/** Executes `notebook` into `outputPath` and returns the report. */
export function runNotebook(notebook: string, outputPath: string, timeoutS = 900): Promise<NotebookReport> {
  fs.mkdirSync(path.dirname(outputPath), { recursive: true });
  const report = outputPath.replace(/\.ipynb$/, '.report.json');
  const script = path.join(ROOT, 'test/notebooks/execute_notebook.py');
  return new Promise((resolve, reject) => {
    execFile(
      VENV_PYTHON,
      [script, notebook, outputPath, report, '--timeout', String(timeoutS)],
      { env: jupyterEnv(), maxBuffer: 64 << 20, timeout: (timeoutS + 120) * 1000 },
      (err, _stdout, stderr) => {
        if (err) {
          reject(new Error(`execute_notebook.py failed for ${notebook}: ${err.message}\n${stderr.slice(-4000)}`));
          return;
        }
        resolve(JSON.parse(fs.readFileSync(report, 'utf8')) as NotebookReport);
      }
    );
  });
}

/** A readable account of a report's failures, for assertion messages. */
export function describeFailures(r: NotebookReport): string {
  const parts = r.errors.map(e => `cell ${e.cell}:\n${e.source}\n--- kernel said ---\n${e.message}`);
  if (r.fatal) parts.unshift(`fatal: ${r.fatal}`);
  return parts.join('\n\n');
}
