// SQL for the spend store: source files, lines, rejections and rollups. A file is written inside the
// caller's transaction, so a failure or a kill half-way leaves nothing of it.
import { createHash } from 'node:crypto';
import type { Database, Sql } from '../db/database.ts';
import { CODING_COLUMNS, copyText, FACT_COLUMNS, GROUP_COLUMNS, PAYEE_COLUMNS, TEXT_COLUMNS, type Rejection } from '../ingest/rows.ts';
import type { ProduceSummary } from '../ingest/produce.ts';
import { addFileToSupplierTotals, INDIVIDUALS_LABEL, recomputeSupplierTotalsWithout, REDACTED_LABEL, ROLLUP_TABLES } from './rollup.ts';

export interface SourceFileRecord {
  body_code: string; file_id: number; file_name: string; file_path: string; checksum: string;
  size_bytes: number; format: string; encoding: string | null; mapping: unknown;
  rows_loaded: number; rows_rejected: number; total_pence: number; loaded_at: string; loaded_by: string;
}

/** Starts a file's record; its checksum is set at the end, once every byte has been read. */
export async function beginSourceFile(tx: Sql, f: { bodyCode: string; name: string; path: string; size: number; format: string; actor: string }): Promise<number> {
  const rows = await tx.query<{ file_id: number }>(
    `INSERT INTO source_file (body_code, file_name, file_path, checksum, size_bytes, format, mapping, rows_loaded, rows_rejected, total_pence, loaded_by)
     VALUES ($1, $2, $3, 'pending:' || nextval('source_file_id_seq'), $4, $5, '{}', 0, 0, 0, $6) RETURNING file_id`,
    [f.bodyCode, f.name, f.path, f.size, f.format, f.actor],
  );
  return Number(rows[0]!.file_id);
}

/** Removes earlier loads of the same bytes for this body (a file loaded twice replaces itself). */
export async function removeEarlierCopies(tx: Sql, bodyCode: string, checksum: string, keepFileId: number): Promise<number[]> {
  const old = await tx.query<{ file_id: number }>(
    'SELECT file_id FROM source_file WHERE body_code = $1 AND checksum = $2 AND file_id <> $3', [bodyCode, checksum, keepFileId]);
  const ids = old.map((r) => Number(r.file_id));
  if (ids.length) await deleteFiles(tx, bodyCode, ids);
  return ids;
}

export async function deleteFiles(tx: Sql, bodyCode: string, fileIds: number[]): Promise<void> {
  await recomputeSupplierTotalsWithout(tx, bodyCode, fileIds);
  for (const id of fileIds) await tx.exec(`DROP TABLE IF EXISTS ${factTable(id)}`);
  for (const table of ['spend_payee', 'spend_coding', 'spend_text', 'spend_group', 'spend_top_line', 'spend_top_cut', 'rejected_row', ...ROLLUP_TABLES, 'source_file']) {
    await tx.query(`DELETE FROM ${table} WHERE body_code = $1 AND file_id = ANY($2::bigint[])`, [bodyCode, fileIds]);
  }
}

// ---- The fact tables: spend_fact -> one partition per body -> one table per file ----
// ---- The groups: spend_group -> one partition per body ----

/** The table holding one file's lines. */
export function factTable(fileId: number): string {
  if (!Number.isSafeInteger(fileId) || fileId <= 0) throw new Error(`not a file id: ${fileId}`);
  return `spend_fact_f${fileId}`;
}

/** The partition of spend_fact holding a body's files (named from a hash, since body codes are free text). */
export function bodyFactTable(bodyCode: string): string {
  return `spend_fact_b_${bodyHash(bodyCode)}`;
}

/** The partition of spend_group holding a body's groups. */
export function bodyGroupTable(bodyCode: string): string {
  return `spend_group_b_${bodyHash(bodyCode)}`;
}

function bodyHash(bodyCode: string): string {
  return createHash('md5').update(bodyCode).digest('hex').slice(0, 16);
}

async function tableExists(sql: Sql, table: string): Promise<boolean> {
  return (await sql.query(`SELECT 1 FROM pg_class WHERE relname = $1 AND relnamespace = current_schema()::regnamespace`, [table])).length > 0;
}

/**
 * Makes the body's partition of spend_fact if it has none. Run in a transaction of its own, before a load:
 * creating a partition locks spend_fact against readers until its transaction ends.
 */
export async function ensureBodyFactTable(db: Database, bodyCode: string): Promise<void> {
  const table = bodyFactTable(bodyCode);
  if (await tableExists(db, table)) return;
  try {
    await db.transaction(async (tx) => {
      if (await tableExists(tx, table)) return;
      await tx.exec(`CREATE TABLE ${table} PARTITION OF spend_fact FOR VALUES IN (${sqlLiteral(bodyCode)}) PARTITION BY LIST (file_id)`);
    });
  } catch (err) {
    // Another process made it at the same moment.
    if (!(await tableExists(db, table))) throw err;
  }
}

function sqlLiteral(v: string): string {
  return `'${v.replace(/'/g, "''")}'`;
}

/**
 * Starts a file's tables: its fact table, a plain table shaped like spend_fact with the body and file as
 * defaults (COPY sends neither) and a CHECK that lets attachFileTables skip re-reading every line. A body's
 * first load also starts the body's partition of spend_group as a plain table with no key: its groups are
 * copied in bare and the key built once, sorting, when it is attached (on PGlite a key kept up row by row
 * costs 5-25 us a row: 5M lines' groups took 8.3 s that way, 4.0-4.5 s this way). Later loads of the body add
 * to its partition, key and all. True when the group table is new (attachFileTables attaches it).
 */
export async function createFileTables(tx: Sql, bodyCode: string, fileId: number): Promise<boolean> {
  const t = factTable(fileId), g = bodyGroupTable(bodyCode), b = sqlLiteral(bodyCode);
  await tx.exec(`CREATE TABLE ${t} (LIKE spend_fact);
    ALTER TABLE ${t} ALTER COLUMN body_code SET DEFAULT ${b}, ALTER COLUMN file_id SET DEFAULT ${fileId},
      ADD CONSTRAINT ${t}_key CHECK (body_code = ${b} AND file_id = ${fileId})`);
  if (await tableExists(tx, g)) return false;
  // Two first loads of one body at once (PostgreSQL): the second waits here until the first ends, then adds
  // to the partition the first made (or makes it, if the first failed). Looked for again under the lock.
  await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`totalplace:spend_group:${bodyCode}`]);
  if (await tableExists(tx, g)) return false;
  await tx.exec(`CREATE TABLE ${g} (LIKE spend_group); ALTER TABLE ${g} ADD CONSTRAINT ${g}_key CHECK (body_code = ${b})`);
  return true;
}

export function copyFactLines(tx: Sql, fileId: number, chunks: AsyncIterable<string | Uint8Array>): Promise<void> {
  return tx.copyIn(factTable(fileId), [...FACT_COLUMNS], chunks);
}

/**
 * Makes a loaded file's lines (and a body's first groups, `newGroupTable`) part of the ledger, at the end of
 * the load: a brief lock that readers do not wait for. Attaching a body's new group table builds its key.
 */
export async function attachFileTables(tx: Sql, bodyCode: string, fileId: number, newGroupTable: boolean): Promise<void> {
  await tx.exec(`ALTER TABLE ${bodyFactTable(bodyCode)} ATTACH PARTITION ${factTable(fileId)} FOR VALUES IN (${fileId})`);
  if (newGroupTable) await tx.exec(`ALTER TABLE spend_group ATTACH PARTITION ${bodyGroupTable(bodyCode)} FOR VALUES IN (${sqlLiteral(bodyCode)})`);
}

/** A file's dimensions, groups (into its body's partition, createFileTables), largest lines and their cuts, as COPY text made while it was parsed. */
export async function insertDimensions(tx: Sql, bodyCode: string, s: Pick<ProduceSummary, 'payees' | 'codings' | 'texts' | 'groups' | 'topLines' | 'topCuts'>): Promise<void> {
  await tx.copyIn('spend_payee', [...PAYEE_COLUMNS], s.payees);
  await tx.copyIn('spend_coding', [...CODING_COLUMNS], s.codings);
  await tx.copyIn('spend_text', [...TEXT_COLUMNS], s.texts);
  await tx.copyIn(bodyGroupTable(bodyCode), [...GROUP_COLUMNS], s.groups);
  await tx.copyIn('spend_top_line', ['body_code', 'file_id', 'financial_year', 'theme_code', ...FACT_COLUMNS], s.topLines);
  await tx.copyIn('spend_top_cut', ['body_code', 'file_id', 'financial_year', 'theme_code', 'lines', 'listed', 'cutoff_abs'], s.topCuts);
}

export async function finishSourceFile(tx: Sql, f: {
  bodyCode: string; fileId: number; checksum: string; encoding: string | null; mapping: unknown;
  rowsLoaded: number; rowsRejected: number; totalPence: number;
}): Promise<void> {
  await tx.query(
    `UPDATE source_file SET checksum = $3, encoding = $4, mapping = $5, rows_loaded = $6, rows_rejected = $7, total_pence = $8
      WHERE body_code = $1 AND file_id = $2`,
    [f.bodyCode, f.fileId, f.checksum, f.encoding, JSON.stringify(f.mapping), f.rowsLoaded, f.rowsRejected, f.totalPence],
  );
}

export async function insertRejections(tx: Sql, bodyCode: string, fileId: number, rejections: Rejection[]): Promise<void> {
  if (!rejections.length) return;
  const b = copyText(bodyCode);
  await tx.copyIn('rejected_row', ['body_code', 'file_id', 'seq', 'sheet', 'line_no', 'column_name', 'reason', 'raw'],
    copyRows(rejections.entries(), ([i, r]) => [b, fileId, i + 1, copyText(r.sheet), r.line, copyText(r.column), copyText(r.reason), copyText(r.raw)].join('\t') + '\n'));
}

/**
 * COPY text for many rows, a few thousand rows per chunk, letting the event loop turn between chunks:
 * the web server loads uploads in its own process and must keep answering while it does.
 */
export async function* copyRows<T>(rows: Iterable<T>, format: (row: T) => string, perChunk = 5000): AsyncGenerator<string> {
  let part: string[] = [];
  for (const row of rows) {
    part.push(format(row));
    if (part.length === perChunk) {
      yield part.join('');
      part = [];
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  if (part.length) yield part.join('');
}

export interface RollupCell { financialYear: string; month: string; theme: string; cofog: string; prevention: string; classified: boolean; payeeBody: string; lines: number; pence: number }

export async function insertRollups(tx: Sql, bodyCode: string, fileId: number, cells: Iterable<RollupCell>): Promise<void> {
  const b = copyText(bodyCode);
  await tx.copyIn('spend_rollup', ['body_code', 'file_id', 'financial_year', 'month', 'theme_code', 'cofog_code', 'prevention_code', 'classified', 'payee_body_code', 'lines', 'amount_pence'],
    copyRows(cells, (c) => [b, fileId, c.financialYear, c.month, copyText(c.theme), copyText(c.cofog), copyText(c.prevention), c.classified ? 't' : 'f', copyText(c.payeeBody), c.lines, c.pence].join('\t') + '\n'));
}

/** Deep-dive tallies made while a file is parsed (src/ingest/produce.ts). */
export type ServiceTally = [year: string, theme: string, service: string, payeeBody: string, lines: number, pence: number];
export type SupplierTally = [year: string, theme: string, payeeKind: string, supplierKey: string, payeeBody: string, lines: number, pence: number];

/** COPY line for spend_rollup_service. */
export function serviceRollupLine(bodyCode: string, fileId: number): (t: ServiceTally) => string {
  const b = copyText(bodyCode);
  return ([fy, theme, service, payee, lines, pence]) => [b, fileId, fy, copyText(theme), copyText(service), copyText(payee), lines, pence].join('\t') + '\n';
}

/** COPY line for spend_rollup_supplier (individuals and redacted payees under their fixed labels). */
export function supplierRollupLine(bodyCode: string, fileId: number): (t: SupplierTally) => string {
  const b = copyText(bodyCode);
  return ([fy, theme, kind, key, payee, lines, pence]) => [b, fileId, fy, copyText(theme), kind, copyText(key), copyText(payee), copyText(supplierLabel(kind, key)), lines, pence].join('\t') + '\n';
}

/** The supplier rollup's label (SUPPLIER_LABEL_SQL): the key, or the fixed label for withheld names. */
const supplierLabel = (kind: string, key: string) => (kind === 'individual' ? INDIVIDUALS_LABEL : kind === 'redacted' ? REDACTED_LABEL : key);

/** A row of spend_supplier_total made from one file's supplier tallies (see supplierTotalsOf). */
export type SupplierTotalTally = [year: string, theme: string, group: string, payeeBody: string, payeeKind: string, name: string, lines: number, pence: number, shared: boolean];

// The same test as addFileToSupplierTotals makes in SQL for the rows left to the database (text holds no NUL).
const ASCII = /^[\x00-\x7f]*$/;
const UPPER = /[A-Z]/;

/**
 * A file's supplier totals, as spend_supplier_total would hold them if the body had no other rows in their
 * years and themes: the tallies (in key order, as foldTallies sorts them) grouped as SUPPLIER_GROUP_SQL groups
 * them (kind:lower(name)), each with the least spelling, and shared when its group has another row here (under
 * another payee body). Made only for names in ASCII, where lower() and C-collation order are known here (the
 * load checks that the database collates that way); `complete` is false when some name is not, and the
 * database groups those rows itself. In key order (year, theme, group, payee body), as they are best inserted.
 */
export function supplierTotalsOf(suppliers: SupplierTally[]): { rows: SupplierTotalTally[]; complete: boolean } {
  const rows: SupplierTotalTally[] = [];
  let complete = true;
  // The run's rows that are grouped here: their group, payee body and place in `suppliers`.
  const group: string[] = [], payee: string[] = [], at: number[] = [], order: number[] = [];
  const byGroup = (a: number, b: number) => {
    const ga = group[a]!, gb = group[b]!;
    if (ga !== gb) return ga < gb ? -1 : 1;
    const pa = payee[a]!, pb = payee[b]!;
    return pa === pb ? 0 : pa < pb ? -1 : 1;
  };
  // One year and theme at a time (the tallies come sorted by them): its rows ordered by group, then merged.
  for (let i = 0; i < suppliers.length;) {
    const [fy, theme] = suppliers[i]!;
    let j = i;
    group.length = 0; payee.length = 0; at.length = 0; order.length = 0;
    for (; j < suppliers.length && suppliers[j]![0] === fy && suppliers[j]![1] === theme; j++) {
      const t = suppliers[j]!, key = t[3];
      if (!ASCII.test(key)) { complete = false; continue; }
      order.push(group.length);
      group.push(`${t[2]}:${UPPER.test(key) ? key.toLowerCase() : key}`);
      payee.push(t[4]);
      at.push(j);
    }
    order.sort(byGroup);
    let last: SupplierTotalTally | undefined;
    for (const k of order) {
      const [, , kind, key, p, lines, pence] = suppliers[at[k]!]!, g = group[k]!, name = supplierLabel(kind, key);
      if (last && last[2] === g && last[3] === p) { if (name < last[5]) last[5] = name; last[6] += lines; last[7] += pence; }
      else {
        // A second row of the group (under another payee body): both are shared.
        const shared = last !== undefined && last[2] === g;
        if (shared) last![8] = true;
        rows.push((last = [fy, theme, g, p, kind, name, lines, pence, shared]));
      }
    }
    i = j;
  }
  return { rows, complete };
}

/** COPY line for spend_supplier_total (columns SUPPLIER_TOTAL_COLUMNS; sharing with other bodies is marked afterwards). */
export function supplierTotalLine(bodyCode: string): (t: SupplierTotalTally) => string {
  const b = copyText(bodyCode);
  return ([fy, theme, group, payee, kind, name, lines, pence, shared]) =>
    [b, fy, copyText(theme), copyText(group), copyText(payee), kind, copyText(name), lines, pence, shared ? 't' : 'f'].join('\t') + '\n';
}

/**
 * The deep-dive rollups of one file, from the tallies made while it was parsed: as tallies, or as COPY
 * bytes already made by the parse worker (so a big file's tallies cost this thread nothing). The file's
 * suppliers are then added to its body's supplier totals (from `totals`, the file's own, when the body has
 * nothing to merge them with); `cells` (the file's spend_rollup cells) say which years and themes its lines fall in.
 */
export async function insertDeepDiveRollups(tx: Sql, bodyCode: string, fileId: number,
  services: ServiceTally[] | Uint8Array[], suppliers: SupplierTally[] | Uint8Array[], cells: Iterable<RollupCell>,
  totals?: { rows: SupplierTotalTally[] | Uint8Array[]; complete: boolean }): Promise<void> {
  const rows = <T>(v: T[] | Uint8Array[], line: (t: T) => string) => (v[0] instanceof Uint8Array ? v as Uint8Array[] : copyRows(v as T[], line));
  if (services.length) {
    await tx.copyIn('spend_rollup_service', ['body_code', 'file_id', 'financial_year', 'theme_code', 'service_area', 'payee_body_code', 'lines', 'amount_pence'],
      rows(services, serviceRollupLine(bodyCode, fileId)));
  }
  if (suppliers.length) {
    await tx.copyIn('spend_rollup_supplier', ['body_code', 'file_id', 'financial_year', 'theme_code', 'payee_kind', 'supplier_key', 'payee_body_code', 'supplier_name', 'lines', 'amount_pence'],
      rows(suppliers, supplierRollupLine(bodyCode, fileId)));
    const yearThemes = new Map<string, { financial_year: string; theme_code: string }>();
    for (const c of cells) yearThemes.set(`${c.financialYear}\0${c.theme}`, { financial_year: c.financialYear, theme_code: c.theme });
    await addFileToSupplierTotals(tx, bodyCode, fileId, [...yearThemes.values()],
      totals && { rows: totals.rows.length ? rows(totals.rows, supplierTotalLine(bodyCode)) : [], complete: totals.complete });
  }
}

export async function listSourceFiles(sql: Sql, bodyCode?: string): Promise<SourceFileRecord[]> {
  return sql.query<SourceFileRecord>(
    `SELECT body_code, file_id::int AS file_id, file_name, file_path, checksum, size_bytes::bigint AS size_bytes, format, encoding, mapping,
            rows_loaded, rows_rejected, total_pence, loaded_at::text AS loaded_at, loaded_by
       FROM source_file ${bodyCode ? 'WHERE body_code = $1' : ''} ORDER BY body_code, file_id`, bodyCode ? [bodyCode] : []);
}

export interface StoredRejection { body_code: string; file_id: number; file_name: string; sheet: string | null; line: number; column: string | null; reason: string; raw: string }

export async function listRejections(sql: Sql, filter: { bodyCode?: string; fileId?: number; limit?: number } = {}): Promise<StoredRejection[]> {
  const where: string[] = [], params: unknown[] = [];
  if (filter.bodyCode) { params.push(filter.bodyCode); where.push(`r.body_code = $${params.length}`); }
  if (filter.fileId) { params.push(filter.fileId); where.push(`r.file_id = $${params.length}`); }
  params.push(filter.limit ?? 100000);
  return sql.query<StoredRejection>(
    `SELECT r.body_code, r.file_id::int AS file_id, f.file_name, r.sheet, r.line_no AS line, r.column_name AS "column", r.reason, r.raw
       FROM rejected_row r JOIN source_file f ON f.body_code = r.body_code AND f.file_id = r.file_id
      ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY r.body_code, r.file_id, r.seq LIMIT $${params.length}`, params);
}
