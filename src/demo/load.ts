// Loads the demonstration place: generates its files (deterministically), registers its bodies and
// ingests every file through the ordinary ingest path, so the demo exercises exactly what users run.
import path from 'node:path';
import type { Database } from '../db/database.ts';
import { createBody, findBody } from '../place/bodies.ts';
import { ingestFiles, type IngestResult } from '../ingest/service.ts';
import { demoFilePath, generateDemoPlace, type DemoPlaceManifest } from './place.ts';
import { setAreaPopulation } from '../place/figures.ts';
import { attachBody, createPlace, findPlace } from '../place/places.ts';

export interface DemoLoadResult { manifest: DemoPlaceManifest; dir: string; results: IngestResult[] }

/** True when no spend has been loaded yet (the demo is offered for an empty database). */
export async function ledgerIsEmpty(db: Database): Promise<boolean> {
  const rows = await db.query('SELECT 1 FROM source_file LIMIT 1');
  return rows.length === 0;
}

export async function loadDemoPlace(db: Database, dir: string, actor: string, opts: { seed?: number } = {}): Promise<DemoLoadResult> {
  const manifest = await generateDemoPlace(dir, opts);
  const results: IngestResult[] = [];
  // Bodies serve districts: a county-wide area (county, force, fire, ICB) stands for all its districts.
  const districts = manifest.areas.filter((a) => a.kind === 'district');
  const servedDistricts = (codes: string[]) => [...new Set(codes.flatMap((c) => (districts.some((d) => d.code === c) ? [c] : districts.map((d) => d.code))))];
  const year = Number(manifest.financialYear.slice(0, 4));
  for (const d of districts) await setAreaPopulation(db, d.code, year, d.population, actor, 'demonstration data (invented)');
  for (const b of manifest.bodies) {
    await db.transaction(async (tx) => {
      if (!(await findBody(tx, b.code))) {
        await createBody(tx, { code: b.code, name: b.name, body_type: b.type, areas: servedDistricts(b.areaCodes), aliases: [] }, actor);
      }
    });
    const files = manifest.files.filter((f) => f.bodyCode === b.code).map((f) => demoFilePath(dir, f));
    if (files.length) results.push(await ingestFiles(db, files, { bodyCode: b.code, actor }));
  }
  // The place itself: bodies inside it count in full, bodies serving a wider area by population share.
  if (!(await findPlace(db, manifest.place.code))) {
    await createPlace(db, { code: manifest.place.code, name: `${manifest.place.name} (demonstration)`, areas: manifest.place.areaCodes }, actor);
    for (const b of manifest.bodies) {
      const inside = servedDistricts(b.areaCodes).every((a) => manifest.place.areaCodes.includes(a));
      await attachBody(db, manifest.place.code, { body: b.code, rule: inside ? 'direct' : 'population_share', note: 'demonstration data' }, actor);
    }
  }
  return { manifest, dir: path.resolve(dir), results };
}
