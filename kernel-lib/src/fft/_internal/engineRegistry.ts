/**
 * Which engine the transforms use. The browser-safe default is one single-threaded instance over a
 * plain memory; the Node entry (engineNode.ts, imported by fft/index.ts) registers an engine over a
 * shared memory with worker threads. The registration is the only mutable module state of lowdose.fft.
 */
import { base64ToBytes } from '../../display/decodePreview';
import { FftEngine } from './engine';
import { WasmModule, wasmApi } from './wasmApi';
import { WASM_BASE64 } from './wasmSingle';

let single: FftEngine | undefined;
let singleModule: WasmModule | undefined;
let factory: (() => FftEngine) | undefined;

/** Memory pages the core declares as its maximum (4 GiB, wasm32's limit). */
export const MAX_PAGES = 65536;

/** Registers the engine factory of the Node entry. */
export function registerEngine(f: () => FftEngine): void {
  factory = f;
}

/** The engine transforms run on. */
export function getEngine(): FftEngine {
  if (factory) return factory();
  if (!single) {
    singleModule ??= new (wasmApi().Module)(base64ToBytes(WASM_BASE64));
    single = new FftEngine(singleModule, new (wasmApi().Memory)({ initial: 17, maximum: MAX_PAGES }));
  }
  return single;
}

/**
 * Compiles the FFT core asynchronously. Browsers may refuse to compile a WebAssembly module
 * synchronously on the main thread; awaiting this once (the extension does on activation) makes
 * the synchronous transforms work there. In Node it is optional.
 * @example await lowdose.fft.ready(); const X = lowdose.fft.rfft2(region);
 */
export async function ready(): Promise<void> {
  if (factory) {
    factory();
    return;
  }
  if (!singleModule) singleModule = await wasmApi().compile(base64ToBytes(WASM_BASE64));
  getEngine();
}
