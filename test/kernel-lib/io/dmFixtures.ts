// Test helper: writes tiny DM3/DM4 files (tag groups, typed data tags, images) so the DM reader can
// be tested on synthetic ground truth and on hostile structures without the corpus.

/** A tag-tree node: a group, or a data tag with its info array and value bytes. */
export type DmNode =
  | { kind: 'group'; name: string; children: DmNode[]; claimedCount?: number }
  | { kind: 'data'; name: string; info: number[]; value: (le: boolean) => Uint8Array };

const SIMPLE: { [t: number]: [number, (v: DataView, o: number, x: number, le: boolean) => void] } = {
  2: [2, (v, o, x, le) => v.setInt16(o, x, le)],
  3: [4, (v, o, x, le) => v.setInt32(o, x, le)],
  4: [2, (v, o, x, le) => v.setUint16(o, x, le)],
  5: [4, (v, o, x, le) => v.setUint32(o, x, le)],
  6: [4, (v, o, x, le) => v.setFloat32(o, x, le)],
  7: [8, (v, o, x, le) => v.setFloat64(o, x, le)],
  8: [1, (v, o, x) => v.setUint8(o, x ? 1 : 0)],
  9: [1, (v, o, x) => v.setInt8(o, x)],
  10: [1, (v, o, x) => v.setInt8(o, x)]
};

function encode(type: number, values: number[], le: boolean): Uint8Array {
  const [size, set] = SIMPLE[type];
  const out = new Uint8Array(size * values.length);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => set(v, i * size, x, le));
  return out;
}

export const group = (name: string, children: DmNode[], claimedCount?: number): DmNode => ({ kind: 'group', name, children, claimedCount });

/** A simple value of DM type `type` (2 int16 … 10 int8). */
export const simple = (name: string, type: number, x: number): DmNode => ({ kind: 'data', name, info: [type], value: le => encode(type, [x], le) });

/** An array of simple values. */
export const array = (name: string, type: number, xs: number[]): DmNode => ({ kind: 'data', name, info: [20, type, xs.length], value: le => encode(type, xs, le) });

/** Text as DM stores it: an array of uint16 code units. */
export const text = (name: string, s: string): DmNode => array(name, 4, Array.from(s, c => c.charCodeAt(0)));

/** A data tag with an arbitrary info array and raw value bytes (for hostile files). */
export const raw = (name: string, info: number[], bytes: Uint8Array = new Uint8Array(0)): DmNode => ({ kind: 'data', name, info, value: () => bytes });

/** Image pixels stored as a raw byte array tag (element type int8, one per byte). */
export const pixels = (bytes: Uint8Array): DmNode => raw('Data', [20, 10, bytes.length], bytes);

class Writer {
  private chunks: Uint8Array[] = [];
  length = 0;
  push(b: Uint8Array): void {
    this.chunks.push(b);
    this.length += b.length;
  }
  u8(x: number): void {
    this.push(Uint8Array.of(x));
  }
  u16(x: number): void {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setUint16(0, x, false);
    this.push(b);
  }
  word(x: number, wide: boolean): void {
    const b = new Uint8Array(wide ? 8 : 4);
    const v = new DataView(b.buffer);
    if (wide) v.setBigInt64(0, BigInt(x), false);
    else v.setInt32(0, x, false);
    this.push(b);
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

interface WriteOptions {
  wide: boolean;
  le: boolean;
  entrySize?: number;
}

function writeGroupBody(w: Writer, children: DmNode[], o: WriteOptions, claimed?: number): void {
  w.u8(0);
  w.u8(0);
  w.word(claimed ?? children.length, o.wide);
  for (const c of children) writeEntry(w, c, o);
}

function writeEntry(w: Writer, node: DmNode, o: WriteOptions): void {
  const body = new Writer();
  if (node.kind === 'group') {
    writeGroupBody(body, node.children, o, node.claimedCount);
  } else {
    body.push(new TextEncoder().encode('%%%%'));
    body.word(node.info.length, o.wide);
    for (const x of node.info) body.word(x, o.wide);
    body.push(node.value(o.le));
  }
  const name = new TextEncoder().encode(node.name);
  w.u8(node.kind === 'group' ? 20 : 21);
  w.u16(name.length);
  w.push(name);
  if (o.wide) w.word(o.entrySize ?? body.length, true);
  w.push(body.bytes());
}

/**
 * A DM3 (version 3) or DM4 (version 4) file holding `root`'s tags, values little-endian unless
 * `littleEndian: false`; `rootCount` overrides the root tag count, `entrySize` every DM4 entry size.
 */
export function buildDm(
  version: 3 | 4,
  root: DmNode[],
  options: { littleEndian?: boolean; rootCount?: number; entrySize?: number } = {}
): Uint8Array {
  const wide = version === 4;
  const le = options.littleEndian ?? true;
  const body = new Writer();
  writeGroupBody(body, root, { wide, le, entrySize: options.entrySize }, options.rootCount);
  const w = new Writer();
  w.word(version, false);
  if (wide) w.word(body.length, true);
  else w.word(body.length, false);
  w.word(le ? 1 : 0, false);
  w.push(body.bytes());
  w.push(new Uint8Array(8));
  return w.bytes();
}

/** An ImageList entry: pixels of DM DataType `dataType` with Dimensions (fastest first) and calibrations. */
export function imageEntry(opts: {
  dataType: number;
  dims: number[];
  data: Uint8Array;
  name?: string;
  calibrations?: { scale: number; origin: number; units: string }[];
  imageTags?: DmNode[];
}): DmNode {
  const cals = opts.calibrations ?? opts.dims.map(() => ({ scale: 1, origin: 0, units: '' }));
  return group('', [
    group('ImageData', [
      group('Calibrations', [
        group('Dimension', cals.map(c => group('', [simple('Origin', 6, c.origin), simple('Scale', 6, c.scale), text('Units', c.units)])))
      ]),
      pixels(opts.data),
      simple('DataType', 3, opts.dataType),
      group('Dimensions', opts.dims.map(d => simple('', 3, d)))
    ]),
    group('ImageTags', opts.imageTags ?? []),
    text('Name', opts.name ?? 'synthetic')
  ]);
}

/** A whole DM file with a thumbnail (image 0, skipped by readers) and the given images. */
export function dmFile(version: 3 | 4, images: DmNode[], options: { littleEndian?: boolean; entrySize?: number } = {}): Uint8Array {
  const thumb = imageEntry({ dataType: 23, dims: [1, 1], data: new Uint8Array(4), name: 'thumbnail' });
  return buildDm(
    version,
    [group('ImageList', [thumb, ...images]), group('Thumbnails', [group('', [simple('ImageIndex', 3, 0)])])],
    options
  );
}

/** Bytes of `values` as `type` ('int16', 'float32', …) in the given byte order. */
export function typedBytes(type: 'int16' | 'uint16' | 'int32' | 'float32' | 'float64', values: number[], le = true): Uint8Array {
  const size = { int16: 2, uint16: 2, int32: 4, float32: 4, float64: 8 }[type];
  const out = new Uint8Array(size * values.length);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => {
    if (type === 'int16') v.setInt16(i * size, x, le);
    else if (type === 'uint16') v.setUint16(i * size, x, le);
    else if (type === 'int32') v.setInt32(i * size, x, le);
    else if (type === 'float32') v.setFloat32(i * size, x, le);
    else v.setFloat64(i * size, x, le);
  });
  return out;
}
