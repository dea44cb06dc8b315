// The CPU half of ingesting one file: read -> find header -> map columns -> normalise -> classify ->
// COPY text. It touches no database, so it runs either in-process or in a worker thread
// (parse-worker.ts) while the main thread feeds COPY; both call this same code.
import { Classifier, type CompilableRule } from '../classify/classifier.ts';
import type { Classification, ThemeDefaults } from '../classify/types.ts';
import { findHeaderRow, isBlankRow } from './header.ts';
import { mapColumns, missingRequired, type ColumnAssignment, type SavedMapping } from './mapping.ts';
import type { OpenedSource } from './read/source.ts';
import type { LineBatch, RawRow } from './read/csv.ts';
import { CopyChunks, CopyWriter, copyText, FileLedger, makeRowConverter, SLOW_LINE, type ConvertedLine, type Rejection, type RowConverter } from './rows.ts';
import { supplierTotalsOf, type RollupCell, type ServiceTally, type SupplierTally, type SupplierTotalTally } from '../ledger/repository.ts';
import type { SheetReport } from './service.ts';
import { BodyNameIndex, type NamedBody } from '../place/body-names.ts';
import { financialYear } from './normalise.ts';
import { detach } from '../util/strings.ts';

export interface ProduceInput {
  file: string;
  bodyCode: string;
  bodyType: string | null;
  fileId: number;
  saved: SavedMapping;
  /** Lines per COPY chunk. */
  batchLines: number;
  /** The body register (plain data), to recognise payments to other public bodies. */
  bodies: NamedBody[];
  /** false: convert plain lines in TypeScript even when the C line kernel is built (tests compare the two). */
  native?: boolean;
}

/** The classifier's compiled input, as plain data (it crosses to a worker thread). */
export interface ClassifierInput { rules: CompilableRule[]; themes: ThemeDefaults[] }

/** A file's rollup rows: the count's cells and the deep-dive tallies. */
export interface RollupRows {
  rollups: RollupCell[];
  /** Deep-dive tallies (see ServiceTally / SupplierTally); from the parse worker, as ready COPY bytes. */
  services: ServiceTally[] | Uint8Array[];
  suppliers: SupplierTally[] | Uint8Array[];
  /** The file's supplier totals (supplierTotalsOf), for a body with nothing to merge them with. */
  supplierTotals: { rows: SupplierTotalTally[] | Uint8Array[]; complete: boolean };
}

/** What is known once every row has been read. */
export interface ProduceSummary {
  rejections: Rejection[];
  sheets: SheetReport[];
  /**
   * Folded and sorted just after the summary is given (a few hundred ms for a big file), so the parse worker
   * hands over the dimensions first and the main thread copies them in meanwhile.
   */
  rollupRows: Promise<RollupRows>;
  /** COPY bytes of the file's spend_payee, spend_coding, spend_text, spend_group, spend_top_line and spend_top_cut rows, in chunks. */
  payees: Uint8Array[];
  codings: Uint8Array[];
  texts: Uint8Array[];
  groups: Uint8Array[];
  topLines: Uint8Array[];
  topCuts: Uint8Array[];
  loaded: number;
  total: number;
  encoding: string | null;
  checksum: string;
}

/** How many non-blank rows are read before the header and mapping are decided (the upload preview reads as many). */
export const DECIDE_AFTER_ROWS = 230;

export const NO_HEADER_FOUND = 'no header row with a date and an amount column was found in the first rows';

/** A sheet's header row and column mapping, decided from its first rows. */
export interface SheetLayout {
  /** Index of the header row within the rows given. */
  headerIndex: number;
  headerLine: number;
  headerCells: string[];
  columns: ColumnAssignment[];
  /** Why the sheet cannot be loaded (no date or amount column), or undefined. */
  missing?: string;
}

/** Finds the header among a sheet's first rows and maps its columns; null when no row looks like a header. */
export function sheetLayout(rows: RawRow[], saved: SavedMapping): SheetLayout | null {
  const h = findHeaderRow(rows, saved);
  if (h < 0) return null;
  const headerRow = rows[h]!;
  const headerCells = headerRow.cells.map((c) => (c === null || c === undefined ? '' : String(c).trim()));
  const sample = rows.slice(h + 1).filter((r) => !isBlankRow(r.cells)).map((r) => r.cells);
  const columns = mapColumns(headerCells, sample, saved);
  return { headerIndex: h, headerLine: headerRow.line, headerCells, columns, missing: missingRequired(columns) };
}

/** How many of a file's largest lines are listed per year and theme (spend_top_line). */
export const TOP_LINES = 500;

/** A file's largest lines of one year and theme, kept while it is parsed. */
interface TopList { fy: string; theme: string; lines: number; cutoff: number; items: TopItem[] }
interface TopItem { abs: number; lineId: number; row: Uint8Array }
const byRank = (a: TopItem, b: TopItem) => b.abs - a.abs || a.lineId - b.lineId;

/** Keeps the list's TOP_LINES largest (ties: the earlier line first); every unlisted line is then smaller than the cutoff or tied after it. */
function trimTop(t: TopList): void {
  t.items.sort(byRank);
  if (t.items.length > TOP_LINES) t.items.length = TOP_LINES;
  if (t.items.length === TOP_LINES) t.cutoff = t.items[TOP_LINES - 1]!.abs;
}

/**
 * Yields COPY text for the file's fact table (UTF-8 bytes), `batchLines` lines at a time; `done` receives the
 * summary after the last chunk. `progress` is called with the lines loaded so far after each chunk.
 */
export async function* produceCopy(source: OpenedSource, input: ProduceInput, classifier: Classifier,
  done: (s: ProduceSummary) => void, progress?: (lines: number) => void): AsyncGenerator<Buffer> {
  const { bodyCode, bodyType, fileId, saved, batchLines } = input;
  const classify = (l: Parameters<Classifier['classify']>[0]) => classifier.classify(l);
  const rejections: Rejection[] = [];
  const sheets: SheetReport[] = [];
  // The file's dimensions, groups and rollup tallies: every rollup is folded from these at the end, exactly
  // what a GROUP BY over the file's lines would give (test/rollup-exact.test.ts checks it).
  const ledger = new FileLedger();
  const tops = new Map<number, TopList>();
  // Payee name -> registered body (or null), cached: a file repeats its suppliers many times.
  const bodyIndex = new BodyNameIndex(input.bodies);
  const payeeBodies = new Map<string, string | null>();
  const payeeBody = (name: string): string | null => {
    let code = payeeBodies.get(name);
    if (code === undefined) {
      code = bodyIndex.match(name);
      if (code === bodyCode) code = null; // a body paying itself is not a transfer
      if (payeeBodies.size >= 200_000) payeeBodies.clear();
      payeeBodies.set(detach(name), code);
    }
    return code;
  };
  let loaded = 0, total = 0, lineId = 0;
  let encoding: string | null = null;
  const out = new CopyWriter();
  let outLines = 0;
  for await (const sheet of source.sheets) {
    const report: SheetReport = { sheet: sheet.sheet, header_line: null, columns: [], rows_loaded: 0, rows_rejected: 0 };
    sheets.push(report);
    let convert: RowConverter | undefined;
    let headerCells: string[] = [];
    let pending: RawRow[] = [];
    let nonBlank = 0;
    let skipped = false;
    let firstLabelled = -1, labelled = 0;

    const decide = () => {
      const layout = sheetLayout(pending, saved);
      if (!layout) {
        report.skipped = NO_HEADER_FOUND;
        skipped = true;
        return;
      }
      const cols = layout.columns;
      headerCells = layout.headerCells;
      firstLabelled = headerCells.findIndex(Boolean);
      labelled = headerCells.filter(Boolean).length;
      report.header_line = layout.headerLine;
      report.columns = cols.filter((c) => c.header || c.field).map((c) => ({ column: c.header, field: c.field, how: c.how }));
      if (layout.missing) {
        report.skipped = `${layout.missing} (headers: ${headerCells.filter(Boolean).map((x) => `"${x}"`).join(', ')})`;
        skipped = true;
        return;
      }
      convert = makeRowConverter(cols, {
        bodyCode, bodyType, sheet: sheet.sheet, ledger, classify, payeeBody, native: input.native,
        lastIgnoredPayeeAndText: () => classifier.lastIgnoredPayeeAndText,
        headerCell: firstLabelled >= 0 ? { index: firstLabelled, label: headerCells[firstLabelled]! } : undefined,
      });
      pending = pending.slice(layout.headerIndex + 1);
    };

    // A header repeated further down (files pasted together) is not a data row. Cheap first test:
    // the first labelled column holds its own label.
    const isRepeatedHeader = (cells: unknown[]) => {
      const c = cells[firstLabelled];
      if (typeof c !== 'string' || c.length < headerCells[firstLabelled]!.length || c.trim() !== headerCells[firstLabelled]) return false;
      let same = 0;
      for (let i = 0; i < headerCells.length; i++) {
        const v = cells[i];
        if (headerCells[i] && typeof v === 'string' && v.trim() === headerCells[i]) same++;
      }
      return same >= 2 && same >= labelled / 2;
    };

    const accept = (r: ConvertedLine) => {
      lineId++; outLines++;
      loaded++; report.rows_loaded++;
      total += r.pence;
      const theme = ledger.groups.theme[r.gid]!;
      // The largest lines of the year and theme; most lines are smaller than the list's cutoff and cost one comparison.
      const topKey = r.date.fyStart * 1024 + theme;
      let top = tops.get(topKey);
      if (!top) tops.set(topKey, (top = { fy: r.date.fy, theme: ledger.themes[theme]!, lines: 0, cutoff: -1, items: [] }));
      top.lines++;
      const abs = r.pence < 0 ? -r.pence : r.pence;
      if (abs > top.cutoff) {
        top.items.push({ abs, lineId, row: out.buf.slice(r.rowStart, out.pos) });
        if (top.items.length >= 2 * TOP_LINES) trimTop(top);
      }
    };
    const processRow = (row: RawRow) => {
      const cells = row.cells;
      if (isBlankRow(cells)) return;
      if (skipped) { report.rows_skipped = (report.rows_skipped ?? 0) + 1; return; }
      if (isRepeatedHeader(cells)) return;
      const r = convert!(cells, row.line, lineId + 1, out);
      if ('pence' in r) accept(r);
      else { rejections.push(r); report.rows_rejected++; }
    };
    const process = (rows: RawRow[]) => { for (let k = 0; k < rows.length; k++) processRow(rows[k]!); };
    // Lines the C line kernel converted: the caller's counts, and the candidates for the top lists.
    const slowLine = (b: LineBatch, k: number, delimiter: string) => {
      const s0 = b.start[k]!;
      processRow(s0 < 0 ? b.rows[k]! : { line: b.line[k]!, cells: b.text.slice(s0, b.end[k]!).split(delimiter) });
    };
    const candidate = (id: number, gid: number, fyStart: number, abs: number, rowStart: number, rowEnd: number) => {
      const theme = ledger.groups.theme[gid]!, key = fyStart * 1024 + theme;
      let top = tops.get(key);
      if (!top) tops.set(key, (top = { fy: financialYear(`${String(fyStart).padStart(4, '0')}-04`), theme: ledger.themes[theme]!, lines: 0, cutoff: -1, items: [] }));
      if (abs <= top.cutoff) return;
      top.items.push({ abs, lineId: id, row: out.buf.slice(rowStart, rowEnd) });
      if (top.items.length >= 2 * TOP_LINES) { trimTop(top); convert!.kernel!.setCutoff(key, top.cutoff); }
    };
    const kernelLines = (b: LineBatch, delimiter: string) => {
      const r = convert!.kernel!.run(b, delimiter.charCodeAt(0), lineId, out, (k, id) => { lineId = id; slowLine(b, k, delimiter); return lineId; }, candidate);
      lineId = r.lineId;
      outLines += r.accepted; loaded += r.accepted; report.rows_loaded += r.accepted; total += r.pence;
    };
    const processLines = (b: LineBatch, delimiter: string) => {
      if (convert!.kernel) { kernelLines(b, delimiter); return; }
      const { text, start, end, line, rows } = b;
      const code = delimiter.charCodeAt(0);
      for (let k = 0; k < b.count; k++) {
        const s0 = start[k]!;
        if (s0 < 0) { processRow(rows[k]!); continue; }
        const r = convert!.line(text, s0, end[k]!, code, line[k]!, lineId + 1, out);
        if (r === null) continue;
        if (r === SLOW_LINE) slowLine(b, k, delimiter);
        else accept(r);
      }
    };

    for await (const batch of sheet.batches) {
      if (!convert && !skipped) {
        for (const r of batch) { pending.push(r); if (!isBlankRow(r.cells)) nonBlank++; }
        if (nonBlank < DECIDE_AFTER_ROWS) continue;
        decide();
        process(pending);
        pending = [];
      } else {
        process(batch);
      }
      if (outLines >= batchLines) { yield out.take(); outLines = 0; progress?.(loaded); }
      // Once the layout is known, a CSV's remaining lines come as offsets into its text (no string per cell).
      if (convert && sheet.fastLines) break;
    }
    if (convert && sheet.fastLines) {
      const fast = sheet.fastLines();
      const delimiter = String.fromCharCode(fast.delimiter);
      for await (const b of fast.lines) {
        processLines(b, delimiter);
        if (outLines >= batchLines) { yield out.take(); outLines = 0; progress?.(loaded); }
      }
    }
    // The kernel's tallies by group and month join the file's (and give its lines' counts per top list).
    convert?.kernel?.fold((topKey, n) => { tops.get(topKey)!.lines += n; });
    if (!convert && !skipped) {
      if (nonBlank === 0) { report.skipped = 'the sheet is empty'; skipped = true; }
      else { decide(); process(pending); }
      pending = [];
    }
    encoding ??= sheet.encoding() ?? null;
  }
  if (out.pos) yield out.take();
  progress?.(loaded);
  const rollupRows = new Promise<RollupRows>((resolve, reject) => setImmediate(() => {
    try { resolve(foldTallies(ledger)); } catch (err) { reject(err); }
  }));
  rollupRows.catch(() => undefined); // awaited by whoever loads the file; never an unhandled rejection
  done({
    rejections, sheets, rollupRows, ...ledger.copyRows(bodyCode, fileId), ...topRows(tops, bodyCode, fileId),
    loaded, total, encoding, checksum: source.checksum(),
  });
}

/** The rollup rows of a file, folded from its tallies (per group cell and month or year). */
function foldTallies(ledger: FileLedger): RollupRows & { services: ServiceTally[]; suppliers: SupplierTally[]; supplierTotals: { rows: SupplierTotalTally[] } } {
  const rollups: RollupCell[] = [];
  const r = ledger.rollupTally;
  for (let i = 0; i < r.keys.length; i++) {
    const key = r.keys[i]!;
    const { c, payeeBody } = ledger.rollupCells[Math.floor(key / 4096)]!;
    const month = ledger.months[key % 4096]!;
    rollups.push({
      financialYear: financialYear(month + '-01'), month, theme: c.theme_code, cofog: c.cofog_code ?? '', prevention: c.prevention_code ?? '',
      classified: c.rule_id !== null, payeeBody, lines: r.lines[i]!, pence: r.pence[i]!,
    });
  }
  // A service or supplier cell is one row per year: the cells are keyed by exactly the rollup's other columns.
  const services: ServiceTally[] = [];
  const s = ledger.serviceTally;
  for (let i = 0; i < s.keys.length; i++) {
    const key = s.keys[i]!, cell = ledger.serviceCells[Math.floor(key / 256)]!;
    services.push([ledger.years[key % 256]!, cell.theme, cell.service, cell.payeeBody, s.lines[i]!, s.pence[i]!]);
  }
  const suppliers: SupplierTally[] = [];
  const p = ledger.supplierTally;
  for (let i = 0; i < p.keys.length; i++) {
    const key = p.keys[i]!, cell = ledger.supplierCells[Math.floor(key / 256)]!;
    suppliers.push([ledger.years[key % 256]!, cell.theme, cell.kind, cell.key, cell.payeeBody, p.lines[i]!, p.pence[i]!]);
  }
  // In key order (year, theme, then the rest): rows are stored in the order they are copied, so a deep
  // dive's rows for one year and theme sit together on disk and are read from a few pages, not thousands;
  // and each row's key lands at the index's right-hand edge, the cheap place to add it.
  const byKey = (a: unknown[], b: unknown[]) => {
    for (let i = 0; i < a.length; i++) {
      const x = a[i], y = b[i];
      if (x !== y) return (x as string) < (y as string) ? -1 : 1;
    }
    return 0;
  };
  return { rollups, services: services.sort(byKey), suppliers: suppliers.sort(byKey), supplierTotals: supplierTotalsOf(suppliers) };
}

/** COPY bytes of spend_top_line (the listed lines, each its fact row behind body, file, year and theme) and spend_top_cut. */
function topRows(tops: Map<number, TopList>, bodyCode: string, fileId: number): { topLines: Uint8Array[]; topCuts: Uint8Array[] } {
  const b = copyText(bodyCode);
  const lines = new CopyChunks(), cuts = new CopyChunks();
  for (const t of tops.values()) {
    trimTop(t);
    const head = `${b}\t${fileId}\t${t.fy}\t${copyText(t.theme)}\t`;
    for (const i of t.items) { lines.out.raw(head); lines.out.bytes(i.row); lines.endRow(); }
    const truncated = t.lines > t.items.length;
    cuts.out.raw(`${head}${t.lines}\t${t.items.length}\t${truncated ? t.cutoff : '\\N'}\n`);
  }
  return { topLines: lines.done(), topCuts: cuts.done() };
}
