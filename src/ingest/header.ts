// Finds the header row: the first rows of a sheet may be junk (a row of commas, a title, notes).
// The header is the row, among the first 30 non-blank ones, whose cells look most like known
// column names, with data-looking rows after it.
import { headerScores, profileColumn, savedChoice, type SavedMapping } from './mapping.ts';
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

/** Index (into `rows`) of the header row, or -1 when no row looks like a header. Headers named in the
 *  body's saved mapping count as recognised. */
export function findHeaderRow(rows: RawRow[], saved: SavedMapping = {}): number {
  let best = -1, bestScore = 0;
  let seen = 0;
  let firstTextRow = -1;
  for (let i = 0; i < rows.length && seen < HEADER_SEARCH_ROWS; i++) {
    const cells = rows[i]!.cells;
    if (isBlankRow(cells)) continue;
    seen++;
    const texts = cells.filter((c) => typeof c === 'string' && c.trim() !== '') as string[];
    if (texts.length < 2) continue;
    // A header holds text labels, not numbers or dates.
    const numeric = texts.filter((t) => /^[-£$€(]?\s*[\d.,]+\)?$/.test(t.trim())).length + cells.filter((c) => typeof c === 'number' || c instanceof Date).length;
    if (numeric > texts.length / 2) continue;
    if (firstTextRow < 0) firstTextRow = i;
    const { recognised, hasDate, hasAmount } = headerScores(texts);
    const savedHits = texts.filter((t) => savedChoice(saved, t) !== undefined).length;
    const score = recognised * 2 + savedHits * 3 + (hasDate ? 3 : 0) + (hasAmount ? 3 : 0);
    if (score > bestScore) { best = i; bestScore = score; }
  }
  if (bestScore >= 5) return best;
  // No known names: take the first row of labels if the rows under it hold dates or amounts,
  // so the columns can still be found from their values.
  if (firstTextRow >= 0) {
    const below = rows.slice(firstTextRow + 1).filter((r) => !isBlankRow(r.cells)).slice(0, 50);
    const width = rows[firstTextRow]!.cells.length;
    for (let c = 0; c < width && below.length; c++) {
      const p = profileColumn(below.map((r) => r.cells[c]));
      if (p.nonBlank && (p.dates / p.nonBlank >= 0.8 || p.amounts / p.nonBlank >= 0.8)) return firstTextRow;
    }
  }
  return -1;
}
