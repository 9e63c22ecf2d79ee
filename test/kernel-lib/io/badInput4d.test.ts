// Truncated, corrupted and hostile SER / MIB / BLO / HDF5 input gives a FormatError naming the file,
// the field and the byte offset — quickly, without allocating what a header claims.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as lowdose from 'lowdose';
import { corpusIt } from '../../io-conformance/corpus';
import { makeBlo, makeMib, makeSer } from './fixtures4d';

type Reader = (bytes: Uint8Array, options: { name: string }) => Promise<unknown>;

/** Runs `fn`, expecting a FormatError for `name` whose field matches `field`, within 2 s. */
async function expectFormatError(fn: () => Promise<unknown>, name: string, field: RegExp): Promise<lowdose.FormatError> {
  const t0 = Date.now();
  let caught: unknown;
  try {
    await fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof lowdose.FormatError, `expected a FormatError, got ${caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)}`);
  assert.equal(caught.file, name);
  assert.match(caught.field, field);
  assert.ok(Number.isInteger(caught.offset) && caught.offset >= 0, `offset ${caught.offset} is a byte position`);
  assert.ok(Date.now() - t0 < 2000, 'fails fast');
  return caught;
}

function patch(bytes: Uint8Array, at: number, values: number[]): Uint8Array {
  const out = Uint8Array.from(bytes);
  out.set(values, at);
  return out;
}
const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

describe('io bad input (SER, MIB, BLO, HDF5)', () => {
  const readSer: Reader = (b, o) => lowdose.io.readSer(b, o);
  const readMib: Reader = (b, o) => lowdose.io.readMib(b, o);
  const readBlo: Reader = (b, o) => lowdose.io.readBlo(b, o);
  const readEmd: Reader = (b, o) => lowdose.io.readEmd(b, o);

  describe('TIA SER', () => {
    const ser = makeSer(3, 4, 4);
    it('a file cut inside the header gives a FormatError', async () => {
      await expectFormatError(() => readSer(ser.subarray(0, 20), { name: 'a.ser' }), 'a.ser', /header|SeriesID/);
    });
    it('a file cut inside the pixel data gives a FormatError at the first missing element or tag', async () => {
      const e = await expectFormatError(() => readSer(ser.subarray(0, ser.length - 40), { name: 'a.ser' }), 'a.ser', /element|tag/);
      assert.ok(e.offset > 0);
    });
    it('a wrong byte-order mark gives a FormatError at byte 0', async () => {
      const e = await expectFormatError(() => readSer(patch(ser, 0, [0x4d, 0x4d]), { name: 'a.ser' }), 'a.ser', /ByteOrder/);
      assert.equal(e.offset, 0);
    });
    it('a header claiming 2^31 elements is refused before the offset arrays are read', async () => {
      await expectFormatError(() => readSer(patch(ser, 14, le32(0x7fffffff)), { name: 'a.ser' }), 'a.ser', /OffsetArrayOffset/);
    });
    it('an element offset past the end of the file gives a FormatError', async () => {
      const offsetArray = new DataView(ser.buffer).getUint32(22, true);
      await expectFormatError(() => readSer(patch(ser, offsetArray + 4, le32(0x7ffffff0)), { name: 'a.ser' }), 'a.ser', /element 1/);
    });
    it('an element claiming 65535×65535 pixels is refused without allocating them', async () => {
      const offsetArray = new DataView(ser.buffer).getUint32(22, true);
      const el0 = new DataView(ser.buffer).getUint32(offsetArray, true);
      await expectFormatError(() => readSer(patch(ser, el0 + 42, [...le32(65535), ...le32(65535)]), { name: 'a.ser' }), 'a.ser', /element 0 size/);
    });
    it('an unknown element data type gives a FormatError', async () => {
      const offsetArray = new DataView(ser.buffer).getUint32(22, true);
      const el0 = new DataView(ser.buffer).getUint32(offsetArray, true);
      await expectFormatError(() => readSer(patch(ser, el0 + 40, [99, 0]), { name: 'a.ser' }), 'a.ser', /DataType/);
    });
    it('a dimension description claiming 1 GB is refused', async () => {
      await expectFormatError(() => readSer(patch(ser, 30 + 24, le32(1 << 30)), { name: 'a.ser' }), 'a.ser', /DescriptionLength/);
    });
  });

  describe('Merlin MIB', () => {
    const mib = makeMib(4, 8, 8);
    it('a file cut inside its first frame gives a FormatError on the frame size', async () => {
      await expectFormatError(() => readMib(mib.subarray(0, 400), { name: 'a.mib' }), 'a.mib', /frame size/);
    });
    it('a header claiming 65536×65536 pixels is refused without allocating them', async () => {
      const bad = patch(mib, 0, Array.from(Buffer.from('MQ1,000001,00384,01,65536,65536,U16')));
      await expectFormatError(() => readMib(bad, { name: 'a.mib' }), 'a.mib', /frame/);
    });
    it('a corrupted second frame header gives a FormatError at that frame', async () => {
      const frame = 384 + 8 * 8 * 2;
      const e = await expectFormatError(() => readMib(patch(mib, frame, [0x58, 0x58, 0x58]), { name: 'a.mib' }), 'a.mib', /frame 1 header/);
      assert.equal(e.offset, frame);
    });
    it('an unknown pixel type gives a FormatError', async () => {
      await expectFormatError(() => readMib(patch(mib, 30, Array.from(Buffer.from('X99'))), { name: 'a.mib' }), 'a.mib', /pixel type/);
    });
    it('bytes that are not a Merlin frame give a FormatError at byte 0', async () => {
      const e = await expectFormatError(() => readMib(new Uint8Array(1000), { name: 'a.mib' }), 'a.mib', /frame header/);
      assert.equal(e.offset, 0);
    });
  });

  describe('NanoMegas BLO', () => {
    const blo = makeBlo(3, 4, 8);
    it('a truncated file gives a FormatError naming the scan size fields', async () => {
      await expectFormatError(() => readBlo(blo.subarray(0, blo.length - 10), { name: 'a.blo' }), 'a.blo', /NX\/NY\/DP_SZ/);
    });
    it('a header claiming 65535×65535 patterns of 65535² pixels is refused without allocating them', async () => {
      await expectFormatError(() => readBlo(patch(blo, 20, [0xff, 0xff, 0, 0, 0xff, 0xff, 0xff, 0xff]), { name: 'a.blo' }), 'a.blo', /NX\/NY\/DP_SZ/);
    });
    it('a pattern offset past the end of the file gives a FormatError', async () => {
      const e = await expectFormatError(() => readBlo(patch(blo, 12, le32(0x7fffffff)), { name: 'a.blo' }), 'a.blo', /Data_offset_2/);
      assert.equal(e.offset, 12);
    });
    it('a missing 0xAA55 pattern marker gives a FormatError at that pattern', async () => {
      const o2 = new DataView(blo.buffer).getUint32(12, true);
      const e = await expectFormatError(() => readBlo(patch(blo, o2 + 5 * (64 + 6), [0, 0]), { name: 'a.blo' }), 'a.blo', /pattern 5 marker/);
      assert.equal(e.offset, o2 + 5 * 70);
    });
    it('a wrong ID gives a FormatError at byte 0', async () => {
      await expectFormatError(() => readBlo(patch(blo, 0, [0x58]), { name: 'a.blo' }), 'a.blo', /ID/);
    });
  });

  describe('HDF5 (EMD)', () => {
    it('bytes with an HDF5 signature but no valid superblock give a FormatError', async () => {
      const junk = new Uint8Array(4096);
      junk.set([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
      for (let i = 8; i < junk.length; i++) junk[i] = (i * 131) % 251;
      await expectFormatError(() => readEmd(junk, { name: 'junk.emd' }), 'junk.emd', /HDF5/);
    });

    corpusIt('emd/example_signal.emd', 'a truncated EMD gives a FormatError with the end of file as offset', async file => {
      const bytes = new Uint8Array(fs.readFileSync(file)).subarray(0, 5000);
      const e = await expectFormatError(() => readEmd(bytes, { name: 'cut.emd' }), 'cut.emd', /HDF5/);
      assert.equal(e.offset, 5000);
      // read() through format detection fails the same way
      await expectFormatError(() => lowdose.io.read(bytes, { name: 'cut.emd' }), 'cut.emd', /HDF5/);
    });

    corpusIt('emd/fei_example_dpc_titles.emd', 'seeded corruptions of a Velox file give correct reads or FormatErrors only', async file => {
      const orig = new Uint8Array(fs.readFileSync(file));
      let seed = 7;
      const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
      for (let k = 0; k < 20; k++) {
        const b = Uint8Array.from(orig);
        for (let j = 0; j < 8; j++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
        try {
          await lowdose.io.readAll(b, { name: `mut${k}.emd` });
        } catch (e) {
          assert.ok(e instanceof lowdose.FormatError, `case ${k}: ${e instanceof Error ? e.message : String(e)}`);
          assert.equal(e.file, `mut${k}.emd`);
        }
      }
    });
  });
});
