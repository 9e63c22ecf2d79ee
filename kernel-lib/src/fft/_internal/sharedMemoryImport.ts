/**
 * The FFT core is compiled once (wasmSingle.ts, plain imported memory). Node's worker threads need
 * the same module importing a *shared* memory; the two binaries differ only in the limits flag of
 * the `memory` import (0x01 has-max → 0x03 shared + has-max), so the shared variant is derived here
 * instead of shipping a second 25 KB copy. build-wasm.mjs checks that this holds for each build.
 * Browser-safe, pure.
 */

/** A copy of `wasm` whose imported memory is marked shared. Throws if no such import exists. */
export function withSharedMemoryImport(wasm: Uint8Array): Uint8Array {
  const out = new Uint8Array(wasm); // a copy (Buffer#slice would be a view)
  let pos = 8; // magic + version
  const leb = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = out[pos++];
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
    }
  };
  const skipName = (): void => {
    const n = leb();
    pos += n;
  };
  const skipLimits = (): void => {
    const flags = out[pos++];
    leb();
    if (flags & 0x01) leb();
  };
  while (pos < out.length) {
    const id = out[pos++];
    const size = leb();
    const end = pos + size;
    if (id !== 2) {
      pos = end;
      continue;
    }
    const count = leb();
    for (let i = 0; i < count; i++) {
      skipName();
      skipName();
      const kind = out[pos++];
      if (kind === 0) leb();
      else if (kind === 1) {
        pos++;
        skipLimits();
      } else if (kind === 2) {
        out[pos] |= 0x02; // shared (requires has-max, which the build sets)
        return out;
      } else if (kind === 3) pos += 2;
      else break;
    }
    break;
  }
  throw new Error('withSharedMemoryImport: the FFT core has no imported memory to mark shared.');
}
