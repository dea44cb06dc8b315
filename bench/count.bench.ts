// Count benchmark (issue 3, "Fast"): a ledger of N lines (default 10M: 10 bodies x 1M lines) loaded through
// the real load path — the CLI `ingest` in a child process per file, so spend_rollup and the deep-dive
// rollups are the real ones — then, in-process, the median of 20 timed runs (after warm-up) of:
//   - the count for a place of 5 bodies (2 direct, 3 by population share), about half the ledger;
//   - a theme deep dive for that place (its largest theme);
//   - a drill-down page of 100 transactions (findLines: the place's bodies, the year and the theme, largest first).
// Targets: < 50 ms each, on PGlite and on PostgreSQL (when DATABASE_URL is set: a fresh schema, dropped after).
// Input files come from src/demo/generate.ts (seeded, a different layout per body), cached in bench/out/data.
//   npm run bench -- count                         10M lines (10 x 1M)
//   npm run bench -- count --lines 2000000 --engines pglite
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { LayoutName } from '../src/demo/generate.ts';
import { openDatabase } from '../src/db/open.ts';
import type { Database } from '../src/db/database.ts';
import { countPlace } from '../src/place/count-service.ts';
import { deepDive } from '../src/place/deep-dive.ts';
import { findLines } from '../src/ledger/lines.ts';
import { cachedSpendFile, type GeneratedFile } from './ingest.bench.ts';
import { runNodeChild } from './lib/child.ts';
import { median, meets, type BenchContext, type BenchModule, type BenchResult, type Figure, type Target } from './lib/types.ts';
import { table, int, dec } from './lib/table.ts';

type Engine = 'pglite' | 'postgres';
const TARGET: Target = { op: '<', value: 50 };

// Lancashire districts; the place is Burnley + Hyndburn + Pendle.
const LANCS = ['E07000117', 'E07000118', 'E07000119', 'E07000120', 'E07000121', 'E07000122', 'E07000123', 'E07000124', 'E07000125', 'E07000126', 'E07000127', 'E07000128'];
const PLACE_AREAS = ['E07000117', 'E07000120', 'E07000122'];

interface BenchBody { code: string; name: string; type: string; layout: LayoutName; areas: string[]; rule?: 'direct' | 'population_share' }
const BODIES: BenchBody[] = [
  { code: 'BENCH-D1', name: 'Bench Hyndburn BC', type: 'district', layout: 'district', areas: ['E07000120'], rule: 'direct' },
  { code: 'BENCH-D2', name: 'Bench Burnley BC', type: 'district', layout: 'lga', areas: ['E07000117'], rule: 'direct' },
  { code: 'BENCH-CC', name: 'Bench County Council', type: 'county', layout: 'lga', areas: LANCS, rule: 'population_share' },
  { code: 'BENCH-POL', name: 'Bench Police', type: 'police', layout: 'police', areas: LANCS, rule: 'population_share' },
  { code: 'BENCH-FIRE', name: 'Bench Fire', type: 'fire', layout: 'fire', areas: LANCS, rule: 'population_share' },
  { code: 'BENCH-D3', name: 'Bench Preston CC', type: 'district', layout: 'gross_vat_net', areas: ['E07000123'] },
  { code: 'BENCH-D4', name: 'Bench Lancaster CC', type: 'district', layout: 'district', areas: ['E07000121'] },
  { code: 'BENCH-D5', name: 'Bench Wyre BC', type: 'district', layout: 'lga', areas: ['E07000128'] },
  { code: 'BENCH-D6', name: 'Bench Chorley BC', type: 'district', layout: 'gross_vat_net', areas: ['E07000118'] },
  { code: 'BENCH-D7', name: 'Bench Fylde BC', type: 'district', layout: 'lga', areas: ['E07000119'] },
];
const PLACE = 'BENCH-PLACE';

function isLoopback(url: string): boolean {
  try { const h = new URL(url).hostname.replace(/^\[|\]$/g, ''); return h === '127.0.0.1' || h === 'localhost' || h === '::1'; } catch { return false; }
}

interface Target_ { globalArgs: string[]; env: NodeJS.ProcessEnv; describe: string; open(): Promise<Database>; dispose(): Promise<void> }

function freshDatabase(engine: Engine, keep: boolean): Target_ {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.TOTALPLACE_DATA_DIR; delete env.TOTALPLACE_DB_SCHEMA;
  if (engine === 'pglite') {
    delete env.DATABASE_URL;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'totalplace-bench-count-'));
    return { globalArgs: ['--data-dir', dir], env, describe: dir,
      open: () => openDatabase({ dataDir: dir }),
      dispose: async () => { if (!keep) fs.rmSync(dir, { recursive: true, force: true }); } };
  }
  const url = process.env.DATABASE_URL!;
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  env.TOTALPLACE_DB_SCHEMA = schema;
  return { globalArgs: [], env, describe: `schema ${schema}`,
    open: () => openDatabase({ databaseUrl: url, databaseSchema: schema, dataDir: '' }),
    dispose: async () => {
      if (keep) return;
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try { await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`); } finally { await c.end(); }
    } };
}

/** A database a `--keep` run left, opened as it is (pending migrations are applied on open). */
function keptDatabase(engine: Engine, where: string): Target_ {
  if (engine === 'pglite') {
    return { globalArgs: ['--data-dir', where], env: process.env, describe: `${where} (kept)`, open: () => openDatabase({ dataDir: where }), dispose: async () => {} };
  }
  return { globalArgs: [], env: process.env, describe: `schema ${where} (kept)`,
    open: () => openDatabase({ databaseUrl: process.env.DATABASE_URL!, databaseSchema: where, dataDir: '' }), dispose: async () => {} };
}

async function cli(ctx: BenchContext, t: Target_, args: string[], log: string, timeoutSeconds = 3600): Promise<{ stdout: string; wallSeconds: number }> {
  const logs = path.join(ctx.outDir, 'logs');
  fs.mkdirSync(logs, { recursive: true });
  const r = await runNodeChild({ args: [path.join(ctx.projectRoot, 'bin', 'totalplace.js'), ...t.globalArgs, ...args], env: t.env, cwd: ctx.projectRoot,
    stderrFile: path.join(logs, `${log}.stderr.log`), timeoutSeconds });
  if (r.exitCode !== 0) throw new Error(`totalplace ${args.join(' ')}: exit ${r.exitCode ?? r.signal}: ${r.stderrTail.trim().slice(-600)}`);
  return { stdout: r.stdout, wallSeconds: r.wallSeconds };
}

async function time<T>(fn: () => Promise<T>, warmup: number, repeat: number): Promise<{ median: number; min: number; max: number; last: T }> {
  let last: T | undefined;
  for (let i = 0; i < warmup; i++) last = await fn();
  const ms: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    last = await fn();
    ms.push(performance.now() - t0);
  }
  return { median: median(ms), min: Math.min(...ms), max: Math.max(...ms), last: last! };
}

const bench: BenchModule = {
  description: 'count, theme deep dive and a 100-line drill-down with N lines in the ledger (real load path), PGlite and PostgreSQL',
  options: {
    lines: { type: 'string', default: '10000000', description: 'lines in the ledger, spread over 10 bodies (one file each)' },
    engines: { type: 'string', description: 'pglite,postgres (default: pglite, plus postgres when DATABASE_URL is set)' },
    repeat: { type: 'string', default: '20', description: 'timed runs per query (median reported)' },
    warmup: { type: 'string', default: '3', description: 'untimed runs per query first' },
    keep: { type: 'boolean', default: false, description: 'keep the benchmark databases' },
    reuse: { type: 'string', description: 'time the queries on databases a --keep run left (pglite=DIR,postgres=SCHEMA), skipping the load' },
  },

  async run(ctx: BenchContext): Promise<BenchResult> {
    const o = ctx.options;
    const total = Number(String(o.lines).replace(/[_,\s]/g, ''));
    if (!Number.isInteger(total) || total < BODIES.length) throw new Error(`--lines must be a whole number >= ${BODIES.length}`);
    const repeat = Number(o.repeat), warmup = Number(o.warmup);
    const engines: Engine[] = o.engines ? String(o.engines).split(',').map((s) => s.trim() as Engine) : ['pglite', ...(process.env.DATABASE_URL ? ['postgres' as Engine] : [])];
    if (engines.includes('postgres')) {
      if (!process.env.DATABASE_URL) throw new Error('postgres needs DATABASE_URL');
      if (!isLoopback(process.env.DATABASE_URL)) throw new Error('DATABASE_URL must point at 127.0.0.1/localhost for the benchmark');
    }
    const perBody = Math.floor(total / BODIES.length);
    const dataDir = path.join(ctx.outDir, 'data');
    const files: GeneratedFile[] = [];
    for (const [i, b] of BODIES.entries()) {
      const n = i === 0 ? total - perBody * (BODIES.length - 1) : perBody;
      files.push(await cachedSpendFile(dataDir, b.layout, n, 100 + i, ctx.log));
    }
    const figures: Figure[] = [];
    const failures: string[] = [];
    const rows: string[][] = [];

    const reuse = new Map(o.reuse ? String(o.reuse).split(',').map((kv) => kv.split('=') as [Engine, string]) : []);
    for (const engine of engines) {
      const kept = reuse.get(engine);
      const t = kept ? keptDatabase(engine, kept) : freshDatabase(engine, !!o.keep);
      ctx.log(`  ${engine}: ${t.describe}`);
      try {
        if (!kept) for (const b of BODIES) {
          await cli(ctx, t, ['bodies', 'add', b.code, '--name', b.name, '--type', b.type, '--areas', b.areas.join(',')], `count-${engine}-body`);
        }
        // Load: one child process per file, the ordinary CLI ingest.
        let loadSeconds = 0;
        if (!kept) for (const [i, b] of BODIES.entries()) {
          const r = await cli(ctx, t, ['ingest', files[i].file, '--body', b.code, '--json'], `count-${engine}-${b.code}`);
          const s = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as { rows_loaded: number; total_pence: number | string };
          if (s.rows_loaded !== files[i].lines || BigInt(String(s.total_pence)) !== BigInt(files[i].totalPence)) {
            failures.push(`${engine} ${b.code}: loaded ${s.rows_loaded} lines, ${s.total_pence}p; expected ${files[i].lines}, ${files[i].totalPence}p`);
          }
          loadSeconds += r.wallSeconds;
          ctx.log(`    ingest ${b.code} (${b.layout}, ${int(files[i].lines)} lines): ${dec(r.wallSeconds)} s`);
        }
        if (!kept) {
          figures.push({ case: `${engine} ${int(total)} lines`, metric: 'load, 10 files via CLI ingest (wall, incl. rollups)', value: loadSeconds, unit: 's' });
          figures.push({ case: `${engine} ${int(total)} lines`, metric: 'load rate', value: total / loadSeconds, unit: 'lines/s' });
        }

        if (!kept) await cli(ctx, t, ['place', 'create', PLACE, '--name', 'Bench place', '--areas', PLACE_AREAS.join(',')], `count-${engine}-place`);
        if (!kept) for (const b of BODIES.filter((x) => x.rule)) {
          await cli(ctx, t, ['place', 'attach', PLACE, '--body', b.code, '--rule', b.rule!], `count-${engine}-place`);
        }

        const db = await t.open();
        try {
          const [{ n }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM spend_fact');
          if (n !== total) failures.push(`${engine}: ${n} lines in the ledger, expected ${total}`);
          const [size] = await db.query<{ fact_mb: number; group_mb: number; top_mb: number }>(
            `SELECT (SELECT sum(pg_table_size(relid)) FROM pg_partition_tree('spend_fact') WHERE isleaf) / 1e6 AS fact_mb,
                    (SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('spend_group') WHERE isleaf) / 1e6 AS group_mb, pg_total_relation_size('spend_top_line') / 1e6 AS top_mb`);
          ctx.log(`    line facts ${dec(Number(size.fact_mb))} MB; groups ${dec(Number(size.group_mb))} MB; top-lines lists ${dec(Number(size.top_mb))} MB`);
          const probe = await countPlace(db, PLACE);
          const year = probe.year!;
          const theme = Object.keys(probe.by_theme)[0];
          const placeBodies = probe.bodies.map((b) => b.code);
          const bodyLines = probe.bodies.reduce((s, b) => s + b.lines, 0);
          ctx.log(`    place ${PLACE}: ${placeBodies.length} bodies, ${int(bodyLines)} lines in ${year}; deep dive theme ${theme}`);

          const count = await time(() => countPlace(db, PLACE, { year }), warmup, repeat);
          const dive = await time(() => deepDive(db, PLACE, theme, { year }), warmup, repeat);
          const drill = await time(() => findLines(db, { bodyCodes: placeBodies, year, theme, limit: 100, publicView: true }), warmup, repeat);
          // Correctness: the deep dive's total is the count's figure for the theme; the page is 100 lines, largest first.
          if (dive.last.total_pence !== count.last.by_theme[theme].pence) failures.push(`${engine}: deep dive total ${dive.last.total_pence} != count by theme ${count.last.by_theme[theme].pence}`);
          if (drill.last.lines.length !== 100) failures.push(`${engine}: drill-down returned ${drill.last.lines.length} lines`);
          const amounts = drill.last.lines.map((l) => Math.abs(l.amount_pence));
          if (amounts.some((a, i) => i > 0 && a > amounts[i - 1])) failures.push(`${engine}: drill-down not largest first`);
          const [scan] = await db.query<{ mx: string }>(
            `SELECT max(abs(amount_pence))::text AS mx FROM spend_line WHERE body_code = ANY($1::text[]) AND financial_year = $2 AND theme_code = $3`, [placeBodies, year, theme]);
          if (BigInt(scan.mx) !== BigInt(amounts[0])) failures.push(`${engine}: drill-down's first line ${amounts[0]} is not the largest ${scan.mx}`);

          for (const [name, r] of [['count for a place (5 bodies)', count], [`theme deep dive (${theme})`, dive], ['drill-down, 100 transactions', drill]] as const) {
            figures.push({ case: `${engine} ${int(total)} lines`, metric: `${name}, median of ${repeat}`, value: Number(r.median.toFixed(2)), unit: 'ms', target: TARGET });
            rows.push([engine, int(total), name, dec(r.median), dec(r.min), dec(r.max), meets(r.median, TARGET) ? 'met' : 'MISSED']);
          }
        } finally {
          await db.close();
        }
      } catch (err) {
        failures.push(`${engine}: ${(err as Error).stack ?? String(err)}`);
      } finally {
        await t.dispose();
      }
    }
    ctx.log(table(['engine', 'lines', 'query', 'median ms', 'min ms', 'max ms', '< 50 ms'], rows, ['left', 'right', 'left', 'right', 'right', 'right', 'left']));
    fs.writeFileSync(path.join(ctx.outDir, 'count-results.json'), JSON.stringify({ lines: total, figures, failures }, null, 2) + '\n');
    return { figures, failures };
  },
};

export default bench;
