// Streams the rows of every worksheet of an XLSX workbook (exceljs's streaming reader: the workbook
// is never held whole). Cell values come out as string | number | Date | null; formulas give their
// cached result, rich text its plain text.
import { loadExcelJS } from '../../util/excel.ts';
import type { Readable } from 'node:stream';
import type { RawRow } from './csv.ts';

export interface SheetStream { sheet: string; batches: AsyncIterable<RawRow[]> }

export function cellValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'object' || v instanceof Date) return v;
  const o = v as Record<string, unknown>;
  if ('result' in o) return cellValue(o.result);
  if ('richText' in o && Array.isArray(o.richText)) return (o.richText as { text: string }[]).map((r) => r.text).join('');
  if ('text' in o) return cellValue(o.text);
  if ('error' in o) return null;
  if ('formula' in o || 'sharedFormula' in o) return null; // a formula with no cached result
  return String(v);
}

export async function* readXlsx(input: string | Readable, batchSize = 2000): AsyncGenerator<SheetStream> {
  const ExcelJS = await loadExcelJS();
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input as never, {
    sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', worksheets: 'emit', entries: 'emit',
  } as never);
  for await (const worksheet of reader as AsyncIterable<AsyncIterable<{ number: number; values: unknown[] }> & { name: string }>) {
    const ws = worksheet;
    async function* batches(): AsyncGenerator<RawRow[]> {
      let batch: RawRow[] = [];
      for await (const row of ws) {
        const values = row.values as unknown[];
        const cells: unknown[] = new Array(Math.max(0, values.length - 1));
        for (let i = 1; i < values.length; i++) cells[i - 1] = cellValue(values[i]);
        batch.push({ line: row.number, cells });
        if (batch.length >= batchSize) { yield batch; batch = []; }
      }
      if (batch.length) yield batch;
    }
    yield { sheet: ws.name, batches: batches() };
  }
}
