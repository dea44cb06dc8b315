// The canonical fields a spend file's columns are mapped to.
export const CANONICAL_FIELDS = [
  'date',            // payment / transaction date
  'amount_net',      // amount excluding recoverable VAT (the LGA "Amount")
  'vat',             // VAT or irrecoverable VAT amount
  'amount_gross',    // amount including VAT
  'supplier_name',   // supplier / beneficiary / payee
  'supplier_ref',    // the body's own supplier number
  'company_no',      // Companies House number
  'charity_no',      // Charity Commission number
  'vat_no',          // VAT registration number
  'transaction_ref', // transaction / document / invoice reference
  'directorate',     // directorate / department / organisational unit
  'service_area',    // service area / service division / cost centre
  'expense_type',    // expense type / account / expenditure category
  'category',        // procurement or merchant category
  'description',     // description / purpose / narrative
  'proclass',        // ProClass code or label
  'sercop',          // SeRCOP / BVACOP code
  'capital_revenue', // capital or revenue flag
  'card_flag',       // procurement card flag
  'publisher',       // the organisation publishing the line, when the file has a column for it
] as const;

export type CanonicalField = (typeof CANONICAL_FIELDS)[number];

/** Each field in plain English, for people choosing a column's field (the upload wizard). */
export const FIELD_LABELS: Record<CanonicalField, string> = {
  date: 'Payment date',
  amount_net: 'Amount (net of VAT)',
  vat: 'VAT',
  amount_gross: 'Amount including VAT (gross)',
  supplier_name: 'Supplier or payee name',
  supplier_ref: 'Supplier number (your own)',
  company_no: 'Companies House number',
  charity_no: 'Charity number',
  vat_no: 'VAT registration number',
  transaction_ref: 'Transaction or invoice reference',
  directorate: 'Directorate or department',
  service_area: 'Service area or cost centre',
  expense_type: 'Expense type or account',
  category: 'Procurement or merchant category',
  description: 'Description or purpose',
  proclass: 'ProClass code',
  sercop: 'SeRCOP or BVACOP code',
  capital_revenue: 'Capital or revenue',
  card_flag: 'Payment card flag',
  publisher: 'Publishing organisation',
};

export function isCanonicalField(v: string): v is CanonicalField {
  return (CANONICAL_FIELDS as readonly string[]).includes(v);
}

export type { PayeeKind } from './normalise.ts';
