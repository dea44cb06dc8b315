// Turns raw rows of a mapped sheet into ledger lines (COPY text) or rejections with a reason.
// This is the hot path of ingest: one closure per sheet with the column indexes baked in.
import type { CanonicalField } from './fields.ts';
import type { ColumnAssignment } from './mapping.ts';
import { cleanText, financialYear, parseAmountPence, parseCapitalRevenue, parseCardFlag, parseDate, payeeKind } from './normalise.ts';
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
}

/**
 * Converts one row: on success appends the line's COPY text (newline included) to `out`
 * and returns the (reused) ConvertedLine; otherwise returns a Rejection and leaves `out` alone.
 */
export type RowConverter = (cells: unknown[], line: number, lineId: number, out: string[]) => ConvertedLine | Rejection;

/** COPY escaping for a value that went through cleanText (which leaves no tab, CR or LF). */
function copyClean(v: string | null): string {
  if (v === null) return '\\N';
  return v.indexOf('\\') === -1 ? v : v.replace(/\\/g, '\\\\');
}

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
  const result: ConvertedLine = { pence: 0, date: '', classification: null as unknown as Classification, payeeBody: null };
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
    const kind = payeeKind(supplier);
    const directorate = txt(cells, iDir), service = txt(cells, iService), expense = txt(cells, iExpense);
    const category = txt(cells, iCategory), description = txt(cells, iDesc), proclass = txt(cells, iProclass);
    const sercop = txt(cells, iSercop);
    const capRev = iCapRev < 0 ? null : parseCapitalRevenue(cells[iCapRev]);
    const card = iCard < 0 ? null : parseCardFlag(cells[iCard]);
    cl.directorate = directorate; cl.service_area = service; cl.expense_type = expense; cl.category = category;
    cl.description = description; cl.proclass = proclass; cl.sercop = sercop; cl.supplier_name = supplier; cl.capital_revenue = capRev;
    const c = ctx.classify(cl);
    const payeeBody = kind === 'organisation' ? ctx.payeeBody(supplier!) : null;
    out.push(prefix + lineId + sheet + line + '\t' + iso + '\t' + fy + '\t' + pence + '\t' +
      (vat === null ? '\\N' : vat) + '\t' + (gross === null ? '\\N' : gross) + '\t' + copyClean(supplier) + '\t' +
      copyClean(txt(cells, iSupplierRef)) + '\t' + kind + '\t' + copyClean(txt(cells, iCompany)) + '\t' +
      copyClean(txt(cells, iCharity)) + '\t' + copyClean(txt(cells, iVatNo)) + '\t' + copyClean(txt(cells, iRef)) + '\t' +
      copyClean(directorate) + '\t' + copyClean(service) + '\t' + copyClean(expense) + '\t' + copyClean(category) + '\t' +
      copyClean(description) + '\t' + copyClean(proclass) + '\t' + copyClean(sercop) + '\t' + (capRev ?? '\\N') + '\t' +
      (card === null ? '\\N' : card ? 't' : 'f') + '\t' + copyClean(txt(cells, iPublisher)) + '\t' + tailOf(c) + (payeeBody === null ? '\\N' : copyText(payeeBody)) + '\n');
    result.pence = pence; result.date = iso; result.classification = c; result.payeeBody = payeeBody;
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
