// The embedded database in its own thread (used by the web server): same results as in-process, and the
// calling thread's event loop keeps running while a long statement executes.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../src/db/open.ts';
import type { Database } from '../../src/db/database.ts';

describe('PGlite in a worker thread', () => {
  let db: Database;
  let dir: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-thread-'));
    db = await openDatabase({ dataDir: dir, pgliteThread: true });
  });
  after(async () => { await db.close(); fs.rmSync(dir, { recursive: true, force: true }); });

  test('migrations ran; queries with parameters return the same types as in-process', async () => {
    const [row] = await db.query<{ n: number; d: string; j: unknown; a: string[]; b: bigint | number }>(
      `SELECT $1::int AS n, '2024-03-31'::date::text AS d, '{"x":[1,2]}'::jsonb AS j, ARRAY['a','b'] AS a, 9007199254740991::bigint AS b`, [41]);
    assert.equal(row.n, 41);
    assert.equal(row.d, '2024-03-31');
    assert.deepEqual(row.j, { x: [1, 2] });
    assert.deepEqual(row.a, ['a', 'b']);
    assert.equal(Number(row.b), 9007199254740991);
    const [{ n }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM theme');
    assert.ok(n > 10, 'reference data seeded through the thread');
  });

  test('a transaction commits all or nothing; errors keep their PostgreSQL code', async () => {
    await db.exec('CREATE TABLE t_thread (k int PRIMARY KEY, v text)');
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO t_thread VALUES (1, $1)', ['one']);
      await tx.copyIn('t_thread', ['k', 'v'], ['2\ttwo\n', new TextEncoder().encode('3\tthree\n')]);
    });
    await assert.rejects(db.transaction(async (tx) => {
      await tx.query('INSERT INTO t_thread VALUES (4, $1)', ['four']);
      await tx.query('INSERT INTO t_thread VALUES (1, $1)', ['duplicate']);
    }), (err: Error & { code?: string }) => err.code === '23505' && /duplicate key/.test(err.message));
    await assert.rejects(db.transaction(async (tx) => {
      await tx.query('INSERT INTO t_thread VALUES (5, $1)', ['five']);
      throw new Error('changed my mind');
    }), /changed my mind/);
    const rows = await db.query<{ k: number }>('SELECT k FROM t_thread ORDER BY k');
    assert.deepEqual(rows.map((r) => r.k), [1, 2, 3]);
  });

  test('the event loop keeps turning while a long statement runs', async () => {
    let ticks = 0;
    const timer = setInterval(() => { ticks++; }, 10);
    const t0 = performance.now();
    await db.query('SELECT count(*) FROM generate_series(1, 3000000) g, LATERAL (SELECT g % 7) x');
    const ms = performance.now() - t0;
    clearInterval(timer);
    assert.ok(ms > 200, `the statement should take a while (took ${ms.toFixed(0)} ms)`);
    assert.ok(ticks >= (ms / 10) * 0.5, `timer fired ${ticks} times in ${ms.toFixed(0)} ms`);
  });
});
