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

function conditions(f: LineFilter) {
  const params: unknown[] = [[...new Set(f.bodyCodes)]];
  const where: string[] = [];
  const rollupWhere: string[] = ['body_code = ANY($1::text[])'];
  const add = (cond: string, v: unknown, rollupCond?: string) => {
    params.push(v);
    where.push(cond.replace('?', `$${params.length}`));
    if (rollupCond) rollupWhere.push(rollupCond.replace('?', `$${params.length}`));
  };
  if (f.year) add('s.financial_year = ?', f.year, 'financial_year = ?');
  if (f.month) add(`to_char(s.payment_date, 'YYYY-MM') = ?`, f.month, 'month = ?');
  if (f.theme) add('s.theme_code = ?', f.theme, 'theme_code = ?');
  if (f.cofog) add(`coalesce(s.cofog_code, '') = ?`, f.cofog === 'unknown' ? '' : f.cofog, 'cofog_code = ?');
  if (f.prevention) add(`coalesce(s.prevention_code, '') = ?`, f.prevention === 'unknown' ? '' : f.prevention, 'prevention_code = ?');
  if (f.payeeBody) add('s.payee_body_code = ?', f.payeeBody, 'payee_body_code = ?');
  if (f.supplier) {
    add(`s.supplier_name ILIKE ?`, `%${f.supplier.replace(/[\\%_]/g, (c) => '\\' + c)}%`);
    // Searching by name must not reveal that a person was paid, nor how much.
    if (f.publicView) where.push(`s.payee_kind NOT IN ('individual', 'redacted')`);
  }
  return { params, where, rollupWhere, cond: ['s.body_code = ANY($1::text[])', ...where].join(' AND ') };
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

/**
 * One page of the lines matching a filter. Ordered by amount, the page is the top N of each body (a top-N
 * scan of the index spend_line_theme_amount when a theme is given) merged, rather than a sort of every
 * matching line; in source order with `after`, a range scan of the primary key.
 */
export async function listLines(sql: Sql, f: LineFilter): Promise<LedgerLine[]> {
  const { params, where, cond } = conditions(f);
  const limit = Math.min(Math.max(f.limit ?? 100, 1), 10000);
  const offset = Math.max(f.offset ?? 0, 0);
  const supplier = f.publicView
    ? `CASE s.payee_kind WHEN 'individual' THEN 'Individual (name withheld)' WHEN 'redacted' THEN 'Redacted by the publisher' ELSE s.supplier_name END`
    : 's.supplier_name';
  const columns = `s.body_code, s.file_id::int AS file_id, s.line_id, f.file_name, s.sheet, s.line_no, s.payment_date::text AS payment_date,
            s.financial_year, s.amount_pence, ${supplier} AS supplier_name, s.payee_kind, s.payee_body_code, s.service_area,
            s.expense_type, ${f.publicView ? `CASE WHEN s.payee_kind = 'individual' THEN NULL ELSE s.description END` : 's.description'} AS description,
            s.theme_code, s.cofog_code, s.prevention_code, s.rule_id`;
  let lines: LedgerLine[];
  if (f.order === 'date' || f.order === 'source') {
    let keyset = '';
    if (f.order === 'source' && f.after) {
      params.push(f.after.body_code, f.after.file_id, f.after.line_id);
      const n = params.length;
      keyset = ` AND (s.body_code, s.file_id, s.line_id) > ($${n - 2}::text, $${n - 1}::bigint, $${n}::int)`;
    }
    const order = f.order === 'date' ? 's.payment_date, s.body_code, s.file_id, s.line_id' : 's.body_code, s.file_id, s.line_id';
    lines = await sql.query<LedgerLine>(
      `SELECT ${columns}
         FROM spend_line s JOIN source_file f ON f.body_code = s.body_code AND f.file_id = s.file_id
        WHERE ${cond}${keyset} ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`, params);
  } else {
    // The largest (offset + limit) of each body (an index top-N scan each), then merged.
    const perBody = ['s.body_code = b.code', ...where].join(' AND ');
    lines = await sql.query<LedgerLine>(
      `SELECT ${columns}
         FROM unnest($1::text[]) b(code)
        CROSS JOIN LATERAL (SELECT * FROM spend_line s WHERE ${perBody}
                             ORDER BY abs(s.amount_pence) DESC, s.file_id, s.line_id LIMIT ${limit + offset}) s
         JOIN source_file f ON f.body_code = s.body_code AND f.file_id = s.file_id
        ORDER BY abs(s.amount_pence) DESC, s.body_code, s.file_id, s.line_id LIMIT ${limit} OFFSET ${offset}`, params);
  }
  return lines.map((l) => ({ ...l, amount_pence: Number(l.amount_pence) }));
}

/** The lines matching a filter, a page at a time, with the count and sum of all of them. */
export async function findLines(sql: Sql, f: LineFilter): Promise<{ lines: LedgerLine[]; total_lines: number; total_pence: number }> {
  const totals = await countLines(sql, f);
  return { lines: await listLines(sql, f), ...totals };
}
