// A body's totals by year, theme, COFOG division and prevention level, read from the rollup (never a
// scan of the ledger). test/ledger.test.ts checks these against a full scan.
import type { Sql } from '../db/database.ts';

export interface Summary {
  body: string;
  year: string | null;
  rows: number;
  total_pence: number;
  by_year: Record<string, { rows: number; total_pence: number }>;
  by_theme: Record<string, { label: string; rows: number; total_pence: number }>;
  by_cofog: Record<string, { label: string; rows: number; total_pence: number }>;
  by_prevention: Record<string, { label: string; rows: number; total_pence: number }>;
  classified_pence: number;
}

export async function bodySummary(sql: Sql, bodyCode: string, year?: string): Promise<Summary> {
  const params: unknown[] = [bodyCode];
  let cond = 'r.body_code = $1';
  if (year) { params.push(year); cond += ' AND r.financial_year = $2'; }
  const group = async (col: string, labelJoin: string) => sql.query<{ k: string; label: string | null; rows: number; pence: number }>(
    `SELECT r.${col} AS k, ${labelJoin ? 'max(t.label)' : 'NULL'} AS label, sum(r.lines)::bigint AS rows, sum(r.amount_pence)::bigint AS pence
       FROM spend_rollup r ${labelJoin} WHERE ${cond} GROUP BY r.${col} ORDER BY 4 DESC, 1`, params);
  const years = await group('financial_year', '');
  const themes = await group('theme_code', 'LEFT JOIN theme t ON t.code = r.theme_code');
  const cofog = await group('cofog_code', 'LEFT JOIN cofog_division t ON t.code = r.cofog_code');
  const prevention = await group('prevention_code', 'LEFT JOIN prevention_level t ON t.code = r.prevention_code');
  const classified = await sql.query<{ pence: number | null }>(`SELECT sum(amount_pence)::bigint AS pence FROM spend_rollup r WHERE ${cond} AND classified`, params);
  const s: Summary = {
    body: bodyCode, year: year ?? null, rows: 0, total_pence: 0, by_year: {}, by_theme: {}, by_cofog: {}, by_prevention: {},
    classified_pence: Number(classified[0]?.pence ?? 0),
  };
  for (const y of [...years].sort((a, b) => a.k.localeCompare(b.k))) {
    s.by_year[y.k] = { rows: Number(y.rows), total_pence: Number(y.pence) };
    s.rows += Number(y.rows); s.total_pence += Number(y.pence);
  }
  for (const t of themes) s.by_theme[t.k] = { label: t.label ?? t.k, rows: Number(t.rows), total_pence: Number(t.pence) };
  for (const t of cofog) s.by_cofog[t.k || 'unknown'] = { label: t.label ?? 'Not known', rows: Number(t.rows), total_pence: Number(t.pence) };
  for (const t of prevention) s.by_prevention[t.k || 'unknown'] = { label: t.label ?? 'Not known', rows: Number(t.rows), total_pence: Number(t.pence) };
  return s;
}

/** £1,234.56 from pence, exactly (no floating point). */
export function formatPence(pence: number): string {
  const neg = pence < 0;
  const abs = Math.abs(pence);
  const pounds = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}£${pounds}.${String(abs % 100).padStart(2, '0')}`;
}
