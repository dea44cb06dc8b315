// The exact rollup of the ledger (spend_rollup), one row per file x year x month x classification.
// Built from spend_line in SQL so it can always be checked against, and rebuilt from, a full scan.
import type { Sql } from '../db/database.ts';

/** Rebuilds spend_rollup rows for one body (or every body) from spend_line. Run inside a transaction. */
export async function rebuildRollups(tx: Sql, bodyCode?: string, fileId?: number): Promise<void> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (bodyCode !== undefined) { params.push(bodyCode); where.push(`body_code = $${params.length}`); }
  if (fileId !== undefined) { params.push(fileId); where.push(`file_id = $${params.length}`); }
  const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
  await tx.query(`DELETE FROM spend_rollup ${cond}`, params);
  await tx.query(
    `INSERT INTO spend_rollup (body_code, file_id, financial_year, month, theme_code, cofog_code, prevention_code, classified, payee_body_code, lines, amount_pence)
     SELECT body_code, file_id, financial_year, to_char(payment_date, 'YYYY-MM'), theme_code,
            coalesce(cofog_code, ''), coalesce(prevention_code, ''), rule_id IS NOT NULL, coalesce(payee_body_code, ''), count(*), sum(amount_pence)
       FROM spend_line ${cond}
      GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9`,
    params,
  );
}
