import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, closeTestDatabase } from '../helpers/databases.ts';
import { startTestServer, addUser, Visitor, TEST_PASSWORD } from '../helpers/web.ts';
import type { Database } from '../../src/db/database.ts';
import type { RunningServer } from '../../src/web/server.ts';
import { listAudit } from '../../src/db/audit.ts';

for (const engine of engines) {
  describe(`web accounts and security (${engine.name})`, { skip: engine.skip }, () => {
    let db: Database;
    let web: RunningServer;
    before(async () => {
      db = await engine.open();
      web = await startTestServer(db, { signInLimit: 5 });
      await addUser(db, 'ed@hyndburn.example', 'editor', 'E07000120');
    });
    after(async () => { await web.close(); await closeTestDatabase(db); });

    test('every response carries strict security headers and a CSP with no inline script', async () => {
      const r = await new Visitor(web.url).get('/');
      assert.equal(r.status, 200);
      const csp = r.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(r.headers.get('x-powered-by'), null);
      assert.doesNotMatch(r.text, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline <script> in the page');
      assert.doesNotMatch(r.text, /\sstyle="/, 'no inline style attributes');
    });

    test('sign-in sets a Secure, HttpOnly, SameSite session cookie; a wrong password does not; both are audited', async () => {
      const v = new Visitor(web.url);
      const bad = await v.signIn('ed@hyndburn.example', 'not the password');
      assert.equal(bad.status, 401);
      assert.match(bad.text, /Enter a correct email address and password/);
      assert.equal(v.cookies.has('tp_session'), false);
      const ok = await v.signIn('ed@hyndburn.example');
      assert.equal(ok.status, 303);
      const cookie = ok.setCookies.find((c) => c.startsWith('tp_session='))!;
      assert.match(cookie, /HttpOnly/i);
      assert.match(cookie, /Secure/i);
      assert.match(cookie, /SameSite=Lax/i);
      const page = await v.get('/partner');
      assert.equal(page.status, 200);
      assert.match(page.text, /Signed in as ed/);
      const audit = await listAudit(db, { action: 'sign-in' });
      assert.ok(audit.some((a) => a.action === 'sign-in' && a.target === 'ed@hyndburn.example'));
      assert.ok(audit.some((a) => a.action === 'sign-in.failed' && a.target === 'ed@hyndburn.example'));
      // Signing out ends the session on the server, not only in the browser.
      const stolen = v.cookies.get('tp_session')!;
      await v.post('/sign-out', {});
      const replay = new Visitor(web.url);
      replay.cookies.set('tp_session', stolen);
      assert.equal((await replay.get('/partner')).status, 303);
    });

    test('a form posted without its CSRF token, or with a forged one, is refused', async () => {
      const v = new Visitor(web.url);
      await v.get('/sign-in');
      const none = await v.post('/sign-in', { email: 'ed@hyndburn.example', password: TEST_PASSWORD }, { csrf: null });
      assert.equal(none.status, 403);
      assert.match(none.text, /This form has expired/);
      const forged = await v.post('/sign-in', { email: 'ed@hyndburn.example', password: TEST_PASSWORD }, { csrf: 'abc.def' });
      assert.equal(forged.status, 403);
      // A token from another visitor does not work with this visitor's cookie.
      const other = new Visitor(web.url);
      await other.get('/sign-in');
      const crossed = await v.post('/sign-in', { email: 'ed@hyndburn.example', password: TEST_PASSWORD }, { csrf: other.lastCsrf });
      assert.equal(crossed.status, 403);
    });

    test('sign-in is rate limited per address', async () => {
      const v = new Visitor(web.url);
      let last = 0;
      for (let i = 0; i < 7; i++) last = (await v.signIn('nobody@example.org', 'wrong password here')).status;
      assert.equal(last, 429);
    });

    test('the partners area sends visitors who are not signed in to sign in, and back afterwards', async () => {
      const v = new Visitor(web.url);
      const r = await v.get('/partner');
      assert.equal(r.status, 303);
      assert.equal(r.location, '/sign-in?next=%2Fpartner');
    });

    test('unknown pages are a GOV.UK-style 404; the health endpoint answers without the database', async () => {
      const v = new Visitor(web.url);
      const r = await v.get('/no/such/page');
      assert.equal(r.status, 404);
      assert.match(r.text, /Page not found/);
      const h = await v.get('/health');
      assert.equal(JSON.parse(h.text).status, 'ok');
    });
  });
}
