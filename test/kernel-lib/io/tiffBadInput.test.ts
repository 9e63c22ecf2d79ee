// Hostile and broken TIFFs: every one must give a FormatError naming the file, the field and the
// byte offset, quickly, without allocating what the header merely claims.
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import ndarray from 'ndarray';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as lowdose from 'lowdose';

/** Tags of the one-strip 8-bit test image, in IFD order (value offsets are patched by index). */
const TAGS = [256, 257, 258, 259, 262, 273, 277, 278, 279];
const IFD = 8;
const ENTRY = (i: number): number => IFD + 2 + 12 * i;
const NEXT = IFD + 2 + 12 * TAGS.length;
const DATA = NEXT + 4;

/** A classic little-endian TIFF: one uint8 strip of `strip` bytes for a width × height image. */
function tiff(width: number, height: number, strip: Uint8Array, compression = 1): Uint8Array {
  const out = new Uint8Array(DATA + strip.length);
  const v = new DataView(out.buffer);
  out.set([0x49, 0x49, 42, 0]);
  v.setUint32(4, IFD, true);
  v.setUint16(IFD, TAGS.length, true);
  const values = [width, height, 8, compression, 1, DATA, 1, height, strip.length];
  TAGS.forEach((tag, i) => {
    v.setUint16(ENTRY(i), tag, true);
    v.setUint16(ENTRY(i) + 2, 4, true); // LONG
    v.setUint32(ENTRY(i) + 4, 1, true);
    v.setUint32(ENTRY(i) + 8, values[i], true);
  });
  v.setUint32(NEXT, 0, true);
  out.set(strip, DATA);
  return out;
}

function patch(bytes: Uint8Array, at: number, value: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(at, value, true);
  return copy;
}

const valueOf = (tag: number): number => ENTRY(TAGS.indexOf(tag)) + 8;

async function expectFormatError(bytes: Uint8Array, field: RegExp, offset?: number, message?: RegExp): Promise<lowdose.FormatError> {
  const t0 = Date.now();
  let caught: unknown;
  try {
    await lowdose.io.readTiff(bytes, { name: 'hostile.tif' });
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof lowdose.FormatError, `expected a FormatError, got ${caught instanceof Error ? caught.stack : String(caught)}`);
  const e = caught as lowdose.FormatError;
  assert.equal(e.file, 'hostile.tif');
  assert.match(e.field, field);
  if (offset !== undefined) assert.equal(e.offset, offset);
  if (message) assert.match(e.message, message);
  assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
  return e;
}

const PIXELS = Uint8Array.from({ length: 12 * 10 }, (_, i) => (i * 7) % 256);
const GOOD = tiff(12, 10, PIXELS);

describe('readTiff() on broken and hostile files', () => {
  it('reads the well-formed hand-built file the other cases break', async () => {
    const ds = await lowdose.io.readTiff(GOOD, { name: 'good.tif' });
    assert.deepEqual(ds.data.shape, [10, 12]);
    assert.deepEqual(Array.from(ds.data.data as Uint8Array), Array.from(PIXELS));
  });

  it('a file truncated anywhere gives a FormatError with the field and offset, never a partial image', async () => {
    for (const size of [0, 3, 7, 9, 40, NEXT + 2, DATA, DATA + 60, GOOD.length - 1]) {
      const e = await expectFormatError(GOOD.subarray(0, size), /./);
      assert.ok(e.offset >= 0 && e.offset <= GOOD.length, `offset ${e.offset} for size ${size}`);
    }
    await expectFormatError(GOOD.subarray(0, DATA + 60), /StripOffsets\[0\]|StripByteCounts\[0\]/, DATA);
  });

  it('a first-IFD offset past the end of the file is named with the header field that holds it', async () => {
    await expectFormatError(patch(GOOD, 4, GOOD.length + 100), /first IFD offset/, 4, /inside the file/);
  });

  it('an IFD that points to itself is reported as a cyclic chain instead of looping', async () => {
    await expectFormatError(patch(GOOD, NEXT, IFD), /IFD 0 next offset/, NEXT, /cyclic/);
  });

  it('a two-IFD cycle is reported too', async () => {
    // a second IFD (a copy of the first) whose next pointer leads back to the first
    const second = GOOD.length;
    const bytes = new Uint8Array(second + (DATA - IFD));
    bytes.set(GOOD);
    bytes.set(GOOD.subarray(IFD, DATA), second);
    const v = new DataView(bytes.buffer);
    v.setUint32(NEXT, second, true);
    v.setUint32(second + (NEXT - IFD), IFD, true);
    await expectFormatError(bytes, /IFD 1 next offset/, second + (NEXT - IFD), /cyclic/);
  });

  it('a strip byte count past the end of the file names StripByteCounts and the strip offset', async () => {
    const packed = tiff(12, 10, deflateSync(PIXELS), 8);
    await expectFormatError(patch(packed, valueOf(279), 1e6), /StripByteCounts\[0\]/, DATA, /inside the file/);
  });

  it('a strip offset past the end of the file is a FormatError', async () => {
    await expectFormatError(patch(GOOD, valueOf(273), GOOD.length + 5), /StripByteCounts\[0\]/, GOOD.length + 5);
  });

  it('a Deflate bomb (64 MB of zeros for a 120-byte image) fails fast without inflating it', async () => {
    const bomb = deflateSync(new Uint8Array(64 * 1024 * 1024));
    const before = process.memoryUsage().arrayBuffers;
    await expectFormatError(tiff(12, 10, bomb, 8), /StripOffsets\[0\]/, DATA, /decompression bomb/);
    assert.ok(process.memoryUsage().arrayBuffers - before < 32 * 1024 * 1024, 'inflated far beyond the page');
  });

  it('an absurd width × height is refused before anything is allocated', async () => {
    await expectFormatError(patch(patch(GOOD, valueOf(256), 0xffffffff), valueOf(257), 0xffffffff), /ImageWidth × ImageLength/, IFD, /limit/);
    // 30000 × 30000 bytes claimed from a 146-byte uncompressed strip
    const claim = patch(patch(patch(GOOD, valueOf(256), 30000), valueOf(257), 30000), valueOf(278), 30000);
    await expectFormatError(claim, /ImageWidth × ImageLength/, IFD, /cannot hold/);
    // the same claim from a 30-byte Deflate strip: more than Deflate's 1032:1 ratio allows
    const small = tiff(30000, 30000, deflateSync(new Uint8Array(16)), 8);
    await expectFormatError(small, /ImageWidth × ImageLength/, IFD, /cannot hold/);
  });

  it('wrong magic numbers and byte-order marks are FormatErrors at offset 0 or 2', async () => {
    await expectFormatError(Uint8Array.from([0x49, 0x49, 41, 0, 8, 0, 0, 0]), /magic number/, 2);
    await expectFormatError(Uint8Array.from([0x58, 0x58, 42, 0, 8, 0, 0, 0]), /byte order/, 0);
  });

  it('an IFD entry count running past the end of the file is a FormatError', async () => {
    const bytes = GOOD.slice();
    new DataView(bytes.buffer).setUint16(IFD, 60000, true);
    await expectFormatError(bytes, /IFD 0 entry count/, IFD);
  });

  it('a corrupt LZW stream is a FormatError at the strip', async () => {
    const garbage = Uint8Array.from({ length: 64 }, (_, i) => (i * 97 + 13) & 0xff);
    garbage[0] = 0x80; // a clear code, then codes that are not yet defined
    await expectFormatError(tiff(12, 10, garbage, 5), /StripOffsets\[0\]/);
  });

  it('an unsupported compression (JPEG) is a FormatError that says which ones are supported', async () => {
    await expectFormatError(tiff(12, 10, PIXELS, 7), /Compression/, IFD, /LZW/);
  });

  it('a second page in an unsupported compression (a JPEG thumbnail) is skipped with a warning, the image still reads', async () => {
    const second = GOOD.length;
    const bytes = new Uint8Array(second + (DATA - IFD));
    bytes.set(GOOD);
    bytes.set(GOOD.subarray(IFD, DATA), second);
    const v = new DataView(bytes.buffer);
    v.setUint32(NEXT, second, true);
    v.setUint32(second + (valueOf(259) - IFD), 7, true);
    const ds = await lowdose.io.readTiff(bytes, { name: 'thumb.tif' });
    assert.deepEqual(ds.data.shape, [10, 12]);
    assert.match(String(ds.metadata.warnings), /page 1 skipped: .*Compression/);
  });

  it('io.open() on a hostile file also gives a FormatError and leaves no open handle', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lowdose-tiffbad-')), 'cyclic.tif');
    fs.writeFileSync(file, patch(GOOD, NEXT, IFD));
    await assert.rejects(lowdose.io.openTiff(file), (e: Error) => e instanceof lowdose.FormatError && /cyclic/.test(e.message));
    fs.rmSync(path.dirname(file), { recursive: true });
  });

  it('500 seeded mutations of a compressed stack give only FormatErrors or reads of the right shape', async function () {
    this.timeout(30000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lowdose-tifffuzz-'));
    const file = path.join(dir, 'seed.tif');
    const stack = ndarray(Uint16Array.from({ length: 3 * 9 * 11 }, (_, i) => (i * 31) % 1000), [3, 9, 11]);
    await lowdose.io.writeTiff(file, stack, { compression: 'deflate' });
    const seed = fs.readFileSync(file);
    fs.rmSync(dir, { recursive: true });
    let state = 12345;
    const rand = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    let errors = 0;
    for (let k = 0; k < 500; k++) {
      const bytes = Uint8Array.from(seed);
      const edits = 1 + rand(4);
      for (let j = 0; j < edits; j++) bytes[rand(bytes.length)] = rand(256);
      const cut = rand(4) === 0 ? rand(bytes.length) : bytes.length;
      try {
        const ds = await lowdose.io.readTiff(bytes.subarray(0, cut), { name: `case${k}` });
        assert.ok(ds.data.size <= 10 * seed.length * 1100, 'read more than the file could hold');
      } catch (e) {
        if (!(e instanceof lowdose.FormatError)) throw new Error(`case ${k}: ${e instanceof Error ? e.stack : String(e)}`);
        errors++;
      }
    }
    assert.ok(errors > 100, `only ${errors} of 500 mutations were detected`);
  });
});
