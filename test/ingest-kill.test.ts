// Killing the process half-way through loading a file leaves nothing of that file, and what was
// stored before is intact. The CLI runs as a child process and is killed (SIGKILL) mid-COPY.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { projectRoot } from '../src/config.ts';
import { openDatabase } from '../src/db/open.ts';
import { engines } from './helpers/databases.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-kill-'));
const small = path.join(dir, 'small.csv');
fs.writeFileSync(small, 'Payment Date,Supplier Name,Net Amount\n2023-04-01,Acme Ltd,10.00\n2023-04-02,Acme Ltd,20.00\n');
const big = path.join(dir, 'big.csv');
{
  const lines = ['Payment Date,Supplier Name,Service Area,Expense Type,Description,Net Amount'];
  for (let i = 0; i < 400_000; i++) lines.push(`2023-${String((i % 12) + 1).padStart(2, '0')}-15,Supplier ${i % 997} Ltd,Service ${i % 31},Expense ${i % 53},Item ${i},${(i % 100000) / 100}`);
  fs.writeFileSync(big, lines.join('\n') + '\n');
}

function cli(args: string[], env: NodeJS.ProcessEnv) {
  return spawn(process.execPath, [path.join(projectRoot, 'bin', 'totalplace.js'), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

async function run(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const child = cli(args, env);
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? -1)));
  assert.equal(code, 0, err);
  return code;
}

for (const engine of engines) {
  test(`${engine.name}: SIGKILL during a load leaves no partial file and keeps earlier data`, { skip: engine.skip, timeout: 180_000 }, async () => {
    const schema = `t_kill_${randomBytes(4).toString('hex')}`;
    const dataDir = path.join(dir, `db-${engine.name}`);
    const env: NodeJS.ProcessEnv = engine.name === 'postgres'
      ? { DATABASE_URL: process.env.DATABASE_URL, TOTALPLACE_DB_SCHEMA: schema }
      : { DATABASE_URL: '', TOTALPLACE_DATA_DIR: dataDir };
    try {
      await run(['ingest', small, '--body', 'TEST-KILL', '--body-name', 'Kill test', '--json'], env);
      const child = cli(['ingest', big, '--body', 'TEST-KILL', '--progress', '--json'], { ...env, TOTALPLACE_COPY_BATCH: '5000' });
      let stderr = '';
      const killed = new Promise<string>((resolve) => {
        child.stderr.on('data', (d) => {
          stderr += d;
          // The first batch has gone to the database inside the file's transaction: kill now.
          if (/progress .*: [1-9]\d* lines/.test(stderr) && child.exitCode === null) child.kill('SIGKILL');
        });
        child.on('close', (_code, signal) => resolve(String(signal)));
      });
      assert.equal(await killed, 'SIGKILL', `the load finished before it could be killed: ${stderr}`);
      const db = await openDatabase(engine.name === 'postgres' ? { databaseUrl: process.env.DATABASE_URL, databaseSchema: schema, dataDir: '' } : { dataDir });
      try {
        const files = await db.query<{ file_name: string; rows_loaded: number }>('SELECT file_name, rows_loaded FROM source_file ORDER BY file_id');
        assert.deepEqual(files, [{ file_name: 'small.csv', rows_loaded: 2 }]);
        const [n] = await db.query<{ n: number; p: number }>('SELECT count(*)::int AS n, sum(amount_pence)::int AS p FROM spend_line');
        assert.deepEqual(n, { n: 2, p: 3000 });
        const [r] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM spend_rollup');
        assert.ok(r!.n >= 1);
      } finally {
        await db.close();
      }
    } finally {
      if (engine.name === 'postgres') {
        const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await c.end();
      }
    }
  });
}
