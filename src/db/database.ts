// One PostgreSQL dialect, two engines: embedded PGlite (default) or a PostgreSQL server (DATABASE_URL).
// Everything above this file sees only the `Database` / `Sql` interfaces.
import fs from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { Settings } from '../config.ts';
import type { WorkerReply, WorkerRequest } from './pglite-protocol.ts';

export type Row = Record<string, unknown>;

export interface Sql {
  /** Runs one parameterised statement and returns its rows. */
  query<T = Row>(text: string, params?: unknown[]): Promise<T[]>;
  /** Runs one or more statements without parameters. */
  exec(text: string): Promise<void>;
  /** Streams text-format COPY data (tab-separated lines, `\N` for null) into a table. Byte chunks
   *  of 64 KiB or more may be handed to another thread: do not use them again after passing them. */
  copyIn(table: string, columns: string[], chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>): Promise<void>;
}

export interface Database extends Sql {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction: all of it is committed, or none of it. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Unsafe SQL identifier: ${name}`);
  return name;
}

function copyStatement(table: string, columns: string[], source: string): string {
  return `COPY ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) FROM ${source}`;
}

// ---------- PGlite ----------

type PGliteLike = Pick<PGlite, 'query' | 'exec'>;

function pgliteSql(conn: PGliteLike): Sql {
  return {
    async query<T>(text: string, params: unknown[] = []) {
      const res = await conn.query<T>(text, params);
      return res.rows;
    },
    async exec(text: string) {
      await conn.exec(text);
    },
    async copyIn(table, columns, chunks) {
      // PGlite reads COPY input from its virtual /dev/blob device, one Blob per statement.
      const sql = copyStatement(table, columns, `'/dev/blob'`);
      for await (const chunk of chunks as AsyncIterable<string | Uint8Array>) {
        if (chunk.length === 0) continue;
        await conn.query(sql, [], { blob: new Blob([chunk as string | Uint8Array<ArrayBuffer>]) });
      }
    },
  };
}

class PGliteDatabase implements Database {
  readonly kind = 'pglite' as const;
  private readonly sql: Sql;
  constructor(private readonly db: PGlite) {
    this.sql = pgliteSql(db);
  }
  query<T = Row>(text: string, params?: unknown[]) { return this.sql.query<T>(text, params); }
  exec(text: string) { return this.sql.exec(text); }
  copyIn(table: string, columns: string[], chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>) {
    return this.sql.copyIn(table, columns, chunks);
  }
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(pgliteSql(tx as unknown as PGliteLike)));
  }
  async close() { await this.db.close(); }
  async dump(): Promise<Blob> { return this.db.dumpDataDir('none'); }
}

// ---------- PGlite in a thread of its own (the web server) ----------

type Pending = { resolve: (rows: unknown[] | undefined) => void; reject: (err: Error) => void };
type Request = WorkerRequest extends infer R ? (R extends unknown ? Omit<R, 'id' | 'tx'> : never) : never;

class PGliteWorkerDatabase implements Database {
  readonly kind = 'pglite' as const;
  private nextId = 1;
  private nextTx = 1;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | null = null;

  constructor(private readonly worker: Worker) {
    worker.on('message', (m: WorkerReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.rows);
      else p.reject(Object.assign(new Error(m.error.message), m.error.fields, { stack: m.error.stack }));
    });
    // A dead database thread fails every waiting and later call instead of hanging them.
    const die = (err: Error) => {
      this.failure = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', die);
    worker.on('exit', (code) => die(new Error(`the database thread stopped (exit code ${code})`)));
  }

  private wait(id: number): Promise<unknown[] | undefined> {
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  private call(req: Request, tx?: number): Promise<unknown[] | undefined> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const done = this.wait(id);
    const chunk = (req as { chunk?: unknown }).chunk;
    // Large byte chunks are handed over, not copied: their producers (CopyWriter.take) never reuse a
    // buffer once taken. Small ones may live in Node's shared Buffer pool and are copied.
    const transfer = chunk instanceof Uint8Array && chunk.byteLength >= 65536 && chunk.buffer instanceof ArrayBuffer ? [chunk.buffer] : [];
    this.worker.postMessage({ ...req, id, tx } as WorkerRequest, transfer);
    return done;
  }

  private sql(tx?: number): Sql {
    return {
      query: async <T>(text: string, params: unknown[] = []) => (await this.call({ op: 'query', text, params }, tx)) as T[],
      exec: async (text: string) => { await this.call({ op: 'exec', text }, tx); },
      copyIn: async (table, columns, chunks) => {
        const text = copyStatement(table, columns, `'/dev/blob'`);
        for await (const chunk of chunks as AsyncIterable<string | Uint8Array>) {
          if (chunk.length) await this.call({ op: 'copy', text, chunk }, tx);
        }
      },
    };
  }

  query<T = Row>(text: string, params?: unknown[]) { return this.sql().query<T>(text, params); }
  exec(text: string) { return this.sql().exec(text); }
  copyIn(table: string, columns: string[], chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>) {
    return this.transaction((tx) => tx.copyIn(table, columns, chunks));
  }

  async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    const tx = this.nextTx++;
    const outcome = this.wait(-tx);
    outcome.catch(() => undefined); // observed below; never an unhandled rejection
    await this.call({ op: 'begin' }, tx);
    let result: T;
    try {
      result = await fn(this.sql(tx));
    } catch (err) {
      await this.call({ op: 'end', commit: false }, tx).catch(() => undefined);
      await outcome.catch(() => undefined);
      throw err;
    }
    await this.call({ op: 'end', commit: true }, tx);
    await outcome;
    return result;
  }

  async close() {
    if (!this.failure) await this.call({ op: 'close' });
    await this.worker.terminate();
  }
}

function pgliteWorkerUrl(): URL {
  const ts = import.meta.url.endsWith('.ts');
  return new URL(ts ? './pglite-worker-boot.mjs' : './pglite-worker.js', import.meta.url);
}

// ---------- PostgreSQL server ----------

// Return bigint/numeric as JS values the rest of the code expects: pence sums fit in a double
// exactly up to 2^53 pence (£90 trillion), so parse int8 as number and refuse anything beyond.
pg.types.setTypeParser(20, (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`Integer ${v} is too large to handle exactly`);
  return n;
});
pg.types.setTypeParser(1082, (v: string) => v); // dates stay 'YYYY-MM-DD'

function pgClientSql(client: pg.PoolClient | pg.Pool): Sql {
  // One connection (a transaction's) runs one statement at a time: statements issued together (a
  // Promise.all) wait their turn here rather than in pg's own queue, which pg 9 removes. The pool needs none.
  let turn: Promise<unknown> = Promise.resolve();
  const inTurn = <R>(run: () => Promise<R>): Promise<R> => {
    if (!('release' in client)) return run();
    const mine = turn.then(run, run);
    turn = mine.catch(() => undefined);
    return mine;
  };
  return {
    async query<T>(text: string, params: unknown[] = []) {
      const res = await inTurn(() => client.query(text, params as unknown[]));
      return res.rows as T[];
    },
    async exec(text: string) {
      await inTurn(() => client.query(text));
    },
    async copyIn(table, columns, chunks) {
      if (!('release' in client)) throw new Error('copyIn needs a transaction client');
      await inTurn(() => pipeline(Readable.from(chunks as AsyncIterable<string | Uint8Array>), client.query(copyFrom(copyStatement(table, columns, 'STDIN')))));
    },
  };
}

class PostgresDatabase implements Database {
  readonly kind = 'postgres' as const;
  constructor(private readonly pool: pg.Pool) {}
  query<T = Row>(text: string, params?: unknown[]) { return pgClientSql(this.pool).query<T>(text, params); }
  exec(text: string) { return pgClientSql(this.pool).exec(text); }
  async copyIn(table: string, columns: string[], chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>) {
    await this.transaction((tx) => tx.copyIn(table, columns, chunks));
  }
  async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(pgClientSql(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
  async close() { await this.pool.end(); }
}

/** Opens the database the settings describe, without applying migrations. */
export interface ConnectOptions extends Pick<Settings, 'databaseUrl' | 'databaseSchema' | 'dataDir'> {
  /** PGlite only: start from this dump of a data directory (tests use a migrated template). */
  pgliteTemplate?: Blob;
  /** PGlite only: run the database in a worker thread, so long statements do not block this thread (the web server). */
  pgliteThread?: boolean;
}

/** Dumps an embedded database's data directory (for use as a template). */
export async function dumpPglite(db: Database): Promise<Blob> {
  if (!(db instanceof PGliteDatabase)) throw new Error('only an embedded database can be dumped');
  return db.dump();
}

export async function connect(settings: ConnectOptions): Promise<Database> {
  if (settings.databaseUrl) {
    const schema = settings.databaseSchema;
    const pool = new pg.Pool({
      connectionString: settings.databaseUrl,
      max: 4,
      ...(schema ? { options: `-c search_path=${quoteIdent(schema)}` } : {}),
    });
    if (schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    return new PostgresDatabase(pool);
  }
  const dir = settings.dataDir;
  if (settings.pgliteThread) {
    if (settings.pgliteTemplate) throw new Error('a database thread cannot start from a template');
    const worker = new Worker(pgliteWorkerUrl(), { workerData: { dataDir: dir } });
    const db = new PGliteWorkerDatabase(worker);
    await db.query('SELECT 1');
    return db;
  }
  if (dir !== 'memory://') fs.mkdirSync(dir, { recursive: true });
  // Loaded here: a PostgreSQL server's users need not pay PGlite's 300 ms of start-up.
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create({ ...(dir === 'memory://' ? {} : { dataDir: dir }), ...(settings.pgliteTemplate ? { loadDataDir: settings.pgliteTemplate } : {}) });
  return new PGliteDatabase(db);
}
