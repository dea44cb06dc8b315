// What every chart shares: escaping (every piece of text put into an SVG goes through `esc`, because
// pages include the SVG with `| safe`), the colour palette with its contrast checks, and the accessible
// frame (role="img" with a <title> and a <desc> summarising the figures). No style="" attributes: the CSP
// forbids inline styles, so colours and sizes are SVG presentation attributes.

/** Escapes text for SVG/XML content and attribute values. */
export function esc(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A number for an SVG attribute: at most two decimals, no exponent, no "-0". */
export function n(v: number): string {
  const r = Math.round(v * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}

export const TEXT_COLOUR = '#0b0c0c';
export const WHITE = '#ffffff';
export const BLUE = '#1d70b8';

/**
 * GOV.UK palette colours for areas, each at least 3:1 against the white page (WCAG 1.4.11) and carrying its
 * label in white or black at 4.5:1 or more (1.4.3); test/web/charts.test.ts checks both.
 */
export const PALETTE = ['#1d70b8', '#00703c', '#4c2c92', '#d4351c', '#003078', '#912b88', '#505a5f', '#28a197', '#b58840', '#5694ca', '#ca357c', '#85994b'];

function luminance(hex: string): number {
  const v = hex.replace('#', '');
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = parseInt(v.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two #rrggbb colours. */
export function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

/** White or near-black, whichever reads better on `fill`. */
export function textOn(fill: string): string {
  return contrast(fill, WHITE) >= contrast(fill, TEXT_COLOUR) ? WHITE : TEXT_COLOUR;
}

/** Cuts text to about `width` units at `fontSize` (Arial averages well under 0.6 em a character), with an ellipsis. */
export function fit(text: string, width: number, fontSize: number): string {
  const max = Math.floor(width / (fontSize * 0.6));
  if (max <= 1) return '';
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** Breaks text into at most `lines` lines of about `width` units at `fontSize`, at spaces; the last line is cut to fit. */
export function wrap(text: string, width: number, fontSize: number, lines = 2): string[] {
  const max = Math.floor(width / (fontSize * 0.6));
  const out: string[] = [];
  let rest = text.trim();
  while (rest && out.length < lines - 1 && rest.length > max) {
    const cut = rest.lastIndexOf(' ', max);
    if (cut <= 0) break;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut + 1).trimStart();
  }
  if (rest) out.push(fit(rest, width, fontSize));
  return out;
}

/** A sentence listing the first `max` entries, then how many more there are. */
export function listing(parts: string[], max = 12): string {
  if (parts.length <= max) return parts.join('; ');
  return `${parts.slice(0, max).join('; ')}; and ${parts.length - max} more (see the table)`;
}

export interface ChartFrame { id: string; title: string; desc: string; width: number; height: number }

/** The outer <svg>: sized by its viewBox (CSS scales it), named by its title and described by its desc. */
export function frame(f: ChartFrame, body: string): string {
  const id = esc(f.id);
  return `<svg xmlns="http://www.w3.org/2000/svg" class="tp-chart" viewBox="0 0 ${n(f.width)} ${n(f.height)}" role="img" aria-labelledby="${id}-title ${id}-desc" focusable="false">`
    + `<title id="${id}-title">${esc(f.title)}</title><desc id="${id}-desc">${esc(f.desc)}</desc>${body}</svg>`;
}
