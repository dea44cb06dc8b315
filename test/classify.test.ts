// Classification: the rule engine (first match, every condition op, the cache), rule checking, the
// shipped seed, reclassification of the stored ledger with its rollups, the coverage report, and the
// `classify` / `rules` commands. Database tests run on PGlite and PostgreSQL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { attachFileTables, bodyGroupTable, createFileTables, ensureBodyFactTable } from '../src/ledger/repository.ts';
import { engines, closeTestDatabase } from './helpers/databases.ts';
import { runCli } from './helpers/cli.ts';
import { Classifier, UNCLASSIFIED, type CompilableRule } from '../src/classify/classifier.ts';
import { compileCondition, normaliseText, parseConditionText } from '../src/classify/conditions.ts';
import { checkRules, RuleValidationError } from '../src/classify/validate.ts';
import { LINE_FIELDS, type ClassifiableLine, type RuleCondition, type ThemeDefaults } from '../src/classify/types.ts';
import {
  addRule, coverageReport, exportRules, importRules, listRules, listTaxonomy, moveRule, reclassify, setRuleEnabled, ClassificationError,
} from '../src/classify/index.ts';
import { seedClassificationReference, shippedClassification } from '../src/reference/classification-seed.ts';
import type { Database } from '../src/db/database.ts';

// ---------------------------------------------------------------------------------------------
// helpers

const THEMES: ThemeDefaults[] = [
  { code: 'environment-waste', default_cofog: '05', default_prevention: 'prevention' },
  { code: 'assets-property', default_cofog: '01', default_prevention: 'enabling' },
  { code: 'policing', default_cofog: '03', default_prevention: 'acute' },
  { code: 'back-office', default_cofog: '01', default_prevention: 'enabling' },
];

function line(over: Partial<ClassifiableLine> = {}): ClassifiableLine {
  return {
    body_code: 'B1', body_type: 'district', directorate: null, service_area: null, expense_type: null, category: null,
    description: null, proclass: null, sercop: null, supplier_name: null, capital_revenue: null, ...over,
  };
}

function cond(text: string): RuleCondition {
  const c = parseConditionText(text);
  if (typeof c === 'string') throw new Error(c);
  return c;
}

function rule(id: number, theme: string, conditions: string[], extra: Partial<CompilableRule> = {}): CompilableRule {
  return { id, theme_code: theme, cofog_code: null, prevention_code: null, conditions: conditions.map(cond), ...extra };
}

function matches(text: string, value: string | null): boolean {
  return compileCondition(cond(text))(value, normaliseText(value ?? ''));
}

/** The obvious, uncached evaluation: the reference the classifier's cache is checked against. */
function naive(rules: CompilableRule[], l: ClassifiableLine): number | null {
  const composite: Record<string, (keyof ClassifiableLine)[]> = {
    body: ['body_code', 'body_type'], service: ['service_area', 'sercop'], expense: ['expense_type', 'category', 'proclass'],
    supplier: ['supplier_name'], text: ['directorate', 'service_area', 'expense_type', 'category', 'description', 'proclass', 'sercop'],
  };
  for (const r of rules) {
    const ok = r.conditions.every((c) => {
      const fields = composite[c.field] ?? [c.field as keyof ClassifiableLine];
      const m = compileCondition(c);
      return fields.some((f) => m(l[f], normaliseText(l[f] ?? '')));
    });
    if (ok) return r.id;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// the engine

test('first matching rule decides, in order; theme defaults fill COFOG and prevention', () => {
  const a = rule(1, 'environment-waste', ['service keywords waste']);
  const b = rule(2, 'assets-property', ['service keywords waste', 'expense keywords fuel'], { cofog_code: '04', prevention_code: 'acute' });
  const l = line({ service_area: 'Waste Services', expense_type: 'Fuel Stock' });
  assert.deepEqual(Classifier.compile([a, b], THEMES).classify(l),
    { theme_code: 'environment-waste', cofog_code: '05', prevention_code: 'prevention', rule_id: 1 });
  assert.deepEqual(Classifier.compile([b, a], THEMES).classify(l),
    { theme_code: 'assets-property', cofog_code: '04', prevention_code: 'acute', rule_id: 2 });
  // all conditions must match: without the fuel, rule 2 is passed over
  assert.equal(Classifier.compile([b, a], THEMES).classify(line({ service_area: 'Waste Services' })).rule_id, 1);
  // nothing matches: unclassified
  const none = Classifier.compile([a, b], THEMES).classify(line({ service_area: 'Libraries' }));
  assert.deepEqual(none, { theme_code: 'unclassified', cofog_code: null, prevention_code: null, rule_id: null });
  assert.equal(none, UNCLASSIFIED);
  // no rules at all
  assert.equal(Classifier.compile([], THEMES).classify(line()), UNCLASSIFIED);
  // a theme with no defaults, and a theme not known, leave COFOG and prevention null
  const c = Classifier.compile([rule(3, 'mystery', ['body equals B1'])], THEMES).classify(line());
  assert.deepEqual(c, { theme_code: 'mystery', cofog_code: null, prevention_code: null, rule_id: 3 });
});

test('a result says whether it was decided without the payee and the description (ingest classifies a coding once)', () => {
  const c = Classifier.compile([rule(1, 'environment-waste', ['service keywords waste']), rule(2, 'housing', ['description keywords rent']),
    rule(3, 'back-office', ['expense keywords stationery'])], THEMES);
  for (const round of [1, 2]) { // evaluated, then found in the cache
    assert.equal(c.classify(line({ service_area: 'Waste Services', description: 'rent' })).rule_id, 1);
    assert.equal(c.lastIgnoredPayeeAndText, true, `round ${round}: the service decided`);
    assert.equal(c.classify(line({ service_area: 'Libraries', description: 'rent' })).rule_id, 2);
    assert.equal(c.lastIgnoredPayeeAndText, false, `round ${round}: the description decided`);
    // rule 3 is reached only past the description rule: another description could have matched rule 2
    assert.equal(c.classify(line({ service_area: 'Libraries', expense_type: 'Stationery', description: 'pens' })).rule_id, 3);
    assert.equal(c.lastIgnoredPayeeAndText, false, `round ${round}: the description was read`);
  }
  const codingOnly = Classifier.compile([rule(1, 'environment-waste', ['service keywords waste'])], THEMES);
  codingOnly.classify(line({ service_area: 'Parks', supplier_name: 'Acme', description: 'mowing' }));
  assert.equal(codingOnly.lastIgnoredPayeeAndText, true, 'no rule reads the payee or the description');
  const none = Classifier.compile([], THEMES);
  none.classify(line());
  assert.equal(none.lastIgnoredPayeeAndText, true, 'no rules');
});

test('keywords: whole words and phrases, any case, punctuation ignored, & as and, trailing * for word starts', () => {
  assert.ok(matches('service keywords waste', 'CAE - Waste Services'));
  assert.ok(!matches('service keywords waste', 'Wastewater'));
  assert.ok(matches('service keywords ict', 'AAD - ICT'));
  assert.ok(!matches('service keywords ict', 'District'));
  assert.ok(matches('service keywords housing benefit', 'HOUSING  BENEFIT-Admin'));
  assert.ok(!matches('service keywords housing benefit', 'Housing and Benefit'));
  assert.ok(matches('service keywords parks and open spaces', 'Parks & Open Spaces'));
  assert.ok(matches('service keywords childrens', "Children's Services"));
  assert.ok(matches('service keywords recycl*', 'Recycling Collection'));
  assert.ok(!matches('service keywords recycl*', 'Unrecycled'));
  assert.ok(matches('service keywords benefit* admin*', 'Benefits Administration'));
  assert.ok(!matches('service keywords benefit* admin*', 'Benefits Team Administration'));
  assert.ok(matches('expense keywords fire hydrants', 'lfrs.expenditure.supplies_&_services.fire_hydrants'));
  assert.ok(matches('service keywords refuse|waste|recycl*', 'Refuse Collection'));
  assert.ok(!matches('service keywords waste', null));
  assert.ok(!matches('service keywords waste', ''));
});

test('equals, prefix and regex', () => {
  assert.ok(matches('body_type equals police|fire', 'Police'));
  assert.ok(matches('service equals parks and open spaces', '  Parks   and Open Spaces '));
  assert.ok(!matches('service equals parks', 'Parks and Open Spaces'));
  assert.ok(!matches('service equals parks', null));
  assert.ok(matches('proclass prefix 32|17', '321311'));
  assert.ok(matches('proclass prefix 17', '17'));
  assert.ok(!matches('proclass prefix 32', '13201'));
  assert.ok(matches('sercop prefix ASC', 'asc-op residential'));
  assert.ok(!matches('sercop prefix ASC', null));
  assert.ok(matches('description regex ^rent\\b', 'RENT PAYMENT'));
  assert.ok(!matches('description regex ^rent\\b', 'Parent payment'));
  assert.ok(matches('body_type regex ^nhs', 'nhs_commissioner'));
  // a regex sees a missing value as empty text
  assert.ok(matches('service regex ^$', null));
  // the regex's own | is kept, not split into alternatives
  assert.deepEqual(cond('description regex a|b'), { field: 'description', op: 'regex', value: 'a|b' });
});

test('composite fields match when any part matches; plain fields read only themselves', () => {
  const rules = [
    rule(1, 'policing', ['body equals police']),
    rule(2, 'back-office', ['expense keywords software']),
    rule(3, 'environment-waste', ['service keywords waste']),
    rule(4, 'assets-property', ['text keywords boiler']),
    rule(5, 'back-office', ['supplier keywords insurance']),
    rule(6, 'assets-property', ['directorate keywords property']),
    rule(7, 'environment-waste', ['capital_revenue equals capital']),
  ];
  const c = Classifier.compile(rules, THEMES);
  assert.equal(c.classify(line({ body_type: 'police' })).rule_id, 1);
  assert.equal(c.classify(line({ body_code: 'police' })).rule_id, 1);
  assert.equal(c.classify(line({ category: 'Computer Software' })).rule_id, 2);
  assert.equal(c.classify(line({ proclass: 'ICT : Software' })).rule_id, 2);
  assert.equal(c.classify(line({ sercop: 'Waste collection' })).rule_id, 3);
  assert.equal(c.classify(line({ directorate: 'Waste' })).rule_id, null, 'service means service area or SeRCOP, not directorate');
  assert.equal(c.classify(line({ description: 'New boiler' })).rule_id, 4);
  assert.equal(c.classify(line({ supplier_name: 'Zurich Insurance' })).rule_id, 5);
  assert.equal(c.classify(line({ description: 'insurance' })).rule_id, null);
  assert.equal(c.classify(line({ directorate: 'Property Services' })).rule_id, 6);
  assert.equal(c.classify(line({ capital_revenue: 'capital' })).rule_id, 7);
  assert.deepEqual([...c.fieldsRead].sort(), [...LINE_FIELDS].sort());
});

test('the cache gives the same answers as uncached evaluation, and a late field enters the key only when reached', () => {
  const rules = [
    rule(1, 'policing', ['body_type equals police', 'expense keywords vehicle*']),
    rule(2, 'environment-waste', ['service keywords waste|refuse']),
    rule(3, 'back-office', ['service keywords finance', 'expense keywords software|licences']),
    rule(4, 'assets-property', ['expense keywords electricity|gas']),
    rule(5, 'assets-property', ['description keywords boiler|roof*']),
    rule(6, 'back-office', ['supplier regex insur']),
    rule(7, 'policing', ['body_type equals police']),
  ];
  const services = ['Waste Services', 'Finance', 'Parks', null, 'Refuse', 'finance '];
  const expenses = ['Electricity', 'Vehicle Purchase', 'Software', 'Licences', null, 'Gas', 'Misc'];
  const descriptions = ['new boiler', 'ROOFING works', 'misc', null, 'x'];
  const suppliers = ['Zurich Insurance', 'ACME', null];
  const types = ['police', 'district', null];
  let seed = 7;
  const rnd = <T>(xs: T[]) => { seed = (seed * 1103515245 + 12345) % 2147483648; return xs[seed % xs.length]; };
  const lines: ClassifiableLine[] = [];
  for (let i = 0; i < 5000; i++) {
    lines.push(line({
      body_code: rnd(['B1', 'B2', 'P1']), body_type: rnd(types), service_area: rnd(services), expense_type: rnd(expenses),
      description: rnd(descriptions) === null ? null : `${rnd(descriptions)} ${i % 300}`, supplier_name: rnd(suppliers),
    }));
  }
  const c = Classifier.compile(rules, THEMES);
  for (let pass = 0; pass < 2; pass++) {
    for (const l of lines) {
      const got = c.classify(l);
      assert.equal(got.rule_id, naive(rules, l), JSON.stringify(l));
      // the same decision is the same (frozen, shared) object
      assert.equal(got, c.classify({ ...l }));
      assert.ok(Object.isFrozen(got));
    }
  }
  // Lines decided before any rule reads the description are cached without it.
  const small = Classifier.compile(rules, THEMES);
  for (let i = 0; i < 1000; i++) small.classify(line({ service_area: 'Waste Services', description: `unique ${i}` }));
  assert.equal(small.cacheSize, 1);
  for (let i = 0; i < 1000; i++) small.classify(line({ service_area: 'Parks', description: `unique ${i}` }));
  assert.equal(small.cacheSize, 1001, 'lines that reach the description rule are keyed by description');
  // A result is not reused for a line that differs in a field the rules read.
  assert.equal(small.classify(line({ service_area: 'Parks', description: 'boiler' })).rule_id, 5);
  assert.equal(small.classify(line({ service_area: 'Parks', description: 'boilers' })).rule_id, null);
});

// ---------------------------------------------------------------------------------------------
// checking rules

const VOCAB = {
  themes: new Set(['environment-waste', 'back-office', 'unclassified']),
  cofog: new Set(['01', '05']),
  prevention: new Set(['prevention', 'enabling']),
};

test('rule checks name the rule and the field in plain English, and report every fault at once', () => {
  const bad = [
    { name: 'Waste', theme_code: 'environment-waste', conditions: ['service keywords waste'] },
    { name: 'Typo field', theme_code: 'environment-waste', conditions: ['servce_area keywords waste'] },
    { name: 'Bad op', theme_code: 'environment-waste', conditions: [{ field: 'service', op: 'contains', value: 'x' }] },
    { name: 'Bad regex', theme_code: 'back-office', conditions: ['description regex ([a-z'] },
    { name: 'Bad theme', theme_code: 'wastes', conditions: ['service keywords waste'] },
    { name: 'Bad cofog', theme_code: 'back-office', cofog_code: '11', prevention_code: 'sometimes', conditions: ['service keywords x'] },
    { name: 'No conditions', theme_code: 'back-office', conditions: [] },
    { theme_code: 'back-office', conditions: ['service keywords x'] },
    { name: 'Empty value', theme_code: 'back-office', conditions: [{ field: 'service', op: 'keywords', value: ['ok', ' '] }] },
    { name: 'Star inside', theme_code: 'back-office', conditions: ['service keywords wa*ste'] },
    { name: 'Short', theme_code: 'back-office', conditions: ['service keywords'] },
    { name: 'Dup', key: 'k1', theme_code: 'back-office', conditions: ['service keywords a'] },
    { name: 'Dup2', key: 'k1', theme_code: 'back-office', conditions: ['service keywords b'] },
    { name: 'Extra', theme_code: 'back-office', conditions: ['service keywords b'], colour: 'red' },
  ];
  let err: RuleValidationError | undefined;
  try { checkRules(bad, VOCAB, 'The rules in test.json'); } catch (e) { err = e as RuleValidationError; }
  assert.ok(err instanceof RuleValidationError);
  const p = err.problems;
  const has = (re: RegExp) => assert.ok(p.some((m) => re.test(m)), `expected a problem matching ${re}:\n${p.join('\n')}`);
  has(/^rule 2 \("Typo field"\), condition 1: field "servce_area" is not one a rule can test; use one of .*service_area/);
  has(/^rule 3 \("Bad op"\), condition 1: op "contains" is not known; use keywords/);
  has(/^rule 4 \("Bad regex"\), condition 1: the regular expression "\(\[a-z" is not valid/);
  has(/^rule 5 \("Bad theme"\): theme_code "wastes" is not a theme; use one of environment-waste, back-office/);
  has(/^rule 6 \("Bad cofog"\): cofog_code "11" is not a COFOG division/);
  has(/^rule 6 \("Bad cofog"\): prevention_code "sometimes" is not a prevention level/);
  has(/^rule 7 \("No conditions"\): conditions are missing/);
  has(/^rule 8: name is missing/);
  has(/^rule 9 \("Empty value"\), condition 1: value must be a non-empty text/);
  has(/^rule 10 \("Star inside"\), condition 1: keyword "wa\*ste" may only have '\*' at the end of a word/);
  has(/^rule 11 \("Short"\), condition 1: condition "service keywords" must read 'FIELD OP VALUE'/);
  has(/^rule 13 \("Dup2"\): key "k1" is also used by rule 12/);
  has(/^rule 14 \("Extra"\): "colour" is not a rule field/);
  assert.ok(!p.some((m) => m.startsWith('rule 1 ')), 'the good rule has no problems');
  assert.match(err.message, /^The rules in test\.json cannot be used:\n  - rule 2/);
});

test('the shipped rules are valid, keyed uniquely and use shipped themes; fallbacks come late and test only the body', () => {
  const s = shippedClassification();
  assert.equal(s.cofog.length, 10);
  assert.deepEqual(s.cofog.map((c) => c.code), ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10']);
  assert.deepEqual(s.prevention.map((p) => p.code), ['prevention', 'early-intervention', 'acute', 'transfer', 'enabling']);
  const themes = new Set(s.themes.map((t) => t.code));
  for (const t of ['unclassified', 'children-early-years', 'older-people', 'drugs-alcohol', 'mental-health-learning-disability',
    'offending-community-safety', 'benefits-employment', 'housing-regeneration', 'health', 'education', 'environment-waste',
    'transport', 'culture-leisure', 'economic-development', 'assets-property', 'back-office', 'policing', 'fire-rescue',
    'adult-social-care', 'public-health', 'democracy-governance']) assert.ok(themes.has(t), t);
  assert.equal(new Set(s.rules.map((r) => r.key)).size, s.rules.length);
  for (const r of s.rules) assert.ok(themes.has(r.theme_code), r.key);
  const fallbacks = s.rules.map((r, i) => ({ r, i })).filter(({ r }) => r.key.startsWith('fallback-'));
  assert.ok(fallbacks.length >= 2);
  for (const { r, i } of fallbacks) {
    assert.ok(r.conditions.every((c) => c.field === 'body_type'), r.key);
    assert.ok(i > s.rules.length * 0.8, `${r.key} is a low-priority rule`);
  }
  const c = Classifier.compile(s.rules.map((r, i) => ({ ...r, id: i + 1 })), s.themes);
  const key = (l: ClassifiableLine) => s.rules[(c.classify(l).rule_id ?? 0) - 1]?.key;
  assert.equal(key(line({ service_area: 'Refuse Collection', expense_type: 'Agency Staff' })), 'service-waste');
  assert.equal(key(line({ service_area: 'Housing Benefit Administration' })), 'benefits-administration');
  assert.equal(key(line({ body_type: 'police', expense_type: 'Computer Licences' })), 'emergency-ict');
  assert.equal(key(line({ body_type: 'police', expense_type: 'Consolidated invoice suspense' })), 'fallback-police');
  assert.equal(key(line({ body_type: 'fire', expense_type: 'fire & rescue.foams.foams.prods', category: 'Fire - Operational Equipment' })), 'fire-operations');
  assert.equal(key(line({ proclass: '321311' })), 'proclass-code-social-care');
});

// ---------------------------------------------------------------------------------------------
// database: seed, reclassification, report, commands

async function withDb(engineOpen: () => Promise<Database>, fn: (db: Database) => Promise<void>): Promise<void> {
  const db = await engineOpen();
  try { await fn(db); } finally { await closeTestDatabase(db); }
}

let fileSeq = 0;
/** Inserts a body, a source file and its lines (all unclassified, as if loaded before any rule existed). */
async function loadLines(db: Database, body: { code: string; type: string }, rows: { date: string; pence: number; service?: string; expense?: string; description?: string; supplier?: string }[]): Promise<number> {
  await db.query(`INSERT INTO body (code, name, body_type, source) VALUES ($1, $2, $3, 'user') ON CONFLICT (code) DO NOTHING`, [body.code, `Test ${body.code}`, body.type]);
  const fileId = 900000 + ++fileSeq;
  await db.query(
    `INSERT INTO source_file (body_code, file_id, file_name, file_path, checksum, size_bytes, format, mapping, rows_loaded, rows_rejected, total_pence)
     VALUES ($1, $2, 'f.csv', '/tmp/f.csv', $3, 1, 'csv', '{}', $4, 0, $5)`,
    [body.code, fileId, `sum-${fileId}`, rows.length, rows.reduce((a, r) => a + r.pence, 0)]);
  // Each row its own payee, coding, description and group, in the star the ingester writes.
  await ensureBodyFactTable(db, body.code);
  await db.transaction(async (tx) => {
    const newGroupTable = await createFileTables(tx, body.code, fileId);
    let i = 0;
    for (const r of rows) {
      i++;
      await tx.query(`INSERT INTO spend_payee (body_code, file_id, payee_id, supplier_name, payee_kind) VALUES ($1, $2, $3, $4, 'organisation')`, [body.code, fileId, i, r.supplier ?? null]);
      await tx.query(`INSERT INTO spend_coding (body_code, file_id, coding_id, service_area, expense_type) VALUES ($1, $2, $3, $4, $5)`, [body.code, fileId, i, r.service ?? null, r.expense ?? null]);
      await tx.query(`INSERT INTO spend_text (body_code, file_id, text_id, description) VALUES ($1, $2, $3, $4)`, [body.code, fileId, i, r.description ?? null]);
      await tx.query(`INSERT INTO ${bodyGroupTable(body.code)} (body_code, file_id, group_id, payee_id, coding_id, text_id, theme_code, lines, amount_pence)
                      VALUES ($1, $2, $3, $3, $3, $3, 'unclassified', 1, $4)`, [body.code, fileId, i, r.pence]);
      await tx.query(`INSERT INTO spend_fact_f${fileId} (line_id, line_no, payment_date, amount_pence, group_id) VALUES ($1, $2, $3, $4, $1)`, [i, i + 1, r.date, r.pence]);
    }
    await attachFileTables(tx, body.code, fileId, newGroupTable);
  });
  await db.transaction(async (tx) => {
    const { rebuildRollups } = await import('../src/ledger/rollup.ts');
    await rebuildRollups(tx, body.code, fileId);
  });
  return fileId;
}

/** Every rollup cell equals a full scan of the ledger. */
async function assertRollupsExact(db: Database): Promise<void> {
  const scan = await db.query<Record<string, unknown>>(
    `SELECT body_code, file_id::int AS file_id, financial_year, to_char(payment_date, 'YYYY-MM') AS month, theme_code, coalesce(cofog_code, '') AS cofog_code,
            coalesce(prevention_code, '') AS prevention_code, rule_id IS NOT NULL AS classified, count(*)::int AS lines, sum(amount_pence)::bigint AS pence
       FROM spend_line GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8`);
  const roll = await db.query<Record<string, unknown>>(
    `SELECT body_code, file_id::int AS file_id, financial_year, month, theme_code, cofog_code, prevention_code, classified, lines::int AS lines, amount_pence::bigint AS pence
       FROM spend_rollup ORDER BY 1, 2, 3, 4, 5, 6, 7, 8`);
  const norm = (rows: Record<string, unknown>[]) => rows.map((r) => ({ ...r, pence: Number(r.pence) }));
  assert.deepEqual(norm(roll), norm(scan));
}

async function userRulesOnly(db: Database): Promise<void> {
  // Start from an empty rule list so the figures below depend only on the rules the test writes.
  await db.query('DELETE FROM classification_rule');
}

for (const engine of engines) {
  test(`${engine.name}: the shipped classification data is seeded once, and a release never overwrites user edits`, { skip: engine.skip }, async () => {
    await withDb(() => engine.open(), async (db) => {
      const s = shippedClassification();
      const count = async (t: string) => Number((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`))[0].n);
      assert.equal(await count('cofog_division'), 10);
      assert.equal(await count('prevention_level'), 5);
      assert.equal(await count('theme'), s.themes.length);
      const rules = await listRules(db);
      assert.equal(rules.length, s.rules.length);
      assert.deepEqual(rules.map((r) => r.key), s.rules.map((r) => r.key));
      assert.deepEqual(rules.map((r) => r.position), s.rules.map((_, i) => i + 1));
      assert.ok(rules.every((r) => r.shipped && !r.user_edited && r.enabled));
      // already up to date: nothing written
      assert.equal(await seedClassificationReference(db), false);
      const tax = await listTaxonomy(db);
      assert.deepEqual(tax.themes.map((t) => t.code), s.themes.map((t) => t.code));
      assert.equal(tax.themes.find((t) => t.code === 'policing')!.default_cofog, '03');
      assert.ok(tax.themes.every((t) => t.shipped && !t.user_edited));
      assert.equal(tax.cofog[6].label, 'Health');
      assert.equal(tax.prevention[0].label, 'Universal / prevention');

      // The user edits one shipped rule, disables another, removes a third and adds their own.
      const exported = await exportRules(db);
      const edited = exported.rules.find((r) => r.key === 'service-waste')!;
      edited.name = 'Waste (ours)';
      const removedKey = 'service-depots';
      exported.rules = exported.rules.filter((r) => r.key !== removedKey);
      exported.rules.push({ key: 'our-rule', name: 'Ours', enabled: true, conditions: [{ field: 'service', op: 'keywords', value: 'ours' }], theme_code: 'back-office', cofog_code: null, prevention_code: null, notes: '', shipped: false, user_edited: false });
      const res = await importRules(db, exported, { source: 'edit.json' }, 'test');
      assert.deepEqual({ added: res.added, updated: res.updated, removed: res.removed }, { added: 1, updated: 1, removed: 1 });
      const disabled = (await listRules(db)).find((r) => r.key === 'service-housing')!;
      await setRuleEnabled(db, disabled.id, false, 'test');
      const theWaste = (await listRules(db)).find((r) => r.key === 'service-waste')!;
      assert.equal(theWaste.user_edited, true);

      // A "new release": the stored version differs, so the seed runs again.
      await db.query(`UPDATE reference_version SET version = 'old' WHERE name = 'classification'`);
      await db.query(`UPDATE classification_rule SET name = 'stale' WHERE rule_key = 'service-transport'`);
      assert.equal(await seedClassificationReference(db), true);
      const after = await listRules(db);
      assert.equal(after.find((r) => r.key === 'service-waste')!.name, 'Waste (ours)', 'an edited shipped rule is left alone');
      assert.equal(after.find((r) => r.key === 'service-transport')!.name, s.rules.find((r) => r.key === 'service-transport')!.name, 'an unedited shipped rule is updated');
      assert.equal(after.find((r) => r.key === 'service-housing')!.enabled, false, 'enabled flags are the user\'s');
      assert.equal(after.find((r) => r.key === removedKey), undefined, 'a removed shipped rule stays removed');
      assert.ok(after.find((r) => r.key === 'our-rule'), 'user rules are kept');
      assert.deepEqual(after.map((r) => r.position), after.map((_, i) => i + 1));

      // A release that ships a new rule puts it after the shipped rule before it.
      await db.query(`DELETE FROM classification_rule WHERE rule_key = 'service-bereavement'`);
      await db.query(`UPDATE reference_version SET version = 'old' WHERE name = 'classification'`);
      await seedClassificationReference(db);
      const again = await listRules(db);
      const keys = again.map((r) => r.key);
      assert.equal(keys.indexOf('service-bereavement'), keys.indexOf('service-waste') + 1);
      assert.deepEqual(again.map((r) => r.position), again.map((_, i) => i + 1));
    });
  });

  test(`${engine.name}: --apply reclassifies stored lines and rollups; the report figures are exact`, { skip: engine.skip }, async () => {
    await withDb(() => engine.open(), async (db) => {
      await userRulesOnly(db);
      await loadLines(db, { code: 'TEST-D1', type: 'district' }, [
        { date: '2023-04-03', pence: 10000, service: 'Refuse Collection', expense: 'Agency Staff', supplier: 'Acme' },
        { date: '2023-04-04', pence: 2550, service: 'Refuse Collection', expense: 'Fuel' },
        { date: '2023-05-01', pence: 70000, service: 'Parks', expense: 'Electricity', description: 'Pavilion', supplier: 'EDF' },
        { date: '2023-05-02', pence: 30000, service: 'Parks', expense: 'Electricity', description: 'Depot', supplier: 'EDF' },
        { date: '2023-06-01', pence: 5000, service: null as unknown as string, expense: 'Misc', description: 'boiler repair', supplier: 'Heat Ltd' },
        { date: '2023-06-02', pence: -1000, service: 'Parks', expense: 'Misc', supplier: 'Refund Co' },
      ]);
      await loadLines(db, { code: 'TEST-P1', type: 'police' }, [
        { date: '2023-04-10', pence: 400000, expense: 'Vehicle Purchase' },
        { date: '2023-04-11', pence: 100000, expense: 'Consolidated invoice suspense' },
      ]);
      const r1 = await addRule(db, { name: 'Waste', theme_code: 'environment-waste', conditions: ['service keywords refuse|waste'] }, 'cli:tester');
      const r2 = await addRule(db, { name: 'Police vehicles', theme_code: 'policing', cofog_code: '03', prevention_code: 'acute', conditions: ['body_type equals police', 'expense keywords vehicle*'] }, 'cli:tester');
      const r3 = await addRule(db, { name: 'Boilers', theme_code: 'assets-property', conditions: ['description keywords boiler'] }, 'cli:tester');
      const r4 = await addRule(db, { name: 'Police fallback', theme_code: 'policing', conditions: ['body_type equals police'] }, 'cli:tester');

      const before = await coverageReport(db);
      assert.equal(before.overall.classified_lines, 0);
      const res = await reclassify(db, {}, 'cli:tester');
      assert.deepEqual(res, { body: null, lines: 8, combinations: 8, lines_changed: 5 });
      const lines = await db.query<{ body_code: string; line_id: number; theme_code: string; cofog_code: string | null; prevention_code: string | null; rule_id: number | null }>(
        'SELECT body_code, line_id, theme_code, cofog_code, prevention_code, rule_id FROM spend_line ORDER BY body_code, line_id');
      assert.deepEqual(lines.map((l) => [l.body_code, l.line_id, l.theme_code, l.cofog_code, l.prevention_code, l.rule_id]), [
        ['TEST-D1', 1, 'environment-waste', '05', 'prevention', r1.id],
        ['TEST-D1', 2, 'environment-waste', '05', 'prevention', r1.id],
        ['TEST-D1', 3, 'unclassified', null, null, null],
        ['TEST-D1', 4, 'unclassified', null, null, null],
        ['TEST-D1', 5, 'assets-property', '01', 'enabling', r3.id],
        ['TEST-D1', 6, 'unclassified', null, null, null],
        ['TEST-P1', 1, 'policing', '03', 'acute', r2.id],
        ['TEST-P1', 2, 'policing', '03', 'acute', r4.id],
      ]);
      await assertRollupsExact(db);

      const rep = await coverageReport(db);
      assert.deepEqual(rep.overall, {
        lines: 8, classified_lines: 5, value_pence: 616550, classified_pence: 517550,
        share_of_lines: 5 / 8, share_of_value: 517550 / 616550,
        decided_by_body_only_rules_pence: 100000, share_of_value_by_body_only_rules: 100000 / 616550,
      });
      assert.deepEqual(rep.bodies.map((b) => [b.body_code, b.body_name, b.body_type, b.lines, b.classified_lines, b.value_pence, b.classified_pence, b.share_of_value, b.share_of_lines]), [
        ['TEST-D1', 'Test TEST-D1', 'district', 6, 3, 116550, 17550, 17550 / 116550, 3 / 6],
        ['TEST-P1', 'Test TEST-P1', 'police', 2, 2, 500000, 500000, 1, 1],
      ]);
      assert.deepEqual(rep.group_by, ['service_area', 'expense_type']);
      assert.deepEqual(rep.unclassified_groups, [
        { body_code: 'TEST-D1', fields: { service_area: 'Parks', expense_type: 'Electricity' }, lines: 2, value_pence: 100000, example_supplier: 'EDF', example_description: 'Pavilion' },
        { body_code: 'TEST-D1', fields: { service_area: 'Parks', expense_type: 'Misc' }, lines: 1, value_pence: -1000, example_supplier: 'Refund Co', example_description: null },
      ]);
      assert.deepEqual(rep.rules.map((r) => [r.rule_id, r.lines, r.value_pence, r.body_only]), [
        [r2.id, 1, 400000, false], [r4.id, 1, 100000, true], [r1.id, 2, 12550, false], [r3.id, 1, 5000, false],
      ]);
      const one = await coverageReport(db, { bodyCode: 'TEST-P1', groupBy: ['supplier_name'], limit: 5 });
      assert.equal(one.bodies.length, 1);
      assert.equal(one.overall.value_pence, 500000);
      assert.deepEqual(one.unclassified_groups, []);
      await assert.rejects(coverageReport(db, { groupBy: ['colour'] }), /Cannot group by "colour"; use any of directorate, service_area/);

      // A new rule placed first, and reclassification of one body only.
      const r5 = await addRule(db, { name: 'Parks electricity', theme_code: 'assets-property', conditions: ['service keywords parks', 'expense keywords electricity'], position: 1 }, 'cli:tester');
      assert.equal(r5.position, 1);
      const res2 = await reclassify(db, { bodyCode: 'TEST-D1' }, 'cli:tester');
      assert.deepEqual(res2, { body: 'TEST-D1', lines: 6, combinations: 6, lines_changed: 2 });
      await assertRollupsExact(db);
      const rep2 = await coverageReport(db, { bodyCode: 'TEST-D1' });
      assert.equal(rep2.overall.classified_pence, 117550);
      assert.equal(rep2.overall.classified_lines, 5);
      // Disabling a rule and re-applying unclassifies its lines again.
      await setRuleEnabled(db, r1.id, false, 'cli:tester');
      const res3 = await reclassify(db, {}, 'cli:tester');
      assert.equal(res3.lines_changed, 2);
      await assertRollupsExact(db);
      assert.equal((await coverageReport(db, { bodyCode: 'TEST-D1' })).overall.classified_pence, 105000);
      await assert.rejects(reclassify(db, { bodyCode: 'NOPE' }), ClassificationError);

      const audits = await db.query<{ actor: string; action: string }>(`SELECT actor, action FROM audit_event WHERE action LIKE 'classification.%' ORDER BY id`);
      assert.ok(audits.every((a) => a.actor === 'cli:tester'));
      assert.deepEqual(audits.map((a) => a.action), [
        'classification.rule.add', 'classification.rule.add', 'classification.rule.add', 'classification.rule.add',
        'classification.apply', 'classification.rule.add', 'classification.apply', 'classification.rule.disable', 'classification.apply',
      ]);
    });
  });

  test(`${engine.name}: rules move, enable, disable, import and export keep a tidy order and refuse bad input`, { skip: engine.skip }, async () => {
    await withDb(() => engine.open(), async (db) => {
      await userRulesOnly(db);
      const a = await addRule(db, { name: 'A', theme_code: 'back-office', conditions: ['service keywords a'] }, 't');
      const b = await addRule(db, { name: 'B', theme_code: 'back-office', conditions: ['service keywords b'] }, 't');
      const c = await addRule(db, { name: 'C', theme_code: 'back-office', conditions: ['service keywords c'], position: 1 }, 't');
      const order = async () => (await listRules(db)).map((r) => `${r.position}:${r.name}`);
      assert.deepEqual(await order(), ['1:C', '2:A', '3:B']);
      await moveRule(db, c.id, 3, 't');
      assert.deepEqual(await order(), ['1:A', '2:B', '3:C']);
      await moveRule(db, b.id, 1, 't');
      assert.deepEqual(await order(), ['1:B', '2:A', '3:C']);
      await assert.rejects(moveRule(db, b.id, 4, 't'), /Position 4 is beyond the last rule; there are 3 rules/);
      await assert.rejects(moveRule(db, 999999, 1, 't'), /There is no rule 999999/);
      await assert.rejects(setRuleEnabled(db, 999999, true, 't'), /There is no rule 999999/);
      await assert.rejects(addRule(db, { name: 'Bad', theme_code: 'nope', conditions: ['service kw x'] }, 't'),
        (e: Error) => e instanceof RuleValidationError && /The new rule \("Bad"\): theme_code "nope" is not a theme/.test(e.message) && /op "kw" is not known/.test(e.message));
      await assert.rejects(addRule(db, { name: 'Dup', key: a.key!, theme_code: 'back-office', conditions: ['service keywords x'] }, 't'), /A rule with key "user-\d+" already exists/);

      // export -> import is a no-op; ids survive
      const file = await exportRules(db);
      assert.equal(file.format, 'totalplace-classification-rules');
      const res = await importRules(db, JSON.parse(JSON.stringify(file)), {}, 't');
      assert.deepEqual(res, { added: 0, updated: 0, unchanged: 3, removed: 0, rules: 3 });
      assert.deepEqual((await listRules(db)).map((r) => r.id), [b.id, a.id, c.id]);
      // merge: update one, add one at the end, keep the rest
      const merged = await importRules(db, [{ key: a.key, name: 'A2', theme_code: 'environment-waste', conditions: ['service keywords a'] }, { name: 'D', theme_code: 'back-office', conditions: ['service keywords d'] }], { mode: 'merge' }, 't');
      assert.deepEqual(merged, { added: 1, updated: 1, unchanged: 0, removed: 0, rules: 4 });
      assert.deepEqual(await order(), ['1:B', '2:A2', '3:C', '4:D']);
      // replace: the file becomes the list, in its order
      const replaced = await importRules(db, { rules: [{ key: c.key, name: 'C', theme_code: 'back-office', conditions: ['service keywords c'] }, { key: b.key, name: 'B', theme_code: 'back-office', conditions: ['service keywords b'], enabled: false }] }, {}, 't');
      assert.deepEqual(replaced, { added: 0, updated: 1, unchanged: 1, removed: 2, rules: 2 });
      assert.deepEqual(await order(), ['1:C', '2:B']);
      assert.equal((await listRules(db))[1].enabled, false);
      // nothing changes when any rule is bad
      await assert.rejects(importRules(db, { rules: [{ name: 'ok', theme_code: 'back-office', conditions: ['service keywords ok'] }, { name: 'broken', theme_code: 'back-office', conditions: ['service keywords ok', 'colour equals red'] }] }, { source: 'r.json' }, 't'),
        /The rules in r\.json cannot be used:\n  - rule 2 \("broken"\), condition 2: field "colour" is not one a rule can test/);
      await assert.rejects(importRules(db, { rules: [] }, {}, 't'), /would remove every rule/);
      await assert.rejects(importRules(db, { format: 'other', rules: [] }, {}, 't'), /not "totalplace-classification-rules"/);
      await assert.rejects(importRules(db, 'nonsense', {}, 't'), /must be a JSON object with a "rules" list/);
      assert.deepEqual(await order(), ['1:C', '2:B']);
    });
  });

  test(`${engine.name}: the classify and rules commands`, { skip: engine.skip }, async () => {
    await withDb(() => engine.open(), async (db) => {
      const shippedCount = shippedClassification().rules.length;
      let r = await runCli(db, ['rules', 'list', '--json']);
      assert.equal(r.exitCode, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).rules.length, shippedCount);
      r = await runCli(db, ['rules', 'list']);
      assert.match(r.stdout, /^\d+ rules; the first enabled rule whose every condition matches decides a line\./);
      assert.match(r.stdout, /when service keywords waste\*\|refuse/);

      await loadLines(db, { code: 'TEST-D2', type: 'district' }, [
        { date: '2023-04-03', pence: 12345, service: 'Refuse Collection', expense: 'Agency Staff' },
        { date: '2023-04-04', pence: 500, service: 'Zzz Unit', expense: 'Misc Expenses Other', supplier: 'Somebody' },
      ]);
      r = await runCli(db, ['classify', '--apply', '--json'], { actor: 'cli:alice' });
      assert.equal(r.exitCode, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout).apply, { body: null, lines: 2, combinations: 2, lines_changed: 1 });
      r = await runCli(db, ['classify', '--report', '--body', 'TEST-D2', '--json']);
      const rep = JSON.parse(r.stdout);
      assert.equal(rep.overall.classified_pence, 12345);
      assert.equal(rep.overall.value_pence, 12845);
      assert.deepEqual(rep.unclassified_groups[0].fields, { service_area: 'Zzz Unit', expense_type: 'Misc Expenses Other' });
      r = await runCli(db, ['classify', '--report']);
      assert.match(r.stdout, /value: 96\.1% classified \(£123\.45 of £128\.45, net amounts\)/);
      assert.match(r.stdout, /lines: 50\.0% classified \(1 of 2\)/);
      assert.match(r.stdout, /£5\.00\s+1\s+TEST-D2\s+Zzz Unit\s+Misc Expenses Other\s+Somebody/);

      r = await runCli(db, ['rules', 'add', '--name', 'Zzz units', '--theme', 'back-office', '--prevention', 'enabling', '--when', 'service keywords zzz', '--when', 'expense prefix misc', '--position', '1', '--json'], { actor: 'cli:alice' });
      assert.equal(r.exitCode, 0, r.stderr);
      const added = JSON.parse(r.stdout);
      assert.equal(added.position, 1);
      assert.deepEqual(added.conditions, [{ field: 'service', op: 'keywords', value: 'zzz' }, { field: 'expense', op: 'prefix', value: 'misc' }]);
      r = await runCli(db, ['classify', '--apply', '--report', '--body', 'TEST-D2'], { actor: 'cli:alice' });
      assert.match(r.stdout, /Reclassified 2 lines of TEST-D2 \(2 distinct combinations\): 1 changed; rollups rebuilt\./);
      assert.match(r.stdout, /Every line is classified\./);
      await assertRollupsExact(db);

      r = await runCli(db, ['rules', 'disable', String(added.id)], { actor: 'cli:alice' });
      assert.match(r.stdout, new RegExp(`Rule ${added.id} \\(Zzz units\\) is disabled`));
      r = await runCli(db, ['rules', 'enable', String(added.id)], { actor: 'cli:alice' });
      assert.match(r.stdout, /is enabled/);
      r = await runCli(db, ['rules', 'move', String(added.id), '--position', '3'], { actor: 'cli:alice' });
      assert.match(r.stdout, /is now at position 3/);

      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-rules-'));
      const file = path.join(dir, 'rules.json');
      r = await runCli(db, ['rules', 'export', file]);
      assert.match(r.stdout, new RegExp(`Wrote ${shippedCount + 1} rules to`));
      r = await runCli(db, ['rules', 'import', file, '--json'], { actor: 'cli:alice' });
      assert.deepEqual(JSON.parse(r.stdout), { added: 0, updated: 0, unchanged: shippedCount + 1, removed: 0, rules: shippedCount + 1 });
      const edited = JSON.parse(fs.readFileSync(file, 'utf8'));
      edited.rules[0].theme_code = 'no-such-theme';
      edited.rules[1].conditions[0] = 'servic keywords x';
      fs.writeFileSync(file, JSON.stringify(edited));
      r = await runCli(db, ['rules', 'import', file]);
      assert.equal(r.exitCode, 1);
      assert.match(r.stderr, /totalplace: The rules in .*rules\.json cannot be used:/);
      assert.match(r.stderr, new RegExp(`rule 1 \\(${JSON.stringify(edited.rules[0].name).replace(/[()]/g, '\\$&')}\\): theme_code "no-such-theme" is not a theme`));
      assert.match(r.stderr, /rule 2 \(.*\), condition 1: field "servic" is not one a rule can test/);
      fs.writeFileSync(file, '{ not json');
      r = await runCli(db, ['rules', 'import', file]);
      assert.equal(r.exitCode, 1);
      assert.match(r.stderr, /Cannot read .*rules\.json as JSON/);
      fs.rmSync(dir, { recursive: true });

      r = await runCli(db, ['rules', 'add', '--name', 'Bad', '--theme', 'back-office', '--when', 'service keywords']);
      assert.equal(r.exitCode, 1);
      assert.match(r.stderr, /The new rule \("Bad"\), condition 1: condition "service keywords" must read 'FIELD OP VALUE'/);
      r = await runCli(db, ['rules', 'move', '999999', '--position', '1']);
      assert.equal(r.exitCode, 1);
      assert.match(r.stderr, /There is no rule 999999/);
      r = await runCli(db, ['rules', 'move', '1', '--position', 'first']);
      assert.notEqual(r.exitCode, 0);
      r = await runCli(db, ['classify']);
      assert.equal(r.exitCode, 1);
      assert.match(r.stderr, /Say what to do: --report \(coverage\) or --apply/);
      r = await runCli(db, ['classify', '--apply', '--body', 'NOPE']);
      assert.equal(r.exitCode, 1);
      assert.match(r.stderr, /There is no body "NOPE"/);

      const audits = await db.query<{ actor: string; action: string }>(`SELECT actor, action FROM audit_event WHERE actor = 'cli:alice' ORDER BY id`);
      assert.deepEqual(audits.map((a) => a.action), [
        'classification.apply', 'classification.rule.add', 'classification.apply', 'classification.rule.disable',
        'classification.rule.enable', 'classification.rule.move', 'classification.rules.import',
      ]);
    });
  });
}
