// Two places side by side, per head: each place's own count (countPlace, so attribution and netting are
// the count's), for the same financial year, by theme and prevention level.
import type { Sql } from '../db/database.ts';
import { divRound } from './attribution.ts';
import { countPlace, type CountOptions } from './count-service.ts';
import type { CountResult } from './count.ts';

export interface CompareSide { pence: number; per_head_pence: number | null }
export interface CompareRow { label: string; a: CompareSide; b: CompareSide; difference_per_head_pence: number | null }

export interface CompareResult {
  year: string | null;
  places: { code: string; name: string; place_version: number; year: string | null; population: number | null; population_source: string; total_pence: number; per_head_pence: number | null; netted_pence: number }[];
  total: CompareRow;
  by_theme: Record<string, CompareRow>;
  by_prevention: Record<string, CompareRow>;
  notes: string[];
}

const perHead = (pence: number, population: number | null): number | null =>
  (population && population > 0 ? Number(divRound(BigInt(pence), BigInt(population))) : null);

function side(c: CountResult, pence: number): CompareSide { return { pence, per_head_pence: perHead(pence, c.population) }; }

function row(label: string, a: CountResult, b: CountResult, pa: number, pb: number): CompareRow {
  const sa = side(a, pa), sb = side(b, pb);
  return { label, a: sa, b: sb, difference_per_head_pence: sa.per_head_pence === null || sb.per_head_pence === null ? null : sa.per_head_pence - sb.per_head_pence };
}

function rows(a: CountResult, b: CountResult, key: 'by_theme' | 'by_prevention'): Record<string, CompareRow> {
  const codes = [...new Set([...Object.keys(a[key]), ...Object.keys(b[key])])];
  const pa = (k: string) => a[key][k]?.pence ?? 0, pb = (k: string) => b[key][k]?.pence ?? 0;
  codes.sort((x, y) => (pa(y) + pb(y)) - (pa(x) + pb(x)) || x.localeCompare(y));
  return Object.fromEntries(codes.map((k) => [k, row(a[key][k]?.label ?? b[key][k]!.label, a, b, pa(k), pb(k))]));
}

/** Compares two places for one year (default: the latest year with spend in the first place). */
export async function comparePlaces(sql: Sql, codeA: string, codeB: string, opts: CountOptions = {}): Promise<CompareResult> {
  const a = await countPlace(sql, codeA, opts);
  const year = opts.year ?? a.year ?? undefined;
  return compareCounts(a, await countPlace(sql, codeB, { year }));
}

/** Two counts of the same year side by side (pure; the web page compares counts from its cache). */
export function compareCounts(a: CountResult, b: CountResult): CompareResult {
  const year = a.year ?? undefined;
  const notes: string[] = [];
  for (const c of [a, b]) {
    if (c.population === null) notes.push(`${c.name}: the population is not known, so no per-head figures (totalplace place population ${c.place} --set N).`);
    if (c.year === null || !(c.year in c.by_year)) notes.push(`${c.name}: no spend loaded for ${year ?? 'any year'}.`);
  }
  notes.push('Each place is counted as by `totalplace count` (its bodies, attribution rules and netting); per head is each figure divided by the place\'s own population, rounded to the penny.');
  return {
    year: year ?? null,
    places: [a, b].map((c) => ({ code: c.place, name: c.name, place_version: c.place_version, year: c.year, population: c.population, population_source: c.population_detail.source,
      total_pence: c.total_pence, per_head_pence: c.per_head_pence, netted_pence: c.netting.netted_pence })),
    total: row('Total', a, b, a.total_pence, b.total_pence),
    by_theme: rows(a, b, 'by_theme'),
    by_prevention: rows(a, b, 'by_prevention'),
    notes,
  };
}
