// A look at a spend file before it is loaded: its kind, encoding, header row, first rows and the column
// mapping ingest would use, decided by the same code (sheetLayout) from the same number of rows.
// Reads only the start of the file, so it is quick however big the file is.
import type { CanonicalField } from './fields.ts';
import { isBlankRow } from './header.ts';
import type { ColumnAssignment, SavedMapping } from './mapping.ts';
import { DECIDE_AFTER_ROWS, NO_HEADER_FOUND, sheetLayout } from './produce.ts';
import type { RawRow } from './read/csv.ts';
import { openSource, type OpenedSource } from './read/source.ts';

export interface PreviewColumn {
  index: number;
  header: string;
  field: CanonicalField | null;
  how: ColumnAssignment['how'];
  /** The first few different values under the header. */
  examples: string[];
}

export interface PreviewSheet {
  sheet: string | null;
  header_line: number | null;
  columns: PreviewColumn[];
  /** The first data rows (or, when no header was found, the first rows), cells in `columns` order. */
  rows: { line: number; cells: string[] }[];
  /** Why this sheet cannot be loaded as it stands. */
  problem?: string;
}

export interface FilePreview {
  format: OpenedSource['format'];
  /** The text encoding found in the first bytes (CSV only). */
  encoding: string | null;
  /** Sheets read, up to and including the first with a header row. */
  sheets: PreviewSheet[];
}

const MAX_CELL = 120;

export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) {
    const iso = v.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 16).replace('T', ' ');
  }
  const s = String(v).trim();
  return s.length > MAX_CELL ? s.slice(0, MAX_CELL - 1) + '…' : s;
}

/**
 * Reads the first rows of each sheet until one has a header row (at most `maxSheets` sheets), and
 * returns what ingest would make of it with the `saved` mapping. Throws UnreadableFileError for a file
 * that cannot be read at all.
 */
export async function previewFile(file: string, saved: SavedMapping, opts: { rows?: number; maxSheets?: number } = {}): Promise<FilePreview> {
  const wanted = opts.rows ?? 10;
  const maxSheets = opts.maxSheets ?? 5;
  const source = await openSource(file);
  const out: FilePreview = { format: source.format, encoding: null, sheets: [] };
  for await (const sheet of source.sheets) {
    const rows: RawRow[] = [];
    let nonBlank = 0;
    let preview: PreviewSheet | undefined;
    for await (const batch of sheet.batches) {
      if (preview) continue; // a sheet with no header is read to its end, to reach the next sheet
      for (const r of batch) { rows.push(r); if (!isBlankRow(r.cells)) nonBlank++; }
      if (nonBlank < DECIDE_AFTER_ROWS) continue;
      preview = previewSheet(sheet.sheet, rows, nonBlank, saved, wanted);
      if (preview.header_line !== null || out.sheets.length + 1 >= maxSheets) break;
    }
    preview ??= previewSheet(sheet.sheet, rows, nonBlank, saved, wanted);
    out.encoding ??= sheet.encoding() ?? null;
    out.sheets.push(preview);
    if (preview.header_line !== null || out.sheets.length >= maxSheets) break;
  }
  return out;
}

function previewSheet(name: string | null, rows: RawRow[], nonBlank: number, saved: SavedMapping, wanted: number): PreviewSheet {
  const filled = rows.filter((r) => !isBlankRow(r.cells));
  const layout = nonBlank ? sheetLayout(rows, saved) : null;
  if (!layout) {
    const width = Math.max(0, ...filled.slice(0, wanted).map((r) => r.cells.length));
    return {
      sheet: name, header_line: null,
      columns: Array.from({ length: width }, (_, index) => ({ index, header: '', field: null, how: 'ignored' as const, examples: [] })),
      rows: filled.slice(0, wanted).map((r) => ({ line: r.line, cells: Array.from({ length: width }, (_, i) => cellText(r.cells[i])) })),
      problem: nonBlank ? NO_HEADER_FOUND : 'the sheet is empty',
    };
  }
  const data = rows.slice(layout.headerIndex + 1).filter((r) => !isBlankRow(r.cells));
  // Columns worth showing: labelled, mapped, or holding values (real files trail dozens of empty ones).
  const columns = layout.columns
    .filter((c) => c.header || c.field || data.some((r) => cellText(r.cells[c.index]) !== ''))
    .map((c) => ({
      index: c.index, header: c.header, field: c.field, how: c.how,
      examples: [...new Set(data.map((r) => cellText(r.cells[c.index])).filter(Boolean))].slice(0, 3),
    }));
  return {
    sheet: name, header_line: layout.headerLine, columns,
    rows: data.slice(0, wanted).map((r) => ({ line: r.line, cells: columns.map((c) => cellText(r.cells[c.index])) })),
    ...(layout.missing ? { problem: layout.missing } : {}),
  };
}
