/**
 * The dose slider's linked chart, drawn on a canvas: relative spot intensity (left axis) and strain
 * (right axis, %) against accumulated dose, the fitted fading curve I₀·exp(−D/Dc) + B with Dc, and a
 * cursor (plus the window's dose band) at the slider position. The static part is drawn once into an
 * offscreen canvas; moving the cursor only copies it and draws the cursor.
 */
import type { DoseSeriesPayloadV1 } from 'lowdose/dist/browser';
import { formatNumber } from './format';

/** Series the chart plots, in chart units. */
export interface ChartSeries {
  dose: number[];
  /** Mean over spots of intensity relative to the first measurement (null where missing). */
  relativeIntensity: Array<number | null>;
  /** Principal strains, % (null without a strain pair). */
  e1: Array<number | null> | null;
  e2: Array<number | null> | null;
}

/** Chart series from a payload's tracks (null without tracks). */
export function chartSeries(payload: DoseSeriesPayloadV1): ChartSeries | null {
  const t = payload.tracks;
  if (!t) return null;
  const first = t.spots.map((_, s) => t.intensity.map(row => row[s]).find(v => v !== null && v > 0) ?? null);
  const relativeIntensity = t.intensity.map(row => {
    let sum = 0;
    let count = 0;
    row.forEach((v, s) => {
      const f = first[s];
      if (v !== null && f !== null) {
        sum += v / f;
        count++;
      }
    });
    return count ? sum / count : null;
  });
  const pct = (list: Array<number | null>): Array<number | null> => list.map(v => (v === null ? null : 100 * v));
  return {
    dose: t.doseEPerA2.slice(),
    relativeIntensity,
    e1: t.strain ? pct(t.strain.e1) : null,
    e2: t.strain ? pct(t.strain.e2) : null
  };
}

const PAD = { left: 52, right: 56, top: 22, bottom: 34 };
const COLORS = { intensity: '#1f77b4', fit: '#ff7f0e', e1: '#2ca02c', e2: '#7f7f7f', cursor: '#d62728' };

/** Draws the chart; `drawCursor` then marks a dose window cheaply. */
export class DoseChart {
  constructor(readonly canvas: HTMLCanvasElement, readonly payload: DoseSeriesPayloadV1) {
    this.series = chartSeries(payload);
    const n = payload.shape[0];
    this._xMax = niceMax(payload.cumulativeDoseEPerA2[n - 1]);
    const ri = this.series ? (this.series.relativeIntensity.filter(v => v !== null) as number[]) : [];
    this._yMax = niceMax(Math.max(1.1, ...ri));
    const strains = this.series && this.series.e1 ? ([...this.series.e1, ...(this.series.e2 ?? [])].filter(v => v !== null) as number[]) : [];
    this._sMin = Math.min(0, niceFloor(Math.min(0, ...strains)));
    this._sMax = niceMax(Math.max(1, ...strains));
  }

  readonly series: ChartSeries | null;

  /** Sizes the canvas to `width` CSS px and redraws the static layer. */
  layout(width: number, height: number, ratio: number, colors: { text: string; grid: string; background: string }): void {
    this._width = width;
    this._height = height;
    this._ratio = ratio;
    const bw = Math.round(width * ratio);
    const bh = Math.round(height * ratio);
    for (const c of [this.canvas, this._static]) {
      if (c.width !== bw || c.height !== bh) {
        c.width = bw;
        c.height = bh;
      }
    }
    this.canvas.style.height = `${height}px`;
    const ctx = this._static.getContext('2d');
    if (ctx) this._drawStatic(ctx, colors);
  }

  /** Copies the static layer and draws the window band and cursor at `doseEnd`. */
  drawCursor(doseStart: number, doseEnd: number): void {
    const ctx = this.canvas.getContext('2d');
    if (!ctx || this._width <= 0) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.drawImage(this._static, 0, 0);
    ctx.setTransform(this._ratio, 0, 0, this._ratio, 0, 0);
    const x0 = this._x(doseStart);
    const x1 = this._x(doseEnd);
    ctx.fillStyle = 'rgba(214, 39, 40, 0.12)';
    ctx.fillRect(x0, PAD.top, Math.max(1, x1 - x0), this._height - PAD.top - PAD.bottom);
    ctx.strokeStyle = COLORS.cursor;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(x1, PAD.top);
    ctx.lineTo(x1, this._height - PAD.bottom);
    ctx.stroke();
  }

  dispose(): void {
    this._static.width = this._static.height = 0;
  }

  private _x(dose: number): number {
    return PAD.left + (dose / this._xMax) * (this._width - PAD.left - PAD.right);
  }

  private _y(rel: number): number {
    const h = this._height - PAD.top - PAD.bottom;
    return PAD.top + h * (1 - rel / this._yMax);
  }

  private _ys(strainPct: number): number {
    const h = this._height - PAD.top - PAD.bottom;
    return PAD.top + h * (1 - (strainPct - this._sMin) / (this._sMax - this._sMin));
  }

  private _drawStatic(ctx: CanvasRenderingContext2D, colors: { text: string; grid: string; background: string }): void {
    const w = this._width;
    const h = this._height;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this._static.width, this._static.height);
    ctx.setTransform(this._ratio, 0, 0, this._ratio, 0, 0);
    ctx.fillStyle = colors.background;
    ctx.fillRect(0, 0, w, h);
    ctx.font = '11px sans-serif';
    ctx.strokeStyle = colors.grid;
    ctx.fillStyle = colors.text;
    ctx.lineWidth = 1;
    // Axes and ticks.
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const d of ticks(0, this._xMax)) {
      const x = this._x(d);
      line(ctx, x, PAD.top, x, h - PAD.bottom);
      ctx.fillText(formatNumber(d, 3), x, h - PAD.bottom + 4);
    }
    ctx.fillText('accumulated dose (e⁻/Å²)', (PAD.left + w - PAD.right) / 2, h - 14);
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const v of ticks(0, this._yMax)) {
      const y = this._y(v);
      line(ctx, PAD.left, y, w - PAD.right, y);
      ctx.fillText(formatNumber(v, 3), PAD.left - 4, y);
    }
    const s = this.series;
    const fit = this.payload.fit;
    ctx.save();
    ctx.translate(12, (PAD.top + h - PAD.bottom) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'center';
    ctx.fillStyle = COLORS.intensity;
    ctx.fillText('relative spot intensity', 0, 0);
    ctx.restore();
    if (s && s.e1) {
      ctx.textAlign = 'left';
      ctx.fillStyle = COLORS.e1;
      for (const v of ticks(this._sMin, this._sMax)) ctx.fillText(formatNumber(v, 3), w - PAD.right + 4, this._ys(v));
      ctx.save();
      ctx.translate(w - 10, (PAD.top + h - PAD.bottom) / 2);
      ctx.rotate(Math.PI / 2);
      ctx.textAlign = 'center';
      ctx.fillText('strain (%)', 0, 0);
      ctx.restore();
    }
    ctx.save();
    ctx.beginPath();
    ctx.rect(PAD.left, PAD.top, w - PAD.left - PAD.right, h - PAD.top - PAD.bottom);
    ctx.clip();
    if (fit) {
      // Relative to the model at the first measurement's dose (or at 0 without tracks), like the points.
      const d0 = s && s.dose.length ? s.dose[0] : 0;
      const model = (d: number): number => fit.i0 * Math.exp(-d / fit.criticalDoseEPerA2) + fit.background;
      const m0 = model(d0);
      ctx.strokeStyle = COLORS.fit;
      ctx.lineWidth = 2;
      ctx.setLineDash(fit.underdetermined ? [2, 4] : [7, 4]);
      ctx.beginPath();
      for (let k = 0; k <= 100; k++) {
        const d = (k / 100) * this._xMax;
        const x = this._x(d);
        const y = this._y(model(d) / m0);
        if (k === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      }
      ctx.stroke();
      ctx.setLineDash([]);
    }
    if (s) {
      if (s.e2) polyline(ctx, s.dose, s.e2, d => this._x(d), v => this._ys(v), COLORS.e2, 1.5);
      if (s.e1) polyline(ctx, s.dose, s.e1, d => this._x(d), v => this._ys(v), COLORS.e1, 2);
      ctx.fillStyle = COLORS.intensity;
      s.dose.forEach((d, i) => {
        const v = s.relativeIntensity[i];
        if (v === null) return;
        ctx.beginPath();
        ctx.arc(this._x(d), this._y(v), 2.5, 0, 2 * Math.PI);
        ctx.fill();
      });
    }
    ctx.restore();
    // Legend.
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    const items: Array<[string, string]> = [];
    if (s) items.push([COLORS.intensity, '● intensity (mean of tracked spots, ÷ first)']);
    if (s && s.e1) items.push([COLORS.e1, '— strain e1'], [COLORS.e2, '— e2']);
    if (fit) {
      const hi = fit.ci95[1] === null ? '∞' : formatNumber(fit.ci95[1], 3);
      items.push([COLORS.fit, `- - ${fit.label}: Dc = ${formatNumber(fit.criticalDoseEPerA2, 3)} e⁻/Å² (95 % CI ${formatNumber(fit.ci95[0], 3)}–${hi})${fit.underdetermined ? ', UNDERDETERMINED' : ''}`]);
    }
    let x = PAD.left;
    for (const [color, text] of items) {
      ctx.fillStyle = color;
      ctx.fillText(text, x, 10);
      x += ctx.measureText(text).width + 14;
    }
  }

  private readonly _static = document.createElement('canvas');
  private _width = 0;
  private _height = 0;
  private _ratio = 1;
  private readonly _xMax: number;
  private readonly _yMax: number;
  private readonly _sMin: number;
  private readonly _sMax: number;
}

function line(ctx: CanvasRenderingContext2D, x0: number, y0: number, x1: number, y1: number): void {
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1, y1);
  ctx.stroke();
}

function polyline(
  ctx: CanvasRenderingContext2D,
  xs: number[],
  ys: Array<number | null>,
  fx: (v: number) => number,
  fy: (v: number) => number,
  color: string,
  width: number
): void {
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.beginPath();
  let pen = false;
  xs.forEach((d, i) => {
    const v = ys[i];
    if (v === null) {
      pen = false;
      return;
    }
    if (pen) ctx.lineTo(fx(d), fy(v));
    else ctx.moveTo(fx(d), fy(v));
    pen = true;
  });
  ctx.stroke();
}

/** About five round tick values from lo to hi. */
export function ticks(lo: number, hi: number): number[] {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / 5;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map(m => m * mag).find(s => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const mag = Math.pow(10, Math.floor(Math.log10(v)));
  return ([1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].map(m => m * mag).find(s => s >= v) ?? 10 * mag);
}

function niceFloor(v: number): number {
  return v >= 0 ? 0 : -niceMax(-v);
}
