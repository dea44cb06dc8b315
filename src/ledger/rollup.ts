// The exact rollups of the ledger, built from spend_line in SQL so they can always be checked against,
// and rebuilt from, a full scan:
//   spend_rollup          one row per file x year x month x classification x payee body (the count)
//   spend_rollup_service  one row per file x year x theme x service area x payee body (deep dives)
//   spend_rollup_supplier one row per file x year x theme x supplier x payee body (deep dives); individuals
//                         and redacted payees are grouped as one row each, never named.
//   spend_supplier_total  spend_rollup_supplier merged over a body's files, spellings differing only in
//                         case grouped (deep dives rank suppliers from it); not per file, so a load adds to
//                         it and a deletion or rebuild recomputes the groups it touches.
//   spend_supplier_count  per body x year x theme, the suppliers no other row shares (so a place's distinct
//                         suppliers are counted without reading them all; see src/place/top-suppliers.ts).
import type { Sql } from '../db/database.ts';
import { TOP_LINES } from '../ingest/produce.ts';

/** The tables holding per-file rollups (deleted with their file). */
export const ROLLUP_TABLES = ['spend_rollup', 'spend_rollup_service', 'spend_rollup_supplier'] as const;

export const INDIVIDUALS_LABEL = 'Individuals (names withheld)';
export const REDACTED_LABEL = 'Redacted by the publisher';

/** The supplier rollup's key over spend_line (no alias): the name as published, '' when withheld or missing. */
export const SUPPLIER_KEY_SQL = `CASE WHEN payee_kind IN ('individual', 'redacted') THEN '' ELSE coalesce(supplier_name, '') END`;
/** The supplier rollup's label, from payee_kind and the key. */
export const SUPPLIER_LABEL_SQL = `CASE payee_kind WHEN 'individual' THEN '${INDIVIDUALS_LABEL}' WHEN 'redacted' THEN '${REDACTED_LABEL}' ELSE supplier_key END`;

function filter(bodyCode?: string, fileId?: number): { cond: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (bodyCode !== undefined) { params.push(bodyCode); where.push(`body_code = $${params.length}`); }
  if (fileId !== undefined) { params.push(fileId); where.push(`file_id = $${params.length}`); }
  return { cond: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
}

/** Fills the deep-dive rollups (service, supplier) from the lines selected by cond, stored in (body, year, theme) order as a load stores them. */
async function insertSecondary(tx: Sql, cond: string, params: unknown[]): Promise<void> {
  await tx.query(
    `INSERT INTO spend_rollup_service (body_code, file_id, financial_year, theme_code, service_area, payee_body_code, lines, amount_pence)
     SELECT body_code, file_id, financial_year, theme_code, coalesce(service_area, ''), coalesce(payee_body_code, ''), count(*), sum(amount_pence)
       FROM spend_line ${cond}
      GROUP BY 1, 2, 3, 4, 5, 6
      ORDER BY 1, 3, 4`,
    params,
  );
  await tx.query(
    `INSERT INTO spend_rollup_supplier (body_code, file_id, financial_year, theme_code, payee_kind, supplier_key, payee_body_code, supplier_name, lines, amount_pence)
     SELECT body_code, file_id, financial_year, theme_code, payee_kind, supplier_key, payee_body_code, ${SUPPLIER_LABEL_SQL}, lines, amount_pence
       FROM (SELECT body_code, file_id, financial_year, theme_code, payee_kind, ${SUPPLIER_KEY_SQL} AS supplier_key,
                    coalesce(payee_body_code, '') AS payee_body_code, count(*) AS lines, sum(amount_pence) AS amount_pence
               FROM spend_line ${cond}
              GROUP BY 1, 2, 3, 4, 5, 6, 7) s
      ORDER BY body_code, financial_year, theme_code`,
    params,
  );
}

/** spend_supplier_total's group: the payee kind and the name in lower case ('individual:', 'redacted:' for withheld names). */
const SUPPLIER_GROUP_SQL = `payee_kind || ':' || lower(supplier_key)`;
const SUPPLIER_TOTAL_INSERT = `INSERT INTO spend_supplier_total (body_code, financial_year, theme_code, supplier_group, payee_body_code, payee_kind, supplier_name, lines, amount_pence)
     SELECT body_code, financial_year, theme_code, ${SUPPLIER_GROUP_SQL}, payee_body_code, payee_kind, min(supplier_name), sum(lines), sum(amount_pence)
       FROM spend_rollup_supplier`;
// In key order: inserted that way, each row lands at the key's right-hand edge (a third less time for a big file).
const SUPPLIER_TOTAL_GROUP = `GROUP BY body_code, financial_year, theme_code, ${SUPPLIER_GROUP_SQL}, payee_body_code, payee_kind
     ORDER BY body_code, financial_year, theme_code, ${SUPPLIER_GROUP_SQL}, payee_body_code`;

/** Body, year and theme combinations of spend_supplier_total, as three parallel arrays (for unnest). */
type Triples = { body_code: string; financial_year: string; theme_code: string }[];
const IN_TRIPLES = `(body_code, financial_year, theme_code) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))`;
const tripleParams = (t: Triples) => [t.map((r) => r.body_code), t.map((r) => r.financial_year), t.map((r) => r.theme_code)];

/** The triples' years and themes at the other bodies (tripleParams in $1-$3). */
const AT_OTHER_BODIES = `(financial_year, theme_code) IN (SELECT * FROM unnest($2::text[], $3::text[])) AND NOT (body_code = ANY($1::text[]))`;
const MARK_SHARED = `u AS (UPDATE spend_supplier_total t SET shared = true FROM d
                 WHERE t.financial_year = d.financial_year AND t.theme_code = d.theme_code AND t.supplier_group = d.supplier_group AND NOT t.shared
                 RETURNING t.body_code, t.financial_year, t.theme_code)
     SELECT DISTINCT body_code, financial_year, theme_code FROM u`;

/**
 * After the supplier totals of some body, year and theme combinations changed: marks shared every row whose
 * group has another row in its year and theme (at any body), and recounts spend_supplier_count for those
 * combinations and for every other body's combination a newly marked row belongs to. `sharedHere`: the touched
 * rows (of one body) whose group has two rows at that body are marked already (supplierTotalsOf did it).
 */
async function refreshSupplierSharing(tx: Sql, touched: Triples, sharedHere = false): Promise<void> {
  if (!touched.length) return;
  const params = tripleParams(touched);
  // Each of the touched rows' groups is looked up at every body: one index probe per group. When one body
  // changed and the other bodies hold fewer rows in its years and themes (the first bodies of a place),
  // those rows are looked up at this body instead, and its own groups under two payee bodies found by a scan.
  const body = touched[0]!.body_code;
  let fromOthers = false;
  if (touched.every((t) => t.body_code === body)) {
    const [{ n: mine }] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM spend_supplier_total WHERE ${IN_TRIPLES}`, params);
    const [{ n: others }] = await tx.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM spend_supplier_total WHERE ${AT_OTHER_BODIES} LIMIT $4) o`, [...params, mine]);
    fromOthers = others < mine;
  }
  const flagged = fromOthers
    ? await tx.query<Triples[number]>(
      `WITH o AS MATERIALIZED (SELECT DISTINCT financial_year, theme_code, supplier_group FROM spend_supplier_total WHERE ${AT_OTHER_BODIES}),
            d AS MATERIALIZED (
              SELECT o.* FROM o
               WHERE EXISTS (SELECT 1 FROM spend_supplier_total s WHERE s.body_code = ANY($1::text[])
                                AND s.financial_year = o.financial_year AND s.theme_code = o.theme_code AND s.supplier_group = o.supplier_group)
              ${sharedHere ? '' : `UNION
              SELECT financial_year, theme_code, supplier_group FROM spend_supplier_total WHERE ${IN_TRIPLES}
               GROUP BY 1, 2, 3 HAVING count(*) > 1`}),
            ${MARK_SHARED}`, params)
    : await tx.query<Triples[number]>(
      `WITH g AS MATERIALIZED (SELECT DISTINCT financial_year, theme_code, supplier_group FROM spend_supplier_total WHERE ${IN_TRIPLES}),
            d AS MATERIALIZED (SELECT g.* FROM g
                                WHERE (SELECT count(*) FROM spend_supplier_total s
                                        WHERE s.financial_year = g.financial_year AND s.theme_code = g.theme_code AND s.supplier_group = g.supplier_group) > 1),
            ${MARK_SHARED}`, params);
  const all = new Map([...touched, ...flagged].map((t) => [`${t.body_code}\0${t.financial_year}\0${t.theme_code}`, t]));
  const counted = tripleParams([...all.values()]);
  await tx.query(`DELETE FROM spend_supplier_count WHERE ${IN_TRIPLES}`, counted);
  await tx.query(
    `INSERT INTO spend_supplier_count (body_code, financial_year, theme_code, plain_suppliers)
     SELECT body_code, financial_year, theme_code, count(*) FILTER (WHERE payee_body_code = '' AND NOT shared)
       FROM spend_supplier_total WHERE ${IN_TRIPLES} GROUP BY 1, 2, 3`, counted);
}

/** The columns of spend_supplier_total a load copies in. */
export const SUPPLIER_TOTAL_COLUMNS = ['body_code', 'financial_year', 'theme_code', 'supplier_group', 'payee_body_code', 'payee_kind', 'supplier_name', 'lines', 'amount_pence', 'shared'];

/**
 * True when the database lowers ASCII letters plainly and orders text by bytes (the C collation, as PGlite and
 * a C.UTF-8 server do): then a file's supplier totals grouped and ordered in JavaScript (supplierTotalsOf, for
 * names in ASCII) are exactly what SUPPLIER_TOTAL_INSERT would make.
 */
export const SAME_GROUPS_AS_JS = `lower('ABCDEFGHIJKLMNOPQRSTUVWXYZ') = 'abcdefghijklmnopqrstuvwxyz'
   AND (SELECT d.datcollate ~ '^(C|POSIX)([.@]|$)' AND coalesce(to_jsonb(d) ->> 'datlocprovider', 'c') = 'c'
          FROM pg_database d WHERE d.datname = current_database())`;

/**
 * Adds one file's rows of spend_rollup_supplier (already inserted) to spend_supplier_total. `yearThemes`: the
 * years and themes the file's lines fall in (its rollup cells say, so they need not be read back). `own`: the
 * file's supplier totals made while it was parsed (supplierTotalsOf), copied in as they are when the body has
 * nothing to merge them with and the database groups as they were grouped; `complete` false leaves the rows
 * with names not in ASCII to the database.
 */
export async function addFileToSupplierTotals(tx: Sql, bodyCode: string, fileId: number,
  yearThemes: { financial_year: string; theme_code: string }[],
  own?: { rows: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>; complete: boolean }): Promise<void> {
  const touched: Triples = yearThemes.map((t) => ({ body_code: bodyCode, financial_year: t.financial_year, theme_code: t.theme_code }));
  if (!touched.length) return;
  // A body's first file in a year and theme has nothing to merge with: a plain insert costs a third less
  // than one that looks for a conflict at every row, and on PostgreSQL copying the rows grouped while the file
  // was parsed costs a third less again (on PGlite about the same, but its sharing check then reads less).
  // Any other way of merging leaves the plan to row estimates that are stale in the middle of a load; ON
  // CONFLICT is a bounded cost per row.
  const [{ merge, same }] = await tx.query<{ merge: boolean; same: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM spend_supplier_total WHERE ${IN_TRIPLES}) AS merge, ${own ? SAME_GROUPS_AS_JS : 'false'} AS same`, tripleParams(touched));
  const mergeRows = `ON CONFLICT (body_code, financial_year, theme_code, supplier_group, payee_body_code) DO UPDATE
        SET lines = spend_supplier_total.lines + excluded.lines,
            amount_pence = spend_supplier_total.amount_pence + excluded.amount_pence,
            supplier_name = least(spend_supplier_total.supplier_name, excluded.supplier_name)`;
  // The copied rows come with their groups under two payee bodies here already marked shared.
  let sharedHere = false;
  if (own && !merge && same) {
    await tx.copyIn('spend_supplier_total', SUPPLIER_TOTAL_COLUMNS, own.rows);
    sharedHere = own.complete;
    // The names supplierTotalsOf left out (not ASCII: its ASCII test, in SQL). One may still lower into a group
    // copied in (the Kelvin sign K is lowered to k): merged.
    if (!own.complete) {
      await tx.query(`${SUPPLIER_TOTAL_INSERT} WHERE body_code = $1 AND file_id = $2 AND supplier_key !~ '^[\\x01-\\x7f]*$' ${SUPPLIER_TOTAL_GROUP} ${mergeRows}`,
        [bodyCode, fileId]);
    }
  } else {
    await tx.query(`${SUPPLIER_TOTAL_INSERT} WHERE body_code = $1 AND file_id = $2 ${SUPPLIER_TOTAL_GROUP} ${merge ? mergeRows : ''}`, [bodyCode, fileId]);
  }
  await refreshSupplierSharing(tx, touched, sharedHere);
}

/**
 * Recomputes a body's supplier totals for the years and themes that files about to be deleted touch, from
 * the rows of its other files. Run before the files' rollup rows are deleted (it reads which years and themes
 * they hold); a total cannot simply be reduced, because its spelling may have come from a deleted file.
 */
export async function recomputeSupplierTotalsWithout(tx: Sql, bodyCode: string, fileIds: number[]): Promise<void> {
  const touched = await tx.query<Triples[number]>(
    'SELECT DISTINCT body_code, financial_year, theme_code FROM spend_rollup_supplier WHERE body_code = $1 AND file_id = ANY($2::bigint[])', [bodyCode, fileIds]);
  if (!touched.length) return;
  const params = tripleParams(touched);
  await tx.query(`DELETE FROM spend_supplier_total WHERE ${IN_TRIPLES}`, params);
  await tx.query(`${SUPPLIER_TOTAL_INSERT} WHERE ${IN_TRIPLES} AND NOT (file_id = ANY($4::bigint[])) ${SUPPLIER_TOTAL_GROUP}`, [...params, fileIds]);
  await refreshSupplierSharing(tx, touched);
}

/**
 * Fresh statistics for the planner after a load (PGlite has no autovacuum; on PostgreSQL it would come a
 * minute later): without them a fresh ledger's drill-down and deep-dive plans can be 10-20x slower.
 * The rollups themselves are tallied while the file is parsed (src/ingest/produce.ts). Of the partitioned
 * tables only the partitions of spend_group given are sampled (the loaded body's: ANALYZE of spend_group
 * would sample every body's again); the fact tables not at all: nothing reads them through an index, and
 * sampling a million lines costs more than the plans gain.
 */
export async function analyseLedger(tx: Sql, groupTables: string[]): Promise<void> {
  await tx.exec(`ANALYZE spend_payee, spend_coding, spend_text, ${groupTables.map((t) => `${t}, `).join('')}spend_top_line, spend_top_cut, spend_rollup, spend_rollup_service, spend_rollup_supplier, spend_supplier_total`);
}

/** Rebuilds every rollup for one body (or every body; or one file) from spend_line. Run inside a transaction. */
export async function rebuildRollups(tx: Sql, bodyCode?: string, fileId?: number): Promise<void> {
  const { cond, params } = filter(bodyCode, fileId);
  for (const table of ROLLUP_TABLES) await tx.query(`DELETE FROM ${table} ${cond}`, params);
  await tx.query(
    `INSERT INTO spend_rollup (body_code, file_id, financial_year, month, theme_code, cofog_code, prevention_code, classified, payee_body_code, lines, amount_pence)
     SELECT body_code, file_id, financial_year, to_char(payment_date, 'YYYY-MM'), theme_code,
            coalesce(cofog_code, ''), coalesce(prevention_code, ''), rule_id IS NOT NULL, coalesce(payee_body_code, ''), count(*), sum(amount_pence)
       FROM spend_line ${cond}
      GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9`,
    params,
  );
  await insertSecondary(tx, cond, params);
  // Supplier totals are per body, not per file: a rebuild of one file recomputes its body's.
  const body = filter(bodyCode);
  await tx.query(`DELETE FROM spend_supplier_total ${body.cond}`, body.params);
  await tx.query(`DELETE FROM spend_supplier_count ${body.cond}`, body.params);
  await tx.query(`${SUPPLIER_TOTAL_INSERT} ${body.cond} ${SUPPLIER_TOTAL_GROUP}`, body.params);
  await refreshSupplierSharing(tx, await tx.query<Triples[number]>(`SELECT DISTINCT body_code, financial_year, theme_code FROM spend_supplier_total ${body.cond}`, body.params));
}

/**
 * Recomputes the top-lines lists (spend_top_line, spend_top_cut) of one body's files (or every body's) from
 * their lines and groups: a reclassification can move lines between themes. TOP_LINES is the list length
 * a load keeps (src/ingest/produce.ts).
 */
export async function rebuildTopLines(tx: Sql, bodyCode?: string): Promise<void> {
  const { cond, params } = filter(bodyCode);
  const files = await tx.query<{ body_code: string; file_id: number }>(`SELECT body_code, file_id::int AS file_id FROM source_file ${cond} ORDER BY 1, 2`, params);
  for (const f of files) await tx.query('SELECT spend_top_rebuild($1, $2, $3)', [f.body_code, f.file_id, TOP_LINES]);
}
