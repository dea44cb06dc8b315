import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engines, closeTestDatabase } from './helpers/databases.ts';

for (const engine of engines) {
  test(`${engine.name}: migrations apply once, COPY and transactions roll back`, { skip: engine.skip }, async () => {
    const db = await engine.open();
    try {
      const versions = await db.query<{ version: number }>('SELECT version FROM schema_migration ORDER BY version');
      assert.ok(versions.length >= 1);
      await db.exec('CREATE TABLE t (a int, b text)');
      await db.transaction((tx) => tx.copyIn('t', ['a', 'b'], ['1\tx\n2\t\\N\n', '3\tz\n']));
      await assert.rejects(db.transaction(async (tx) => {
        await tx.copyIn('t', ['a', 'b'], ['4\ty\n']);
        throw new Error('boom');
      }), /boom/);
      const rows = await db.query<{ n: number; s: number; nulls: number }>('SELECT count(*)::int AS n, sum(a)::int AS s, count(*) FILTER (WHERE b IS NULL)::int AS nulls FROM t');
      assert.deepEqual(rows[0], { n: 3, s: 6, nulls: 1 });
    } finally {
      await closeTestDatabase(db);
    }
  });
}
