// Direct Electron (DE-Server) 4D-STEM movies: an MRC stack whose frames are scan positions, with
// the scan geometry and acquisition metadata in sidecars `<prefix>_info.txt` ("Key = Value" lines)
// and, for random or custom scans, `<prefix>_scan_coordinates.csv` (x,y per frame). Name patterns
// and the reshape to [scanRow, scanCol, detRow, detCol] follow RosettaSciIO (rsciio/mrc/_api.py).
import { promises as fsp } from 'fs';
import path from 'path';
import { Axis } from '../../types/dataset';

/** Sidecars larger than this are ignored (they are a few tens of kB). */
const MAX_SIDECAR_BYTES = 16 * 2 ** 20;

export interface DeScan {
  /** Scan grid; `order[row * cols + col]` is the file frame recorded at that position. */
  rows: number;
  cols: number;
  order?: Int32Array;
  scanAxes: Axis[];
  detectorAxes: Axis[];
}

export interface DeSidecar {
  metadata: Record<string, unknown>;
  info: Record<string, string>;
  scan?: DeScan;
  warnings: string[];
}

async function readText(file: string): Promise<string | undefined> {
  try {
    const st = await fsp.stat(file);
    if (!st.isFile() || st.size > MAX_SIDECAR_BYTES) return undefined;
    return await fsp.readFile(file, 'latin1');
  } catch {
    return undefined;
  }
}

/** Parses DE-Server "Key = Value" lines (lines without '=' are skipped). */
export function parseDeInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

function num(info: Record<string, string>, key: string): number | undefined {
  const v = info[key] === undefined || info[key] === '' ? NaN : Number(info[key]);
  return Number.isFinite(v) ? v : undefined;
}

function calibrated(name: string, size: number, scale: number | undefined, units: Axis['units']): Axis {
  return scale !== undefined && scale > 0 ? { name, size, scale, offset: 0, units } : { name, size, scale: 1, offset: 0, units: '' };
}

/**
 * Finds and reads the sidecars of `<prefix>_movie.mrc`; undefined when the file is not named like
 * a DE movie or has no `_info.txt`. Reshapes to a scan only when the positions tile the grid exactly.
 */
export async function readDeSidecars(mrcPath: string, frames: number, ny: number, nx: number): Promise<DeSidecar | undefined> {
  const m = /^(.*)_movie\.mrcs?$/i.exec(path.basename(mrcPath));
  if (!m) return undefined;
  const prefix = path.join(path.dirname(mrcPath), m[1]);
  const text = await readText(`${prefix}_info.txt`);
  if (text === undefined) return undefined;
  const info = parseDeInfo(text);
  const metadata: Record<string, unknown> = {};
  const warnings: string[] = [];
  if (info['Camera Model']) metadata.detector = info['Camera Model'];
  const mag = num(info, 'Instrument Project Magnification');
  if (mag !== undefined && mag > 0) metadata.magnification = mag;
  const fps = num(info, 'Frames Per Second');
  const sum = num(info, 'Autosave Movie Sum Count') ?? 1;
  if (fps !== undefined && fps > 0) metadata.frameTimeS = 1 / (fps * sum);
  const kv = num(info, 'Instrument Accelerating Voltage (V)');
  if (kv !== undefined && kv > 0) metadata.voltageKV = kv / 1000;
  const exposure = num(info, 'Exposure Time (seconds)');
  if (exposure !== undefined && exposure > 0) metadata.exposureS = exposure;
  const dwell = num(info, 'Scan - Dwell Time (microseconds)');
  if (dwell !== undefined && dwell > 0) metadata.dwellTimeS = dwell * 1e-6;
  const adu = num(info, 'ADUs Per Electron Bin1x') ?? num(info, 'ADUs Per Electron');
  if (adu !== undefined && adu > 0) metadata.adusPerElectron = adu;
  const ts = num(info, 'Timestamp (seconds since Epoch)');
  if (ts !== undefined && ts > 0) metadata.acquisitionDate = new Date(ts * 1000).toISOString();

  let scan: DeScan | undefined;
  if (info['Scan - Enable'] === 'Enable') {
    const roi = info['Scan - ROI Enable'] === 'Enable';
    let rows = num(info, roi ? 'Scan - ROI Size Y' : 'Scan - Size Y') ?? 0;
    let cols = num(info, roi ? 'Scan - ROI Size X' : 'Scan - Size X') ?? 0;
    let order: Int32Array | undefined;
    if ((info['Scan - Type'] ?? 'Raster') !== 'Raster') {
      const csv = await readText(`${prefix}_scan_coordinates.csv`);
      const pos = (csv ?? '')
        .split(/\r?\n/)
        .map(l => l.split(',').map(Number))
        .filter(p => p.length >= 2 && p.every(Number.isInteger) && p[0] >= 0 && p[1] >= 0);
      rows = pos.length ? Math.max(...pos.map(p => p[1])) + 1 : 0;
      cols = pos.length ? Math.max(...pos.map(p => p[0])) + 1 : 0;
      if (pos.length === frames && rows * cols === frames) {
        order = new Int32Array(frames).fill(-1);
        pos.forEach(([x, y], k) => {
          if (order && order[y * cols + x] === -1) order[y * cols + x] = k;
        });
        if (order.includes(-1)) order = undefined;
      }
      if (!order) {
        warnings.push(`the scan coordinates (${pos.length} positions) do not tile a ${rows}×${cols} grid once for each of the ${frames} frames; frames kept in acquisition order.`);
        rows = cols = 0;
      }
    }
    if (rows > 0 && cols > 0 && rows * cols === frames) {
      const sy = num(info, 'Specimen Pixel Size Y (nanometers)');
      const sx = num(info, 'Specimen Pixel Size X (nanometers)');
      scan = {
        rows,
        cols,
        order,
        scanAxes: [calibrated('scanRow', rows, sy !== undefined ? sy * 10 : undefined, 'A'), calibrated('scanCol', cols, sx !== undefined ? sx * 10 : undefined, 'A')],
        detectorAxes: [
          calibrated('detRow', ny, num(info, 'Diffraction Pixel Size Y'), '1/nm'),
          calibrated('detCol', nx, num(info, 'Diffraction Pixel Size X'), '1/nm')
        ]
      };
    } else if (!warnings.length) {
      warnings.push(`the scan size ${rows}×${cols} does not match the ${frames} frames; frames kept as a stack.`);
    }
  }
  return { metadata, info, scan, warnings };
}
