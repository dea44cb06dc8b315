// SQL for the spend store: source files, lines, rejections and rollups. A file is written inside the
// caller's transaction, so a failure or a kill half-way leaves nothing of it.
import type { Sql } from '../db/database.ts';
import { copyText, SPEND_LINE_COLUMNS, type Rejection } from '../ingest/rows.ts';
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
  for (const table of ['spend_line', 'rejected_row', ...ROLLUP_TABLES, 'source_file']) {
    await tx.query(`DELETE FROM ${table} WHERE body_code = $1 AND file_id = ANY($2::bigint[])`, [bodyCode, fileIds]);
  }
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

export function copySpendLines(tx: Sql, chunks: AsyncIterable<string | Uint8Array>): Promise<void> {
  return tx.copyIn('spend_line', [...SPEND_LINE_COLUMNS], chunks);
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
  const label = (kind: string, key: string) => (kind === 'individual' ? INDIVIDUALS_LABEL : kind === 'redacted' ? REDACTED_LABEL : key);
  return ([fy, theme, kind, key, payee, lines, pence]) => [b, fileId, fy, copyText(theme), kind, copyText(key), copyText(payee), copyText(label(kind, key)), lines, pence].join('\t') + '\n';
}

/**
 * The deep-dive rollups of one file, from the tallies made while it was parsed: as tallies, or as COPY
 * bytes already made by the parse worker (so a big file's tallies cost this thread nothing). The file's
 * suppliers are then added to its body's supplier totals.
 */
export async function insertDeepDiveRollups(tx: Sql, bodyCode: string, fileId: number,
  services: ServiceTally[] | Uint8Array, suppliers: SupplierTally[] | Uint8Array): Promise<void> {
  const rows = <T>(v: T[] | Uint8Array, line: (t: T) => string) => (v instanceof Uint8Array ? [v] : copyRows(v, line));
  if (services.length) {
    await tx.copyIn('spend_rollup_service', ['body_code', 'file_id', 'financial_year', 'theme_code', 'service_area', 'payee_body_code', 'lines', 'amount_pence'],
      rows(services, serviceRollupLine(bodyCode, fileId)));
  }
  if (suppliers.length) {
    await tx.copyIn('spend_rollup_supplier', ['body_code', 'file_id', 'financial_year', 'theme_code', 'payee_kind', 'supplier_key', 'payee_body_code', 'supplier_name', 'lines', 'amount_pence'],
      rows(suppliers, supplierRollupLine(bodyCode, fileId)));
    await addFileToSupplierTotals(tx, bodyCode, fileId);
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
