// Entry of the lowdose FFT WebAssembly core: f32 and f64 specialisations of the drivers.
// Compiled by kernel-lib/scripts/build-wasm.mjs (AssemblyScript, SIMD, no runtime allocation:
// JavaScript owns the memory layout, so several instances can share one memory across threads).
import { rowsR2C, rowsC2C, colsC2C, rowsC2R, batch } from './drivers';

export function heapBase(): usize {
  return __heap_base;
}
export function rowsR2C_f32(src: usize, ny: i32, nx: i32, r0: i32, r1: i32, re: usize, im: usize, plan: usize, a: usize, b: usize, sc: usize, stg: usize): void {
  rowsR2C<f32>(src, ny, nx, r0, r1, re, im, plan, a, b, sc, stg);
}
export function rowsR2C_f64(src: usize, ny: i32, nx: i32, r0: i32, r1: i32, re: usize, im: usize, plan: usize, a: usize, b: usize, sc: usize, stg: usize): void {
  rowsR2C<f64>(src, ny, nx, r0, r1, re, im, plan, a, b, sc, stg);
}
export function rowsC2C_f32(inRe: usize, inIm: usize, outRe: usize, outIm: usize, ny: i32, nx: i32, r0: i32, r1: i32, plan: usize, a: usize, b: usize, sc: usize, conj: i32, scale: f64): void {
  rowsC2C<f32>(inRe, inIm, outRe, outIm, ny, nx, r0, r1, plan, a, b, sc, conj, <f32>scale);
}
export function rowsC2C_f64(inRe: usize, inIm: usize, outRe: usize, outIm: usize, ny: i32, nx: i32, r0: i32, r1: i32, plan: usize, a: usize, b: usize, sc: usize, conj: i32, scale: f64): void {
  rowsC2C<f64>(inRe, inIm, outRe, outIm, ny, nx, r0, r1, plan, a, b, sc, conj, scale);
}
export function colsC2C_f32(re: usize, im: usize, ny: i32, stride: i32, c0: i32, c1: i32, plan: usize, a: usize, bs: usize, b: usize, sc: usize, conj: i32, scale: f64): void {
  colsC2C<f32>(re, im, ny, stride, c0, c1, plan, a, bs, b, sc, conj, <f32>scale);
}
export function colsC2C_f64(re: usize, im: usize, ny: i32, stride: i32, c0: i32, c1: i32, plan: usize, a: usize, bs: usize, b: usize, sc: usize, conj: i32, scale: f64): void {
  colsC2C<f64>(re, im, ny, stride, c0, c1, plan, a, bs, b, sc, conj, scale);
}
export function rowsC2R_f32(inRe: usize, inIm: usize, out: usize, ny: i32, nx: i32, r0: i32, r1: i32, plan: usize, a: usize, b: usize, sc: usize, scale: f64): void {
  rowsC2R<f32>(inRe, inIm, out, ny, nx, r0, r1, plan, a, b, sc, <f32>scale);
}
export function rowsC2R_f64(inRe: usize, inIm: usize, out: usize, ny: i32, nx: i32, r0: i32, r1: i32, plan: usize, a: usize, b: usize, sc: usize, scale: f64): void {
  rowsC2R<f64>(inRe, inIm, out, ny, nx, r0, r1, plan, a, b, sc, scale);
}
export function batch_f32(plan: usize, a: usize, b: usize, sc: usize): usize {
  return batch<f32>(plan, a, b, sc);
}
export function batch_f64(plan: usize, a: usize, b: usize, sc: usize): usize {
  return batch<f64>(plan, a, b, sc);
}
export { accumulateFrames_f32, shiftAccumulate_f32 } from './frameSums';
export { unitFrameRows_f32, othersRows, unitLastFrame_f32 } from './unitSweeps';
