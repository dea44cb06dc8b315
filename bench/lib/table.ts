// Plain-text tables for benchmark figures.

export type Align = 'left' | 'right';

export function table(header: string[], rows: string[][], align: Align[] = []): string {
  const width = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const cell = (s: string, i: number) => ((align[i] ?? 'left') === 'right' ? s.padStart(width[i]) : s.padEnd(width[i]));
  const line = (r: string[]) => '| ' + r.map((s, i) => cell(s ?? '', i)).join(' | ') + ' |';
  const rule = '|' + width.map((w, i) => ((align[i] ?? 'left') === 'right' ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|') + '|';
  return [line(header), rule, ...rows.map(line)].join('\n');
}

const grouped = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function int(n: number): string {
  return Number.isFinite(n) ? grouped.format(n) : '-';
}

export function dec(n: number): string {
  return Number.isFinite(n) ? decimal.format(n) : '-';
}

export function mb(bytes: number): string {
  return Number.isFinite(bytes) ? grouped.format(bytes / 1e6) : '-';
}
