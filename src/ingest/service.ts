// Loads spend files for one body into the ledger: read -> find header -> map columns -> normalise ->
// classify -> COPY, each file in one transaction. Every non-blank data row ends up either as a ledger
// line or as a rejection with its reason; the same bytes loaded again replace the earlier copy.
import fs from 'node:fs';
import path from 'node:path';
import type { Database, Sql } from '../db/database.ts';
import { recordAudit } from '../db/audit.ts';
import { Classifier } from '../classify/classifier.ts';
import { createBody, findBody, type Body } from '../place/bodies.ts';
import type { NamedBody } from '../place/body-names.ts';
import { analyseLedger } from '../ledger/rollup.ts';
import type { ColumnAssignment, SavedMapping } from './mapping.ts';
import { detectFormat, openSource, UnreadableFileError, type OpenedSource } from './read/source.ts';
import { getSavedMapping } from './saved-mapping.ts';
import { produceCopy, type ClassifierInput, type ProduceInput, type ProduceSummary } from './produce.ts';
import { workerChunks } from './parse-pool.ts';
import {
  attachFileTables, beginSourceFile, bodyGroupTable, copyFactLines, createFileTables, ensureBodyFactTable, finishSourceFile, insertDeepDiveRollups,
  insertDimensions, insertRejections, insertRollups, removeEarlierCopies,
} from '../ledger/repository.ts';

/** A problem the user must fix (bad file, unknown body); the message is shown as it stands. */
export class IngestError extends Error {}

export interface IngestOptions {
  bodyCode: string;
  /** Creates the body when the code is new. */
  bodyName?: string;
  bodyType?: string;
  actor: string;
  maxBytes?: number;
  /** Lines per COPY chunk. */
  batchLines?: number;
  onProgress?: (p: { file: string; lines: number }) => void;
  /** Column mapping (header -> field) for these files, used on top of the body's saved mapping (these entries win). */
  mapping?: SavedMapping;
  /** Parse in a worker thread whatever the file's size (a web server keeps its event loop free for requests). */
  parseInWorker?: boolean;
  /** Parse at low CPU priority (a web server's background job: requests come first). */
  background?: boolean;
}

export interface SheetReport {
  sheet: string | null;
  header_line: number | null;
  columns: { column: string; field: string | null; how: ColumnAssignment['how'] }[];
  rows_loaded: number;
  rows_rejected: number;
  /** Why nothing was loaded from this sheet (no header, no date/amount columns). */
  skipped?: string;
  /** Non-blank rows in a skipped sheet, so nothing disappears unreported. */
  rows_skipped?: number;
}

export interface FileResult {
  file: string;
  file_id?: number;
  format?: string;
  encoding?: string | null;
  checksum?: string;
  rows_loaded: number;
  rows_rejected: number;
  total_pence: number;
  replaced_file_ids?: number[];
  sheets?: SheetReport[];
  rejections: { line: number; sheet: string | null; column: string | null; reason: string }[];
  error?: string;
}

export interface IngestResult {
  body: string;
  rows_loaded: number;
  rows_rejected: number;
  total_pence: number;
  files: FileResult[];
}

/** Finds the body, creating it when a name is given for a new code. */
export async function resolveBody(sql: Sql, opts: Pick<IngestOptions, 'bodyCode' | 'bodyName' | 'bodyType' | 'actor'>): Promise<Body> {
  const body = await findBody(sql, opts.bodyCode);
  if (body) return body;
  if (!opts.bodyName) {
    throw new IngestError(`No body with code ${opts.bodyCode} is registered. Give --body-name (and --body-type) to create it, or find its code with "totalplace bodies list --search NAME".`);
  }
  return createBody(sql, { code: opts.bodyCode, name: opts.bodyName, body_type: opts.bodyType ?? 'other' }, opts.actor);
}

/** What parsing a body's files needs from the database: the classifier, the mapping and the body register. */
interface ParseSetup { classifier: ClassifierSource; saved: SavedMapping; bodies: NamedBody[] }

async function parseSetup(db: Database, body: Body, mapping: SavedMapping | undefined): Promise<ParseSetup> {
  const input = await Classifier.loadInput(db);
  let compiled: Classifier | undefined;
  const classifier: ClassifierSource = { input, compiled: () => (compiled ??= Classifier.compile(input.rules, input.themes)) };
  const saved = { ...(await getSavedMapping(db, body.code)), ...mapping };
  const bodies = await db.query<NamedBody>('SELECT code, name, body_type, aliases FROM body');
  return { classifier, saved, bodies };
}

export async function ingestFiles(db: Database, files: string[], opts: IngestOptions): Promise<IngestResult> {
  const body = await db.transaction((tx) => resolveBody(tx, opts));
  const { classifier, saved, bodies } = await parseSetup(db, body, opts.mapping);
  const result: IngestResult = { body: body.code, rows_loaded: 0, rows_rejected: 0, total_pence: 0, files: [] };
  for (const file of files) {
    let fr: FileResult;
    try {
      fr = await ingestFile(db, file, body, classifier, saved, bodies, opts);
    } catch (err) {
      if (!(err instanceof IngestError || err instanceof UnreadableFileError)) throw err;
      fr = { file, rows_loaded: 0, rows_rejected: 0, total_pence: 0, rejections: [], error: err.message };
    }
    result.files.push(fr);
    result.rows_loaded += fr.rows_loaded;
    result.rows_rejected += fr.rows_rejected;
    result.total_pence += fr.total_pence;
  }
  // Planner statistics once per batch of files, not per file (ANALYZE samples the whole ledger).
  if (result.rows_loaded > 0) {
    const t0 = performance.now();
    await analyseLedger(db, [bodyGroupTable(body.code)]);
    reportPhases({ analyse: Math.round(performance.now() - t0) });
  }
  return result;
}

/** TOTALPLACE_INGEST_PHASES=1: each phase's milliseconds on stderr, one JSON line (the ingest benchmark reads them). */
function reportPhases(phases: Record<string, unknown>): void {
  if (process.env.TOTALPLACE_INGEST_PHASES === '1') process.stderr.write(`ingest phases (ms) ${JSON.stringify(phases)}\n`);
}

// Files at least this big are parsed in a worker thread, so that COPY overlaps with parsing; smaller
// ones in-process (a worker costs a few hundred ms to start). TOTALPLACE_INGEST_WORKER=always|never overrides.
const WORKER_MIN_BYTES = 4 << 20;

function useWorker(size: number): boolean {
  const mode = process.env.TOTALPLACE_INGEST_WORKER;
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  return size >= WORKER_MIN_BYTES;
}

/** The checks made before a file is read: it exists, is not empty or too big, and is a kind we read. */
async function checkFile(file: string, maxBytes = Infinity): Promise<{ size: number; format: OpenedSource['format'] }> {
  const stat = await fs.promises.stat(file).catch(() => { throw new IngestError(`${file}: file not found`); });
  if (!stat.isFile()) throw new IngestError(`${file}: not a file`);
  if (stat.size > maxBytes) throw new IngestError(`${file}: the file is ${formatBytes(stat.size)}, larger than the ${formatBytes(maxBytes)} allowed`);
  if (stat.size === 0) throw new IngestError(`${file}: the file is empty`);
  return { size: stat.size, format: await detectFormat(file) };
}

/** Parses one file (in a worker thread when it is big) into COPY chunks; `done` gets the summary after the last. */
async function parseChunks(file: string, size: number, input: ProduceInput, classifier: ClassifierSource,
  done: (s: ProduceSummary) => void, opts: Pick<IngestOptions, 'onProgress' | 'parseInWorker' | 'background'>): Promise<AsyncIterable<Uint8Array>> {
  const { onProgress } = opts;
  const progress = onProgress ? (lines: number) => onProgress({ file, lines }) : undefined;
  return opts.parseInWorker || opts.background || useWorker(size)
    ? workerChunks(input, classifier.input, done, progress, opts.background)
    : produceCopy(await openSource(file), input, classifier.compiled(), done, progress);
}

async function ingestFile(db: Database, file: string, body: Body, classifier: ClassifierSource, saved: SavedMapping, bodies: NamedBody[], opts: IngestOptions): Promise<FileResult> {
  const { size, format } = await checkFile(file, opts.maxBytes);
  const batchLines = opts.batchLines ?? 20000;
  const fileName = path.basename(file);
  await ensureBodyFactTable(db, body.code);

  const phases: Record<string, number> = {};
  let lapAt = performance.now();
  const lap = (phase: string) => { const now = performance.now(); phases[phase] = Math.round(now - lapAt); lapAt = now; };
  const result = await db.transaction(async (tx) => {
    const fileId = await beginSourceFile(tx, { bodyCode: body.code, name: fileName, path: path.resolve(file), size, format, actor: opts.actor });
    const input: ProduceInput = { file, bodyCode: body.code, bodyType: body.body_type, fileId, saved, batchLines, bodies };
    let summary: ProduceSummary | undefined;
    const done = (s: ProduceSummary) => { summary = s; };
    const newGroupTable = await createFileTables(tx, body.code, fileId);
    lap('begin');
    await copyFactLines(tx, fileId, await parseChunks(file, size, input, classifier, done, opts));
    lap('parse_and_copy_lines');
    const { sheets, rejections, rollupRows, loaded, total, encoding, checksum } = summary!;
    if (!sheets.some((s) => !s.skipped)) {
      const why = sheets.map((s) => (s.sheet ? `sheet "${s.sheet}": ${s.skipped}` : s.skipped)).join('; ');
      throw new IngestError(`${file}: nothing could be loaded: ${why || 'the file holds no rows'}. If the columns are there under other names, save a mapping with "totalplace mapping set --body ${body.code} --column 'HEADER=date' --column 'HEADER=amount_net'".`);
    }
    const replaced = await removeEarlierCopies(tx, body.code, checksum, fileId);
    lap('remove_earlier_copies');
    await insertDimensions(tx, body.code, summary!);
    lap('dimensions');
    await attachFileTables(tx, body.code, fileId, newGroupTable);
    await insertRejections(tx, body.code, fileId, rejections);
    // Folded while the dimensions went in (by the parse worker, for a big file).
    const { rollups, services, suppliers, supplierTotals } = await rollupRows;
    await insertRollups(tx, body.code, fileId, rollups);
    lap('attach_and_rollups');
    await insertDeepDiveRollups(tx, body.code, fileId, services, suppliers, rollups, supplierTotals);
    lap('deep_dive_rollups');
    await finishSourceFile(tx, {
      bodyCode: body.code, fileId, checksum, encoding, mapping: { sheets },
      rowsLoaded: loaded, rowsRejected: rejections.length, totalPence: total,
    });
    await recordAudit(tx, opts.actor, 'ingest', `${body.code}/${fileId}`, { file: fileName, checksum, rows_loaded: loaded, rows_rejected: rejections.length, total_pence: total, replaced });
    return {
      file, file_id: fileId, format, encoding, checksum, rows_loaded: loaded, rows_rejected: rejections.length,
      total_pence: total, replaced_file_ids: replaced, sheets,
      rejections: rejections.map((r) => ({ line: r.line, sheet: r.sheet, column: r.column, reason: r.reason })),
    };
  });
  lap('finish_and_commit');
  reportPhases({ file: fileName, ...phases });
  return result;
}

export interface DryRunResult extends Omit<FileResult, 'rejections'> {
  rejections: { line: number; sheet: string | null; column: string | null; reason: string; raw: string }[];
  /** Lines and pence that would load, by financial year. */
  by_year: { financial_year: string; lines: number; pence: number }[];
  /** An earlier load of the same bytes for this body, which loading would replace. */
  earlier_copy: { file_id: number; file_name: string; loaded_at: string } | null;
}

/**
 * Everything ingestFiles would do to one file short of writing it: the same read, header, mapping,
 * normalising and classifying code, with the rows that would load and those that would be rejected
 * (and why). Throws IngestError/UnreadableFileError as ingest does for a file it cannot read; a file
 * with nothing loadable comes back with `error` set and each sheet's reason in `sheets`.
 */
export async function dryRunFile(db: Database, file: string, opts: Pick<IngestOptions, 'bodyCode' | 'maxBytes' | 'onProgress' | 'mapping' | 'parseInWorker' | 'background'>): Promise<DryRunResult> {
  const body = await findBody(db, opts.bodyCode);
  if (!body) throw new IngestError(`No body with code ${opts.bodyCode} is registered.`);
  const { classifier, saved, bodies } = await parseSetup(db, body, opts.mapping);
  const { size, format } = await checkFile(file, opts.maxBytes);
  const input: ProduceInput = { file, bodyCode: body.code, bodyType: body.body_type, fileId: 0, saved, batchLines: 20000, bodies };
  let summary: ProduceSummary | undefined;
  for await (const _chunk of await parseChunks(file, size, input, classifier, (s) => { summary = s; }, opts)) { /* not written */ }
  const { sheets, rejections, rollupRows, loaded, total, encoding, checksum } = summary!;
  const { rollups } = await rollupRows;
  const years = new Map<string, { lines: number; pence: number }>();
  for (const c of rollups) {
    const y = years.get(c.financialYear) ?? { lines: 0, pence: 0 };
    y.lines += c.lines; y.pence += c.pence;
    years.set(c.financialYear, y);
  }
  const [earlier] = await db.query<{ file_id: number; file_name: string; loaded_at: string }>(
    `SELECT file_id::int AS file_id, file_name, to_char(loaded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS loaded_at
       FROM source_file WHERE body_code = $1 AND checksum = $2`, [body.code, checksum]);
  const loadable = sheets.some((s) => !s.skipped);
  return {
    file, format, encoding, checksum, rows_loaded: loaded, rows_rejected: rejections.length, total_pence: total, sheets,
    rejections: rejections.map((r) => ({ line: r.line, sheet: r.sheet, column: r.column, reason: r.reason, raw: r.raw })),
    by_year: [...years].sort(([a], [b]) => a.localeCompare(b)).map(([financial_year, t]) => ({ financial_year, ...t })),
    earlier_copy: earlier ?? null,
    ...(loadable ? {} : { error: `nothing could be loaded: ${sheets.map((s) => (s.sheet ? `sheet "${s.sheet}": ${s.skipped}` : s.skipped)).join('; ') || 'the file holds no rows'}` }),
  };
}

/** The classifier's plain input (for workers) and, compiled once on first use, the in-process classifier. */
interface ClassifierSource { input: ClassifierInput; compiled(): Classifier }

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
}

