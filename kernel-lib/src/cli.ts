#!/usr/bin/env node
/**
 * Command-line entry: `lowdose info FILE [--signal N|TITLE] [--json]` prints the format, shape,
 * dtype, axis calibration and key metadata of every signal in a file, for batch jobs and for
 * checking a file before a notebook opens it. Exit code 0 on success, 2 on bad input or usage.
 * @example
 * npx lowdose info movie.mrc
 * npx lowdose info scan.emd --signal 1 --json
 */
import { promises as fsp } from 'fs';
import { openByteSource } from './io/_internal/byteSource';
import { selectSignal } from './io/_internal/selectSignal';
import { detectFormat } from './io/read';
import { open } from './io/open';
import { METADATA_KEYS } from './io/metadataKeys';
import { Dataset, dtypeOf } from './types/dataset';

const USAGE = `Usage: lowdose info FILE [--signal N|TITLE] [--json]

Prints the format, shape, dtype, axis calibration and key metadata of every signal in FILE
(MRC, TIFF, DM3/DM4, EMD, SER, MIB, BLO, NPY; the format is detected from the bytes).

Options:
  --signal N|TITLE  only the signal with this index or title
  --json            machine-readable output
  -h, --help        this help
Exit status: 0 on success, 2 on a bad file or bad arguments.`;

/** Files larger than this are described through a lazy open (header only) instead of a full read. */
const FULL_READ_LIMIT_BYTES = 256 * 2 ** 20;

const SKIP = new Set(['original', 'sourceFile', 'sourceFormat', 'sourceDtype', 'title', 'signalType']);

interface SignalInfo {
  index: number;
  title?: string;
  signalType?: string;
  shape: number[];
  dtype: string;
  sourceDtype?: string;
  axes: Array<{ name: string; size: number; scale: number; offset: number; units: string }>;
  metadata: Record<string, unknown>;
}

function describe(ds: { axes: Dataset['axes']; metadata: Dataset['metadata'] }, index: number, shape: number[], dtype: string): SignalInfo {
  const md: Record<string, unknown> = {};
  for (const k of METADATA_KEYS) if (!SKIP.has(k) && ds.metadata[k] !== undefined) md[k] = ds.metadata[k];
  for (const k of ['warnings', 'tiltAnglesDeg']) if (ds.metadata[k] !== undefined) md[k] = ds.metadata[k];
  return {
    index,
    title: ds.metadata.title as string | undefined,
    signalType: ds.metadata.signalType as string | undefined,
    shape,
    dtype,
    sourceDtype: ds.metadata.sourceDtype as string | undefined,
    axes: ds.axes.map(a => ({ name: a.name, size: a.size, scale: a.scale, offset: a.offset, units: a.units })),
    metadata: md
  };
}

function fmt(x: unknown): string {
  if (typeof x === 'number') return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(7)));
  if (Array.isArray(x)) return x.length > 8 ? `[${x.slice(0, 8).map(fmt).join(', ')}, … (${x.length} values)]` : `[${x.map(fmt).join(', ')}]`;
  return typeof x === 'string' ? x : JSON.stringify(x);
}

function printText(file: string, format: string, signals: SignalInfo[], note?: string): void {
  const out: string[] = [`file: ${file}`, `format: ${format}`, `signals: ${signals.length}${note ? ` (${note})` : ''}`];
  for (const s of signals) {
    out.push(`[${s.index}]${s.title ? ` ${s.title}` : ''}${s.signalType ? ` (${s.signalType})` : ''}`);
    out.push(`  shape: ${s.shape.join(' × ')} (${s.axes.map(a => a.name).join(', ')})`);
    out.push(`  dtype: ${s.dtype}${s.sourceDtype ? ` (file: ${s.sourceDtype})` : ''}`);
    out.push('  axes:');
    for (const a of s.axes) {
      const cal = a.units ? `${fmt(a.scale)} ${a.units}/px, offset ${fmt(a.offset)} ${a.units}` : a.scale === 1 && a.offset === 0 ? 'index' : `scale ${fmt(a.scale)}, offset ${fmt(a.offset)}`;
      out.push(`    ${a.name}: ${a.size} × ${cal}`);
    }
    for (const [k, v] of Object.entries(s.metadata)) out.push(`  ${k}: ${fmt(v)}`);
  }
  process.stdout.write(out.join('\n') + '\n');
}

async function info(file: string, signal: number | string | undefined, json: boolean): Promise<void> {
  const stat = await fsp.stat(file);
  if (!stat.isFile()) throw new Error(`info: FILE must be a regular file; got ${file}.`);
  const src = await openByteSource(file);
  let handler;
  try {
    handler = await detectFormat(src);
  } finally {
    await src.close();
  }
  let signals: SignalInfo[];
  let note: string | undefined;
  if (stat.size > FULL_READ_LIMIT_BYTES && handler.open) {
    const lazy = await open(file, { signal });
    signals = [describe(lazy, typeof signal === 'number' ? signal : 0, lazy.shape, lazy.dtype)];
    note = 'large file: header only, the signal lowdose.io.read picks';
    await lazy.close();
  } else {
    const s2 = await openByteSource(file);
    let all: Dataset[];
    try {
      all = await handler.readAll(s2, { signal });
    } finally {
      await s2.close();
    }
    const picked = signal === undefined ? all : [selectSignal(all, signal, 'info', file)];
    signals = picked.map(ds => describe(ds, all.indexOf(ds), ds.data.shape.slice(), ds.imag ? (dtypeOf(ds.data) === 'float32' ? 'complex64' : 'complex128') : dtypeOf(ds.data)));
  }
  if (json) process.stdout.write(JSON.stringify({ file, format: handler.name, signals }, null, 2) + '\n');
  else printText(file, handler.name, signals, note);
}

/** Parses argv and runs; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const args = argv.slice();
  if (args.length === 0 || args.includes('-h') || args.includes('--help') || args[0] === 'help') {
    process.stdout.write(USAGE + '\n');
    return args.length === 0 ? 2 : 0;
  }
  const command = args.shift();
  if (command !== 'info') {
    process.stderr.write(`lowdose: command must be 'info'; got '${command}'. See lowdose --help.\n`);
    return 2;
  }
  let json = false;
  let signal: number | string | undefined;
  const files: string[] = [];
  while (args.length) {
    const a = args.shift() as string;
    if (a === '--json') json = true;
    else if (a === '--signal') {
      const v = args.shift();
      if (v === undefined) {
        process.stderr.write('lowdose: --signal must be followed by an index or a title; got nothing.\n');
        return 2;
      }
      signal = /^\d+$/.test(v) ? Number(v) : v;
    } else if (a.startsWith('--')) {
      process.stderr.write(`lowdose: option must be --signal or --json; got '${a}'. See lowdose --help.\n`);
      return 2;
    } else files.push(a);
  }
  if (files.length !== 1) {
    process.stderr.write(`lowdose: info needs exactly one FILE; got ${files.length}. See lowdose --help.\n`);
    return 2;
  }
  try {
    await info(files[0], signal, json);
    return 0;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`lowdose: ${msg.split('\n')[0]}\n`);
    return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    code => {
      process.exitCode = code;
    },
    e => {
      process.stderr.write(`lowdose: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 2;
    }
  );
}
