// Rendered public pages, kept until the data changes. Rendering a page with its charts costs a few
// milliseconds of this thread; with the embedded database, any query waits while an upload is being
// loaded (one connection, one transaction per file). Public visitors are served from here, so pages stay
// fast during loads. A page is kept only when nothing in it is personal: no signed-in user, no cookie
// banner or confirmation, no analytics, no CSRF token rendered and no cookie set while rendering it.
import type { RequestHandler, Response } from 'express';

interface Entry { at: number; generation: number; html: string; type: string }

export class PageCache {
  private entries = new Map<string, Entry>();
  private bytes = 0;
  generation = 0;
  constructor(private readonly ttlMs: number, private readonly maxBytes = 64 * 1024 * 1024) {}

  get(key: string): Entry | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.generation !== this.generation || Date.now() - e.at > this.ttlMs) { this.delete(key); return undefined; }
    // Most recently used last (Map keeps insertion order): evict from the front.
    this.entries.delete(key);
    this.entries.set(key, e);
    return e;
  }

  set(key: string, html: string, type: string): void {
    this.delete(key);
    this.entries.set(key, { at: Date.now(), generation: this.generation, html, type });
    this.bytes += html.length;
    for (const k of this.entries.keys()) {
      if (this.bytes <= this.maxBytes) break;
      this.delete(k);
    }
  }

  private delete(key: string): void {
    const e = this.entries.get(key);
    if (e) { this.bytes -= e.html.length; this.entries.delete(key); }
  }

  invalidate(): void { this.generation++; this.entries.clear(); this.bytes = 0; }
}

/** Serves and fills the cache for anonymous GETs of pages (not the API, not forms). Mount after res.locals is set. */
export function cachePublicPages(cache: PageCache): RequestHandler {
  return (req, res, next) => {
    const l = res.locals;
    if (req.method !== 'GET' || req.user || l.showCookieBanner || l.cookieConfirmation || l.loadAnalytics || req.path.startsWith('/api/')) return next();
    const key = req.originalUrl;
    const hit = cache.get(key);
    if (hit) {
      res.set('X-Page-Cache', 'hit').type(hit.type).send(hit.html);
      return;
    }
    let personal = false;
    const token = l.csrfToken as () => string;
    l.csrfToken = () => { personal = true; return token(); };
    const generation = cache.generation;
    const send = res.send.bind(res) as Response['send'];
    res.send = ((body: unknown) => {
      // res.send gives a string body the HTML type when none is set yet.
      const type = String(res.getHeader('content-type') ?? 'text/html; charset=utf-8');
      if (!personal && res.statusCode === 200 && typeof body === 'string' && type.startsWith('text/html') && !res.getHeader('set-cookie') && generation === cache.generation) {
        cache.set(key, body, type);
      }
      return send(body);
    }) as Response['send'];
    next();
  };
}
