import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, closeTestDatabase } from '../helpers/databases.ts';
import { startTestServer, addUser, Visitor } from '../helpers/web.ts';
import type { Database } from '../../src/db/database.ts';
import type { RunningServer } from '../../src/web/server.ts';
import { createPlace } from '../../src/place/places.ts';

const pglite = engines.find((e) => e.name === 'pglite')!;

describe('rendered public pages are cached until the data changes, and never when personal', () => {
  let db: Database;
  let web: RunningServer;
  before(async () => {
    db = await pglite.open();
    web = await startTestServer(db);
    await addUser(db, 'viewer@hyndburn.example', 'viewer', 'E07000120');
  });
  after(async () => { await web.close(); await closeTestDatabase(db); });

  test('an anonymous page is served from the cache the second time, and re-rendered after a change', async () => {
    const v = new Visitor(web.url);
    assert.equal((await v.get('/places')).headers.get('x-page-cache'), null);
    const again = await v.get('/places');
    assert.equal(again.headers.get('x-page-cache'), 'hit');
    assert.doesNotMatch(again.text, /Cache Town/);
    await createPlace(db, { code: 'CACHE-TOWN', name: 'Cache Town', areas: ['E07000120'] }, 'test');
    web.ctx.dataChanged();
    const after = await v.get('/places');
    assert.equal(after.headers.get('x-page-cache'), null);
    assert.match(after.text, /Cache Town/);
  });

  test('pages with a form token, a signed-in user or the cookie banner are never cached', async () => {
    const v = new Visitor(web.url);
    await v.get('/sign-in');
    const second = await v.get('/sign-in');
    assert.equal(second.headers.get('x-page-cache'), null);
    const other = new Visitor(web.url);
    await other.get('/sign-in');
    assert.notEqual(other.lastCsrf, v.lastCsrf);
    await v.signIn('viewer@hyndburn.example');
    await v.get('/places');
    const signedIn = await v.get('/places');
    assert.equal(signedIn.headers.get('x-page-cache'), null);
    assert.match(signedIn.text, /Sign out/);
    const withBanner = await startTestServer(db, { analytics: true });
    try {
      const b = new Visitor(withBanner.url);
      await b.get('/places');
      const r = await b.get('/places');
      assert.equal(r.headers.get('x-page-cache'), null);
      assert.match(r.text, /Cookies on Total Place/);
    } finally { await withBanner.close(); }
  });
});
