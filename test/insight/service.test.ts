// Supplier resolution, the duplication finder, opportunities and the returns register on a real database
// (both engines), over a small invented ledger (test/insight/fixtures.ts); and the CLI commands.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { engines, closeTestDatabase } from '../helpers/databases.ts';
import { runCli } from '../helpers/cli.ts';
import type { Database } from '../../src/db/database.ts';
import { loadFixture, H, PCC, FIRE, PLACE, RETURNS_CSV } from './fixtures.ts';
import { resolveAll, getEntity, findEntityKey, confirmSupplier, splitSupplier, mergeSuppliers, listDecisions, SupplierError } from '../../src/insight/suppliers.ts';
import { sharedSuppliers, sharedCategories, supplierSpread, opportunities, setSavingAssumption, savingAssumption, DuplicationError, estimatedSaving, parseSavingPercent } from '../../src/insight/duplication.ts';
import { importReturns, placeReturns, ReturnsImportError, themeKey } from '../../src/insight/returns.ts';

test('the saving assumption: percentages to basis points, estimates in whole pence', () => {
  assert.equal(parseSavingPercent('5'), 500);
  assert.equal(parseSavingPercent('2.5%'), 250);
  assert.equal(parseSavingPercent(' 12.75 '), 1275);
  assert.equal(parseSavingPercent('100'), 10000);
  for (const bad of ['', 'abc', '-1', '101', '2.555', '1e2']) assert.throws(() => parseSavingPercent(bad), DuplicationError, bad);
  assert.equal(estimatedSaving(650000, 500), 32500);
  assert.equal(estimatedSaving(333, 250), 8); // 8.325 -> 8
  assert.equal(estimatedSaving(-100, 500), 0);
  assert.equal(themeKey('Health & Safety'), themeKey('health and safety'));
});

for (const engine of engines) {
  describe(`duplication (${engine.name})`, { skip: engine.skip }, () => {
    let db: Database;
    before(async () => {
      db = await engine.open();
      await loadFixture(db);
    });
    after(async () => closeTestDatabase(db));

    test('before resolution, names spelt alike (ignoring case) are already one supplier', async () => {
      const r = await sharedSuppliers(db, PLACE);
      assert.equal(r.resolution.at, null);
      const zurich = r.suppliers.find((s) => s.name.toLowerCase() === 'zurich insurance plc')!;
      assert.equal(zurich.entity_key, null);
      assert.deepEqual(zurich.by_body.map((b) => b.body_code).sort(), [H, PCC]);
    });

    test('resolution: one entity per supplier, why each name was matched, public bodies linked, individuals never', async () => {
      const s = await resolveAll(db, 'test');
      assert.equal(s.names, 12, 'organisation names only, one per body and spelling: 4 + 5 + 3');
      const zurich = (await getEntity(db, (await findEntityKey(db, 'zurich insurance'))!))!;
      assert.equal(zurich.entity_key, 'org-zurich-insurance');
      assert.deepEqual(zurich.matches.map((m) => [m.body_code, m.supplier_key]).sort(), [[FIRE, 'zurich insurance'], [H, 'Zurich Insurance PLC'], [PCC, 'ZURICH INSURANCE PLC']].sort());
      assert.equal(zurich.total_pence, 650000);
      const rules = Object.fromEntries(zurich.matches.map((m) => [m.supplier_key, m.rule]));
      assert.equal(rules['zurich insurance'], 'normalised-name');
      const thomson = (await getEntity(db, (await findEntityKey(db, 'Thomson Reuters (Prof) UK Ltd'))!))!;
      assert.equal(thomson.matches.length, 2);
      assert.ok(thomson.matches.some((m) => m.rule === 'fuzzy' && m.score >= 0.8 && m.confidence < 0.97));
      const burnley = (await getEntity(db, 'body-E07000117'))!;
      assert.equal(burnley.body_code, 'E07000117');
      assert.equal(burnley.name, 'Burnley Borough Council');
      const [{ n }] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM supplier_match WHERE supplier_key ILIKE '%john smith%' OR supplier_key ILIKE '%redacted%'`);
      assert.equal(n, 0);
    });

    test('shared suppliers: by body and year, largest first, each body\'s spelling; individuals never', async () => {
      const r = await sharedSuppliers(db, PLACE);
      assert.ok(r.resolution.at);
      assert.equal(r.resolution.unresolved_names, 0);
      assert.deepEqual(r.suppliers.map((s) => [s.name, s.bodies, s.total_pence, s.public_body]), [
        ['Zurich Insurance PLC', 3, 650000, null],
        ['Burnley Borough Council', 2, 170000, 'E07000117'],
        ['Thomson Reuters (Prof) UK Ltd', 2, 60000, null],
        ['ACME STATIONERY LIMITED', 2, 40000, null],
      ]);
      const zurich = r.suppliers[0];
      assert.deepEqual(zurich.by_body.map((b) => [b.body_code, b.total_pence, b.spelling]), [[H, 400000, 'Zurich Insurance PLC'], [PCC, 200000, 'ZURICH INSURANCE PLC'], [FIRE, 50000, 'zurich insurance']]);
      const thomson = r.suppliers[2];
      assert.deepEqual(thomson.by_year.map((y) => [y.financial_year, y.by_body]), [['2023-24', { [PCC]: 40000 }], ['2024-25', { [H]: 20000 }]]);
      const y = await sharedSuppliers(db, PLACE, { year: '2023-24' });
      assert.ok(!y.suppliers.some((s) => s.name.startsWith('Thomson')), 'paid by one body in 2023-24');
      assert.equal((await sharedSuppliers(db, PLACE, { minBodies: 3 })).suppliers.length, 1);
      assert.ok(!JSON.stringify(r).includes('John Smith'));
      await assert.rejects(sharedSuppliers(db, 'NOWHERE'), DuplicationError);
    });

    test('the same category bought by several bodies, and the spread of what they pay one supplier', async () => {
      const c = await sharedCategories(db, PLACE);
      const expense = (label: string) => c.categories.find((g) => g.kind === 'expense_type' && g.label === label);
      assert.deepEqual(expense('Insurance')!.bodies.map((b) => [b.body_code, b.total_pence]), [[H, 400000], [PCC, 200000], [FIRE, 50000]]);
      assert.deepEqual(expense('Stationery')!.bodies.map((b) => [b.body_code, b.total_pence]), [[PCC, 35000], [H, 10000], [FIRE, 8000]]);
      assert.equal(expense('Contributions'), undefined, 'payments to public bodies are not purchases');
      assert.equal(expense('Grants'), undefined, 'nor are payments to individuals');
      assert.ok(c.categories.some((g) => g.kind === 'theme'));
      const s = await supplierSpread(db, PLACE);
      const zurich = s.groups.filter((g) => g.entity_key === 'org-zurich-insurance');
      assert.ok(zurich.length >= 1);
      const h = zurich.flatMap((g) => g.bodies).find((b) => b.body_code === H)!;
      assert.deepEqual([h.payments, h.min_pence, h.median_pence, h.max_pence], [2, 100000, 200000, 300000]);
      assert.ok(!s.groups.some((g) => g.entity_key.startsWith('body-')), 'no spread for payments to public bodies');
    });

    test('opportunities: bodies, combined spend and the saving under the place\'s assumption, which an admin can change', async () => {
      const r = await opportunities(db, PLACE);
      assert.deepEqual(r.assumption, { basis_points: 500, percent: 5, source: 'default', updated_by: null, updated_at: null });
      const suppliers = r.opportunities.filter((o) => o.kind === 'supplier');
      assert.deepEqual(suppliers.map((o) => [o.label, o.total_pence, o.saving_pence]), [
        ['Zurich Insurance PLC', 650000, 32500], ['Thomson Reuters (Prof) UK Ltd', 60000, 3000], ['ACME STATIONERY LIMITED', 40000, 2000],
      ]);
      assert.equal(r.totals.supplier.saving_pence, 37500);
      assert.ok(r.opportunities.some((o) => o.kind === 'expense_type' && o.label === 'Insurance' && o.saving_pence === 32500));
      const whatIf = await opportunities(db, PLACE, { savingBasisPoints: 1000 });
      assert.equal(whatIf.assumption.source, 'given');
      assert.equal(whatIf.opportunities[0].saving_pence, 65000);
      await assert.rejects(setSavingAssumption(db, PLACE, '150', 'test'), /from 0 to 100/);
      const set = await setSavingAssumption(db, PLACE, '2.5', 'test-admin');
      assert.deepEqual([set.basis_points, set.percent, set.source, set.updated_by], [250, 2.5, 'place', 'test-admin']);
      assert.equal((await opportunities(db, PLACE)).opportunities[0].saving_pence, 16250);
      const [audit] = await db.query<{ detail: { before: number; after: number } }>(`SELECT detail FROM audit_event WHERE action = 'place.saving-assumption' ORDER BY id DESC LIMIT 1`);
      assert.deepEqual(audit.detail, { before: 500, after: 250 });
      assert.equal((await savingAssumption(db, PLACE)).basis_points, 250);
    });

    test('decisions: confirm, split and merge are applied at once and win at every later resolution', async () => {
      await confirmSupplier(db, 'org-zurich-insurance', 'test');
      let z = (await getEntity(db, 'org-zurich-insurance'))!;
      assert.ok(z.matches.every((m) => m.rule === 'user-merge' && m.confidence === 1));

      const split = await splitSupplier(db, 'Thomson Reuters Professional UK Ltd', 'Thomson Reuters (Prof) UK Ltd', 'test');
      assert.deepEqual(split.from.matches.map((m) => m.supplier_key), ['Thomson Reuters Professional UK Ltd']);
      assert.deepEqual(split.to.matches.map((m) => m.supplier_key), ['Thomson Reuters (Prof) UK Ltd']);
      await assert.rejects(splitSupplier(db, split.to.entity_key, 'Thomson Reuters (Prof) UK Ltd', 'test'), SupplierError);

      const merged = await mergeSuppliers(db, ['Gamma Supplies', 'Beta Widgets Ltd'], 'test');
      assert.deepEqual(merged.matches.map((m) => m.supplier_key).sort(), ['Beta Widgets Ltd', 'Gamma Supplies']);
      assert.equal(merged.bodies, 2);
      assert.ok((await sharedSuppliers(db, PLACE)).suppliers.some((s) => s.entity_key === merged.entity_key && s.bodies === 2));
      await assert.rejects(mergeSuppliers(db, ['body-E07000117', 'body-E07000122'], 'test'), /different registered public bodies/);

      // Everything again from scratch: the decisions win.
      await resolveAll(db, 'test');
      z = (await getEntity(db, 'org-zurich-insurance'))!;
      assert.equal(z.matches.length, 3);
      assert.ok(z.matches.every((m) => m.rule === 'user-merge' && m.confidence === 1));
      assert.notEqual(await findEntityKey(db, 'Thomson Reuters (Prof) UK Ltd'), await findEntityKey(db, 'Thomson Reuters Professional UK Ltd'));
      assert.equal(await findEntityKey(db, 'Beta Widgets Ltd'), await findEntityKey(db, 'Gamma Supplies'));
      const decisions = await listDecisions(db);
      assert.ok(decisions.some((d) => d.kind === 'different' && d.name_a === 'thomson reuters (prof) uk ltd'));
      assert.ok(decisions.some((d) => d.kind === 'same' && [d.name_a, d.name_b].includes('beta widgets ltd')));
      const actions = (await db.query<{ action: string }>(`SELECT DISTINCT action FROM audit_event WHERE action LIKE 'suppliers.%'`)).map((a) => a.action).sort();
      assert.deepEqual(actions, ['suppliers.confirm', 'suppliers.merge', 'suppliers.resolve', 'suppliers.split']);
    });

    test('returns register: an import is checked whole, each problem naming its line and column, and nothing half-written', async () => {
      const bad = [
        'body,kind,name,inspectorate_or_recipient,theme,start_date,end_date,staff_days',
        `${H},return,Gender pay gap report,GEO,Workforce,2024-03-01,,4`,
        `${H},report,Something,GEO,Workforce,2024-03-01,,4`,
        `${PCC},inspection,PEEL,HMICFRS,Effectiveness,31/31/2024,,5`,
        `NOT-A-BODY,inspection,PEEL,HMICFRS,Effectiveness,2024-01-01,2023-01-01,lots`,
      ].join('\n');
      const err = await importReturns(db, Buffer.from(bad), { source: 'bad.csv', actor: 'test' }).then(() => null, (e: unknown) => e);
      assert.ok(err instanceof ReturnsImportError, String(err));
      const problems = err.problems.map((p) => `${p.line}|${p.column}`);
      assert.deepEqual(problems, ['3|kind', '4|start_date', '5|body', '5|end_date', '5|staff_days']);
      assert.match(err.message, /Line 3, column "kind": "report" is not a kind: write "return" or "inspection"/);
      assert.match(err.message, /Line 5, column "staff_days": "lots" is not a number of staff days/);
      const [{ n }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM data_return');
      assert.equal(n, 0, 'the good line was not written either');
      const missing = await importReturns(db, Buffer.from('body,kind,name\nx,y,z\n'), { source: 'm.csv', actor: 'test' }).then(() => null, (e: unknown) => e);
      assert.match((missing as Error).message, /Line 1: The header row has no "counterpart", "theme", "start_date", "staff_days" column/);

      const r = await importReturns(db, Buffer.from(RETURNS_CSV), { source: 'returns.csv', actor: 'test' });
      assert.deepEqual(r, { source: 'returns.csv', rows: 5, added: 5, updated: 0 });
      const again = await importReturns(db, Buffer.from(RETURNS_CSV.replace(',6.5', ',7')), { source: 'returns.csv', actor: 'test' });
      assert.deepEqual([again.added, again.updated], [0, 5]);
      const place = await placeReturns(db, PLACE);
      assert.equal(place.entries.length, 5);
      assert.deepEqual(place.repeated.map((t) => [t.theme_key, t.entries, t.staff_days, t.bodies.map((b) => b.body_code).sort()]), [
        ['service effectiveness', 2, 95, [PCC, FIRE].sort()],
        ['workforce equality', 2, 11, [H, PCC].sort()],
      ]);
      assert.deepEqual(place.totals, { entries: 5, staff_days: 109, repeated_staff_days: 106 });
      assert.equal(place.entries.find((e) => e.body_code === FIRE)!.end_date, null);
    });

    test('the command line: shared-suppliers, opportunities (with a CSV), suppliers and returns', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-dup-cli-'));
      const resolved = await runCli(db, ['suppliers', 'resolve', '--json']);
      assert.equal(resolved.exitCode, 0, resolved.stderr);
      assert.equal(JSON.parse(resolved.stdout).names, 12);
      const shared = await runCli(db, ['shared-suppliers', PLACE, '--json']);
      assert.equal(shared.exitCode, 0, shared.stderr);
      assert.equal(JSON.parse(shared.stdout).suppliers[0].total_pence, 650000);
      const text = await runCli(db, ['shared-suppliers', PLACE]);
      assert.match(text.stdout, /Zurich Insurance PLC\s+£6,500\.00\s+3 bodies/);
      assert.doesNotMatch(text.stdout, /John Smith/);
      const csv = path.join(dir, 'opp.csv');
      const opp = await runCli(db, ['opportunities', PLACE, '--saving-percent', '10', '--csv', csv]);
      assert.equal(opp.exitCode, 0, opp.stderr);
      assert.match(opp.stdout, /assumed saving from buying together: 10% \(given for this run only/);
      const lines = fs.readFileSync(csv, 'utf8').replace(/^\uFEFF/, '').split('\r\n');
      assert.equal(lines[0], 'Kind,Group,Bodies,Body names,Body codes,Financial year,Combined spend (£),Assumed saving (%),Estimated saving (£)');
      assert.equal(lines[1], `Shared supplier,Zurich Insurance PLC,3,Hyndburn Borough Council; Lancashire Police and Crime Commissioner; Lancashire Fire and Rescue Service,${H};${PCC};${FIRE},All years,6500.00,10,650.00`);
      assert.equal((await savingAssumption(db, PLACE)).basis_points, 250, 'a what-if is not saved');
      const saved = await runCli(db, ['opportunities', PLACE, '--saving-percent', '3', '--save', '--json']);
      assert.equal(JSON.parse(saved.stdout).assumption.basis_points, 300);
      const badPct = await runCli(db, ['opportunities', PLACE, '--saving-percent', 'lots']);
      assert.equal(badPct.exitCode, 1);
      assert.match(badPct.stderr, /The saving must be a percentage from 0 to 100/);
      const show = await runCli(db, ['suppliers', 'show', 'ZURICH INSURANCE PLC']);
      assert.match(show.stdout, /Zurich Insurance PLC \(org-zurich-insurance\)/);
      const unknown = await runCli(db, ['suppliers', 'show', 'Nobody At All Ltd']);
      assert.equal(unknown.exitCode, 1);
      const badFile = path.join(dir, 'bad.csv');
      fs.writeFileSync(badFile, 'body,kind,name,inspectorate_or_recipient,theme,start_date,staff_days\nE07000120,return,X,Y,Z,2024-01-01,-3\n');
      const imp = await runCli(db, ['returns', 'import', badFile]);
      assert.equal(imp.exitCode, 1);
      assert.match(imp.stderr, /Line 2, column "staff_days": "-3" is not a number of staff days/);
      const list = await runCli(db, ['returns', 'list', PLACE, '--json']);
      assert.equal(JSON.parse(list.stdout).repeated.length, 2);
      for (const cmd of [['shared-categories', PLACE], ['supplier-spread', PLACE], ['suppliers', 'decisions']]) {
        const r = await runCli(db, cmd);
        assert.equal(r.exitCode, 0, `${cmd.join(' ')}: ${r.stderr}`);
      }
    });
  });
}
