// Places on both engines: shipped populations and deflators with user overrides, the place commands
// (versioned definitions, files, audit), and the count read from the rollup with netting between bodies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { engines, closeTestDatabase } from './helpers/databases.ts';
import { runCli } from './helpers/cli.ts';
import { hasSharedData, sharedFile } from './helpers/shared-data.ts';
import { seedPlaceReference, shippedPopulation } from '../src/reference/places-seed.ts';
import { areaPopulations } from '../src/place/figures.ts';
import { countPlace } from '../src/place/count-service.ts';
import type { Database } from '../src/db/database.ts';
import type { CountResult } from '../src/place/count.ts';
import { makeFactor } from '../src/place/attribution.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tp-place-'));

async function cli(db: Database, args: string[]): Promise<string> {
  const r = await runCli(db, args);
  assert.equal(r.exitCode, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Inserts one rollup row (as the ingest would) for a synthetic count. */
async function rollup(db: Database, body: string, pence: number, o: { payee?: string; theme?: string; cofog?: string; prevention?: string; year?: string; file?: number } = {}): Promise<void> {
  const year = o.year ?? '2023-24';
  await db.query(
    `INSERT INTO spend_rollup (body_code, file_id, financial_year, month, theme_code, cofog_code, prevention_code, classified, lines, amount_pence, payee_body_code)
     VALUES ($1, $2, $3, $4, $5, $6, $7, true, 1, $8, $9)
     ON CONFLICT (body_code, file_id, financial_year, month, theme_code, cofog_code, prevention_code, classified, payee_body_code)
     DO UPDATE SET amount_pence = spend_rollup.amount_pence + excluded.amount_pence, lines = spend_rollup.lines + 1`,
    [body, o.file ?? 9001, year, `${year.slice(0, 4)}-06`, o.theme ?? 'housing-regeneration', o.cofog ?? '06', o.prevention ?? 'prevention', pence, o.payee ?? '']);
}

test('the shipped population file matches the ONS workbook, row for row', { skip: hasSharedData ? false : 'real data not found: ONS workbook check skipped' }, async () => {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(sharedFile('reference', 'population', 'ons_mye_mid2023_lad23.xlsx'));
  const ws = wb.getWorksheet('MYE4')!;
  const fromFile = new Map<string, number>();
  for (let r = 9; r <= ws.rowCount; r++) {
    const v = ws.getRow(r).values as unknown[];
    if (typeof v[1] === 'string' && /^[EKW]\d{8}$/.test(v[1])) fromFile.set(v[1], Number(v[4]));
  }
  const shipped = shippedPopulation();
  assert.equal(shipped.year, 2023);
  assert.equal(shipped.areas.length, fromFile.size);
  for (const a of shipped.areas) assert.equal(a.population, fromFile.get(a.code), a.code);
  const lads = shipped.areas.filter((a) => /District|Unitary|London Borough/.test(a.geography));
  assert.equal(lads.length, 318); // every local authority district in England and Wales, 2023 boundaries
});

for (const engine of engines) {
  test(`${engine.name}: populations and deflators are seeded; user overrides win and survive a reseed`, { skip: engine.skip }, async () => {
    const db = await engine.open();
    try {
      const p = await areaPopulations(db, ['E07000120', 'E06000008', 'E99999999'], 2023);
      assert.equal(p.areas.get('E07000120')?.population, 84_261);
      assert.equal(p.areas.get('E07000120')?.name, 'Hyndburn');
      assert.equal(p.areas.get('E06000008')?.population, 157_503);
      assert.equal(p.areas.has('E99999999'), false);
      await cli(db, ['population', 'set', 'E07000120', '85,000', '--note', 'local estimate']);
      assert.equal((await areaPopulations(db, ['E07000120'], 2023)).areas.get('E07000120')?.population, 85_000);
      // A new release of the shipped data re-runs the seed: the override stays and still wins.
      await db.query(`DELETE FROM reference_version WHERE name = 'places'`);
      await db.query(`UPDATE area_population SET population = 1 WHERE source = 'ons' AND area_code = 'E07000120'`);
      assert.equal(await seedPlaceReference(db), true);
      const rows = await db.query<{ source: string; population: number }>(`SELECT source, population::int AS population FROM area_population WHERE area_code = 'E07000120' ORDER BY source`);
      assert.deepEqual(rows, [{ source: 'ons', population: 84_261 }, { source: 'user', population: 85_000 }]);
      assert.match(await cli(db, ['population', 'show', 'E07000120']), /85,000 \(user: local estimate\)[\s\S]*84,261 \(ons\)/);
      await cli(db, ['population', 'clear', 'E07000120']);
      assert.equal((await areaPopulations(db, ['E07000120'], 2023)).areas.get('E07000120')?.population, 84_261);
      const bad = await runCli(db, ['population', 'set', 'NOTGSS', '5']);
      assert.equal(bad.exitCode, 1);
      assert.match(bad.stderr, /not a GSS code/);

      const defl = JSON.parse(await cli(db, ['deflator', 'list', '--json'])) as { financial_year: string; index: string; source: string }[];
      assert.deepEqual(defl.find((d) => d.financial_year === '2023-24'), { financial_year: '2023-24', index: '100', source: 'shipped', shipped_index: '100' });
      assert.equal(defl.length, 15);
      await cli(db, ['deflator', 'set', '2022-23', '95.5']);
      await db.query(`DELETE FROM reference_version WHERE name = 'places'`);
      await seedPlaceReference(db);
      const after = JSON.parse(await cli(db, ['deflator', 'list', '--json'])) as { financial_year: string; index: string; source: string; shipped_index: string }[];
      assert.deepEqual(after.find((d) => d.financial_year === '2022-23'), { financial_year: '2022-23', index: '95.5', source: 'user', shipped_index: '93' });
      assert.match((await runCli(db, ['deflator', 'set', '2022-24', '1'])).stderr, /not a financial year/);
      assert.match((await runCli(db, ['deflator', 'set', '2022-23', '-1'])).stderr, /more than zero/);
      const audit = await db.query<{ action: string }>(`SELECT action FROM audit_event WHERE action LIKE 'population.%' OR action LIKE 'deflator.%' ORDER BY id`);
      assert.deepEqual(audit.map((a) => a.action), ['population.set', 'population.clear', 'deflator.set']);
    } finally {
      await closeTestDatabase(db);
    }
  });

  test(`${engine.name}: place commands keep a versioned definition, saved to and loaded from a file, with audit`, { skip: engine.skip }, async () => {
    const db = await engine.open();
    const dir = tmp();
    try {
      await cli(db, ['place', 'create', 'hyndburn', '--name', 'Hyndburn', '--areas', 'E07000120']);
      await cli(db, ['place', 'attach', 'HYNDBURN', '--body', 'E07000120', '--rule', 'direct']);
      await cli(db, ['place', 'attach', 'HYNDBURN', '--body', 'E23000003', '--rule', 'population_share', '--note', 'force area share']);
      await cli(db, ['place', 'attach', 'HYNDBURN', '--body', 'E10000017', '--rule', 'driver_share', '--driver-name', 'pupils', '--driver-place', '12000', '--driver-total', '150000.5']);
      await cli(db, ['place', 'attach', 'HYNDBURN', '--body', 'GB-FRA-LANCASHIRE', '--rule', 'excluded']);
      await cli(db, ['place', 'detach', 'HYNDBURN', '--body', 'GB-FRA-LANCASHIRE']);
      await cli(db, ['place', 'population', 'HYNDBURN', '--set', '90000']);
      const shown = JSON.parse(await cli(db, ['place', 'show', 'HYNDBURN', '--json']));
      assert.equal(shown.version, 7);
      assert.equal(shown.population_override, 90_000);
      assert.deepEqual(shown.bodies.map((b: { body_code: string; rule: string }) => [b.body_code, b.rule]),
        [['E10000017', 'driver_share'], ['E07000120', 'direct'], ['E23000003', 'population_share']]);
      assert.deepEqual(shown.bodies[0].driver, { name: 'pupils', place_value: '12000', body_total: '150000.5' });
      assert.match(await cli(db, ['place', 'show', 'HYNDBURN']), /version 7[\s\S]*E23000003\s+population_share\s+Lancashire Police and Crime Commissioner — force area share/);
      assert.match(await cli(db, ['place', 'list']), /HYNDBURN\s+v7\s+3 bodies\s+Hyndburn/);

      // Every version is kept.
      const versions = await db.query<{ version: number }>(`SELECT version FROM place_version WHERE place_code = 'HYNDBURN' ORDER BY version`);
      assert.deepEqual(versions.map((v) => v.version), [1, 2, 3, 4, 5, 6, 7]);
      const audit = await db.query<{ action: string; actor: string }>(`SELECT action, actor FROM audit_event WHERE target = 'HYNDBURN' ORDER BY id`);
      assert.deepEqual(audit.map((a) => a.action), ['place.create', 'place.attach', 'place.attach', 'place.attach', 'place.attach', 'place.detach', 'place.population']);
      assert.ok(audit.every((a) => a.actor === 'cli:test'));

      // Export, then import into a fresh database: the same definition, the same version.
      const file = path.join(dir, 'hyndburn.json');
      assert.match(await cli(db, ['place', 'export', 'HYNDBURN', file]), /version 7/);
      const def = JSON.parse(fs.readFileSync(file, 'utf8'));
      assert.equal(def.format, 'totalplace-place');
      assert.equal(def.version, 7);
      const db2 = await engine.open();
      try {
        assert.match(await cli(db2, ['place', 'import', file]), /Created HYNDBURN version 7/);
        const again = JSON.parse(await cli(db2, ['place', 'show', 'HYNDBURN', '--json']));
        assert.deepEqual({ ...again, updated_at: null }, { ...shown, updated_at: null, updated_by: 'cli:test' });
        // Importing the same file again changes nothing.
        assert.match(await cli(db2, ['place', 'import', file]), /already matches/);
        // A changed file: the next version (or the file's, if higher).
        fs.writeFileSync(file, JSON.stringify({ ...def, name: 'Hyndburn district', version: 3 }));
        assert.match(await cli(db2, ['place', 'import', file]), /Updated HYNDBURN to version 8/);
        fs.writeFileSync(file, JSON.stringify({ ...def, name: 'Hyndburn borough', version: 20 }));
        assert.match(await cli(db2, ['place', 'import', file]), /Updated HYNDBURN to version 20/);
      } finally {
        await closeTestDatabase(db2);
      }

      // Plain-English refusals.
      const cases: [string[], RegExp][] = [
        [['place', 'create', 'HYNDBURN', '--name', 'x', '--areas', 'E07000120'], /already exists/],
        [['place', 'create', 'BAD CODE', '--name', 'x', '--areas', 'E07000120'], /not valid/],
        [['place', 'create', 'NEW', '--name', 'x', '--areas', 'Hyndburn'], /not a GSS code/],
        [['place', 'attach', 'NOPE', '--body', 'E07000120', '--rule', 'direct'], /No place with code NOPE/],
        [['place', 'attach', 'HYNDBURN', '--body', 'E00000000', '--rule', 'direct'], /No body with code E00000000/],
        [['place', 'attach', 'HYNDBURN', '--body', 'E07000120', '--rule', 'half'], /Unknown rule "half"/],
        [['place', 'attach', 'HYNDBURN', '--body', 'E10000017', '--rule', 'driver_share'], /needs a driver/],
        [['place', 'attach', 'HYNDBURN', '--body', 'E10000017', '--rule', 'driver_share', '--driver-name', 'x', '--driver-place', '5'], /all three/],
        [['place', 'attach', 'HYNDBURN', '--body', 'E10000017', '--rule', 'driver_share', '--driver-name', 'x', '--driver-place', '5', '--driver-total', '4'], /more than/],
        [['place', 'attach', 'HYNDBURN', '--body', 'E07000120', '--rule', 'direct', '--driver-name', 'x', '--driver-place', '1', '--driver-total', '4'], /only goes with the driver_share rule/],
        [['place', 'detach', 'HYNDBURN', '--body', 'E06000009'], /not attached/],
        [['place', 'population', 'HYNDBURN', '--set', '-3'], /whole number more than zero/],
        [['place', 'import', path.join(dir, 'missing.json')], /no such file/],
        [['count', 'NOPE'], /No place with code NOPE/],
        [['count', 'HYNDBURN', '--year', '2023'], /not a financial year/],
      ];
      for (const [args, message] of cases) {
        const r = await runCli(db, args);
        assert.equal(r.exitCode, 1, args.join(' '));
        assert.match(r.stderr, message, args.join(' '));
      }
      fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ format: 'something-else' }));
      assert.match((await runCli(db, ['place', 'import', path.join(dir, 'bad.json')])).stderr, /not a place definition/);
      const v = await db.query<{ version: number }>(`SELECT version FROM place WHERE code = 'HYNDBURN'`);
      assert.equal(v[0].version, 7, 'refused changes leave the version alone');
    } finally {
      await closeTestDatabase(db);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${engine.name}: the count reads the rollup, attributes, nets payments between the place's bodies and deflates`, { skip: engine.skip }, async () => {
    const db = await engine.open();
    try {
      const H = 'E07000120', LCC = 'E10000017', PCC = 'E23000003', FIRE = 'GB-FRA-LANCASHIRE', BLACKPOOL = 'E06000009';
      await cli(db, ['place', 'create', 'HYNDBURN', '--name', 'Hyndburn', '--areas', H]);
      await cli(db, ['place', 'attach', 'HYNDBURN', '--body', H, '--rule', 'direct']);
      await cli(db, ['place', 'attach', 'HYNDBURN', '--body', LCC, '--rule', 'population_share']);
      await cli(db, ['place', 'attach', 'HYNDBURN', '--body', PCC, '--rule', 'population_share']);
      await cli(db, ['place', 'attach', 'HYNDBURN', '--body', FIRE, '--rule', 'excluded']);
      // Hyndburn: £10,000 of its own spend, £2,000 paid to the county (netted), £500 to Blackpool (outside:
      // stays), £300 to the fire authority (excluded: stays). The county pays the police £1,000 (netted).
      await rollup(db, H, 1_000_000);
      await rollup(db, H, 200_000, { payee: LCC });
      await rollup(db, H, 50_000, { payee: BLACKPOOL });
      await rollup(db, H, 30_000, { payee: FIRE });
      await rollup(db, LCC, 127_016_200, { theme: 'adult-social-care', cofog: '10', prevention: 'acute' });
      await rollup(db, LCC, 100_000, { payee: PCC, theme: 'policing', cofog: '03', prevention: 'acute' });
      await rollup(db, PCC, 157_037_300, { theme: 'policing', cofog: '03', prevention: 'acute' });
      await rollup(db, FIRE, 999_999, { theme: 'fire-rescue', cofog: '03', prevention: 'acute' });
      await rollup(db, H, 930_000, { year: '2022-23' });

      const c = JSON.parse(await cli(db, ['count', 'HYNDBURN', '--json'])) as CountResult;
      assert.equal(c.year, '2023-24');
      assert.equal(c.place_version, 5);
      assert.equal(c.population, 84_261);
      const lcc = 1_270_162, force = 1_570_373, hy = 84_261;
      const round = (n: bigint, d: bigint) => Number((2n * n + d) / (2n * d));
      const expH = 1_000_000 + 50_000 + 30_000;                              // 200,000 netted
      const expL = round(127_016_200n * BigInt(hy), BigInt(lcc));            // 100,000 netted
      const expP = round(157_037_300n * BigInt(hy), BigInt(force));
      const by = Object.fromEntries(c.bodies.map((b) => [b.code, b]));
      assert.equal(by[H].attributed_pence, expH);
      assert.equal(by[H].netted_pence, 200_000);
      assert.equal(by[LCC].attributed_pence, expL);
      assert.equal(by[LCC].attributed_before_netting_pence, round(127_116_200n * BigInt(hy), BigInt(lcc)));
      assert.deepEqual(by[LCC].factor, { numerator: hy, denominator: lcc, share: hy / lcc });
      assert.equal(by[LCC].explanation, 'Lancashire County Council serves 12 districts with 1,270,162 people (ONS mid-2023); Hyndburn has 84,261 of them: 6.63%.');
      assert.equal(by[PCC].attributed_pence, expP);
      assert.equal(by[FIRE].attributed_pence, 0);
      assert.equal(by[FIRE].gross_pence, 999_999);
      assert.equal(c.total_pence, expH + expL + expP);
      assert.equal(c.per_head_pence, round(BigInt(expH + expL + expP), BigInt(hy)));
      assert.equal(c.netting.netted_pence, 300_000);
      assert.deepEqual(c.netting.flows.map((f) => [f.from, f.to, f.pence, f.netted]),
        [[H, LCC, 200_000, true], [H, FIRE, 30_000, false], [LCC, PCC, 100_000, true]]);
      assert.equal(c.netting.reduction_pence, 200_000 + (by[LCC].attributed_before_netting_pence - expL));
      for (const k of ['by_theme', 'by_cofog', 'by_prevention'] as const) assert.equal(Object.values(c[k]).reduce((s, x) => s + x.pence, 0), c.total_pence, k);
      assert.equal(c.social_protection_education_health_share.pence, c.by_cofog['10'].pence);
      assert.equal(c.prevention_vs_intervention_by_theme['adult-social-care'].intervention_pence, c.by_theme['adult-social-care'].pence);
      // Year on year: 2022-23 in cash and at 2023-24 prices with the shipped deflator (93.0 -> 100).
      assert.equal(c.by_year['2022-23'].total_pence, 930_000);
      assert.equal(c.by_year['2022-23'].real_pence, 1_000_000);
      assert.equal(c.by_year['2023-24'].real_pence, c.total_pence);
      // A user deflator and a population override change the figures; the version moves on.
      await cli(db, ['deflator', 'set', '2022-23', '100']);
      await cli(db, ['place', 'population', 'HYNDBURN', '--set', '100000']);
      const d = await countPlace(db, 'HYNDBURN', { year: '2023-24' });
      assert.equal(d.by_year['2022-23'].real_pence, 930_000);
      assert.equal(d.population, 100_000);
      assert.equal(d.population_detail.source, 'place override');
      assert.equal(d.place_version, 6);
      assert.equal(d.total_pence, c.total_pence, 'the attribution uses area populations, not the per-head override');
      // The human-readable count says the same.
      const text = await cli(db, ['count', 'HYNDBURN']);
      assert.match(text, /netted between the place's bodies: £3,000\.00/);
      assert.match(text, /Hyndburn Borough Council -> Lancashire County Council: £2,000\.00/);
      // An area population override changes the population share.
      await cli(db, ['population', 'set', 'E07000120', '100000']);
      const e = await countPlace(db, 'HYNDBURN');
      const f = e.bodies.find((b) => b.code === PCC)!.factor;
      assert.deepEqual({ numerator: f.numerator, denominator: f.denominator }, makeFactor(100_000, force - hy + 100_000));
      assert.match(e.bodies.find((b) => b.code === PCC)!.explanation, /ONS with user overrides mid-2023/);
    } finally {
      await closeTestDatabase(db);
    }
  });
}
