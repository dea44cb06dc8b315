// The classification contract: what a rule can read from a spend line, and what it decides.

/** The fields of a spend line that classification rules can read. */
export interface ClassifiableLine {
  body_code: string;
  body_type: string | null;
  directorate: string | null;
  service_area: string | null;
  expense_type: string | null;
  category: string | null;
  description: string | null;
  proclass: string | null;
  sercop: string | null;
  supplier_name: string | null;
  capital_revenue: string | null;
}

/** What classification decides for a line. Unclassified: theme 'unclassified', everything else null. */
export interface Classification {
  theme_code: string;
  cofog_code: string | null;
  prevention_code: string | null;
  /** The rule that decided, or null when no rule matched. */
  rule_id: number | null;
}

export const UNCLASSIFIED_THEME = 'unclassified';

/** The line fields, in the order the classifier keys its cache. */
export const LINE_FIELDS = [
  'body_code', 'body_type', 'directorate', 'service_area', 'expense_type', 'category',
  'description', 'proclass', 'sercop', 'supplier_name', 'capital_revenue',
] as const satisfies readonly (keyof ClassifiableLine)[];
export type LineField = (typeof LINE_FIELDS)[number];

/**
 * The fields a condition can name. Besides every line field there are composites that match when any
 * of their parts matches, so one rule works whichever column a publisher put the text in.
 */
export const COMPOSITE_FIELDS = {
  /** the body's code or its type */
  body: ['body_code', 'body_type'],
  /** service area (cost centre) or SeRCOP/BVACOP service code; the directorate is a field of its own */
  service: ['service_area', 'sercop'],
  /** expense type, (procurement) category or ProClass */
  expense: ['expense_type', 'category', 'proclass'],
  /** the payee */
  supplier: ['supplier_name'],
  /** every descriptive text field except the supplier */
  text: ['directorate', 'service_area', 'expense_type', 'category', 'description', 'proclass', 'sercop'],
} as const satisfies Record<string, readonly LineField[]>;

export type ConditionField = LineField | keyof typeof COMPOSITE_FIELDS;
export const CONDITION_FIELDS: readonly ConditionField[] = [...LINE_FIELDS, ...(Object.keys(COMPOSITE_FIELDS) as (keyof typeof COMPOSITE_FIELDS)[])];

/**
 * - keywords: any of the listed words or phrases appears as whole words, case-insensitively, ignoring
 *   punctuation ('&' reads as 'and'); a trailing '*' matches any word starting so ('recycl*').
 * - equals: the whole value equals one of the listed values (case and spacing ignored).
 * - prefix: the value starts with one of the listed values (case ignored), e.g. ProClass codes.
 * - regex: a JavaScript regular expression, tested case-insensitively against the value as published.
 */
export const CONDITION_OPS = ['keywords', 'equals', 'prefix', 'regex'] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

export interface RuleCondition {
  field: ConditionField;
  op: ConditionOp;
  /** One value, or a list of alternatives (any may match). A regex takes one pattern. */
  value: string | string[];
}

/** A rule as stored (classification_rule) and as exported to a rules file. */
export interface Rule {
  id: number;
  key: string | null;
  position: number;
  name: string;
  conditions: RuleCondition[];
  theme_code: string;
  cofog_code: string | null;
  prevention_code: string | null;
  enabled: boolean;
  shipped: boolean;
  user_edited: boolean;
  notes: string;
}

/** The theme facts the classifier needs: the defaults a rule falls back on. */
export interface ThemeDefaults {
  code: string;
  default_cofog: string | null;
  default_prevention: string | null;
}
