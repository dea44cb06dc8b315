// Loads spend files for one body into the ledger: read -> find header -> map columns -> normalise ->
// classify -> COPY, each file in one transaction. Every non-blank data row ends up either as a ledger
// line or as a rejection with its reason; the same bytes loaded again replace the earlier copy.
import fs from 'node:fs';
import path from 'node:path';
import type { Database, Sql } from '../db/database.ts';
import { Classifier } from '../classify/classifier.ts';
import { createBody, findBody, type Body } from '../place/bodies.ts';
import { findHeaderRow, isBlankRow } from './header.ts';
import { mapColumns, missingRequired, type ColumnAssignment, type SavedMapping } from './mapping.ts';
import { openSource, UnreadableFileError } from './read/source.ts';
import type { RawRow } from './read/csv.ts';
import { makeRowConverter, type Rejection, type RowConverter } from './rows.ts';
import { financialYear } from './normalise.ts';
import type { Classification } from '../classify/types.ts';
import { getSavedMapping } from './saved-mapping.ts';
import {
  beginSourceFile, copySpendLines, finishSourceFile, insertRejections, insertRollups, removeEarlierCopies, type RollupCell,
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

export async function ingestFiles(db: Database, files: string[], opts: IngestOptions): Promise<IngestResult> {
  const body = await db.transaction((tx) => resolveBody(tx, opts));
  const classifier = await Classifier.load(db);
  const saved = await getSavedMapping(db, body.code);
  const result: IngestResult = { body: body.code, rows_loaded: 0, rows_rejected: 0, total_pence: 0, files: [] };
  for (const file of files) {
    let fr: FileResult;
    try {
      fr = await ingestFile(db, file, body, classifier, saved, opts);
    } catch (err) {
      if (!(err instanceof IngestError || err instanceof UnreadableFileError)) throw err;
      fr = { file, rows_loaded: 0, rows_rejected: 0, total_pence: 0, rejections: [], error: err.message };
    }
    result.files.push(fr);
    result.rows_loaded += fr.rows_loaded;
    result.rows_rejected += fr.rows_rejected;
    result.total_pence += fr.total_pence;
  }
  return result;
}

// How many non-blank rows to look at before deciding the header and mapping.
const SAMPLE_ROWS = 200;

async function ingestFile(db: Database, file: string, body: Body, classifier: Classifier, saved: SavedMapping, opts: IngestOptions): Promise<FileResult> {
  const stat = await fs.promises.stat(file).catch(() => { throw new IngestError(`${file}: file not found`); });
  if (!stat.isFile()) throw new IngestError(`${file}: not a file`);
  const maxBytes = opts.maxBytes ?? Infinity;
  if (stat.size > maxBytes) throw new IngestError(`${file}: the file is ${formatBytes(stat.size)}, larger than the ${formatBytes(maxBytes)} allowed`);
  if (stat.size === 0) throw new IngestError(`${file}: the file is empty`);
  const source = await openSource(file);
  const batchLines = opts.batchLines ?? 20000;
  const fileName = path.basename(file);

  return db.transaction(async (tx) => {
    const fileId = await beginSourceFile(tx, { bodyCode: body.code, name: fileName, path: path.resolve(file), size: stat.size, format: source.format, actor: opts.actor });
    const rejections: Rejection[] = [];
    const sheets: SheetReport[] = [];
    const byClass = new Map<Classification, Map<string, { lines: number; pence: number }>>();
    let loaded = 0, total = 0, lineId = 0;
    let encoding: string | null = null;

    async function* chunks(): AsyncGenerator<string> {
      let out: string[] = [];
      let outLines = 0;
      for await (const sheet of source.sheets) {
        const report: SheetReport = { sheet: sheet.sheet, header_line: null, columns: [], rows_loaded: 0, rows_rejected: 0 };
        sheets.push(report);
        let convert: RowConverter | undefined;
        let headerCells: string[] = [];
        let pending: RawRow[] = [];
        let nonBlank = 0;
        let skipped = false;

        const decide = () => {
          const h = findHeaderRow(pending, saved);
          if (h < 0) {
            report.skipped = 'no header row with a date and an amount column was found in the first rows';
            skipped = true;
            return;
          }
          const headerRow = pending[h]!;
          headerCells = headerRow.cells.map((c) => (c === null || c === undefined ? '' : String(c).trim()));
          const sample = pending.slice(h + 1).filter((r) => !isBlankRow(r.cells)).map((r) => r.cells);
          const cols = mapColumns(headerCells, sample, saved);
          report.header_line = headerRow.line;
          report.columns = cols.filter((c) => c.header || c.field).map((c) => ({ column: c.header, field: c.field, how: c.how }));
          const missing = missingRequired(cols);
          if (missing) {
            report.skipped = `${missing} (headers: ${headerCells.filter(Boolean).map((x) => `"${x}"`).join(', ')})`;
            skipped = true;
            return;
          }
          convert = makeRowConverter(cols, {
            bodyCode: body.code, bodyType: body.body_type, fileId, sheet: sheet.sheet, classify: (l) => classifier.classify(l),
          });
          pending = pending.slice(h + 1);
        };

        // A header repeated further down (files pasted together) is not a data row. Cheap first test:
        // the first labelled column holds its own label.
        const isRepeatedHeader = (cells: unknown[]) => {
          const first = headerCells.findIndex(Boolean);
          const c = cells[first];
          if (typeof c !== 'string' || c.trim() !== headerCells[first]) return false;
          let same = 0;
          for (let i = 0; i < headerCells.length; i++) {
            const v = cells[i];
            if (headerCells[i] && typeof v === 'string' && v.trim() === headerCells[i]) same++;
          }
          return same >= 2 && same >= headerCells.filter(Boolean).length / 2;
        };

        const process = (rows: RawRow[]) => {
          const copies: string[] = [];
          for (const row of rows) {
            const cells = row.cells;
            if (isBlankRow(cells)) continue;
            if (skipped) { report.rows_skipped = (report.rows_skipped ?? 0) + 1; continue; }
            if (isRepeatedHeader(cells)) continue;
            const r = convert!(cells, row.line, lineId + 1);
            if ('copy' in r) {
              lineId++;
              copies.push(r.copy);
              loaded++; report.rows_loaded++;
              total += r.pence;
              // Rolled up per classification and day here (cheap map lookups on shared objects), per month at the end.
              let days = byClass.get(r.classification);
              if (!days) byClass.set(r.classification, (days = new Map()));
              const cell = days.get(r.date);
              if (cell) { cell.lines++; cell.pence += r.pence; } else days.set(r.date, { lines: 1, pence: r.pence });
            } else {
              rejections.push(r);
              report.rows_rejected++;
            }
          }
          // Join per batch: one flat string instead of thousands of short-lived pieces kept alive.
          if (copies.length) { out.push(copies.join('')); outLines += copies.length; }
        };

        for await (const batch of sheet.batches) {
          if (!convert && !skipped) {
            for (const r of batch) { pending.push(r); if (!isBlankRow(r.cells)) nonBlank++; }
            if (nonBlank < SAMPLE_ROWS + 30) continue;
            decide();
            process(pending);
            pending = [];
          } else {
            process(batch);
          }
          if (outLines >= batchLines) { yield out.join(''); out = []; outLines = 0; opts.onProgress?.({ file, lines: loaded }); }
        }
        if (!convert && !skipped) {
          if (nonBlank === 0) { report.skipped = 'the sheet is empty'; skipped = true; }
          else { decide(); process(pending); }
          pending = [];
        }
        encoding ??= sheet.encoding() ?? null;
      }
      if (out.length) yield out.join('');
      opts.onProgress?.({ file, lines: loaded });
    }

    await copySpendLines(tx, chunks());
    if (!sheets.some((s) => !s.skipped)) {
      const why = sheets.map((s) => (s.sheet ? `sheet "${s.sheet}": ${s.skipped}` : s.skipped)).join('; ');
      throw new IngestError(`${file}: nothing could be loaded: ${why || 'the file holds no rows'}. If the columns are there under other names, save a mapping with "totalplace mapping set --body ${body.code} --column 'HEADER=date' --column 'HEADER=amount_net'".`);
    }
    const checksum = source.checksum();
    const replaced = await removeEarlierCopies(tx, body.code, checksum, fileId);
    await insertRejections(tx, body.code, fileId, rejections);
    await insertRollups(tx, body.code, fileId, monthlyRollup(byClass));
    await finishSourceFile(tx, {
      bodyCode: body.code, fileId, checksum, encoding, mapping: { sheets },
      rowsLoaded: loaded, rowsRejected: rejections.length, totalPence: total,
    });
    await tx.query(`INSERT INTO audit_event (actor, action, target, detail) VALUES ($1, 'ingest', $2, $3)`, [
      opts.actor, `${body.code}/${fileId}`, JSON.stringify({ file: fileName, checksum, rows_loaded: loaded, rows_rejected: rejections.length, total_pence: total, replaced }),
    ]);
    return {
      file, file_id: fileId, format: source.format, encoding, checksum, rows_loaded: loaded, rows_rejected: rejections.length,
      total_pence: total, replaced_file_ids: replaced, sheets,
      rejections: rejections.map((r) => ({ line: r.line, sheet: r.sheet, column: r.column, reason: r.reason })),
    };
  });
}

/** Folds per-day, per-classification tallies into the month rows of spend_rollup. */
function monthlyRollup(byClass: Map<Classification, Map<string, { lines: number; pence: number }>>): RollupCell[] {
  const cells = new Map<string, RollupCell>();
  for (const [c, days] of byClass) {
    for (const [iso, t] of days) {
      const fy = financialYear(iso), month = iso.slice(0, 7);
      const key = `${month}|${c.theme_code}|${c.cofog_code ?? ''}|${c.prevention_code ?? ''}|${c.rule_id !== null}`;
      const cell = cells.get(key);
      if (cell) { cell.lines += t.lines; cell.pence += t.pence; }
      else cells.set(key, { financialYear: fy, month, theme: c.theme_code, cofog: c.cofog_code ?? '', prevention: c.prevention_code ?? '', classified: c.rule_id !== null, lines: t.lines, pence: t.pence });
    }
  }
  return [...cells.values()];
}

function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${n} bytes`;
}

