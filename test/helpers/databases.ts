// Every database test runs on both engines: embedded PGlite (in memory) and the PostgreSQL server named
// by DATABASE_URL, each in a schema of its own that is dropped afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase } from '../../src/db/open.ts';
import { dumpPglite, type Database } from '../../src/db/database.ts';

export interface Engine {
  name: 'pglite' | 'postgres';
  /** Why this engine is skipped, or undefined when it runs. */
  skip?: string;
  open(): Promise<Database>;
}

const opened = new Map<Database, () => Promise<void>>();

// Creating a PGlite database costs seconds (initdb in WASM); each test process makes one migrated,
// seeded template and starts every embedded test database from a copy of it.
let template: Promise<Blob> | undefined;
function pgliteTemplate(): Promise<Blob> {
  template ??= (async () => {
    const db = await openDatabase({ dataDir: 'memory://' });
    const blob = await dumpPglite(db);
    await db.close();
    return blob;
  })();
  return template;
}

export const engines: Engine[] = [
  {
    name: 'pglite',
    async open() { return openDatabase({ dataDir: 'memory://', pgliteTemplate: await pgliteTemplate() }); },
  },
  {
    name: 'postgres',
    skip: process.env.DATABASE_URL ? undefined : 'DATABASE_URL is not set: PostgreSQL tests skipped (set it, e.g. postgres://postgres@127.0.0.1:5432/test)',
    async open() {
      const schema = `t_${randomBytes(6).toString('hex')}`;
      const url = process.env.DATABASE_URL!;
      const db = await openDatabase({ databaseUrl: url, databaseSchema: schema, dataDir: '' });
      opened.set(db, async () => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      });
      return db;
    },
  },
];

/** Closes a test database and removes what it left behind. */
export async function closeTestDatabase(db: Database): Promise<void> {
  await db.close();
  const cleanup = opened.get(db);
  opened.delete(db);
  if (cleanup) await cleanup();
}
