// Opens the configured database, brings its schema up to date and makes sure reference data is present.
import { connect, type ConnectOptions, type Database } from './database.ts';
import { migrate } from './migrate.ts';
import { seedReference } from '../reference/seed.ts';

export async function openDatabase(settings: ConnectOptions): Promise<Database> {
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
