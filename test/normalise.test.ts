// Tests for src/ingest/normalise.ts: dates, money, text, payee kinds and flags, with real values from
// ../shared/data/spending (the real-data tests skip when that folder is absent).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { unzipSync } from 'fflate';
import ExcelJS from 'exceljs';
import {
  cleanText,
  financialYear,
  parseAmountPence,
  parseCapitalRevenue,
  parseCardFlag,
  parseDate,
  payeeKind,
  type Parsed,
} from '../src/ingest/normalise.ts';
import { noSharedData, sharedFile } from './helpers/shared-data.ts';

function ok<T>(r: Parsed<T>): T {
  if (!r.ok) assert.fail(`expected ok, got: ${r.reason}`);
  return r.value;
}

function reason<T>(r: Parsed<T>): string {
  if (r.ok) assert.fail(`expected a rejection, got ${JSON.stringify(r.value)}`);
  return r.reason;
}

// -------------------------------------------------------------------------------------------------
describe('parseDate', () => {
  const accepted: [unknown, string][] = [
    // The forms found in the real files.
    ['3 Apr 2023', '2023-04-03'],
    ['15 June 2023', '2023-06-15'],
    ['13 October 2023', '2023-10-13'],
    ['06 July 2023', '2023-07-06'],
    ['3-Apr-23', '2023-04-03'],
    ['18-May-23', '2023-05-18'],
    ['05/10/23', '2023-10-05'],
    ['14/12/2023', '2023-12-14'],
    ['30/06/2020', '2020-06-30'],
    ['2023-04-01', '2023-04-01'],
    ['2023-04-01T00:00:00', '2023-04-01'],
    ['2023-04-01T00:00:00.000', '2023-04-01'],
    ['2023-04-01 00:00:00', '2023-04-01'],
    ['2023-04-01 00:00', '2023-04-01'],
    ['20230401', '2023-04-01'],
    ['45017', '2023-04-01'],
    ['45078.0417', '2023-06-01'],
    [45017, '2023-04-01'],
    [45078.041666666664, '2023-06-01'], // Lancashire Fire: BST midnight stored as serial + 1 hour
    [45252, '2023-11-22'],
    [20230401, '2023-04-01'],
    // Other spellings.
    ['3 APR 2023', '2023-04-03'],
    ['3 apr 2023', '2023-04-03'],
    ['3 Sept 2023', '2023-09-03'],
    ['3 Sept. 2023', '2023-09-03'],
    ['3 Sep 2023', '2023-09-03'],
    ['3 September 2023', '2023-09-03'],
    ['3rd April 2023', '2023-04-03'],
    ['1st Jan 2024', '2024-01-01'],
    ['22nd Feb 2024', '2024-02-22'],
    ['3 April, 2023', '2023-04-03'],
    ['Mon 3 Apr 2023', '2023-04-03'],
    ['Monday, 3rd April 2023', '2023-04-03'],
    ['Thurs 6 July 2023', '2023-07-06'],
    ['April 3, 2023', '2023-04-03'],
    ['Apr 3 2023', '2023-04-03'],
    ['December 25th, 2023', '2023-12-25'],
    ['3/4/2023', '2023-04-03'],
    ['03-04-2023', '2023-04-03'],
    ['03.04.2023', '2023-04-03'],
    ['3.4.23', '2023-04-03'],
    ['2023/04/01', '2023-04-01'],
    ['2023.04.01', '2023-04-01'],
    ['2023-4-1', '2023-04-01'],
    ['14/12/2023 00:00', '2023-12-14'],
    ['14/12/2023 13:45:10', '2023-12-14'],
    ['14/12/2023 1:45 PM', '2023-12-14'],
    ['2023-04-01T12:30:00Z', '2023-04-01'],
    ['2023-04-01T00:00:00+01:00', '2023-04-01'],
    ['2023-04-01T00:00:00 +0100', '2023-04-01'],
    ['  3 Apr 2023  ', '2023-04-03'],
    ['\u00a014/12/2023\u00a0', '2023-12-14'],
    ['\ufeff2023-04-01', '2023-04-01'],
    // Leap years and boundaries.
    ['29/02/2024', '2024-02-29'],
    ['29/02/2000', '2000-02-29'],
    ['01/01/1990', '1990-01-01'],
    ['31/12/2100', '2100-12-31'],
    ['31/12/99', '2099-12-31'],
    ['01/01/00', '2000-01-01'],
    [32874, '1990-01-01'],
    [73415, '2100-12-31'],
  ];
  for (const [input, iso] of accepted) {
    it(`reads ${JSON.stringify(input)} as ${iso}`, () => assert.equal(ok(parseDate(input)), iso));
  }

  it('reads Date objects from an XLSX reader the way a UK user means them', () => {
    // UTC midnight, the BST-shifted 01:00, and a local midnight converted to UTC (23:00 the day before).
    assert.equal(ok(parseDate(new Date('2023-06-01T00:00:00Z'))), '2023-06-01');
    assert.equal(ok(parseDate(new Date('2023-06-01T01:00:00Z'))), '2023-06-01');
    assert.equal(ok(parseDate(new Date('2023-05-31T23:00:00Z'))), '2023-06-01');
    assert.equal(ok(parseDate(new Date('2023-05-31T22:00:00Z'))), '2023-06-01'); // CEST midnight
    assert.equal(ok(parseDate(new Date('2023-05-31T21:59:59Z'))), '2023-05-31');
    assert.equal(ok(parseDate(new Date('2023-06-01T12:00:00Z'))), '2023-06-01');
    assert.equal(ok(parseDate(new Date('2024-01-15T00:00:00Z'))), '2024-01-15');
    assert.equal(ok(parseDate(new Date('2024-03-31T23:00:00Z'))), '2024-04-01'); // BST starts 31 March 2024
    assert.equal(ok(parseDate(new Date('2023-12-31T23:30:00Z'))), '2024-01-01');
    // The same rule for ISO strings that say they are UTC, and for serial fractions.
    assert.equal(ok(parseDate('2023-05-31T23:00:00.000Z')), '2023-06-01');
    assert.equal(ok(parseDate('2023-05-31T23:00:00')), '2023-05-31'); // no zone: the written date
    assert.equal(ok(parseDate(45077.958333333336)), '2023-06-01'); // 23:00 on 31 May
    assert.equal(ok(parseDate('45077.9583')), '2023-06-01');
    assert.equal(ok(parseDate(45077.5)), '2023-05-31');
  });

  it('reads exceljs cell objects', () => {
    assert.equal(ok(parseDate({ formula: 'A1+1', result: new Date('2023-04-02T00:00:00Z') })), '2023-04-02');
    assert.equal(ok(parseDate({ richText: [{ text: '3 Apr ' }, { text: '2023' }] })), '2023-04-03');
    assert.equal(ok(parseDate({ text: '14/12/2023', hyperlink: 'x' })), '2023-12-14');
  });

  it('shares one frozen result per day (no allocation for a parsed date)', () => {
    const a = parseDate('2023-04-01');
    assert.equal(a, parseDate('01/04/2023'));
    assert.equal(a, parseDate(45017));
    assert.equal(a, parseDate(new Date('2023-04-01T01:00:00Z')));
    assert.ok(Object.isFrozen(a));
  });

  it('round-trips every day from 1990 to 2100 in every style', () => {
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    const full = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
    const p2 = (n: number) => String(n).padStart(2, '0');
    const start = Date.UTC(1990, 0, 1);
    const end = Date.UTC(2100, 11, 31);
    let n = 0;
    for (let t = start; t <= end; t += 86_400_000) {
      const d = new Date(t);
      const y = d.getUTCFullYear();
      const m = d.getUTCMonth() + 1;
      const day = d.getUTCDate();
      const iso = `${y}-${p2(m)}-${p2(day)}`;
      const serial = t / 86_400_000 + 25_569;
      const forms: unknown[] = [iso, `${p2(day)}/${p2(m)}/${y}`, `${day} ${months[m - 1]} ${y}`, `${day} ${full[m - 1]} ${y}`, serial, String(serial), serial + 1 / 24, d, new Date(t + 3_600_000), new Date(t - 3_600_000)];
      if (y >= 2000 && y <= 2099) forms.push(`${p2(day)}/${p2(m)}/${p2(y % 100)}`, `${day}-${months[m - 1]}-${p2(y % 100)}`);
      for (const f of forms) {
        const r = parseDate(f);
        if (!r.ok || r.value !== iso) assert.fail(`${String(f)}: expected ${iso}, got ${JSON.stringify(r)}`);
        n++;
      }
    }
    assert.ok(n > 400_000);
  });

  const rejected: [unknown, string][] = [
    ['31/02/2023', "'31/02/2023' is not a real date"],
    ['29/02/2023', "'29/02/2023' is not a real date"],
    ['00/01/2023', "'00/01/2023' is not a real date"],
    ['32/01/2023', "'32/01/2023' is not a real date"],
    ['14/13/2023', "'14/13/2023' is not a real date"],
    ['2023-02-30', "'2023-02-30' is not a real date"],
    ['20230231', "'20230231' is not a real date"],
    ['31 Feb 2023', "'31 Feb 2023' is not a real date"],
    ['', 'date is empty'],
    ['   ', 'date is empty'],
    ['\u00a0', 'date is empty'],
    [null, 'date is empty'],
    [undefined, 'date is empty'],
    ['next week', "'next week' is not a date we can read"],
    ['N/A', "'N/A' is not a date we can read"],
    ['TBC', "'TBC' is not a date we can read"],
    ['3 Apr', "'3 Apr' is not a date we can read"],
    ['Apr 2023', "'Apr 2023' is not a date we can read"],
    ['April', "'April' is not a date we can read"],
    ['3 Foo 2023', "'3 Foo 2023' is not a date we can read"],
    ['3 Ap 2023', "'3 Ap 2023' is not a date we can read"],
    ['3 Aprilx 2023', "'3 Aprilx 2023' is not a date we can read"],
    ['05 10 23', "'05 10 23' is not a date we can read"],
    ['05/10-23', "'05/10-23' is not a date we can read"],
    ['05/10/202', "'05/10/202' is not a date we can read"],
    ['05/10/20234', "'05/10/20234' is not a date we can read"],
    ['2023-04-01 foo', "'2023-04-01 foo' is not a date we can read"],
    ['2023-04-01T', "'2023-04-01T' is not a date we can read"],
    ['14/12/2023 25:00', "'14/12/2023 25:00' is not a date we can read"],
    ['1.5', "'1.5' is not a date we can read"],
    ['-45017', "'-45017' is not a date we can read"],
    ['45017.', "'45017.' is not a date we can read"],
    ['123456789012', "'123456789012' is not a date we can read"],
    [true, "'true' is not a date we can read"],
    [{}, "'{}' is not a date we can read"],
    [Number.NaN, "'NaN' is not a date we can read"],
    [0, "'0' is not a date we can read"],
    [-1, "'-1' is not a date we can read"],
    [new Date(Number.NaN), "'Invalid Date' is not a real date"],
    ['01/01/1989', "'01/01/1989' is outside the years we accept (1990 to 2100)"],
    ['1899-12-31', "'1899-12-31' is outside the years we accept (1990 to 2100)"],
    ['01/01/2101', "'01/01/2101' is outside the years we accept (1990 to 2100)"],
    [new Date('1985-06-01T00:00:00Z'), "'1985-06-01T00:00:00.000Z' is outside the years we accept (1990 to 2100)"],
    [12, "'12' read as an Excel day number is 1900-01-12, outside the years we accept (1990 to 2100)"],
    ['2023', "'2023' read as an Excel day number is 1905-07-15, outside the years we accept (1990 to 2100)"],
    [32873, "'32873' read as an Excel day number is 1989-12-31, outside the years we accept (1990 to 2100)"],
    [73416, "'73416' read as an Excel day number is 2101-01-01, outside the years we accept (1990 to 2100)"],
  ];
  for (const [input, why] of rejected) {
    it(`rejects ${JSON.stringify(input) ?? String(input)}: ${why}`, () => assert.equal(reason(parseDate(input)), why));
  }

  it('quotes long values shortly in its reasons', () => {
    const why = reason(parseDate('x'.repeat(200)));
    assert.ok(why.length < 100, why);
    assert.match(why, /^'x{57}\.\.\.' is not a date we can read$/);
  });
});

// -------------------------------------------------------------------------------------------------
describe('financialYear', () => {
  const cases: [string, string][] = [
    ['2024-03-31', '2023-24'],
    ['2024-04-01', '2024-25'],
    ['1999-05-01', '1999-00'],
    ['2000-01-01', '1999-00'],
    ['2000-04-01', '2000-01'],
    ['2009-04-30', '2009-10'],
    ['1990-01-01', '1989-90'],
    ['2099-12-31', '2099-00'],
    ['2100-12-31', '2100-01'],
    ['2023-04-01T00:00:00', '2023-24'],
    ['2023-12-25', '2023-24'],
  ];
  for (const [iso, fy] of cases) it(`${iso} -> ${fy}`, () => assert.equal(financialYear(iso), fy));

  it('throws on anything but an ISO date', () => {
    for (const bad of ['', '2023', '23-04-01', '01/04/2023', '2023-13-01', '2023-00-01', 'abcd-01-01', '2023/04/01']) {
      assert.throws(() => financialYear(bad), TypeError, bad);
    }
  });

  it('agrees with parseDate across the whole range', () => {
    for (let y = 1990; y <= 2100; y++) {
      assert.equal(financialYear(ok(parseDate(`31/03/${y}`))), `${y - 1}-${String(y % 100).padStart(2, '0')}`);
      assert.equal(financialYear(ok(parseDate(`01/04/${y}`))), `${y}-${String((y + 1) % 100).padStart(2, '0')}`);
    }
  });
});

// -------------------------------------------------------------------------------------------------
describe('parseAmountPence', () => {
  const accepted: [unknown, number][] = [
    // Real forms.
    ['£322.50', 32250],
    ['1,708.75', 170875],
    ['"1,708.75"', 170875],
    ['16,395.00', 1639500],
    ['£1,568.26', 156826],
    ['£2,220.00', 222000],
    ['900.2', 90020],
    [' 900.2 ', 90020],
    ['160', 16000],
    ['-1234.56', -123456],
    ['0.00', 0],
    [9533.910000000003, 953391],
    [756.5699999999999, 75657],
    [41299.58000000002, 4129958],
    [40417.65999999999, 4041766],
    [1694.9399999999998, 169494],
    [794, 79400],
    [-1096.4, -109640],
    // Signs.
    ['(123.45)', -12345],
    ['( 123.45 )', -12345],
    ['123.45-', -12345],
    ['123.45 -', -12345],
    ['-£5', -500],
    ['£-5.00', -500],
    ['- £5.00', -500],
    ['(£5.00)', -500],
    ['£(5.00)', -500],
    ['+5', 500],
    ['\u22125.00', -500],
    ['100.00 CR', -10000],
    ['100.00CR', -10000],
    ['100.00 cr', -10000],
    ['100.00 DR', 10000],
    ['-0', 0],
    ['-0.00', 0],
    ['(0.00)', 0],
    [-0, 0],
    // Currency and spacing.
    ['GBP 10', 1000],
    ['GBP10', 1000],
    ['10 GBP', 1000],
    ['gbp 10.5', 1050],
    ['10£', 1000],
    ['Â£12.00', 1200], // windows-1252 mojibake of a UTF-8 '£'
    ['\u00a0 1,000\u00a0', 100000],
    ['\t5\r\n', 500],
    ['1 234.56', 123456],
    ['1\u00a0234\u00a0567.89', 123456789],
    ['1\u202f234.56', 123456],
    ['1,234,567', 123456700],
    ['1,234,567.891', 123456789],
    // Decimals and rounding: half away from zero on the third decimal as written.
    ['.5', 50],
    ['5.', 500],
    ['-.5', -50],
    ['00012.50', 1250],
    ['0.005', 1],
    ['0.0049999', 0],
    ['-0.005', -1],
    ['-0.004', 0],
    ['1.005', 101],
    ['2.675', 268],
    ['1.994', 199],
    ['1.995', 200],
    ['999.999', 100000],
    [1.005, 101],
    [-1.005, -101],
    [2.675, 268],
    [1.015, 102],
    [0.1 + 0.2, 30],
    [0.1 + 0.7, 80],
    [1.1 * 3, 330],
    [0.125, 13],
    [-0.125, -13],
    [1e-7, 0],
    // Exponents.
    ['1.5e3', 150000],
    ['1.5E+3', 150000],
    ['15e-1', 150],
    ['1e-7', 0],
    ['1.2345e2', 12345],
    ['1e13', 1_000_000_000_000_000],
    // Large values: up to 1e13 pounds and the largest safe pence.
    [1e13, 1_000_000_000_000_000],
    [-1e13, -1_000_000_000_000_000],
    ['10000000000000.00', 1_000_000_000_000_000],
    ['90071992547409.91', Number.MAX_SAFE_INTEGER],
    ['-90071992547409.91', -Number.MAX_SAFE_INTEGER],
    [90071992547409.9, Number.MAX_SAFE_INTEGER - 1], // the double nearest 90071992547409.91 prints as ...409.9
    [4294967295.995, 429496729600],
    [4294967296.5, 429496729650],
    // Other carriers.
    [BigInt(12), 1200],
    [{ formula: 'SUM(A1:A3)', result: 9533.910000000003 }, 953391],
    [{ richText: [{ text: '1,708' }, { text: '.75' }] }, 170875],
  ];
  for (const [input, pence] of accepted) {
    it(`reads ${typeof input === 'bigint' ? `${input}n` : JSON.stringify(input)} as ${pence}`, () => {
      const v = ok(parseAmountPence(input));
      assert.equal(v, pence);
      assert.ok(!Object.is(v, -0), 'never negative zero');
    });
  }

  const rejected: [unknown, string][] = [
    ['', 'amount is empty'],
    ['   ', 'amount is empty'],
    ['""', 'amount is empty'],
    [null, 'amount is empty'],
    [undefined, 'amount is empty'],
    ['N/A', "'N/A' is not an amount"],
    ['nil', "'nil' is not an amount"],
    ['£', "'£' is not an amount"],
    ['-', "'-' is not an amount"],
    ['£12.50 each', "'£12.50 each' is not an amount"],
    ['5%', "'5%' is not an amount"],
    ['0x10', "'0x10' is not an amount"],
    ['1e', "'1e' is not an amount"],
    ['e5', "'e5' is not an amount"],
    ['Infinity', "'Infinity' is not an amount"],
    [Number.NaN, "'NaN' is not an amount"],
    [Number.POSITIVE_INFINITY, "'Infinity' is not an amount"],
    [true, "'true' is not an amount"],
    [new Date('2023-04-01T00:00:00Z'), "'2023-04-01T00:00:00.000Z' is not an amount"],
    ['£10£', "'£10£' is not an amount"],
    ['12.50 13.00', "'12.50 13.00' is not a single amount"],
    ['12 50', "'12 50' is not a single amount"],
    ['1  234', "'1  234' is not a single amount"],
    ['100 CR 5', "'100 CR 5' is not a single amount"],
    ['1.2.3', "'1.2.3' has more than one decimal point"],
    ['1..5', "'1..5' has more than one decimal point"],
    ['12,50', "'12,50' has a comma that is not a thousands separator (decimal commas are not accepted)"],
    ['1241,32', "'1241,32' has a comma that is not a thousands separator (decimal commas are not accepted)"],
    ['1,2345', "'1,2345' has a comma that is not a thousands separator (decimal commas are not accepted)"],
    ['1,234,5', "'1,234,5' has a comma that is not a thousands separator (decimal commas are not accepted)"],
    ['1234,567.00', "'1234,567.00' has a comma that is not a thousands separator (decimal commas are not accepted)"],
    ['1,23.00', "'1,23.00' has a comma that is not a thousands separator (decimal commas are not accepted)"],
    ['1.234,56', "'1.234,56' has a comma that is not a thousands separator (decimal commas are not accepted)"],
    [',123', "',123' has a comma that is not a thousands separator (decimal commas are not accepted)"],
    ['--5', "'--5' has more than one sign"],
    ['-5-', "'-5-' has more than one sign"],
    ['(-5)', "'(-5)' has more than one sign"],
    ['-5 CR', "'-5 CR' has more than one sign"],
    ['(5', "'(5' has an unmatched bracket"],
    ['5)', "'5)' has an unmatched bracket"],
    ['90071992547409.92', "'90071992547409.92' is too large to hold exactly in pence"],
    ['1e16', "'1e16' is too large to hold exactly in pence"],
    ['1e99999', "'1e99999' is too large to hold exactly in pence"],
    [1e15, "'1000000000000000' is too large to hold exactly in pence"],
    [1.5e300, "'1.5e+300' is too large to hold exactly in pence"],
    ['123456789012345678901234567890', "'123456789012345678901234567890' is too large to hold exactly in pence"],
  ];
  for (const [input, why] of rejected) {
    it(`rejects ${JSON.stringify(input) ?? String(input)}: ${why}`, () => assert.equal(reason(parseAmountPence(input)), why));
  }

  // An independent reference: exact decimal arithmetic with BigInt on the written digits.
  function referencePence(s: string): bigint {
    const neg = s.startsWith('-');
    const body = neg ? s.slice(1) : s;
    const [whole, frac = ''] = body.split('.');
    const f = (frac + '000').slice(0, 3);
    let p = BigInt(whole || '0') * 100n + BigInt(f.slice(0, 2));
    if (Number(f[2]) >= 5) p += 1n;
    return neg ? -p : p;
  }

  it('matches exact decimal arithmetic on 50,000 random decimal strings', () => {
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 50_000; i++) {
      const whole = String(Math.floor(rnd() * 10 ** Math.floor(rnd() * 14)));
      const fracLen = Math.floor(rnd() * 7);
      let frac = '';
      for (let k = 0; k < fracLen; k++) frac += Math.floor(rnd() * 10);
      const s = (rnd() < 0.3 ? '-' : '') + whole + (fracLen ? '.' + frac : '');
      const expected = referencePence(s);
      const got = parseAmountPence(s);
      if (!got.ok || BigInt(got.value) !== expected) assert.fail(`${s}: expected ${expected}, got ${JSON.stringify(got)}`);
      // The same number with thousands separators and a pound sign.
      const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
      const s2 = (s.startsWith('-') ? '-£' : '£') + grouped + (fracLen ? '.' + frac : '');
      const got2 = parseAmountPence(s2);
      if (!got2.ok || BigInt(got2.value) !== expected) assert.fail(`${s2}: expected ${expected}, got ${JSON.stringify(got2)}`);
    }
  });

  it('reads numbers exactly as their shortest decimal (fast path = decimal path) on 300,000 values', () => {
    let seed = 777;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const f64 = new Float64Array(1);
    const i64 = new BigInt64Array(f64.buffer);
    const nudge = (x: number, ulps: number) => {
      f64[0] = x;
      i64[0] += BigInt(ulps);
      return f64[0];
    };
    const check = (x: number) => {
      if (!Number.isFinite(x)) return;
      const viaNumber = parseAmountPence(x);
      const viaString = parseAmountPence(String(x));
      assert.deepEqual(viaNumber, viaString, `number ${x} vs string ${String(x)}`);
      const written = String(x);
      if (viaString.ok && !written.includes('e')) assert.equal(BigInt(viaString.value), referencePence(written), written);
    };
    for (let i = 0; i < 50_000; i++) {
      const k = Math.floor(rnd() * 1e9) - 5e8;
      check(k / 100); // whole pence
      check(k / 1000); // half pennies and near misses
      check((k + 0.5) / 100);
      check(nudge(k / 1000, 1));
      check(nudge(k / 1000, -1));
      check((rnd() - 0.5) * 10 ** Math.floor(rnd() * 16)); // any magnitude
    }
    // Sums of typical amounts accumulate float noise (9533.910000000003 in the real PCC file).
    let acc = 0;
    for (let i = 0; i < 5_000; i++) {
      acc += Math.round(rnd() * 100_000) / 100;
      check(acc);
      check(-acc);
    }
  });
});

// -------------------------------------------------------------------------------------------------
describe('cleanText', () => {
  const cases: [unknown, string | null][] = [
    ['Absolute Care at Home Ltd', 'Absolute Care at Home Ltd'],
    ['  P & C G ', 'P & C G'],
    ['Capita  Business Services Ltd', 'Capita Business Services Ltd'],
    ['a \t b\u00a0\u00a0c\r\nd', 'a b c d'],
    ['line one\nline two', 'line one line two'],
    ['tab\there', 'tab here'],
    ['bell\u0007char', 'bellchar'],
    ['nul\u0000x', 'nulx'],
    ['\u0085next line', 'next line'],
    ['c1\u0092control', 'c1control'],
    ['zero\u200bwidth', 'zerowidth'],
    ['\ufeffBOM first', 'BOM first'],
    ['soft\u00adhyphen', 'softhyphen'],
    ['thin\u2009space', 'thin space'],
    ['narrow\u202fnbsp', 'narrow nbsp'],
    ['ideographic\u3000space', 'ideographic space'],
    ['  ', null],
    ['', null],
    ['\u00a0\t\r\n', null],
    ['\u0000\u0001', null],
    [null, null],
    [undefined, null],
    [12.5, '12.5'],
    [0, '0'],
    [-0, '0'],
    [1e21, '1e+21'],
    [Number.NaN, null],
    [true, 'true'],
    [BigInt(7), '7'],
    [new Date('2023-06-01T01:00:00Z'), '2023-06-01'],
    [{ richText: [{ text: 'Rich ' }, { text: ' text' }] }, 'Rich text'],
    [{ text: 'Link', hyperlink: 'http://x' }, 'Link'],
    [{ formula: 'A1', result: 42 }, '42'],
    [{ error: '#N/A' }, '#N/A'],
    [{}, null],
    ['Café Ñandú — “quoted”', 'Café Ñandú — “quoted”'],
    ['emoji 😀 kept', 'emoji 😀 kept'],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(typeof input === 'bigint' ? String(input) : input)} -> ${JSON.stringify(expected)}`, () => assert.equal(cleanText(input), expected));
  }

  it('returns the same string when nothing needs doing', () => {
    const s = 'Lancashire County Council';
    assert.equal(cleanText(s), s);
  });
});

// -------------------------------------------------------------------------------------------------
// Real payee names, by the file they come from (checked against the files below when present).
const REAL_INDIVIDUALS: Record<string, string[]> = {
  'greater_manchester/salford_2022-04_clean.csv': ['Laura Mcaughtrie'],
  'greater_manchester/trafford_supplier_spend_2024-25.zip': ["Michael O'Sullivan", 'Dr KS Kotegaonkar & Mr SR Latimer', 'Professor Michael Preston-Shoot', 'Claire Nicholls MRCVS', 'Mrs Elayne Green', 'Harriet Eccleston', 'Cameron Reynolds'],
  'lancashire/hyndburn/hyndburn_2023-04.csv': ['Mr Dean Underwood', 'Mr Gulmuwaz Khan Raja', 'Mr John Barrett', 'Peter Jackson', 'Greenfield A F', 'Scott Mitchell'],
  'lancashire/hyndburn/hyndburn_2023-05.csv': ['Alan Rhodes'],
  'lancashire/hyndburn/hyndburn_2023-06.csv': ['Mr Ian Ponter', 'Rob Mercer'],
  'lancashire/hyndburn/hyndburn_2023-07.csv': ['Hina Qureshi', 'Peter Cookson'],
  'lancashire/hyndburn/hyndburn_2023-09.csv': ['J PARKER', 'Mark Pollitt', 'Mr R Wilcock', 'Mr Sam Airey', 'Ms Stephanie Hall'],
  'lancashire/hyndburn/hyndburn_2023-10.csv': ['Steven Hartley Mrtpi Mrics', 'Miss Constanze Bell', 'P Fitzpatrick', 'Stephen W Wood'],
  'lancashire/hyndburn/hyndburn_2023-11.csv': ['Mr Leo Charalambides', 'Peter Walsh'],
  'lancashire/hyndburn/hyndburn_2024-01.csv': ['Cath Ford'],
  'lancashire/hyndburn/hyndburn_2024-03.csv': ['F G ROWLAND', 'Michael Gallagher'],
  'lancashire/hyndburn/layout-variants/hyndburn_2017-01_old-layout.csv': ['IAN G SCHOLES', 'J W PRICE', 'MR R WILCOCK'],
  'lancashire/lancashire_fire/lancashire_fire_2023-24.xlsx': ['carol haythornthwaite', 'mark nolan'],
  'lancashire/lancashire_pcc/lancashire_pcc_2023-24.xlsx': ['DR A F F GHALY', 'DR NEIL PAPWORTH CONSULTANT NEUROPATHOLOGIST', 'MISS CHELSEA BROOKE WARD', 'MR ABDUL-JABBAR GHAURI', 'MR JOHN-PAUL WAITE', 'PROFESSOR SAFA T AL-SARRAJ', 'ANTONY HIGGINBOTHAM MP', 'JOHN BEGGS QC', 'TONY WHITTLE QPM', 'MS VICTORIA VON WACHTER', 'MISS H M FERNANDES'],
  'nhs/nhs_gloucestershire_and_somerset_icb_payments.xlsx': ['DR SUSAN STENSON', 'DR T G J HEALY', 'STEVEN BELFITT', 'DR KIERON BHARGAVA'],
  'other_councils/babergh_district_council_payments.xlsx': ['Ray Oliver', 'MR A D WAIN', 'Mr Nic Bliss', 'SUSAN M MORGAN', 'ROY M LEWIS', 'Janice Nuth'],
  'west_yorkshire/bradford_2019-12_clean.csv': ['MR H & MRS M EMAMBOCUS', 'MR CHRISTIAN DURHAM HALL', 'MR TIMOTHY STRAKER QC', 'DR SYED ASHRAF SYED ABDUL RAHMAN', "MISS JOANNE O'SHEA", 'NICOLA  J FOX', 'SUSAN LESLEY MITCHELL', 'VICTORIA NORTON', 'KHALID HUSSAIN', 'GILLIAN IRVING QC', 'MS MEHVISH CHAUDHRY', 'MRS ZABEEN AKHTAR'],
  'west_yorkshire/calderdale_2020-06_clean.csv': ['Dr Deborah Marks', 'Mrs Philippa Spencer', 'Alice Marshall-McHugh', 'Marilyn Wardroper'],
  'west_yorkshire/leeds_2020-06_raw.csv': ['Mr TF Reilly & Mrs A Reilly', 'Ahmed Moustafa Moustafa Mousa', 'Sylvia Saddik-Ibrahim', 'Rafal Mlynarski', 'Irina Borcan', 'IONUT ROBERT VALETIN ROVENTA', 'M S A Fadl', 'Amjad Hussain', 'Charles Gower-Smith', 'A P Wood', 'Lewis Donnelly'],
};

const REAL_ORGANISATIONS: Record<string, string[]> = {
  'greater_manchester/manchester_2022-03_clean.csv': ['Bury M.B.C.', 'Trafford M B C', 'Gerald Eve', 'Azhar Enterrprises', 'David Lewis Organisation', 'Ralph Livesey Ltd'],
  'greater_manchester/salford_2022-04_clean.csv': ['Iz *Kevin Booth Pa', 'Pauline Does Safehands Childminding'],
  'greater_manchester/trafford_supplier_spend_2024-25.zip': ['Dr Patel Shay Lane Medical Centre', 'Dr Grange and Associates', 'Absolute Care at Home Ltd'],
  'lancashire/hyndburn/hyndburn_2023-04.csv': ['Neil Howard Ltd'],
  'lancashire/hyndburn/hyndburn_2023-05.csv': ['Victoria Glass Joinery & Plumbing Ltd', 'Accrington Stanley Community Trust'],
  'lancashire/hyndburn/hyndburn_2023-06.csv': ['Luke Howgate & Son Ltd', 'Rhea Projects', 'Butler Rose', 'Proffitts', 'B H Audio', 'NATWEST', 'DVLA'],
  'lancashire/hyndburn/hyndburn_2023-07.csv': ['Chris Danby Memorials', 'Christina May Limited', 'Victoria Flower Shop', 'Citizens Advice Rossendale & Hyndburn Ltd', 'Redactive Publishing Ltd'],
  'lancashire/hyndburn/hyndburn_2023-08.csv': ['Garth Dawson Studio'],
  'lancashire/hyndburn/hyndburn_2023-09.csv': ['Tom Benson Photography'],
  'lancashire/hyndburn/hyndburn_2023-10.csv': ['Brent Stevenson Memorials', 'Keith Clement Auto Electrical Service Limited'],
  'lancashire/hyndburn/hyndburn_2023-11.csv': ['Richard Campey Limited', 'Precious Metals', 'L I T E'],
  'lancashire/hyndburn/hyndburn_2024-01.csv': ['Dick Leigh Chainsaw Specialist', 'John Hogg Cleaning'],
  'lancashire/hyndburn/hyndburn_2024-02.csv': ['Thomas Roofs', 'Roy Cattermole (Tree Surgeon)', 'Han Tucker Associates', 'BURNLEY COLLEGE', 'Grant Thornton Uk Llp'],
  'lancashire/hyndburn/hyndburn_2024-03.csv': ['John Everiss Design', 'Paul Walsh Groundwork & Plant Hire', 'Sweet Reminiscing By Sharon Rose', 'Milly`s Smiles', 'Streetmellor', 'Woody (Hyndburn) C I C', 'EDF - 7368808979 Accrington Town Hall'],
  'lancashire/hyndburn/layout-variants/hyndburn_2017-01_old-layout.csv': ['ST JOHN AMBULANCE'],
  'lancashire/lancashire_fire/lancashire_fire_2023-24.xlsx': ['hyndburn borough council', 'lancashire county council', 'reid jones partnership', 'bates office services ltd'],
  'lancashire/lancashire_pcc/lancashire_pcc_2023-24.xlsx': ['DR P D LUMB T/A HIGH PEAK FORENSICS LTD', 'THIRD PARTY FORENSIC SERVICES', 'PERSONAL BEST LIFE COACHING', 'K N TRANSMISSIONS'],
  'nhs/nhs_gloucestershire_and_somerset_icb_payments.xlsx': ['DR J E FOSTER & PARTNERS', 'MARIE CURIE', 'SUE RYDER', 'LEONARD CHESHIRE DISABILITY', 'GLOUCESTERSHIRE COUNTY COUNCIL'],
  'other_councils/babergh_district_council_payments.xlsx': ['MR BEAN ENTERTAINMENTS', 'Lord Thurlow Hall', 'Carter Jonas', 'A B CONTRACTS', 'TOM HOBDEN DANCE'],
  'west_yorkshire/bradford_2019-12_clean.csv': ['MR J P ROSS T/A JPR JOINERY', 'LADY LANE PARK SCHOOL', 'WILLOW VIEW', 'SANDRA BRANNAN CHILDMINDING', 'PHILIP WEBB LITERACY'],
  'west_yorkshire/calderdale_2020-06-card_clean.csv': ["MR THOMAS'S", 'PAYPAL *LISA CHERRY'],
  'west_yorkshire/leeds_2020-06_raw.csv': ['Personal Care Specialists Ltd', 'Leonard Cheshire', 'Dennis Eagle', 'HARVEY NICHOLS & CO LTD', 'ADRIAN HOUSE', 'ALEXANDRA COURT', 'HARRY PRIESTLEY HOUSE', 'Mary Fisher House', 'IVY COTTAGE', 'Ivy Mead', 'HOLLY HOUSE', 'OLIVER CROFT - LIFEWAYS', 'P H PLANT', 'Alexandra Website', 'Elderthorpe R H', 'THOMAS OWEN N H', 'Amz*amazon.Co.Uk', 'A ANDREWS & SONS (MARBLES & TILES)'],
};

// Every distinct masked-payee spelling in the real files (they cover 80,000+ rows between them).
const REAL_REDACTED: Record<string, string[]> = {
  'greater_manchester/manchester_2022-03_clean.csv': ['Redacted Personal Information'],
  'greater_manchester/salford_2022-04_clean.csv': ['Redacted Data'],
  'greater_manchester/trafford_supplier_spend_2024-25.zip': ['Redacted'],
  'lancashire/lancashire_pcc/lancashire_pcc_2023-24.xlsx': ['THIRD PARTY', 'THIRD PARTY SUPPLIER'],
  'nhs/nhs_gloucestershire_and_somerset_icb_payments.xlsx': ['REDACTED'],
  'other_councils/babergh_district_council_payments.xlsx': ['PRIVATE LANDLORD', 'Private Landlord', 'Compensation Claimant', 'Compensation claimant', 'Grant Recipient', 'Grant recipient'],
  'west_yorkshire/calderdale_2020-06_clean.csv': ['REDACTED PERSONAL DATA'],
  'west_yorkshire/leeds_2020-06_raw.csv': ['REDACTED COMMERCIAL CONFIDENTIALITY'],
};

const count = (g: Record<string, string[]>) => Object.values(g).reduce((n, l) => n + l.length, 0);

describe('payeeKind', () => {
  it('has 60+ real examples of individuals and organisations', () => {
    assert.ok(count(REAL_INDIVIDUALS) >= 60, String(count(REAL_INDIVIDUALS)));
    assert.ok(count(REAL_ORGANISATIONS) >= 60, String(count(REAL_ORGANISATIONS)));
  });

  for (const [kind, groups] of [['individual', REAL_INDIVIDUALS], ['organisation', REAL_ORGANISATIONS], ['redacted', REAL_REDACTED]] as const) {
    for (const [file, names] of Object.entries(groups)) {
      it(`real ${kind}s from ${file}`, () => {
        for (const name of names) assert.equal(payeeKind(name), kind, name);
      });
    }
  }

  it('redacted: the masks public bodies use', () => {
    for (const name of [
      'REDACTED', 'Redacted Personal Information', 'REDACTED PERSONAL DATA', 'THIRD PARTY SUPPLIER', 'THIRD PARTY',
      'Third Party Payment', 'Personal Data', 'Personal Information', 'Name withheld', 'Withheld', 'WITHHELD',
      'Not disclosed', 'Not Disclosed - Personal Data', 'Undisclosed', 'Undisclosed supplier', 'Private individual',
      'Private Individual', 'Individual', 'Individuals', 'Confidential', 'Commercially Sensitive',
      'Commercially Confidential', 'Data Protection', 'Data Protection Act', 'Personal Information Withheld',
      'Payee name withheld', 'Supplier details withheld', 'Personal Data Redacted', 'Redacted - personal data',
      'Withheld under GDPR', 'GDPR', 'Sensitive', 'Sensitive data', 'Anonymised', 'Service User', 'Service Users',
      'Member of the Public', 'Private Landlord', 'Housing Benefit Claimant', 'Grant Recipient', 'Removed',
      '*******', '***', '**** ****', 'J****** S****', 'Mr S******', '#####', 'XXXX', 'xxx xxx', 'XXXXXXXX',
      '  redacted  ', 'Redacted (personal data)', 'Payee withheld - data protection',
    ]) {
      assert.equal(payeeKind(name), 'redacted', name);
    }
  });

  it('individual: titles, given names, initials and the comma form', () => {
    for (const name of [
      'Scott Mitchell', 'Mr J Smith', 'Mrs A. Patel', 'SMITH, JOHN', 'Smith, John', 'Smith, Mr J', 'SMITH, JOHN PAUL',
      "O'Brien, Siobhan", 'Steven Hartley Mrtpi Mrics', 'Dr Jane Doe', 'Dr. Jane Doe', 'Mr & Mrs Smith',
      'Mr and Mrs J Smith', 'Mrs J Smith & Mr K Smith', 'Ms Priya Sharma', 'Prof Brian Cox', 'Rev. John Wesley',
      'Cllr Ann Jones', 'Sir Keith Porter', 'Miss A', 'Muhammad Imran Khan', 'Gurpreet Kaur', 'Agnieszka Nowak',
      'Siobhan Murphy', 'Oluwaseun Adeyemi', 'Jane Smith-Jones', 'John Smith Jnr', 'Mr John Smith (Refund)',
      'J P Smith', 'SMITH J A', 'Victoria Francis', 'Rose M Smith', 'Peter Hall', 'Charlotte Church',
      'Mr Christian Durham Hall', 'Mr', 'Mr & Mrs',
    ]) {
      assert.equal(payeeKind(name), 'individual', name);
    }
  });

  it('organisation: a forename followed by a trade word, firms named after people, places', () => {
    for (const name of [
      'Victim Support Lancashire', 'Burnley College', 'Scott Mitchell Associates', 'John Lewis Partnership',
      'John Lewis', 'Marks & Spencer', 'St John Ambulance', 'Saint John Ambulance', 'Thomas Cook Ltd', 'Thomas Cook',
      'Jordan Tree Surgery', 'Grant Thornton', 'Morgan Sindall', 'Irwin Mitchell', 'Bevan Brittan', 'Sue Ryder',
      'Marie Curie', 'John Smith Plumbing', 'John Smith & Sons', 'John Smith and Co', 'Smith & Jones',
      'John Smith T/A Smith Plumbing', 'John Smith trading as Smithy', 'Peter Smith (Builders)',
      'Victoria Park', 'Grace Church', 'Holly Lodge', 'Rose Hill', 'Ivy Cottage', 'Hope Street', 'Amber Cars',
      'Morgan Hunt', 'Jack Wills', 'Emma Bridgewater', 'John West', 'Plan B', 'Channel 4', 'Hotel 99',
      '1st Choice Frames Ltd', 'ALLPAY.NET', 'SQ *JOHN SMITH', 'John Smith 123', 'John Smith + Partners',
      "Sarah's Cakes", 'Mr Clean Services Ltd', 'Dr Foster & Partners', 'Dr Smith Consultancies', 'Mr &', 'Lancashire County Council',
      'NHS Gloucestershire ICB', 'Bury M.B.C.', 'Smith M B C', 'Smith C I C', 'Various', 'Refund',
      'Personal Budget', 'Private Hire Taxis', 'Individual Service Funds Ltd', 'Third Party Forensic Services',
      'Redactive Publishing Ltd', 'Data Protection Services Ltd', 'Confidential Shredding Ltd',
    ]) {
      assert.equal(payeeKind(name), 'organisation', name);
    }
  });

  it('unknown: nothing there', () => {
    for (const name of [null, '', '   ', '\u00a0', '-', '.', '?', '12345', '0', 'N/A', 'n/a', 'NA', 'None', 'Unknown', 'TBC', '#N/A', '**']) {
      assert.equal(payeeKind(name), 'unknown', String(name));
    }
  });

  it('is case and spacing insensitive and stable on repeat (cached)', () => {
    for (const name of ['scott mitchell', 'SCOTT MITCHELL', '  Scott   Mitchell  ', 'Scott\u00a0Mitchell']) {
      assert.equal(payeeKind(name), 'individual', name);
      assert.equal(payeeKind(name), 'individual', name);
    }
  });
});

// -------------------------------------------------------------------------------------------------
describe('parseCapitalRevenue', () => {
  const cases: [unknown, 'capital' | 'revenue' | null][] = [
    ['C', 'capital'], ['c', 'capital'], ['Capital', 'capital'], ['CAPITAL', 'capital'], ['CAP', 'capital'],
    ['Cap.', 'capital'], [' capital ', 'capital'], ['Capital Expenditure', 'capital'], ['CAPEX', 'capital'],
    ['R', 'revenue'], ['r', 'revenue'], ['Revenue', 'revenue'], ['REV', 'revenue'], ['Rev.', 'revenue'],
    ['Revenue Expenditure', 'revenue'], ['OPEX', 'revenue'],
    ['', null], ['  ', null], [null, null], [undefined, null], ['N/A', null], ['X', null], ['Capitalised', null],
    [1, null], [true, null], [{ result: 'R' }, 'revenue'],
  ];
  for (const [input, expected] of cases) it(`${JSON.stringify(input)} -> ${expected}`, () => assert.equal(parseCapitalRevenue(input), expected));
});

describe('parseCardFlag', () => {
  const cases: [unknown, boolean | null][] = [
    ['Yes', true], ['YES', true], ['Y', true], ['y', true], ['True', true], ['true', true], ['1', true], ['GPC', true],
    ['Card', true], ['card', true], ['P-Card', true], ['PCard', true], ['Purchase Card', true], ['Procurement Card', true],
    ['Government Procurement Card', true], ['Corporate Card', true], ['Visa card', true], [true, true], [1, true],
    ['No', false], ['NO', false], ['N', false], ['n', false], ['False', false], ['0', false], ['BACS', false],
    ['Cheque', false], ['Invoice', false], ['Non-card', false], ['Not card', false], [false, false], [0, false],
    ['', null], [null, null], [undefined, null], ['Maybe', null], ['N/A', null], [2, null], [{ text: 'Yes' }, true],
  ];
  for (const [input, expected] of cases) it(`${JSON.stringify(input)} -> ${expected}`, () => assert.equal(parseCardFlag(input), expected));
});

// -------------------------------------------------------------------------------------------------
// Real files: the Lancashire totals to the penny, and the provenance of the real names above.

function decodeText(buf: Uint8Array): string {
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return new TextDecoder('utf-8').decode(buf.subarray(3));
  return new TextDecoder('windows-1252').decode(buf);
}

function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let f = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          f += '"';
          i++;
        } else q = false;
      } else f += c;
    } else if (c === '"') q = true;
    else if (c === ',') {
      row.push(f);
      f = '';
    } else if (c === '\n') {
      row.push(f.replace(/\r$/, ''));
      rows.push(row);
      row = [];
      f = '';
    } else f += c;
  }
  if (f || row.length) rows.push([...row, f]);
  return rows;
}

async function* xlsxRows(file: string): AsyncGenerator<{ sheet: string; values: unknown[] }> {
  const wb = new ExcelJS.stream.xlsx.WorkbookReader(file, { sharedStrings: 'cache', worksheets: 'emit', styles: 'cache', hyperlinks: 'ignore' });
  for await (const ws of wb) {
    const name = (ws as unknown as { name: string }).name;
    for await (const row of ws) {
      const v = row.values;
      yield { sheet: name, values: Array.isArray(v) ? v.slice(1) : [] };
    }
  }
}

describe('real files', { skip: noSharedData }, () => {
  it('Hyndburn 2023-24: 6,390 rows, every date and amount read, £18,825,510.48', () => {
    const dir = sharedFile('spending', 'lancashire', 'hyndburn');
    let rows = 0;
    let pence = 0;
    const years = new Set<string>();
    for (const f of fs.readdirSync(dir).filter((f) => /^hyndburn_20\d\d-\d\d\.csv$/.test(f))) {
      let header: string[] | null = null;
      for (const r of csvRows(decodeText(fs.readFileSync(`${dir}/${f}`)))) {
        if (!header) {
          if (r.some((c) => /payment date/i.test(c))) header = r;
          continue;
        }
        if (r.every((c) => cleanText(c) === null)) continue;
        const date = ok(parseDate(r[header.findIndex((c) => /payment date/i.test(c))]));
        pence += ok(parseAmountPence(r[header.findIndex((c) => /amount/i.test(c))]));
        years.add(financialYear(date));
        rows++;
      }
    }
    assert.equal(rows, 6390);
    assert.equal(pence, 1_882_551_048);
    assert.deepEqual([...years].sort(), ['2022-23', '2023-24']); // four P-card lines from March 2023
  });

  for (const [file, rowsExpected, penceExpected, dateHeader, amountHeader] of [
    ['lancashire/lancashire_pcc/lancashire_pcc_2023-24.xlsx', 9289, 10_432_277_362, /date/i, /total/i],
    ['lancashire/lancashire_fire/lancashire_fire_2023-24.xlsx', 6999, 2_452_516_932, /^date$/i, /amount/i],
  ] as const) {
    it(`${file}: ${rowsExpected} rows, every date and amount read, ${penceExpected} pence`, async () => {
      let rows = 0;
      let pence = 0;
      const headers = new Map<string, string[]>();
      for await (const { sheet, values } of xlsxRows(sharedFile('spending', file))) {
        const header = headers.get(sheet);
        if (!header) {
          headers.set(sheet, values.map((v) => String(cleanText(v) ?? '').replace(/^\*\s*/, '')));
          continue;
        }
        if (values.every((v) => cleanText(v) === null)) continue;
        const date = ok(parseDate(values[header.findIndex((h) => dateHeader.test(h))]));
        assert.match(financialYear(date), /^202[23]-2[34]$/);
        pence += ok(parseAmountPence(values[header.findIndex((h) => amountHeader.test(h))]));
        rows++;
      }
      assert.equal(rows, rowsExpected);
      assert.equal(pence, penceExpected);
    });
  }

  it('the real payee names above occur in the files they are credited to', () => {
    const texts = new Map<string, string>();
    const unescapeXml = (s: string) => s.replace(/&apos;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    const textOf = (rel: string): string => {
      let t = texts.get(rel);
      if (t !== undefined) return t;
      const buf = new Uint8Array(fs.readFileSync(sharedFile('spending', rel)));
      if (rel.endsWith('.csv')) t = decodeText(buf);
      else {
        const entries = unzipSync(buf);
        t = Object.entries(entries)
          .filter(([name]) => name.endsWith('.csv') || name.endsWith('.xml'))
          .map(([name, data]) => (name.endsWith('.xml') ? unescapeXml(new TextDecoder().decode(data)) : decodeText(data)))
          .join('\n');
      }
      texts.set(rel, t);
      return t;
    };
    for (const groups of [REAL_INDIVIDUALS, REAL_ORGANISATIONS, REAL_REDACTED]) {
      for (const [rel, names] of Object.entries(groups)) {
        const t = textOf(rel);
        for (const name of names) assert.ok(t.includes(name), `${name} not found in ${rel}`);
      }
    }
  });
});
