// Web tests: a real server on a free loopback port over a real test database, and a small client that
// keeps cookies like a browser and fills in the CSRF token from the page it just loaded.
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { loadSettings, type Settings } from '../../src/config.ts';
import type { Database } from '../../src/db/database.ts';
import { startServer, type RunningServer } from '../../src/web/server.ts';
import { createUser, type User } from '../../src/accounts/users.ts';
import type { Role } from '../../src/accounts/permissions.ts';

export const TEST_PASSWORD = 'correct horse battery staple';

export async function startTestServer(db: Database, overrides: Partial<Settings> = {}): Promise<RunningServer> {
  const uploadDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-uploads-'));
  const settings = loadSettings({ dataDir: 'memory://', host: '127.0.0.1', port: 0, secret: 'test-secret-of-enough-length-0123456789', uploadDir, signInLimit: 1000, uploadLimit: 1000, ...overrides }, {});
  return startServer(db, settings);
}

export async function addUser(db: Database, email: string, role: Role, bodyCode: string | null): Promise<User> {
  return createUser(db, { email, name: email.split('@')[0], role, body_code: bodyCode, password: TEST_PASSWORD }, 'test');
}

export interface Reply { status: number; headers: Headers; text: string; location: string | null; setCookies: string[] }

/** A cookie-keeping HTTP client for one visitor. */
export class Visitor {
  readonly cookies = new Map<string, string>();
  lastCsrf: string | null = null;
  constructor(readonly base: string) {}

  private store(res: Response): string[] {
    const set = res.headers.getSetCookie();
    for (const c of set) {
      const [pair, ...attrs] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const expired = attrs.some((a) => /^\s*expires=/i.test(a) && new Date(a.split('=')[1]).getTime() < Date.now()) || attrs.some((a) => /^\s*max-age=0\b/i.test(a));
      if (expired || value === '') this.cookies.delete(name); else this.cookies.set(name, value);
    }
    return set;
  }

  private cookieHeader(): string { return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '); }

  async request(method: string, url: string, init: { body?: BodyInit; headers?: Record<string, string> } = {}): Promise<Reply> {
    const res = await fetch(new URL(url, this.base), { method, redirect: 'manual', body: init.body, headers: { cookie: this.cookieHeader(), ...init.headers } });
    const setCookies = this.store(res);
    const text = await res.text();
    const m = /name="_csrf" value="([^"]+)"/.exec(text) ?? /name="csrf-token" content="([^"]+)"/.exec(text);
    if (m) this.lastCsrf = m[1];
    return { status: res.status, headers: res.headers, text, location: res.headers.get('location'), setCookies };
  }

  get(url: string): Promise<Reply> { return this.request('GET', url); }

  /** Posts a form with the CSRF token from the last page (or `csrf: null` to leave it out). */
  post(url: string, fields: Record<string, string | string[]>, opts: { csrf?: string | null } = {}): Promise<Reply> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
    const token = opts.csrf === undefined ? this.lastCsrf : opts.csrf;
    if (token) body.set('_csrf', token);
    return this.request('POST', url, { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }

  /**
   * Posts a multipart form with one file, as a browser does for <input type="file">. The CSRF token goes
   * in the URL's `_csrf` (multipart bodies are streamed after the check), from the last page unless given.
   */
  postFile(url: string, file: { field?: string; name: string; data: Uint8Array | string; type?: string }, fields: Record<string, string> = {}, opts: { csrf?: string | null } = {}): Promise<Reply> {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    const bytes = typeof file.data === 'string' ? new TextEncoder().encode(file.data) : file.data;
    form.append(file.field ?? 'file', new Blob([bytes as Uint8Array<ArrayBuffer>], { type: file.type ?? 'application/octet-stream' }), file.name);
    const token = opts.csrf === undefined ? this.lastCsrf : opts.csrf;
    const target = new URL(url, this.base);
    if (token && !target.searchParams.has('_csrf')) target.searchParams.set('_csrf', token);
    return this.request('POST', target.pathname + target.search, { body: form });
  }

  /** Gets `url` until the page stops refreshing itself (a background job finished), following the
   *  redirect a page makes when the job's state changes between two looks at it. */
  async untilSettled(url: string, timeoutMs = 120_000): Promise<Reply> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.get(url);
      if (r.status >= 300 && r.status < 400 && r.location) { url = r.location; continue; }
      if (!r.text.includes('http-equiv="refresh"')) return r;
      if (Date.now() > until) throw new Error(`${url} still working after ${timeoutMs} ms`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }

  async signIn(email: string, password = TEST_PASSWORD): Promise<Reply> {
    await this.get('/sign-in');
    return this.post('/sign-in', { email, password });
  }
}
