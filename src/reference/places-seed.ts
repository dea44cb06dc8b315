// Populations (src/reference/data/population_mid2023.json, ONS) and the GDP deflator series
// (src/reference/data/gdp_deflator.json) used by places and the count. Runs at every open: one query when
// the database already holds this version. Shipped rows are source 'ons' / 'shipped'; user overrides
// (source 'user') are never touched.
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import type { Database } from '../db/database.ts';

export interface ShippedPopulation { source: string; licence: string; year: number; areas: { code: string; name: string; geography: string; population: number }[] }
export interface ShippedDeflator { source: string; base_year: string; status: string; override: string; index: Record<string, number> }

const populationFile = new URL('./data/population_mid2023.json', import.meta.url);
const deflatorFile = new URL('./data/gdp_deflator.json', import.meta.url);
let shipped: { population: string; deflator: string; version: string } | undefined;

function shippedData(): { population: string; deflator: string; version: string } {
  if (!shipped) {
    const population = fs.readFileSync(populationFile, 'utf8');
    const deflator = fs.readFileSync(deflatorFile, 'utf8');
    shipped = { population, deflator, version: createHash('sha256').update(population).update('\0').update(deflator).digest('hex').slice(0, 16) };
  }
  return shipped;
}

export function shippedPopulation(): ShippedPopulation { return JSON.parse(shippedData().population) as ShippedPopulation; }
export function shippedDeflator(): ShippedDeflator { return JSON.parse(shippedData().deflator) as ShippedDeflator; }

/** Upserts shipped populations and deflators unless this version is already present. Returns true if it wrote. */
export async function seedPlaceReference(db: Database): Promise<boolean> {
  const { version } = shippedData();
  const current = await db.query<{ version: string }>(`SELECT version FROM reference_version WHERE name = 'places'`);
  if (current[0]?.version === version) return false;
  const pop = shippedPopulation();
  const defl = shippedDeflator();
  await db.transaction(async (tx) => {
    if (db.kind === 'postgres') await tx.query('SELECT pg_advisory_xact_lock(7403)');
    await tx.query(`DELETE FROM area_population WHERE source = 'ons' AND year = $1 AND NOT (area_code = ANY ($2::text[]))`,
      [pop.year, pop.areas.map((a) => a.code)]);
    await tx.query(
      `INSERT INTO area_population (area_code, year, source, population, name)
       SELECT code, $2, 'ons', population, name FROM jsonb_to_recordset($1::jsonb) AS x(code text, name text, population bigint)
       ON CONFLICT (area_code, year, source) DO UPDATE SET population = excluded.population, name = excluded.name, updated_at = now()
       WHERE (area_population.population, area_population.name) IS DISTINCT FROM (excluded.population, excluded.name)`,
      [JSON.stringify(pop.areas), pop.year]);
    const rows = Object.entries(defl.index).map(([financial_year, index_value]) => ({ financial_year, index_value: String(index_value) }));
    await tx.query(`DELETE FROM gdp_deflator WHERE source = 'shipped'`);
    await tx.query(
      `INSERT INTO gdp_deflator (financial_year, source, index_value, note)
       SELECT financial_year, 'shipped', index_value::numeric, $2 FROM jsonb_to_recordset($1::jsonb) AS x(financial_year text, index_value text)`,
      [JSON.stringify(rows), `${defl.source}; base ${defl.base_year} = 100`]);
    await tx.query(
      `INSERT INTO reference_version (name, version) VALUES ('places', $1)
       ON CONFLICT (name) DO UPDATE SET version = excluded.version, updated_at = now()`, [version]);
  });
  return true;
}
