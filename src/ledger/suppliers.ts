// Suppliers as published: what each body paid a named supplier, read from spend_rollup_supplier (exact,
// kept at load time). Names match case-insensitively; individuals and redacted payees are never a
// supplier here (their rows carry an empty supplier_key), so no person can be looked up by name.
import type { Sql } from '../db/database.ts';

export interface SupplierMatch { supplier_name: string; bodies: number; lines: number; total_pence: number }

export interface SupplierSummary {
  supplier_name: string;
  /** The spellings found, each with its total. */
  spellings: { supplier_name: string; lines: number; total_pence: number }[];
  year: string | null;
  lines: number;
  total_pence: number;
  by_body: { body_code: string; body_name: string; lines: number; total_pence: number }[];
  by_year: { financial_year: string; lines: number; total_pence: number }[];
  by_theme: { theme_code: string; label: string; lines: number; total_pence: number }[];
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => '\\' + c);

/** Suppliers whose name contains `text`, largest first. */
export async function searchSuppliers(sql: Sql, text: string, opts: { limit?: number; bodyCodes?: string[] } = {}): Promise<SupplierMatch[]> {
  const q = text.trim();
  if (q.length < 2) return [];
  const rows = await sql.query<SupplierMatch>(
    `SELECT min(supplier_key) AS supplier_name, count(DISTINCT body_code)::int AS bodies, sum(lines)::int AS lines, sum(amount_pence)::bigint AS total_pence
       FROM spend_rollup_supplier
      WHERE supplier_key <> '' AND supplier_key ILIKE $1 AND ($2::text[] IS NULL OR body_code = ANY($2::text[]))
      GROUP BY lower(supplier_key) ORDER BY 4 DESC LIMIT $3`,
    [`%${escapeLike(q)}%`, opts.bodyCodes ?? null, Math.min(opts.limit ?? 50, 500)]);
  return rows.map((r) => ({ ...r, total_pence: Number(r.total_pence) }));
}

/** A body's largest named suppliers (optionally in one year); individuals and redacted payees are never listed. */
export async function topSuppliers(sql: Sql, bodyCode: string, opts: { year?: string; limit?: number } = {}): Promise<SupplierMatch[]> {
  const rows = await sql.query<SupplierMatch>(
    `SELECT min(supplier_key) AS supplier_name, count(DISTINCT body_code)::int AS bodies, sum(lines)::int AS lines, sum(amount_pence)::bigint AS total_pence
       FROM spend_rollup_supplier
      WHERE body_code = $1 AND supplier_key <> '' AND ($2::text IS NULL OR financial_year = $2)
      GROUP BY lower(supplier_key) ORDER BY 4 DESC, 1 LIMIT $3`,
    [bodyCode, opts.year ?? null, Math.min(opts.limit ?? 20, 500)]);
  return rows.map((r) => ({ ...r, total_pence: Number(r.total_pence) }));
}

/** One supplier (any spelling differing only in case), across bodies, years and themes; null when never paid. */
export async function supplierSummary(sql: Sql, name: string, opts: { year?: string; bodyCodes?: string[] } = {}): Promise<SupplierSummary | null> {
  const key = name.trim();
  if (!key) return null;
  const params = [key.toLowerCase(), opts.year ?? null, opts.bodyCodes ?? null];
  const cond = `lower(r.supplier_key) = $1 AND r.supplier_key <> '' AND ($2::text IS NULL OR r.financial_year = $2) AND ($3::text[] IS NULL OR r.body_code = ANY($3::text[]))`;
  const group = <T>(select: string, join = '', by = '') => sql.query<T & { lines: number; total_pence: number }>(
    `SELECT ${select}, sum(r.lines)::int AS lines, sum(r.amount_pence)::bigint AS total_pence
       FROM spend_rollup_supplier r ${join} WHERE ${cond} GROUP BY ${by} ORDER BY total_pence DESC`, params);
  const spellings = await group<{ supplier_name: string }>('r.supplier_key AS supplier_name', '', 'r.supplier_key');
  if (spellings.length === 0) return null;
  const byBody = await group<{ body_code: string; body_name: string }>('r.body_code, max(b.name) AS body_name', 'LEFT JOIN body b ON b.code = r.body_code', 'r.body_code');
  const byYear = await group<{ financial_year: string }>('r.financial_year', '', 'r.financial_year');
  const byTheme = await group<{ theme_code: string; label: string }>('r.theme_code, max(t.label) AS label', 'LEFT JOIN theme t ON t.code = r.theme_code', 'r.theme_code');
  const num = <T extends { total_pence: number }>(rows: T[]) => rows.map((r) => ({ ...r, total_pence: Number(r.total_pence) }));
  const s = num(spellings);
  return {
    supplier_name: s[0].supplier_name, spellings: s, year: opts.year ?? null,
    lines: s.reduce((a, r) => a + r.lines, 0), total_pence: s.reduce((a, r) => a + r.total_pence, 0),
    by_body: num(byBody).map((b) => ({ ...b, body_name: b.body_name ?? b.body_code })),
    by_year: num(byYear).sort((a, b) => a.financial_year.localeCompare(b.financial_year)),
    by_theme: num(byTheme).map((t) => ({ ...t, label: t.label ?? t.theme_code })),
  };
}
