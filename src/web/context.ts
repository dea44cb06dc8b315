// What every route needs, wired once (the `services()` idea from the MoJ template): the database, the
// settings, the count cache and the background jobs. Routes get this object; nothing below src/web
// imports from here.
import type { Database } from '../db/database.ts';
import type { Settings } from '../config.ts';
import { countPlace, type CountOptions } from '../place/count-service.ts';
import type { CountResult } from '../place/count.ts';

/**
 * Place counts served to the public are read from a cache: a count takes tens of milliseconds on the
 * embedded database, which blocks the event loop while it runs. Any write made through this server
 * (upload, rules, places) calls `invalidate()`; writes made by another process (the CLI) show within
 * `ttlMs`.
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
  /** Signing key for CSRF tokens. */
  secret: string;
  /** Called after any change to the ledger, rules or places. */
  dataChanged(): void;
}

export function makeContext(db: Database, settings: Settings, secret: string): WebContext {
  const counts = new CountCache(db);
  return { db, settings, counts, secret, dataChanged: () => counts.invalidate() };
}
