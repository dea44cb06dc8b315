// Turns raw rows of a mapped sheet into ledger lines (COPY text) or rejections with a reason.
// This is the hot path of ingest: one closure per sheet with the column indexes baked in.
import type { CanonicalField } from './fields.ts';
import type { ColumnAssignment } from './mapping.ts';
import { cleanText, financialYear, parseAmountPence, parseCapitalRevenue, parseCardFlag, parseDate, payeeKind, type PayeeKind } from './normalise.ts';
import { detach } from '../util/strings.ts';
import type { Classification, ClassifiableLine } from '../classify/types.ts';

export interface Rejection { sheet: string | null; line: number; column: string | null; reason: string; raw: string }

export interface LineContext {
  bodyCode: string;
  bodyType: string | null;
  fileId: number;
  sheet: string | null;
  classify(line: ClassifiableLine): Classification;
  /** The registered body an organisation payee is (for counting money passed between bodies once), or null. */
  payeeBody(name: string): string | null;
}

/** The columns of spend_line in COPY order. */
export const SPEND_LINE_COLUMNS = [
  'body_code', 'file_id', 'line_id', 'sheet', 'line_no', 'payment_date', 'financial_year', 'amount_pence',
  'vat_pence', 'gross_pence', 'supplier_name', 'supplier_ref', 'payee_kind', 'company_no', 'charity_no',
  'vat_no', 'transaction_ref', 'directorate', 'service_area', 'expense_type', 'category', 'description',
  'proclass', 'sercop', 'capital_revenue', 'is_card', 'publisher_name', 'theme_code', 'cofog_code',
  'prevention_code', 'rule_id', 'payee_body_code',
] as const;

const SPECIAL = /[\\\t\n\r]/;
/** COPY text-format escaping; null becomes \N. */
export function copyText(v: string | null): string {
  if (v === null) return '\\N';
  if (!SPECIAL.test(v)) return v;
  return v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** What a converted line adds to the file's tallies. The converter reuses one object: read it before the next call. */
export interface ConvertedLine {
  pence: number;
  date: string;          // ISO payment date
  classification: Classification;
  payeeBody: string | null;
  service: string | null;
  supplier: string | null;
  kind: string;
}

const utf8 = new TextEncoder();

/**
 * COPY text written straight into UTF-8 bytes: no per-line strings, no joins, no separate encoding
 * pass. ASCII is copied by a plain loop; anything else goes through TextEncoder.encodeInto (which,
 * like Buffer and TextEncoder.encode, writes U+FFFD for a lone surrogate).
 */
export class CopyWriter {
  buf: Uint8Array;
  pos = 0;
  constructor(capacity = 1 << 23) { this.buf = new Uint8Array(capacity); }

  /** Room for n more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** The bytes written so far, as a Buffer over an ArrayBuffer of their own (transferable, not copied);
   *  the writer starts again on a fresh buffer. */
  take(): Buffer {
    const out = Buffer.from(this.buf.buffer, this.buf.byteOffset, this.pos);
    this.buf = new Uint8Array(this.buf.length);
    this.pos = 0;
    return out;
  }

  byte(c: number): void {
    if (this.pos >= this.buf.length) this.ensure(1);
    this.buf[this.pos++] = c;
  }

  /** A string already in COPY form, written as it is. */
  raw(s: string): void {
    const n = s.length;
    this.ensure(n * 3);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) { this.pos = p; this.encodeRest(s, i, false); return; }
      b[p++] = c;
    }
    this.pos = p;
  }

  /** A value that went through cleanText (no tab, CR or LF): backslashes doubled; null is \N. */
  clean(s: string | null): void {
    if (s === null) { this.nul(); return; }
    const n = s.length;
    this.ensure(n * 3); // ASCII with every backslash doubled takes at most 2n
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) { this.pos = p; this.encodeRest(s, i, true); return; }
      b[p++] = c;
      if (c === 92) b[p++] = 92;
    }
    this.pos = p;
  }

  private encodeRest(s: string, from: number, escape: boolean): void {
    let rest = s.slice(from);
    if (escape && rest.indexOf('\\') !== -1) rest = rest.replace(/\\/g, '\\\\');
    this.ensure(rest.length * 3);
    const r = utf8.encodeInto(rest, this.buf.subarray(this.pos));
    this.pos += r.written;
  }

  /** A safe integer in decimal. */
  int(v: number): void {
    if (!Number.isSafeInteger(v)) { this.raw(String(v)); return; }
    this.ensure(24);
    const b = this.buf;
    if (v < 0) { b[this.pos++] = 45; v = -v; }
    if (v < 10) { b[this.pos++] = 48 + v; return; }
    let digits = 1;
    for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
    let p = this.pos + digits;
    this.pos = p;
    while (v >= 10) { const q = Math.floor(v / 10); b[--p] = 48 + (v - q * 10); v = q; }
    b[--p] = 48 + v;
  }

  tab(): void { if (this.pos >= this.buf.length) this.ensure(1); this.buf[this.pos++] = 9; }
  nul(): void { this.ensure(2); this.buf[this.pos++] = 92; this.buf[this.pos++] = 78; }
}

/**
 * Converts one row: on success appends the line's COPY text (newline included) to `out`
 * and returns the (reused) ConvertedLine; otherwise returns a Rejection and leaves `out` alone.
 */
export type RowConverter = (cells: unknown[], line: number, lineId: number, out: CopyWriter) => ConvertedLine | Rejection;

/** What is known about a supplier name: its kind and the registered body it is (organisations only). */
interface PayeeInfo { kind: PayeeKind; body: string | null }
const PAYEE_INFO_LIMIT = 200_000;

export function makeRowConverter(cols: ColumnAssignment[], ctx: LineContext): RowConverter {
  const idx = (f: CanonicalField) => cols.find((c) => c.field === f)?.index ?? -1;
  const header = (i: number) => cols[i]?.header || `column ${i + 1}`;
  const iDate = idx('date'), iNet = idx('amount_net'), iGross = idx('amount_gross'), iVat = idx('vat');
  const iSupplier = idx('supplier_name'), iSupplierRef = idx('supplier_ref'), iCompany = idx('company_no');
  const iCharity = idx('charity_no'), iVatNo = idx('vat_no'), iRef = idx('transaction_ref'), iDir = idx('directorate');
  const iService = idx('service_area'), iExpense = idx('expense_type'), iCategory = idx('category');
  const iDesc = idx('description'), iProclass = idx('proclass'), iSercop = idx('sercop'), iCapRev = idx('capital_revenue');
  const iCard = idx('card_flag'), iPublisher = idx('publisher');
  const txt = (cells: unknown[], i: number) => (i < 0 ? null : cleanText(cells[i]));
  const prefix = `${copyText(ctx.bodyCode)}\t${ctx.fileId}\t`;
  const sheet = '\t' + copyText(ctx.sheet) + '\t';
  const reject = (cells: unknown[], line: number, column: number, reason: string): Rejection => ({
    sheet: ctx.sheet, line, column: column >= 0 ? header(column) : null,
    reason: column >= 0 ? `column "${header(column)}": ${reason}` : reason,
    raw: rawText(cells),
  });
  const optionalPence = (cells: unknown[], i: number): number | null => {
    if (i < 0) return null;
    const r = parseAmountPence(cells[i]);
    return r.ok ? r.value : null; // 'N/A' in an optional VAT column is not a reason to refuse the line
  };
  // Reused per row: classify() reads it synchronously and copies out what it keeps.
  const cl: ClassifiableLine = {
    body_code: ctx.bodyCode, body_type: ctx.bodyType, directorate: null, service_area: null, expense_type: null,
    category: null, description: null, proclass: null, sercop: null, supplier_name: null, capital_revenue: null,
  };
  const result: ConvertedLine = { pence: 0, date: '', classification: null as unknown as Classification, payeeBody: null, service: null, supplier: null, kind: '' };
  // The classification's COPY tail, built once per shared Classification object.
  const tails = new Map<Classification, string>();
  const tailOf = (c: Classification) => {
    let t = tails.get(c);
    if (t === undefined) {
      t = copyText(c.theme_code) + '\t' + (c.cofog_code === null ? '\\N' : copyText(c.cofog_code)) + '\t' +
        (c.prevention_code === null ? '\\N' : copyText(c.prevention_code)) + '\t' + (c.rule_id === null ? '\\N' : c.rule_id) + '\t';
      tails.set(c, t);
    }
    return t;
  };
  // Supplier name -> kind and payee body: one look-up per line instead of two (a file repeats its suppliers).
  const payees = new Map<string, PayeeInfo>();
  const payeeOf = (name: string): PayeeInfo => {
    let info = payees.get(name);
    if (info === undefined) {
      const kind = payeeKind(name);
      info = { kind, body: kind === 'organisation' ? ctx.payeeBody(name) : null };
      if (payees.size >= PAYEE_INFO_LIMIT) payees.clear();
      payees.set(detach(name), info);
    }
    return info;
  };
  const bodyCopies = new Map<string, string>();
  const bodyCopy = (code: string) => {
    let t = bodyCopies.get(code);
    if (t === undefined) bodyCopies.set(code, (t = copyText(code)));
    return t;
  };

  return (cells, line, lineId, out) => {
    const date = parseDate(cells[iDate]);
    if (!date.ok) {
      const first = cleanText(cells.find((c) => typeof c === 'string' && c.trim() !== ''));
      if (first && /^(grand )?total\b/i.test(first)) return reject(cells, line, -1, 'this is a total line, not a payment');
      return reject(cells, line, iDate, date.reason);
    }
    let pence: number, vat: number | null = optionalPence(cells, iVat), gross: number | null = null;
    if (iNet >= 0) {
      const a = parseAmountPence(cells[iNet]);
      if (!a.ok) {
        // A net column left blank where gross is given: net = gross - VAT.
        const g = iGross >= 0 ? parseAmountPence(cells[iGross]) : undefined;
        if (!(g && g.ok && isBlank(cells[iNet]))) return reject(cells, line, iNet, a.reason);
        gross = g.value; pence = g.value - (vat ?? 0);
      } else pence = a.value;
      if (iGross >= 0 && gross === null) gross = optionalPence(cells, iGross);
    } else {
      const g = parseAmountPence(cells[iGross]);
      if (!g.ok) return reject(cells, line, iGross, g.reason);
      gross = g.value; pence = g.value - (vat ?? 0);
    }
    const iso = date.value;
    const fy = financialYear(iso);
    const supplier = txt(cells, iSupplier);
    const payee = supplier === null ? null : payeeOf(supplier);
    const kind = payee === null ? payeeKind(null) : payee.kind;
    const directorate = txt(cells, iDir), service = txt(cells, iService), expense = txt(cells, iExpense);
    const category = txt(cells, iCategory), description = txt(cells, iDesc), proclass = txt(cells, iProclass);
    const sercop = txt(cells, iSercop);
    const capRev = iCapRev < 0 ? null : parseCapitalRevenue(cells[iCapRev]);
    const card = iCard < 0 ? null : parseCardFlag(cells[iCard]);
    cl.directorate = directorate; cl.service_area = service; cl.expense_type = expense; cl.category = category;
    cl.description = description; cl.proclass = proclass; cl.sercop = sercop; cl.supplier_name = supplier; cl.capital_revenue = capRev;
    const c = ctx.classify(cl);
    const payeeBody = payee === null ? null : payee.body;
    out.raw(prefix); out.int(lineId); out.raw(sheet); out.int(line); out.tab();
    out.raw(iso); out.tab(); out.raw(fy); out.tab(); out.int(pence); out.tab();
    if (vat === null) out.nul(); else out.int(vat);
    out.tab();
    if (gross === null) out.nul(); else out.int(gross);
    out.tab();
    out.clean(supplier); out.tab();
    out.clean(txt(cells, iSupplierRef)); out.tab();
    out.raw(kind); out.tab();
    out.clean(txt(cells, iCompany)); out.tab();
    out.clean(txt(cells, iCharity)); out.tab();
    out.clean(txt(cells, iVatNo)); out.tab();
    out.clean(txt(cells, iRef)); out.tab();
    out.clean(directorate); out.tab();
    out.clean(service); out.tab();
    out.clean(expense); out.tab();
    out.clean(category); out.tab();
    out.clean(description); out.tab();
    out.clean(proclass); out.tab();
    out.clean(sercop); out.tab();
    if (capRev === null) out.nul(); else out.raw(capRev);
    out.tab();
    if (card === null) out.nul(); else out.byte(card ? 116 : 102);
    out.tab();
    out.clean(txt(cells, iPublisher)); out.tab();
    out.raw(tailOf(c));
    if (payeeBody === null) out.nul(); else out.raw(bodyCopy(payeeBody));
    out.byte(10);
    result.pence = pence; result.date = iso; result.classification = c; result.payeeBody = payeeBody;
    result.service = service; result.supplier = supplier; result.kind = kind;
    return result;
  };
}

function isBlank(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
}

/** The row as the user would see it in the file, for the rejection report. */
export function rawText(cells: unknown[]): string {
  let end = cells.length;
  while (end > 0 && isBlank(cells[end - 1])) end--;
  const parts: string[] = [];
  for (let i = 0; i < end; i++) {
    const c = cells[i];
    const s = c === null || c === undefined ? '' : c instanceof Date ? c.toISOString().slice(0, 10) : String(c);
    parts.push(/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  }
  const text = parts.join(',');
  return text.length > 2000 ? text.slice(0, 2000) + '…' : text;
}
