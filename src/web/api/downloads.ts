// Downloads: tables written as CSV (RFC 4180: comma-separated, CRLF line ends, fields holding a comma,
// quote or line break quoted with quotes doubled; UTF-8 with a byte-order mark so spreadsheet programs
// read it as UTF-8) or XLSX (exceljs's streaming writer, one sheet per table). Rows are read and written
// as they come, so a download of a million ledger lines holds one page of them in memory at a time.
//
// Formula injection: a text cell beginning with = + - @ (or a tab or carriage return) would be run as a
// formula by a spreadsheet program, so it is written with an apostrophe in front ('=SUM(...) shows as
// text). Numbers, dates and amounts are written by us, never from the published text, so are left alone.
import { once } from 'node:events';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import type ExcelJS from 'exceljs';
import { loadExcelJS } from '../../util/excel.ts';
import { formatPence } from '../../ledger/summary.ts';
import { csvField, guardFormula } from '../../util/csv.ts';

export const CSV_TYPE = 'text/csv; charset=utf-8';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** Downloads of public data may be kept by browsers and shared caches for this long. */
export const PUBLIC_DOWNLOAD_CACHE = 'public, max-age=300';
/** Anything showing payments to individuals (a signed-in partner's own body) is never stored. */
export const PRIVATE_CACHE = 'private, no-store';

/**
 * How a column is written. text: as given, guarded against formulas; integer: a whole number (pence,
 * lines); pounds: given in pence, written as the exact decimal (CSV "1234.56") or a number formatted
 * 0.00 (XLSX); share: a fraction (XLSX formatted as a percentage); date: YYYY-MM-DD (XLSX a date);
 * boolean: true/false.
 */
export type CellType = 'text' | 'integer' | 'pounds' | 'share' | 'date' | 'boolean';
export type Cell = string | number | boolean | null | undefined;

export interface Column<R> { header: string; type: CellType; value: (row: R) => Cell; width?: number }

/** A table ready to write: headers, cell types and rows of cells (read lazily). */
export interface Table {
  name: string;
  headers: string[];
  types: CellType[];
  widths: (number | undefined)[];
  rows: AsyncIterable<Cell[]>;
}

export function table<R>(name: string, columns: Column<R>[], rows: Iterable<R> | AsyncIterable<R>): Table {
  async function* cells(): AsyncGenerator<Cell[]> {
    for await (const r of rows) yield columns.map((c) => c.value(r));
  }
  return { name, headers: columns.map((c) => c.header), types: columns.map((c) => c.type), widths: columns.map((c) => c.width), rows: cells() };
}

/** Exact pounds from pence, as a decimal string: 123456 -> "1234.56", -5 -> "-0.05". */
export function poundsFromPence(pence: number): string {
  return formatPence(pence).replace(/[£,]/g, '');
}


function csvValue(v: Cell, type: CellType): string {
  if (v === null || v === undefined || v === '') return '';
  switch (type) {
    case 'text': return csvField(guardFormula(String(v)));
    case 'pounds': return poundsFromPence(Number(v));
    default: return csvField(String(v));
  }
}

export function csvRow(cells: Cell[], types: CellType[]): string {
  return cells.map((v, i) => csvValue(v, types[i] ?? 'text')).join(',') + '\r\n';
}

/** The CSV text of a table, in chunks of up to `batch` rows; the first chunk holds the header too. */
export async function* csvChunks(t: Table, batch = 1000): AsyncGenerator<string> {
  let chunk = '\uFEFF' + t.headers.map(csvField).join(',') + '\r\n';
  let n = 0;
  for await (const cells of t.rows) {
    chunk += csvRow(cells, t.types);
    if (++n === batch) { yield chunk; chunk = ''; n = 0; }
  }
  yield chunk;
}

function downloadHeaders(res: Response, filename: string, type: string, cacheControl: string): void {
  res.attachment(filename);
  res.set({ 'Content-Type': type, 'Cache-Control': cacheControl });
}

/** Ends a download that failed after it started: the connection is cut so the file cannot look complete. */
function abort(res: Response, err: unknown): void {
  if (!res.destroyed) res.destroy(err instanceof Error ? err : new Error(String(err)));
}

/**
 * Sends a table as a CSV attachment. The first chunk (header and first rows) is read before anything is
 * sent, so a bad request or a failing query still gets a proper error response; a failure later cuts the
 * connection.
 */
export async function sendCsv(res: Response, filename: string, t: Table, cacheControl: string): Promise<void> {
  const chunks = csvChunks(t);
  const first = await chunks.next();
  downloadHeaders(res, filename, CSV_TYPE, cacheControl);
  async function* rest(): AsyncGenerator<string> {
    if (!first.done) yield first.value;
    yield* chunks;
  }
  try {
    await pipeline(Readable.from(rest()), res);
  } catch (err) {
    abort(res, err);
  }
}

/** Resolves when `stream` emits 'drain', or `res` closes (the visitor has gone). */
async function drainOf(stream: NodeJS.EventEmitter, res: Writable): Promise<void> {
  const ac = new AbortController();
  await Promise.race([once(stream, 'drain', { signal: ac.signal }), once(res, 'close', { signal: ac.signal })]).catch(() => undefined);
  ac.abort();
}

/** Uncompressed sheet XML queued ahead of the compressor is kept below this. */
const SHEET_QUEUE_LIMIT = 1 << 20;

type Queue = NodeJS.EventEmitter & { _writableState: { length: number; needDrain: boolean } };

/**
 * Where a worksheet's XML waits to be compressed. exceljs's streaming writer pushes each committed row into
 * it without heeding backpressure, so a large sheet would pile up in memory faster than it is deflated;
 * the writer below waits on it instead. (exceljs internals: test/web/downloads.test.ts checks it is found.)
 */
export function sheetQueue(ws: ExcelJS.Worksheet): Queue | undefined {
  const dest = (ws as unknown as { stream?: { pipes?: unknown[] } }).stream?.pipes?.[0] as { _writableState?: { length?: unknown }; once?: unknown } | undefined;
  return dest && typeof dest._writableState?.length === 'number' && typeof dest.once === 'function' ? dest as Queue : undefined;
}

const SHEET_NAME_BAD = /[\\/?*[\]:]/g;

function xlsxValue(v: Cell, type: CellType): ExcelJS.CellValue {
  if (v === null || v === undefined || v === '') return null;
  switch (type) {
    case 'text': return guardFormula(String(v));
    case 'integer': case 'share': return Number(v);
    // Division of two exact integers is correctly rounded: the nearest double to the exact pounds.
    case 'pounds': return Number(v) / 100;
    case 'boolean': return Boolean(v);
    case 'date': {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(v));
      return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : guardFormula(String(v));
    }
  }
}

const NUM_FMT: Partial<Record<CellType, string>> = { pounds: '#,##0.00', share: '0.0%', date: 'yyyy-mm-dd', integer: '0' };

/** Writes tables as the sheets of one workbook to `out`, a row at a time, waiting whenever `out` is full. */
export async function writeXlsx(out: Writable, tables: Table[]): Promise<void> {
  const excel = await loadExcelJS();
  const wb = new excel.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const used = new Set<string>();
  for (const t of tables) {
    const base = t.name.replace(SHEET_NAME_BAD, ' ');
    let name = base.slice(0, 31);
    for (let i = 2; used.has(name.toLowerCase()); i++) name = `${base.slice(0, 28)} ${i}`;
    used.add(name.toLowerCase());
    const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = t.headers.map((header, i) => ({
      header, key: String(i), width: t.widths[i] ?? Math.min(Math.max(header.length + 2, 12), 60),
      style: NUM_FMT[t.types[i]!] ? { numFmt: NUM_FMT[t.types[i]!] } : {},
    }));
    ws.getRow(1).font = { bold: true };
    let n = 0;
    for await (const cells of t.rows) {
      ws.addRow(cells.map((v, i) => xlsxValue(v, t.types[i] ?? 'text'))).commit();
      if (++n % 500 === 0) {
        const queue = sheetQueue(ws);
        while (queue && queue._writableState.length > SHEET_QUEUE_LIMIT && !out.destroyed) {
          if (queue._writableState.needDrain) await drainOf(queue, out);
          else await new Promise((resolve) => setImmediate(resolve));
        }
        if (out.writableNeedDrain && !out.destroyed) await drainOf(out, out);
        if (out.destroyed) throw new Error('The download was cancelled.');
      }
    }
    ws.commit();
  }
  // commit() waits for the response to finish, which never happens if the visitor has gone.
  const closed = once(out, 'close').catch(() => undefined);
  await Promise.race([wb.commit(), closed]);
  if (!out.writableFinished) throw new Error('The download was cancelled.');
}

/** Sends tables as an XLSX attachment, one sheet per table. */
export async function sendXlsx(res: Response, filename: string, tables: Table[], cacheControl: string): Promise<void> {
  downloadHeaders(res, filename, XLSX_TYPE, cacheControl);
  try {
    await writeXlsx(res, tables);
  } catch (err) {
    abort(res, err);
  }
}

/** A file name from its parts: lower case, letters, digits and hyphens (demo-vale-count-2023-24.csv). */
export function downloadName(parts: (string | null | undefined)[], ext: 'csv' | 'xlsx'): string {
  const slug = parts.filter((p): p is string => !!p).join('-').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 120);
  return `${slug || 'download'}.${ext}`;
}
