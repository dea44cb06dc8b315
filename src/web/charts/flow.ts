// Flow chart of money between bodies: payers in a column on the left, payees on the right (a body can be
// in both), and one band per payment from payer to payee whose thickness is proportional to the money.
// Each band says its amount where it leaves the payer (when it is thick enough to hold the text; the
// table beside the chart has every figure), and payments that are not netted are dashed and say so.
import { shortPounds } from '../render.ts';
import { BLUE, esc, frame, listing, n, TEXT_COLOUR, wrap } from './svg.ts';

export interface Flow { from: string; from_name: string; to: string; to_name: string; pence: number; netted: boolean }

export interface FlowNode { code: string; name: string; x: number; y: number; h: number; total: number }
export interface FlowBand { flow: Flow; x0: number; y0: number; x1: number; y1: number; t: number }
export interface FlowLayout { left: FlowNode[]; right: FlowNode[]; bands: FlowBand[]; height: number }

const WIDTH = 960, TOP = 40, SCALE_HEIGHT = 320, MIN_BAND = 1, SLOT = 58, GAP = 14, NODE_W = 14;
const LEFT_X = 256, RIGHT_X = 690, LEGEND = 56;

/**
 * Places the nodes and bands: every band's thickness is |pence| × (SCALE_HEIGHT / the larger column
 * total), at least MIN_BAND; a node is as tall as its bands stacked, so each band leaves and arrives
 * inside its own nodes and bands of one node never overlap.
 */
export function flowLayout(flows: Flow[]): FlowLayout {
  const out = new Map<string, { name: string; total: number }>(), inn = new Map<string, { name: string; total: number }>();
  for (const f of flows) {
    const a = out.get(f.from) ?? { name: f.from_name, total: 0 }; a.total += Math.abs(f.pence); out.set(f.from, a);
    const b = inn.get(f.to) ?? { name: f.to_name, total: 0 }; b.total += Math.abs(f.pence); inn.set(f.to, b);
  }
  const order = (m: Map<string, { name: string; total: number }>) => [...m.entries()].sort((x, y) => y[1].total - x[1].total || x[0].localeCompare(y[0]));
  const leftOrder = order(out), rightOrder = order(inn);
  const biggest = Math.max(leftOrder.reduce((s, [, v]) => s + v.total, 0), rightOrder.reduce((s, [, v]) => s + v.total, 0));
  const scale = biggest > 0 ? SCALE_HEIGHT / biggest : 0;
  const thickness = (f: Flow) => Math.max(Math.abs(f.pence) * scale, MIN_BAND);
  const rank = (list: [string, unknown][]) => new Map(list.map(([code], i) => [code, i]));
  const leftRank = rank(leftOrder), rightRank = rank(rightOrder);

  const place = (list: [string, { name: string; total: number }][], x: number, mine: (f: Flow) => string) => {
    let y = TOP;
    return list.map(([code, v]) => {
      const h = flows.filter((f) => mine(f) === code).reduce((s, f) => s + thickness(f), 0);
      const node = { code, name: v.name, x, y, h, total: v.total };
      y += Math.max(h, SLOT) + GAP;
      return node;
    });
  };
  const left = place(leftOrder, LEFT_X, (f) => f.from), right = place(rightOrder, RIGHT_X, (f) => f.to);

  // Bands leave a payer in the order of their payees (and arrive in the order of their payers), so they cross as little as they can.
  const y0 = new Map<Flow, number>(), y1 = new Map<Flow, number>();
  for (const node of left) {
    let y = node.y;
    for (const f of flows.filter((x) => x.from === node.code).sort((a, b) => rightRank.get(a.to)! - rightRank.get(b.to)!)) { y0.set(f, y); y += thickness(f); }
  }
  for (const node of right) {
    let y = node.y;
    for (const f of flows.filter((x) => x.to === node.code).sort((a, b) => leftRank.get(a.from)! - leftRank.get(b.from)!)) { y1.set(f, y); y += thickness(f); }
  }
  const bands = flows.map((f) => ({ flow: f, x0: LEFT_X + NODE_W, y0: y0.get(f)!, x1: RIGHT_X, y1: y1.get(f)!, t: thickness(f) }));
  const bottom = (nodes: FlowNode[]) => nodes.reduce((m, x) => Math.max(m, x.y + Math.max(x.h, SLOT)), TOP);
  return { left, right, bands, height: Math.max(bottom(left), bottom(right)) + LEGEND };
}

export interface FlowOptions { id: string; title: string; format?: (pence: number) => string }

export function flowChartSvg(flows: Flow[], opts: FlowOptions): string {
  const fmt = opts.format ?? shortPounds;
  const layout = flowLayout(flows);
  const parts: string[] = [];
  const head = (x: number, anchor: string, text: string) => `<text x="${x}" y="22" font-size="15" font-weight="700" text-anchor="${anchor}" fill="${TEXT_COLOUR}">${esc(text)}</text>`;
  if (flows.length) parts.push(head(LEFT_X - 10, 'end', 'Paid by'), head(RIGHT_X + NODE_W + 10, 'start', 'Paid to'));

  for (const b of layout.bands) {
    const xm = (b.x0 + b.x1) / 2;
    const d = `M${n(b.x0)},${n(b.y0)} C${n(xm)},${n(b.y0)} ${n(xm)},${n(b.y1)} ${n(b.x1)},${n(b.y1)} `
      + `L${n(b.x1)},${n(b.y1 + b.t)} C${n(xm)},${n(b.y1 + b.t)} ${n(xm)},${n(b.y0 + b.t)} ${n(b.x0)},${n(b.y0 + b.t)} Z`;
    const f = b.flow;
    const what = `${f.from_name} to ${f.to_name}: ${fmt(f.pence)}${f.netted ? ' (netted)' : ' (not netted)'}`;
    const look = f.netted
      ? `fill="${BLUE}" fill-opacity="0.45" stroke="${BLUE}" stroke-width="1"`
      : `fill="#505a5f" fill-opacity="0.3" stroke="${TEXT_COLOUR}" stroke-width="1.5" stroke-dasharray="6 4"`;
    let label = '';
    if (b.t >= 15) {
      label = `<text x="${n(b.x0 + 6)}" y="${n(b.y0 + b.t / 2 + 5)}" font-size="13" fill="${TEXT_COLOUR}">${esc(`${fmt(f.pence)}${f.netted ? '' : ' (not netted)'}`)}</text>`;
    }
    parts.push(`<g><title>${esc(what)}</title><path d="${d}" ${look}/>${label}</g>`);
  }
  const node = (x: FlowNode, side: 'left' | 'right') => {
    const tx = side === 'left' ? x.x - 10 : x.x + NODE_W + 10;
    const anchor = side === 'left' ? 'end' : 'start';
    const room = side === 'left' ? LEFT_X - 14 : WIDTH - tx - 4;
    const name = wrap(x.name, room, 14, 2);
    const lines = name.map((line, i) => `<text x="${n(tx)}" y="${n(x.y + 14 + i * 17)}" font-size="14" font-weight="700" text-anchor="${anchor}" fill="${TEXT_COLOUR}">${esc(line)}</text>`);
    return `<g><rect x="${n(x.x)}" y="${n(x.y)}" width="${NODE_W}" height="${n(Math.max(x.h, 2))}" fill="${TEXT_COLOUR}"/>${lines.join('')}`
      + `<text x="${n(tx)}" y="${n(x.y + 15 + name.length * 17)}" font-size="13" text-anchor="${anchor}" fill="${TEXT_COLOUR}">${esc(`${side === 'left' ? 'pays' : 'receives'} ${fmt(x.total)}`)}</text></g>`;
  };
  for (const x of layout.left) parts.push(node(x, 'left'));
  for (const x of layout.right) parts.push(node(x, 'right'));

  if (flows.length) {
    const y = layout.height - LEGEND + 24;
    parts.push(`<rect x="8" y="${n(y - 12)}" width="28" height="14" fill="${BLUE}" fill-opacity="0.45" stroke="${BLUE}" stroke-width="1"/>`
      + `<text x="44" y="${n(y)}" font-size="13" fill="${TEXT_COLOUR}">Netted: taken off the payer and counted where it is spent</text>`);
    if (flows.some((f) => !f.netted)) {
      parts.push(`<rect x="500" y="${n(y - 12)}" width="28" height="14" fill="#505a5f" fill-opacity="0.3" stroke="${TEXT_COLOUR}" stroke-width="1.5" stroke-dasharray="6 4"/>`
        + `<text x="536" y="${n(y)}" font-size="13" fill="${TEXT_COLOUR}">Not netted (dashed): stays counted at the payer</text>`);
    }
  }
  const total = flows.reduce((s, f) => s + f.pence, 0), netted = flows.filter((f) => f.netted).reduce((s, f) => s + f.pence, 0);
  const desc = flows.length === 0 ? 'No payments between these bodies.'
    : `${flows.length} ${flows.length === 1 ? 'payment flow' : 'payment flows'} between bodies, ${fmt(total)} in all, of which ${fmt(netted)} netted. `
      + `${listing(flows.map((f) => `${f.from_name} to ${f.to_name} ${fmt(f.pence)}${f.netted ? '' : ' (not netted)'}`))}.`;
  return frame({ id: opts.id, title: opts.title, desc, width: WIDTH, height: layout.height }, parts.join(''));
}
