// Opens the configured database, brings its schema up to date and makes sure reference data is present.
import type { Settings } from '../config.ts';
import { connect, type Database } from './database.ts';
import { migrate } from './migrate.ts';
import { seedReference } from '../reference/seed.ts';

export async function openDatabase(settings: Pick<Settings, 'databaseUrl' | 'databaseSchema' | 'dataDir'>): Promise<Database> {
  const db = await connect(settings);
  try {
    await migrate(db);
    await seedReference(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}
