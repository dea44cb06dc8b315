// Attribution and the count as pure functions: exact factors, rounding once, half away from zero,
// breakdowns that add up to the penny, netting between a place's bodies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyFactor, apportion, attribute, AttributionError, divRound, makeFactor, parseDecimal, percent, type Attribution,
} from '../src/place/attribution.ts';
import { computeCount, toRealTerms, type CountCell, type CountInput } from '../src/place/count.ts';

const place = { code: 'HYNDBURN', name: 'Hyndburn', areas: ['E07000120'] };
const police = { code: 'E23000003', name: 'Lancashire Police', areas: ['E07000117', 'E07000120', 'E06000008'] };
const pops = new Map([['E07000117', 96_435], ['E07000120', 84_261], ['E06000008', 157_503]]);

test('divRound rounds half away from zero, for both signs', () => {
  assert.equal(divRound(5n, 2n), 3n);
  assert.equal(divRound(-5n, 2n), -3n);
  assert.equal(divRound(4n, 3n), 1n);
  assert.equal(divRound(5n, 3n), 2n);
  assert.equal(divRound(-4n, 3n), -1n);
  assert.equal(divRound(-5n, 3n), -2n);
  assert.equal(divRound(0n, 7n), 0n);
  assert.equal(divRound(1n, 2n), 1n);
  assert.equal(divRound(-1n, 2n), -1n);
  assert.throws(() => divRound(1n, 0n));
});

test('applyFactor: exact, beyond 2^53 in the intermediate product, rounded once', () => {
  assert.equal(applyFactor(100, makeFactor(1, 3)), 33);
  assert.equal(applyFactor(150, makeFactor(1, 100)), 2);          // 1.5p -> 2p
  assert.equal(applyFactor(-150, makeFactor(1, 100)), -2);        // -1.5p -> -2p
  assert.equal(applyFactor(149, makeFactor(1, 100)), 1);
  // £104m × 84,261 / 1,570,373: the product is ~8.8e14 × ... well past 2^53 in floats for bigger bodies.
  assert.equal(applyFactor(10_432_277_362, makeFactor(84_261, 1_570_373)), 559_761_358);
  assert.equal(applyFactor(900_000_000_000_000, makeFactor(999_999, 1_000_000)), 899_999_100_000_000);
  assert.equal(applyFactor(12_345, { numerator: 1, denominator: 1 }), 12_345);
  assert.equal(applyFactor(12_345, { numerator: 0, denominator: 1 }), 0);
  assert.throws(() => applyFactor(1.5, makeFactor(1, 2)));
});

test('makeFactor reduces and refuses zero denominators and negatives', () => {
  assert.deepEqual(makeFactor(84_261 * 2, 1_570_373 * 2), { numerator: 84_261, denominator: 1_570_373 });
  assert.deepEqual(makeFactor(0, 5), { numerator: 0, denominator: 1 });
  assert.deepEqual(makeFactor(-2, -4), { numerator: 1, denominator: 2 });
  assert.throws(() => makeFactor(1, 0), AttributionError);
  assert.throws(() => makeFactor(-1, 2), AttributionError);
});

test('parseDecimal is exact and refuses what is not a number', () => {
  assert.deepEqual(parseDecimal('12.5', 'x'), [125n, 10n]);
  assert.deepEqual(parseDecimal('1,234', 'x'), [1234n, 1n]);
  assert.deepEqual(parseDecimal(7, 'x'), [7n, 1n]);
  assert.deepEqual(parseDecimal('0.05', 'x'), [5n, 100n]);
  for (const bad of ['', 'abc', '-1', '1e5', '1.2.3', 'NaN']) assert.throws(() => parseDecimal(bad, 'x'), AttributionError, bad);
  assert.throws(() => parseDecimal(Number.NaN, 'x'), AttributionError);
});

test('percent shows two decimals from the exact fraction', () => {
  assert.equal(percent(makeFactor(84_261, 1_570_373)), '5.37%');
  assert.equal(percent(makeFactor(1, 1)), '100.00%');
  assert.equal(percent(makeFactor(0, 1)), '0.00%');
  assert.equal(percent(makeFactor(1, 3)), '33.33%');
  assert.equal(percent(makeFactor(2, 3)), '66.67%');
  assert.equal(percent(makeFactor(1, 20000)), '0.01%'); // 0.005% rounds half away from zero
});

test('apportion: parts add up exactly to round(factor × total), largest remainders get the pennies', () => {
  const f = makeFactor(1, 3);
  assert.deepEqual(apportion([100, 100, 100], f), [34, 33, 33].map((x, i) => [33, 33, 33][i] + (i === 0 ? 1 : 0)));
  assert.deepEqual(apportion([100, 100, 100], f).reduce((a, b) => a + b, 0), 100);
  assert.deepEqual(apportion([10, 20], makeFactor(1, 1)), [10, 20]);
  assert.deepEqual(apportion([10, 20], makeFactor(0, 1)), [0, 0]);
  assert.deepEqual(apportion([], f), []);
  // Refunds (negative parts) too.
  const parts = [1001, -333, 77, 5, -1];
  for (const g of [makeFactor(1, 3), makeFactor(84_261, 1_570_373), makeFactor(7, 9), makeFactor(1, 2)]) {
    const out = apportion(parts, g);
    assert.equal(out.reduce((a, b) => a + b, 0), applyFactor(parts.reduce((a, b) => a + b, 0), g));
    out.forEach((v, i) => assert.ok(Math.abs(v - parts[i] * g.numerator / g.denominator) < 1, `part ${i}`));
  }
  // Randomised: always exact.
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let t = 0; t < 200; t++) {
    const ps = Array.from({ length: 1 + Math.floor(rnd() * 12) }, () => Math.floor((rnd() - 0.2) * 1e9));
    const g = makeFactor(Math.floor(rnd() * 1000), 1 + Math.floor(rnd() * 1000) + 1000);
    assert.equal(apportion(ps, g).reduce((a, b) => a + b, 0), applyFactor(ps.reduce((a, b) => a + b, 0), g));
  }
});

test('direct: factor 1, explained', () => {
  const a = attribute('direct', { code: 'E07000120', name: 'Hyndburn Borough Council', areas: ['E07000120'] }, place);
  assert.deepEqual(a.factor, { numerator: 1, denominator: 1 });
  assert.equal(a.share, 1);
  assert.equal(a.explanation, "All of Hyndburn Borough Council's spend is counted in Hyndburn (direct).");
});

test('excluded: factor 0 but reported', () => {
  const a = attribute('excluded', police, place);
  assert.deepEqual(a.factor, { numerator: 0, denominator: 1 });
  assert.match(a.explanation, /excluded: its spend is shown but not counted in Hyndburn's total/);
});

test('population share: population of (place ∩ body areas) / population of the body areas, with the figures in words', () => {
  const a = attribute('population_share', police, place, { populations: pops, populationLabel: 'ONS mid-2023' });
  assert.deepEqual(a.factor, makeFactor(84_261, 96_435 + 84_261 + 157_503));
  assert.equal(a.explanation, 'Lancashire Police serves 3 districts with 338,199 people (ONS mid-2023); Hyndburn has 84,261 of them: 24.91%.');
  assert.deepEqual(a.population, { body_areas: 3, body_population: 338_199, place_areas: ['E07000120'], place_population: 84_261, missing_areas: [] });
  // A place of two areas both served; a place area the body does not serve does not count.
  const two = attribute('population_share', police, { code: 'P', name: 'P', areas: ['E07000120', 'E07000117', 'E09000001'] }, { populations: pops });
  assert.deepEqual(two.factor, makeFactor(84_261 + 96_435, 338_199));
  // A body serving none of the place: 0, said so.
  const none = attribute('population_share', police, { code: 'Q', name: 'Elsewhere', areas: ['E09000001'] }, { populations: pops });
  assert.deepEqual(none.factor, { numerator: 0, denominator: 1 });
  assert.match(none.explanation, /none of them is in Elsewhere: 0\.00%/);
  // A body wholly inside the place: 1.
  const all = attribute('population_share', police, { code: 'R', name: 'All', areas: police.areas }, { populations: pops });
  assert.deepEqual(all.factor, { numerator: 1, denominator: 1 });
  // Duplicated areas are counted once.
  const dup = attribute('population_share', { ...police, areas: [...police.areas, 'E07000120'] }, place, { populations: pops });
  assert.deepEqual(dup.factor, a.factor);
});

test('population share refuses what it cannot compute, saying why', () => {
  assert.throws(() => attribute('population_share', { ...police, areas: [] }, place, { populations: pops }), /has no areas recorded/);
  assert.throws(() => attribute('population_share', { ...police, areas: ['E07000120', 'E07000999'] }, place, { populations: pops }), /No population is known for E07000999/);
  assert.throws(() => attribute('population_share', police, place, { populations: new Map([['E07000117', 0], ['E07000120', 0], ['E06000008', 0]]) }), /population of zero/);
});

test('driver share: place_value / body_total, exact with decimals, figures kept', () => {
  const county = { code: 'E10000017', name: 'Lancashire County Council', areas: [] };
  const a = attribute('driver_share', county, place, { driver: { name: 'looked-after children', place_value: '123', body_total: '456' } });
  assert.deepEqual(a.factor, makeFactor(123, 456));
  assert.equal(a.explanation, "Lancashire County Council's looked-after children is 456 in all; Hyndburn has 123 of it: 26.97%.");
  assert.deepEqual(a.driver, { name: 'looked-after children', place_value: '123', body_total: '456' });
  const d = attribute('driver_share', county, place, { driver: { name: 'floor area', place_value: '12.5', body_total: '1000.25' } });
  assert.deepEqual(d.factor, makeFactor(1250, 100025));
  assert.match(d.explanation, /1,000\.25 in all; Hyndburn has 12\.5 of it/);
  assert.throws(() => attribute('driver_share', county, place, {}), /needs a driver/);
  assert.throws(() => attribute('driver_share', county, place, { driver: { name: 'x', place_value: '5', body_total: '0' } }), /more than zero/);
  assert.throws(() => attribute('driver_share', county, place, { driver: { name: 'x', place_value: '5', body_total: '4' } }), /more than/);
  assert.throws(() => attribute('driver_share', county, place, { driver: { name: 'x', place_value: 'lots', body_total: '4' } }), /must be a number/);
  assert.throws(() => attribute('nonsense' as never, county, place), /Unknown rule/);
});

// ---------- the count ----------

const A = 'E07000120', B = 'E10000017', C = 'E23000003', OUT = 'E06000008';
const labels = { theme: { housing: 'Housing', policing: 'Policing', care: 'Care' }, cofog: { '06': 'Housing', '03': 'Order', '10': 'Social protection', '07': 'Health', '09': 'Education' }, prevention: { prevention: 'Prevention', acute: 'Acute', 'early-intervention': 'Early', transfer: 'Transfer' } };
const cell = (body_code: string, amount_pence: number, o: Partial<CountCell> = {}): CountCell => ({
  body_code, financial_year: '2023-24', theme_code: 'housing', cofog_code: '06', prevention_code: 'prevention', payee_body_code: '', lines: 1, amount_pence, ...o,
});
const att = (rule: Attribution['rule'], n = 1, d = 1): Attribution => ({ rule, factor: makeFactor(n, d), share: n / d, explanation: `${rule} ${n}/${d}` });
const base = (over: Partial<CountInput> = {}): CountInput => ({
  place: { code: 'P', name: 'Place', version: 3, areas: [A] },
  population: { value: 1000, source: 'ons', year: 2023, areas: [] },
  bodies: [{ code: A, name: 'District', attribution: att('direct') }, { code: B, name: 'County', attribution: att('population_share', 1, 4) }, { code: C, name: 'Police', attribution: att('population_share', 1, 3) }],
  cells: [],
  labels,
  deflator: { '2022-23': '93', '2023-24': '100' },
  ...over,
});

test('count: netting removes payments to the place\'s counted bodies from the payer, before attribution', () => {
  const r = computeCount(base({
    cells: [
      cell(A, 100_000),
      cell(A, 20_000, { payee_body_code: B }),          // district -> county: netted
      cell(A, 5_000, { payee_body_code: OUT }),         // district -> outside body: stays
      cell(B, 400_000, { theme_code: 'care', cofog_code: '10', prevention_code: 'acute' }),
      cell(B, 40_000, { payee_body_code: C, theme_code: 'policing', cofog_code: '03', prevention_code: 'acute' }), // county -> police: netted
      cell(C, 300_001, { theme_code: 'policing', cofog_code: '03', prevention_code: 'acute' }),
      cell(C, 999, { payee_body_code: C }),            // paid to itself: not a flow between bodies, stays
    ],
  }));
  const [a, b, c] = r.bodies;
  assert.deepEqual([a.gross_pence, a.netted_pence, a.attributed_before_netting_pence, a.attributed_pence], [125_000, 20_000, 125_000, 105_000]);
  assert.deepEqual([b.gross_pence, b.netted_pence, b.attributed_before_netting_pence, b.attributed_pence], [440_000, 40_000, 110_000, 100_000]);
  assert.deepEqual([c.gross_pence, c.netted_pence, c.attributed_pence], [301_000, 0, 100_333]);
  assert.equal(r.total_pence, 105_000 + 100_000 + 100_333);
  assert.equal(r.netting.netted_pence, 60_000);
  assert.equal(r.netting.reduction_pence, 20_000 + 10_000);
  assert.deepEqual(r.netting.flows, [
    { from: A, from_name: 'District', to: B, to_name: 'County', pence: 20_000, netted: true },
    { from: B, from_name: 'County', to: C, to_name: 'Police', pence: 40_000, netted: true },
  ]);
  assert.equal(r.per_head_pence, 305); // 305,333 / 1000 = 305.333
  // Every breakdown adds up to the total to the penny.
  for (const k of ['by_theme', 'by_cofog', 'by_prevention'] as const) {
    assert.equal(Object.values(r[k]).reduce((s, x) => s + x.pence, 0), r.total_pence, k);
  }
  assert.equal(Object.values(r.prevention_vs_intervention_by_theme).reduce((s, x) => s + x.total_pence, 0), r.total_pence);
  assert.equal(r.by_theme.care.pence, 100_000);
  assert.equal(r.by_theme.policing.pence, 100_000); // 300,001 / 3, floor; the police's own 999 is housing: 333
  assert.equal(r.social_protection_education_health_share.pence, 100_000);
  assert.equal(r.prevention_vs_intervention_by_theme.care.intervention_pence, 100_000);
  assert.equal(r.prevention_vs_intervention_by_theme.housing.prevention_share, 1);
});

test('count: payments to or from an excluded body are listed but not netted; an excluded body adds nothing', () => {
  const r = computeCount(base({
    bodies: [{ code: A, name: 'District', attribution: att('direct') }, { code: B, name: 'County', attribution: att('excluded', 0, 1) }],
    cells: [cell(A, 100_000), cell(A, 20_000, { payee_body_code: B }), cell(B, 50_000), cell(B, 7_000, { payee_body_code: A })],
  }));
  assert.equal(r.total_pence, 120_000);
  assert.equal(r.bodies[1].gross_pence, 57_000);
  assert.equal(r.bodies[1].attributed_pence, 0);
  assert.equal(r.netting.netted_pence, 0);
  assert.deepEqual(r.netting.flows.map((f) => [f.from, f.to, f.pence, f.netted]), [[A, B, 20_000, false], [B, A, 7_000, false]]);
});

test('count: year on year in cash and real terms at the latest year\'s prices; per head; notes', () => {
  const r = computeCount(base({
    bodies: [{ code: A, name: 'District', attribution: att('direct') }],
    cells: [cell(A, 93_000, { financial_year: '2022-23' }), cell(A, 100_000), cell(A, 1_000, { financial_year: '2021-22' })],
  }));
  assert.equal(r.year, '2023-24');
  assert.deepEqual(Object.keys(r.by_year), ['2021-22', '2022-23', '2023-24']);
  assert.equal(r.by_year['2022-23'].total_pence, 93_000);
  assert.equal(r.by_year['2022-23'].real_pence, 100_000);
  assert.equal(r.by_year['2023-24'].real_pence, 100_000);
  assert.equal(r.by_year['2023-24'].per_head_pence, 100);
  assert.equal(r.by_year['2021-22'].real_pence, null);
  assert.ok(r.notes.some((n) => /No GDP deflator for 2021-22/.test(n)));
  assert.equal(r.real_terms.base_year, '2023-24');
  // An explicit year.
  const y = computeCount(base({ year: '2022-23', bodies: [{ code: A, name: 'District', attribution: att('direct') }], cells: [cell(A, 93_000, { financial_year: '2022-23' }), cell(A, 100_000)] }));
  assert.equal(y.total_pence, 93_000);
  // Nothing loaded for the year asked.
  const none = computeCount(base({ year: '2019-20', cells: [cell(A, 5)] }));
  assert.equal(none.total_pence, 0);
  assert.ok(none.notes.some((n) => /No spend is loaded for 2019-20/.test(n)));
  // No population: no per head, and said so.
  const nop = computeCount(base({ population: { value: null, source: 'not known', year: null, areas: [] }, cells: [cell(A, 5)] }));
  assert.equal(nop.per_head_pence, null);
  assert.ok(nop.notes.some((n) => /population is not known/.test(n)));
  assert.equal(toRealTerms(100, '50', '100'), 200);
  assert.equal(toRealTerms(1, '3', '1'), 0);
  assert.equal(toRealTerms(2, '3', '1'), 1);
  assert.equal(toRealTerms(100, undefined, '100'), null);
});

test('count: cells of bodies not attached are ignored; population share applies to every theme exactly', () => {
  const r = computeCount(base({
    bodies: [{ code: C, name: 'Police', attribution: att('population_share', 84_261, 1_570_373) }],
    cells: [cell(C, 10_000_000_001, { theme_code: 'policing' }), cell(C, 432_277_361, { theme_code: 'care' }), cell(OUT, 999_999)],
  }));
  assert.equal(r.total_pence, applyFactor(10_432_277_362, makeFactor(84_261, 1_570_373)));
  assert.equal(r.by_theme.policing.pence + r.by_theme.care.pence, r.total_pence);
});
