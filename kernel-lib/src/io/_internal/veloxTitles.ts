// Velox signal titles as RosettaSciIO gives them (from the operations that produced each image, or
// the Velox 11 display list) and the elements selected for EDX quantification.
import { Hdf5File } from './h5';

type Json = Record<string, unknown>;

function obj(v: unknown): Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
}

/** JSON strings of every dataset in a group tree (`Operations`, `Displays`, `SharedProperties`). */
function jsonTree(h: Hdf5File, p: string): Record<string, Record<string, Json>> {
  const out: Record<string, Record<string, Json>> = {};
  const g = h.group(p);
  if (!g) return out;
  for (const k of h.keys(g)) {
    const sub = h.group(`${p}/${k}`);
    if (!sub) continue;
    out[k] = {};
    for (const k2 of h.keys(sub)) {
      const ds = h.dataset(`${p}/${k}/${k2}`);
      if (!ds) continue;
      try {
        out[k][k2] = obj(JSON.parse(h.readString(ds)));
      } catch {
        /* unreadable entries are skipped */
      }
    }
  }
  return out;
}

/** Titles of images as RosettaSciIO names them: from the operations that made them, or Velox 11 displays. */
export function imageTitles(h: Hdf5File): Map<string, string> {
  const titles = new Map<string, string>();
  const uuid = (p: unknown) => (typeof p === 'string' ? p.split('/').pop() ?? '' : '');
  const displays = jsonTree(h, 'Displays').ImageDisplay ?? {};
  for (const v of Object.values(displays)) {
    if (typeof v.data !== 'string' || typeof v.id !== 'string') continue;
    const ref = h.dataset(v.data);
    if (!ref) continue;
    try {
      const key = uuid(obj(JSON.parse(h.readString(ref))).dataPath);
      if (key) titles.set(key, v.id);
    } catch {
      /* ignore */
    }
  }
  const ops = jsonTree(h, 'Operations');
  const set = (key: string, title: string) => key && !titles.has(key) && titles.set(key, title);
  for (const v of Object.values(ops.CameraInputOperation ?? {})) set(uuid(v.dataPath), String(v.cameraName ?? ''));
  for (const v of Object.values(ops.StemInputOperation ?? {})) set(uuid(v.dataPath), String(v.detector ?? ''));
  for (const v of Object.values(ops.SurfaceReconstructionOperation ?? {})) {
    const mode = v.integrationMode === 'true' ? 'iDPC' : 'dDPC';
    set(uuid(v.unfilteredDataPath), mode);
    set(uuid(v.dataPath), v.enableFilter === 'true' ? `Filtered ${mode}` : mode);
  }
  for (const v of Object.values(ops.MathematicsOperation ?? {})) {
    const idx = obj((v.outputs as unknown[] | undefined)?.[0]).inputIndex;
    if (idx === '0') set(uuid(v.dataPath), 'A-C');
    else if (idx === '1') set(uuid(v.dataPath), 'B-D');
  }
  for (const v of Object.values(ops.DpcOperation ?? {})) set(uuid(v.dataPath), 'DPC');
  for (const v of Object.values(ops.IntegrationOperation ?? {})) set(uuid(v.dataPath), 'DCFI');
  for (const v of Object.values(ops.FftOperation ?? {})) set(uuid(v.imageOutputPath), 'Half FFT');
  return titles;
}

const ELEMENTS = 'H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm'.split(' ');

/** Elements selected for EDX quantification (Velox 11 `SharedProperties`, older `Operations`). */
export function quantifiedElements(h: Hdf5File): string[] | undefined {
  const shared = jsonTree(h, 'SharedProperties').EDSSpectrumQuantificationSettings ?? jsonTree(h, 'Operations').ImageQuantificationOperation;
  const first = shared ? Object.values(shared)[0] : undefined;
  const sel = first?.elementSelection;
  if (!Array.isArray(sel)) return undefined;
  return sel.map(z => ELEMENTS[Number(z) - 1]).filter((s): s is string => !!s);
}
