// Must show: the Hyndburn 2023-24 count from the real files in ../shared/data, against a hand computation;
// and the shipped Lancashire (county area) definition, imported and counted.
//
// Hand computation (ONS mid-2023, read from ons_mye_mid2023_lad23.xlsx, table MYE4):
//   Hyndburn E07000120                                84,261
//   Lancashire's 12 districts (the county area)     1,270,162
//   + Blackburn with Darwen 157,503 + Blackpool 142,708 = police force / fire authority area 1,570,373
// Spend (README of ../shared/data): Hyndburn £18,825,510.48, PCC £104,322,773.62, Fire £24,525,169.32 over
// their files; a few lines are dated in 2022-23 (Hyndburn £1,924.00, Fire £507.40), so 2023-24 is:
//   Hyndburn  1,882,551,048 − 192,400 = 1,882,358,648p, direct
//   Police   10,432,277,362p × 84,261 / 1,570,373 = 559,761,357.6… -> 559,761,358p
//   Fire      2,452,516,932 − 50,740 = 2,452,466,192p × 84,261 / 1,570,373 = 131,591,190.9… -> 131,591,191p
//   total 2,573,711,197p = £25,737,111.97; per head 2,573,711,197 / 84,261 = 30,544.6… -> 30,545p = £305.45
// Less any payment between these bodies, netted at the payer (none is recorded in the ledger yet: the
// test reads them from the rollup and subtracts them, so it stays right when payee matching lands).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { engines, closeTestDatabase } from './helpers/databases.ts';
import { runCli } from './helpers/cli.ts';
import { noSharedData, sharedFile } from './helpers/shared-data.ts';
import { projectRoot } from '../src/config.ts';
import { ingestFiles } from '../src/ingest/service.ts';
import type { Database } from '../src/db/database.ts';
import type { CountResult } from '../src/place/count.ts';

const months = ['2023-04', '2023-05', '2023-06', '2023-07', '2023-08', '2023-09', '2023-10', '2023-11', '2023-12', '2024-01', '2024-02', '2024-03'];
const H: string = 'E07000120', PCC: string = 'E23000003', FIRE: string = 'GB-FRA-LANCASHIRE';
const HYNDBURN_POP = 84_261, COUNTY_POP = 1_270_162, FORCE_POP = COUNTY_POP + 157_503 + 142_708;

/** Integer division, half away from zero (as the count rounds). */
const round = (n: bigint, d: bigint) => Number((2n * (n < 0n ? -n : n) + d) / (2n * d)) * (n < 0n ? -1 : 1);

async function load(db: Database): Promise<void> {
  await ingestFiles(db, months.map((m) => sharedFile('spending', 'lancashire', 'hyndburn', `hyndburn_${m}.csv`)), { bodyCode: H, actor: 'test' });
  await ingestFiles(db, [sharedFile('spending', 'lancashire', 'lancashire_pcc', 'lancashire_pcc_2023-24.xlsx')], { bodyCode: PCC, actor: 'test' });
  await ingestFiles(db, [sharedFile('spending', 'lancashire', 'lancashire_fire', 'lancashire_fire_2023-24.xlsx')], { bodyCode: FIRE, actor: 'test' });
}

async function cli(db: Database, args: string[]): Promise<string> {
  const r = await runCli(db, args);
  assert.equal(r.exitCode, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Payments in 2023-24 from `from` to any of `to`, read straight from the rollup. */
async function paid(db: Database, from: string, to: string[]): Promise<number> {
  const [r] = await db.query<{ p: number | null }>(`SELECT sum(amount_pence)::bigint AS p FROM spend_rollup WHERE body_code = $1 AND financial_year = '2023-24' AND payee_body_code = ANY ($2::text[])`, [from, to]);
  return Number(r.p ?? 0);
}

for (const engine of engines) {
  test(`${engine.name}: the Hyndburn 2023-24 count matches the hand computation`, { skip: engine.skip || noSharedData, timeout: 300_000 }, async () => {
    const db = await engine.open();
    try {
      await load(db);
      // The out-of-year lines the hand computation takes off the README totals, checked against the ledger.
      const outOfYear = await db.query<{ body_code: string; p: number }>(`SELECT body_code, sum(amount_pence)::bigint AS p FROM spend_line WHERE financial_year <> '2023-24' GROUP BY 1 ORDER BY 1`);
      assert.deepEqual(outOfYear.map((r) => [r.body_code, Number(r.p)]), [[H, 192_400], [FIRE, 50_740]]);

      await cli(db, ['place', 'create', 'HYNDBURN', '--name', 'Hyndburn', '--areas', H]);
      await cli(db, ['place', 'attach', 'HYNDBURN', '--body', H, '--rule', 'direct']);
      await cli(db, ['place', 'attach', 'HYNDBURN', '--body', PCC, '--rule', 'population_share']);
      await cli(db, ['place', 'attach', 'HYNDBURN', '--body', FIRE, '--rule', 'population_share']);
      const c = JSON.parse(await cli(db, ['count', 'HYNDBURN', '--year', '2023-24', '--json'])) as CountResult;

      const gross: Record<string, number> = { [H]: 1_882_551_048 - 192_400, [PCC]: 10_432_277_362, [FIRE]: 2_452_516_932 - 50_740 };
      const netted: Record<string, number> = { [H]: await paid(db, H, [PCC, FIRE]), [PCC]: await paid(db, PCC, [H, FIRE]), [FIRE]: await paid(db, FIRE, [H, PCC]) };
      const expected: Record<string, number> = {
        [H]: gross[H] - netted[H],
        [PCC]: round(BigInt(gross[PCC] - netted[PCC]) * BigInt(HYNDBURN_POP), BigInt(FORCE_POP)),
        [FIRE]: round(BigInt(gross[FIRE] - netted[FIRE]) * BigInt(HYNDBURN_POP), BigInt(FORCE_POP)),
      };
      if (netted[H] + netted[PCC] + netted[FIRE] === 0) {
        // With no payments between the three recorded, the figures in the header comment.
        assert.deepEqual(expected, { [H]: 1_882_358_648, [PCC]: 559_761_358, [FIRE]: 131_591_191 });
      }
      const total = expected[H] + expected[PCC] + expected[FIRE];

      assert.equal(c.place, 'HYNDBURN');
      assert.equal(c.year, '2023-24');
      assert.equal(c.population, HYNDBURN_POP);
      assert.equal(c.total_pence, total);
      assert.equal(c.per_head_pence, round(BigInt(total), BigInt(HYNDBURN_POP)));
      const by = Object.fromEntries(c.bodies.map((b) => [b.code, b]));
      for (const code of [H, PCC, FIRE]) {
        assert.equal(by[code].gross_pence, gross[code], `${code} gross`);
        assert.equal(by[code].netted_pence, netted[code], `${code} netted`);
        assert.equal(by[code].attributed_pence, expected[code], `${code} attributed`);
      }
      assert.deepEqual(by[H].factor, { numerator: 1, denominator: 1, share: 1 });
      assert.deepEqual(by[PCC].factor, { numerator: HYNDBURN_POP, denominator: FORCE_POP, share: HYNDBURN_POP / FORCE_POP });
      assert.deepEqual(by[FIRE].factor, by[PCC].factor);
      assert.equal(by[H].explanation, "All of Hyndburn Borough Council's spend is counted in Hyndburn (direct).");
      assert.equal(by[PCC].explanation, 'Lancashire Police and Crime Commissioner serves 14 districts with 1,570,373 people (ONS mid-2023); Hyndburn has 84,261 of them: 5.37%.');
      assert.equal(by[FIRE].explanation, 'Lancashire Fire and Rescue Service serves 14 districts with 1,570,373 people (ONS mid-2023); Hyndburn has 84,261 of them: 5.37%.');
      assert.equal(c.netting.netted_pence, netted[H] + netted[PCC] + netted[FIRE]);
      for (const k of ['by_theme', 'by_cofog', 'by_prevention'] as const) assert.equal(Object.values(c[k]).reduce((s, x) => s + x.pence, 0), total, k);
      assert.deepEqual(Object.keys(c.by_year), ['2022-23', '2023-24']);
      assert.equal(c.by_year['2023-24'].total_pence, total);
      assert.equal(c.by_year['2023-24'].real_pence, total);

      // Netting on the real ledger: mark one month of Hyndburn's housing payments as paid to the police
      // (a stand-in for what payee matching will record), and the count removes exactly that from Hyndburn.
      const toPccBefore = await paid(db, H, [PCC]);
      await db.query(`UPDATE spend_rollup SET payee_body_code = $2 WHERE body_code = $1 AND financial_year = '2023-24' AND month = '2023-06' AND theme_code = 'housing-regeneration' AND payee_body_code = ''`, [H, PCC]);
      const moved = await paid(db, H, [PCC]) - toPccBefore;
      assert.ok(moved > 0, 'some real rollup rows were marked');
      const n = JSON.parse(await cli(db, ['count', 'HYNDBURN', '--year', '2023-24', '--json'])) as CountResult;
      const nb = Object.fromEntries(n.bodies.map((b) => [b.code, b]));
      assert.equal(nb[H].attributed_pence, expected[H] - moved);
      assert.equal(n.total_pence, total - moved);
      assert.ok(n.netting.flows.some((f) => f.from === H && f.to === PCC && f.netted && f.pence === moved + toPccBefore));
    } finally {
      await closeTestDatabase(db);
    }
  });

  test(`${engine.name}: the shipped Lancashire (county area) definition imports and counts`, { skip: engine.skip || noSharedData, timeout: 300_000 }, async () => {
    const db = await engine.open();
    try {
      await load(db);
      assert.match(await cli(db, ['place', 'import', path.join(projectRoot, 'places', 'lancashire.json')]), /Created LANCASHIRE version 1/);
      const c = JSON.parse(await cli(db, ['count', 'LANCASHIRE', '--json'])) as CountResult;
      assert.equal(c.year, '2023-24');
      assert.equal(c.population, COUNTY_POP);
      const by = Object.fromEntries(c.bodies.map((b) => [b.code, b]));
      assert.deepEqual(Object.keys(by).sort(), [H, PCC, FIRE].sort());
      assert.equal(by[PCC].explanation, 'Lancashire Police and Crime Commissioner serves 14 districts with 1,570,373 people (ONS mid-2023); Lancashire (county area) has 1,270,162 of them: 80.88%.');
      const netted = { [H]: await paid(db, H, [PCC, FIRE]), [PCC]: await paid(db, PCC, [H, FIRE]), [FIRE]: await paid(db, FIRE, [H, PCC]) };
      const expected = (1_882_358_648 - netted[H])
        + round(BigInt(10_432_277_362 - netted[PCC]) * BigInt(COUNTY_POP), BigInt(FORCE_POP))
        + round(BigInt(2_452_466_192 - netted[FIRE]) * BigInt(COUNTY_POP), BigInt(FORCE_POP));
      assert.equal(c.total_pence, expected);
      if (netted[H] + netted[PCC] + netted[FIRE] === 0) assert.equal(c.total_pence, 1_882_358_648 + 8_437_920_340 + 1_983_623_867);
      assert.equal(c.per_head_pence, round(BigInt(expected), BigInt(COUNTY_POP)));
    } finally {
      await closeTestDatabase(db);
    }
  });
}
