import type { Database } from '../db/database.ts';
/** Loads shipped reference data (body types, themes, COFOG, prevention levels, bodies, rules). */
export async function seedReference(_db: Database): Promise<void> {}
