import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { engines, closeTestDatabase } from './helpers/databases.ts';
import { runCli } from './helpers/cli.ts';
import { noSharedData, sharedFile } from './helpers/shared-data.ts';
import { projectRoot } from '../src/config.ts';
import { seedBodyReference } from '../src/reference/bodies-seed.ts';
import { parseBodyName } from '../src/place/body-names.ts';
import {
  BodyError, createBody, findBody, listBodies, loadBodyMatcher, matchBodyByName, updateBody,
} from '../src/place/bodies.ts';

// Payee and publisher names as they appear in real spending files, and the body each must resolve to.
const REAL_NAMES: [string, string | null][] = [
  ['LANCASHIRE COUNTY COUNCIL', 'E10000017'],
  ['WYRE BOROUGH COUNCIL', 'E07000128'],
  ['WEST LANCASHIRE BOROUGH COUNCIL', 'E07000127'],
  ['GLOUCESTERSHIRE COUNTY COUNCIL', 'E10000013'],
  ['BLACKBURN WITH DARWEN BOROUGH COUNCIL', 'E06000008'],
  ['RIBBLE VALLEY BOROUGH COUNCIL', 'E07000124'],
  ['Hyndburn BC', 'E07000120'],
  ['OLDHAM BOROUGH COUNCIL', 'E08000004'],           // officially Oldham Metropolitan Borough Council
  ['BRADFORD COUNCIL', 'E08000032'],                 // City of Bradford Metropolitan District Council
  ['KINGSTON UPON HULL CITY COUNCIL', 'E06000010'],  // officially Hull City Council
  ['WIGAN METROPOLITAN BOROUGH COUNCIL', 'E08000010'],
  ['DENBIGHSHIRE COUNTY COUNCIL', 'W06000004'],
  ['The Council of the Isles of Scilly', 'E06000053'],
  ['London Borough of Camden', 'E09000007'],
  ['Lancashire Constabulary', 'E23000003'],
  ['Police and Crime Commissioner for Lancashire', 'E23000003'],
  ['LANCASHIRE POLICE AUTHORITY', 'E23000003'],
  ['GREATER MANCHESTER POLICE', 'E23000005'],
  ['Lancashire Fire & Rescue Service', 'GB-FRA-LANCASHIRE'],
  ['WEST YORKSHIRE FIRE & RESCUE SERVICE', 'GB-FRA-WEST-YORKSHIRE'],
  ['NHS Gloucestershire ICB', 'QR1'],
  ['NHS GLOUCESTERSHIRE CCG', 'QR1'],
  ['MANCHESTER UNIVERSITY NHSFT', 'R0A'],
  ['WRIGHTINGTON, WIGAN & LEIGH NHSFT', 'RRF'],
  ['SHEFFIELD CHILDRENS NHS FOUNDATION', 'RCU'],     // cut short by the publisher's system
  ['CALDERDALE & HUDDERSFIELD NHS', 'RWY'],
  ['GMCA', 'E47000001'],
  // Not bodies in the register, or not one body: must not match.
  ['LANCASHIRE POLICE FEDERATION', null],
  ['ALTHAM PARISH COUNCIL', null],
  ['Lancashire', null],                              // council, police and fire all share the name
  ['NHS SUPPLY CHAIN', null],
  ['THIRD PARTY SUPPLIER', null],
];

test('name parsing: family and core of name variants', () => {
  assert.deepEqual(parseBodyName('WYRE BC'), { family: 'council', core: 'wyre' });
  assert.deepEqual(parseBodyName('City of Bradford Metropolitan District Council'), { family: 'council', core: 'bradford' });
  assert.deepEqual(parseBodyName('Bristol, City of'), { family: 'council', core: 'bristol' });
  assert.deepEqual(parseBodyName('The Royal Borough of Kensington & Chelsea'), { family: 'council', core: 'kensington and chelsea' });
  assert.deepEqual(parseBodyName('Office of the Police and Crime Commissioner for Lancashire'), { family: 'police', core: 'lancashire' });
  assert.deepEqual(parseBodyName('Essex Police, Fire and Crime Commissioner Fire and Rescue Authority'), { family: 'fire', core: 'essex police fire and crime commissioner' });
  assert.deepEqual(parseBodyName('Lancashire Combined Fire Authority'), { family: 'fire', core: 'lancashire' });
  assert.deepEqual(parseBodyName('NHS Lancashire and South Cumbria ICB'), { family: 'nhs_commissioner', core: 'lancashire and south cumbria' });
  assert.deepEqual(parseBodyName("Guy's and St Thomas' NHS Foundation Trust"), { family: 'nhs_provider', core: 'guys and st thomas' });
  assert.deepEqual(parseBodyName('County Durham and Darlington NHS FT'), { family: 'nhs_provider', core: 'durham and darlington' });
  assert.deepEqual(parseBodyName('Lancashire Police Federation'), { family: null, core: 'lancashire police federation' });
  assert.deepEqual(parseBodyName('Council'), { family: null, core: 'council' });
});

test('shipped data is what the build script makes from the sources', { skip: noSharedData }, () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tp-bodies-')), 'bodies.json');
  execFileSync(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'scripts', 'build-reference-bodies.ts'),
    sharedFile('reference'), out], { cwd: projectRoot, stdio: 'pipe' });
  assert.equal(fs.readFileSync(out, 'utf8'), fs.readFileSync(path.join(projectRoot, 'src/reference/data/bodies.json'), 'utf8'),
    'src/reference/data/bodies.json is stale: run npx tsx scripts/build-reference-bodies.ts');
  fs.rmSync(path.dirname(out), { recursive: true });
});

for (const engine of engines) {
  test(`${engine.name}: register of public bodies`, { skip: engine.skip }, async (t) => {
    const db = await engine.open();
    try {
      await t.test('seeding is skipped when up to date, idempotent, and leaves user rows alone', async () => {
        const count = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM body'))[0].n;
        const before = await count();
        const started = performance.now();
        assert.equal(await seedBodyReference(db), false, 'already seeded at open');
        assert.ok(performance.now() - started < 250, 'an up-to-date seed costs one query');

        await updateBody(db, 'E07000120', { name: 'Hyndburn BC (edited)' });
        await db.query(`UPDATE body SET name = 'scribbled' WHERE code = 'E07000121'`); // a reference row
        await db.query(`DELETE FROM reference_version`);
        assert.equal(await seedBodyReference(db), true);
        assert.equal(await seedBodyReference(db), false);
        assert.equal(await count(), before);
        const hyndburn = await findBody(db, 'E07000120');
        assert.equal(hyndburn?.name, 'Hyndburn BC (edited)');
        assert.equal(hyndburn?.source, 'user');
        assert.equal((await findBody(db, 'E07000121'))?.name, 'Lancaster City Council');
        await updateBody(db, 'E07000120', { name: 'Hyndburn Borough Council' });
      });

      await t.test('Hyndburn is a district in Lancashire, policed and protected by Lancashire', async () => {
        const hyndburn = await findBody(db, 'e07000120');
        assert.equal(hyndburn?.body_type, 'district');
        assert.equal(hyndburn?.parent_code, 'E10000017');
        assert.equal(hyndburn?.region, 'North West');
        assert.deepEqual(hyndburn?.areas, ['E07000120']);
        const county = await findBody(db, 'E10000017');
        assert.equal(county?.name, 'Lancashire County Council');
        assert.equal(county?.body_type, 'county');
        assert.equal(county?.areas.length, 12);
        assert.ok(county?.areas.includes('E07000120') && !county.areas.includes('E06000008'));
        const police = await findBody(db, 'E23000003');
        assert.equal(police?.body_type, 'police');
        assert.ok(police?.areas.includes('E07000120'));
        assert.ok(police?.aliases.includes('Lancashire Constabulary'));
        const fire = await findBody(db, 'GB-FRA-LANCASHIRE');
        assert.equal(fire?.body_type, 'fire');
        assert.equal(fire?.areas.length, 14);
        assert.ok(fire?.areas.includes('E06000008') && fire.areas.includes('E06000009'));
        const serving = (await listBodies(db, { area: 'E07000120' })).map((b) => b.code).sort();
        assert.deepEqual(serving, ['E07000120', 'E10000017', 'E23000003', 'GB-FRA-LANCASHIRE']);
        const icb = await findBody(db, 'QE1');
        assert.equal(icb?.body_type, 'nhs_commissioner');
        assert.deepEqual(icb?.areas, ['E54000048']);
        assert.equal((await findBody(db, 'RXN'))?.parent_code, 'QE1');
      });

      await t.test('shipped counts look right', async () => {
        const rows = await db.query<{ body_type: string; n: number }>(`SELECT body_type, count(*)::int AS n FROM body GROUP BY 1`);
        const n = Object.fromEntries(rows.map((r) => [r.body_type, r.n]));
        const councils = n.county + n.district + n.unitary + n.metropolitan + n.london_borough;
        assert.ok(councils >= 370 && councils <= 420, `councils: ${councils}`);
        assert.equal(n.county, 21);
        assert.equal(n.london_borough, 33);
        assert.equal(n.metropolitan, 36);
        assert.equal(n.police, 43); // 39 English + 4 Welsh police force areas, incl. City of London
        assert.ok(n.fire >= 44, `fire: ${n.fire}`);
        assert.equal(n.nhs_commissioner, 42);
        assert.ok(n.nhs_provider >= 200, `trusts: ${n.nhs_provider}`);
        assert.ok((await listBodies(db, { type: 'district', search: 'lancashire' })).some((b) => b.code === 'E07000127'));
      });

      await t.test('createBody validates with plain-English errors', async () => {
        const base = { code: 'GB-CHC-1234567', name: 'Hyndburn Food Bank', body_type: 'other' };
        await assert.rejects(createBody(db, { ...base, code: 'not a code!' }), (e: Error) => e instanceof BodyError && /not valid/.test(e.message));
        await assert.rejects(createBody(db, { ...base, code: 'E07000120' }), /already registered: Hyndburn Borough Council/);
        await assert.rejects(createBody(db, { ...base, body_type: 'parish' }), /Unknown body type "parish". Use one of: county, district/);
        await assert.rejects(createBody(db, { ...base, name: '  ' }), /needs a name/);
        await assert.rejects(createBody(db, { ...base, areas: ['Hyndburn'] }), /"HYNDBURN" is not a GSS code/);
        await assert.rejects(createBody(db, { ...base, parent_code: 'E99999999' }), /Parent body E99999999 is not registered/);
        const body = await createBody(db, { ...base, code: 'gb-chc-1234567', areas: ['e07000120'], parent_code: 'E07000120', aliases: ['HFB', 'HFB'] }, 'test:someone');
        assert.deepEqual(body, { code: 'GB-CHC-1234567', name: 'Hyndburn Food Bank', body_type: 'other', areas: ['E07000120'],
          parent_code: 'E07000120', region: null, aliases: ['HFB'], source: 'user' });
        const audit = await db.query<{ actor: string; action: string; target: string }>(`SELECT actor, action, target FROM audit_event WHERE target = 'GB-CHC-1234567'`);
        assert.deepEqual(audit, [{ actor: 'test:someone', action: 'body.create', target: 'GB-CHC-1234567' }]);
        await assert.rejects(updateBody(db, 'GB-NOPE', { name: 'x' }), /No body with code GB-NOPE/);
        assert.equal((await updateBody(db, 'GB-CHC-1234567', { region: 'North West' })).region, 'North West');
      });

      await t.test('matchBodyByName finds bodies from real payee name variants', async () => {
        const matcher = await loadBodyMatcher(db);
        for (const [name, code] of REAL_NAMES) assert.equal(matcher.match(name), code, name);
        assert.equal((await matchBodyByName(db, 'WYRE BOROUGH COUNCIL'))?.name, 'Wyre Borough Council');
        assert.equal(await matchBodyByName(db, 'Wyre Forest Homes Ltd'), null);
      });

      await t.test('CLI: bodies list, show, add, match', async () => {
        let r = await runCli(db, ['bodies', 'list', '--type', 'police', '--json']);
        assert.equal(r.exitCode, 0);
        assert.equal(JSON.parse(r.stdout).length, 43);

        r = await runCli(db, ['bodies', 'list', '--search', 'hyndburn']);
        assert.match(r.stdout, /E07000120\s+district\s+Hyndburn Borough Council/);

        r = await runCli(db, ['bodies', 'show', 'E07000120']);
        assert.equal(r.exitCode, 0);
        assert.match(r.stdout, /parent:\s+E10000017 Lancashire County Council/);
        assert.match(r.stdout, /GB-FRA-LANCASHIRE\s+fire\s+Lancashire Fire and Rescue Service/);
        r = await runCli(db, ['bodies', 'show', 'E23000003', '--json']);
        assert.equal(JSON.parse(r.stdout).name, 'Lancashire Police and Crime Commissioner');
        r = await runCli(db, ['bodies', 'show', 'E00000000']);
        assert.equal(r.exitCode, 1);
        assert.match(r.stderr, /No body with code E00000000 is registered/);

        r = await runCli(db, ['bodies', 'add', 'GB-GOR-PB-LANCS', '--name', 'Lancashire Pooled Budget', '--type', 'other',
          '--areas', 'E07000120,E07000117', '--parent', 'E10000017', '--alias', 'LPB'], { actor: 'cli:tester' });
        assert.equal(r.exitCode, 0, r.stderr);
        assert.match(r.stdout, /Registered GB-GOR-PB-LANCS/);
        assert.deepEqual((await findBody(db, 'GB-GOR-PB-LANCS'))?.areas, ['E07000120', 'E07000117']);
        const audit = await db.query<{ actor: string }>(`SELECT actor FROM audit_event WHERE action = 'body.create' AND target = 'GB-GOR-PB-LANCS'`);
        assert.deepEqual(audit, [{ actor: 'cli:tester' }]);
        r = await runCli(db, ['bodies', 'add', 'GB-X', '--name', 'X', '--type', 'parish']);
        assert.equal(r.exitCode, 1);
        assert.match(r.stderr, /Unknown body type "parish"/);
        assert.equal(await findBody(db, 'GB-X'), null);
        r = await runCli(db, ['bodies', 'add', 'GB-Y', '--type', 'other']);
        assert.notEqual(r.exitCode, 0);
        assert.match(r.stderr, /--name/);

        r = await runCli(db, ['bodies', 'match', 'WEST LANCASHIRE BOROUGH COUNCIL', '--json']);
        assert.equal(JSON.parse(r.stdout).match.code, 'E07000127');
        r = await runCli(db, ['bodies', 'match', 'ACME WIDGETS LTD']);
        assert.match(r.stdout, /No registered body matches "ACME WIDGETS LTD"/);
      });
    } finally {
      await closeTestDatabase(db);
    }
  });
}
