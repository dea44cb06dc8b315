// The server keeps answering while a large upload is loaded into the embedded database (run in its own
// thread, as `totalplace serve` does): the uploader's progress page, public pages and the health check
// answer during the load, not after it.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../src/db/open.ts';
import type { Database } from '../../src/db/database.ts';
import type { RunningServer } from '../../src/web/server.ts';
import { generateSpendCsv } from '../../src/demo/generate.ts';
import { createPlace, attachBody } from '../../src/place/places.ts';
import { startTestServer, addUser, Visitor } from '../helpers/web.ts';
import { jobsOf } from '../../src/web/uploads/jobs.ts';
import { lastResolution } from '../../src/insight/suppliers.ts';

const BODY = 'E07000120';
const LINES = 150_000;

describe('serving while an upload loads (PGlite in its own thread)', () => {
  let dir: string;
  let db: Database;
  let web: RunningServer;
  let file: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-serving-'));
    db = await openDatabase({ dataDir: path.join(dir, 'db'), pgliteThread: true });
    await addUser(db, 'ed@hyndburn.example', 'editor', BODY);
    await createPlace(db, { code: 'HYNDBURN', name: 'Hyndburn', areas: [BODY] }, 'test');
    await attachBody(db, 'HYNDBURN', { body: BODY, rule: 'direct' }, 'test');
    file = path.join(dir, 'big.csv');
    await generateSpendCsv(file, { lines: LINES, seed: 7, layout: 'lga', bodyName: 'Hyndburn Borough Council', bodyCode: BODY });
    web = await startTestServer(db);
  });
  after(async () => { await web?.close(); await db?.close(); fs.rmSync(dir, { recursive: true, force: true }); });

  test('progress, public pages and health answer during the load', async () => {
    const v = new Visitor(web.url);
    await v.signIn('ed@hyndburn.example');
    await v.post('/partner/uploads/new', { body: BODY });
    const filePage = await v.get(`/partner/uploads/new/file?body=${BODY}`);
    const action = /<form[^>]*action="([^"]*\/partner\/uploads\/new\/file[^"]*)"/.exec(filePage.text)![1]!.replace(/&amp;/g, '&');
    const sent = await v.postFile(action, { name: 'big.csv', data: fs.readFileSync(file) });
    assert.equal(sent.status, 303, sent.text.slice(0, 300));
    const id = Number(/\/uploads\/(\d+)\//.exec(sent.location!)![1]);
    const mapping = await v.get(sent.location!);
    const fields: Record<string, string> = {};
    for (const m of mapping.text.matchAll(/<select[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
      fields[m[1]!] = (/<option value="([^"]*)"[^>]*selected/.exec(m[2]!) ?? /<option value="([^"]*)"/.exec(m[2]!))![1]!;
    }
    assert.equal((await v.post(`/partner/uploads/${id}/mapping`, fields)).status, 303);
    await v.untilSettled(`/partner/uploads/${id}/report`);
    // The public count page, rendered once before the load (it is then served from the cache).
    const anon = new Visitor(web.url);
    assert.equal((await anon.get('/places/HYNDBURN')).status, 200);

    assert.equal((await v.post(`/partner/uploads/${id}/confirm`, {})).status, 303);
    const t0 = performance.now();
    const during: { ms: number; lines: number }[] = [];
    const publicMs: number[] = [];
    const healthMs: number[] = [];
    for (;;) {
      let t = performance.now();
      const r = await v.get(`/partner/uploads/${id}/progress`);
      const ms = performance.now() - t;
      assert.equal(r.status, 200);
      if (!r.text.includes('http-equiv="refresh"')) { assert.match(r.text, /File loaded/); break; }
      during.push({ ms, lines: Number((/([\d,]+) lines? (?:read|loaded|so far)/.exec(r.text)?.[1] ?? '0').replace(/,/g, '')) });
      t = performance.now();
      assert.equal((await anon.get('/places/HYNDBURN')).status, 200);
      publicMs.push(performance.now() - t);
      t = performance.now();
      assert.equal((await anon.get('/health')).status, 200);
      healthMs.push(performance.now() - t);
      await new Promise((res) => setTimeout(res, 100));
    }
    const loadMs = performance.now() - t0;
    assert.ok(during.length >= 3, `the load took ${loadMs.toFixed(0)} ms; expected several progress pages while it ran (${during.length})`);
    const slowest = Math.max(...during.map((d) => d.ms), ...publicMs, ...healthMs);
    assert.ok(slowest < loadMs / 3, `a page waited ${slowest.toFixed(0)} ms during a ${loadMs.toFixed(0)} ms load`);
    assert.ok(during.some((d) => d.lines > 0), 'progress shows lines as they are read');
    const [{ n }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM spend_line WHERE body_code = $1', [BODY]);
    assert.equal(n, LINES);
    // Supplier matching runs again by itself after the load, so the duplication pages follow the data.
    await jobsOf(web.ctx).idle();
    const run = await lastResolution(db);
    assert.ok(run && run.names > 100, `supplier matching ran over the new names (${JSON.stringify(run)})`);
  });
});
