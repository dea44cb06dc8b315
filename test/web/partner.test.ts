// The administrators' pages over HTTP: editing classification rules changes coverage (before -> after),
// defining a place changes its public count page, and accounts are managed (and self-service passwords).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { engines, closeTestDatabase } from '../helpers/databases.ts';
import { startTestServer, addUser, Visitor, TEST_PASSWORD, type Reply } from '../helpers/web.ts';
import type { Database } from '../../src/db/database.ts';
import type { RunningServer } from '../../src/web/server.ts';
import { ingestFiles } from '../../src/ingest/service.ts';
import { coverageReport, listRules, listTaxonomy } from '../../src/classify/service.ts';
import { findPlace } from '../../src/place/places.ts';
import { listAudit, recordAudit } from '../../src/db/audit.ts';
import { percent } from '../../src/web/render.ts';

const A = 'E07000120'; // Hyndburn Borough Council
const ADMIN = 'admin@place.example';

/** The text of the element with this id. */
function textOf(page: Reply, id: string): string {
  const m = new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</`).exec(page.text);
  assert.ok(m, `#${id} on the page`);
  return m![1]!.trim();
}

for (const engine of engines) {
  describe(`web administration (${engine.name})`, { skip: engine.skip }, () => {
    let db: Database;
    let web: RunningServer;
    let admin: Visitor;
    before(async () => {
      db = await engine.open();
      web = await startTestServer(db);
      await addUser(db, ADMIN, 'admin', null);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-partner-'));
      const file = path.join(dir, 'spend.csv');
      fs.writeFileSync(file, [
        'Date,Supplier,Amount,Service Area,Expense Type',
        '01/05/2023,ACME Ltd,100.00,Zzyzx Widget Unit,Sprockets',
        '02/05/2023,Other Co,300.00,Zzyzx Widget Unit,Sprockets',
        '03/05/2023,Waste Co,600.00,Refuse Collection,Vehicle Hire',
      ].join('\n'));
      await ingestFiles(db, [file], { bodyCode: A, actor: 'test' });
      admin = new Visitor(web.url);
      await admin.signIn(ADMIN);
    });
    after(async () => { await web.close(); await closeTestDatabase(db); });

    test('adding a rule and applying the rules raises coverage, shown before -> after; disabling takes it back', async () => {
      const before = await coverageReport(db);
      assert.ok(before.overall.share_of_value < 1, 'some spend starts unclassified');
      const page = await admin.get('/partner/rules');
      assert.equal(page.status, 200);
      assert.equal(textOf(page, 'coverage-value'), percent(before.overall.share_of_value));
      assert.match(page.text, /Zzyzx Widget Unit/, 'the largest unclassified group is listed');
      // The group's value opens the lines behind it.
      const lines = /href="(\/transactions\?[^"]*theme=unclassified[^"]*)"/.exec(page.text)![1]!.replace(/&amp;/g, '&');
      const behind = await admin.get(lines);
      assert.equal(behind.status, 200);
      assert.match(behind.text, /Zzyzx Widget Unit/);
      assert.doesNotMatch(behind.text, /Refuse Collection/);
      // The group's "Add a rule" link fills in its values.
      const href = /href="(\/partner\/rules\/new\?[^"]*Zzyzx[^"]*)"/.exec(page.text)![1]!.replace(/&amp;/g, '&');
      const form = await admin.get(href);
      assert.match(form.text, /value="Zzyzx Widget Unit"/);

      const theme = (await listTaxonomy(db)).themes.find((t) => t.code !== 'unclassified')!;
      const fields = {
        name: 'Widget unit', theme_code: theme.code, 'field-1': 'service_area', 'op-1': 'equals', 'value-1': 'Zzyzx Widget Unit', enabled: 'yes',
      };
      // Plain-English refusals, nothing stored.
      const count = (await listRules(db)).length;
      const noTheme = await admin.post('/partner/rules', { ...fields, theme_code: '' });
      assert.equal(noTheme.status, 400);
      assert.match(noTheme.text, /Choose the theme the rule gives a line/);
      const badRegex = await admin.post('/partner/rules', { ...fields, 'op-1': 'regex', 'value-1': '(unclosed' });
      assert.equal(badRegex.status, 400);
      assert.match(badRegex.text, /Condition 1/);
      assert.equal((await listRules(db)).length, count);

      const added = await admin.post('/partner/rules', fields);
      assert.equal(added.status, 303);
      const ruleId = Number(/rule=(\d+)/.exec(added.location!)![1]);
      const listed = await admin.get(added.location!);
      assert.match(listed.text, /Rule \d+ added/);
      assert.match(listed.text, /Widget unit/);

      const applied = await admin.post('/partner/rules/apply', {});
      assert.equal(applied.status, 303);
      const result = await admin.untilSettled('/partner/rules/apply');
      const after = await coverageReport(db);
      assert.ok(after.overall.share_of_value > before.overall.share_of_value, 'coverage went up');
      const table = /id="coverage-change"[\s\S]*?Share of value classified<\/th>\s*<td[^>]*>([^<]+)<\/td><td[^>]*>([^<]+)<\/td>/.exec(result.text);
      assert.ok(table, 'before and after are shown');
      assert.deepEqual([table![1], table![2]], [percent(before.overall.share_of_value), percent(after.overall.share_of_value)]);
      const [decided] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM spend_line WHERE rule_id = $1', [ruleId]);
      assert.equal(Number(decided!.n), 2);
      assert.equal(textOf(await admin.get('/partner/rules'), 'coverage-value'), percent(after.overall.share_of_value));

      // Moving and disabling, each audited under the administrator's name.
      const position = (await listRules(db)).find((r) => r.id === ruleId)!.position;
      assert.equal((await admin.post(`/partner/rules/${ruleId}/move`, { direction: 'up' })).status, 303);
      assert.equal((await listRules(db)).find((r) => r.id === ruleId)!.position, position - 1);
      assert.equal((await admin.post(`/partner/rules/${ruleId}/disable`, {})).status, 303);
      await admin.post('/partner/rules/apply', {});
      await admin.untilSettled('/partner/rules/apply');
      assert.equal((await coverageReport(db)).overall.share_of_value, before.overall.share_of_value);
      const audit = await listAudit(db, { actor: `web:${ADMIN}`, action: 'classification' });
      for (const action of ['classification.rule.add', 'classification.rule.move', 'classification.rule.disable', 'classification.apply']) {
        assert.ok(audit.some((a) => a.action === action), `audit has ${action}`);
      }
    });

    test('creating a place and attaching a body changes the public count; export, import and delete', async () => {
      const bad = await admin.post('/partner/places/new', { code: 'TEST-HYN', name: 'Test Hyndburn', areas: 'E07000120, nowhere' });
      assert.equal(bad.status, 400);
      assert.match(bad.text, /Area &quot;NOWHERE&quot; is not a GSS code/);
      const created = await admin.post('/partner/places/new', { code: 'test-hyn', name: 'Test Hyndburn', areas: 'E07000120' });
      assert.equal(created.status, 303);
      assert.equal(created.location, '/partner/places/TEST-HYN?done=created');

      const empty = await admin.get('/places/TEST-HYN');
      assert.equal(empty.status, 200);
      assert.doesNotMatch(empty.text, /£1,000\.00/);

      const unknown = await admin.post('/partner/places/TEST-HYN/attach', { body: 'No Such Council Anywhere', rule: 'direct' });
      assert.equal(unknown.status, 400);
      assert.match(unknown.text, /No registered body matches/);
      const noDriver = await admin.post('/partner/places/TEST-HYN/attach', { body: A, rule: 'driver_share' });
      assert.equal(noDriver.status, 400);
      assert.match(noDriver.text, /driver/i);
      const attached = await admin.post('/partner/places/TEST-HYN/attach', { body: A, rule: 'direct', note: 'the district council' });
      assert.equal(attached.status, 303);
      const counted = await admin.get('/places/TEST-HYN');
      assert.match(counted.text, /£1,000\.00/, 'the body\'s spend is in the public count at once');
      assert.match(counted.text, /Hyndburn Borough Council/);

      assert.equal((await admin.post('/partner/places/TEST-HYN/population', { population: '12,345' })).status, 303);
      assert.equal((await findPlace(db, 'TEST-HYN'))!.population_override, 12345);
      const badPopulation = await admin.post('/partner/places/TEST-HYN/population', { population: 'lots' });
      assert.equal(badPopulation.status, 400);
      assert.match(badPopulation.text, /Enter the population as a whole number/);

      const exported = await admin.get('/partner/places/TEST-HYN/export');
      assert.equal(exported.status, 200);
      assert.match(exported.headers.get('content-disposition') ?? '', /attachment; filename="test-hyn\.json"/);
      const definition = JSON.parse(exported.text);
      assert.equal(definition.format, 'totalplace-place');
      assert.deepEqual(definition.bodies.map((b: { code: string; rule: string }) => [b.code, b.rule]), [[A, 'direct']]);

      const confirm = await admin.get('/partner/places/TEST-HYN/delete');
      assert.match(confirm.text, /Delete Test Hyndburn\?/);
      assert.equal((await admin.post('/partner/places/TEST-HYN/delete', {})).status, 303);
      assert.equal((await admin.get('/places/TEST-HYN')).status, 404);

      // The exported file brings it back.
      await admin.get('/partner/places/import');
      const imported = await admin.postFile('/partner/places/import', { name: 'test-hyn.json', data: exported.text });
      assert.equal(imported.status, 303, imported.text.slice(0, 300));
      assert.match((await admin.get('/places/TEST-HYN')).text, /£1,000\.00/);
      const notJson = await admin.postFile('/partner/places/import', { name: 'place.json', data: '{ not json' });
      assert.equal(notJson.status, 400);
      assert.match(notJson.text, /place\.json is not valid JSON/);

      const audit = await listAudit(db, { actor: `web:${ADMIN}`, action: 'place.' });
      for (const action of ['place.create', 'place.attach', 'place.population', 'place.delete', 'place.import']) {
        assert.ok(audit.some((a) => a.action === action), `audit has ${action}`);
      }
    });

    test('accounts: add, change role, disable and enable, reset a password; everyone changes their own', async () => {
      const email = 'new.editor@hyndburn.example';
      await admin.get('/partner/users/new');
      const short = await admin.post('/partner/users/new', { email, name: 'New Editor', role: 'editor', body: A, password: 'short' });
      assert.equal(short.status, 400);
      assert.match(short.text, /at least 12 characters/);
      const added = await admin.post('/partner/users/new', { email, name: 'New Editor', role: 'editor', body: A, password: TEST_PASSWORD });
      assert.equal(added.status, 303);
      const again = await admin.post('/partner/users/new', { email, name: 'Again', role: 'viewer', body: A, password: TEST_PASSWORD });
      assert.equal(again.status, 400);
      assert.match(again.text, /already exists/);
      const list = await admin.get('/partner/users');
      const id = /href="\/partner\/users\/(\d+)">New Editor</.exec(list.text)![1];

      const person = new Visitor(web.url);
      assert.equal((await person.signIn(email)).status, 303);
      assert.equal((await person.get('/partner/uploads/new')).status, 200, 'an editor may upload');
      // A change of role ends their sessions; signed in again, the viewer may not upload.
      assert.equal((await admin.post(`/partner/users/${id}/role`, { role: 'viewer', body: A })).status, 303);
      assert.equal((await person.get('/partner')).status, 303);
      await person.signIn(email);
      assert.equal((await person.get('/partner/uploads/new')).status, 403);
      const badBody = await admin.post(`/partner/users/${id}/role`, { role: 'viewer', body: 'NOT-A-BODY' });
      assert.equal(badBody.status, 400);
      assert.match(badBody.text, /No body with code NOT-A-BODY is registered/);

      assert.equal((await admin.post(`/partner/users/${id}/status`, { disabled: 'yes' })).status, 303);
      assert.equal((await person.get('/partner')).status, 303, 'disabled: signed out');
      assert.equal((await new Visitor(web.url).signIn(email)).status, 401);
      assert.equal((await admin.post(`/partner/users/${id}/status`, { disabled: 'no' })).status, 303);
      assert.equal((await new Visitor(web.url).signIn(email)).status, 303);

      const fresh = 'a brand new passphrase here';
      assert.equal((await admin.post(`/partner/users/${id}/password`, { password: fresh })).status, 303);
      assert.equal((await new Visitor(web.url).signIn(email)).status, 401, 'the old password no longer works');
      assert.equal((await new Visitor(web.url).signIn(email, fresh)).status, 303);

      // An administrator cannot disable or demote themselves.
      const selfId = /href="\/partner\/users\/(\d+)">admin</.exec(list.text)![1];
      const self = await admin.post(`/partner/users/${selfId}/status`, { disabled: 'yes' });
      assert.equal(self.status, 400);
      assert.match(self.text, /You cannot disable your own account/);

      // Their own password: the current one is required, then every session ends.
      const own = new Visitor(web.url);
      await own.signIn(email, fresh);
      await own.get('/partner/account');
      const wrong = await own.post('/partner/account', { current: 'not my password', password: 'another good passphrase', confirm: 'another good passphrase' });
      assert.equal(wrong.status, 400);
      assert.match(wrong.text, /Your current password is not correct/);
      const mismatch = await own.post('/partner/account', { current: fresh, password: 'another good passphrase', confirm: 'another good passphrase!' });
      assert.equal(mismatch.status, 400);
      assert.match(mismatch.text, /The new passwords do not match/);
      const changed = await own.post('/partner/account', { current: fresh, password: 'another good passphrase', confirm: 'another good passphrase' });
      assert.equal(changed.status, 200);
      assert.match(changed.text, /Your password has been changed/);
      assert.equal((await own.get('/partner')).status, 303, 'signed out');
      assert.equal((await new Visitor(web.url).signIn(email, 'another good passphrase')).status, 303);

      const audit = await listAudit(db, { action: 'user.' });
      assert.ok(audit.some((a) => a.action === 'user.create' && a.actor === `web:${ADMIN}` && a.target === email));
      assert.ok(audit.some((a) => a.action === 'user.update' && a.actor === `web:${email}`), 'their own change is audited under their name');
    });

    test('the audit trail filters by actor and action, a page at a time', async () => {
      for (let i = 0; i < 60; i++) await recordAudit(db, 'cli:auditor', 'test.event', `item-${i}`, { i });
      await recordAudit(db, 'cli:someone-else', 'test.event', 'other', {});
      const first = await admin.get('/partner/audit?actor=cli%3Aauditor&action=test');
      assert.equal(first.status, 200);
      assert.equal((first.text.match(/<td class="govuk-table__cell">cli:auditor<\/td>/g) ?? []).length, 50);
      assert.doesNotMatch(first.text, /someone-else/);
      assert.match(first.text, /item-59/);
      const next = /href="(\/partner\/audit\?[^"]*page=2)"/.exec(first.text);
      assert.ok(next, 'a link to the next page');
      const second = await admin.get(next![1]!.replace(/&amp;/g, '&'));
      assert.equal((second.text.match(/<td class="govuk-table__cell">cli:auditor<\/td>/g) ?? []).length, 10);
      assert.match(second.text, /item-0</);
    });
  });
}
