// Truncated, corrupted and hostile DM3/DM4 files: every one must give a FormatError naming the
// file, the field and the byte offset — quickly, without allocating what a header merely claims.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as lowdose from 'lowdose';
import { corpusIt } from '../../io-conformance/corpus';
import { buildDm, dmFile, group, imageEntry, raw, simple, text, typedBytes } from './dmFixtures';

const NAME = 'hostile.dm4';

/** Reads bytes and returns the FormatError it must throw, checking file, field and offset. */
async function formatError(bytes: Uint8Array, fieldPattern?: RegExp, name = NAME): Promise<lowdose.FormatError> {
  const t0 = Date.now();
  let err: unknown;
  try {
    await lowdose.io.readDm(bytes, { name });
  } catch (e) {
    err = e;
  }
  const ms = Date.now() - t0;
  assert.ok(err instanceof lowdose.FormatError, `expected a FormatError; got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  const fe = err as lowdose.FormatError;
  assert.equal(fe.file, name);
  assert.ok(fe.field.length > 0, 'the error names a field');
  assert.ok(Number.isInteger(fe.offset) && fe.offset >= 0 && fe.offset <= bytes.length, `offset ${fe.offset} lies in the file`);
  assert.ok(fe.message.includes(`byte ${fe.offset}`), fe.message);
  if (fieldPattern) assert.match(fe.field, fieldPattern);
  assert.ok(ms < 500, `rejected in ${ms} ms`);
  return fe;
}

function goodImage(): ReturnType<typeof imageEntry> {
  return imageEntry({
    dataType: 1,
    dims: [3, 2],
    data: typedBytes('int16', [1, 2, 3, 4, 5, 6]),
    calibrations: [{ scale: 0.5, origin: 2, units: 'nm' }, { scale: 0.5, origin: 0, units: 'nm' }],
    imageTags: [group('Microscope Info', [simple('Voltage', 7, 300000)])]
  });
}

describe('readDm() on bad input', () => {
  it('readDm() rejects a wrong version number at byte 0', async () => {
    const bytes = dmFile(3, [goodImage()]);
    new DataView(bytes.buffer).setInt32(0, 5, false);
    const e = await formatError(bytes, /^header\.version$/);
    assert.equal(e.offset, 0);
    assert.match(e.message, /must be 3 or 4; got 5/);
  });

  it('readDm() rejects a byte-order flag other than 0 or 1', async () => {
    const bytes = dmFile(4, [goodImage()]);
    new DataView(bytes.buffer).setInt32(12, 7, false);
    const e = await formatError(bytes, /^header\.byteOrder$/);
    assert.equal(e.offset, 12);
  });

  it('readDm() rejects files shorter than a header, and empty files', async () => {
    await formatError(new Uint8Array(0), /header/);
    await formatError(Uint8Array.of(0, 0, 0, 3, 0, 0), /header/);
  });

  for (const version of [3, 4] as const) {
    it(`readDm() gives a FormatError for every truncation of a DM${version} file`, async () => {
      const bytes = dmFile(version, [goodImage()]);
      const whole = await lowdose.io.readDm(bytes, { name: NAME });
      assert.deepEqual(Array.from(whole.data.data as Int16Array), [1, 2, 3, 4, 5, 6]);
      // The last 8 bytes are the end padding; any shorter file loses tags or pixels.
      for (let n = 0; n < bytes.length - 8; n++) await formatError(bytes.subarray(0, n));
    });
  }

  corpusIt('dm3/test_STEM_image.dm3', 'readDm() gives a FormatError for 150 seeded truncations of this real file', async file => {
    const bytes = new Uint8Array(fs.readFileSync(file));
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let k = 0; k < 150; k++) {
      const n = Math.floor(rand() * (bytes.length - 8));
      await formatError(bytes.subarray(0, n), undefined, 'test_STEM_image.dm3');
    }
  });

  for (const version of [3, 4] as const) {
    it(`readDm() refuses a DM${version} tag group claiming 10^9 tags before reading any of them`, async () => {
      const bytes = buildDm(version, [group('ImageList', [goodImage()], 1e9)]);
      const e = await formatError(bytes, /ImageList.*count/);
      assert.match(e.message, /claims 1000000000 tags/);
    });

    it(`readDm() refuses a DM${version} root group claiming 10^9 tags`, async () => {
      const e = await formatError(buildDm(version, [simple('x', 3, 1)], { rootCount: 1e9 }), /root tag group\.count/);
      assert.equal(e.offset, version === 3 ? 14 : 18);
    });
  }

  it('readDm() refuses a DM4 array claiming 10^12 elements without allocating it', async () => {
    const before = process.memoryUsage().arrayBuffers;
    const bytes = buildDm(4, [group('ImageList', [group('', [group('ImageData', [raw('Data', [20, 6, 1e12])])])])]);
    const e = await formatError(bytes, /^ImageList\.TagGroup0\.ImageData\.Data$/);
    assert.match(e.message, /claims 1000000000000 elements/);
    assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 1024 * 1024, 'no large buffer was allocated');
  });

  it('readDm() refuses a DM3 array claiming 2^31 − 1 elements', async () => {
    const bytes = buildDm(3, [raw('Big', [20, 7, 2 ** 31 - 1])]);
    await formatError(bytes, /^Big$/);
  });

  it('readDm() refuses an info array claiming 10^9 words and a struct claiming more fields than it describes', async () => {
    await formatError(buildDm(4, [raw('Info', [])]), /Info\.infoLength/);
    const huge = buildDm(3, [raw('Info', [2])]);
    // Patch the info length (right after '%%%%') to 10^9.
    const at = Buffer.from(huge).indexOf('%%%%') + 4;
    new DataView(huge.buffer).setInt32(at, 1e9, false);
    await formatError(huge, /Info\.infoLength/);
    await formatError(buildDm(3, [raw('S', [15, 0, 1000, 0, 2])]), /S\.info/);
  });

  it('readDm() refuses tag groups nested deeper than 64 levels, fast, without recursing further', async () => {
    let node = group('leaf', []);
    for (let d = 0; d < 2000; d++) node = group(`g${d}`, [node]);
    const e = await formatError(buildDm(4, [node]));
    assert.match(e.message, /nest at most 64 deep/);
  });

  it('readDm() only moves forward: DM4 entry sizes pointing backwards (0) cannot make it loop', async () => {
    const ds = await lowdose.io.readDm(dmFile(4, [goodImage()], { entrySize: 0 }), { name: NAME });
    assert.deepEqual(Array.from(ds.data.data as Int16Array), [1, 2, 3, 4, 5, 6]);
    await formatError(dmFile(4, [goodImage()], { entrySize: 2 ** 40 }), /\.size$/);
  });

  it('readDm() refuses unknown entry kinds, a missing %%%% delimiter and unknown element types', async () => {
    const bytes = buildDm(3, [simple('a', 3, 1)]);
    bytes[18] = 0x33; // first entry kind
    const e = await formatError(bytes, /root tag group\[0\]\.kind/);
    assert.equal(e.offset, 18);
    const delim = buildDm(3, [simple('a', 3, 1)]);
    delim[Buffer.from(delim).indexOf('%%%%')] = 0x41;
    await formatError(delim, /^a\.delimiter$/);
    await formatError(buildDm(3, [raw('t', [99])]), /^t\.info$/);
    await formatError(buildDm(3, [raw('n', [20, 2, 1, 5])]), /^n\.info$/);
  });

  it('readDm() refuses image Dimensions that claim more pixels than ImageData.Data holds', async () => {
    const img = imageEntry({ dataType: 2, dims: [1_000_000, 1_000_000], data: typedBytes('float32', [1]) });
    const e = await formatError(dmFile(4, [img]), /ImageList\.TagGroup1\.ImageData\.Data$/);
    assert.match(e.message, /need 4000000000000/);
  });

  it('readDm() refuses unsupported DataTypes, bad Dimensions and files without images', async () => {
    const t4 = imageEntry({ dataType: 4, dims: [2], data: new Uint8Array(8) });
    await formatError(dmFile(3, [t4]), /ImageData\.DataType$/);
    const neg = imageEntry({ dataType: 1, dims: [2, -3], data: new Uint8Array(12) });
    await formatError(dmFile(3, [neg]), /ImageData\.Dimensions$/);
    const packedOdd = imageEntry({ dataType: 5, dims: [3, 3], data: new Uint8Array(36) });
    await formatError(dmFile(3, [packedOdd]), /ImageData\.Dimensions$/);
    await formatError(buildDm(3, [text('Name', 'no images')]), /^ImageList$/);
    await formatError(buildDm(3, [group('ImageList', [group('', [text('Name', 'x')])])]), /ImageData/);
    await formatError(dmFile(3, []), /^ImageList$/);
  });

  it('readDm() keeps hostile tag names (__proto__, constructor) as plain own properties', async () => {
    const img = imageEntry({
      dataType: 1,
      dims: [1, 1],
      data: typedBytes('int16', [7]),
      imageTags: [group('__proto__', [simple('polluted', 3, 1)]), simple('constructor', 3, 2), text('hasOwnProperty', 'x')]
    });
    const ds = await lowdose.io.readDm(dmFile(3, [img]), { name: NAME });
    const tags = (ds.metadata.original as any).ImageList.TagGroup0.ImageTags;
    assert.ok(Object.prototype.hasOwnProperty.call(tags, '__proto__'));
    assert.equal(tags.constructor, 2);
    assert.equal(({} as any).polluted, undefined, 'Object.prototype is untouched');
    assert.equal(Object.getPrototypeOf(tags), Object.prototype);
  });

  it('io.read() reports a corrupt DM file as a FormatError, not a format mismatch', async () => {
    const bytes = dmFile(4, [goodImage()]);
    await assert.rejects(lowdose.io.read(bytes.subarray(0, 200), { name: NAME }), (e: unknown) => e instanceof lowdose.FormatError && e.file === NAME);
  });
});
