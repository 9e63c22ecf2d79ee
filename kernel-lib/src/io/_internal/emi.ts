// TIA .emi sidecar: a binary container that embeds one XML `<ObjectInfo>` block per signal (the
// n-th block describes `<name>_<n>.ser`). We only read those blocks: microscope conditions, the
// `ExperimentalDescription` label/value/unit table, acquisition date and detector settings.
import { Metadata } from '../../types/dataset';
import { ByteSource } from './byteSource';

/** A parsed XML element: text, or children by tag (repeated tags become arrays). */
export type XmlValue = string | XmlNode | Array<string | XmlNode>;
export interface XmlNode {
  [tag: string]: XmlValue;
}

const ENTITIES: { [e: string]: string } = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function unescape(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return ENTITIES[e.toLowerCase()];
  });
}

/**
 * Parses the simple XML TIA writes (elements and text, no mixed content that matters; attributes
 * are ignored). Malformed input yields what could be parsed; depth is bounded.
 */
export function parseXml(xml: string): XmlNode {
  const root: XmlNode = {};
  const stack: Array<{ tag: string; node: XmlNode; text: string }> = [{ tag: '', node: root, text: '' }];
  const re = /<(\/?)([A-Za-z_][\w.\-]*)([^>]*?)(\/?)>|([^<]+)|<[^>]*>/g;
  let m: RegExpExecArray | null;
  const add = (parent: XmlNode, tag: string, value: string | XmlNode) => {
    const prev = parent[tag];
    if (prev === undefined) parent[tag] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else parent[tag] = [prev, value];
  };
  while ((m = re.exec(xml)) !== null) {
    const top = stack[stack.length - 1];
    if (m[5] !== undefined) {
      top.text += m[5];
    } else if (m[2] && m[4] === '/') {
      add(top.node, m[2], '');
    } else if (m[2] && m[1] !== '/') {
      if (stack.length > 64) break;
      stack.push({ tag: m[2], node: {}, text: '' });
    } else if (m[2] && m[1] === '/') {
      // close the innermost open element with this tag (tolerates unclosed children)
      let i = stack.length - 1;
      while (i > 0 && stack[i].tag !== m[2]) i--;
      if (i === 0) continue;
      while (stack.length > i) {
        const done = stack.pop() as { tag: string; node: XmlNode; text: string };
        const parent = stack[stack.length - 1];
        add(parent.node, done.tag, Object.keys(done.node).length ? done.node : unescape(done.text.trim()));
      }
    }
  }
  return root;
}

/** Finds every `<ObjectInfo>…</ObjectInfo>` block of an EMI file, scanning it in bounded chunks. */
export async function emiObjects(src: ByteSource): Promise<string[]> {
  const open = Buffer.from('<ObjectInfo>');
  const close = Buffer.from('</ObjectInfo>');
  const CHUNK = 4 * 2 ** 20;
  const MAX_BLOCK = 4 * 2 ** 20;
  const out: string[] = [];
  let carry = Buffer.alloc(0);
  for (let at = 0; at < src.size; at += CHUNK) {
    const part = Buffer.from(await src.read(at, Math.min(CHUNK, src.size - at), 'EMI ObjectInfo'));
    let buf = Buffer.concat([carry, part]);
    for (;;) {
      const s = buf.indexOf(open);
      if (s < 0) {
        buf = buf.subarray(Math.max(0, buf.length - open.length));
        break;
      }
      const e = buf.indexOf(close, s);
      if (e < 0) {
        buf = buf.subarray(s);
        if (buf.length > MAX_BLOCK) buf = buf.subarray(open.length); // runaway block: skip it
        break;
      }
      out.push(buf.subarray(s, e + close.length).toString('utf8'));
      buf = buf.subarray(e + close.length);
    }
    carry = Buffer.from(buf);
  }
  return out;
}

function asNode(v: XmlValue | undefined): XmlNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : {};
}
function asList(v: XmlValue | undefined): Array<string | XmlNode> {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}
function str(v: XmlValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/**
 * One ObjectInfo block as a plain tree (as RosettaSciIO stores it): `ExperimentalDescription` rows
 * become `"<Label>_<Unit>": value` (numbers when a unit is given), `TrueImageHeaderInfo` an
 * index → value table.
 */
export function objectInfoTree(xml: string): XmlNode {
  const info = asNode(parseXml(xml).ObjectInfo);
  const desc = asNode(asNode(info.ExperimentalDescription).Root);
  const table: { [k: string]: string } = {};
  for (const row of asList(desc.Data)) {
    const r = asNode(row);
    const label = str(r.Label);
    if (!label) continue;
    const unit = str(r.Unit) ?? '';
    table[unit ? `${label}_${unit}` : label] = str(r.Value) ?? '';
  }
  const out: XmlNode = { ...info };
  if (info.ExperimentalDescription !== undefined) out.ExperimentalDescription = table;
  const tihi = str(info.TrueImageHeaderInfo);
  if (tihi) {
    const rows = asList(asNode(parseXml(tihi).Root).Data);
    const t: { [k: string]: string } = {};
    for (const row of rows) {
      const r = asNode(row);
      const i = str(r.Index);
      if (i !== undefined) t[i] = str(r.Value) ?? '';
    }
    out.TrueImageHeaderInfo = t;
  }
  return out;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** 'Sun Feb 21 17:50:18 2016' → '2016-02-21T17:50:18' (local time of the instrument). */
export function tiaDate(s: string | undefined): string | undefined {
  const m = s && /([A-Z][a-z]{2})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+(\d{4})/.exec(s);
  if (!m) return undefined;
  const mon = MONTHS.indexOf(m[1]) + 1;
  if (mon < 1) return undefined;
  const p = (x: string | number) => String(x).padStart(2, '0');
  return `${m[6]}-${p(mon)}-${p(m[2])}T${p(m[3])}:${m[4]}:${m[5]}`;
}

/** Normalised metadata keys from an ObjectInfo tree (see {@link objectInfoTree}). */
export function emiNormalised(tree: XmlNode): Metadata {
  const out: Metadata = {};
  const ed = asNode(tree.ExperimentalDescription);
  const num = (v: XmlValue | undefined) => {
    const x = typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    return Number.isFinite(x) ? x : undefined;
  };
  const volts = num(asNode(asNode(tree.ExperimentalConditions).MicroscopeConditions).AcceleratingVoltage);
  const ht = num(ed['High tension_kV']);
  if (volts !== undefined) out.voltageKV = volts / 1000;
  else if (ht !== undefined) out.voltageKV = ht;
  const mic = str(ed.Microscope);
  if (mic) out.microscope = mic.replace(/^Microscope\s+/, '');
  const mag = num(ed.Magnification_x);
  if (mag !== undefined) out.magnification = mag;
  const cl = num(ed['Camera length_m']);
  if (cl !== undefined) out.cameraLengthMm = cl * 1000;
  const mode = str(ed.Mode);
  if (mode) out.acquisitionMode = /STEM/.test(mode) ? 'STEM' : 'TEM';
  const acq = asNode(tree.AcquireInfo);
  const camera = str(acq.CameraNamePath);
  if (camera) out.detector = camera;
  const dwell = num(acq.DwellTimePath);
  if (dwell !== undefined) {
    if (camera) out.exposureS = dwell;
    else out.dwellTimeS = dwell;
  }
  const ft = num(acq.FrameTime);
  if (ft !== undefined) out.frameTimeS = ft;
  const date = tiaDate(str(tree.AcquireDate));
  if (date) out.acquisitionDate = date;
  return out;
}

/** RosettaSciIO's guess of image units from the EMI mode: reciprocal for diffraction. */
export function emiReciprocal(tree: XmlNode, navUnitsLength: number | undefined, navSize: number | undefined): boolean | undefined {
  const mode = str(asNode(tree.ExperimentalDescription).Mode);
  if (mode === undefined) return undefined;
  const isCamera = str(asNode(tree.AcquireInfo).CameraNamePath) !== undefined;
  if (navUnitsLength === undefined) return false;
  if (/STEM/.test(mode)) {
    const isImageStack = navUnitsLength === 0;
    const isDiffractionScan = navSize !== undefined && navSize > 1 && !isImageStack;
    return isCamera || isDiffractionScan;
  }
  return /Diffraction/.test(mode);
}
