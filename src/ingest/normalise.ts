import { detach } from '../util/strings.ts';
// Normalisers for the values found in published spending files: dates, money, free text, payee names
// and the small flag columns. They sit in the ingest hot path (millions of cells a second), so they
// are written as hand-rolled scanners over char codes: no regular expression is compiled per call,
// results that repeat (dates, payee kinds, failures) are shared frozen objects, and money is done in
// decimal digits, never by multiplying a float.
//
// Every failure carries a plain-English reason that quotes the value, for the rejection report.

import {
  COMMON_SURNAMES,
  GIVEN_NAMES,
  NO_NAME_VALUES,
  ORGANISATION_WORDS,
  PERSON_DESCRIPTORS,
  PERSON_NAMED_ORGANISATIONS,
  POST_NOMINALS,
  REDACTION_FILLER,
  REDACTION_MARKERS,
  STRONG_REDACTION_MARKERS,
  SURNAME_LIKE_ORGANISATION_WORDS,
  TITLES,
  WORDLIKE_GIVEN_NAMES,
} from './payee-names.ts';

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };
export type PayeeKind = 'organisation' | 'individual' | 'redacted' | 'unknown';

// ---------------------------------------------------------------------------------------------------
// Shared helpers

/** Whitespace as the files contain it: ASCII, NBSP, the Unicode spaces, line separators and the BOM. */
function isSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 0x85) return false;
  return (
    c === 0xa0 || c === 0x85 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 ||
    c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

/** A value as quoted in a reason: trimmed, control characters shown as spaces, at most 60 characters. */
function show(v: unknown): string {
  let s: string;
  if (typeof v === 'string') s = v;
  else if (v instanceof Date) s = Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
  else if (typeof v === 'object' && v !== null) {
    try {
      s = JSON.stringify(v) ?? String(v);
    } catch {
      s = String(v);
    }
  } else s = String(v);
  let out = '';
  for (let i = 0; i < s.length && out.length <= 60; i++) {
    const c = s.charCodeAt(i);
    const k = charClass(c);
    out += k === 0 ? s[i] : k === 1 || c < 32 ? ' ' : '';
  }
  out = out.trim();
  return out.length > 60 ? out.slice(0, 57) + '...' : out;
}

/**
 * Cell objects from exceljs: a formula's `result`, a hyperlink's `text`, rich text runs. Returns the
 * plain value inside, or NOT_A_CELL when `v` is some other object.
 */
const NOT_A_CELL = Symbol('not a cell');
function unwrapCell(v: object): unknown {
  const o = v as Record<string, unknown>;
  if ('result' in o) return o.result;
  if (Array.isArray(o.richText)) {
    let s = '';
    for (const run of o.richText as unknown[]) {
      if (run && typeof run === 'object' && typeof (run as { text?: unknown }).text === 'string') s += (run as { text: string }).text;
    }
    return s;
  }
  if (typeof o.text === 'string') return o.text;
  if ('error' in o) return typeof o.error === 'string' ? o.error : null; // '#N/A', '#REF!'
  return NOT_A_CELL;
}

// ---------------------------------------------------------------------------------------------------
// Dates

const DAY_MS = 86_400_000;
const MIN_YEAR = 1990;
const MAX_YEAR = 2100;
/**
 * A time of day at or after 22:00 is read as the next day. Spreadsheets written in the UK store a
 * local midnight; a tool that converts it to UTC shifts it to 23:00 (BST) or 22:00 (CEST) the day
 * before, while readers that treat serials as UTC give 00:00 or 01:00 of the right day.
 */
const NEXT_DAY_FROM_MS = 22 * 3_600_000;
const NEXT_DAY_FROM_FRACTION = 22 / 24;
/** Excel's day 0 is 1899-12-30 once its phantom 29 Feb 1900 is allowed for: serial 25569 = 1970-01-01. */
const EXCEL_UNIX_EPOCH = 25_569;
const EXCEL_MAX_SERIAL = 2_958_465; // 9999-12-31

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

const FIRST_DAY = daysFromCivil(MIN_YEAR, 1, 1);
const LAST_DAY = daysFromCivil(MAX_YEAR, 12, 31);
/** One frozen result per calendar day, made on first use: a parsed date allocates nothing. */
const dayResults: (Parsed<string> | undefined)[] = new Array(LAST_DAY - FIRST_DAY + 1);

function okDay(days: number): Parsed<string> {
  const i = days - FIRST_DAY;
  let r = dayResults[i];
  if (r === undefined) {
    r = Object.freeze({ ok: true as const, value: new Date(days * DAY_MS).toISOString().slice(0, 10) });
    dayResults[i] = r;
  }
  return r;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

const DATE_EMPTY: Parsed<string> = Object.freeze({ ok: false as const, reason: 'date is empty' });

function notADate(v: unknown): Parsed<string> {
  return fail(`'${show(v)}' is not a date we can read`);
}

function outOfYears(v: unknown): Parsed<string> {
  return fail(`'${show(v)}' is outside the years we accept (${MIN_YEAR} to ${MAX_YEAR})`);
}

/** Checks a year/month/day triple; `nextDay` moves it on one day (see NEXT_DAY_FROM_MS). */
function fromYmd(y: number, m: number, d: number, nextDay: boolean, v: unknown): Parsed<string> {
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return fail(`'${show(v)}' is not a real date`);
  if (y < MIN_YEAR || y > MAX_YEAR) return outOfYears(v);
  let days = daysFromCivil(y, m, d);
  if (nextDay) days++;
  if (days < FIRST_DAY || days > LAST_DAY) return outOfYears(v);
  return okDay(days);
}

function fromExcelSerial(whole: number, fraction: number, v: unknown): Parsed<string> {
  if (whole < 1 || whole > EXCEL_MAX_SERIAL) return notADate(v);
  let days = whole - EXCEL_UNIX_EPOCH;
  if (fraction >= NEXT_DAY_FROM_FRACTION) days++;
  if (days < FIRST_DAY || days > LAST_DAY) {
    const asDate = new Date((whole < 61 ? days + 1 : days) * DAY_MS).toISOString().slice(0, 10);
    return fail(`'${show(v)}' read as an Excel day number is ${asDate}, outside the years we accept (${MIN_YEAR} to ${MAX_YEAR})`);
  }
  return okDay(days);
}

// Month names: key = first three lower-case letters packed into an int.
const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const MONTH_BY_KEY = new Map<number, number>(MONTH_NAMES.map((name, i) => [(name.charCodeAt(0) << 16) | (name.charCodeAt(1) << 8) | name.charCodeAt(2), i + 1]));
const WEEKDAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const WEEKDAY_KEYS = new Set<number>(WEEKDAY_NAMES.map((n) => (n.charCodeAt(0) << 16) | (n.charCodeAt(1) << 8) | n.charCodeAt(2)));

function key3(s: string, i: number): number {
  return ((s.charCodeAt(i) | 32) << 16) | ((s.charCodeAt(i + 1) | 32) << 8) | (s.charCodeAt(i + 2) | 32);
}

/** Month (1-12) named by the ASCII letters s[i..j): 'Apr', 'April', 'Sept', 'SEPTEMBER'; else 0. */
function monthAt(s: string, i: number, j: number): number {
  const len = j - i;
  if (len < 3 || len > 9) return 0;
  const m = MONTH_BY_KEY.get(key3(s, i));
  if (m === undefined) return 0;
  if (len === 3) return m;
  const full = MONTH_NAMES[m - 1];
  if (m === 9 && len === 4 && (s.charCodeAt(i + 3) | 32) === 116) return 9; // Sept
  if (len !== full.length) return 0;
  for (let k = 3; k < len; k++) if ((s.charCodeAt(i + k) | 32) !== full.charCodeAt(k)) return 0;
  return m;
}

/** Weekday named by s[i..j): 'Mon', 'Tues', 'Thurs', 'Friday'. */
function isWeekdayAt(s: string, i: number, j: number): boolean {
  const len = j - i;
  if (len < 3 || len > 9 || !WEEKDAY_KEYS.has(key3(s, i))) return false;
  const k3 = key3(s, i);
  const full = WEEKDAY_NAMES.find((n) => ((n.charCodeAt(0) << 16) | (n.charCodeAt(1) << 8) | n.charCodeAt(2)) === k3)!;
  if (len > full.length) return false;
  for (let k = 3; k < len; k++) if ((s.charCodeAt(i + k) | 32) !== full.charCodeAt(k)) return false;
  return true;
}

/** 'st', 'nd', 'rd', 'th' at s[i]. */
function isOrdinalAt(s: string, i: number, n: number): boolean {
  if (i + 1 >= n) return false;
  const a = s.charCodeAt(i) | 32;
  const b = s.charCodeAt(i + 1) | 32;
  const ok = (a === 115 && b === 116) || (a === 110 && b === 100) || (a === 114 && b === 100) || (a === 116 && b === 104);
  return ok && (i + 2 >= n || !isAsciiLetter(s.charCodeAt(i + 2)));
}

/**
 * What may follow a date: nothing, or a time (`T00:00:00`, ` 00:00`, ` 12:30:00.000Z`, ` 3:15 PM`,
 * `T00:00:00+01:00`). Returns -1 when the rest is not a time, 1 when it is a UTC time at or after
 * 22:00 (read as the next day, see NEXT_DAY_FROM_MS), else 0.
 */
function timeTail(s: string, k: number, n: number): number {
  if (k === n) return 0;
  let c = s.charCodeAt(k);
  if (c === 84 || c === 116) k++;
  else if (isSpace(c)) while (k < n && isSpace(s.charCodeAt(k))) k++;
  else return -1;
  let h = 0;
  let hd = 0;
  while (k < n && isDigit((c = s.charCodeAt(k)))) {
    h = h * 10 + c - 48;
    hd++;
    k++;
  }
  if (hd === 0 || hd > 2 || h > 24) return -1;
  while (k < n && ((c = s.charCodeAt(k)) === 58 || c === 46 || isDigit(c))) k++;
  while (k < n && isSpace(s.charCodeAt(k))) k++;
  if (k + 1 < n && ((c = s.charCodeAt(k) | 32) === 97 || c === 112) && (s.charCodeAt(k + 1) | 32) === 109) {
    if (h > 12) return -1;
    if (c === 112 && h < 12) h += 12;
    if (c === 97 && h === 12) h = 0;
    k += 2;
    while (k < n && isSpace(s.charCodeAt(k))) k++;
  }
  let utc = false;
  if (k < n) {
    c = s.charCodeAt(k);
    if (c === 90 || c === 122) {
      utc = true;
      k++;
    } else if (c === 43 || c === 45) {
      k++;
      let zd = 0;
      while (k < n && (isDigit((c = s.charCodeAt(k))) || c === 58) && zd < 5) {
        k++;
        zd++;
      }
      if (zd < 2) return -1;
    }
  }
  while (k < n && isSpace(s.charCodeAt(k))) k++;
  if (k !== n) return -1;
  return utc && h >= 22 ? 1 : 0;
}

/** '04.01...' at s[k]: one or two digits then another dot, as in '2023.04.01'. */
function isDottedMonthDay(s: string, k: number, n: number): boolean {
  let d = 0;
  while (k < n && isDigit(s.charCodeAt(k)) && d < 3) {
    k++;
    d++;
  }
  return d >= 1 && d <= 2 && k < n && s.charCodeAt(k) === 46;
}

/** Reads 2 or 4 year digits at s[k]; returns [year, end] packed as year * 1e4 + end, or -1. */
function readYear(s: string, k: number, n: number): number {
  let y = 0;
  const start = k;
  let c = 0;
  while (k < n && isDigit((c = s.charCodeAt(k)))) {
    y = y * 10 + c - 48;
    k++;
    if (k - start > 4) return -1;
  }
  const len = k - start;
  if (len === 2) y += 2000;
  else if (len !== 4) return -1;
  return y * 10_000 + k;
}

function parseDateText(v: string): Parsed<string> {
  const s = v;
  let i = 0;
  let n = s.length;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  while (n > i && isSpace(s.charCodeAt(n - 1))) n--;
  if (i === n) return DATE_EMPTY;
  let c = s.charCodeAt(i);

  // A leading weekday: 'Mon 3 Apr 2023', 'Monday, 3rd April 2023'.
  if (isAsciiLetter(c)) {
    let j = i;
    while (j < n && isAsciiLetter(s.charCodeAt(j))) j++;
    if (isWeekdayAt(s, i, j)) {
      i = j;
      while (i < n && ((c = s.charCodeAt(i)) === 44 || c === 46 || isSpace(c))) i++;
      if (i === n) return notADate(v);
      c = s.charCodeAt(i);
    }
  }

  if (isDigit(c)) {
    let a = 0;
    let j = i;
    while (j < n && isDigit((c = s.charCodeAt(j)))) {
      if (j - i >= 9) return notADate(v);
      a = a * 10 + c - 48;
      j++;
    }
    const la = j - i;
    if (j === n) return parseDigitsOnly(a, la, v);
    const sep = s.charCodeAt(j);

    // Excel serial with a time fraction: '45078.0417' (not '2023.04.01').
    if (sep === 46 && la >= 3 && la <= 7 && !(la === 4 && isDottedMonthDay(s, j + 1, n))) {
      let k = j + 1;
      let frac = 0;
      let scale = 1;
      while (k < n && isDigit((c = s.charCodeAt(k)))) {
        if (scale < 1e12) {
          frac = frac * 10 + c - 48;
          scale *= 10;
        }
        k++;
      }
      if (k !== n || k === j + 1) return notADate(v);
      return fromExcelSerial(a, frac / scale, v);
    }

    // Year first: '2023-04-01', '2023/04/01', '2023-04-01T00:00:00', '2023-04-01 00:00:00'.
    if (la === 4 && (sep === 45 || sep === 47 || sep === 46)) {
      let k = j + 1;
      let m = 0;
      const ms = k;
      while (k < n && isDigit((c = s.charCodeAt(k))) && k - ms < 2) {
        m = m * 10 + c - 48;
        k++;
      }
      if (k === ms || k >= n || s.charCodeAt(k) !== sep) return notADate(v);
      k++;
      let d = 0;
      const ds = k;
      while (k < n && isDigit((c = s.charCodeAt(k))) && k - ds < 2) {
        d = d * 10 + c - 48;
        k++;
      }
      if (k === ds) return notADate(v);
      const t = timeTail(s, k, n);
      if (t < 0) return notADate(v);
      return fromYmd(a, m, d, t === 1, v);
    }

    // Day first: '14/12/2023', '05/10/23', '3 Apr 2023', '15 June 2023', '3-Apr-23', '3rd April 2023'.
    if (la <= 2) {
      const d = a;
      let k = j;
      if (isOrdinalAt(s, k, n)) k += 2;
      if (k >= n) return notADate(v);
      c = s.charCodeAt(k);
      let sepc = 0;
      if (c === 47 || c === 45 || c === 46) {
        sepc = c;
        k++;
      } else if (isSpace(c) || c === 44) {
        while (k < n && ((c = s.charCodeAt(k)) === 44 || isSpace(c))) k++;
      } else return notADate(v);
      if (k >= n) return notADate(v);
      c = s.charCodeAt(k);
      let m = 0;
      if (isDigit(c)) {
        if (sepc === 0) return notADate(v);
        const ms = k;
        while (k < n && isDigit((c = s.charCodeAt(k))) && k - ms < 2) {
          m = m * 10 + c - 48;
          k++;
        }
        if (k >= n || s.charCodeAt(k) !== sepc) return notADate(v);
        k++;
      } else if (isAsciiLetter(c)) {
        const ws = k;
        while (k < n && isAsciiLetter(s.charCodeAt(k))) k++;
        m = monthAt(s, ws, k);
        if (m === 0) return notADate(v);
        if (k < n && s.charCodeAt(k) === 46) k++; // 'Sept.'
        const before = k;
        if (k < n && ((c = s.charCodeAt(k)) === 47 || c === 45 || c === 46)) k++;
        while (k < n && ((c = s.charCodeAt(k)) === 44 || isSpace(c))) k++;
        if (k === before) return notADate(v);
      } else return notADate(v);
      const yk = readYear(s, k, n);
      if (yk < 0) return notADate(v);
      const y = Math.floor(yk / 10_000);
      k = yk - y * 10_000;
      const t = timeTail(s, k, n);
      if (t < 0) return notADate(v);
      return fromYmd(y, m, d, t === 1, v);
    }
    return notADate(v);
  }

  // Month first: 'April 3, 2023', 'Apr 3rd 2023'.
  if (isAsciiLetter(c)) {
    let k = i;
    while (k < n && isAsciiLetter(s.charCodeAt(k))) k++;
    const m = monthAt(s, i, k);
    if (m === 0) return notADate(v);
    if (k < n && s.charCodeAt(k) === 46) k++;
    const before = k;
    while (k < n && ((c = s.charCodeAt(k)) === 45 || isSpace(c))) k++;
    if (k === before) return notADate(v);
    let d = 0;
    const ds = k;
    while (k < n && isDigit((c = s.charCodeAt(k))) && k - ds < 2) {
      d = d * 10 + c - 48;
      k++;
    }
    if (k === ds || (k < n && isDigit(s.charCodeAt(k)))) return notADate(v);
    if (isOrdinalAt(s, k, n)) k += 2;
    const afterDay = k;
    while (k < n && ((c = s.charCodeAt(k)) === 44 || c === 45 || isSpace(c))) k++;
    if (k === afterDay) return notADate(v);
    const ys = k;
    const yk = readYear(s, k, n);
    if (yk < 0) return notADate(v);
    const y = Math.floor(yk / 10_000);
    k = yk - y * 10_000;
    if (k - ys !== 4) return notADate(v);
    const t = timeTail(s, k, n);
    if (t < 0) return notADate(v);
    return fromYmd(y, m, d, t === 1, v);
  }
  return notADate(v);
}

/** A string of digits alone: 'YYYYMMDD' or an Excel serial ('45017'). */
function parseDigitsOnly(a: number, len: number, v: unknown): Parsed<string> {
  if (len === 8) {
    const y = Math.floor(a / 10_000);
    const m = Math.floor(a / 100) % 100;
    const d = a % 100;
    if (y >= MIN_YEAR && y <= MAX_YEAR && m >= 1 && m <= 12) return fromYmd(y, m, d, false, v);
    return notADate(v);
  }
  if (len <= 7) return fromExcelSerial(a, 0, v);
  return notADate(v);
}

function parseDateNumber(n: number, v: unknown): Parsed<string> {
  if (!Number.isFinite(n) || n <= 0) return notADate(v);
  if (Number.isInteger(n) && n >= 10_000_000) {
    if (n <= 99_999_999) return parseDigitsOnly(n, 8, v);
    return notADate(v);
  }
  const whole = Math.floor(n);
  return fromExcelSerial(whole, n - whole, v);
}

function parseDateObject(d: Date): Parsed<string> {
  const t = d.getTime();
  if (Number.isNaN(t)) return fail(`'Invalid Date' is not a real date`);
  let days = Math.floor(t / DAY_MS);
  if (t - days * DAY_MS >= NEXT_DAY_FROM_MS) days++;
  if (days < FIRST_DAY || days > LAST_DAY) return outOfYears(d);
  return okDay(days);
}

/**
 * Reads a payment date as found in real files and returns it as ISO `YYYY-MM-DD`.
 *
 * Accepted: `3 Apr 2023`, `15 June 2023`, `3rd April 2023`, `Mon 3 Apr 2023`, `3-Apr-23`, `05/10/23`,
 * `14/12/2023`, `14.12.2023`, `14-12-2023` (all day first: UK files), `April 3, 2023`, `2023-04-01`,
 * `2023/04/01`, `2023-04-01T00:00:00[.000][Z|+01:00]`, `2023-04-01 00:00:00`, `20230401`, Excel
 * serials as numbers or strings (`45017`, `45078.0417`), JavaScript `Date`s, and exceljs cell objects
 * wrapping any of these. Two-digit years are 20YY.
 *
 * Times of day are ignored, with one rule: a time at or after 22:00 means the next day. That is how
 * a UK spreadsheet's local midnight looks once shifted to UTC (a `Date` of 2023-05-31T23:00:00Z, or a
 * serial ending .9583 = 23:00). A `Date` is read in UTC otherwise, since XLSX readers turn serials into
 * UTC dates: 2023-06-01T00:00:00Z, 2023-06-01T01:00:00Z and 2023-05-31T23:00:00Z are all 1 June 2023.
 * Strings with an explicit `Z` follow the same rule; other strings keep their written date.
 *
 * Rejects impossible dates (`31/02/2023`), years outside 1990..2100, empty values and text.
 */
export function parseDate(v: unknown): Parsed<string> {
  if (typeof v === 'string') return parseDateText(v);
  if (typeof v === 'number') return parseDateNumber(v, v);
  if (v === null || v === undefined) return DATE_EMPTY;
  if (v instanceof Date) return parseDateObject(v);
  if (typeof v === 'object') {
    const inner = unwrapCell(v);
    if (inner !== NOT_A_CELL) return parseDate(inner);
  }
  return notADate(v);
}

const fyCache = new Map<number, string>();

/**
 * The UK financial year (April to March) of an ISO date: '2024-03-31' -> '2023-24',
 * '2024-04-01' -> '2024-25', '1999-05-01' -> '1999-00'. Throws a TypeError when `iso` does not start
 * with `YYYY-MM`: call it on parseDate's output.
 */
export function financialYear(iso: string): string {
  if (typeof iso !== 'string' || iso.length < 7 || iso.charCodeAt(4) !== 45) throw new TypeError(`'${show(iso)}' is not an ISO date (YYYY-MM-DD)`);
  let y = 0;
  for (let k = 0; k < 4; k++) {
    const c = iso.charCodeAt(k);
    if (!isDigit(c)) throw new TypeError(`'${show(iso)}' is not an ISO date (YYYY-MM-DD)`);
    y = y * 10 + c - 48;
  }
  const m1 = iso.charCodeAt(5);
  const m2 = iso.charCodeAt(6);
  const m = (m1 - 48) * 10 + (m2 - 48);
  if (!isDigit(m1) || !isDigit(m2) || m < 1 || m > 12) throw new TypeError(`'${show(iso)}' is not an ISO date (YYYY-MM-DD)`);
  const start = m >= 4 ? y : y - 1;
  let fy = fyCache.get(start);
  if (fy === undefined) {
    const end = (start + 1) % 100;
    fy = `${start}-${end < 10 ? '0' : ''}${end}`;
    fyCache.set(start, fy);
  }
  return fy;
}

// ---------------------------------------------------------------------------------------------------
// Money

const MAX_PENCE = Number.MAX_SAFE_INTEGER;
const MAX_WHOLE_POUNDS = Math.floor(MAX_PENCE / 100);
const AMOUNT_EMPTY: Parsed<number> = Object.freeze({ ok: false as const, reason: 'amount is empty' });
const ZERO_PENCE: Parsed<number> = Object.freeze({ ok: true as const, value: 0 });
/** Significant digits kept while scanning a number (more than enough: 2^53 has 16 digits). */
const DIGIT_CAP = 40;
const digitBuf = new Uint8Array(DIGIT_CAP);

function okPence(p: number): Parsed<number> {
  return p === 0 ? ZERO_PENCE : { ok: true, value: p };
}

function notAnAmount(v: unknown): Parsed<number> {
  return fail(`'${show(v)}' is not an amount`);
}

function misplacedComma(v: unknown): Parsed<number> {
  return fail(`'${show(v)}' has a comma that is not a thousands separator (decimal commas are not accepted)`);
}

function tooLarge(v: unknown): Parsed<number> {
  return fail(`'${show(v)}' is too large to hold exactly in pence`);
}

/** s[i..] starts with 'GBP' (any case). */
function isGbpAt(s: string, i: number, n: number): boolean {
  return i + 2 < n && (s.charCodeAt(i) | 32) === 103 && (s.charCodeAt(i + 1) | 32) === 98 && (s.charCodeAt(i + 2) | 32) === 112;
}

/** Exactly three digits at s[i..i+3) and no digit after them. */
function threeDigitsAt(s: string, i: number, n: number): boolean {
  return i + 2 < n && isDigit(s.charCodeAt(i)) && isDigit(s.charCodeAt(i + 1)) && isDigit(s.charCodeAt(i + 2)) && (i + 3 >= n || !isDigit(s.charCodeAt(i + 3)));
}

/**
 * The decimal scanner behind parseAmountPence. Grammar, with spaces allowed between the parts:
 *   [sign] ['('] [£|GBP] [sign] digits[,ddd]*[.digits][e[+-]digits] [sign] [')'] [CR|DR] [£|GBP]
 * Rounds half away from zero at the third decimal of the written number.
 */
function parseAmountText(s: string, v: unknown): Parsed<number> {
  let i = 0;
  let n = s.length;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  while (n > i && isSpace(s.charCodeAt(n - 1))) n--;
  if (i === n) return AMOUNT_EMPTY;
  // A value still wrapped in its CSV quotes: '"1,708.75"'.
  if (n - i >= 2 && s.charCodeAt(i) === 34 && s.charCodeAt(n - 1) === 34) {
    i++;
    n--;
    while (i < n && isSpace(s.charCodeAt(i))) i++;
    while (n > i && isSpace(s.charCodeAt(n - 1))) n--;
    if (i === n) return AMOUNT_EMPTY;
  }

  let neg = false;
  let signed = false;
  let bracket = false;
  let currency = false;
  let c = 0;
  for (; i < n; ) {
    c = s.charCodeAt(i);
    if (c === 45 || c === 0x2212 || c === 0x2013) {
      if (signed) return fail(`'${show(v)}' has more than one sign`);
      neg = signed = true;
      i++;
    } else if (c === 43) {
      if (signed) return fail(`'${show(v)}' has more than one sign`);
      signed = true;
      i++;
    } else if (c === 40) {
      if (bracket) return notAnAmount(v);
      bracket = true;
      i++;
    } else if (c === 0xa3 || (c === 0xc2 && i + 1 < n && s.charCodeAt(i + 1) === 0xa3)) {
      if (currency) return notAnAmount(v);
      currency = true;
      i += c === 0xa3 ? 1 : 2;
    } else if ((c | 32) === 103 && isGbpAt(s, i, n)) {
      if (currency) return notAnAmount(v);
      currency = true;
      i += 3;
    } else if (isSpace(c)) i++;
    else break;
  }

  // Digits: leading zeros of the whole part are dropped; everything else goes into digitBuf.
  let nd = 0;
  let intLen = 0;
  let dropped = false;
  let any = false;
  let point = false;
  let grouped = false;
  let run = 0;
  while (i < n) {
    c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      any = true;
      run++;
      if (point) {
        if (nd < DIGIT_CAP) digitBuf[nd++] = c - 48;
        else dropped = true;
      } else if (nd > 0 || c !== 48) {
        if (nd >= DIGIT_CAP) return tooLarge(v);
        digitBuf[nd++] = c - 48;
        intLen++;
      }
      i++;
    } else if (c === 44 && !point) {
      if (run < 1 || run > 3 || (grouped && run !== 3) || !threeDigitsAt(s, i + 1, n)) {
        return misplacedComma(v);
      }
      grouped = true;
      run = 0;
      i++;
    } else if (c === 46) {
      if (point) return fail(`'${show(v)}' has more than one decimal point`);
      if (grouped && run !== 3) return misplacedComma(v);
      point = true;
      run = 0;
      i++;
    } else if (isSpace(c) && !point && any && run >= 1 && run <= 3 && (!grouped || run === 3) && threeDigitsAt(s, i + 1, n)) {
      // A space (or NBSP, thin space) as thousands separator: '1 234 567.89'.
      grouped = true;
      run = 0;
      i++;
    } else break;
  }
  if (!any) {
    if (i < n && s.charCodeAt(i) === 46) return fail(`'${show(v)}' has more than one decimal point`);
    return notAnAmount(v);
  }

  // Exponent: '1.5e3' (numbers written by software).
  let exp = 0;
  if (i < n && (c | 32) === 101 && i + 1 < n) {
    let k = i + 1;
    let es = 1;
    const sc = s.charCodeAt(k);
    if (sc === 43 || sc === 45) {
      if (sc === 45) es = -1;
      k++;
    }
    const ds = k;
    while (k < n && isDigit((c = s.charCodeAt(k)))) {
      if (exp < 100_000) exp = exp * 10 + c - 48;
      k++;
    }
    if (k === ds) return notAnAmount(v);
    exp *= es;
    i = k;
  }

  // Suffixes: trailing minus, closing bracket, CR / DR, currency.
  let closed = false;
  while (i < n) {
    c = s.charCodeAt(i);
    if (isSpace(c)) i++;
    else if (c === 45 || c === 0x2212 || c === 0x2013) {
      if (signed) return fail(`'${show(v)}' has more than one sign`);
      neg = signed = true;
      i++;
    } else if (c === 41) {
      if (!bracket || closed) return fail(`'${show(v)}' has an unmatched bracket`);
      closed = true;
      i++;
    } else if (((c | 32) === 99 || (c | 32) === 100) && i + 1 < n && (s.charCodeAt(i + 1) | 32) === 114 && (i + 2 >= n || !isAsciiLetter(s.charCodeAt(i + 2)))) {
      // 'CR' = credit (negative), 'DR' = debit (positive).
      if (signed) return fail(`'${show(v)}' has more than one sign`);
      signed = true;
      if ((c | 32) === 99) neg = true;
      i += 2;
    } else if (!currency && (c === 0xa3 || ((c | 32) === 103 && isGbpAt(s, i, n)))) {
      currency = true;
      i += c === 0xa3 ? 1 : 3;
    } else if (c === 44) return misplacedComma(v);
    else if (isDigit(c) || c === 46) return fail(`'${show(v)}' is not a single amount`);
    else return notAnAmount(v);
  }
  if (bracket !== closed) return fail(`'${show(v)}' has an unmatched bracket`);
  if (bracket) {
    if (signed) return fail(`'${show(v)}' has more than one sign`);
    neg = true;
  }

  // Pence = the digits up to two places after the (shifted) decimal point, rounded on the third.
  const last = intLen + exp + 2;
  if (nd === 0) return ZERO_PENCE;
  if (dropped && last >= DIGIT_CAP) return fail(`'${show(v)}' has too many digits to be an amount`);
  let pence = 0;
  for (let k = 0; k < last; k++) {
    pence = pence * 10 + (k < nd ? digitBuf[k] : 0);
    if (pence > MAX_PENCE) return tooLarge(v);
  }
  if (last >= 0 && last < nd && digitBuf[last] >= 5) pence++;
  if (pence > MAX_PENCE) return tooLarge(v);
  return okPence(neg ? -pence : pence);
}

function amountFromNumber(x: number, v: unknown): Parsed<number> {
  if (!Number.isFinite(x)) return notAnAmount(v);
  if (Number.isInteger(x)) {
    // Whole pounds: x * 100 is an exact integer product below 2^53, not a rounding step.
    if (x > MAX_WHOLE_POUNDS || x < -MAX_WHOLE_POUNDS) return tooLarge(v);
    return okPence(x * 100 + 0);
  }
  // The rule: the pence are those of the shortest decimal D that round-trips to x (String(x):
  // 9533.910000000003, 1.005), rounded half away from zero on the third decimal.
  //
  // Shortcut with the same answer, without String(x) (which dominates the cost): for |x| < 2^32,
  // p = fl(100 * x) is within 114 ulp(x) <= 5.5e-5 of 100 * D (|x - D| <= ulp(x)/2, and the product
  // rounds by at most ulp(100x)/2 <= 64 ulp(x)). So when p is within 0.49 of an integer r, 100 * D is
  // within 0.4901 of r and r is its correct rounding. Only values near a half-penny (1.005 -> p =
  // 100.49999999999999) fail the test and go through the decimal digits. A test checks this against
  // the string path on random and adversarial values.
  if (x < 4_294_967_296 && x > -4_294_967_296) {
    const p = x * 100;
    const r = Math.round(p);
    const d = p - r;
    if (d < 0.49 && d > -0.49) return okPence(r + 0);
  }
  return parseAmountText(String(x), v);
}

/**
 * Money to integer pence without float multiplication: '£322.50' -> 32250, '1,708.75' -> 170875,
 * '(123.45)' -> -12345, '123.45-' -> -12345, '-£5' -> -500, '£-5.00', '100.00 CR' -> -10000,
 * ' 900.2 ' -> 90020, 'GBP 10', '1 234.56', '1.5e3'. Numbers from XLSX are read through their
 * shortest round-trip decimal, so float noise disappears: 9533.910000000003 -> 953391,
 * 756.5699999999999 -> 75657, 0.1 + 0.2 -> 30, and 1.005 -> 101 (half away from zero on the third
 * decimal as written). Rejects empty values, text, two numbers, two decimal points, misplaced
 * thousands separators and values whose pence are not a safe integer.
 */
export function parseAmountPence(v: unknown): Parsed<number> {
  if (typeof v === 'number') return amountFromNumber(v, v);
  if (typeof v === 'string') return parseAmountText(v, v);
  if (v === null || v === undefined) return AMOUNT_EMPTY;
  if (typeof v === 'bigint') return parseAmountText(v.toString(), v);
  if (typeof v === 'object' && !(v instanceof Date)) {
    const inner = unwrapCell(v);
    if (inner !== NOT_A_CELL) return parseAmountPence(inner);
  }
  return notAnAmount(v);
}

// ---------------------------------------------------------------------------------------------------
// Text

/** 0: keep, 1: whitespace (collapse to one space), 2: control or invisible (drop). */
function charClass(c: number): number {
  if (c >= 0x20 && c < 0x7f) return c === 32 ? 1 : 0;
  if (c < 0x20) return (c >= 9 && c <= 13) ? 1 : 2;
  if (c <= 0x9f) return c === 0x85 ? 1 : 2;
  if (c === 0xa0) return 1;
  if (c === 0xad) return 2;
  if (c < 0x1680) return 0;
  if (c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000) return 1;
  if ((c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2060 && c <= 0x206f) || c === 0xfeff) return 2;
  return 0;
}

function cleanString(s: string): string | null {
  const n = s.length;
  if (n === 0) return null;
  // Fast path: most cells need nothing done and are returned as they are.
  let prevSpace = true;
  let clean = true;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 32 && c < 0x7f) {
      prevSpace = false;
      continue;
    }
    if (c === 32 && !prevSpace) {
      prevSpace = true;
      continue;
    }
    if (c > 0xa0 && charClass(c) === 0) {
      prevSpace = false;
      continue;
    }
    clean = false;
    break;
  }
  if (clean && !prevSpace) return s;

  let out = '';
  let segStart = -1;
  let pendingSpace = false;
  for (let i = 0; i < n; i++) {
    const k = charClass(s.charCodeAt(i));
    if (k === 0) {
      if (segStart < 0) {
        if (pendingSpace && out.length > 0) out += ' ';
        pendingSpace = false;
        segStart = i;
      }
      continue;
    }
    if (segStart >= 0) {
      out += s.slice(segStart, i);
      segStart = -1;
    }
    if (k === 1) pendingSpace = true;
  }
  if (segStart >= 0) out += segStart === 0 ? s : s.slice(segStart);
  return out.length === 0 ? null : out;
}

/**
 * Trims, collapses internal whitespace (spaces, tabs, CR/LF, NBSP and other Unicode spaces) to one
 * space and drops control and invisible characters (C0/C1 controls, zero-width characters, BOM, soft
 * hyphen). Returns null when nothing is left. Numbers become String(n) (NaN becomes null), Dates their
 * ISO date, exceljs cell objects their text or result.
 */
export function cleanText(v: unknown): string | null {
  if (typeof v === 'string') return cleanString(v);
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isNaN(v) ? null : String(v);
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) {
    const d = parseDateObject(v);
    return d.ok ? d.value : Number.isNaN(v.getTime()) ? null : v.toISOString();
  }
  if (typeof v === 'object') {
    const inner = unwrapCell(v);
    if (inner !== NOT_A_CELL) return cleanText(inner);
    const s = String(v);
    return s.startsWith('[object ') ? null : cleanString(s);
  }
  return cleanString(String(v));
}

// ---------------------------------------------------------------------------------------------------
// Payees

const TOKEN_RE = /\p{L}[\p{L}\p{M}]*(?:['’`\-]\p{L}[\p{L}\p{M}]*)*|\p{N}+|[&+,()\/*]/gu;
const MASK_RUN_RE = /\*{3,}|#{3,}/;
const MOJIBAKE_NBSP_RE = /â(?=[\s\u00a0]|$)/g;
/** ' - ' between parts of a name: 'OLIVER CROFT - LIFEWAYS' names a service, not a person. */
const SPACED_DASH_RE = /\s[-–—]\s/;
const ALL_X_RE = /^x+$/;
const VOWEL_RE = /[aeiouyàáâäãåèéêëìíîïòóôöõùúûüýÿ]/;
const TRADING_AS_RE = /\bt\s*\/\s*as?\b|\btrading\s+as\b/;
/** Word endings of trades and goods, not of surnames: 'Enterrprises', 'Transmissions', 'Electrics'. */
const ORG_SUFFIX_RE = /(?:tions?|sions?|prises|ology|ologies|ware|ics)$/;
/** Initials that spell an organisation: 'Bury M.B.C.', 'Woody C I C', 'Elderthorpe R H' (residential home). */
const ORG_INITIALS = new Set(['bc', 'mbc', 'cbc', 'rbc', 'dbc', 'cc', 'ccc', 'dc', 'mdc', 'tc', 'pc', 'cic', 'cio', 'plc', 'llp', 'ltd', 'fc', 'afc', 'rfc', 'nhs', 'uk', 'gb', 'rh', 'nh', 'diy', 'tv', 'it']);
const STOPWORDS = new Set(['on', 'in', 'at', 'to', 'of', 'by', 'my', 'me', 'we', 'us', 'go', 'do', 'no', 'up', 'it', 'is', 'as', 'an', 'or', 'be', 'so', 'oh', 'ok', 'a', 'i']);

const payeeCache = new Map<string, PayeeKind>();
const PAYEE_CACHE_LIMIT = 100_000;

function isInitial(w: string): boolean {
  return w.length === 1;
}

/** A word that could be a surname: letters (with ' or - inside), two or more, with a vowel. */
function surnameShaped(w: string): boolean {
  return w.length >= 2 && !STOPWORDS.has(w) && VOWEL_RE.test(w) && !isPossessive(w);
}

function isPossessive(w: string): boolean {
  const n = w.length;
  return n > 2 && (w.charCodeAt(n - 1) === 115) && (w.charCodeAt(n - 2) === 39 || w.charCodeAt(n - 2) === 0x2019 || w.charCodeAt(n - 2) === 96);
}

/** The word without a possessive ending, for list look-ups ("people's" -> "people"). */
function base(w: string): string {
  return isPossessive(w) ? w.slice(0, -2) : w;
}

function isGiven(w: string): boolean {
  if (GIVEN_NAMES.has(w)) return true;
  const dash = w.indexOf('-');
  return dash > 0 && GIVEN_NAMES.has(w.slice(0, dash));
}

function isOrgWord(w: string): boolean {
  const b = base(w);
  return ORGANISATION_WORDS.has(b) || PERSON_DESCRIPTORS.has(b) || (b.length > 4 && ORG_SUFFIX_RE.test(b));
}

/** The single letters of w[from..to) joined: ['m','b','c'] -> 'mbc'. */
function initialsOf(w: string[], from: number, to: number): string {
  let s = '';
  for (let k = from; k < to; k++) if (isInitial(w[k])) s += w[k];
  return s;
}

function isRedacted(words: string[]): boolean {
  let marker = false;
  let onlyRedactionWords = true;
  for (let k = 0; k < words.length; k++) {
    const w = words[k];
    const next = words[k + 1];
    if (STRONG_REDACTION_MARKERS.has(w)) return true;
    if (w === 'not' && next === 'disclosed') return true;
    if ((w === 'third' && next === 'party') || (w === 'service' && (next === 'user' || next === 'users')) || w === 'public') {
      marker = true;
      continue;
    }
    if (REDACTION_MARKERS.has(w)) marker = true;
    else if (!REDACTION_FILLER.has(w)) onlyRedactionWords = false;
  }
  return marker && onlyRedactionWords;
}

/**
 * Titled names: 'Mr J Smith', 'Dr Neil Papworth Consultant Neuropathologist',
 * 'Mr H & Mrs M Emambocus', 'Mr & Mrs Smith'. Every part joined by '&' must start with a title.
 */
function titledPerson(tokens: string[]): boolean {
  let expectTitle = true;
  let names = 0;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t === '&' || t === 'and') {
      if (expectTitle) return false;
      expectTitle = true;
      continue;
    }
    if (expectTitle) {
      if (!TITLES.has(t)) return false;
      expectTitle = false;
      // 'Mr & Mrs Smith': a bare title before '&'.
      continue;
    }
    if (t === ',') continue;
    if (POST_NOMINALS.has(t) || PERSON_DESCRIPTORS.has(t)) continue;
    if (isPossessive(t)) return false;
    const lastName = k === tokens.length - 1 || tokens[k + 1] === '&' || tokens[k + 1] === 'and' || POST_NOMINALS.has(tokens[k + 1]);
    if (SURNAME_LIKE_ORGANISATION_WORDS.has(t)) {
      if (!lastName) return false;
    } else if (isOrgWord(t)) return false;
    names++;
  }
  // A bare 'Mr' or 'Mr & Mrs' is still a person, just unnamed.
  return !expectTitle && names <= 6;
}

/** Untitled names: 'Scott Mitchell', 'Ian G Scholes', 'J W Price', 'Greenfield A F'. */
function plainPerson(w: string[]): boolean {
  let n = w.length;
  while (n > 1 && POST_NOMINALS.has(w[n - 1]) && !isInitial(w[n - 1])) n--;
  if (n < 2 || n > 4) return false;
  for (let k = 0; k < n; k++) {
    const t = w[k];
    if (isPossessive(t)) return false;
    if (SURNAME_LIKE_ORGANISATION_WORDS.has(t)) {
      if (k !== n - 1) return false;
    } else if (isOrgWord(t)) return false;
  }
  const first = w[0];
  const lastWord = w[n - 1];
  // Forename [middle names or initials] Surname.
  const strong = isGiven(first);
  const weak =
    !strong && WORDLIKE_GIVEN_NAMES.has(first) &&
    ((n >= 3 && (isInitial(w[1]) || isGiven(w[1]))) || (COMMON_SURNAMES.has(lastWord) && !SURNAME_LIKE_ORGANISATION_WORDS.has(lastWord)));
  if (strong || weak) {
    if (isInitial(lastWord) || !surnameShaped(lastWord)) return false;
    if (SURNAME_LIKE_ORGANISATION_WORDS.has(lastWord) && !strong) return false;
    for (let k = 1; k < n - 1; k++) if (!isInitial(w[k]) && !surnameShaped(w[k])) return false;
    return true;
  }
  // Initials Surname: 'J Parker', 'F G Rowland' (not 'A B Contracts', 'P H Plant').
  if (isInitial(first)) {
    let k = 0;
    while (k < n && isInitial(w[k])) k++;
    if (k !== n - 1 || k > 3 || !surnameShaped(lastWord)) return false;
    return !SURNAME_LIKE_ORGANISATION_WORDS.has(lastWord) || COMMON_SURNAMES.has(lastWord);
  }
  // Surname Initials: 'Greenfield A F' (two or more initials: one could be 'Plan B'; not 'Bury M B C').
  if (n >= 3 && surnameShaped(first) && !isGiven(first) && !WORDLIKE_GIVEN_NAMES.has(first) && !SURNAME_LIKE_ORGANISATION_WORDS.has(first)) {
    for (let k = 1; k < n; k++) if (!isInitial(w[k])) return false;
    return !ORG_INITIALS.has(initialsOf(w, 1, n));
  }
  return false;
}

/** 'SMITH, JOHN', 'Smith, Mr J', 'Van Dyke, Dick A'. */
function commaPerson(tokens: string[]): boolean {
  const comma = tokens.indexOf(',');
  if (comma < 1 || comma > 2 || tokens.indexOf(',', comma + 1) !== -1) return false;
  for (let k = 0; k < comma; k++) {
    const t = tokens[k];
    if (!surnameShaped(t) || (isOrgWord(t) && !SURNAME_LIKE_ORGANISATION_WORDS.has(t)) || TITLES.has(t)) return false;
  }
  let names = 0;
  for (let k = comma + 1; k < tokens.length; k++) {
    const t = tokens[k];
    if (TITLES.has(t) || POST_NOMINALS.has(t)) continue;
    if (isInitial(t) || isGiven(t) || WORDLIKE_GIVEN_NAMES.has(t)) {
      names++;
      continue;
    }
    // A middle name after a known forename: 'SMITH, JOHN PAUL'.
    if (names > 0 && surnameShaped(t) && !isOrgWord(t) && !SURNAME_LIKE_ORGANISATION_WORDS.has(t)) continue;
    return false;
  }
  return names >= 1 && tokens.length - comma - 1 <= 5;
}

function isPunct(t: string): boolean {
  return t.length === 1 && (t === '&' || t === '+' || t === ',' || t === '(' || t === ')' || t === '/' || t === '*');
}

function classifyPayee(raw: string): PayeeKind {
  // 'Â' before a space is a UTF-8 NBSP read as windows-1252 ('Donald Insall AssociatesÂ').
  const lower = raw.toLowerCase().replace(MOJIBAKE_NBSP_RE, ' ');
  if (MASK_RUN_RE.test(lower)) return 'redacted';
  const tokens = lower.match(TOKEN_RE);
  if (tokens === null) return 'unknown';
  const words: string[] = [];
  let digits = false;
  let masked = true;
  for (const t of tokens) {
    if (isPunct(t)) continue;
    if (isDigit(t.charCodeAt(0))) {
      digits = true;
      continue;
    }
    words.push(t);
    if (masked && !ALL_X_RE.test(t)) masked = false;
  }
  if (words.length === 0) return 'unknown';
  if (masked && !digits && words.join('').length >= 3) return 'redacted'; // 'XXXX', 'xxx xxx'
  const joined = words.join(' ');
  if (NO_NAME_VALUES.has(joined)) return 'unknown';
  if (isRedacted(words)) return 'redacted';

  // From here: an organisation unless the name clearly reads as a person.
  // Card-processor prefixes ('PAYPAL *LISA CHERRY', 'SQ *...') are merchants; names have no digits.
  if (digits || TRADING_AS_RE.test(lower) || tokens.includes('*') || tokens.includes('+') || tokens.includes('/')) return 'organisation';
  if (PERSON_NAMED_ORGANISATIONS.has(joined)) return 'organisation';
  if (words[0] === 'st' || words[0] === 'saint') return 'organisation';

  // Words in brackets: a trade there makes an organisation ('Roy Cattermole (Tree Surgeon)');
  // anything else ('(Mr)', '(Refund)') is set aside.
  const kept: string[] = [];
  let depth = 0;
  for (const t of tokens) {
    if (t === '(') depth++;
    else if (t === ')') depth = Math.max(0, depth - 1);
    else if (depth > 0) {
      if (isOrgWord(t) || SURNAME_LIKE_ORGANISATION_WORDS.has(t)) return 'organisation';
    } else kept.push(t);
  }
  if (kept.length === 0) return 'organisation';

  if (TITLES.has(kept[0])) return titledPerson(kept) ? 'individual' : 'organisation';
  if (kept.includes('&') || kept.includes('and') || SPACED_DASH_RE.test(lower)) return 'organisation';
  if (kept.includes(',')) return commaPerson(kept) ? 'individual' : 'organisation';
  return plainPerson(kept) ? 'individual' : 'organisation';
}

/**
 * What kind of payee a supplier name is.
 * - 'unknown': empty, null, punctuation or digits only, or a placeholder ('N/A', 'Unknown').
 * - 'redacted': masked names: 'REDACTED', 'Redacted Personal Information', 'THIRD PARTY SUPPLIER',
 *   'Personal Data', 'Name withheld', 'Private Individual', 'Private Landlord', 'Not disclosed',
 *   'Commercially Sensitive', '*******', 'XXXX' ... A name made only of redaction words, or containing
 *   a strong marker (redacted, withheld, undisclosed, anonymised, not disclosed).
 * - 'individual': a person's name: a title ('Mr J Smith', 'Dr Jane Doe', 'Mr H & Mrs M Emambocus'),
 *   or a known given name followed by a surname ('Scott Mitchell', 'Ian G Scholes'), initials and a
 *   surname ('J W Price'), a surname and initials ('Greenfield A F'), or 'SMITH, JOHN'; letters after
 *   the name are allowed ('Steven Hartley Mrtpi Mrics'). Never when any word is an organisation or
 *   trade word ('Scott Mitchell Associates', 'Jordan Tree Surgery'), or with digits, '&' between
 *   untitled names, 't/a', card-processor prefixes or a possessive ("Milly's Smiles").
 * - 'organisation': everything else.
 * Precision is preferred to recall for 'individual'. Results are cached per distinct name.
 */
export function payeeKind(name: string | null): PayeeKind {
  if (name === null || name === undefined) return 'unknown';
  if (typeof name !== 'string') {
    const s = cleanText(name);
    if (s === null) return 'unknown';
    name = s;
  }
  let kind = payeeCache.get(name);
  if (kind === undefined) {
    kind = classifyPayee(name);
    if (payeeCache.size >= PAYEE_CACHE_LIMIT) payeeCache.clear();
    payeeCache.set(detach(name), kind);
  }
  return kind;
}

// ---------------------------------------------------------------------------------------------------
// Flags

/** Lower-case letters and digits of a short flag value ('P-Card' -> 'pcard'), or null when too long. */
function flagKey(v: unknown): string | null {
  if (typeof v !== 'string') {
    if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
      const inner = unwrapCell(v);
      if (inner !== NOT_A_CELL) return flagKey(inner);
    }
    return null;
  }
  if (v.length > 60) return null;
  let out = '';
  for (let i = 0; i < v.length; i++) {
    let c = v.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) out += String.fromCharCode(c);
  }
  return out;
}

const CAPITAL_KEYS = new Set(['c', 'cap', 'capital', 'capitalexpenditure', 'capitalspend', 'capex', 'capitalpayment']);
const REVENUE_KEYS = new Set(['r', 'rev', 'revenue', 'revenueexpenditure', 'revenuespend', 'opex', 'revenuepayment']);

/** 'C', 'Capital', 'CAP', 'Capex' -> 'capital'; 'R', 'Revenue', 'REV', 'Opex' -> 'revenue'; else null. */
export function parseCapitalRevenue(v: unknown): 'capital' | 'revenue' | null {
  const k = flagKey(v);
  if (k === null || k === '') return null;
  if (CAPITAL_KEYS.has(k)) return 'capital';
  if (REVENUE_KEYS.has(k)) return 'revenue';
  return null;
}

const CARD_TRUE = new Set(['y', 'yes', 'true', 't', '1', 'gpc', 'card', 'pcard', 'procard', 'purchasecard', 'purchasingcard', 'procurementcard', 'governmentprocurementcard', 'creditcard', 'corporatecard', 'cardpayment', 'cardtransaction']);
const CARD_FALSE = new Set(['n', 'no', 'false', 'f', '0', 'noncard', 'notcard', 'nocard', 'bacs', 'cheque', 'chq', 'invoice', 'ap', 'accountspayable', 'creditor', 'creditors', 'directdebit', 'dd', 'chaps', 'fasterpayment', 'fasterpayments', 'banktransfer']);

/** Procurement-card flag: 'Yes', 'Y', 'GPC', 'true', 'P-Card', 1 -> true; 'No', 'N', 'BACS', 0 -> false; else null. */
export function parseCardFlag(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1 ? true : v === 0 ? false : null;
  const k = flagKey(v);
  if (k === null || k === '') return null;
  if (CARD_TRUE.has(k)) return true;
  if (CARD_FALSE.has(k)) return false;
  if (k.includes('card')) return !(k.startsWith('non') || k.startsWith('not') || k.startsWith('nocard'));
  return null;
}
