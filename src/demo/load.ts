// Loads the demonstration place: generates its files (deterministically), registers its bodies and
// ingests every file through the ordinary ingest path, so the demo exercises exactly what users run.
import path from 'node:path';
import type { Database } from '../db/database.ts';
import { createBody, findBody } from '../place/bodies.ts';
import { ingestFiles, type IngestResult } from '../ingest/service.ts';
import { demoFilePath, generateDemoPlace, type DemoPlaceManifest } from './place.ts';

export interface DemoLoadResult { manifest: DemoPlaceManifest; dir: string; results: IngestResult[] }

/** True when no spend has been loaded yet (the demo is offered for an empty database). */
export async function ledgerIsEmpty(db: Database): Promise<boolean> {
  const rows = await db.query('SELECT 1 FROM source_file LIMIT 1');
  return rows.length === 0;
}

export async function loadDemoPlace(db: Database, dir: string, actor: string, opts: { seed?: number } = {}): Promise<DemoLoadResult> {
  const manifest = await generateDemoPlace(dir, opts);
  const results: IngestResult[] = [];
  for (const b of manifest.bodies) {
    await db.transaction(async (tx) => {
      if (!(await findBody(tx, b.code))) {
        await createBody(tx, { code: b.code, name: b.name, body_type: b.type, areas: b.areaCodes, aliases: [] }, actor);
      }
    });
    const files = manifest.files.filter((f) => f.bodyCode === b.code).map((f) => demoFilePath(dir, f));
    if (files.length) results.push(await ingestFiles(db, files, { bodyCode: b.code, actor }));
  }
  return { manifest, dir: path.resolve(dir), results };
}
