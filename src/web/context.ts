// What every route needs, wired once (the `services()` idea from the MoJ template): the database, the
// settings, the count cache and the background jobs. Routes get this object; nothing below src/web
// imports from here.
import type { Database } from '../db/database.ts';
import type { Settings } from '../config.ts';
import { countPlace, type CountOptions } from '../place/count-service.ts';
import type { CountResult } from '../place/count.ts';
import { PageCache } from './page-cache.ts';
import { SessionCache } from './auth.ts';

/**
 * Place counts served to the public are read from a cache: a count takes tens of milliseconds, and on
 * the embedded database waits behind any load in progress. Any write made through this server (upload,
 * rules, places) calls `invalidate()`; writes made by another process to a PostgreSQL server (the CLI)
 * show within `ttlMs`. The embedded database belongs to this process alone, so there it never expires.
 */
export class CountCache {
  private entries = new Map<string, { at: number; value: Promise<CountResult> }>();
  private generation = 0;
  constructor(private readonly db: Database, private readonly ttlMs = 30_000) {}
  get(place: string, opts: CountOptions = {}): Promise<CountResult> {
    const key = `${place}|${opts.year ?? ''}`;
    const hit = this.entries.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.value;
    const generation = this.generation;
    const value = countPlace(this.db, place, opts);
    this.entries.set(key, { at: Date.now(), value });
    // Failures are not cached; nor is a result computed across an invalidation.
    value.then(() => { if (generation !== this.generation) this.entries.delete(key); }, () => this.entries.delete(key));
    return value;
  }
  invalidate(): void {
    this.generation++;
    this.entries.clear();
  }
}

export interface WebContext {
  db: Database;
  settings: Settings;
  counts: CountCache;
  /** Rendered public pages (see page-cache.ts). */
  pages: PageCache;
  /** Signed-in users by session token (see auth.ts). */
  sessions: SessionCache;
  /** Signing key for CSRF tokens. */
  secret: string;
  /** Called after any change to the ledger, rules or places. */
  dataChanged(): void;
  /** Called after any change to accounts (role, body, password, disabled). */
  accountsChanged(): void;
}

export function makeContext(db: Database, settings: Settings, secret: string): WebContext {
  const ttl = db.kind === 'pglite' ? Infinity : 30_000;
  const counts = new CountCache(db, ttl);
  const pages = new PageCache(ttl);
  const sessions = new SessionCache(db);
  return {
    db, settings, counts, pages, sessions, secret,
    dataChanged: () => { counts.invalidate(); pages.invalidate(); },
    accountsChanged: () => sessions.clear(),
  };
}
