/**
 * The FFT picker's saved state (`metadata[FFT_MIME].picker`): picks and ring, written with
 * `model.setData` so a saved notebook reopens as it was left, and read back through
 * kernel-lib's `sanitizeFftState` (saved metadata is as untrusted as the payload).
 */
import { FFT_STATE_KEY, FftCropPayload, FftPayloadV1, FftPickerState, FftSpotPayload, pickSpot } from 'lowdose/dist/browser';

type PowerSpectrum = Parameters<typeof pickSpot>[0];

/**
 * The picks to show: the kernel's initial picks when nothing is saved, else the saved vectors snapped
 * again on the crop (searchRadiusPx 1: the same code gives the same numbers). Saved picks outside this
 * payload's crop are dropped.
 */
export function restorePicks(ps: PowerSpectrum, crop: FftCropPayload, state: FftPickerState, kernelPicks?: FftSpotPayload[]): FftSpotPayload[] {
  if (kernelPicks) return kernelPicks.map((p, i) => ({ ...p, label: p.label ?? `pick ${i + 1}` }));
  const out: FftSpotPayload[] = [];
  for (const p of state.picks) {
    try {
      out.push(pickSpot(ps, crop, p, { searchRadiusPx: 1, label: p.label }));
    } catch {
      // outside this payload's crop
    }
  }
  return out;
}

/** The state to save (vectors to 8 digits). */
export function pickerState(picks: ReadonlyArray<FftSpotPayload>, ringDA: number | null): FftPickerState {
  const s: FftPickerState = {
    picks: picks.map(p => ({ kxInvA: Number(p.kxInvA.toPrecision(8)), kyInvA: Number(p.kyInvA.toPrecision(8)), ...(p.label ? { label: p.label } : {}) }))
  };
  if (ringDA) s.ringDA = ringDA;
  return s;
}

/** A new metadata object with `state` under `[mimeType][FFT_STATE_KEY]`, keeping every other key. */
export function withPickerState(metadata: unknown, mimeType: string, state: FftPickerState): { [key: string]: unknown } {
  const base = typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata) ? (metadata as { [key: string]: unknown }) : {};
  const entry = base[mimeType];
  const forMime = typeof entry === 'object' && entry !== null && !Array.isArray(entry) ? entry : {};
  return { ...base, [mimeType]: { ...forMime, [FFT_STATE_KEY]: state } };
}

/** "pick N" with N one more than the largest used. */
export function nextLabel(picks: ReadonlyArray<FftSpotPayload>): string {
  let n = picks.length + 1;
  for (const p of picks) {
    const m = /^pick (\d+)$/.exec(p.label ?? '');
    if (m) n = Math.max(n, Number(m[1]) + 1);
  }
  return `pick ${n}`;
}

/** Same payload (apart from re-serialisation): same title, crop and preview bytes and spots. */
export function samePayload(a: FftPayloadV1, b: FftPayloadV1): boolean {
  return a.title === b.title && a.crop.data === b.crop.data && a.image.preview.data === b.image.preview.data && JSON.stringify(a.peaks) === JSON.stringify(b.peaks);
}
