// The ledger lines behind a figure: every total on a page or in a report can be opened to its
// transactions, each with the file, sheet and line it came from.
import type { Sql } from '../db/database.ts';

export interface LineFilter {
  bodyCodes: string[];
  year?: string;
  month?: string;          // 'YYYY-MM'
  theme?: string;
  cofog?: string;
  prevention?: string;
  payeeBody?: string;      // lines paid to this registered body
  supplier?: string;       // supplier name contains (case-insensitive)
  limit?: number;
  offset?: number;
  /** amount: largest first; date: oldest first; source: by body, file and line, as published. */
  order?: 'amount' | 'date' | 'source';
  /** With order 'source': only the lines after this one, so a long listing is read page by page along the
   * primary key (keyset paging) instead of skipping `offset` lines again for every page. */
  after?: LineKey;
  /** Public views never show individuals' names or redacted payees, nor find them by name. */
  publicView?: boolean;
}

export interface LineKey { body_code: string; file_id: number; line_id: number }

export interface LedgerLine {
  body_code: string; file_id: number; line_id: number; file_name: string; sheet: string | null; line_no: number;
  payment_date: string; financial_year: string; amount_pence: number; supplier_name: string | null; payee_kind: string;
  payee_body_code: string | null; service_area: string | null; expense_type: string | null; description: string | null;
  theme_code: string; cofog_code: string | null; prevention_code: string | null; rule_id: number | null;
}

/** Fields of a line that live on the line itself; the rest come from its group (src/db/migrations/012_star_ledger.sql). */
const LINE_FIELDS = new Set(['body_code', 'file_id', 'line_id', 'line_no', 'payment_date', 'amount_pence', 'financial_year']);

/** Fields of a spend_top_line row. */
const TOP_LINE_FIELDS = new Set([...LINE_FIELDS, 'theme_code']);

/**
 * The filter as SQL over a line alias and a group alias (both 's' over the spend_line view; 't' and 'g'
 * over spend_top_line and spend_group_detail).
 */
function conditions(f: LineFilter, line = 's', group = 's', lineFields = LINE_FIELDS) {
  const col = (c: string) => `${lineFields.has(c) ? line : group}.${c}`;
  const params: unknown[] = [[...new Set(f.bodyCodes)]];
  const where: string[] = [];
  const rollupWhere: string[] = ['body_code = ANY($1::text[])'];
  const add = (cond: string, v: unknown, rollupCond?: string) => {
    params.push(v);
    where.push(cond.replace('?', `$${params.length}`));
    if (rollupCond) rollupWhere.push(rollupCond.replace('?', `$${params.length}`));
  };
  if (f.year) add(`${col('financial_year')} = ?`, f.year, 'financial_year = ?');
  if (f.month) add(`to_char(${col('payment_date')}, 'YYYY-MM') = ?`, f.month, 'month = ?');
  if (f.theme) add(`${col('theme_code')} = ?`, f.theme, 'theme_code = ?');
  if (f.cofog) add(`coalesce(${col('cofog_code')}, '') = ?`, f.cofog === 'unknown' ? '' : f.cofog, 'cofog_code = ?');
  if (f.prevention) add(`coalesce(${col('prevention_code')}, '') = ?`, f.prevention === 'unknown' ? '' : f.prevention, 'prevention_code = ?');
  if (f.payeeBody) add(`${col('payee_body_code')} = ?`, f.payeeBody, 'payee_body_code = ?');
  if (f.supplier) {
    add(`${col('supplier_name')} ILIKE ?`, `%${f.supplier.replace(/[\\%_]/g, (c) => '\\' + c)}%`);
    // Searching by name must not reveal that a person was paid, nor how much.
    if (f.publicView) where.push(`${col('payee_kind')} NOT IN ('individual', 'redacted')`);
  }
  return { params, where, rollupWhere, cond: [`${line}.body_code = ANY($1::text[])`, ...where].join(' AND ') };
}

/**
 * The count and sum of the lines matching a filter (limit, offset, order and after are ignored). From
 * spend_rollup when the filter uses only its dimensions (everything but supplier), so they cost no scan.
 */
export async function countLines(sql: Sql, f: LineFilter): Promise<{ total_lines: number; total_pence: number }> {
  const { params, rollupWhere, cond } = conditions(f);
  const [tot] = f.supplier
    ? await sql.query<{ n: number; p: number | null }>(`SELECT count(*)::int AS n, sum(s.amount_pence)::bigint AS p FROM spend_line s WHERE ${cond}`, params)
    : await sql.query<{ n: number; p: number | null }>(`SELECT coalesce(sum(lines), 0)::int AS n, sum(amount_pence)::bigint AS p FROM spend_rollup WHERE ${rollupWhere.join(' AND ')}`, params);
  return { total_lines: Number(tot!.n), total_pence: Number(tot!.p ?? 0) };
}

function columns(f: LineFilter, line: string, group: string, fy: string): string {
  const supplier = f.publicView
    ? `CASE ${group}.payee_kind WHEN 'individual' THEN 'Individual (name withheld)' WHEN 'redacted' THEN 'Redacted by the publisher' ELSE ${group}.supplier_name END`
    : `${group}.supplier_name`;
  return `${line}.body_code, ${line}.file_id::int AS file_id, ${line}.line_id, f.file_name, ${group}.sheet, ${line}.line_no, ${line}.payment_date::text AS payment_date,
            ${fy} AS financial_year, ${line}.amount_pence, ${supplier} AS supplier_name, ${group}.payee_kind, ${group}.payee_body_code, ${group}.service_area,
            ${group}.expense_type, ${f.publicView ? `CASE WHEN ${group}.payee_kind = 'individual' THEN NULL ELSE ${group}.description END` : `${group}.description`} AS description,
            ${group}.theme_code, ${group}.cofog_code, ${group}.prevention_code, ${group}.rule_id`;
}

/**
 * The largest lines from the top-lines lists (each file's TOP_LINES largest per year and theme), or null
 * when the lists cannot answer exactly: some file has lines left off its list that could belong on the page.
 * A page is exact when its last line is larger than every list's cutoff (every line left off a list is no
 * larger than its cutoff), or, for a short page, when no list in scope left anything off.
 */
async function largestFromTopLists(sql: Sql, f: LineFilter, limit: number, offset: number): Promise<LedgerLine[] | null> {
  // A top list is per theme: filtering on its own theme_code lets its index answer (not the group's, after a join).
  const { params, cond } = conditions(f, 't', 'g', TOP_LINE_FIELDS);
  const cutWhere = ['body_code = ANY($1::text[])', 'cutoff_abs IS NOT NULL'];
  const cutParams: unknown[] = [params[0]];
  if (f.year) { cutParams.push(f.year); cutWhere.push(`financial_year = $${cutParams.length}`); }
  if (f.theme) { cutParams.push(f.theme); cutWhere.push(`theme_code = $${cutParams.length}`); }
  const [cut] = await sql.query<{ c: number | null }>(`SELECT max(cutoff_abs)::bigint AS c FROM spend_top_cut WHERE ${cutWhere.join(' AND ')}`, cutParams);
  const cutoff = cut?.c === null || cut?.c === undefined ? null : Number(cut.c);
  const order = 'abs(t.amount_pence) DESC, t.body_code, t.file_id, t.line_id';
  // Filtered by the list's own fields only, the page is cut before the join, so only its lines' groups are read.
  const onList = !(f.cofog || f.prevention || f.payeeBody || f.supplier);
  const from = onList
    ? `(SELECT * FROM spend_top_line t WHERE ${cond} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}) t`
    : 'spend_top_line t';
  const lines = await sql.query<LedgerLine>(
    `SELECT ${columns(f, 't', 'g', 't.financial_year')}
       FROM ${from}
       JOIN spend_group_detail g ON g.body_code = t.body_code AND g.file_id = t.file_id AND g.group_id = t.group_id
       JOIN source_file f ON f.body_code = t.body_code AND f.file_id = t.file_id
      ${onList ? '' : `WHERE ${cond}`}
      ORDER BY ${order} LIMIT ${limit} ${onList ? '' : `OFFSET ${offset}`}`, params);
  if (cutoff === null) return lines;
  const last = lines[lines.length - 1];
  if (lines.length === limit && last && Math.abs(Number(last.amount_pence)) > cutoff) return lines;
  return null;
}

/**
 * One page of the lines matching a filter. Largest first, from the top-lines lists when they answer
 * exactly (an index scan), otherwise by a scan of the matching files' lines; in date or source order, a
 * scan and sort of the matching lines.
 */
export async function listLines(sql: Sql, f: LineFilter): Promise<LedgerLine[]> {
  const { params, cond } = conditions(f);
  const limit = Math.min(Math.max(f.limit ?? 100, 1), 10000);
  const offset = Math.max(f.offset ?? 0, 0);
  let lines: LedgerLine[] | null = null;
  if (f.order === 'date' || f.order === 'source') {
    let keyset = '';
    if (f.order === 'source' && f.after) {
      params.push(f.after.body_code, f.after.file_id, f.after.line_id);
      const n = params.length;
      keyset = ` AND (s.body_code, s.file_id, s.line_id) > ($${n - 2}::text, $${n - 1}::bigint, $${n}::int)`;
    }
    const order = f.order === 'date' ? 's.payment_date, s.body_code, s.file_id, s.line_id' : 's.body_code, s.file_id, s.line_id';
    lines = await sql.query<LedgerLine>(
      `SELECT ${columns(f, 's', 's', 's.financial_year')}
         FROM spend_line s JOIN source_file f ON f.body_code = s.body_code AND f.file_id = s.file_id
        WHERE ${cond}${keyset} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`, params);
  } else {
    lines = await largestFromTopLists(sql, f, limit, offset);
    lines ??= await sql.query<LedgerLine>(
      `SELECT ${columns(f, 's', 's', 's.financial_year')}
         FROM spend_line s JOIN source_file f ON f.body_code = s.body_code AND f.file_id = s.file_id
        WHERE ${cond}
        ORDER BY abs(s.amount_pence) DESC, s.body_code, s.file_id, s.line_id LIMIT ${limit} OFFSET ${offset}`, params);
  }
  return lines.map((l) => ({ ...l, amount_pence: Number(l.amount_pence) }));
}

/** The lines matching a filter, a page at a time, with the count and sum of all of them. */
export async function findLines(sql: Sql, f: LineFilter): Promise<{ lines: LedgerLine[]; total_lines: number; total_pence: number }> {
  const totals = await countLines(sql, f);
  return { lines: await listLines(sql, f), ...totals };
}
