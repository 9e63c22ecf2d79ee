/**
 * Reading, checking and writing the image viewer's state in an output's metadata
 * (`metadata[IMAGE_MIME].view`), so a saved notebook reopens showing the same view.
 *
 * Saved metadata is as untrusted as the payload: every field is checked, and a bad field is dropped
 * rather than trusted.
 */
import { COLORMAP_NAMES, ColormapName, ImageViewState, VIEW_STATE_KEY } from 'lowdose/dist/browser';

type JsonObject = { [key: string]: unknown };

/** The view state stored under `metadata[mimeType][VIEW_STATE_KEY]`, checked; undefined if absent. */
export function readViewState(metadata: unknown, mimeType: string): ImageViewState | undefined {
  const forMime = isObject(metadata) ? metadata[mimeType] : undefined;
  const raw = isObject(forMime) ? forMime[VIEW_STATE_KEY] : undefined;
  return sanitizeViewState(raw);
}

/** Keeps only the well-formed fields of an untrusted view state; undefined if nothing is left. */
export function sanitizeViewState(raw: unknown): ImageViewState | undefined {
  if (!isObject(raw)) {
    return undefined;
  }
  const state: ImageViewState = {};
  const center = raw.center;
  if (isPositive(raw.zoom) && isObject(center) && isFinite(center.row) && isFinite(center.col)) {
    state.zoom = raw.zoom;
    state.center = { row: center.row, col: center.col };
  }
  if (typeof raw.colormap === 'string' && (COLORMAP_NAMES as readonly string[]).includes(raw.colormap)) {
    state.colormap = raw.colormap as ColormapName;
  }
  const contrast = raw.contrast;
  if (isObject(contrast) && isFinite(contrast.low) && isFinite(contrast.high) && contrast.low < contrast.high) {
    state.contrast = { low: contrast.low, high: contrast.high };
  }
  return Object.keys(state).length ? state : undefined;
}

/** Whether two view states describe the same view (field by field; absent zoom means "fit"). */
export function viewStatesEqual(a: ImageViewState | undefined, b: ImageViewState | undefined): boolean {
  return canonical(a) === canonical(b);
}

/**
 * A new metadata object with `state` stored under `[mimeType][VIEW_STATE_KEY]`, keeping every other
 * key of the metadata and of its `[mimeType]` entry.
 */
export function withViewState(metadata: unknown, mimeType: string, state: ImageViewState): JsonObject {
  const base = isObject(metadata) ? metadata : {};
  const forMime = isObject(base[mimeType]) ? (base[mimeType] as JsonObject) : {};
  return { ...base, [mimeType]: { ...forMime, [VIEW_STATE_KEY]: canonicalObject(state) } };
}

/** Rounds to 6 significant digits so saved notebooks stay tidy and states compare stably. */
export function roundForState(x: number): number {
  return Number(x.toPrecision(6));
}

function canonicalObject(s: ImageViewState): JsonObject {
  const out: JsonObject = {};
  if (s.zoom !== undefined && s.center) {
    out.zoom = s.zoom;
    out.center = { row: s.center.row, col: s.center.col };
  }
  if (s.colormap !== undefined) {
    out.colormap = s.colormap;
  }
  if (s.contrast) {
    out.contrast = { low: s.contrast.low, high: s.contrast.high };
  }
  return out;
}

function canonical(s: ImageViewState | undefined): string {
  return s ? JSON.stringify(canonicalObject(s)) : '{}';
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isFinite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function isPositive(v: unknown): v is number {
  return isFinite(v) && v > 0;
}
