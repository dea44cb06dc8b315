// The Citus rule, checked against the live schema: fact tables have body_code first in their primary key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engines, closeTestDatabase } from './helpers/databases.ts';

const DISTRIBUTED = ['source_file', 'spend_line', 'rejected_row', 'spend_rollup', 'spend_rollup_service', 'spend_rollup_supplier'];
const REFERENCE = ['body', 'body_type', 'theme', 'cofog_division', 'prevention_level', 'classification_rule'];

for (const engine of engines) {
  test(`${engine.name}: distributed tables lead every primary key and unique constraint with body_code`, { skip: engine.skip }, async () => {
    const db = await engine.open();
    try {
      const rows = await db.query<{ table_name: string; kind: string; cols: string[] }>(`
        SELECT c.relname AS table_name, con.contype AS kind,
               array(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.i) AS cols
          FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace ns ON ns.oid = c.relnamespace
         WHERE con.contype IN ('p', 'u') AND ns.nspname = current_schema()`);
      for (const t of DISTRIBUTED) {
        const keys = rows.filter((r) => r.table_name === t);
        assert.ok(keys.some((k) => k.kind === 'p'), `${t} has a primary key`);
        for (const k of keys) assert.equal(k.cols[0], 'body_code', `${t} ${k.kind} key ${k.cols.join(', ')}`);
      }
      for (const t of REFERENCE) assert.ok(rows.some((r) => r.table_name === t && r.kind === 'p'), `${t} has a primary key`);
    } finally {
      await closeTestDatabase(db);
    }
  });
}
