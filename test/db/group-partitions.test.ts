// spend_group partitioned by body (migration 013): a ledger whose groups sat in one plain table moves to one
// table per body, losing nothing; a body's first load makes its table and later loads add to it, also when two
// first loads of one body run at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { connect, type Database } from '../../src/db/database.ts';
import { listMigrations, migrate } from '../../src/db/migrate.ts';
import { seedReference } from '../../src/reference/seed.ts';
import { ingestFiles } from '../../src/ingest/service.ts';
import { deleteFiles } from '../../src/ledger/repository.ts';
import { engines, closeTestDatabase } from '../helpers/databases.ts';

const url = process.env.DATABASE_URL;
// Unmigrated databases, to migrate step by step (the shared engines open them migrated and seeded).
const targets = [
  { name: 'pglite', skip: undefined, open: () => connect({ dataDir: 'memory://' }), drop: async () => undefined },
  (() => {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    return {
      name: 'postgres',
      skip: url ? undefined : 'DATABASE_URL is not set: PostgreSQL tests skipped',
      open: () => connect({ databaseUrl: url!, databaseSchema: schema, dataDir: '' }),
      drop: async () => {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await c.end();
      },
    };
  })(),
];

/** Applies the migrations up to and including `last`, as an older release would have. */
async function migrateTo(db: Database, last: number): Promise<void> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migration (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  await db.transaction(async (tx) => {
    for (const m of listMigrations().filter((x) => x.version <= last)) {
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migration (version, name) VALUES ($1, $2)', [m.version, m.name]);
    }
  });
}

/** A file as release 12 stored it: its lines in their own table, its groups in the shared spend_group. */
async function oldFile(db: Database, body: string, fileId: number, groups: { theme: string; lines: number; pence: number; supplier: string }[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(`INSERT INTO body_type (code, label) VALUES ('unitary', 'Unitary authority') ON CONFLICT (code) DO NOTHING`);
    await tx.query(`INSERT INTO body (code, name, body_type, source) VALUES ($1, $1, 'unitary', 'user') ON CONFLICT (code) DO NOTHING`, [body]);
    await tx.query(
      `INSERT INTO source_file (body_code, file_id, file_name, file_path, checksum, size_bytes, format, mapping, rows_loaded, rows_rejected, total_pence)
       VALUES ($1, $2, 'old.csv', '/old.csv', $3, 1, 'csv', '{}', $4, 0, $5)`,
      [body, fileId, `old-${fileId}`, groups.reduce((a, g) => a + g.lines, 0), groups.reduce((a, g) => a + g.pence, 0)]);
    const bodyPart = (await tx.query<{ t: string }>(`SELECT 'spend_fact_b_' || left(md5($1), 16) AS t`, [body]))[0]!.t;
    await tx.exec(`CREATE TABLE IF NOT EXISTS ${bodyPart} PARTITION OF spend_fact FOR VALUES IN ('${body}') PARTITION BY LIST (file_id);
      CREATE TABLE spend_fact_f${fileId} PARTITION OF ${bodyPart} FOR VALUES IN (${fileId})`);
    let line = 0;
    for (const [i, g] of groups.entries()) {
      const id = i + 1;
      await tx.query(`INSERT INTO spend_payee (body_code, file_id, payee_id, supplier_name, payee_kind) VALUES ($1, $2, $3, $4, 'organisation')`, [body, fileId, id, g.supplier]);
      await tx.query(`INSERT INTO spend_coding (body_code, file_id, coding_id, service_area) VALUES ($1, $2, $3, 'Adult social care')`, [body, fileId, id]);
      await tx.query(`INSERT INTO spend_text (body_code, file_id, text_id, description) VALUES ($1, $2, $3, 'care')`, [body, fileId, id]);
      await tx.query(`INSERT INTO spend_group (body_code, file_id, group_id, payee_id, coding_id, text_id, theme_code, lines, amount_pence) VALUES ($1, $2, $3, $3, $3, $3, $4, $5, $6)`,
        [body, fileId, id, g.theme, g.lines, g.pence]);
      for (let k = 0; k < g.lines; k++) {
        line++;
        const pence = Math.floor(g.pence / g.lines) + (k === 0 ? g.pence % g.lines : 0);
        await tx.query(`INSERT INTO spend_fact (body_code, file_id, line_id, line_no, payment_date, amount_pence, group_id) VALUES ($1, $2, $3, $4, '2023-06-01', $5, $6)`,
          [body, fileId, line, line + 1, pence, id]);
      }
    }
  });
}

for (const t of targets) {
  test(`${t.name}: migration 013 moves every body's groups into a table of its own`, { skip: t.skip }, async () => {
    const db = await t.open();
    try {
      await migrateTo(db, 12);
      await oldFile(db, 'OLD-A', 101, [{ theme: 'older-people', lines: 3, pence: 30_000, supplier: 'Acme Care' }, { theme: 'back-office', lines: 1, pence: 999, supplier: 'Paper Co' }]);
      await oldFile(db, 'OLD-A', 102, [{ theme: 'housing', lines: 2, pence: -5_000, supplier: 'Homes Ltd' }]);
      await oldFile(db, 'OLD B', 103, [{ theme: 'health', lines: 1, pence: 12_345, supplier: "O'Neill & Co" }]);
      const groupsBefore = await db.query('SELECT * FROM spend_group ORDER BY body_code, file_id, group_id');
      const linesBefore = await db.query('SELECT * FROM spend_line ORDER BY body_code, file_id, line_id');
      assert.equal(groupsBefore.length, 4);
      assert.equal(linesBefore.length, 7);

      assert.deepEqual(await migrate(db), listMigrations().filter((m) => m.version > 12).map((m) => m.version));
      await seedReference(db);
      assert.deepEqual(await db.query('SELECT * FROM spend_group ORDER BY body_code, file_id, group_id'), groupsBefore);
      assert.deepEqual(await db.query('SELECT * FROM spend_line ORDER BY body_code, file_id, line_id'), linesBefore);
      const leaves = await db.query<{ t: string; parent: string; n: number }>(`
        SELECT c.relname AS t, p.relname AS parent, (SELECT count(*)::int FROM spend_group g WHERE g.tableoid = c.oid) AS n
          FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
         WHERE c.relname LIKE 'spend_group_%' AND c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace ORDER BY 3 DESC`);
      const { a, b } = (await db.query<{ a: string; b: string }>(`SELECT 'spend_group_b_' || left(md5('OLD-A'), 16) AS a, 'spend_group_b_' || left(md5('OLD B'), 16) AS b`))[0]!;
      assert.deepEqual(leaves, [{ t: a, parent: 'spend_group', n: 3 }, { t: b, parent: 'spend_group', n: 1 }]);
      // Each body's table holds the groups' key.
      await assert.rejects(db.query(`INSERT INTO spend_group (body_code, file_id, group_id, payee_id, coding_id, text_id, theme_code, lines, amount_pence) VALUES ('OLD-A', 101, 1, 1, 1, 1, 'health', 1, 1)`), /duplicate key/);

      // A new file for a body moved across, and one for a new body, load beside the old ones.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-m13-'));
      const csv = path.join(dir, 'new.csv');
      fs.writeFileSync(csv, 'Date,Supplier,Amount\n03/05/2023,Acme Care,120.00\n04/05/2023,Bolt plc,80.50\n');
      const r = await ingestFiles(db, [csv], { bodyCode: 'OLD-A', actor: 'test' });
      assert.equal(r.rows_loaded, 2);
      const r2 = await ingestFiles(db, [csv], { bodyCode: 'NEW-C', bodyName: 'New body', actor: 'test' });
      assert.equal(r2.rows_loaded, 2);
      const newFiles = [r.files[0]!.file_id!, r2.files[0]!.file_id!];
      const [{ n }] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM spend_line WHERE body_code IN ('OLD-A', 'NEW-C') AND file_id = ANY($1::bigint[])`, [newFiles]);
      assert.equal(n, 4);

      // The new body's first load made its table (with the key); the moved body's load added to its own.
      const tables = await db.query<{ t: string; n: number }>(`
        SELECT c.relname AS t, (SELECT count(*)::int FROM spend_group g WHERE g.tableoid = c.oid) AS n
          FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE c.relname LIKE 'spend_group_%' AND c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace`);
      const c = (await db.query<{ c: string }>(`SELECT 'spend_group_b_' || left(md5('NEW-C'), 16) AS c`))[0]!.c;
      assert.deepEqual(new Map(tables.map((x) => [x.t, x.n])), new Map([[a, 5], [b, 1], [c, 2]]));
      await assert.rejects(db.query(`INSERT INTO spend_group (body_code, file_id, group_id, payee_id, coding_id, text_id, theme_code, lines, amount_pence) VALUES ('NEW-C', $1, 1, 1, 1, 1, 'health', 1, 1)`, [r2.files[0]!.file_id]), /duplicate key/);

      // Deleting a moved file deletes its groups and leaves the others.
      await db.transaction((tx) => deleteFiles(tx, 'OLD-A', [101]));
      assert.deepEqual((await db.query<{ file_id: number }>(`SELECT DISTINCT file_id::int AS file_id FROM spend_group WHERE body_code = 'OLD-A' ORDER BY 1`)).map((x) => x.file_id), [102, r.files[0]!.file_id!].sort((x, y) => x - y));
    } finally {
      await db.close();
      await t.drop();
    }
  });
}

for (const engine of engines) {
  test(`${engine.name}: two first loads of one body at once both land, in one table of the body's groups`, { skip: engine.skip }, async () => {
    const db = await engine.open();
    try {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-groups-'));
      const files = [1, 2].map((k) => {
        const f = path.join(dir, `spend-${k}.csv`);
        fs.writeFileSync(f, `Date,Supplier,Amount\n0${k}/05/2023,Acme Care,${k}20.00\n0${k}/06/2023,Bolt plc,${k}0.50\n0${k}/07/2023,Cole & Co,1.0${k}\n`);
        return f;
      });
      await db.transaction((tx) => tx.query(`INSERT INTO body (code, name, body_type, source) VALUES ('TWICE', 'Loaded twice at once', 'other', 'user')`));
      const results = await Promise.all(files.map((f) => ingestFiles(db, [f], { bodyCode: 'TWICE', actor: 'test' })));
      assert.deepEqual(results.map((r) => [r.rows_loaded, r.rows_rejected]), [[3, 0], [3, 0]]);
      const [g] = await db.query<{ tables: number; groups: number; lines: number }>(`
        SELECT count(DISTINCT tableoid)::int AS tables, count(*)::int AS groups, sum(lines)::int AS lines FROM spend_group WHERE body_code = 'TWICE'`);
      assert.deepEqual(g, { tables: 1, groups: 6, lines: 6 });
      const [{ n }] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM spend_line WHERE body_code = 'TWICE'`);
      assert.equal(n, 6);
    } finally {
      await closeTestDatabase(db);
    }
  });
}
