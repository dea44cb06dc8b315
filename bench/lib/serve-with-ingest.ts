// The server under load for bench/web.bench.ts: one process that serves the web application (as
// `totalplace serve` does, embedded database in its own thread) and, on command, loads a large spend file
// with the same ingestFiles call the upload wizard's background job makes. Talks JSON lines: it prints
// {"url"} when listening; reads "ingest <file>" and prints {"ingest": result, "seconds"}; "quit" stops it.
import readline from 'node:readline';
import path from 'node:path';
import os from 'node:os';
import fs from 'node:fs';
import { loadSettings } from '../../src/config.ts';
import { openDatabase } from '../../src/db/open.ts';
import { loadDemoPlace } from '../../src/demo/load.ts';
import { ingestFiles } from '../../src/ingest/service.ts';
import { startServer } from '../../src/web/server.ts';

const settings = loadSettings({ port: 0, host: '127.0.0.1' });
const db = await openDatabase({ ...settings, pgliteThread: true });
await loadDemoPlace(db, fs.mkdtempSync(path.join(os.tmpdir(), 'tp-bench-demo-')), 'bench');
const running = await startServer(db, settings);
const say = (v: unknown) => process.stdout.write(JSON.stringify(v) + '\n');
say({ url: running.url });

for await (const line of readline.createInterface({ input: process.stdin })) {
  const [cmd, ...rest] = line.trim().split(' ');
  if (cmd === 'ingest') {
    const t0 = performance.now();
    const result = await ingestFiles(db, [rest.join(' ')], { bodyCode: 'BENCH-BODY', bodyName: 'Bench body', actor: 'bench', batchLines: settings.copyBatchLines, background: true });
    running.ctx.dataChanged();
    say({ ingest: { rows_loaded: result.rows_loaded, rows_rejected: result.rows_rejected, total_pence: result.total_pence, error: result.files[0]?.error }, seconds: (performance.now() - t0) / 1000 });
  } else if (cmd === 'quit') {
    break;
  }
}
await running.close();
await db.close();
process.exit(0);
