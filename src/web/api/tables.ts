// The tables behind the downloads: a place's count, a theme deep dive and ledger lines, as columns of
// typed cells (see downloads.ts). The JSON API returns the same figures; the column names follow its
// field names (money in integer *_pence, with an exact *_pounds beside it for people reading the file).
import type { Sql } from '../../db/database.ts';
import type { CountResult } from '../../place/count.ts';
import type { DeepDiveResult } from '../../place/deep-dive.ts';
import type { Taxonomy } from '../../classify/service.ts';
import { listLines, type LedgerLine, type LineFilter, type LineKey } from '../../ledger/lines.ts';
import { table, poundsFromPence, type Column, type Table } from './downloads.ts';
import { BadRequest } from '../errors.ts';

/** Lines read per query when every matching line is written out. */
export const DOWNLOAD_PAGE = 5000;
/** A workbook of ledger lines holds at most this many (a sheet holds 1,048,576 rows). */
export const XLSX_MAX_ROWS = 1_000_000;

/**
 * Every line matching the filter, in source order (body code, then file and line as published), read
 * `pageSize` at a time along the primary key, so memory stays flat and each page costs the same however
 * deep into the ledger it is. `order`, `limit` and `offset` of the filter are ignored.
 */
export async function* eachLine(sql: Sql, f: LineFilter, pageSize = DOWNLOAD_PAGE): AsyncGenerator<LedgerLine> {
  for (const body of [...new Set(f.bodyCodes)].sort()) {
    let after: LineKey | undefined;
    for (;;) {
      const page = await listLines(sql, { ...f, bodyCodes: [body], order: 'source', after, limit: pageSize, offset: 0 });
      yield* page;
      if (page.length < pageSize) break;
      const last = page[page.length - 1]!;
      after = { body_code: last.body_code, file_id: last.file_id, line_id: last.line_id };
    }
  }
}

const pounds = <R>(header: string, pence: (r: R) => number | null | undefined): Column<R> => ({ header, type: 'pounds', value: pence });
const int = <R>(header: string, v: (r: R) => number | null | undefined): Column<R> => ({ header, type: 'integer', value: v });
const text = <R>(header: string, v: (r: R) => string | null | undefined, width?: number): Column<R> => ({ header, type: 'text', value: v, width });

/** The columns of a ledger line, labelled from the taxonomy and the body register. */
export function lineColumns(taxonomy: Taxonomy, bodyNames: ReadonlyMap<string, string>): Column<LedgerLine>[] {
  const theme = new Map(taxonomy.themes.map((t) => [t.code, t.label]));
  const cofog = new Map(taxonomy.cofog.map((t) => [t.code, t.label]));
  const prevention = new Map(taxonomy.prevention.map((t) => [t.code, t.label]));
  return [
    text('body_code', (l) => l.body_code),
    text('body_name', (l) => bodyNames.get(l.body_code) ?? l.body_code, 30),
    text('file_name', (l) => l.file_name, 30),
    text('sheet', (l) => l.sheet),
    int('line_no', (l) => l.line_no),
    { header: 'payment_date', type: 'date', value: (l) => l.payment_date },
    text('financial_year', (l) => l.financial_year),
    text('supplier_name', (l) => l.supplier_name, 36),
    text('payee_kind', (l) => l.payee_kind),
    text('payee_body_code', (l) => l.payee_body_code),
    pounds('amount_pounds', (l) => l.amount_pence),
    int('amount_pence', (l) => l.amount_pence),
    text('theme_code', (l) => l.theme_code),
    text('theme', (l) => theme.get(l.theme_code) ?? l.theme_code, 30),
    text('cofog_code', (l) => l.cofog_code),
    text('cofog', (l) => (l.cofog_code ? cofog.get(l.cofog_code) ?? l.cofog_code : null), 30),
    text('prevention_code', (l) => l.prevention_code),
    text('prevention', (l) => (l.prevention_code ? prevention.get(l.prevention_code) ?? l.prevention_code : null), 24),
    text('service_area', (l) => l.service_area, 30),
    text('expense_type', (l) => l.expense_type, 30),
    text('description', (l) => l.description, 40),
  ];
}

/** A two-column sheet of facts about a download: what it is, where it came from, and its notes (facts with no value are left out). */
export function aboutTable(facts: [string, string | number | null | undefined][]): Table {
  const known = facts.filter(([, v]) => v !== null && v !== undefined && v !== '');
  return table<[string, string | number | null | undefined]>('About', [text('field', (r) => r[0], 28), text('value', (r) => String(r[1]), 100)], known);
}

interface BreakdownRow { table: string; code: string; label: string; pence: number; share: number | null; gross?: number; netted?: number; lines?: number; rule?: string; explanation?: string }

/**
 * The count as one CSV table: the rows of the four breakdowns of the total (table = body, theme, cofog,
 * prevention), each set adding up to total_pence. By year, flows and prevention by theme are in the XLSX.
 */
export function countCsvTable(c: CountResult): Table {
  const share = (p: number) => (c.total_pence === 0 ? null : p / c.total_pence);
  const rows: BreakdownRow[] = [
    ...c.bodies.map((b) => ({ table: 'body', code: b.code, label: b.name, pence: b.attributed_pence, share: share(b.attributed_pence), gross: b.gross_pence, netted: b.netted_pence, lines: b.lines, rule: b.rule, explanation: b.explanation })),
    ...(['theme', 'cofog', 'prevention'] as const).flatMap((t) =>
      Object.entries(c[`by_${t}`]).map(([code, v]) => ({ table: t, code, label: v.label, pence: v.pence, share: v.share }))),
  ];
  return table<BreakdownRow>('Count', [
    text('table', (r) => r.table), text('code', (r) => r.code), text('label', (r) => r.label, 36),
    pounds('amount_pounds', (r) => r.pence), int('amount_pence', (r) => r.pence), { header: 'share', type: 'share', value: (r) => r.share },
    int('gross_pence', (r) => r.gross), int('netted_pence', (r) => r.netted), int('lines', (r) => r.lines),
    text('rule', (r) => r.rule), text('explanation', (r) => r.explanation, 60),
  ], rows);
}

const breakdown = (name: string, rows: Record<string, { label: string; pence: number; share: number | null }>): Table =>
  table<[string, { label: string; pence: number; share: number | null }]>(name, [
    text('code', (r) => r[0]), text('label', (r) => r[1].label, 36),
    pounds('amount_pounds', (r) => r[1].pence), int('amount_pence', (r) => r[1].pence), { header: 'share', type: 'share', value: (r) => r[1].share },
  ], Object.entries(rows));

/** The count as XLSX sheets: about, by body, theme, prevention, COFOG, year, prevention by theme, flows. */
export function countTables(c: CountResult, about: [string, string | number | null][]): Table[] {
  return [
    aboutTable([
      ['place', c.place], ['name', c.name], ['place_version', c.place_version], ['financial_year', c.year],
      ['population', c.population], ['population_source', c.population_detail.source],
      ['total_pounds', poundsFromPence(c.total_pence)], ['total_pence', c.total_pence],
      ['per_head_pence', c.per_head_pence], ['netted_pence', c.netting.netted_pence], ['netting_rule', c.netting.rule],
      ['real_terms', c.real_terms.note],
      ...about, ...c.notes.map((n): [string, string] => ['note', n]),
    ]),
    table<CountResult['bodies'][number]>('By body', [
      text('code', (b) => b.code), text('name', (b) => b.name, 36), text('rule', (b) => b.rule),
      { header: 'factor', type: 'share', value: (b) => b.factor.share }, text('explanation', (b) => b.explanation, 60),
      pounds('gross_pounds', (b) => b.gross_pence), int('gross_pence', (b) => b.gross_pence), int('netted_pence', (b) => b.netted_pence),
      int('attributed_before_netting_pence', (b) => b.attributed_before_netting_pence),
      pounds('attributed_pounds', (b) => b.attributed_pence), int('attributed_pence', (b) => b.attributed_pence), int('lines', (b) => b.lines),
    ], c.bodies),
    breakdown('By theme', c.by_theme),
    breakdown('By prevention', c.by_prevention),
    breakdown('By COFOG', c.by_cofog),
    table<[string, CountResult['by_year'][string]]>('By year', [
      text('financial_year', (r) => r[0]),
      pounds('total_pounds', (r) => r[1].total_pence), int('total_pence', (r) => r[1].total_pence), int('per_head_pence', (r) => r[1].per_head_pence),
      int('real_pence', (r) => r[1].real_pence), int('real_per_head_pence', (r) => r[1].real_per_head_pence),
      text('deflator_index', (r) => r[1].deflator_index), int('netted_pence', (r) => r[1].netted_pence),
    ], Object.entries(c.by_year)),
    table<[string, CountResult['prevention_vs_intervention_by_theme'][string]]>('Prevention by theme', [
      text('theme_code', (r) => r[0]), text('label', (r) => r[1].label, 36),
      int('total_pence', (r) => r[1].total_pence), int('prevention_pence', (r) => r[1].prevention_pence),
      int('intervention_pence', (r) => r[1].intervention_pence), int('other_pence', (r) => r[1].other_pence),
      { header: 'prevention_share', type: 'share', value: (r) => r[1].prevention_share },
    ], Object.entries(c.prevention_vs_intervention_by_theme)),
    table<CountResult['netting']['flows'][number]>('Flows', [
      text('from', (f) => f.from), text('from_name', (f) => f.from_name, 36),
      text('to', (f) => f.to), text('to_name', (f) => f.to_name, 36),
      pounds('amount_pounds', (f) => f.pence), int('amount_pence', (f) => f.pence), { header: 'netted', type: 'boolean', value: (f) => f.netted },
    ], c.netting.flows),
  ];
}

interface DeepDiveRow { table: string; code: string | null; label: string; bodies: string; pence: number; gross: number | null; lines: number | null }

function deepDiveRows(d: DeepDiveResult): DeepDiveRow[] {
  return [
    ...d.bodies.map((b) => ({ table: 'body', code: b.code, label: b.name, bodies: b.code, pence: b.attributed_pence, gross: b.gross_pence, lines: b.lines })),
    ...d.services.map((s) => ({ table: 'service', code: null, label: s.service_area, bodies: s.body_code, pence: s.attributed_pence, gross: s.gross_pence, lines: s.lines })),
    { table: 'service', code: null, label: `All other services (${d.services_other.services})`, bodies: '', pence: d.services_other.attributed_pence, gross: null, lines: null },
    ...d.suppliers.map((s) => ({ table: 'supplier', code: s.payee_kind, label: s.supplier_name, bodies: s.bodies.join(' '), pence: s.attributed_pence, gross: s.gross_pence, lines: s.lines })),
    { table: 'supplier', code: null, label: `All other suppliers (${d.suppliers_other.suppliers})`, bodies: '', pence: d.suppliers_other.attributed_pence, gross: null, lines: null },
    ...d.months.map((m) => ({ table: 'month', code: m.month, label: m.month, bodies: '', pence: m.attributed_pence, gross: m.gross_pence, lines: m.lines })),
    ...Object.entries(d.by_prevention).map(([code, p]) => ({ table: 'prevention', code, label: p.label, bodies: '', pence: p.pence, gross: null, lines: null })),
  ];
}

const deepDiveColumns: Column<DeepDiveRow>[] = [
  text('table', (r) => r.table), text('code', (r) => r.code), text('label', (r) => r.label, 40), text('bodies', (r) => r.bodies, 24),
  pounds('attributed_pounds', (r) => r.pence), int('attributed_pence', (r) => r.pence), int('gross_pence', (r) => r.gross), int('lines', (r) => r.lines),
];

/**
 * A deep dive as one CSV table: its breakdowns of the theme total (table = body, service, supplier,
 * month, prevention), each set adding up to total_pence ("All other ..." rows hold the rest of services
 * and suppliers). The top transactions are in the XLSX (and every line in /api/transactions.csv).
 */
export function deepDiveCsvTable(d: DeepDiveResult): Table {
  return table('Deep dive', deepDiveColumns, deepDiveRows(d));
}

/** A deep dive as XLSX sheets: about, then one sheet per breakdown, then the top transactions. */
export function deepDiveTables(d: DeepDiveResult, lineCols: Column<LedgerLine>[], about: [string, string | number | null][]): Table[] {
  const rows = deepDiveRows(d);
  const sheet = (name: string, t: string) => table(name, deepDiveColumns.slice(1), rows.filter((r) => r.table === t));
  return [
    aboutTable([
      ['place', d.place], ['name', d.name], ['place_version', d.place_version], ['financial_year', d.year],
      ['theme_code', d.theme.code], ['theme', d.theme.label], ['population', d.population],
      ['total_pounds', poundsFromPence(d.total_pence)], ['total_pence', d.total_pence], ['per_head_pence', d.per_head_pence],
      ['top_transactions', d.top_transactions.note],
      ...about, ...d.notes.map((n): [string, string] => ['note', n]),
    ]),
    sheet('Bodies', 'body'), sheet('Services', 'service'), sheet('Suppliers', 'supplier'), sheet('Months', 'month'), sheet('Prevention', 'prevention'),
    table('Top transactions', lineCols, d.top_transactions.lines),
  ];
}

/** A workbook of ledger lines is refused, before anything is sent, when the filter matches too many. */
export function checkXlsxSize(totalLines: number, max = XLSX_MAX_ROWS): void {
  if (totalLines > max) {
    throw new BadRequest(`The filter matches ${totalLines.toLocaleString('en-GB')} lines, but a workbook holds at most ${max.toLocaleString('en-GB')}. Narrow the filter (by year, month or theme), or download CSV, which has no limit.`);
  }
}
