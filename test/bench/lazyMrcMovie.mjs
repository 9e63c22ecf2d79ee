// Bench case for `npm run bench`: open a 2 GiB MRC movie lazily and read frame 100, against
// mrcfile.mmap doing the same (test/bench/reference.py `mrc-frame`).
//
// The movie (512 frames of 1024×1024 float32 + 1024-byte header) is made cheaply: writeMrc writes a
// one-frame stack, NZ is patched to 512, the file is extended with ftruncate (a sparse file: the
// other frames are holes that read as zeros) and frame 100 gets a known pattern. The file lives in
// os.tmpdir() and is deleted afterwards.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const NX = 1024;
const NY = 1024;
const NZ = 512;
const FRAME = 100;
const HEADER = 1024;
const FRAME_BYTES = NX * NY * 4;
/** Frame 100 holds ((i mod 4093) · 0.25 − 512) at flat index i: exact in float32, distinct from the zero holes. */
const PATTERN = { modulus: 4093, scale: 0.25, offset: -512 };
const patternAt = i => (i % PATTERN.modulus) * PATTERN.scale + PATTERN.offset;
/** "Well under a second and little memory": the acceptance bounds this bench checks. */
const LIMIT_S = 0.5;
const LIMIT_BYTES = 64 * 2 ** 20;

const mb = x => (x / 2 ** 20).toFixed(1);

async function makeMovie(lowdose, ndarray, file) {
  const one = lowdose.makeDataset(ndarray(new Float32Array(NX * NY), [1, NY, NX]), { axes: [{ name: 'frame' }, { scale: 1, units: 'A' }, { scale: 1, units: 'A' }] });
  await lowdose.io.writeMrc(file, one, { pixelSizeA: 1 });
  const fd = fs.openSync(file, 'r+');
  try {
    const nz = Buffer.alloc(4);
    nz.writeInt32LE(NZ, 0);
    fs.writeSync(fd, nz, 0, 4, 8); // NZ: 512 sections (MZ stays 1: an image stack)
    const nsymbt = Buffer.alloc(4);
    fs.readSync(fd, nsymbt, 0, 4, 92);
    if (nsymbt.readInt32LE(0) !== 0) throw new Error(`expected no extended header; NSYMBT = ${nsymbt.readInt32LE(0)}`);
    fs.ftruncateSync(fd, HEADER + NZ * FRAME_BYTES);
    const frame = Float32Array.from({ length: NX * NY }, (_, i) => patternAt(i));
    fs.writeSync(fd, new Uint8Array(frame.buffer), 0, FRAME_BYTES, HEADER + FRAME * FRAME_BYTES);
  } finally {
    fs.closeSync(fd);
  }
}

/** Index of the first value of `data` that differs from the pattern, or -1. */
function firstMismatch(data) {
  if (data.length !== NX * NY) return 0;
  for (let i = 0; i < data.length; i++) if (data[i] !== patternAt(i)) return i;
  return -1;
}

/**
 * Runs the bench. Returns `rows` (same columns as the other bench rows: lowdose ms, reference ms,
 * ratio), `notes` (memory, verification, file) and `ok` (false when frame 100 reads wrong or a bound
 * is exceeded); a `skipped` reason instead when there is not enough free disk.
 */
export async function benchLazyMrcMovie({ lowdose, ndarray, python, referenceScript, repeats, columns }) {
  const name = `io.open(2 GiB MRC movie) + frame(${FRAME}) (reference: mrcfile.mmap)`;
  const tmp = os.tmpdir();
  const st = fs.statfsSync(tmp);
  const free = st.bavail * st.bsize;
  const need = HEADER + NZ * FRAME_BYTES;
  // sparse, so only two frames reach the disk — but a file system without holes would write it all
  if (free < need + 2 ** 30) return { skipped: `${name}: skipped, ${tmp} has ${mb(free)} MB free; needs ${mb(need + 2 ** 30)} MB in case the file system cannot make sparse files` };

  const dir = fs.mkdtempSync(path.join(tmp, 'lowdose-bench-mrc-'));
  const file = path.join(dir, 'movie.mrc');
  const cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
  process.once('exit', cleanup); // also on a crash in between
  try {
    await makeMovie(lowdose, ndarray, file);
    const fst = fs.statSync(file);

    // first run: memory held by the open source and the frame (before any GC can hide it)
    const m0 = process.memoryUsage();
    const src0 = await lowdose.io.open(file);
    const f0 = await src0.frame(FRAME);
    const m1 = process.memoryUsage();
    const shapeOk = src0.shape.join() === [NZ, NY, NX].join();
    const bad = firstMismatch(f0.data.data);
    await src0.close();
    const rssDelta = m1.rss - m0.rss;
    const abDelta = m1.arrayBuffers - m0.arrayBuffers;

    const times = [];
    const openTimes = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = process.hrtime.bigint();
      const src = await lowdose.io.open(file);
      const t1 = process.hrtime.bigint();
      const f = await src.frame(FRAME);
      await src.close();
      times.push(Number(process.hrtime.bigint() - t0) / 1e9);
      openTimes.push(Number(t1 - t0) / 1e9);
      if (f.data.data.length !== NX * NY) throw new Error('frame has the wrong size');
    }
    const median = xs => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const ours = median(times);
    const oursOpen = median(openTimes);

    const ref = spawnSync(python, [referenceScript, 'mrc-frame', file, String(FRAME), String(repeats), String(PATTERN.modulus), String(PATTERN.scale), String(PATTERN.offset)], { encoding: 'utf8' });
    if (ref.status !== 0) throw new Error(`reference.py mrc-frame failed: ${ref.stderr}`);
    const theirs = JSON.parse(ref.stdout);

    const okValues = shapeOk && bad === -1;
    const okBounds = ours < LIMIT_S && Math.max(rssDelta, abDelta) < LIMIT_BYTES;
    const [cCase, cOurs, cRef, cRatio] = columns;
    const rows = [{ [cCase]: name, [cOurs]: (ours * 1e3).toFixed(1), [cRef]: (theirs.seconds * 1e3).toFixed(1), [cRatio]: (ours / theirs.seconds).toFixed(2) }];
    const notes = [
      `2 GiB MRC movie (${NZ} × ${NY} × ${NX} float32, ${mb(fst.size)} MB, ${mb(fst.blocks * 512)} MB on disk, in ${tmp}): ` +
        `lowdose open + frame(${FRAME}) median ${(ours * 1e3).toFixed(1)} ms (open alone ${(oursOpen * 1e3).toFixed(1)} ms), memory Δ rss ${mb(rssDelta)} MB / arrayBuffers ${mb(abDelta)} MB; ` +
        `mrcfile.mmap median ${(theirs.seconds * 1e3).toFixed(1)} ms, Δ rss ${mb(theirs.rssDeltaBytes)} MB; ` +
        `frame ${FRAME} values ${okValues ? 'verified (all 1,048,576)' : `WRONG (shape ${src0.shape.join('×')}, first mismatch at ${bad})`} by lowdose, ${theirs.matches ? 'verified' : 'WRONG'} by mrcfile; ` +
        `bounds < ${LIMIT_S * 1e3} ms and < ${mb(LIMIT_BYTES)} MB: ${okBounds ? 'met' : 'NOT MET'}`
    ];
    return { rows, notes, ok: okValues && okBounds && theirs.matches };
  } finally {
    cleanup();
    process.removeListener('exit', cleanup);
  }
}
