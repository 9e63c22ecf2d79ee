/**
 * Browser-safe decoding of the dose slider's frame previews and the log power spectrum the slider
 * shows next to each frame (or group of frames). Used by the JupyterLab extension and by tests.
 */
import ndarray from 'ndarray';
import { rfft2 } from '../fft/rfft2';
import { base64ToBytes } from './decodePreview';
import type { DoseSeriesFrame } from './doseSeriesProtocol';

/** The parts of the web-streams `DecompressionStream` used here (kernel-lib compiles without DOM types). */
interface DecompressionStreamLike {
  readonly readable: { getReader(): { read(): Promise<{ done: boolean; value?: Uint8Array }>; cancel(): Promise<void> } };
  readonly writable: { getWriter(): { write(chunk: Uint8Array): Promise<void>; close(): Promise<void> } };
}

/**
 * Inflates and dequantises one frame preview into data values (row-major `rows × cols`).
 * Uses the platform's `DecompressionStream('deflate')` (browsers; Node ≥ 18).
 * @throws RangeError when the inflated size is not `rows × cols × bits/8` bytes (corrupt or hostile data).
 * @example const values = await decodeDoseFrame(payload.frames.frames[0], payload.frames.rows, payload.frames.cols);
 */
export async function decodeDoseFrame(frame: DoseSeriesFrame, rows: number, cols: number): Promise<Float32Array> {
  const levels = await inflateDoseFrame(frame, rows, cols);
  const out = new Float32Array(levels.length);
  const { scale, offset } = frame;
  for (let i = 0; i < levels.length; i++) out[i] = offset + levels[i] * scale;
  return out;
}

/**
 * Inflates one frame preview into its quantisation levels (Uint8Array for 8-bit frames, Uint16Array
 * for 16-bit ones; value = offset + level × scale) — a quarter or half of the memory of decoded values.
 * @throws RangeError as {@link decodeDoseFrame}.
 * @example const q = await inflateDoseFrame(frame, rows, cols); const v = frame.offset + q[0] * frame.scale;
 */
export async function inflateDoseFrame(frame: DoseSeriesFrame, rows: number, cols: number): Promise<Uint8Array | Uint16Array> {
  const n = rows * cols;
  const bytes = await inflate(base64ToBytes(frame.data), n * (frame.bits / 8));
  if (frame.bits === 8) return bytes;
  const out = new Uint16Array(n);
  for (let i = 0; i < n; i++) out[i] = bytes[2 * i] | (bytes[2 * i + 1] << 8);
  return out;
}

/** Inflates a zlib stream, refusing more than `expected` bytes (no decompression bombs). */
async function inflate(compressed: Uint8Array, expected: number): Promise<Uint8Array> {
  const Ctor = (globalThis as { DecompressionStream?: new (format: string) => DecompressionStreamLike }).DecompressionStream;
  if (!Ctor) throw new RangeError('decodeDoseFrame: this browser has no DecompressionStream; use a current Chromium, Firefox or Safari.');
  const stream = new Ctor('deflate');
  const writer = stream.writable.getWriter();
  const written = writer.write(compressed).then(() => writer.close());
  written.catch(() => undefined);
  const reader = stream.readable.getReader();
  const out = new Uint8Array(expected);
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done || !value) break;
    if (length + value.length > expected) {
      await reader.cancel();
      throw new RangeError(`decodeDoseFrame: frame data inflates to more than ${expected} bytes; the payload is corrupt.`);
    }
    out.set(value, length);
    length += value.length;
  }
  await written;
  if (length !== expected) throw new RangeError(`decodeDoseFrame: frame data must inflate to ${expected} bytes; got ${length}.`);
  return out;
}

/**
 * Log power spectrum ln(1 + |F(k)|²/σ²) of an image, fftshifted (zero frequency at row ⌊rows/2⌋,
 * column ⌊cols/2⌋ — fft.powerSpectrum's layout), after subtracting the mean and applying a periodic
 * Hann window (no edge cross); σ² = Σw²·⟨x⟩ is the shot-noise floor of counts (science.md §1.3), so
 * pure noise sits near ln 2 whatever the dose. Synchronous; in a browser await `fft.ready()` once first.
 * @param values - row-major image `rows × cols`.
 * @returns Float32Array `rows × cols`.
 * @example const ps = logPowerSpectrum(frameValues, 512, 512); // spot of d Å at (kx·cols·p, ky·rows·p) from the centre
 */
export function logPowerSpectrum(values: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const n = rows * cols;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  const wr = hann(rows);
  const wc = hann(cols);
  const x = new Float32Array(n);
  let sumW2 = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const w = wr[r] * wc[c];
      x[r * cols + c] = (values[r * cols + c] - mean) * w;
      sumW2 += w * w;
    }
  }
  const X = rfft2(ndarray(x, [rows, cols]));
  const re = X.re.data;
  const im = X.im.data;
  const half = Math.floor(cols / 2) + 1;
  const floor = Math.max(sumW2 * Math.abs(mean), 1e-30);
  const out = new Float32Array(n);
  const r0 = Math.floor(rows / 2);
  const c0 = Math.floor(cols / 2);
  for (let r = 0; r < rows; r++) {
    const ky = r - r0;
    const iy = ((ky % rows) + rows) % rows;
    const iyMirror = ((-ky % rows) + rows) % rows;
    for (let c = 0; c < cols; c++) {
      const kx = c - c0;
      const k = kx >= 0 ? iy * half + kx : iyMirror * half - kx;
      const p = re[k] * re[k] + im[k] * im[k];
      out[r * cols + c] = Math.log1p(p / floor);
    }
  }
  return out;
}

function hann(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}
