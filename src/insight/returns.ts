// The register of data returns and inspections: the statutory returns each body makes and the inspections
// it receives, imported from CSV, and for a place the themes reported or inspected more than once across
// its bodies with the staff time they cost. An import is checked whole first: one problem and nothing is
// written; each problem names the line and the column. Importing an entry again (same body, kind, name and
// start date) updates it rather than adding it twice.
import type { Database, Sql } from '../db/database.ts';
import { recordAudit } from '../db/audit.ts';
import { CsvParser, sniffDelimiter, type RawRow } from '../ingest/read/csv.ts';
import { TextDecoderStream8 } from '../ingest/read/decode.ts';
import { parseDate } from '../ingest/normalise.ts';
import { findBody, matchBodyByName } from '../place/bodies.ts';
import { findPlace, normalisePlaceCode } from '../place/places.ts';

export type ReturnKind = 'return' | 'inspection';

export interface ReturnEntry {
  id: number; body_code: string; body_name: string; kind: ReturnKind; name: string; counterpart: string; theme: string;
  theme_key: string; start_date: string; end_date: string | null; staff_days: number;
}

/** One problem in a file: the line and column it is in, and what is wrong, in plain English. */
export interface ImportProblem { line: number; column: string | null; message: string }

export class ReturnsImportError extends Error {
  constructor(readonly problems: ImportProblem[], source: string) {
    super(`${source} was not imported: ${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}. `
      + problems.slice(0, 20).map((p) => `Line ${p.line}${p.column ? `, column "${p.column}"` : ''}: ${p.message}`).join(' ')
      + (problems.length > 20 ? ` (and ${problems.length - 20} more)` : ''));
  }
}

/** A problem with what the user asked for (not a file), worded to be shown as it stands. */
export class ReturnsError extends Error {}

/** The columns of an import file, each with the header spellings accepted (compared without case, spaces or punctuation). */
export const RETURN_COLUMNS = {
  body: ['body', 'bodycode', 'bodyname', 'organisation'],
  kind: ['kind', 'type', 'returnorinspection'],
  name: ['name', 'title', 'returnname', 'inspectionname'],
  counterpart: ['inspectoraterecipient', 'inspectorate', 'recipient', 'counterpart', 'inspectororrecipient', 'inspectorateorrecipient'],
  theme: ['theme', 'subject', 'topic'],
  start_date: ['startdate', 'start', 'from', 'date', 'duedate'],
  end_date: ['enddate', 'end', 'todate', 'until'],
  staff_days: ['staffdays', 'days', 'stafftimedays', 'effortdays'],
} as const;

type ColumnName = keyof typeof RETURN_COLUMNS;
const REQUIRED: ColumnName[] = ['body', 'kind', 'name', 'counterpart', 'theme', 'start_date', 'staff_days'];
const headerKey = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '');

/** The theme compared across bodies: "Health & Safety" and "health and safety" are one theme. */
export function themeKey(theme: string): string {
  return theme.toLowerCase().replace(/&/g, ' and ').replace(/[^a-z0-9]+/g, ' ').trim();
}

function parseKind(v: string): ReturnKind | null {
  const k = v.toLowerCase().replace(/[^a-z]+/g, ' ').trim();
  if (['return', 'data return', 'statutory return', 'returns'].includes(k)) return 'return';
  if (['inspection', 'inspections', 'audit inspection'].includes(k)) return 'inspection';
  return null;
}

function parseStaffDays(v: string): number | null {
  const t = v.trim();
  if (!/^\d{1,7}(\.\d{1,2})?$/.test(t)) return null;
  return Number(t);
}

/** The text of an import file: UTF-8 (with or without a byte-order mark) or windows-1252, as ingest reads. */
function decodeFile(bytes: Uint8Array): string {
  const d = new TextDecoderStream8();
  return d.decode(bytes) + d.end();
}

interface Draft { line: number; body_code: string; kind: ReturnKind; name: string; counterpart: string; theme: string; start_date: string; end_date: string | null; staff_days: number }

/** Checks a whole file; returns its entries, or every problem found. Lines starting with # are comments. */
export async function parseReturnsFile(sql: Sql, bytes: Uint8Array): Promise<{ entries: Draft[]; problems: ImportProblem[] }> {
  const text = decodeFile(bytes);
  const parser = new CsvParser(sniffDelimiter(text.slice(0, 4096)));
  const rows: RawRow[] = [];
  parser.push(text, rows);
  parser.end(rows);
  const cellText = (c: unknown) => (c === null || c === undefined ? '' : String(c).trim());
  const content = rows.filter((r) => r.cells.some((c) => cellText(c) !== '') && !cellText(r.cells[0]).startsWith('#'));
  const problems: ImportProblem[] = [];
  if (content.length === 0) return { entries: [], problems: [{ line: 1, column: null, message: 'The file has no header row and no entries.' }] };
  const header = content[0];
  const headers = header.cells.map(cellText);
  const at = new Map<ColumnName, number>();
  headers.forEach((h, i) => {
    const k = headerKey(h);
    for (const [col, names] of Object.entries(RETURN_COLUMNS) as [ColumnName, readonly string[]][]) {
      if ((names as readonly string[]).includes(k) || headerKey(col) === k) { if (!at.has(col)) at.set(col, i); }
    }
  });
  const missing = REQUIRED.filter((c) => !at.has(c));
  if (missing.length) {
    return { entries: [], problems: [{ line: header.line, column: null, message: `The header row has no ${missing.map((m) => `"${m}"`).join(', ')} column. The columns are: body, kind, name, inspectorate_or_recipient, theme, start_date, end_date (optional), staff_days.` }] };
  }
  const entries: Draft[] = [];
  const bodyCache = new Map<string, string | null>();
  const seen = new Map<string, number>();
  for (const row of content.slice(1)) {
    const cell = (c: ColumnName) => (at.has(c) ? cellText(row.cells[at.get(c)!]) : '');
    const col = (c: ColumnName) => headers[at.get(c)!] ?? c;
    const problem = (c: ColumnName | null, message: string) => problems.push({ line: row.line, column: c ? col(c) : null, message });
    const bodyText = cell('body');
    let body: string | null = null;
    if (!bodyText) problem('body', 'The body is missing: give its code (such as E07000120) or its registered name.');
    else {
      if (!bodyCache.has(bodyText)) bodyCache.set(bodyText, (await findBody(sql, bodyText))?.code ?? (await matchBodyByName(sql, bodyText))?.code ?? null);
      body = bodyCache.get(bodyText)!;
      if (!body) problem('body', `"${bodyText}" is not a registered body. Give its code (such as E07000120); "totalplace bodies list" shows them.`);
    }
    const kindText = cell('kind');
    const kind = parseKind(kindText);
    if (!kind) problem('kind', kindText ? `"${kindText}" is not a kind: write "return" or "inspection".` : 'The kind is missing: write "return" or "inspection".');
    const name = cell('name');
    if (!name) problem('name', 'The name of the return or inspection is missing.');
    else if (name.length > 300) problem('name', 'The name is too long (300 characters at most).');
    const counterpart = cell('counterpart');
    if (!counterpart) problem('counterpart', 'Who inspects, or who receives the return, is missing.');
    const theme = cell('theme');
    if (!theme) problem('theme', 'The theme is missing (such as "Safeguarding" or "Data protection").');
    else if (!themeKey(theme)) problem('theme', `"${theme}" is not a theme: use words.`);
    const date = (c: ColumnName, required: boolean): string | null => {
      const v = cell(c);
      if (!v) { if (required) problem(c, 'The date is missing: write it like 2023-04-01 or 01/04/2023.'); return null; }
      const d = parseDate(v);
      if (!d.ok) { problem(c, `"${v}" is not a date: write it like 2023-04-01 or 01/04/2023.`); return null; }
      return d.value;
    };
    const start = date('start_date', true);
    const end = date('end_date', false);
    if (start && end && end < start) problem('end_date', `The end date ${end} is before the start date ${start}.`);
    const daysText = cell('staff_days');
    const days = parseStaffDays(daysText);
    if (days === null) problem('staff_days', daysText ? `"${daysText}" is not a number of staff days: write a number such as 3 or 2.5 (no more than two decimal places).` : 'The staff days are missing: write a number such as 3 or 2.5 (0 if none).');
    if (body && kind && name && counterpart && theme && start && days !== null) {
      const id = `${body}|${kind}|${name.toLowerCase()}|${start}`;
      const first = seen.get(id);
      if (first !== undefined) problem('name', `This entry repeats line ${first} (same body, kind, name and start date).`);
      else seen.set(id, row.line);
      entries.push({ line: row.line, body_code: body, kind, name, counterpart, theme, start_date: start, end_date: end, staff_days: days });
    }
  }
  if (entries.length === 0 && problems.length === 0) problems.push({ line: header.line, column: null, message: 'The file has a header row but no entries.' });
  return { entries, problems };
}

export interface ImportResult { source: string; rows: number; added: number; updated: number }

/** Imports a register file: every entry, or (with a ReturnsImportError listing the problems) none. */
export async function importReturns(db: Database, bytes: Uint8Array, opts: { source: string; actor: string }): Promise<ImportResult> {
  const { entries, problems } = await parseReturnsFile(db, bytes);
  if (problems.length) throw new ReturnsImportError(problems, opts.source);
  return db.transaction(async (tx) => {
    let added = 0, updated = 0;
    for (const e of entries) {
      const [r] = await tx.query<{ inserted: boolean }>(
        `INSERT INTO data_return (body_code, kind, name, counterpart, theme, theme_key, start_date, end_date, staff_days, source, imported_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (body_code, kind, lower(name), start_date) DO UPDATE SET name = EXCLUDED.name, counterpart = EXCLUDED.counterpart,
           theme = EXCLUDED.theme, theme_key = EXCLUDED.theme_key, end_date = EXCLUDED.end_date, staff_days = EXCLUDED.staff_days,
           source = EXCLUDED.source, imported_by = EXCLUDED.imported_by, imported_at = now()
         RETURNING (xmax = 0) AS inserted`,
        [e.body_code, e.kind, e.name, e.counterpart, e.theme, themeKey(e.theme), e.start_date, e.end_date, e.staff_days, opts.source, opts.actor]);
      if (r.inserted) added++; else updated++;
    }
    await recordAudit(tx, opts.actor, 'returns.import', opts.source, { rows: entries.length, added, updated });
    return { source: opts.source, rows: entries.length, added, updated };
  });
}

export interface RepeatedTheme {
  theme_key: string;
  theme: string;
  entries: number;
  bodies: { body_code: string; body_name: string }[];
  kinds: ReturnKind[];
  counterparts: string[];
  staff_days: number;
}

export interface PlaceReturns {
  place: { code: string; name: string };
  bodies: { code: string; name: string }[];
  entries: ReturnEntry[];
  /** Themes reported or inspected more than once across the place's bodies, most staff time first. */
  repeated: RepeatedTheme[];
  totals: { entries: number; staff_days: number; repeated_staff_days: number };
}

/** The register for a place's bodies, and the themes that come up more than once with the staff time they cost. */
export async function placeReturns(sql: Sql, placeCode: string): Promise<PlaceReturns> {
  const p = await findPlace(sql, placeCode);
  if (!p) throw new ReturnsError(`No place with code ${normalisePlaceCode(placeCode)}.`);
  const bodies = p.bodies.filter((b) => b.rule !== 'excluded').map((b) => ({ code: b.body_code, name: b.body_name }));
  const rows = await sql.query<ReturnEntry & { staff_days: string | number }>(
    `SELECT r.id::int AS id, r.body_code, coalesce(b.name, r.body_code) AS body_name, r.kind, r.name, r.counterpart, r.theme, r.theme_key,
            r.start_date::text AS start_date, r.end_date::text AS end_date, r.staff_days
       FROM data_return r LEFT JOIN body b ON b.code = r.body_code
      WHERE r.body_code = ANY($1::text[])
      ORDER BY r.theme_key, r.start_date, r.body_code, r.name`, [bodies.map((b) => b.code)]);
  const entries = rows.map((r) => ({ ...r, staff_days: Number(r.staff_days) }));
  const byTheme = new Map<string, ReturnEntry[]>();
  for (const e of entries) {
    const l = byTheme.get(e.theme_key);
    if (l) l.push(e); else byTheme.set(e.theme_key, [e]);
  }
  const repeated: RepeatedTheme[] = [...byTheme.entries()].filter(([, l]) => l.length >= 2).map(([key, l]) => ({
    theme_key: key,
    theme: l[0].theme,
    entries: l.length,
    bodies: [...new Map(l.map((e) => [e.body_code, { body_code: e.body_code, body_name: e.body_name }])).values()],
    kinds: [...new Set(l.map((e) => e.kind))].sort(),
    counterparts: [...new Set(l.map((e) => e.counterpart))].sort(),
    staff_days: Math.round(l.reduce((s, e) => s + e.staff_days, 0) * 100) / 100,
  })).sort((a, b) => b.staff_days - a.staff_days || a.theme_key.localeCompare(b.theme_key));
  const sum = (xs: number[]) => Math.round(xs.reduce((s, x) => s + x, 0) * 100) / 100;
  return {
    place: { code: p.code, name: p.name }, bodies, entries, repeated,
    totals: { entries: entries.length, staff_days: sum(entries.map((e) => e.staff_days)), repeated_staff_days: sum(repeated.map((r) => r.staff_days)) },
  };
}
