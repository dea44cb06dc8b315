// The register of public bodies: reads, validated writes and matching a payee/publisher name to a body.
// Writes take an optional actor; when given, an audit_event row is written with the change (callers run
// both in one transaction).
import type { Sql } from '../db/database.ts';
import { recordAudit } from '../db/audit.ts';
import { BodyNameIndex } from './body-names.ts';

export interface Body {
  code: string; name: string; body_type: string; areas: string[]; parent_code: string | null;
  region: string | null; aliases: string[]; source: string;
}

export interface BodyInput {
  code: string; name: string; body_type: string; areas?: string[]; parent_code?: string | null;
  region?: string | null; aliases?: string[];
}

export type BodyChanges = Partial<Omit<BodyInput, 'code'>>;

export interface BodyFilter { type?: string; search?: string; area?: string }

/** A problem with what the user asked for, worded to be shown as it stands. */
export class BodyError extends Error {}

const COLUMNS = 'b.code, b.name, b.body_type, b.areas, b.parent_code, b.region, b.aliases, b.source';
// GSS (E07000120), ODS (RXN, G6V2S) and org-id style (GB-FRA-LANCASHIRE) codes all fit this.
const CODE_PATTERN = /^[A-Z0-9]+(?:-[A-Z0-9]+)*$/;
// X + eight digits marks an invented area (the demo place), never a real ONS code.
export const GSS_PATTERN = /^[EKNSWX]\d{8}$/;

export function normaliseCode(code: string): string {
  return code.trim().toUpperCase();
}

export async function findBody(sql: Sql, code: string): Promise<Body | null> {
  const rows = await sql.query<Body>(`SELECT ${COLUMNS} FROM body b WHERE b.code = $1`, [normaliseCode(code)]);
  return rows[0] ?? null;
}

/**
 * The body someone means by what they typed (a code, or part of a name): `body` when exactly one fits
 * (an exact code wins), otherwise up to `limit` candidates to choose from (none when nothing matches).
 */
export async function lookupBody(sql: Sql, text: string, limit = 25): Promise<{ body: Body | null; matches: Body[] }> {
  const t = (text ?? '').trim();
  if (!t) return { body: null, matches: [] };
  const exact = await findBody(sql, t);
  if (exact) return { body: exact, matches: [exact] };
  const matches = (await listBodies(sql, { search: t })).slice(0, limit);
  return { body: matches.length === 1 ? matches[0]! : null, matches };
}

/** Bodies by type order then name; `search` looks in code, name and aliases; `area` = serves that GSS code. */
export async function listBodies(sql: Sql, filter: BodyFilter = {}): Promise<Body[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.type) { params.push(filter.type); where.push(`b.body_type = $${params.length}`); }
  if (filter.area) { params.push(normaliseCode(filter.area)); where.push(`$${params.length} = ANY (b.areas)`); }
  if (filter.search?.trim()) {
    params.push(`%${filter.search.trim().replace(/[\\%_]/g, (c) => '\\' + c)}%`);
    const p = `$${params.length}`;
    where.push(`(b.code ILIKE ${p} OR b.name ILIKE ${p} OR EXISTS (SELECT 1 FROM unnest(b.aliases) a WHERE a ILIKE ${p}))`);
  }
  return sql.query<Body>(
    `SELECT ${COLUMNS} FROM body b JOIN body_type t ON t.code = b.body_type
     ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY t.sort_order, b.name, b.code`, params);
}

export async function listBodyTypes(sql: Sql): Promise<{ code: string; label: string }[]> {
  return sql.query('SELECT code, label FROM body_type ORDER BY sort_order, code');
}

async function validate(sql: Sql, b: Required<Omit<BodyInput, 'code'>>): Promise<void> {
  if (!b.name.trim()) throw new BodyError('A body needs a name.');
  if (b.name.length > 200) throw new BodyError('The name is too long (200 characters at most).');
  const types = await listBodyTypes(sql);
  if (!types.some((t) => t.code === b.body_type)) {
    throw new BodyError(`Unknown body type "${b.body_type}". Use one of: ${types.map((t) => t.code).join(', ')}.`);
  }
  for (const area of b.areas) {
    if (!GSS_PATTERN.test(area)) throw new BodyError(`Area "${area}" is not a GSS code (a letter and eight digits, such as E07000120).`);
  }
  if (b.parent_code && !(await findBody(sql, b.parent_code))) {
    throw new BodyError(`Parent body ${b.parent_code} is not registered. Add it first, or leave the parent out.`);
  }
}

const clean = (list: string[] | undefined, f: (s: string) => string = (s) => s.trim()) =>
  [...new Set((list ?? []).map(f).filter(Boolean))];

async function audit(sql: Sql, actor: string | undefined, action: string, target: string, detail: unknown): Promise<void> {
  if (actor) await recordAudit(sql, actor, action, target, detail);
}

/** Registers a new body (source 'user'). Throws BodyError with a plain-English reason when the input is wrong. */
export async function createBody(sql: Sql, input: BodyInput, actor?: string): Promise<Body> {
  const code = normaliseCode(input.code ?? '');
  if (!code) throw new BodyError('A body needs a code.');
  if (code.length > 64 || !CODE_PATTERN.test(code)) {
    throw new BodyError(`Body code "${input.code}" is not valid: use capital letters, digits and single hyphens, `
      + 'such as E07000120 (ONS GSS), RXN (NHS ODS) or GB-FRA-LANCASHIRE (org-id style).');
  }
  const existing = await findBody(sql, code);
  if (existing) throw new BodyError(`A body with code ${code} is already registered: ${existing.name}.`);
  const body = {
    name: (input.name ?? '').trim(), body_type: (input.body_type ?? '').trim(), areas: clean(input.areas, normaliseCode),
    parent_code: input.parent_code ? normaliseCode(input.parent_code) : null, region: input.region?.trim() || null,
    aliases: clean(input.aliases),
  };
  await validate(sql, body);
  const [row] = await sql.query<Body>(
    `INSERT INTO body AS b (code, name, body_type, areas, parent_code, region, aliases, source)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'user') RETURNING ${COLUMNS}`,
    [code, body.name, body.body_type, body.areas, body.parent_code, body.region, body.aliases]);
  await audit(sql, actor, 'body.create', code, row);
  return row;
}

/** Changes a body. The row becomes source 'user', so later reference data updates leave the edit alone. */
export async function updateBody(sql: Sql, code: string, changes: BodyChanges, actor?: string): Promise<Body> {
  const before = await findBody(sql, code);
  if (!before) throw new BodyError(`No body with code ${normaliseCode(code)} is registered.`);
  const after = {
    name: changes.name !== undefined ? changes.name.trim() : before.name,
    body_type: changes.body_type !== undefined ? changes.body_type.trim() : before.body_type,
    areas: changes.areas !== undefined ? clean(changes.areas, normaliseCode) : before.areas,
    parent_code: changes.parent_code !== undefined ? (changes.parent_code ? normaliseCode(changes.parent_code) : null) : before.parent_code,
    region: changes.region !== undefined ? changes.region?.trim() || null : before.region,
    aliases: changes.aliases !== undefined ? clean(changes.aliases) : before.aliases,
  };
  if (after.parent_code === before.code) throw new BodyError('A body cannot be its own parent.');
  await validate(sql, after);
  const [row] = await sql.query<Body>(
    `UPDATE body AS b SET name = $2, body_type = $3, areas = $4, parent_code = $5, region = $6, aliases = $7, source = 'user'
     WHERE b.code = $1 RETURNING ${COLUMNS}`,
    [before.code, after.name, after.body_type, after.areas, after.parent_code, after.region, after.aliases]);
  await audit(sql, actor, 'body.update', before.code, { before, after: row });
  return row;
}

/**
 * Loads a name index of every registered body, for matching many names at once (e.g. every distinct
 * payee in a file): `match(name)` returns the body code, or null when no single body fits.
 */
export async function loadBodyMatcher(sql: Sql): Promise<{ match(name: string): string | null }> {
  return new BodyNameIndex(await sql.query<{ code: string; name: string; body_type: string; aliases: string[] }>(
    'SELECT code, name, body_type, aliases FROM body'));
}

/** The registered body a payee/publisher name refers to ("WYRE BOROUGH COUNCIL" -> Wyre), or null. */
export async function matchBodyByName(sql: Sql, name: string): Promise<Body | null> {
  const code = (await loadBodyMatcher(sql)).match(name);
  return code ? findBody(sql, code) : null;
}
