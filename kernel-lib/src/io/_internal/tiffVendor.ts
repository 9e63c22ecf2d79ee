// Text metadata that microscope software writes into TIFF tags: ImageJ's ImageDescription,
// Thermo Fisher / FEI INI text (tags 34680 / 34682), JEOL SightX XML (TemReporter), and the
// date formats they use. Pure parsers, bounded by the length of their input.

/** ImageJ ImageDescription (`ImageJ=1.51d\nimages=2\nslices=2\nunit=micron\nspacing=2.5…`). */
export interface ImageJInfo {
  version: string;
  /** Every key=value line (numbers parsed where the whole value is a number). */
  entries: { [key: string]: string | number | boolean };
  images: number;
  channels: number;
  slices: number;
  frames: number;
}

/** Parses an ImageJ description; undefined when the text does not start with `ImageJ=`. */
export function parseImageJDescription(text: string | undefined): ImageJInfo | undefined {
  if (!text || !text.startsWith('ImageJ=')) return undefined;
  const entries: { [key: string]: string | number | boolean } = {};
  for (const line of text.split(/\r?\n/)) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    const raw = unescapeImageJ(line.slice(eq + 1).trim());
    entries[key] = raw === 'true' ? true : raw === 'false' ? false : /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw) ? Number(raw) : raw;
  }
  const int = (k: string, d: number): number => {
    const v = entries[k];
    return typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : d;
  };
  return {
    version: String(entries.ImageJ ?? ''),
    entries,
    images: int('images', 1),
    channels: int('channels', 1),
    slices: int('slices', 1),
    frames: int('frames', 1)
  };
}

/** ImageJ escapes non-ASCII characters as `\u00B5`. */
function unescapeImageJ(s: string): string {
  return s.replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** INI text (`[Section]\nKey=Value`) as nested objects of strings (FEI / Thermo Fisher tags). */
export function parseIni(text: string): { [section: string]: { [key: string]: string } } {
  const out: { [section: string]: { [key: string]: string } } = {};
  let section: { [key: string]: string } = {};
  out[''] = section;
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (t === '' || t.startsWith(';') || t.startsWith('#')) continue;
    const m = /^\[(.+)\]$/.exec(t);
    if (m) {
      section = out[m[1]] ?? (out[m[1]] = {});
      continue;
    }
    const eq = t.indexOf('=');
    if (eq > 0) section[t.slice(0, eq).trim()] = t.slice(eq + 1).trim();
  }
  if (Object.keys(out['']).length === 0) delete out[''];
  return out;
}

/** An XML element as a plain object: text for leaves, children by name (arrays when repeated). */
export type XmlNode = string | { [name: string]: XmlNode | XmlNode[] };

/**
 * Minimal XML → object conversion (elements and text only; attributes, comments, processing
 * instructions and namespaces prefixes are dropped). Enough for JEOL TemReporter; linear in the input.
 */
export function parseSimpleXml(text: string): XmlNode | undefined {
  const stack: Array<{ name: string; children: { [name: string]: XmlNode | XmlNode[] }; text: string; hasChild: boolean }> = [
    { name: '#root', children: {}, text: '', hasChild: false }
  ];
  const re = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[([\s\S]*?)\]\]>|<!DOCTYPE[^>]*>|<(\/?)([A-Za-z_][\w:.-]*)((?:[^<>"']|"[^"<]*"|'[^'<]*')*?)(\/?)>|([^<]+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const top = stack[stack.length - 1];
    if (m[1] !== undefined) top.text += m[1];
    else if (m[6] !== undefined) top.text += decodeEntities(m[6]);
    else if (m[3] !== undefined) {
      const name = m[3].includes(':') ? m[3].slice(m[3].indexOf(':') + 1) : m[3];
      if (m[2] === '/') {
        if (stack.length <= 1) return undefined;
        const done = stack.pop()!;
        const value: XmlNode = done.hasChild ? done.children : done.text.trim();
        addChild(stack[stack.length - 1], done.name, value);
      } else if (m[5] === '/') {
        addChild(top, name, '');
      } else {
        if (stack.length > 256) return undefined;
        stack.push({ name, children: {}, text: '', hasChild: false });
      }
    }
  }
  return stack.length === 1 ? stack[0].children : undefined;
}

function addChild(parent: { children: { [name: string]: XmlNode | XmlNode[] }; hasChild: boolean }, name: string, value: XmlNode): void {
  parent.hasChild = true;
  const prev = parent.children[name];
  if (prev === undefined) parent.children[name] = value;
  else if (Array.isArray(prev)) prev.push(value);
  else parent.children[name] = [prev, value];
}

function decodeEntities(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) =>
    e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'amp' ? '&' : e === 'quot' ? '"' : e === 'apos' ? "'" :
    String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10))
  );
}

/** Text of the element at `path` (first match where a name repeats), or undefined. */
export function xmlPath(node: XmlNode | undefined, path: string[]): string | undefined {
  let cur: XmlNode | XmlNode[] | undefined = node;
  for (const p of path) {
    const one: XmlNode | undefined = Array.isArray(cur) ? cur[0] : cur;
    if (one === undefined || typeof one === 'string') return undefined;
    cur = one[p];
  }
  if (Array.isArray(cur)) cur = cur[0];
  return typeof cur === 'string' ? cur : undefined;
}

/** Number from text (undefined when not a finite number). */
export function num(s: string | number | undefined): number | undefined {
  if (s === undefined || s === '') return undefined;
  const v = typeof s === 'number' ? s : Number(String(s).trim());
  return Number.isFinite(v) ? v : undefined;
}

/**
 * Combines a date and a time as written by microscope software into ISO 8601
 * (`2016-06-13T17:06:40`). Accepts `YYYY:MM:DD HH:MM:SS` (TIFF DateTime), `YYYY/MM/DD H:MM`,
 * `YYYY-MM-DD…`, and US `M/D/YYYY` with `h:mm:ss AM|PM` (FEI, DigitalMicrograph's DataBar).
 */
export function isoDateTime(date: string | undefined, time?: string): string | undefined {
  if (!date) return undefined;
  const d = date.trim();
  let y: number, mo: number, da: number;
  let rest = '';
  let m = /^(\d{4})[:/\-.](\d{1,2})[:/\-.](\d{1,2})(?:[T ](.*))?$/.exec(d);
  if (m) {
    [y, mo, da] = [Number(m[1]), Number(m[2]), Number(m[3])];
    rest = m[4] ?? '';
  } else if ((m = /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?:\s+(.*))?$/.exec(d))) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    const dotted = d.includes('.');
    // US order (M/D/Y) unless that is impossible or the date uses dots (European D.M.Y)
    [mo, da] = !dotted && a <= 12 ? [a, b] : [b, a];
    y = Number(m[3]);
    rest = m[4] ?? '';
  } else {
    return undefined;
  }
  if (!(mo >= 1 && mo <= 12 && da >= 1 && da <= 31)) return undefined;
  const t = (time ?? rest).trim();
  const pad = (v: number): string => String(v).padStart(2, '0');
  let out = `${y}-${pad(mo)}-${pad(da)}`;
  const tm = /^(\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*([AaPp][Mm])?(.*)$/.exec(t);
  if (tm) {
    let h = Number(tm[1]);
    const ampm = tm[5]?.toUpperCase();
    if (ampm === 'PM' && h < 12) h += 12;
    if (ampm === 'AM' && h === 12) h = 0;
    out += `T${pad(h)}:${tm[2]}:${tm[3] ?? '00'}${tm[4] ?? ''}`;
    const zone = /^\s*(Z|[+-]\d{2}:?\d{2})$/.exec(tm[6] ?? '');
    if (zone) out += zone[1];
  }
  return out;
}
