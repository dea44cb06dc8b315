// The count for a place, read from the rollup (spend_rollup), never from the ledger's lines: gathers the
// place, its bodies and their rules, populations and deflators, then hands them to the pure computeCount.
import type { Sql } from '../db/database.ts';
import { attribute, AttributionError } from './attribution.ts';
import { computeCount, type CountCell, type CountInput, type CountPopulation, type CountResult } from './count.ts';
import { areaPopulations, checkFinancialYear, deflatorSeries, populationYear } from './figures.ts';
import { findPlace, normalisePlaceCode, PlaceError } from './places.ts';
import { shippedDeflator } from '../reference/places-seed.ts';

export interface CountOptions { year?: string }

/** Everything computeCount needs, read from the place definition, the rollup and the reference figures. */
export async function countInput(sql: Sql, placeCode: string, opts: CountOptions = {}): Promise<CountInput> {
  const place = await findPlace(sql, placeCode);
  if (!place) throw new PlaceError(`No place with code ${normalisePlaceCode(placeCode)}. See: totalplace place list`);
  const year = opts.year ? checkFinancialYear(opts.year) : undefined;
  const bodyCodes = place.bodies.map((b) => b.body_code);

  const cells = bodyCodes.length === 0 ? [] : (await sql.query<CountCell>(
    `SELECT body_code, financial_year, theme_code, cofog_code, prevention_code, payee_body_code,
            sum(lines)::bigint AS lines, sum(amount_pence)::bigint AS amount_pence
       FROM spend_rollup WHERE body_code = ANY ($1::text[])
      GROUP BY 1, 2, 3, 4, 5, 6`, [bodyCodes])).map((c) => ({ ...c, lines: Number(c.lines), amount_pence: Number(c.amount_pence) }));
  const years = [...new Set(cells.map((c) => c.financial_year))].sort();
  const countYear = year ?? years[years.length - 1];

  // Populations of the place's areas and of every area a population-share body serves.
  const popYear = await populationYear(sql, countYear);
  const areas = new Set(place.areas);
  for (const b of place.bodies) if (b.rule === 'population_share') for (const a of b.body_areas) areas.add(a);
  const pops = await areaPopulations(sql, [...areas], popYear);
  const sources = new Set([...pops.areas.values()].map((p) => p.source));
  const popLabel = popYear === null ? undefined
    : `${sources.has('user') ? (sources.has('ons') ? 'ONS with user overrides' : 'user figures') : 'ONS'} mid-${popYear}`;
  const popMap = new Map([...pops.areas.values()].map((p) => [p.area_code, p.population]));

  const bodies = place.bodies.map((b) => {
    try {
      return { code: b.body_code, name: b.body_name,
        attribution: attribute(b.rule, { code: b.body_code, name: b.body_name, areas: b.body_areas }, place, { populations: popMap, driver: b.driver, populationLabel: popLabel }) };
    } catch (err) {
      if (err instanceof AttributionError) throw new PlaceError(`${place.code}: ${err.message}`);
      throw err;
    }
  });

  const placeAreas = place.areas.map((code) => { const p = pops.areas.get(code); return { code, name: p?.name ?? '', population: p?.population ?? null, source: p?.source ?? null }; });
  const known = placeAreas.every((a) => a.population !== null);
  const placeSources = new Set(placeAreas.map((a) => a.source));
  const population: CountPopulation = place.population_override !== null
    ? { value: place.population_override, source: 'place override', year: null, areas: placeAreas }
    : {
      value: known ? placeAreas.reduce((s, a) => s + (a.population ?? 0), 0) : null,
      source: !known ? 'not known' : placeSources.has('user') ? (placeSources.has('ons') ? 'ons with user overrides' : 'user') : 'ons',
      year: popYear, areas: placeAreas,
    };

  const labels = async (table: string) => Object.fromEntries((await sql.query<{ code: string; label: string }>(`SELECT code, label FROM ${table}`)).map((r) => [r.code, r.label]));
  const deflators = await deflatorSeries(sql);
  const userDeflators = deflators.filter((d) => d.source === 'user').map((d) => d.financial_year);
  const shipped = shippedDeflator();
  const deflatorNote = `Real terms use the GDP deflator (${shipped.source}; base ${shipped.base_year} = 100; ${userDeflators.length ? `user figures for ${userDeflators.join(', ')}` : 'shipped figures, provisional: see src/reference/data/gdp_deflator.json'}).`;

  return {
    place: { code: place.code, name: place.name, version: place.version, areas: place.areas },
    year: countYear,
    population,
    bodies,
    cells,
    labels: { theme: await labels('theme'), cofog: await labels('cofog_division'), prevention: await labels('prevention_level') },
    deflator: Object.fromEntries(deflators.map((d) => [d.financial_year, d.index])),
    deflatorNote,
  };
}

export async function countPlace(sql: Sql, placeCode: string, opts: CountOptions = {}): Promise<CountResult> {
  return computeCount(await countInput(sql, placeCode, opts));
}
