// Horizontal bar chart: one row per item with its label, a bar from zero (to the left when negative) and
// its value written beside the bar, so no figure depends on reading the bar's length or colour.
import { shortPounds } from '../render.ts';
import { BLUE, esc, fit, frame, listing, n, TEXT_COLOUR } from './svg.ts';

export interface BarItem { label: string; value: number }

export interface BarOptions {
  id: string;
  title: string;
  format?: (value: number) => string;
  width?: number;
  /** Width given to the labels on the left. */
  labelWidth?: number;
  colour?: string;
}

export interface BarGeometry { x: number; w: number; y: number; h: number; zero: number }

const ROW = 32, BAR = 20, TOP = 8, VALUE_ROOM = 110, GAP = 8;

/** Where each bar goes: from the zero line, length proportional to |value|, within [left, right]. */
export function barLayout(values: number[], left: number, right: number): BarGeometry[] {
  const max = Math.max(0, ...values.filter(Number.isFinite));
  const min = Math.min(0, ...values.filter(Number.isFinite));
  const span = max - min || 1;
  const scale = (right - left) / span;
  const zero = left + -min * scale;
  return values.map((v, i) => {
    const len = Number.isFinite(v) ? Math.abs(v) * scale : 0;
    return { x: v < 0 ? zero - len : zero, w: len, y: TOP + i * ROW + (ROW - BAR) / 2, h: BAR, zero };
  });
}

export function barChartSvg(items: BarItem[], opts: BarOptions): string {
  const width = opts.width ?? 960;
  const labelWidth = opts.labelWidth ?? 300;
  const fmt = opts.format ?? shortPounds;
  const colour = opts.colour ?? BLUE;
  const hasNegative = items.some((x) => x.value < 0);
  // Room for the value on both sides when bars can go left.
  const left = labelWidth + GAP + (hasNegative ? VALUE_ROOM : 0), right = width - VALUE_ROOM;
  const bars = barLayout(items.map((x) => x.value), left, right);
  const height = TOP * 2 + Math.max(items.length, 1) * ROW;
  const parts: string[] = [];
  items.forEach((item, i) => {
    const b = bars[i];
    const mid = b.y + b.h / 2 + 5;
    const label = fit(item.label, labelWidth, 14);
    const value = fmt(item.value);
    const valueX = item.value < 0 ? b.x - 6 : b.x + b.w + 6;
    parts.push(`<g><title>${esc(`${item.label}: ${value}`)}</title>`
      + `<text x="${n(labelWidth)}" y="${n(mid)}" font-size="14" text-anchor="end" fill="${TEXT_COLOUR}">${esc(label)}</text>`
      + `<rect x="${n(b.x)}" y="${n(b.y)}" width="${n(Math.max(b.w, 0))}" height="${n(b.h)}" fill="${colour}"/>`
      + `<text x="${n(valueX)}" y="${n(mid)}" font-size="14" text-anchor="${item.value < 0 ? 'end' : 'start'}" fill="${TEXT_COLOUR}">${esc(value)}</text></g>`);
  });
  if (items.length) {
    const zero = bars[0].zero;
    parts.push(`<line x1="${n(zero)}" y1="${TOP}" x2="${n(zero)}" y2="${n(height - TOP)}" stroke="${TEXT_COLOUR}" stroke-width="1"/>`);
  }
  const desc = items.length === 0 ? 'There is nothing to show.'
    : `Bar chart of ${items.length} ${items.length === 1 ? 'bar' : 'bars'}: ${listing(items.map((x) => `${x.label} ${fmt(x.value)}`), 24)}.`;
  return frame({ id: opts.id, title: opts.title, desc, width, height }, parts.join(''));
}
