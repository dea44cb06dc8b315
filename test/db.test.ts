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

for (const engine of engines) {
  test(`${engine.name}: statements issued together in one transaction run one at a time, in order`, { skip: engine.skip }, async () => {
    const db = await engine.open();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const got = await db.transaction(async (tx) => {
        await tx.exec('CREATE TEMP TABLE seq (n int)');
        // Inserts and reads issued at once: each sees the ones issued before it.
        return Promise.all([1, 2, 3].map(async (n) => {
          await tx.query('INSERT INTO seq VALUES ($1)', [n]);
          return (await tx.query<{ c: number }>('SELECT count(*)::int AS c FROM seq'))[0]!.c;
        }));
      });
      assert.equal(got.length, 3);
      assert.deepEqual([...got].sort(), got, 'each read sees at least the inserts before it');
      assert.equal(got[2], 3);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(warnings.filter((w) => /already executing a query/.test(w)), [], 'no query is sent while another runs');
    } finally {
      process.off('warning', onWarning);
      await closeTestDatabase(db);
    }
  });
}
