// The resolver on its own: names in, entities out, each match with its rule, score and confidence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { resolveSuppliers, type PayeeRecord, type ResolveResult } from '../../src/insight/resolve.ts';
import { BodyNameIndex, type NamedBody } from '../../src/place/body-names.ts';

const bodies = JSON.parse(fs.readFileSync(new URL('../../src/reference/data/bodies.json', import.meta.url), 'utf8')) as NamedBody[];
const index = new BodyNameIndex(bodies);
const matchBody = (n: string) => index.match(n);

const org = (body_code: string, name: string, extra: Partial<PayeeRecord> = {}): PayeeRecord => ({ body_code, name, payee_kind: 'organisation', amount_pence: 100, ...extra });

/** The entity index of each record, by the record's name (and body, when given as "BODY|name"). */
function entityOf(records: PayeeRecord[], r: ResolveResult): (name: string) => number {
  const byRecord = new Map(r.assignments.map((a) => [a.record, a.entity]));
  return (label: string) => {
    const [body, name] = label.includes('|') ? label.split('|') : [null, label];
    const i = records.findIndex((x) => x.name === name && (body === null || x.body_code === body));
    assert.ok(i >= 0, `no record ${label}`);
    const e = byRecord.get(i);
    assert.ok(e !== undefined, `${label} has no entity`);
    return e;
  };
}

test('spellings of one supplier at different bodies become one entity, with the rule and confidence of each match', () => {
  const records = [
    org('A', 'Zurich Insurance PLC', { amount_pence: 5000 }), org('B', 'ZURICH INSURANCE PLC'), org('C', 'Zurich Insurance'),
    org('A', 'Thomson Reuters Professional UK Ltd'), org('B', 'Thomson Reuters (Prof) UK Ltd'),
    org('C', 'Acme Widgets Ltd'),
  ];
  const r = resolveSuppliers(records);
  const e = entityOf(records, r);
  assert.equal(e('Zurich Insurance PLC'), e('ZURICH INSURANCE PLC'));
  assert.equal(e('Zurich Insurance PLC'), e('Zurich Insurance'));
  assert.equal(e('Thomson Reuters Professional UK Ltd'), e('Thomson Reuters (Prof) UK Ltd'));
  assert.notEqual(e('Acme Widgets Ltd'), e('Zurich Insurance'));
  const rule = (name: string) => r.assignments.find((a) => records[a.record].name === name)!;
  assert.equal(rule('ZURICH INSURANCE PLC').rule, 'same-name');
  assert.equal(rule('Zurich Insurance').rule, 'normalised-name');
  assert.equal(rule('Thomson Reuters (Prof) UK Ltd').rule, 'fuzzy');
  assert.ok(rule('Thomson Reuters (Prof) UK Ltd').confidence < rule('Zurich Insurance').confidence);
  assert.equal(rule('Thomson Reuters (Prof) UK Ltd').matched_to, 'Thomson Reuters Professional UK Ltd');
  assert.deepEqual({ rule: rule('Acme Widgets Ltd').rule, matched_to: rule('Acme Widgets Ltd').matched_to, confidence: rule('Acme Widgets Ltd').confidence }, { rule: 'single', matched_to: null, confidence: 1 });
  const zurich = r.entities[e('Zurich Insurance')];
  assert.equal(zurich.name, 'Zurich Insurance PLC', 'named by the most-paid spelling');
  assert.equal(zurich.key, 'org-zurich-insurance');
});

test('individuals and redacted payees are never matched, and never in an entity', () => {
  const records: PayeeRecord[] = [
    { body_code: 'A', name: 'Mr John Smith', payee_kind: 'individual' }, { body_code: 'B', name: 'Mr John Smith', payee_kind: 'individual' },
    { body_code: 'A', name: 'Redacted Personal Information', payee_kind: 'redacted' }, { body_code: 'B', name: 'Redacted Personal Information', payee_kind: 'redacted' },
    org('A', 'Smith Plumbing Ltd'),
  ];
  const r = resolveSuppliers(records);
  assert.equal(r.stats.excluded, 4);
  assert.deepEqual(r.assignments.map((a) => records[a.record].name), ['Smith Plumbing Ltd']);
  assert.ok(r.entities.every((e) => e.records.every((i) => records[i].payee_kind === 'organisation')));
});

test('public bodies are linked to the register (from ingest, or by the register\'s matcher); different bodies never merge', () => {
  const records = [
    org('E23000003', 'BURNLEY BOROUGH COUNCIL', { payee_body_code: 'E07000117' }),
    org('GB-FRA-LANCASHIRE', 'burnley borough council'),
    org('E07000120', 'Borough Of Pendle'), org('E23000003', 'PENDLE BOROUGH COUNCIL'),
    org('E23000003', 'LANCASTER CITY COUNCIL [17340]'),
    org('E23000003', 'RIBBLE VALLEY BOROUGH COUNCIL'), org('GB-FRA-LANCASHIRE', 'south ribble borough council'),
    org('E23000003', 'LANCASHIRE COUNTY PENSION FUND'), org('E07000120', 'Lancashire County Council'),
  ];
  const r = resolveSuppliers(records, { matchBody, bodyNames: new Map([['E07000117', 'Burnley Borough Council']]) });
  const e = entityOf(records, r);
  const body = (name: string) => r.entities[e(name)].body_code;
  assert.equal(body('burnley borough council'), 'E07000117');
  assert.equal(e('BURNLEY BOROUGH COUNCIL'), e('burnley borough council'));
  assert.equal(r.entities[e('burnley borough council')].name, 'Burnley Borough Council', 'named as registered');
  assert.equal(r.entities[e('burnley borough council')].key, 'body-E07000117');
  assert.equal(body('Borough Of Pendle'), 'E07000122');
  assert.equal(e('Borough Of Pendle'), e('PENDLE BOROUGH COUNCIL'));
  assert.equal(body('LANCASTER CITY COUNCIL [17340]'), 'E07000121', 'a note in the name does not stop the link');
  assert.notEqual(e('RIBBLE VALLEY BOROUGH COUNCIL'), e('south ribble borough council'));
  assert.equal(body('LANCASHIRE COUNTY PENSION FUND'), null, 'a pension fund is not the council');
  assert.notEqual(e('LANCASHIRE COUNTY PENSION FUND'), e('Lancashire County Council'));
});

test('identifiers: the same company number joins different names; different numbers keep equal names apart', () => {
  const records = [
    org('A', 'Iris Software Grp T/A Contact Grp', { vat_no: 'GB678792853' }), org('B', 'Contact Group Payroll', { vat_no: '678 7928 53' }),
    org('A', 'Smith Electrical Ltd', { company_no: '01234567' }), org('B', 'Smith Electrical Limited', { company_no: '7654321' }),
    org('C', 'Smith Electrical', {}),
  ];
  const r = resolveSuppliers(records);
  const e = entityOf(records, r);
  assert.equal(e('Iris Software Grp T/A Contact Grp'), e('Contact Group Payroll'));
  assert.equal(r.assignments.find((a) => records[a.record].name === 'Contact Group Payroll')!.rule, 'vat-number');
  assert.notEqual(e('Smith Electrical Ltd'), e('Smith Electrical Limited'), 'two companies with one name');
});

test('trading names: "X Ltd T/A Y" joins "Y" when only one supplier trades as Y', () => {
  const records = [
    org('A', 'Milelands Ltd. t/a Holme House'), org('B', 'HOLME HOUSE'),
    org('A', 'Alpha Ltd T/A Driver Hire'), org('B', 'Beta Ltd T/A Driver Hire'), org('C', 'Driver Hire'),
  ];
  const r = resolveSuppliers(records);
  const e = entityOf(records, r);
  assert.equal(e('HOLME HOUSE'), e('Milelands Ltd. t/a Holme House'));
  assert.equal(r.assignments.find((a) => records[a.record].name === 'HOLME HOUSE')!.rule, 'trading-name');
  assert.notEqual(e('Alpha Ltd T/A Driver Hire'), e('Beta Ltd T/A Driver Hire'), 'two franchisees');
  assert.notEqual(e('Driver Hire'), e('Alpha Ltd T/A Driver Hire'), 'ambiguous: two suppliers trade as it');
});

test('names cut short by their file: a body whose longest names all stop at one length', () => {
  const cut = 'Reed Specialist Recruitment Ser'.slice(0, 25); // "Reed Specialist Recruitme"
  const records = [org('A', 'REED SPECIALIST RECRUITMENT SERVICES LTD'), org('B', cut), org('A', 'Reed Specialist Carpets')];
  // Body B cuts every long name at 25 characters.
  for (let i = 0; i < 10; i++) records.push(org('B', `Filler Name Number ${String(i).padStart(2, '0')} Ltd Abc`.slice(0, 25)));
  const r = resolveSuppliers(records);
  const e = entityOf(records, r);
  assert.equal(e(cut), e('REED SPECIALIST RECRUITMENT SERVICES LTD'));
  assert.equal(r.assignments.find((a) => records[a.record].name === cut)!.rule, 'fuzzy');
  assert.notEqual(e('Reed Specialist Carpets'), e(cut));
  // Without the cut (another body, whose names are not cut), the missing word is a different supplier.
  const whole = [org('A', 'REED SPECIALIST RECRUITMENT SERVICES LTD'), org('C', 'Reed Specialist Recruitment')];
  const w = resolveSuppliers(whole);
  assert.notEqual(w.assignments[0].entity, w.assignments[1].entity);
});

test('people\'s decisions win: "same" joins what matching would not; "different" splits what it would', () => {
  const records = [org('A', 'Zurich Municipal'), org('B', 'Zurich Insurance PLC'), org('A', 'Acme Ltd'), org('B', 'ACME LIMITED'), org('C', 'Acme')];
  const before = resolveSuppliers(records);
  const e0 = entityOf(records, before);
  assert.notEqual(e0('Zurich Municipal'), e0('Zurich Insurance PLC'));
  assert.equal(e0('Acme Ltd'), e0('ACME LIMITED'));
  const after = resolveSuppliers(records, { decisions: [
    { kind: 'same', name_a: 'zurich municipal', name_b: 'ZURICH INSURANCE PLC' },
    { kind: 'different', name_a: 'acme', name_b: 'acme ltd' }, { kind: 'different', name_a: 'acme', name_b: 'acme limited' },
  ] });
  const e = entityOf(records, after);
  assert.equal(e('Zurich Municipal'), e('Zurich Insurance PLC'));
  assert.equal(after.assignments.find((a) => records[a.record].name === 'Zurich Municipal')!.rule, 'user-merge');
  assert.equal(after.assignments.find((a) => records[a.record].name === 'Zurich Municipal')!.confidence, 1);
  assert.equal(e('Acme Ltd'), e('ACME LIMITED'));
  assert.notEqual(e('Acme'), e('Acme Ltd'));
});

test('hard negatives stay apart: holding companies, sister companies, numbered companies, different councils', () => {
  const pairs: [string, string][] = [
    ['SFL MOBILE RADIO HOLDINGS LTD', 'sfl mobile radio ltd'], ['Balfour Beatty Group Limited', 'Balfour Beatty Living Places Ltd'],
    ['Environments for Learning Leeds PFI Four', 'Environments For Learning Leeds Pfi Two'], ['WT UK OPCO 4 LTD', 'WT UK OPCO 5 LTD'],
    ['Healthwatch Kirklees', 'Healthwatch Suffolk CIC'], ['Dove Care Limited', 'Dovetail Care'],
  ];
  const records = pairs.flatMap(([a, b]) => [org('A', a), org('B', b)]);
  const r = resolveSuppliers(records, { matchBody });
  const e = entityOf(records, r);
  for (const [a, b] of pairs) assert.notEqual(e(`A|${a}`), e(`B|${b}`), `${a} / ${b}`);
});

test('deterministic: the same input gives the same entities, keys and explanations', () => {
  const records = [org('A', 'Alpha Ltd'), org('B', 'ALPHA LIMITED'), org('C', 'Beta Services'), org('A', 'Beta Svcs'), org('B', 'Gamma')];
  const a = resolveSuppliers(records), b = resolveSuppliers([...records]);
  assert.deepEqual(a.entities, b.entities);
  assert.deepEqual(a.assignments, b.assignments);
  assert.deepEqual(a.entities.map((x) => x.key).sort(), ['org-alpha', 'org-beta-services', 'org-gamma']);
});
