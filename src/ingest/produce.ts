// The CPU half of ingesting one file: read -> find header -> map columns -> normalise -> classify ->
// COPY text. It touches no database, so it runs either in-process or in a worker thread
// (parse-worker.ts) while the main thread feeds COPY; both call this same code.
import { Classifier, type CompilableRule } from '../classify/classifier.ts';
import type { Classification, ThemeDefaults } from '../classify/types.ts';
import { findHeaderRow, isBlankRow } from './header.ts';
import { mapColumns, missingRequired, type ColumnAssignment, type SavedMapping } from './mapping.ts';
import { financialYear } from './normalise.ts';
import type { OpenedSource } from './read/source.ts';
import type { RawRow } from './read/csv.ts';
import { CopyWriter, makeRowConverter, type Rejection, type RowConverter } from './rows.ts';
import type { RollupCell, ServiceTally, SupplierTally } from '../ledger/repository.ts';
import type { SheetReport } from './service.ts';
import { BodyNameIndex, type NamedBody } from '../place/body-names.ts';
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
}

/** The classifier's compiled input, as plain data (it crosses to a worker thread). */
export interface ClassifierInput { rules: CompilableRule[]; themes: ThemeDefaults[] }

/** What is known once every row has been read. */
export interface ProduceSummary {
  rejections: Rejection[];
  sheets: SheetReport[];
  rollups: RollupCell[];
  /** Deep-dive tallies (see ServiceTally / SupplierTally); from the parse worker, as ready COPY bytes. */
  services: ServiceTally[] | Uint8Array;
  suppliers: SupplierTally[] | Uint8Array;
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

/**
 * Yields COPY text for spend_line (UTF-8 bytes), `batchLines` lines at a time; `done` receives the summary after
 * the last chunk. `progress` is called with the lines loaded so far after each chunk.
 */
export async function* produceCopy(source: OpenedSource, input: ProduceInput, classifier: Classifier,
  done: (s: ProduceSummary) => void, progress?: (lines: number) => void): AsyncGenerator<Buffer> {
  const { bodyCode, bodyType, fileId, saved, batchLines } = input;
  const classify = (l: Parameters<Classifier['classify']>[0]) => classifier.classify(l);
  const rejections: Rejection[] = [];
  const sheets: SheetReport[] = [];
  const byClass: Tallies = new Map();
  // Deep-dive tallies (service area, supplier), keyed by NUL-joined fields; exactly what a GROUP BY over
  // the file's lines would give (test/rollup-exact.test.ts checks it).
  const byService = new Map<string, { lines: number; pence: number }>();
  const bySupplier = new Map<string, { lines: number; pence: number }>();
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
      convert = makeRowConverter(cols, { bodyCode, bodyType, fileId, sheet: sheet.sheet, classify, payeeBody });
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

    const process = (rows: RawRow[]) => {
      let n = 0;
      for (let k = 0; k < rows.length; k++) {
        const row = rows[k]!;
        const cells = row.cells;
        if (isBlankRow(cells)) continue;
        if (skipped) { report.rows_skipped = (report.rows_skipped ?? 0) + 1; continue; }
        if (isRepeatedHeader(cells)) continue;
        const r = convert!(cells, row.line, lineId + 1, out);
        if ('pence' in r) {
          lineId++; n++;
          loaded++; report.rows_loaded++;
          total += r.pence;
          // Rolled up per classification and day here (cheap map lookups on shared objects), per month at the end.
          let byPayee = byClass.get(r.classification);
          if (!byPayee) byClass.set(r.classification, (byPayee = new Map()));
          const payee = r.payeeBody ?? '';
          let days = byPayee.get(payee);
          if (!days) byPayee.set(payee, (days = new Map()));
          const cell = days.get(r.date);
          if (cell) { cell.lines++; cell.pence += r.pence; } else days.set(r.date, { lines: 1, pence: r.pence });
          const head = financialYear(r.date) + '\0' + r.classification.theme_code + '\0';
          tally(byService, head + (r.service ?? '') + '\0' + payee, r.pence);
          const key = r.kind === 'individual' || r.kind === 'redacted' ? '' : (r.supplier ?? '');
          tally(bySupplier, head + r.kind + '\0' + key + '\0' + payee, r.pence);
        } else {
          rejections.push(r);
          report.rows_rejected++;
        }
      }
      outLines += n;
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
    }
    if (!convert && !skipped) {
      if (nonBlank === 0) { report.skipped = 'the sheet is empty'; skipped = true; }
      else { decide(); process(pending); }
      pending = [];
    }
    encoding ??= sheet.encoding() ?? null;
  }
  if (out.pos) yield out.take();
  progress?.(loaded);
  // In key order (year, theme, ...): rows are stored in the order they are copied, so a deep dive's
  // rows for one year and theme sit together on disk and are read from a few pages, not thousands.
  const rows = <T extends unknown[]>(m: Map<string, { lines: number; pence: number }>) =>
    [...m].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([k, t]) => [...k.split('\0'), t.lines, t.pence] as unknown as T);
  done({ rejections, sheets, rollups: monthlyRollup(byClass), services: rows<ServiceTally>(byService), suppliers: rows<SupplierTally>(bySupplier), loaded, total, encoding, checksum: source.checksum() });
}

function tally(m: Map<string, { lines: number; pence: number }>, key: string, pence: number): void {
  const t = m.get(key);
  if (t) { t.lines++; t.pence += pence; } else m.set(detach(key), { lines: 1, pence });
}

/** classification -> payee body ('' = not a body) -> ISO day -> tally */
type Tallies = Map<Classification, Map<string, Map<string, { lines: number; pence: number }>>>;

/** Folds per-day tallies into the month rows of spend_rollup. */
function monthlyRollup(byClass: Tallies): RollupCell[] {
  const cells = new Map<string, RollupCell>();
  for (const [c, byPayee] of byClass) {
    for (const [payee, days] of byPayee) {
      for (const [iso, t] of days) {
        const fy = financialYear(iso), month = iso.slice(0, 7);
        const key = `${month}|${c.theme_code}|${c.cofog_code ?? ''}|${c.prevention_code ?? ''}|${c.rule_id !== null}|${payee}`;
        const cell = cells.get(key);
        if (cell) { cell.lines += t.lines; cell.pence += t.pence; }
        else cells.set(key, { financialYear: fy, month, theme: c.theme_code, cofog: c.cofog_code ?? '', prevention: c.prevention_code ?? '', classified: c.rule_id !== null, payeeBody: payee, lines: t.lines, pence: t.pence });
      }
    }
  }
  return [...cells.values()];
}
