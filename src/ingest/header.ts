// Finds the header row: the first rows of a sheet may be junk (a row of commas, a title, notes).
// The header is the row, among the first 30 non-blank ones, whose cells look most like known
// column names, with data-looking rows after it.
import { headerScores } from './mapping.ts';
import type { RawRow } from './read/csv.ts';

export const HEADER_SEARCH_ROWS = 30;

export function isBlankRow(cells: unknown[]): boolean {
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    if (c === null || c === undefined) continue;
    if (typeof c === 'string') { if (c.length !== 0 && c.trim().length !== 0) return false; continue; }
    return false;
  }
  return true;
}

/** Index (into `rows`) of the header row, or -1 when no row looks like a header. */
export function findHeaderRow(rows: RawRow[]): number {
  let best = -1, bestScore = 0;
  let seen = 0;
  for (let i = 0; i < rows.length && seen < HEADER_SEARCH_ROWS; i++) {
    const cells = rows[i]!.cells;
    if (isBlankRow(cells)) continue;
    seen++;
    const texts = cells.filter((c) => typeof c === 'string' && c.trim() !== '') as string[];
    if (texts.length < 2) continue;
    // A header holds text labels, not numbers or dates.
    const numeric = texts.filter((t) => /^[-£$€(]?\s*[\d.,]+\)?$/.test(t.trim())).length + cells.filter((c) => typeof c === 'number' || c instanceof Date).length;
    if (numeric > texts.length / 2) continue;
    const { recognised, hasDate, hasAmount } = headerScores(texts);
    const score = recognised * 2 + (hasDate ? 3 : 0) + (hasAmount ? 3 : 0);
    if (score > bestScore) { best = i; bestScore = score; }
  }
  return bestScore >= 5 ? best : -1;
}
