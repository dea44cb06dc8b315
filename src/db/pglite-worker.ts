// The embedded database in a thread of its own. PGlite runs PostgreSQL compiled to WebAssembly on the
// thread that calls it, so a long statement (a COPY chunk, a count, ANALYZE) blocks that thread. The web
// server opens the database here instead, so its event loop keeps answering requests while an upload
// is being loaded. The main-thread end is PGliteWorkerDatabase in database.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThreadPriority } from '../util/threads.ts';
import fs from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { WorkerRequest, WorkerReply } from './pglite-protocol.ts';

const { dataDir } = workerData as { dataDir: string };
// The web server's requests are served from caches on the main thread; they come before a load's work here.
lowerThreadPriority();
if (dataDir !== 'memory://') fs.mkdirSync(dataDir, { recursive: true });
const ready = PGlite.create(dataDir === 'memory://' ? {} : { dataDir });

// Open transactions: the worker holds PGlite's transaction open until the main thread says commit or rollback.
const transactions = new Map<number, { tx: Transaction; finish: (commit: boolean) => void }>();

function reply(msg: WorkerReply) { parentPort!.postMessage(msg); }
function fail(id: number, err: unknown) {
  const e = err as Error & Record<string, unknown>;
  const fields: Record<string, unknown> = {};
  for (const k of ['code', 'detail', 'hint', 'position', 'where', 'table', 'column', 'constraint', 'severity']) if (e?.[k] !== undefined) fields[k] = e[k];
  reply({ id, ok: false, error: { message: e?.message ?? String(err), stack: e?.stack, fields } });
}

async function handle(m: WorkerRequest): Promise<void> {
  const db = await ready;
  const conn = m.tx ? transactions.get(m.tx)?.tx : db;
  if (m.tx && !conn && m.op !== 'begin') throw new Error(`transaction ${m.tx} is not open`);
  switch (m.op) {
    case 'query': {
      const res = await conn!.query(m.text, m.params ?? []);
      return reply({ id: m.id, ok: true, rows: res.rows as unknown[] });
    }
    case 'exec':
      await conn!.exec(m.text);
      return reply({ id: m.id, ok: true });
    case 'copy':
      await conn!.query(m.text, [], { blob: new Blob([m.chunk as string | Uint8Array<ArrayBuffer>]) });
      return reply({ id: m.id, ok: true });
    case 'begin': {
      // Replies once the transaction is open; its promise settles when commit/rollback arrives.
      let opened!: () => void;
      const isOpen = new Promise<void>((r) => { opened = r; });
      const done = db.transaction(async (tx) => {
        const commit = await new Promise<boolean>((finish) => { transactions.set(m.tx!, { tx, finish }); opened(); });
        if (!commit) await tx.rollback();
      });
      done.then(() => reply({ id: -m.tx!, ok: true }), (err) => fail(-m.tx!, err)).finally(() => transactions.delete(m.tx!));
      await Promise.race([isOpen, done]);
      return reply({ id: m.id, ok: true });
    }
    case 'end': {
      const t = transactions.get(m.tx!);
      if (!t) throw new Error(`transaction ${m.tx} is not open`);
      t.finish(m.commit);
      return reply({ id: m.id, ok: true });
    }
    case 'close':
      await db.close();
      return reply({ id: m.id, ok: true });
  }
}

parentPort!.on('message', (m: WorkerRequest) => { handle(m).catch((err) => fail(m.id, err)); });
