// Tiny synthetic TIA SER, Merlin MIB and NanoMegas BLO files (layouts as the readers document them),
// so the streaming and bad-input tests run without the real-data corpus.
import { FormatError } from 'lowdose';

function u16(v: number): number[] {
  return [v & 0xff, (v >> 8) & 0xff];
}
function u32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}
function f64(v: number): number[] {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return Array.from(b);
}

/** A TIA SER (version 0x210) series of `n` uint16 images of rows×cols, pixel p of image k = k·1000 + p. */
export function makeSer(n: number, rows: number, cols: number): Uint8Array {
  const dims = [...u32(n), ...f64(0), ...f64(1), ...u32(0), ...u32(6), ...Buffer.from('Number'), ...u32(0)];
  const header = [...u16(0x4949), ...u16(0x0197), ...u16(0x0210), ...u32(0x4122), ...u32(0x4152), ...u32(n), ...u32(n)];
  const headerLen = 30 + dims.length;
  const elemLen = 50 + rows * cols * 2;
  const tagLen = 8;
  const offsetArray = headerLen;
  const dataStart = offsetArray + 8 * n;
  const out: number[] = [...header, ...u32(offsetArray), ...u32(1), ...dims];
  for (let k = 0; k < n; k++) out.push(...u32(dataStart + k * elemLen));
  for (let k = 0; k < n; k++) out.push(...u32(dataStart + n * elemLen + k * tagLen));
  for (let k = 0; k < n; k++) {
    out.push(...f64(-1e-9), ...f64(1e-10), ...u32(0), ...f64(-1e-9), ...f64(1e-10), ...u32(0), ...u16(2), ...u32(cols), ...u32(rows));
    for (let p = 0; p < rows * cols; p++) out.push(...u16(k * 1000 + p));
  }
  for (let k = 0; k < n; k++) out.push(...u16(0x4152), ...u16(0), ...u32(1456073429 + k));
  return Uint8Array.from(out);
}

/** A Merlin MIB of `n` U16 frames (384-byte headers), pixel p of frame k = k·100 + p (big-endian). */
export function makeMib(n: number, rows: number, cols: number): Uint8Array {
  const frames: number[] = [];
  for (let k = 0; k < n; k++) {
    const text = `MQ1,${String(k + 1).padStart(6, '0')},00384,01,${String(cols).padStart(4, '0')},${String(rows).padStart(4, '0')},U16,   1x1,01,2021-05-07 18:51:10.905800,0.001000,0,0,0,1.2E+1,5.1E+2,0,0,0,0,0,0,3RX,MQ1A,2021-05-07T16:51:10.${String(k).padStart(9, '0')}Z,1000000ns,12,`;
    const head = Buffer.alloc(384, 0x20);
    head.write(text, 'latin1');
    frames.push(...head);
    for (let p = 0; p < rows * cols; p++) {
      const v = (k * 100 + p) & 0xffff;
      frames.push(v >> 8, v & 0xff);
    }
  }
  return Uint8Array.from(frames);
}

/** A NanoMegas blockfile with ny×nx patterns of dp×dp, pixel p of pattern k = (k·7 + p) mod 256. */
export function makeBlo(ny: number, nx: number, dp: number): Uint8Array {
  const o1 = 0x1000;
  const o2 = o1 + nx * ny + ((o1 + nx * ny) % 16);
  const h = [
    ...Buffer.from('IMGBLO'),
    ...u16(0x0102),
    ...u32(o1),
    ...u32(o2),
    ...u32(131141),
    ...u16(dp),
    ...u16(0),
    ...u16(nx),
    ...u16(ny),
    ...u16(0),
    ...f64(10),
    ...f64(10),
    ...u32(200000),
    ...u16(6226),
    ...u32(2000),
    ...f64(42339.5),
    ...new Array(22 * 8).fill(0)
  ];
  const out = new Uint8Array(o2 + nx * ny * (dp * dp + 6));
  out.set(h, 0);
  for (let k = 0; k < nx * ny; k++) {
    out[o1 + k] = k;
    const at = o2 + k * (dp * dp + 6);
    out.set([0xaa, 0x55, ...u32(k)], at);
    for (let p = 0; p < dp * dp; p++) out[at + 6 + p] = (k * 7 + p) % 256;
  }
  return out;
}

/** A ByteSource over bytes that counts how many bytes the reader asked for. */
export function countingSource(bytes: Uint8Array, name: string) {
  const stats = { bytesRead: 0, reads: 0 };
  return {
    stats,
    src: {
      name,
      size: bytes.length,
      async read(offset: number, length: number, field: string): Promise<Uint8Array> {
        if (offset + length > bytes.length) throw new FormatError(name, field, offset, 'past the end');
        stats.bytesRead += length;
        stats.reads++;
        return bytes.subarray(offset, offset + length);
      },
      async close() {
        /* nothing */
      }
    }
  };
}
