// Web load benchmark (issue 4, "Must show"): the public place page under load (autocannon, loopback)
// while a 1M-line spend file is loaded in the same server process, with the health endpoint polled
// throughout. Targets: >= 500 requests/s and p99 < 200 ms for the place page; health < 100 ms.
// The server is bench/lib/serve-with-ingest.ts in a child process (the embedded database in its own
// thread, as `totalplace serve` runs it; or PostgreSQL with --engines postgres).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import os from 'node:os';
import fs from 'node:fs';
import readline from 'node:readline';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import pg from 'pg';
import { cachedSpendFile } from './ingest.bench.ts';
import type { BenchContext, BenchModule, BenchResult, Figure } from './lib/types.ts';
import { table, int, dec } from './lib/table.ts';

const TARGETS = {
  rps: { op: '>=' as const, value: 500 },
  p99: { op: '<' as const, value: 200 },
  health: { op: '<' as const, value: 100 },
};

interface Server { child: ChildProcessWithoutNullStreams; url: string; next(): Promise<Record<string, unknown>>; stop(): Promise<void> }

async function startServerChild(ctx: BenchContext, env: NodeJS.ProcessEnv): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ctx.projectRoot, 'bench', 'lib', 'serve-with-ingest.ts')], { cwd: ctx.projectRoot, env });
  const logs = path.join(ctx.outDir, 'logs');
  fs.mkdirSync(logs, { recursive: true });
  child.stderr.pipe(fs.createWriteStream(path.join(logs, 'web-server.stderr.log')));
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const r = await lines.next();
    if (r.done) throw new Error('the server process ended (see bench/out/logs/web-server.stderr.log)');
    return JSON.parse(r.value) as Record<string, unknown>;
  };
  const { url } = await next() as { url: string };
  return {
    child, url, next,
    stop: async () => { child.stdin.write('quit\n'); await new Promise((r) => child.once('exit', r)); },
  };
}

/** Polls /health every `everyMs` until stopped; returns every latency seen (ms). */
function pollHealth(url: string, everyMs: number) {
  const latencies: number[] = [];
  const rss: number[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const t0 = performance.now();
      try {
        const r = await fetch(`${url}/health`);
        const body = await r.json() as { rss_mb: number };
        latencies.push(performance.now() - t0);
        rss.push(body.rss_mb);
      } catch { latencies.push(Infinity); }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return { latencies, rss, stop: async () => { stopped = true; await loop; } };
}

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN; };

/** Load for `seconds`, or until `until` settles if that comes first (so a load test during an ingest measures only that). */
async function cannon(url: string, seconds: number, connections: number, until?: Promise<unknown>) {
  const t0 = performance.now();
  const r = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url, connections, duration: seconds, pipelining: 1 }, (err, res) => (err ? reject(err) : resolve(res)));
    until?.then(() => instance.stop(), () => instance.stop());
  });
  return { seconds: (performance.now() - t0) / 1000, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max, total: r.requests.total, non2xx: r.non2xx, errors: r.errors + r.timeouts };
}

/** The shortest load, in seconds, that counts as a load test during an ingest. */
const MIN_LOADED_SECONDS = 5;

const bench: BenchModule = {
  description: 'public place page under autocannon load while a 1M-line file is ingested in the same server process',
  options: {
    'web-lines': { type: 'string', default: '1000000', description: 'lines in the file ingested during the load' },
    'web-engines': { type: 'string', description: 'pglite,postgres (default: pglite, plus postgres when DATABASE_URL is set)' },
    duration: { type: 'string', default: '20', description: 'seconds of load while idle, and at most while the ingest runs (the load stops when it ends)' },
    connections: { type: 'string', default: '10', description: 'concurrent connections' },
  },
  async run(ctx: BenchContext): Promise<BenchResult> {
    const o = ctx.options;
    const lines = Number(o['web-lines']);
    const duration = Number(o.duration);
    const connections = Number(o.connections);
    const engines = String(o['web-engines'] ?? (process.env.DATABASE_URL ? 'pglite,postgres' : 'pglite')).split(',');
    const file = await cachedSpendFile(path.join(ctx.outDir, 'data'), 'lga', lines, 1, ctx.log);
    const figures: Figure[] = [];
    const failures: string[] = [];
    const rows: string[][] = [];
    for (const engine of engines) {
      if (engine === 'postgres' && !process.env.DATABASE_URL) { failures.push('postgres: set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test)'); continue; }
      const env: NodeJS.ProcessEnv = { ...process.env, TOTALPLACE_ANALYTICS: '0' };
      let cleanup = async () => {};
      if (engine === 'pglite') {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-bench-web-'));
        delete env.DATABASE_URL;
        env.TOTALPLACE_DATA_DIR = dir;
        cleanup = async () => fs.rmSync(dir, { recursive: true, force: true });
      } else {
        const schema = `bench_${randomBytes(6).toString('hex')}`;
        env.TOTALPLACE_DB_SCHEMA = schema;
        cleanup = async () => { const c = new pg.Client({ connectionString: process.env.DATABASE_URL }); await c.connect(); await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`); await c.end(); };
      }
      const server = await startServerChild(ctx, env);
      try {
        const page = `${server.url}/places/DEMO-VALE`;
        const check = await fetch(page);
        if (check.status !== 200) throw new Error(`place page answered ${check.status}`);
        await cannon(page, 3, connections); // warm-up
        const idle = await cannon(page, duration, connections);
        rows.push([engine, 'idle', int(idle.rps), dec(idle.p50), dec(idle.p99), dec(idle.max), int(idle.non2xx + idle.errors), '']);

        const health = pollHealth(server.url, 50);
        const t0 = performance.now();
        server.child.stdin.write(`ingest ${file.file}\n`);
        const ingestDone = server.next();
        let ingestSeconds = NaN;
        ingestDone.then((m) => { ingestSeconds = (performance.now() - t0) / 1000; if ((m.ingest as { rows_loaded: number }).rows_loaded !== lines) failures.push(`${engine}: ingest loaded ${JSON.stringify(m.ingest)}`); }, () => undefined);
        await new Promise((r) => setTimeout(r, 1000)); // the ingest under way (file opened, parse started)
        const busy = await cannon(page, duration, connections, ingestDone);
        await ingestDone;
        await health.stop();
        const hMax = Math.max(...health.latencies);
        const hP99 = pct(health.latencies, 99);
        rows.push([engine, `during ingest (${int(lines)} lines, ${dec(ingestSeconds)} s; load for ${dec(busy.seconds)} s)`, int(busy.rps), dec(busy.p50), dec(busy.p99), dec(busy.max), int(busy.non2xx + busy.errors), `${dec(hP99)} / ${dec(hMax)} (${health.latencies.length} polls; server RSS max ${Math.max(...health.rss)} MB)`]);
        if (busy.seconds < MIN_LOADED_SECONDS) failures.push(`${engine}: the ingest took ${dec(ingestSeconds)} s, too short to load-test for ${MIN_LOADED_SECONDS} s; use more --web-lines`);
        if (busy.non2xx + busy.errors > 0) failures.push(`${engine}: ${busy.non2xx} non-2xx responses and ${busy.errors} errors under load`);
        figures.push(
          { case: `${engine} place page during ingest`, metric: 'requests/s', value: busy.rps, unit: 'req/s', target: TARGETS.rps },
          { case: `${engine} place page during ingest`, metric: 'p99 latency', value: busy.p99, unit: 'ms', target: TARGETS.p99 },
          { case: `${engine} health during ingest`, metric: 'max latency', value: hMax, unit: 'ms', target: TARGETS.health },
        );
      } catch (err) {
        failures.push(`${engine}: ${(err as Error).message}`);
      } finally {
        await server.stop().catch(() => server.child.kill());
        await cleanup();
      }
    }
    ctx.log(table(['engine', 'phase', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'errors', 'health p99 / max ms'], rows));
    return { figures, failures };
  },
};
export default bench;
