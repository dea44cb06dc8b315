// Maps a file's columns to canonical fields: first by what the header says (synonyms, scored), then
// by what the values look like (a column of dates, of amounts). A saved mapping for the body wins over
// both. Nothing here knows any particular publisher's file: only general names and value shapes.
import type { CanonicalField } from './fields.ts';
import { parseAmountPence, parseDate } from './normalise.ts';

/** lowercase words only: '* SUPPLIER FINAL' -> 'supplier final', 'PaymentDate' -> 'payment date', 'Net Amount (£)' -> 'net amount'. */
export function normaliseHeader(h: unknown): string {
  if (h === null || h === undefined) return '';
  return String(h)
    .replace(/^\ufeff/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .replace(/[£$€]/g, ' ')
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

type Pattern = [CanonicalField, RegExp, number];

// Higher score = more certain. Exact names score 100; looser matches less.
const PATTERNS: Pattern[] = [
  // dates
  ['date', /^(payment|paid|invoice payment|transaction|posting|cheque|clearing|pay) date$/, 100],
  ['date', /^date (of )?(payment|paid|transaction)$/, 100],
  ['date', /^date$/, 90],
  ['date', /^(invoice|posted|processed|value) date$/, 60],
  ['date', /\bdate\b/, 40],
  ['date', /^(effective date|date published|publication date|period|month|year)$/, 5],
  // money
  ['amount_net', /^net( amount)?( gbp)?$/, 100],
  ['amount_net', /^amount( paid| net| excluding vat| excl vat| ex vat| gbp)?$/, 95],
  ['amount_net', /^(net|total|payment|transaction|invoice|line|spend|expenditure) (amount|value)( gbp)?$/, 90],
  ['amount_net', /^(value|total|spend|expenditure|sum)$/, 80],
  ['amount_net', /\b(amount|value)\b/, 40],
  ['amount_gross', /^(gross|gross amount|total including vat|amount including vat|amount inc vat|gross value)$/, 100],
  ['amount_gross', /\bgross\b|\b(incl|including|inc) vat\b/, 70],
  ['vat', /^(irrecoverable )?vat( amount)?( gbp)?$/, 100],
  ['vat', /^(irrecoverable|non recoverable) vat/, 90],
  // payee
  ['supplier_name', /^(supplier|beneficiary|vendor|payee|creditor|recipient|merchant)( name)?( final)?$/, 100],
  ['supplier_name', /^(supplier|beneficiary|vendor|payee|creditor) ?\(?(beneficiary|supplier)?\)? name$/, 100],
  ['supplier_name', /^(name|supplier name final|paid to|pay to)$/, 85],
  ['supplier_name', /\b(supplier|beneficiary|vendor|payee|creditor)\b.*\bname\b/, 70],
  ['supplier_name', /\b(supplier|beneficiary|vendor|payee)\b/, 45],
  ['supplier_ref', /^(supplier|vendor|beneficiary|creditor|payee) (other )?(number|no|id|code|ref|reference|account)$/, 100],
  ['company_no', /\bcompan(y|ies)\b.*\b(number|no|reg|registration|registered)\b|\bcompanies house\b|\bcrn\b/, 100],
  ['charity_no', /\bcharity\b.*\b(number|no|reg|registration|registered)\b|^charity$/, 100],
  ['vat_no', /\bvat (reg|registration)|\bvat (number|no)\b/, 100],
  // references
  ['transaction_ref', /^(transaction|document|doc|invoice|payment|voucher|journal|reference|ref|trans)( number| no| id| ref| reference)?$/, 90],
  ['transaction_ref', /\b(transaction|invoice|document|voucher)\b.*\b(number|no|id|ref)\b|\bref(erence)? (no|number)\b|^[a-z]+ ref no$/, 80],
  ['transaction_ref', /\bref\b|\breference\b|\bdocument ?no\b|\bdocumentno\b/, 50],
  // organisation of the spend
  ['directorate', /^(directorate|department|dept|portfolio|organisational unit|department area|division|service group)$/, 95],
  ['directorate', /\b(directorate|department|portfolio)\b/, 60],
  ['service_area', /^(service|service area|service label|service division|service division label|expense area|cost cent(re|er)|service cost cent(re|er)|business unit|profit cent(re|er)|responsibility cent(re|er)|cost cent(re|er) (name|description))$/, 95],
  ['service_area', /\b(service area|expense area|cost cent(re|er)|service division|business unit)\b/, 70],
  ['service_area', /\bservice\b/, 40],
  ['expense_type', /^(expense|expenses|expenditure) (type|category|description|head)$|^(account|account detail|account description|account name|gl description|subjective|subjective description|nominal|nominal description|category internal name|expenditure category|detail)$/, 95],
  ['expense_type', /\b(expense|expenditure|subjective|nominal|account)\b/, 55],
  ['category', /^(procurement|merchant|supplier) (category|classification)|\bcategory\b.*\b(procurement|merchant)\b|^category$|^classification$/, 90],
  ['category', /\b(category|classification)\b/, 45],
  ['description', /^(description|purpose|narrative|details|transaction description|line description|purpose of spend|extended description|item description|invoice description|reason)$/, 95],
  ['description', /\b(description|purpose|narrative)\b/, 60],
  ['proclass', /\bproclass\b(?! (label|description|name))/, 100],
  ['proclass', /\bproclass (label|description|name)\b/, 70],
  ['category', /\bproclass (label|description|name)\b/, 85],
  ['sercop', /\b(sercop|bvacop|cipfa)\b/, 100],
  ['capital_revenue', /^(capital or revenue|capital revenue|cap rev|capital|revenue or capital|rev cap)$/, 100],
  ['card_flag', /^(procurement card|card transaction|gpc|p card|purchase card|card)( flag| payment| y n)?$/, 100],
  ['publisher', /^(body name|organisation|organisation name|organisation label|authority|authority name|council|council name|local authority|entity|icb|ccg|trust|trust name|publisher)$/, 90],
  ['publisher', /^(body|departmental family)$/, 70],
];

// Words that say a column holds a code or number rather than a name or text.
const CODE_WORDS = /\b(code|number|no|id|ref|uri|url|link)\b/;

export interface HeaderMatch { field: CanonicalField; score: number }

export function scoreHeader(header: string): HeaderMatch[] {
  const h = normaliseHeader(header);
  if (!h) return [];
  const best = new Map<CanonicalField, number>();
  for (const [field, re, score] of PATTERNS) {
    if (!re.test(h)) continue;
    let s = score;
    // "Service Code", "Expense Code", "Supplier ID": the code beside a name, not the name itself.
    if (CODE_WORDS.test(h) && !['supplier_ref', 'company_no', 'charity_no', 'vat_no', 'transaction_ref', 'proclass', 'sercop'].includes(field)) s -= 50;
    if ((best.get(field) ?? 0) < s) best.set(field, s);
  }
  return [...best].map(([field, score]) => ({ field, score })).sort((a, b) => b.score - a.score);
}

export function headerScores(headers: string[]): { recognised: number; hasDate: boolean; hasAmount: boolean } {
  let recognised = 0, hasDate = false, hasAmount = false;
  for (const h of headers) {
    const m = scoreHeader(h);
    if (m.length && m[0]!.score >= 60) recognised++;
    if (m.some((x) => x.field === 'date' && x.score >= 40)) hasDate = true;
    if (m.some((x) => (x.field === 'amount_net' || x.field === 'amount_gross') && x.score >= 40)) hasAmount = true;
  }
  return { recognised, hasDate, hasAmount };
}

export interface ColumnProfile {
  nonBlank: number;
  dates: number;    // values that read as dates
  amounts: number;  // values that read as amounts
  decimals: number; // amounts with a fractional part
  distinct: number;
  avgLength: number;
}

export function profileColumn(values: unknown[]): ColumnProfile {
  let nonBlank = 0, dates = 0, amounts = 0, decimals = 0, totalLen = 0;
  const seen = new Set<string>();
  for (const v of values) {
    if (v === null || v === undefined || (typeof v === 'string' && v.trim() === '')) continue;
    nonBlank++;
    const s = v instanceof Date ? v.toISOString() : String(v);
    totalLen += s.length;
    if (seen.size < 1000) seen.add(s);
    if (parseDate(v).ok && !(typeof v === 'number' && (v < 25000 || v > 60000))) dates++;
    const a = parseAmountPence(v);
    if (a.ok && !(v instanceof Date)) { amounts++; if (a.value % 100 !== 0) decimals++; }
  }
  return { nonBlank, dates, amounts, decimals, distinct: seen.size, avgLength: nonBlank ? totalLen / nonBlank : 0 };
}

export interface ColumnAssignment {
  index: number;
  header: string;
  field: CanonicalField | null;
  /** How the field was chosen: 'saved' mapping, 'header' name, or 'values' seen in the column. */
  how: 'saved' | 'header' | 'values' | 'ignored';
}

export type SavedMapping = Record<string, CanonicalField | 'ignore'>;

/** The saved choice for a header, if any (own keys only: a column named "Constructor" is not Object's). */
export function savedChoice(saved: SavedMapping, header: unknown): CanonicalField | 'ignore' | undefined {
  const key = normaliseHeader(header);
  return Object.hasOwn(saved, key) ? saved[key] : undefined;
}

/**
 * Assigns fields to columns. `sample` holds data rows (cells by column index) used to check guesses
 * against the values and to find date/amount columns whose headers say nothing.
 */
export function mapColumns(headers: unknown[], sample: unknown[][], saved: SavedMapping = {}): ColumnAssignment[] {
  const cols: ColumnAssignment[] = headers.map((h, index) => ({ index, header: h === null || h === undefined ? '' : String(h).trim(), field: null, how: 'ignored' }));
  const taken = new Set<CanonicalField>();
  const profiles = new Map<number, ColumnProfile>();
  const profile = (i: number) => {
    let p = profiles.get(i);
    if (!p) { p = profileColumn(sample.map((r) => r[i])); profiles.set(i, p); }
    return p;
  };
  // A column must hold values to be worth mapping (Hyndburn's 'Line' column is always empty).
  const empty = (i: number) => sample.length > 0 && profile(i).nonBlank === 0;

  // 1. The saved mapping for this body.
  for (const c of cols) {
    const s = savedChoice(saved, c.header);
    if (!s) continue;
    if (s === 'ignore') { c.how = 'saved'; continue; }
    if (taken.has(s)) continue;
    c.field = s; c.how = 'saved'; taken.add(s);
  }

  // 2. Headers: best (column, field) pairs first, each field and column used once; values must agree.
  const candidates: { col: ColumnAssignment; field: CanonicalField; score: number }[] = [];
  for (const c of cols) {
    if (c.how === 'saved' || !c.header) continue;
    for (const m of scoreHeader(c.header)) candidates.push({ col: c, field: m.field, score: m.score });
  }
  candidates.sort((a, b) => b.score - a.score || a.col.index - b.col.index);
  for (const { col, field, score } of candidates) {
    if (col.field || taken.has(field) || score < 30) continue;
    if (empty(col.index)) continue;
    if (!valuesAgree(field, profile(col.index), sample.length)) continue;
    col.field = field; col.how = 'header'; taken.add(field);
  }

  // 3. Values: a date or amount column the headers did not reveal.
  const free = () => cols.filter((c) => !c.field && c.how !== 'saved' && !empty(c.index));
  if (!taken.has('date')) {
    const best = free().map((c) => ({ c, p: profile(c.index) })).filter(({ p }) => p.nonBlank > 0 && p.dates / p.nonBlank >= 0.9)
      .sort((a, b) => b.p.dates - a.p.dates)[0];
    if (best) { best.c.field = 'date'; best.c.how = 'values'; taken.add('date'); }
  }
  if (!taken.has('amount_net') && !taken.has('amount_gross')) {
    const best = free().map((c) => ({ c, p: profile(c.index) }))
      .filter(({ p }) => p.nonBlank > 0 && p.amounts / p.nonBlank >= 0.9 && p.decimals / p.nonBlank >= 0.2)
      .sort((a, b) => b.p.decimals - a.p.decimals)[0];
    if (best) { best.c.field = 'amount_net'; best.c.how = 'values'; taken.add('amount_net'); }
  }
  return cols;
}

/** Whether a column's values are plausible for a field guessed from its header. */
function valuesAgree(field: CanonicalField, p: ColumnProfile, sampleRows: number): boolean {
  if (sampleRows === 0 || p.nonBlank === 0) return true;
  const share = (n: number) => n / p.nonBlank;
  switch (field) {
    case 'date': return share(p.dates) >= 0.8;
    case 'amount_net': case 'amount_gross': case 'vat': return share(p.amounts) >= 0.8 || field === 'vat';
    case 'supplier_name': case 'description': case 'service_area': case 'expense_type': case 'directorate': case 'category':
      // Text fields: not a column of plain amounts (a "Service Code" full of numbers is not a name).
      return share(p.amounts) < 0.9 || p.avgLength > 12;
    default: return true;
  }
}

/** Why a sheet cannot be loaded, or undefined when it has what a spend line needs. */
export function missingRequired(cols: ColumnAssignment[]): string | undefined {
  const has = (f: CanonicalField) => cols.some((c) => c.field === f);
  if (!has('date')) return 'no column of payment dates was found';
  if (!has('amount_net') && !has('amount_gross')) return 'no column of amounts was found';
  return undefined;
}
