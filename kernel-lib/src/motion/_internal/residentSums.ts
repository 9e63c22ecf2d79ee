/**
 * alignFrames' two whole-frame sums on the FFT core (assembly/fft/frameSums.ts), in the core's
 * memory: the defects pass's frame sum (FrameSum) and a lane's Fourier-shifted sum (ResidentShiftSum).
 * They do per element exactly what scalar JavaScript does (sum[k] += x[k]·gain[k] with four partial
 * sums of the frame's total; shiftSum.addShiftedRows), two f64 lanes at a time: the same numbers.
 */
import { copyFloats } from '../../fft/_internal/copyFloats';
import { FftEngine } from '../../fft/_internal/engine';
import { getEngine } from '../../fft/_internal/engineRegistry';
import { ResidentSpectrum } from '../../fft/_internal/transforms';
import { packFactors } from './alignCore';
import { ShiftSumState, shiftFactors } from './shiftSum';

/** Blocks of the core's memory of the given sizes (0: none, offset 0), all or none (freed on failure). */
function allocAll(eng: FftEngine, bytes: number[]): number[] {
  const out: number[] = [];
  try {
    for (const b of bytes) out.push(b > 0 ? eng.alloc(b) : 0);
    return out;
  } catch (e) {
    eng.free(...out.filter(p => p > 0));
    throw e;
  }
}

/** Elements copied into the core and added per kernel call: the copy is still in cache when added (a multiple of 4). */
const CHUNK = 16384;

/** Σ_n x_n·gain over frames (float64), with each frame's total, as the defects pass needs. */
export class FrameSum {
  private readonly eng: FftEngine;
  private readonly sum: number;
  private readonly chunk: number;
  private readonly part: number;
  private readonly gain: number;

  constructor(readonly length: number, gain?: Float32Array) {
    this.eng = getEngine();
    [this.sum, this.chunk, this.part, this.gain] = allocAll(this.eng, [8 * length, 8 * CHUNK, 64, gain ? 4 * length : 0]);
    this.eng.view('f64', this.sum, length).fill(0);
    if (gain) this.eng.view('f32', this.gain, length).set(gain);
  }

  /**
   * sum += x·gain for one or two frames (the product rounded to float32; frames are not changed),
   * frame after frame for every element (two frames: the sum is read and written once); returns
   * each frame's Σ x·gain with four partial sums, as motionTasks.total.
   */
  add(...xs: Float32Array[]): number[] {
    const { eng, length: n } = this;
    if (xs.length < 1 || xs.length > 2) throw new Error('lowdose.motion: FrameSum.add takes one or two frames.');
    eng.view('f64', this.part, 8).fill(0);
    const fn = eng.exports.accumulateFrames_f32;
    for (let k0 = 0; k0 < n; k0 += CHUNK) {
      const m = Math.min(CHUNK, n - k0);
      xs.forEach((x, j) => copyFloats(eng.view('f32', this.chunk + 4 * CHUNK * j, m), x.subarray(k0, k0 + m)));
      fn(this.chunk, 4 * CHUNK, xs.length, this.gain ? this.gain + 4 * k0 : 0, this.sum + 8 * k0, m, this.part);
    }
    const p = eng.view('f64', this.part, 8);
    return xs.map((_, j) => p[4 * j] + p[4 * j + 1] + p[4 * j + 2] + p[4 * j + 3]);
  }

  /** The sum so far, copied out, and the core's memory freed (the instance is done). */
  take(): Float64Array {
    const out = this.eng.view('f64', this.sum, this.length).slice() as Float64Array;
    this.eng.free(this.sum, this.chunk, this.part, ...(this.gain ? [this.gain] : []));
    return out;
  }
}

/**
 * A lane's plain aligned sum in the core's memory: frames given as resident float32 half spectra
 * are moved back by −shift (as ShiftSum.add, without dose weighting).
 */
export class ResidentShiftSum {
  private readonly eng: FftEngine;
  readonly nc: number;
  private readonly re: number;
  private readonly im: number;
  /** Row factors as (re, im) pairs, then the column factors' re, then their im. */
  private readonly factors: number;
  private frames = 0;

  constructor(readonly ny: number, readonly nx: number) {
    this.eng = getEngine();
    this.nc = (nx >> 1) + 1;
    const n = ny * this.nc;
    [this.re, this.im, this.factors] = allocAll(this.eng, [8 * n, 8 * n, 8 * (2 * ny + 2 * this.nc)]);
    this.eng.view('f64', this.re, n).fill(0);
    this.eng.view('f64', this.im, n).fill(0);
  }

  /** Adds a frame (its half spectrum F, float32, in this thread's core) whose content is displaced by shiftPx. */
  add(F: ResidentSpectrum, shiftPx: [number, number]): void {
    const { eng, ny, nc } = this;
    if (F.t !== 'f32' || F.eng !== eng || F.length !== ny * nc) throw new Error('lowdose.motion: a resident float32 spectrum of this thread and shape was expected.');
    const p = packFactors(eng.view('f64', this.factors, 2 * ny + 2 * nc) as Float64Array, shiftFactors(ny, this.nx, shiftPx), ny, nc);
    eng.exports.shiftAccumulate_f32(F.re, F.im, nc, nc, 0, ny, p.ey, p.exRe, p.exIm, this.re, this.im);
    this.frames++;
  }

  /** The sums, copied out of the core (for the calling thread to merge), and the core's memory freed. */
  take(): ShiftSumState {
    const n = this.ny * this.nc;
    const st = { re: this.eng.view('f64', this.re, n).slice() as Float64Array, im: this.eng.view('f64', this.im, n).slice() as Float64Array, frames: this.frames };
    this.free();
    return st;
  }

  free(): void {
    this.eng.free(this.re, this.im, this.factors);
  }
}
