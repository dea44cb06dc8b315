// Body types and the shipped register of public bodies (src/reference/data/bodies.json, built by
// scripts/build-reference-bodies.ts). Runs at every open: one query when the data is already present.
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import type { Database } from '../db/database.ts';

export const BODY_TYPES: { code: string; label: string; sort_order: number }[] = [
  { code: 'county', label: 'County council', sort_order: 10 },
  { code: 'district', label: 'District council', sort_order: 20 },
  { code: 'unitary', label: 'Unitary authority', sort_order: 30 },
  { code: 'metropolitan', label: 'Metropolitan borough council', sort_order: 40 },
  { code: 'london_borough', label: 'London borough', sort_order: 50 },
  { code: 'combined_authority', label: 'Combined or strategic authority', sort_order: 60 },
  { code: 'police', label: 'Police force area (commissioner and force)', sort_order: 70 },
  { code: 'fire', label: 'Fire and rescue authority', sort_order: 80 },
  { code: 'nhs_commissioner', label: 'NHS commissioner', sort_order: 90 },
  { code: 'nhs_provider', label: 'NHS provider', sort_order: 100 },
  { code: 'central_government', label: 'Central government', sort_order: 110 },
  { code: 'other', label: 'Other public body', sort_order: 990 },
];

const dataFile = new URL('./data/bodies.json', import.meta.url);
let shipped: { json: string; version: string } | undefined;

/** The shipped bodies as JSON text, and a version that changes whenever they or the types change. */
function shippedData(): { json: string; version: string } {
  if (!shipped) {
    const json = fs.readFileSync(dataFile, 'utf8');
    const version = createHash('sha256').update(JSON.stringify(BODY_TYPES)).update(json).digest('hex').slice(0, 16);
    shipped = { json, version };
  }
  return shipped;
}

/** Upserts body types and shipped bodies unless this version is already present. Returns true if it wrote. */
export async function seedBodyReference(db: Database): Promise<boolean> {
  const { json, version } = shippedData();
  const current = await db.query<{ version: string }>(`SELECT version FROM reference_version WHERE name = 'bodies'`);
  if (current[0]?.version === version) return false;
  await db.transaction(async (tx) => {
    // Two processes opening one server database at once must not both seed.
    if (db.kind === 'postgres') await tx.query('SELECT pg_advisory_xact_lock(7402)');
    await tx.query(
      `INSERT INTO body_type (code, label, sort_order)
       SELECT code, label, sort_order FROM jsonb_to_recordset($1::jsonb) AS x(code text, label text, sort_order int)
       ON CONFLICT (code) DO UPDATE SET label = excluded.label, sort_order = excluded.sort_order`,
      [JSON.stringify(BODY_TYPES)]);
    // One statement for all bodies. Rows a user created or edited (source 'user') are left alone,
    // and unchanged rows are not rewritten.
    await tx.query(
      `INSERT INTO body (code, name, body_type, areas, parent_code, region, aliases, source)
       SELECT code, name, body_type, coalesce(areas, '{}'), parent_code, region, coalesce(aliases, '{}'), 'reference'
       FROM jsonb_to_recordset($1::jsonb)
         AS x(code text, name text, body_type text, areas text[], parent_code text, region text, aliases text[])
       ON CONFLICT (code) DO UPDATE SET name = excluded.name, body_type = excluded.body_type, areas = excluded.areas,
         parent_code = excluded.parent_code, region = excluded.region, aliases = excluded.aliases
       WHERE body.source = 'reference'
         AND (body.name, body.body_type, body.areas, body.parent_code, body.region, body.aliases)
             IS DISTINCT FROM (excluded.name, excluded.body_type, excluded.areas, excluded.parent_code, excluded.region, excluded.aliases)`,
      [json]);
    await tx.query(
      `INSERT INTO reference_version (name, version) VALUES ('bodies', $1)
       ON CONFLICT (name) DO UPDATE SET version = excluded.version, updated_at = now()`, [version]);
  });
  return true;
}
