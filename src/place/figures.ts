// The reference figures a count uses: area populations (ONS, with user overrides) and the GDP deflator
// series (shipped, with user overrides). A 'user' row always wins over the shipped one for the same key.
import type { Database, Sql } from '../db/database.ts';
import { recordAudit as audit } from '../db/audit.ts';
import { PlaceError } from './places.ts';
import { GSS_PATTERN } from './bodies.ts';

const FY_PATTERN = /^(\d{4})-(\d{2})$/;

export function checkFinancialYear(fy: string): string {
  const m = FY_PATTERN.exec((fy ?? '').trim());
  if (!m || (Number(m[1]) + 1) % 100 !== Number(m[2])) throw new PlaceError(`"${fy}" is not a financial year: write it like 2023-24.`);
  return m[0];
}

// ---------- populations ----------

export interface AreaPopulation { area_code: string; name: string; population: number; source: 'ons' | 'user' }
export interface Populations { year: number | null; areas: Map<string, AreaPopulation> }

/** The population year to use for a financial year: its first calendar year if held, else the nearest earlier, else the earliest. */
export async function populationYear(sql: Sql, financialYear?: string): Promise<number | null> {
  const years = (await sql.query<{ year: number }>('SELECT DISTINCT year FROM area_population ORDER BY year')).map((r) => Number(r.year));
  if (years.length === 0) return null;
  const want = financialYear ? Number(financialYear.slice(0, 4)) : years[years.length - 1];
  const earlier = years.filter((y) => y <= want);
  return earlier.length ? earlier[earlier.length - 1] : years[0];
}

/** Populations of the given areas for a year ('user' overrides win over 'ons'). Areas with no figure are absent. */
export async function areaPopulations(sql: Sql, areas: string[], year: number | null): Promise<Populations> {
  const out = new Map<string, AreaPopulation>();
  if (year === null || areas.length === 0) return { year, areas: out };
  const rows = await sql.query<{ area_code: string; name: string; population: number | string; source: 'ons' | 'user' }>(
    `SELECT DISTINCT ON (area_code) area_code, name, population, source FROM area_population
      WHERE year = $1 AND area_code = ANY ($2::text[]) ORDER BY area_code, (source = 'user') DESC`, [year, [...new Set(areas)]]);
  const names = new Map((await sql.query<{ area_code: string; name: string }>(
    `SELECT area_code, name FROM area_population WHERE source = 'ons' AND area_code = ANY ($1::text[])`, [[...new Set(areas)]])).map((r) => [r.area_code, r.name]));
  for (const r of rows) out.set(r.area_code, { area_code: r.area_code, name: r.name || names.get(r.area_code) || '', population: Number(r.population), source: r.source });
  return { year, areas: out };
}

export async function listAreaPopulation(sql: Sql, area: string): Promise<{ year: number; source: string; population: number; name: string; note: string }[]> {
  return (await sql.query<{ year: number; source: string; population: number | string; name: string; note: string }>(
    'SELECT year, source, population, name, note FROM area_population WHERE area_code = $1 ORDER BY year DESC, source DESC', [area.trim().toUpperCase()]))
    .map((r) => ({ ...r, year: Number(r.year), population: Number(r.population) }));
}

export async function setAreaPopulation(db: Database, area: string, year: number, population: number, actor: string, note = ''): Promise<void> {
  const code = area.trim().toUpperCase();
  if (!GSS_PATTERN.test(code)) throw new PlaceError(`Area "${area}" is not a GSS code (a letter and eight digits, such as E07000120).`);
  if (!Number.isSafeInteger(year) || year < 1900 || year > 2100) throw new PlaceError(`"${year}" is not a year (write the mid-year estimate's year, such as 2023).`);
  if (!Number.isSafeInteger(population) || population < 0) throw new PlaceError(`A population must be a whole number of zero or more (got "${population}").`);
  await db.transaction(async (tx) => {
    const before = await listAreaPopulation(tx, code);
    await tx.query(
      `INSERT INTO area_population (area_code, year, source, population, note) VALUES ($1, $2, 'user', $3, $4)
       ON CONFLICT (area_code, year, source) DO UPDATE SET population = excluded.population, note = excluded.note, updated_at = now()`,
      [code, year, population, note]);
    await audit(tx, actor, 'population.set', code, { year, population, note, before: before.filter((b) => b.year === year) });
  });
}

/** Removes a user override; returns false if there was none. */
export async function clearAreaPopulation(db: Database, area: string, year: number, actor: string): Promise<boolean> {
  const code = area.trim().toUpperCase();
  return db.transaction(async (tx) => {
    const rows = await tx.query<{ population: number }>(`DELETE FROM area_population WHERE area_code = $1 AND year = $2 AND source = 'user' RETURNING population`, [code, year]);
    if (rows.length) await audit(tx, actor, 'population.clear', code, { year, removed: Number(rows[0].population) });
    return rows.length > 0;
  });
}

// ---------- GDP deflator ----------

export interface DeflatorEntry { financial_year: string; index: string; source: 'shipped' | 'user'; shipped_index: string | null }

/** Strips trailing zeros of a numeric's text ("100.000" -> "100"). */
function tidy(n: string): string { return n.includes('.') ? n.replace(/\.?0+$/, '') : n; }

/** The deflator in use for every financial year held ('user' overrides win), oldest first. */
export async function deflatorSeries(sql: Sql): Promise<DeflatorEntry[]> {
  const rows = await sql.query<{ financial_year: string; source: 'shipped' | 'user'; index_value: string }>(
    `SELECT financial_year, source, index_value::text AS index_value FROM gdp_deflator ORDER BY financial_year, source`);
  const by = new Map<string, DeflatorEntry>();
  for (const r of rows) {
    const e = by.get(r.financial_year) ?? { financial_year: r.financial_year, index: '', source: 'shipped' as const, shipped_index: null };
    if (r.source === 'shipped') { e.shipped_index = tidy(r.index_value); if (!e.index) e.index = tidy(r.index_value); }
    else { e.index = tidy(r.index_value); e.source = 'user'; }
    by.set(r.financial_year, e);
  }
  return [...by.values()];
}

export async function setDeflator(db: Database, financialYear: string, index: string, actor: string, note = ''): Promise<void> {
  const fy = checkFinancialYear(financialYear);
  const text = String(index).trim();
  if (!/^\d{1,6}(\.\d{1,6})?$/.test(text) || Number(text) <= 0) throw new PlaceError(`A deflator index must be a number more than zero, such as 97.25 (got "${index}").`);
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO gdp_deflator (financial_year, source, index_value, note) VALUES ($1, 'user', $2::numeric, $3)
       ON CONFLICT (financial_year, source) DO UPDATE SET index_value = excluded.index_value, note = excluded.note, updated_at = now()`, [fy, text, note]);
    await audit(tx, actor, 'deflator.set', fy, { index: text, note });
  });
}

export async function clearDeflator(db: Database, financialYear: string, actor: string): Promise<boolean> {
  const fy = checkFinancialYear(financialYear);
  return db.transaction(async (tx) => {
    const rows = await tx.query<{ index_value: string }>(`DELETE FROM gdp_deflator WHERE financial_year = $1 AND source = 'user' RETURNING index_value::text AS index_value`, [fy]);
    if (rows.length) await audit(tx, actor, 'deflator.clear', fy, { removed: rows[0].index_value });
    return rows.length > 0;
  });
}
