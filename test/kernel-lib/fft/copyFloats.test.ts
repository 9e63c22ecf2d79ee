import assert from 'node:assert/strict';
import { copyFloats } from 'lowdose/dist/fft/_internal/copyFloats';

// copyFloats copies input into the core's shared memory with one native memcpy (Buffer#fill)
// instead of TypedArray#set's relaxed word-by-word stores; it must be an exact copy either way.
describe('fft copyFloats (input into shared memory)', () => {
  const shared = () => new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true }).buffer;

  it('copies float32 and float64 exactly into views at an offset of a SharedArrayBuffer, touching nothing else', () => {
    for (const Ctor of [Float32Array, Float64Array]) {
      const buf = shared();
      const bytes = new Uint8Array(buf).fill(0xab);
      const src = Ctor.from({ length: 1003 }, (_, i) => Math.sin(i) * 1e3 + 1 / (i + 1));
      const dst = new Ctor(buf, 8 * 16, src.length);
      copyFloats(dst, src.subarray(0, src.length));
      assert.deepEqual(Array.from(dst), Array.from(src));
      assert.ok(bytes.subarray(0, 8 * 16).every(b => b === 0xab), 'bytes before the view untouched');
      assert.ok(bytes.subarray(8 * 16 + dst.byteLength).every(b => b === 0xab), 'bytes after the view untouched');
      // a source that is itself an offset view of shared memory
      const src2 = new Ctor(buf, 8 * 16 + dst.byteLength + 64, 50).fill(-2.5);
      const dst2 = new Ctor(shared(), 0, 50);
      copyFloats(dst2, src2);
      assert.ok(dst2.every(v => v === -2.5));
    }
  });

  it('converts like TypedArray#set when the element types differ, and handles empty and plain targets', () => {
    const dst = new Float64Array(shared(), 0, 4);
    copyFloats(dst, Float32Array.of(0.1, 2, -3, 4.5));
    assert.deepEqual(Array.from(dst), Array.from(Float32Array.of(0.1, 2, -3, 4.5)));
    copyFloats(new Float32Array(shared(), 0, 0), new Float32Array(0));
    const plain = new Float32Array(3);
    copyFloats(plain, Float32Array.of(1, 2, 3));
    assert.deepEqual(Array.from(plain), [1, 2, 3]);
  });
});
