// Treemap: each item a rectangle whose area is proportional to its value, laid out by the squarified
// algorithm (Bruls, Huizing and van Wijk, 2000), which keeps rectangles close to square so they can be
// compared and labelled. Only positive values can have an area: the others are named in the description.
import { shortPounds, percent } from '../render.ts';
import { esc, fit, frame, listing, n, PALETTE, textOn, WHITE } from './svg.ts';

export interface Rect { x: number; y: number; w: number; h: number }
export interface TreemapCell<T> extends Rect { item: T; value: number }

/** Aspect ratio of the worst rectangle if `areas` (summing to `sum`) are laid in a strip along a side of `side`. */
function worst(areas: number[], sum: number, side: number): number {
  const s2 = sum * sum, w2 = side * side;
  let max = 0, min = Infinity;
  for (const a of areas) { if (a > max) max = a; if (a < min) min = a; }
  return Math.max((w2 * max) / s2, s2 / (w2 * min));
}

/**
 * Squarified layout of `items` (by `value`) in `bounds`. Items with a value of zero or less, or not finite,
 * are left out. The rectangles tile `bounds` exactly (up to floating point): largest first.
 */
export function squarify<T>(items: T[], value: (item: T) => number, bounds: Rect): TreemapCell<T>[] {
  const list = items.map((item) => ({ item, value: value(item) }))
    .filter((x) => Number.isFinite(x.value) && x.value > 0)
    .sort((a, b) => b.value - a.value);
  const total = list.reduce((s, x) => s + x.value, 0);
  const out: TreemapCell<T>[] = [];
  if (total <= 0 || bounds.w <= 0 || bounds.h <= 0) return out;
  const scale = (bounds.w * bounds.h) / total;
  let rect = { ...bounds };
  let row: { item: T; value: number; area: number }[] = [];
  let rowSum = 0;

  const layRow = (last: boolean) => {
    const horizontal = rect.w >= rect.h; // a column along the left edge when wide, else a row along the top
    const side = horizontal ? rect.h : rect.w;
    // The last strip takes all that is left, so floating point error cannot leave a gap or overflow.
    const thick = last ? (horizontal ? rect.w : rect.h) : rowSum / side;
    let at = horizontal ? rect.y : rect.x;
    row.forEach((r, i) => {
      const end = i === row.length - 1 ? (horizontal ? rect.y + rect.h : rect.x + rect.w) : at + r.area / thick;
      out.push(horizontal
        ? { x: rect.x, y: at, w: thick, h: end - at, item: r.item, value: r.value }
        : { x: at, y: rect.y, w: end - at, h: thick, item: r.item, value: r.value });
      at = end;
    });
    rect = horizontal ? { x: rect.x + thick, y: rect.y, w: rect.w - thick, h: rect.h } : { x: rect.x, y: rect.y + thick, w: rect.w, h: rect.h - thick };
    row = []; rowSum = 0;
  };

  for (let i = 0; i < list.length; i++) {
    const next = { ...list[i], area: list[i].value * scale };
    const side = Math.min(rect.w, rect.h);
    if (row.length && worst([...row.map((r) => r.area), next.area], rowSum + next.area, side) > worst(row.map((r) => r.area), rowSum, side)) layRow(false);
    row.push(next); rowSum += next.area;
  }
  if (row.length) layRow(true);
  return out;
}

export interface TreemapItem { label: string; value: number }

export interface TreemapOptions {
  id: string;
  title: string;
  /** How a value is written on the chart (default: pounds, short). */
  format?: (value: number) => string;
  width?: number;
  height?: number;
}

/** A treemap as an SVG string: one labelled rectangle per positive item, white gaps between them. */
export function treemapSvg(items: TreemapItem[], opts: TreemapOptions): string {
  const width = opts.width ?? 960, height = opts.height ?? 480;
  const fmt = opts.format ?? shortPounds;
  const total = items.reduce((s, x) => s + (x.value > 0 ? x.value : 0), 0);
  const cells = squarify(items, (x) => x.value, { x: 0, y: 0, w: width, h: height });
  const parts: string[] = [];
  cells.forEach((c, i) => {
    const fill = PALETTE[i % PALETTE.length];
    const ink = textOn(fill);
    const share = percent(c.value / total);
    const tip = `${c.item.label}: ${fmt(c.value)} (${share})`;
    let text = '';
    const pad = 6, fs = c.w > 160 && c.h > 60 ? 16 : 13;
    if (c.w >= 44 && c.h >= fs + 2 * pad) {
      const name = fit(c.item.label, c.w - 2 * pad, fs);
      text += `<text x="${n(c.x + pad)}" y="${n(c.y + pad + fs)}" font-size="${fs}" font-weight="700" fill="${ink}">${esc(name)}</text>`;
      if (c.h >= 2 * fs + 3 * pad) {
        // The share too when there is room, else the value alone.
        const room = c.w - 2 * pad, full = `${fmt(c.value)} · ${share}`;
        const figure = fit(full, room, fs) === full ? full : fit(fmt(c.value), room, fs);
        text += `<text x="${n(c.x + pad)}" y="${n(c.y + 2 * pad + 2 * fs)}" font-size="${fs}" fill="${ink}">${esc(figure)}</text>`;
      }
    }
    parts.push(`<g><title>${esc(tip)}</title><rect x="${n(c.x)}" y="${n(c.y)}" width="${n(c.w)}" height="${n(c.h)}" fill="${fill}" stroke="${WHITE}" stroke-width="2"/>${text}</g>`);
  });
  const left = items.filter((x) => !(x.value > 0));
  const desc = cells.length === 0
    ? 'There is nothing to show.'
    : `Treemap of ${cells.length} parts totalling ${fmt(total)}; each area is proportional to its value. `
      + `${listing(cells.map((c) => `${c.item.label} ${fmt(c.value)} (${percent(c.value / total)})`))}.`
      + (left.length ? ` Not shown, as zero or negative: ${listing(left.map((x) => `${x.label} ${fmt(x.value)}`))}.` : '');
  return frame({ id: opts.id, title: opts.title, desc, width, height }, parts.join(''));
}
