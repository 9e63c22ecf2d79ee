/**
 * The per-frame and per-unit work of alignFrames, as methods one thread runs: the calling thread
 * itself (one local lane) or each worker thread of motionPool.ts (motionWorker.ts holds one instance
 * per alignFrames call). The frames' alignment spectra and the drift reference live in
 * SharedArrayBuffers every lane sees; a lane keeps its own partial sums, cached full spectra and
 * scratch. Every result is computed by the same floating-point operations on any lane.
 */
import ndarray from 'ndarray';
import { irfft2 } from '../../fft';
import { CoreExports } from '../../fft/_internal/engine';
import { coreOn } from '../../fft/_internal/engineNode';
import { WasmMemory } from '../../fft/_internal/wasmApi';
import { ResidentSpectrum, rfft2Resident } from '../../fft/_internal/transforms';
import { HalfLayout } from '../../registration/_internal/halfSpectrumDft';
import { Spectrum, alignmentSpectrum } from './alignCore';
import { neighbourMedians } from './defects';
import { Mat2, destrainFrame } from './destrain';
import { FirstFrameScoring, scoreDifferenceSigmas, searchCandidates } from './firstFrame';
import { ResidentShiftSum } from './residentSums';
import { ShiftSum, ShiftSumState } from './shiftSum';
import { ChainBuffers, ChainScratch, chainScratch, chainStep, groupSums, groupTotal } from './chainStep';
import { SweepWindow } from './unitKernels';
import { PassInput, UnitContext, UnitMeasurement, UnitScratch, UnitSpan, measureUnit, referenceRows, sharedUnitScratch, sharedUnitScratchBytes, unitScratch } from './unitMeasure';

/** Frame geometry and per-frame processing, sent once per alignFrames call. */
export interface FrameSetup {
  rows: number;
  cols: number;
  frames: number;
  layout: HalfLayout;
  /** exp(−B·k²/4) per cropped element. */
  filter: Float64Array;
  periodicSmooth: boolean;
  gain?: Float32Array;
  /** The threads' shared memory (motionMemory.ts): the FFT core's kernels run on it. */
  memory: WasmMemory;
  /** Byte offset in it of the N alignment spectra, re then im of each (float32, layout.rows·layout.cols each). */
  spectra: number;
  /** Byte offset of this lane's region for the kernels ({@link laneScratchBytes}). */
  scratch: number;
  /** Keep the full half spectra of frames n ≥ cacheFrom for the sum pass (frames ≥ N: none). */
  cacheFrom: number;
  /** 1/(2N_e) per full half-spectrum element: the sum pass also accumulates the dose-weighted sum. */
  invTwoNe?: Float64Array;
  /** Threads of this lane's FFTs (undefined: the FFT pool's default, all cores). */
  fftWorkers?: number;
}

/** Defective pixels and their replacement for sparse frames (after the defects pass). */
export interface DefectSetup {
  mask: Uint8Array;
  index: Int32Array;
  meanReplacement: Float32Array;
}

/** Drift-stage inputs besides the spectra (UnitContext less `spec` and `layout`) and the shared reference. */
export interface DriftSetup extends Omit<UnitContext, 'spec' | 'layout'> {
  /** Byte offset in the shared memory of the reference R: re then im, float64, layout.rows·layout.cols each. */
  reference: number;
}

/** Bytes of the reference's per-frame factors at the start of a lane's region (unitMeasure.referenceRows). */
function referenceScratchBytes(frames: number, rows: number, cols: number): number {
  return Math.ceil((8 * frames * (2 * rows + 2 * cols)) / 64) * 64;
}

/** Bytes of a lane's region of the shared memory: the reference's factors, then its unit scratch. */
export function laneScratchBytes(frames: number, rows: number, cols: number): number {
  return referenceScratchBytes(frames, rows, cols) + sharedUnitScratchBytes(rows * cols, rows, cols);
}

/** The N alignment spectra at byte offset `at` of a shared buffer. */
export function spectraOf(buf: ArrayBufferLike, at: number, n: number, size: number): Spectrum[] {
  return Array.from({ length: n }, (_, i) => ({ re: new Float32Array(buf, at + 8 * i * size, size), im: new Float32Array(buf, at + (8 * i + 4) * size, size) }));
}

/** Hot loops kept in small functions (V8 optimises them apart from the drivers). */

/** Σx with four partial sums (no serial dependency between consecutive additions). */
export function total(x: Float32Array): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const n4 = x.length - (x.length % 4);
  for (let k = 0; k < n4; k += 4) {
    s0 += x[k];
    s1 += x[k + 1];
    s2 += x[k + 2];
    s3 += x[k + 3];
  }
  for (let k = n4; k < x.length; k++) s0 += x[k];
  return s0 + s1 + s2 + s3;
}

function multiply(x: Float32Array, g: Float32Array): void {
  for (let k = 0; k < x.length; k++) x[k] *= g[k];
}

/** One lane's state for one alignFrames call; the methods are the tasks motionPool dispatches. */
export class MotionTasks {
  private setupData?: FrameSetup;
  /** The FFT core over the shared memory (kernels on the spectra and the reference). */
  private core?: CoreExports;
  private spec: Spectrum[] = [];
  private defects?: DefectSetup;
  /** Full spectra kept for the sum pass, in the FFT core's memory (freed once summed, or at end()). */
  private cached = new Map<number, ResidentSpectrum>();
  /** The dose-weighted sums (JavaScript), or the plain sum in the core's memory. */
  private acc?: ShiftSum;
  private racc?: ResidentShiftSum;
  private unitCtx?: UnitContext;
  private R?: { re: Float64Array; im: Float64Array };
  private scratch?: UnitScratch;
  private chainS?: ChainScratch;

  private get s(): FrameSetup {
    if (!this.setupData) throw new Error('lowdose.motion: frame task before setup.');
    return this.setupData;
  }

  setup(s: FrameSetup): void {
    this.setupData = s;
    this.spec = spectraOf(s.memory.buffer, s.spectra, s.frames, s.layout.rows * s.layout.cols);
    this.core = coreOn(s.memory);
  }

  setDefects(d: DefectSetup): void {
    this.defects = d;
  }

  /**
   * Gain and defect correction in place (median replacement from the frame when it has ≥ 2
   * counts/px); `frameTotal`: the gain-corrected frame's total when known (from the defects pass).
   */
  private correct(f: Float32Array, frameTotal?: number): void {
    const { gain, rows, cols } = this.s;
    if (gain) multiply(f, gain);
    const d = this.defects;
    if (!d || d.index.length === 0) return;
    const values = (frameTotal ?? total(f)) / f.length >= 2 ? neighbourMedians(f, d.mask, d.index, rows, cols) : d.meanReplacement;
    const idx = d.index;
    for (let i = 0; i < idx.length; i++) f[idx[i]] = values[i];
  }

  /** The frame's half spectrum, left in the FFT core's memory (the caller frees it). */
  private transform(f: Float32Array): ResidentSpectrum {
    const { rows, cols, fftWorkers } = this.s;
    return rfft2Resident(ndarray(f, [rows, cols]), fftWorkers === undefined ? undefined : { workers: fftWorkers }, 'alignFrames');
  }

  /** Spectra pass: corrects frame n, writes its alignment spectrum; returns its total (after correction) when asked, else 0. */
  spectrum(a: { n: number; data: Float32Array; needTotal?: boolean; frameTotal?: number }): number {
    const s = this.s;
    const f = a.data;
    this.correct(f, a.frameTotal);
    const t = a.needTotal ? total(f) : 0;
    const F = this.transform(f);
    try {
      alignmentSpectrum(f, F.views(), s.layout, s.filter, s.periodicSmooth, this.spec[a.n]);
    } catch (e) {
      F.free();
      throw e;
    }
    if (a.n >= s.cacheFrom) this.cached.set(a.n, F);
    else F.free();
    return t;
  }

  /**
   * Frame n's full spectrum: `data` corrected and transformed (owned: the caller frees it), or the
   * one the spectra pass cached (taken out of the cache with `take`, else still owned by it).
   */
  private fullSpectrum(a: { n: number; data?: Float32Array; frameTotal?: number }, take: boolean): { F: ResidentSpectrum; owned: boolean } {
    if (a.data) {
      this.correct(a.data, a.frameTotal);
      return { F: this.transform(a.data), owned: true };
    }
    const F = this.cached.get(a.n);
    if (!F) throw new Error(`lowdose.motion: frame ${a.n} is not in this lane's cache.`);
    if (take) this.cached.delete(a.n);
    return { F, owned: take };
  }

  /** Sum pass: frame n (corrected and transformed, or from the cache when `data` is absent) moved back by −shift into this lane's sums. */
  shiftFrame(a: { n: number; data?: Float32Array; shift: [number, number]; dose?: number; frameTotal?: number }): void {
    const s = this.s;
    const { F } = this.fullSpectrum(a, true);
    try {
      if (s.invTwoNe) {
        this.acc ??= new ShiftSum(s.rows, s.cols, s.invTwoNe);
        this.acc.add(F.views(), a.shift, a.dose);
      } else {
        this.racc ??= new ResidentShiftSum(s.rows, s.cols);
        this.racc.add(F, a.shift);
      }
    } finally {
      F.free();
    }
  }

  /**
   * Strain-aware fine stage (strainStage.ts): frame n — its cached full spectrum (kept for the sum
   * pass), or `data` corrected and transformed — back to real space (so a cached and a re-read frame
   * give the same numbers), resampled onto the reference strain about `centre`
   * (destrain.destrainFrame); its alignment spectrum replaces frame n's in the shared spectra at the
   * flat indices `where`.
   */
  destrain(a: { n: number; data?: Float32Array; frameTotal?: number; F: Mat2; centre: [number, number]; where: Int32Array }): void {
    const s = this.s;
    const { F, owned } = this.fullSpectrum(a, false);
    const shape: [number, number] = [s.rows, (s.cols >> 1) + 1];
    let frame: Float32Array | Float64Array;
    try {
      const v = F.views();
      frame = irfft2({ re: ndarray(v.re, shape), im: ndarray(v.im, shape) }, { shape: [s.rows, s.cols], ...(s.fftWorkers === undefined ? {} : { workers: s.fftWorkers }) }).data as Float32Array | Float64Array;
    } finally {
      if (owned) F.free();
    }
    const f = destrainFrame(frame, s.rows, s.cols, a.F, a.centre);
    const G = this.transform(f);
    let D: { re: ArrayLike<number>; im: ArrayLike<number> };
    try {
      D = alignmentSpectrum(f, G.views(), s.layout, s.filter, s.periodicSmooth);
    } finally {
      G.free();
    }
    const S = this.spec[a.n];
    for (const k of a.where) {
      S.re[k] = D.re[k];
      S.im[k] = D.im[k];
    }
  }

  /** This lane's shifted sums (undefined when it got no frame). */
  takeShiftSum(): ShiftSumState | undefined {
    const st = this.acc?.state() ?? this.racc?.take();
    this.acc = undefined;
    this.racc = undefined;
    return st;
  }

  /** Drift stage: the shared reference and the units' context. */
  drift(d: DriftSetup): void {
    const s = this.s;
    const size = s.layout.rows * s.layout.cols;
    const buf = s.memory.buffer;
    this.R = { re: new Float64Array(buf, d.reference, size), im: new Float64Array(buf, d.reference + 8 * size, size) };
    const { reference: _r, ...ctx } = d;
    this.unitCtx = { ...ctx, spec: this.spec, layout: s.layout, core: this.core && { exports: this.core, buffer: buf, scratch: s.scratch } };
    if (this.core) {
      // the unit kernels' arrays in this lane's region of the shared memory, after the reference's factors
      const { rows, cols } = s.layout;
      const sc = sharedUnitScratch(buf, s.scratch + referenceScratchBytes(s.frames, rows, cols), size, rows, cols);
      new Uint8Array(buf, sc.shared.mask, size).set(ctx.spotMask);
      if (ctx.coarseExtra) new Float64Array(buf, sc.shared.extra, size).set(ctx.coarseExtra);
      this.scratch = sc;
    }
  }

  private get ctx(): UnitContext {
    if (!this.unitCtx) throw new Error('lowdose.motion: unit task before the drift setup.');
    return this.unitCtx;
  }

  /**
   * Rows [r0, r1) of the reference R at `positions` (flat [y0, x0, y1, x1, …]): frames `from` (default
   * 0) to the last; with `window` (unitMeasure.passWindow) its rows r0 … r1 − 1 and columns < cw only.
   */
  reference(a: { positions: Float64Array; r0: number; r1: number; from?: number; window?: SweepWindow }): void {
    referenceRows(this.ctx, this.R as { re: Float64Array; im: Float64Array }, a.positions, a.r0, a.r1, a.from, a.window);
  }

  /** Frame 0's lattice translation (firstFrame.ts): the candidates' peaks, flat [y, x, value] each. */
  firstFrameSearch(a: { scoring: FirstFrameScoring; centres: number[]; hMinPx: number }): Float64Array {
    return searchCandidates(a.scoring, this.s.layout, a.centres, a.hMinPx);
  }

  /** Frame 0's lattice translation: σ of the score differences for displacements `ds` (flat [dy, dx, …]). */
  firstFrameSigmas(a: { scoring: FirstFrameScoring; ds: number[] }): Float64Array {
    return scoreDifferenceSigmas(a.scoring, this.s.layout, a.ds);
  }

  /** One unit of a refinement pass against the current reference. */
  unit(a: { unit: UnitSpan; positions: Float64Array; coarse: boolean; radius: number; predictFine: boolean }): UnitMeasurement {
    const ctx = this.ctx;
    this.scratch ??= unitScratch(ctx.pInc.length, ctx.layout.cols);
    const pass: PassInput = { R: this.R as { re: Float64Array; im: Float64Array }, positions: a.positions, coarse: a.coarse, radius: a.radius, predictFine: a.predictFine };
    return measureUnit(ctx, this.scratch, pass, a.unit);
  }

  /** Chain stage: sums of groups [from, to). */
  chainGroups(a: { chain: ChainBuffers; from: number; to: number }): void {
    groupSums(this.ctx, a.chain, a.from, a.to);
  }

  /** Chain stage: rows [r0, r1) of the groups' total. */
  chainTotal(a: { chain: ChainBuffers; r0: number; r1: number }): void {
    groupTotal(this.ctx, a.chain, a.r0, a.r1);
  }

  /** Chain stage: step g − 1 → g. */
  chainStep(a: { chain: ChainBuffers; g: number; maxShiftPx: number }): { d: [number, number]; atEdge: boolean; snr: number } {
    this.chainS ??= chainScratch(this.ctx.pInc.length);
    return chainStep(this.ctx, a.chain, a.g, a.maxShiftPx, this.chainS);
  }

  /** Drops this call's state. */
  end(): void {
    this.setupData = undefined;
    this.core = undefined;
    this.spec = [];
    this.defects = undefined;
    for (const F of this.cached.values()) F.free();
    this.cached.clear();
    this.acc = undefined;
    this.racc?.free();
    this.racc = undefined;
    this.unitCtx = undefined;
    this.R = undefined;
    this.scratch = undefined;
    this.chainS = undefined;
  }
}

/** Names of the tasks a lane runs. */
export type TaskName = 'setup' | 'setDefects' | 'spectrum' | 'shiftFrame' | 'destrain' | 'takeShiftSum' | 'drift' | 'reference' | 'firstFrameSearch' | 'firstFrameSigmas' | 'unit' | 'chainGroups' | 'chainTotal' | 'chainStep' | 'end';
