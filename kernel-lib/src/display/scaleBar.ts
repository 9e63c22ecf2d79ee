import { AxisUnits } from './protocol';

/** A scale bar: its length on screen and its label. */
export interface ScaleBar {
  /** Bar length in screen pixels. */
  lengthPx: number;
  /** Bar length in `units`. */
  length: number;
  units: 'Å' | 'nm' | 'µm' | '1/Å' | '1/nm' | 'px' | string;
  /** Label as drawn, e.g. "5 nm" or "20 Å". */
  label: string;
}

const NICE_STEPS = [1, 2, 5];

/**
 * Chooses a round scale-bar length near `targetPx` screen pixels.
 *
 * Real-space images switch from Å to nm at 10 Å and from nm to µm at 1000 nm, so a label is
 * always a short round number ("2 nm", not "20 Å"; "5 Å", not "0.5 nm"). Reciprocal axes keep 1/Å
 * or 1/nm; uncalibrated axes (units '') measure in pixels.
 *
 * @param unitsPerScreenPx - physical size of one screen pixel, in `units` (axis scale / zoom).
 * @param units - the axis units.
 * @param targetPx - preferred bar length on screen (default 120).
 */
export function niceScaleBar(unitsPerScreenPx: number, units: AxisUnits, targetPx = 120): ScaleBar {
  if (!(unitsPerScreenPx > 0) || !Number.isFinite(unitsPerScreenPx)) {
    throw new RangeError(`niceScaleBar: unitsPerScreenPx must be a positive finite number; got ${unitsPerScreenPx}.`);
  }
  let perPx = unitsPerScreenPx;
  let label: string;
  // Normalise real-space lengths to Å first, then pick the display unit from the bar length.
  const toA: { [u: string]: number } = { A: 1, nm: 10, um: 1e4 };
  if (units in toA) {
    const perPxA = perPx * toA[units];
    const lengthA = roundNice(perPxA * targetPx);
    if (lengthA < 10) {
      return bar(lengthA / perPxA, lengthA, 'Å');
    }
    if (lengthA < 1e4) {
      const nm = roundNice((perPxA * targetPx) / 10);
      return bar((nm * 10) / perPxA, nm, 'nm');
    }
    const um = roundNice((perPxA * targetPx) / 1e4);
    return bar((um * 1e4) / perPxA, um, 'µm');
  }
  label = units === '' ? 'px' : units === '1/A' ? '1/Å' : units;
  const length = roundNice(perPx * targetPx);
  return bar(length / perPx, length, label);
}

function bar(lengthPx: number, length: number, units: string): ScaleBar {
  return { lengthPx, length, units, label: `${formatLength(length)} ${units}` };
}

/** Largest 1-2-5 × 10^k not above `x` (so the bar never exceeds its target by much). */
export function roundNice(x: number): number {
  const exponent = Math.floor(Math.log10(x));
  const base = Math.pow(10, exponent);
  let best = NICE_STEPS[0] * base;
  for (const step of NICE_STEPS) {
    if (step * base <= x * (1 + 1e-9)) {
      best = step * base;
    }
  }
  return best;
}

function formatLength(x: number): string {
  // Round to 12 significant digits to hide binary noise such as 0.30000000000000004.
  return String(Number(x.toPrecision(12)));
}
