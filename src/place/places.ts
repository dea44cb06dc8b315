// Places: a named area made of GSS areas, the bodies that serve it and the rule attributing each body's
// spend to it. Every change increments the place's version and stores the whole definition (the JSON a
// definition file holds) in place_version, and writes an audit_event row, all in one transaction.
import type { Database, Sql } from '../db/database.ts';
import { recordAudit as audit } from '../db/audit.ts';
import { findBody, GSS_PATTERN } from './bodies.ts';
import { attribute, AttributionError, RULES, type Driver, type Rule } from './attribution.ts';

/** A problem with what the user asked for, worded to be shown as it stands. */
export class PlaceError extends Error {}

export const DEFINITION_FORMAT = 'totalplace-place';
export const DEFINITION_FORMAT_VERSION = 1;

export interface PlaceBodyDefinition {
  code: string;
  /** The body's name when exported (for the reader; ignored on import). */
  name?: string;
  rule: Rule;
  driver?: Driver | null;
  note?: string;
}

/** A place definition, as saved in a file and in place_version. */
export interface PlaceDefinition {
  format: typeof DEFINITION_FORMAT;
  format_version: number;
  code: string;
  name: string;
  version: number;
  areas: string[];
  population_override: number | null;
  bodies: PlaceBodyDefinition[];
}

export interface PlaceBody { body_code: string; body_name: string; body_type: string; body_areas: string[]; rule: Rule; driver: Driver | null; note: string }
export interface Place {
  code: string; name: string; areas: string[]; population_override: number | null; version: number;
  updated_at: string; updated_by: string; bodies: PlaceBody[];
}

const CODE_PATTERN = /^[A-Z0-9]+(?:[-_][A-Z0-9]+)*$/;

export function normalisePlaceCode(code: string): string { return code.trim().toUpperCase(); }

function checkCode(code: string): string {
  const c = normalisePlaceCode(code ?? '');
  if (!c) throw new PlaceError('A place needs a code.');
  if (c.length > 64 || !CODE_PATTERN.test(c)) throw new PlaceError(`Place code "${code}" is not valid: use capital letters, digits and single hyphens, such as HYNDBURN or LANCASHIRE-COUNTY.`);
  return c;
}

function checkAreas(areas: string[]): string[] {
  const out = [...new Set(areas.map((a) => a.trim().toUpperCase()).filter(Boolean))];
  if (out.length === 0) throw new PlaceError('A place needs at least one area (GSS code, such as E07000120).');
  for (const a of out) if (!GSS_PATTERN.test(a)) throw new PlaceError(`Area "${a}" is not a GSS code (a letter and eight digits, such as E07000120).`);
  return out;
}

function checkName(name: string): string {
  const n = (name ?? '').trim();
  if (!n) throw new PlaceError('A place needs a name.');
  if (n.length > 200) throw new PlaceError('The name is too long (200 characters at most).');
  return n;
}

function checkPopulation(n: unknown): number | null {
  if (n === null || n === undefined) return null;
  const v = typeof n === 'string' ? Number(n.replace(/,/g, '')) : n;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) throw new PlaceError(`A population must be a whole number more than zero (got "${String(n)}").`);
  return v;
}

export async function findPlace(sql: Sql, code: string): Promise<Place | null> {
  const [p] = await sql.query<{ code: string; name: string; areas: string[]; population_override: number | string | null; version: number; updated_at: string; updated_by: string }>(
    `SELECT code, name, areas, population_override, version, updated_at::text AS updated_at, updated_by FROM place WHERE code = $1`, [normalisePlaceCode(code)]);
  if (!p) return null;
  const bodies = await sql.query<PlaceBody>(
    `SELECT pb.body_code, b.name AS body_name, b.body_type, b.areas AS body_areas, pb.rule, pb.driver, pb.note
       FROM place_body pb JOIN body b ON b.code = pb.body_code JOIN body_type t ON t.code = b.body_type
      WHERE pb.place_code = $1 ORDER BY t.sort_order, b.name, b.code`, [p.code]);
  return { ...p, population_override: p.population_override === null ? null : Number(p.population_override), bodies };
}

export async function listPlaces(sql: Sql): Promise<{ code: string; name: string; areas: string[]; version: number; bodies: number }[]> {
  return sql.query(`SELECT p.code, p.name, p.areas, p.version, (SELECT count(*)::int FROM place_body pb WHERE pb.place_code = p.code) AS bodies
                      FROM place p ORDER BY p.name, p.code`);
}

/** The places a body is attached to, with the rule attributing its spend to each. */
export async function placesOfBody(sql: Sql, bodyCode: string): Promise<{ code: string; name: string; rule: Rule }[]> {
  return sql.query(`SELECT p.code, p.name, pb.rule FROM place_body pb JOIN place p ON p.code = pb.place_code
                     WHERE pb.body_code = $1 ORDER BY p.name, p.code`, [bodyCode]);
}

/** The place's definition as it stands (what `place export` writes). */
export function definitionOf(place: Place): PlaceDefinition {
  return {
    format: DEFINITION_FORMAT, format_version: DEFINITION_FORMAT_VERSION,
    code: place.code, name: place.name, version: place.version, areas: place.areas, population_override: place.population_override,
    bodies: place.bodies.map((b) => ({ code: b.body_code, name: b.body_name, rule: b.rule, ...(b.driver ? { driver: b.driver } : {}), ...(b.note ? { note: b.note } : {}) })),
  };
}

/** The definition without its version and display-only names: two definitions with the same content compare equal. */
function content(d: PlaceDefinition): string {
  return JSON.stringify({ name: d.name, areas: d.areas, population_override: d.population_override,
    bodies: [...d.bodies].sort((a, b) => a.code.localeCompare(b.code)).map((b) => ({ code: b.code, rule: b.rule, driver: b.driver ?? null, note: b.note ?? '' })) });
}

/** Sets the version (next one, or `version` when given), stores the definition and its history row. */
async function bump(tx: Sql, code: string, actor: string, version?: number): Promise<Place> {
  if (version === undefined) await tx.query('UPDATE place SET version = version + 1 WHERE code = $1', [code]);
  else await tx.query('UPDATE place SET version = $2 WHERE code = $1', [code, version]);
  const place = (await findPlace(tx, code))!;
  const def = definitionOf(place);
  await tx.query('UPDATE place SET definition = $2::jsonb, updated_at = now(), updated_by = $3 WHERE code = $1', [code, JSON.stringify(def), actor]);
  await tx.query('INSERT INTO place_version (place_code, version, definition, actor) VALUES ($1, $2, $3::jsonb, $4)', [code, place.version, JSON.stringify(def), actor]);
  return (await findPlace(tx, code))!;
}

async function requirePlace(sql: Sql, code: string): Promise<Place> {
  const p = await findPlace(sql, code);
  if (!p) throw new PlaceError(`No place with code ${normalisePlaceCode(code)}. Create it with: totalplace place create CODE --name NAME --areas GSS,...`);
  return p;
}

export interface PlaceInput { code: string; name: string; areas: string[]; population_override?: number | null }

export async function createPlace(db: Database, input: PlaceInput, actor: string): Promise<Place> {
  const code = checkCode(input.code);
  const name = checkName(input.name);
  const areas = checkAreas(input.areas ?? []);
  const population = checkPopulation(input.population_override);
  return db.transaction(async (tx) => {
    const existing = await findPlace(tx, code);
    if (existing) throw new PlaceError(`A place with code ${code} already exists: ${existing.name}.`);
    await tx.query('INSERT INTO place (code, name, areas, population_override, version, updated_by) VALUES ($1, $2, $3, $4, 0, $5)', [code, name, areas, population, actor]);
    const place = await bump(tx, code, actor, 1);
    await audit(tx, actor, 'place.create', code, definitionOf(place));
    return place;
  });
}

export async function updatePlace(db: Database, code: string, changes: { name?: string; areas?: string[] }, actor: string): Promise<Place> {
  return db.transaction(async (tx) => {
    const before = await requirePlace(tx, code);
    const name = changes.name !== undefined ? checkName(changes.name) : before.name;
    const areas = changes.areas !== undefined ? checkAreas(changes.areas) : before.areas;
    await tx.query('UPDATE place SET name = $2, areas = $3 WHERE code = $1', [before.code, name, areas]);
    const after = await bump(tx, before.code, actor);
    await audit(tx, actor, 'place.update', before.code, { before: definitionOf(before), after: definitionOf(after) });
    return after;
  });
}

async function checkAttachment(sql: Sql, place: { code: string; name: string; areas: string[] }, b: PlaceBodyDefinition): Promise<{ code: string; driver: Driver | null; note: string }> {
  if (!RULES.includes(b.rule)) throw new PlaceError(`Unknown rule "${b.rule}". Use one of: ${RULES.join(', ')}.`);
  const body = await findBody(sql, b.code ?? '');
  if (!body) throw new PlaceError(`No body with code ${b.code} is registered. Try: totalplace bodies list --search NAME`);
  if (b.rule !== 'driver_share' && b.driver) throw new PlaceError(`A driver (${b.driver.name}) only goes with the driver_share rule, not ${b.rule}.`);
  let driver: Driver | null = null;
  if (b.rule === 'driver_share') {
    if (!b.driver) throw new PlaceError(`The driver_share rule needs a driver: --driver-name NAME --driver-place N --driver-total N.`);
    try {
      driver = attribute('driver_share', body, place, { driver: b.driver }).driver!;
    } catch (err) {
      if (err instanceof AttributionError) throw new PlaceError(err.message);
      throw err;
    }
  }
  if (b.rule === 'population_share' && body.areas.length === 0) {
    throw new PlaceError(`${body.name} (${body.code}) has no areas recorded, so a population share cannot be computed. Record its areas first, or use another rule.`);
  }
  return { code: body.code, driver, note: (b.note ?? '').trim() };
}

export interface AttachInput { body: string; rule: Rule; driver?: Driver | null; note?: string }

/** Attaches a body to a place with a rule (or changes the rule of a body already attached). */
export async function attachBody(db: Database, placeCode: string, input: AttachInput, actor: string): Promise<Place> {
  return db.transaction(async (tx) => {
    const place = await requirePlace(tx, placeCode);
    const b = await checkAttachment(tx, place, { code: input.body, rule: input.rule, driver: input.driver ?? null, note: input.note });
    const before = place.bodies.find((x) => x.body_code === b.code) ?? null;
    await tx.query(
      `INSERT INTO place_body (place_code, body_code, rule, driver, note) VALUES ($1, $2, $3, $4::jsonb, $5)
       ON CONFLICT (place_code, body_code) DO UPDATE SET rule = excluded.rule, driver = excluded.driver, note = excluded.note`,
      [place.code, b.code, input.rule, b.driver ? JSON.stringify(b.driver) : null, b.note]);
    const after = await bump(tx, place.code, actor);
    await audit(tx, actor, 'place.attach', place.code, { body: b.code, before, rule: input.rule, driver: b.driver, note: b.note, version: after.version });
    return after;
  });
}

export async function detachBody(db: Database, placeCode: string, bodyCode: string, actor: string): Promise<Place> {
  return db.transaction(async (tx) => {
    const place = await requirePlace(tx, placeCode);
    const code = bodyCode.trim().toUpperCase();
    const before = place.bodies.find((x) => x.body_code === code);
    if (!before) throw new PlaceError(`${code} is not attached to ${place.code}.`);
    await tx.query('DELETE FROM place_body WHERE place_code = $1 AND body_code = $2', [place.code, code]);
    const after = await bump(tx, place.code, actor);
    await audit(tx, actor, 'place.detach', place.code, { body: code, before, version: after.version });
    return after;
  });
}

/** Sets (or, with null, clears) the population used for the place's per-head figures. */
export async function setPlacePopulation(db: Database, placeCode: string, population: number | null, actor: string): Promise<Place> {
  const value = checkPopulation(population);
  return db.transaction(async (tx) => {
    const place = await requirePlace(tx, placeCode);
    await tx.query('UPDATE place SET population_override = $2 WHERE code = $1', [place.code, value]);
    const after = await bump(tx, place.code, actor);
    await audit(tx, actor, 'place.population', place.code, { before: place.population_override, after: value, version: after.version });
    return after;
  });
}

export async function deletePlace(db: Database, placeCode: string, actor: string): Promise<void> {
  await db.transaction(async (tx) => {
    const place = await requirePlace(tx, placeCode);
    await tx.query('DELETE FROM place WHERE code = $1', [place.code]);
    await audit(tx, actor, 'place.delete', place.code, definitionOf(place));
  });
}

/** Checks the shape of a definition read from a file. */
export function parseDefinition(value: unknown, source = 'the file'): PlaceDefinition {
  const v = value as Partial<PlaceDefinition> | null;
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new PlaceError(`${source} does not hold a place definition (a JSON object).`);
  if (v.format !== DEFINITION_FORMAT) throw new PlaceError(`${source} is not a place definition: its "format" should be "${DEFINITION_FORMAT}".`);
  if (v.format_version !== undefined && v.format_version !== DEFINITION_FORMAT_VERSION) throw new PlaceError(`${source} uses format_version ${v.format_version}; this version of Total Place reads ${DEFINITION_FORMAT_VERSION}.`);
  const version = v.version ?? 1;
  if (!Number.isSafeInteger(version) || version < 1) throw new PlaceError(`${source}: "version" must be a whole number of 1 or more.`);
  if (!Array.isArray(v.areas)) throw new PlaceError(`${source}: "areas" must be a list of GSS codes.`);
  if (v.bodies !== undefined && !Array.isArray(v.bodies)) throw new PlaceError(`${source}: "bodies" must be a list.`);
  const bodies = (v.bodies ?? []).map((b, i) => {
    if (!b || typeof b !== 'object' || typeof b.code !== 'string' || typeof b.rule !== 'string') throw new PlaceError(`${source}: body ${i + 1} needs a "code" and a "rule".`);
    return { code: b.code.trim().toUpperCase(), rule: b.rule, driver: b.driver ?? null, note: b.note ?? '' } as PlaceBodyDefinition;
  });
  const codes = bodies.map((b) => b.code);
  const dup = codes.find((c, i) => codes.indexOf(c) !== i);
  if (dup) throw new PlaceError(`${source}: body ${dup} is listed twice.`);
  return {
    format: DEFINITION_FORMAT, format_version: DEFINITION_FORMAT_VERSION, code: checkCode(String(v.code ?? '')), name: checkName(String(v.name ?? '')),
    version, areas: checkAreas(v.areas.map(String)), population_override: checkPopulation(v.population_override), bodies,
  };
}

export interface ImportResult { place: Place; created: boolean; changed: boolean }

/**
 * Creates or replaces a place from a definition. The same content as the place already holds changes
 * nothing; otherwise the version becomes the file's, or the place's next version if that is higher.
 */
export async function importPlace(db: Database, value: unknown, actor: string, source?: string): Promise<ImportResult> {
  const def = parseDefinition(value, source);
  return db.transaction(async (tx) => {
    const existing = await findPlace(tx, def.code);
    if (existing && content(definitionOf(existing)) === content(def)) return { place: existing, created: false, changed: false };
    const bodies = [];
    for (const b of def.bodies) bodies.push({ ...(await checkAttachment(tx, def, b)), rule: b.rule });
    if (existing) {
      await tx.query('UPDATE place SET name = $2, areas = $3, population_override = $4 WHERE code = $1', [def.code, def.name, def.areas, def.population_override]);
      await tx.query('DELETE FROM place_body WHERE place_code = $1', [def.code]);
    } else {
      await tx.query('INSERT INTO place (code, name, areas, population_override, version, updated_by) VALUES ($1, $2, $3, $4, 0, $5)',
        [def.code, def.name, def.areas, def.population_override, actor]);
    }
    for (const b of bodies) {
      await tx.query('INSERT INTO place_body (place_code, body_code, rule, driver, note) VALUES ($1, $2, $3, $4::jsonb, $5)',
        [def.code, b.code, b.rule, b.driver ? JSON.stringify(b.driver) : null, b.note]);
    }
    const version = existing ? Math.max(existing.version + 1, def.version) : def.version;
    const place = await bump(tx, def.code, actor, version);
    await audit(tx, actor, 'place.import', def.code, { source: source ?? null, before: existing ? definitionOf(existing) : null, after: definitionOf(place) });
    return { place, created: !existing, changed: true };
  });
}

/** A stored version of a place's definition (for re-running an earlier count). */
export async function placeVersion(sql: Sql, code: string, version: number): Promise<PlaceDefinition | null> {
  const [row] = await sql.query<{ definition: PlaceDefinition }>('SELECT definition FROM place_version WHERE place_code = $1 AND version = $2', [normalisePlaceCode(code), version]);
  return row?.definition ?? null;
}
