// The theme deep dive and the side-by-side comparison, on both engines, over the demo place: the deep
// dive's figures agree with the count to the penny (by body, month, prevention level; services and
// suppliers with "all others" add up to the total), never name an individual, and its top transactions
// carry their file and line; `compare` gives each place's count per head.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { engines, closeTestDatabase } from './helpers/databases.ts';
import { runCli } from './helpers/cli.ts';
import { loadDemoPlace } from '../src/demo/load.ts';
import { distribute, type DeepDiveResult } from '../src/place/deep-dive.ts';
import { topSuppliers } from '../src/place/top-suppliers.ts';
import type { CompareResult } from '../src/place/count-compare.ts';
import type { CountResult } from '../src/place/count.ts';
import { divRound, makeFactor } from '../src/place/attribution.ts';
import type { Database } from '../src/db/database.ts';

async function json<T>(db: Database, args: string[]): Promise<T> {
  const r = await runCli(db, [...args, '--json']);
  assert.equal(r.exitCode, 0, `${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

test('distribute splits a total exactly in proportion, and falls back to the factor', () => {
  assert.deepEqual(distribute([100, 200, 300], 300, makeFactor(1, 2)), [50, 100, 150]);
  assert.deepEqual(distribute([1, 1, 1], 2, makeFactor(2, 3)), [1, 1, 0]);
  assert.equal(sum(distribute([333, -50, 717], 367, makeFactor(1, 3))), 367);
  assert.deepEqual(distribute([5, -5], 0, makeFactor(1, 2)), [5, -5]);
  assert.deepEqual(distribute([5, -5], 1, makeFactor(1, 2)), [4, -3]);
  assert.deepEqual(distribute([], 0, makeFactor(1, 2)), []);
  assert.deepEqual(distribute([7, 9], 16, makeFactor(1, 3)), [7, 9]);
});

for (const engine of engines) {
  test(`${engine.name}: deep dive per theme and two places side by side`, { skip: engine.skip, timeout: 180_000 }, async () => {
    const db = await engine.open();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-dive-'));
    try {
      const { manifest } = await loadDemoPlace(db, dir, 'test');
      const place = manifest.place.code;
      const count = await json<CountResult>(db, ['count', place, '--year', '2023-24']);
      assert.ok(Object.keys(count.by_theme).length >= 3);
      const individualNames = (await db.query<{ supplier_name: string }>(
        `SELECT DISTINCT supplier_name FROM spend_line WHERE payee_kind = 'individual' AND supplier_name IS NOT NULL`)).map((r) => r.supplier_name);
      assert.ok(individualNames.length > 0, 'the demo pays individuals');

      for (const theme of Object.keys(count.by_theme).filter((t) => t !== 'unknown')) {
        const d = await json<DeepDiveResult>(db, ['deep-dive', place, '--theme', theme, '--year', '2023-24']);
        const what = `${theme}`;
        assert.equal(d.total_pence, count.by_theme[theme]!.pence, `${what}: total = the count's figure for the theme`);
        assert.equal(d.per_head_pence, Number(divRound(BigInt(d.total_pence), BigInt(count.population!))), what);
        assert.equal(sum(d.bodies.map((b) => b.attributed_pence)), d.total_pence, `${what}: bodies`);
        assert.equal(sum(d.months.map((m) => m.attributed_pence)), d.total_pence, `${what}: months`);
        assert.equal(sum(Object.values(d.by_prevention).map((p) => p.pence)), d.total_pence, `${what}: prevention`);
        assert.deepEqual(Object.fromEntries(Object.entries(d.by_prevention).map(([k, p]) => [k, p.pence])),
          count.prevention_vs_intervention_by_theme[theme]!.by_level, `${what}: prevention levels as in the count`);
        assert.equal(sum(d.services.map((s) => s.attributed_pence)) + d.services_other.attributed_pence, d.total_pence, `${what}: services`);
        assert.equal(sum(d.suppliers.map((s) => s.attributed_pence)) + d.suppliers_other.attributed_pence, d.total_pence, `${what}: suppliers`);
        assert.ok(d.services.length <= 20 && d.suppliers.length <= 20);
        for (let i = 1; i < d.suppliers.length; i++) assert.ok(d.suppliers[i - 1]!.attributed_pence >= d.suppliers[i]!.attributed_pence, `${what}: suppliers ranked`);
        // The suppliers from a scan of the ledger, computed here: grouped across bodies by kind and name in
        // any case, payments to the place's other counted bodies netted, each body's factor applied once.
        const counted = count.bodies.filter((b) => b.rule !== 'excluded');
        const scan = await db.query<{ g: string; body_code: string; p: string }>(
          `SELECT payee_kind || ':' || lower(CASE WHEN payee_kind IN ('individual', 'redacted') THEN '' ELSE coalesce(supplier_name, '') END) AS g,
                  body_code, sum(amount_pence)::text AS p
             FROM spend_line WHERE body_code = ANY($1::text[]) AND financial_year = '2023-24' AND theme_code = $2
              AND NOT (payee_body_code IS NOT NULL AND payee_body_code <> body_code AND payee_body_code = ANY($1::text[]))
            GROUP BY 1, 2`, [counted.map((b) => b.code), theme]);
        const byGroup = new Map<string, number>();
        for (const r of scan) {
          const f = counted.find((b) => b.code === r.body_code)!.factor;
          byGroup.set(r.g, (byGroup.get(r.g) ?? 0) + Number(divRound(BigInt(r.p) * BigInt(f.numerator), BigInt(f.denominator))));
        }
        const ranked = [...byGroup.values()].sort((a, b) => b - a);
        assert.deepEqual(d.suppliers.map((s) => s.attributed_pence), ranked.slice(0, 20), `${what}: the top 20 suppliers, as a scan ranks them`);
        assert.equal(d.suppliers_other.suppliers, byGroup.size - d.suppliers.length, `${what}: how many other suppliers`);
        // Read a block of 1 or 3 rows per body at first, so the threshold algorithm takes several rounds.
        const factors = new Map(counted.map((b) => [b.code, b.factor]));
        for (const block of [1, 3]) {
          const t = await topSuppliers(db, factors, '2023-24', theme, 20, block);
          assert.deepEqual(t.suppliers, d.suppliers, `${what}: the same suppliers, reading ${block} row(s) per body first`);
          assert.equal(t.suppliers_in_all, byGroup.size);
        }
        // Gross figures before netting: the body's lines on the theme, from the ledger itself.
        for (const b of d.bodies) {
          const [g] = await db.query<{ p: string | null; n: number }>(
            `SELECT sum(amount_pence)::text AS p, count(*)::int AS n FROM spend_line WHERE body_code = $1 AND financial_year = '2023-24' AND theme_code = $2`, [b.code, theme]);
          assert.equal(b.gross_pence, Number(g!.p ?? 0), `${what}: ${b.code} gross`);
          assert.equal(b.lines, g!.n);
        }
        // Never an individual's name.
        const shown = JSON.stringify({ s: d.suppliers, t: d.top_transactions.lines.map((l) => [l.supplier_name, l.description]) });
        for (const n of individualNames) assert.ok(!shown.includes(JSON.stringify(n).slice(1, -1)) || n.length < 4, `${what}: ${n} shown`);
        // Top transactions: the largest, with file and line.
        assert.ok(d.top_transactions.lines.length > 0 && d.top_transactions.lines.length <= 20);
        for (const l of d.top_transactions.lines) {
          assert.equal(l.theme_code, theme);
          assert.ok(l.file_name && l.line_no > 0);
          if (l.payee_kind === 'individual') assert.equal(l.supplier_name, 'Individual (name withheld)');
        }
        const [mx] = await db.query<{ mx: string }>(
          `SELECT max(abs(amount_pence))::text AS mx FROM spend_line WHERE body_code = ANY($1::text[]) AND financial_year = '2023-24' AND theme_code = $2`,
          [d.bodies.filter((b) => b.rule !== 'excluded').map((b) => b.code), theme]);
        assert.equal(Math.abs(d.top_transactions.lines[0]!.amount_pence), Number(mx!.mx), `${what}: largest first`);
        assert.equal(d.top_transactions.total_lines, sum(d.bodies.filter((b) => b.rule !== 'excluded').map((b) => b.lines)));
      }
      const individuals = (await json<DeepDiveResult>(db, ['deep-dive', place, '--theme', 'adult-social-care', '--year', '2023-24'])).suppliers
        .concat((await json<DeepDiveResult>(db, ['deep-dive', place, '--theme', 'children-early-years', '--year', '2023-24'])).suppliers)
        .filter((s) => s.payee_kind === 'individual');
      for (const s of individuals) assert.equal(s.supplier_name, 'Individuals (names withheld)');

      const text = await runCli(db, ['deep-dive', place, '--theme', Object.keys(count.by_theme)[0]!]);
      assert.equal(text.exitCode, 0, text.stderr);
      assert.match(text.stdout, /by body:[\s\S]*suppliers \(top \d+\):[\s\S]*by month:[\s\S]*top transactions/);
      const bad = await runCli(db, ['deep-dive', place, '--theme', 'nonsense']);
      assert.equal(bad.exitCode, 1);
      assert.match(bad.stderr, /No theme with code "nonsense"/);

      // A second place: the demo's other districts, served by the county-wide bodies by population share.
      const others = manifest.areas.filter((a) => a.kind === 'district' && !manifest.place.areaCodes.includes(a.code)).map((a) => a.code);
      assert.ok(others.length > 0);
      assert.equal((await runCli(db, ['place', 'create', 'DEMO-REST', '--name', 'Rest of Demoshire', '--areas', others.join(',')])).exitCode, 0);
      for (const b of count.bodies.filter((x) => x.rule === 'population_share')) {
        const r = await runCli(db, ['place', 'attach', 'DEMO-REST', '--body', b.code, '--rule', 'population_share']);
        assert.equal(r.exitCode, 0, r.stderr);
      }
      const rest = await json<CountResult>(db, ['count', 'DEMO-REST', '--year', '2023-24']);
      const c = await json<CompareResult>(db, ['compare', place, 'DEMO-REST', '--year', '2023-24']);
      assert.equal(c.year, '2023-24');
      assert.deepEqual(c.places.map((p) => [p.code, p.population, p.total_pence, p.per_head_pence]),
        [[place, count.population, count.total_pence, count.per_head_pence], ['DEMO-REST', rest.population, rest.total_pence, rest.per_head_pence]]);
      for (const [code, r] of Object.entries(c.by_theme)) {
        assert.equal(r.a.pence, count.by_theme[code]?.pence ?? 0, code);
        assert.equal(r.b.pence, rest.by_theme[code]?.pence ?? 0, code);
        assert.equal(r.a.per_head_pence, Number(divRound(BigInt(r.a.pence), BigInt(count.population!))));
        assert.equal(r.difference_per_head_pence, r.a.per_head_pence! - r.b.per_head_pence!);
      }
      assert.equal(sum(Object.values(c.by_prevention).map((r) => r.b.pence)), rest.total_pence);
      const t = await runCli(db, ['compare', place, 'DEMO-REST']);
      assert.equal(t.exitCode, 0, t.stderr);
      assert.match(t.stdout, /per head[\s\S]*population[\s\S]*Total[\s\S]*by theme:[\s\S]*by prevention level:/);
    } finally {
      await closeTestDatabase(db);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
