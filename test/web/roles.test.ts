// The role matrix, through HTTP: every role tries every protected action for real, and is allowed or
// refused exactly as src/accounts/permissions.ts says (anonymous visitors are sent to sign in).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { engines, closeTestDatabase } from '../helpers/databases.ts';
import { startTestServer, addUser, Visitor, TEST_PASSWORD, type Reply } from '../helpers/web.ts';
import type { Database } from '../../src/db/database.ts';
import type { RunningServer } from '../../src/web/server.ts';
import { can, type Action, type Actor } from '../../src/accounts/permissions.ts';
import { ingestFiles } from '../../src/ingest/service.ts';
import { addRule, listRules, listTaxonomy } from '../../src/classify/service.ts';
import { createPlace } from '../../src/place/places.ts';

const A = 'E07000120'; // Hyndburn Borough Council
const B = 'E07000117'; // Burnley Borough Council
const INDIVIDUAL = 'Mr John Smith';
const CSV = 'Date,Supplier,Amount,Expense Type\n01/05/2023,ACME Ltd,100.00,Stationery\n04/05/2023,Mr John Smith,999.99,Foster care payments\n';

interface Who { name: string; actor: Actor | null; email?: string }
const WHO: Who[] = [
  { name: 'anonymous', actor: null },
  { name: 'viewer of A', actor: { role: 'viewer', body_code: A }, email: 'viewer@a.example' },
  { name: 'editor of A', actor: { role: 'editor', body_code: A }, email: 'editor@a.example' },
  { name: 'editor of B', actor: { role: 'editor', body_code: B }, email: 'editor@b.example' },
  { name: 'admin', actor: { role: 'admin', body_code: null }, email: 'admin@place.example' },
];

/** Whether a reply is the action going ahead (a redirect onward or a page), refused (403) or a sign-in redirect. */
function outcome(r: Reply): 'allowed' | 'refused' | 'sign-in' {
  if (r.status === 403) return 'refused';
  if (r.status === 303 && r.location?.startsWith('/sign-in?next=')) return 'sign-in';
  assert.ok(r.status === 200 || r.status === 303, `unexpected ${r.status}: ${r.text.slice(0, 300)}`);
  return 'allowed';
}

for (const engine of engines) {
  describe(`web roles matrix (${engine.name})`, { skip: engine.skip }, () => {
    let db: Database;
    let web: RunningServer;
    const visitors = new Map<string, Visitor>();
    let n = 0;
    const unique = () => `${++n}`;
    let adminVisitor: Visitor;

    /** A fresh upload for body A made by the administrator, waiting at the mapping step. */
    async function freshUploadForA(): Promise<number> {
      const page = await adminVisitor.get(`/partner/uploads/new/file?body=${A}`);
      assert.equal(page.status, 200);
      const r = await adminVisitor.postFile(`/partner/uploads/new/file?body=${A}`, { name: `spend-${unique()}.csv`, data: CSV });
      assert.equal(r.status, 303);
      return Number(/uploads\/(\d+)\/mapping/.exec(r.location!)![1]);
    }

    let theme: string;
    const actions: { name: string; action: Action; body?: string; run(v: Visitor): Promise<Reply> }[] = [
      { name: 'upload a file for A', action: 'upload', body: A, run: (v) => v.postFile(`/partner/uploads/new/file?body=${A}`, { name: 'spend.csv', data: CSV }) },
      { name: 'start an upload for A', action: 'upload', body: A, run: (v) => v.post('/partner/uploads/new', { body: A }) },
      {
        name: 'save the column mapping for A', action: 'edit-mapping', body: A, run: async (v) => {
          const id = await freshUploadForA();
          const page = await adminVisitor.get(`/partner/uploads/${id}/mapping`);
          const fields: Record<string, string> = { save: 'yes' };
          for (const m of page.text.matchAll(/<select[^>]*name="(field-\d+)"[^>]*>([\s\S]*?)<\/select>/g)) fields[m[1]!] = /<option value="([^"]*)"[^>]*selected/.exec(m[2]!)?.[1] ?? 'ignore';
          return v.post(`/partner/uploads/${id}/mapping`, fields);
        },
      },
      { name: 'view the rules', action: 'edit-rules', run: (v) => v.get('/partner/rules') },
      {
        name: 'add a rule', action: 'edit-rules',
        run: (v) => v.post('/partner/rules', { name: `Rule ${unique()}`, theme_code: theme, 'field-1': 'description', 'op-1': 'keywords', 'value-1': 'zzz', enabled: 'yes' }),
      },
      {
        name: 'enable a rule', action: 'edit-rules', run: async (v) => {
          const rule = await addRule(db, { name: `Disabled ${unique()}`, theme_code: theme, conditions: ['description keywords yyy'], enabled: false }, 'test');
          return v.post(`/partner/rules/${rule.id}/enable`, {});
        },
      },
      { name: 'move a rule', action: 'edit-rules', run: async (v) => v.post(`/partner/rules/${(await listRules(db))[1]!.id}/move`, { direction: 'up' }) },
      { name: 'create a place', action: 'edit-places', run: (v) => v.post('/partner/places/new', { code: `ROLE-${unique()}`, name: 'Role test', areas: A }) },
      {
        name: 'edit a place', action: 'edit-places', run: async (v) => {
          const code = `EDIT-${unique()}`;
          await createPlace(db, { code, name: 'Before', areas: [A] }, 'test');
          return v.post(`/partner/places/${code}/edit`, { name: 'After', areas: A });
        },
      },
      {
        name: 'delete a place', action: 'edit-places', run: async (v) => {
          const code = `DEL-${unique()}`;
          await createPlace(db, { code, name: 'Doomed', areas: [A] }, 'test');
          return v.post(`/partner/places/${code}/delete`, {});
        },
      },
      { name: 'list accounts', action: 'manage-users', run: (v) => v.get('/partner/users') },
      { name: 'add an account', action: 'manage-users', run: (v) => v.post('/partner/users/new', { email: `p${unique()}@a.example`, name: 'P', role: 'viewer', body: A, password: TEST_PASSWORD }) },
      { name: 'view the audit trail', action: 'view-audit', run: (v) => v.get('/partner/audit') },
    ];

    before(async () => {
      db = await engine.open();
      web = await startTestServer(db);
      theme = (await listTaxonomy(db)).themes.find((t) => t.code !== 'unclassified')!.code;
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-roles-'));
      fs.writeFileSync(path.join(dir, 'a.csv'), CSV);
      await ingestFiles(db, [path.join(dir, 'a.csv')], { bodyCode: A, actor: 'test' });
      for (const w of WHO) {
        const v = new Visitor(web.url);
        if (w.email) {
          await addUser(db, w.email, w.actor!.role, w.actor!.body_code);
          assert.equal((await v.signIn(w.email)).status, 303);
        } else {
          await v.get('/sign-in'); // a CSRF token, so refusals are about the role and not the form
        }
        visitors.set(w.name, v);
      }
      adminVisitor = visitors.get('admin')!;
    });
    after(async () => { await web.close(); await closeTestDatabase(db); });

    for (const a of actions) {
      test(`${a.name}: allowed or refused for each role as permissions.ts says`, async () => {
        const seen = new Set<string>();
        for (const w of WHO) {
          const v = visitors.get(w.name)!;
          await v.get('/partner/account').catch(() => undefined); // refreshes the CSRF token for this visitor
          const got = outcome(await a.run(v));
          const expected = w.actor === null ? 'sign-in' : can(w.actor, a.action, a.body) ? 'allowed' : 'refused';
          assert.equal(got, expected, `${w.name}: ${a.name}`);
          seen.add(got);
        }
        // Every action is allowed to someone and refused to someone, so this test can fail either way.
        assert.ok(seen.has('allowed') && seen.has('refused'), `${a.name} is both allowed and refused`);
      });
    }

    test('individuals on the transactions page of A: named for its own viewer, editor and the administrator only', async () => {
      const seen = new Set<boolean>();
      for (const w of WHO) {
        const r = await visitors.get(w.name)!.get(`/transactions?body=${A}`);
        assert.equal(r.status, 200, `${w.name}: ${r.text.slice(0, 200)}`);
        const named = r.text.includes(INDIVIDUAL);
        assert.equal(named, w.actor !== null && can(w.actor, 'view-own-body-individuals', A), w.name);
        assert.ok(r.text.includes('999.99'), `${w.name} sees the payment itself`);
        seen.add(named);
      }
      assert.deepEqual([...seen].sort(), [false, true]);
    });
  });
}
