// The OpenAPI 3.1 document of the JSON API (served at /api/openapi.json, and read by the /api page).
// Response schemas are JSON Schemas of the TypeScript interfaces the services return; test/web/api.test.ts
// checks real responses against them, that every route of the API router is documented here and that
// every path documented here answers.
import fs from 'node:fs';
import { DEFAULT_PER_PAGE, MAX_PAGING_DEPTH, MAX_PER_PAGE } from './query.ts';
import { CSV_TYPE, XLSX_TYPE } from './downloads.ts';
import { DOWNLOAD_PAGE, XLSX_MAX_ROWS } from './tables.ts';

export type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const nullable = (s: Schema): Schema => (s.$ref ? { anyOf: [s, { type: 'null' }] } : { ...s, type: [s.type, 'null'] });
const str = (description?: string): Schema => ({ type: 'string', ...(description ? { description } : {}) });
const int = (description?: string): Schema => ({ type: 'integer', ...(description ? { description } : {}) });
const num = (description?: string): Schema => ({ type: 'number', ...(description ? { description } : {}) });
const bool = (description?: string): Schema => ({ type: 'boolean', ...(description ? { description } : {}) });
const pence = (description: string): Schema => int(`${description}, in pence`);
const arr = (items: Schema, description?: string): Schema => ({ type: 'array', items, ...(description ? { description } : {}) });
const map = (values: Schema, description?: string): Schema => ({ type: 'object', additionalProperties: values, ...(description ? { description } : {}) });
/** An object; every property is required unless listed in `optional`. */
const obj = (properties: Record<string, Schema>, optional: string[] = [], description?: string): Schema => ({
  type: 'object', properties, required: Object.keys(properties).filter((k) => !optional.includes(k)), ...(description ? { description } : {}),
});
const fy = str('Financial year, April to March, written like 2023-24');
const share = nullable(num('A fraction from 0 to 1, or null when the total is zero'));

const RULE = { type: 'string', enum: ['direct', 'population_share', 'driver_share', 'excluded'] };
const DRIVER = obj({
  name: str('What the driver counts, such as caseload'),
  place_value: { type: ['string', 'number'], description: 'The figure for the place (a decimal)' },
  body_total: { type: ['string', 'number'], description: 'The figure for everything the body serves' },
});
const BREAKDOWN = obj({ label: str(), pence: pence('Amount'), share });
const LABELLED_TOTAL = obj({ label: str(), rows: int('Ledger lines'), total_pence: pence('Amount') });
const COMPARE_SIDE = obj({ pence: pence('Amount'), per_head_pence: nullable(pence('Per head')) });

const schemas: Record<string, Schema> = {
  Error: obj({ error: str('What was wrong, in plain English, naming the parameter') }),
  PlaceListItem: obj({ code: str(), name: str(), areas: arr(str('GSS area code')), version: int(), bodies: int('Bodies attached') }),
  PlaceBody: obj({
    body_code: str(), body_name: str(), body_type: str(), body_areas: arr(str()), rule: RULE,
    driver: nullable(DRIVER), note: str(),
  }),
  Place: obj({
    code: str(), name: str(), areas: arr(str('GSS area code')), population_override: nullable(int('Population used instead of ONS figures')),
    version: int('Version of the definition; every change adds one'), updated_at: str('When the definition last changed'),
    bodies: arr(ref('PlaceBody')),
  }, [], 'A place: its GSS areas, and the bodies serving it with the rule attributing each body\'s spend to it.'),
  CountBody: obj({
    code: str(), name: str(), rule: RULE,
    factor: obj({ numerator: int(), denominator: int(), share: num('numerator / denominator, for display') }),
    explanation: str('The attribution rule in plain English, with its figures'),
    gross_pence: pence('The body\'s own spend in the year, before netting and attribution'),
    netted_pence: pence('Paid by this body to other counted bodies of the place (counted where spent)'),
    attributed_before_netting_pence: pence('round(factor × gross)'),
    attributed_pence: pence('round(factor × (gross − netted)); 0 for an excluded body'),
    lines: int('Ledger lines'),
    population: obj({ body_areas: int(), body_population: int(), place_areas: arr(str()), place_population: int(), missing_areas: arr(str()) }),
    driver: DRIVER,
  }, ['population', 'driver']),
  CountFlow: obj({ from: str(), from_name: str(), to: str(), to_name: str(), pence: pence('Paid'), netted: bool('Counted once, where spent') }),
  CountResult: obj({
    place: str(), name: str(), place_version: int(), year: nullable(fy), population: nullable(int()),
    population_detail: obj({
      value: nullable(int()), source: { type: 'string', enum: ['place override', 'ons', 'ons with user overrides', 'user', 'not known'] }, year: nullable(int()),
      areas: arr(obj({ code: str(), name: str(), population: nullable(int()), source: nullable(str()) })),
    }),
    total_pence: pence('All public money spent in the place in the year, counted once'),
    per_head_pence: nullable(pence('Total per head')),
    bodies: arr(ref('CountBody')),
    by_theme: map(BREAKDOWN, 'By theme code'), by_cofog: map(BREAKDOWN, 'By COFOG division code ("unknown" when not known)'),
    by_prevention: map(BREAKDOWN, 'By prevention level code ("unknown" when not known)'),
    social_protection_education_health_share: obj({ cofog: arr(str()), pence: pence('Amount'), share }),
    prevention_vs_intervention_by_theme: map(obj({
      label: str(), total_pence: pence('Total'), prevention_pence: pence('Universal and early intervention'), intervention_pence: pence('Acute'),
      other_pence: pence('Transfers, enabling and not known'), prevention_share: share, by_level: map(int()),
    })),
    netting: obj({ netted_pence: pence('Removed as paid between counted bodies'), reduction_pence: pence('What netting took off the total'), rule: str(), flows: arr(ref('CountFlow')) }),
    by_year: map(obj({
      total_pence: pence('Total'), per_head_pence: nullable(int()), real_pence: nullable(int()), real_per_head_pence: nullable(int()),
      deflator_index: nullable(str()), netted_pence: int(),
    }), 'By financial year, in cash and real terms'),
    real_terms: obj({ base_year: nullable(str()), note: str() }),
    notes: arr(str()),
  }, [], 'The count: every figure adds up to total_pence to the penny.'),
  LedgerLine: obj({
    body_code: str('The publishing body'), file_id: int(), line_id: int(), file_name: str('The published file the line came from'),
    sheet: nullable(str('Worksheet, for XLSX files')), line_no: int('Line (CSV) or row (XLSX) in the file'),
    payment_date: str('YYYY-MM-DD'), financial_year: fy, amount_pence: pence('Amount as published (net of VAT where given)'),
    supplier_name: nullable(str('The payee; "Individual (name withheld)" for payments to people, unless the signed-in user may see their own body\'s')),
    payee_kind: str('organisation, individual, redacted or unknown'), payee_body_code: nullable(str('The registered body paid, if any')),
    service_area: nullable(str()), expense_type: nullable(str()), description: nullable(str()),
    theme_code: str(), cofog_code: nullable(str()), prevention_code: nullable(str()), rule_id: nullable(int('The classification rule that decided')),
  }),
  TransactionsPage: obj({
    lines: arr(ref('LedgerLine')), total_lines: int('Lines matching the filter (all pages)'), total_pence: pence('Sum of every matching line'),
    page: int(), per_page: int(), pages: int(),
    individuals_named: bool('True only when the signed-in user may see payments to individuals for every body asked for'),
    links: obj({ self: str(), first: str(), prev: nullable(str()), next: nullable(str()), last: str(), csv: str(), xlsx: str() }),
  }),
  DeepDiveBody: obj({
    code: str(), name: str(), rule: RULE, factor: obj({ numerator: int(), denominator: int(), share: num() }), explanation: str(),
    gross_pence: pence('Spend on the theme'), netted_pence: pence('Paid to other counted bodies'), attributed_pence: pence('Counted for the place'), lines: int(),
  }),
  DeepDiveResult: obj({
    place: str(), name: str(), place_version: int(), year: nullable(fy), theme: obj({ code: str(), label: str() }),
    population: nullable(int()), total_pence: pence('The count\'s figure for the theme'), per_head_pence: nullable(int()),
    bodies: arr(ref('DeepDiveBody')),
    services: arr(obj({ body_code: str(), body_name: str(), service_area: str(), attributed_pence: int(), gross_pence: int(), lines: int() }), 'Top 20 services'),
    services_other: obj({ services: int(), attributed_pence: pence('All other services') }),
    suppliers: arr(obj({ supplier_name: str(), payee_kind: str(), attributed_pence: int(), gross_pence: int(), lines: int(), bodies: arr(str()) }), 'Top 20 suppliers; individuals are one row, never named'),
    suppliers_other: obj({ suppliers: int(), attributed_pence: pence('All other suppliers') }),
    months: arr(obj({ month: str('YYYY-MM'), attributed_pence: int(), gross_pence: int(), lines: int() })),
    by_prevention: map(BREAKDOWN),
    top_transactions: obj({ lines: arr(ref('LedgerLine')), total_lines: int(), total_pence: int(), note: str() }),
    notes: arr(str()),
  }),
  CompareRow: obj({ label: str(), a: COMPARE_SIDE, b: COMPARE_SIDE, difference_per_head_pence: nullable(int('a − b per head')) }),
  CompareResult: obj({
    year: nullable(fy),
    places: arr(obj({
      code: str(), name: str(), place_version: int(), year: nullable(str()), population: nullable(int()), population_source: str(),
      total_pence: int(), per_head_pence: nullable(int()), netted_pence: int(),
    })),
    total: ref('CompareRow'), by_theme: map(ref('CompareRow')), by_prevention: map(ref('CompareRow')), notes: arr(str()),
  }),
  Body: obj({
    code: str('GSS, ODS or org-id style code'), name: str(), body_type: str(), areas: arr(str('GSS area served')),
    parent_code: nullable(str()), region: nullable(str()), aliases: arr(str()), source: str('Where the register entry came from'),
  }),
  Summary: obj({
    body: str(), year: nullable(fy), rows: int('Ledger lines'), total_pence: pence('Total'),
    by_year: map(obj({ rows: int(), total_pence: int() })), by_theme: map(LABELLED_TOTAL), by_cofog: map(LABELLED_TOTAL), by_prevention: map(LABELLED_TOTAL),
    classified_pence: pence('Spend classified by a rule'),
  }),
  SourceFile: obj({
    body_code: str(), file_id: int(), file_name: str(), format: str(), encoding: nullable(str()), checksum: str('SHA-256 of the file'),
    size_bytes: int(), rows_loaded: int(), rows_rejected: int(), total_pence: int(), loaded_at: str(),
  }),
  BodyDetail: obj({ body: ref('Body'), summary: ref('Summary'), files: arr(ref('SourceFile'), 'The files loaded for the body') }),
  SupplierMatch: obj({ supplier_name: str(), bodies: int('Bodies that paid it'), lines: int(), total_pence: int() }),
  SupplierSummary: obj({
    supplier_name: str(), spellings: arr(obj({ supplier_name: str(), lines: int(), total_pence: int() })), year: nullable(fy),
    lines: int(), total_pence: pence('Paid by every body'),
    by_body: arr(obj({ body_code: str(), body_name: str(), lines: int(), total_pence: int() })),
    by_year: arr(obj({ financial_year: str(), lines: int(), total_pence: int() })),
    by_theme: arr(obj({ theme_code: str(), label: str(), lines: int(), total_pence: int() })),
  }),
  Taxonomy: obj({
    themes: arr(obj({ code: str(), label: str(), description: str(), default_cofog: nullable(str()), default_prevention: nullable(str()), sort_order: int(), shipped: bool(), user_edited: bool() })),
    cofog: arr(obj({ code: str(), label: str() })),
    prevention: arr(obj({ code: str(), label: str(), description: str(), sort_order: int() })),
  }),
  Rule: obj({
    id: int(), key: nullable(str()), position: int(), name: str(),
    conditions: arr(obj({ field: str(), op: str(), value: { anyOf: [str(), arr(str())] } })),
    theme_code: str(), cofog_code: nullable(str()), prevention_code: nullable(str()), enabled: bool(), shipped: bool(), user_edited: bool(), notes: str(),
  }),
  CoverageReport: obj({
    body: nullable(str()),
    overall: obj({
      lines: int(), classified_lines: int(), value_pence: int(), classified_pence: int(), share_of_lines: num(), share_of_value: num(),
      decided_by_body_only_rules_pence: int(), share_of_value_by_body_only_rules: num(),
    }),
    bodies: arr(obj({
      body_code: str(), body_name: nullable(str()), body_type: nullable(str()),
      lines: int(), classified_lines: int(), value_pence: int(), classified_pence: int(), share_of_lines: num(), share_of_value: num(),
    })),
    group_by: arr(str()),
    unclassified_groups: arr(obj({
      body_code: str(), fields: map(nullable(str())), lines: int(), value_pence: int(),
      example_supplier: nullable(str('Withheld (null) unless the signed-in user may see the body\'s payments to individuals')),
      example_description: nullable(str('Withheld as example_supplier is')),
    })),
    rules: arr(obj({
      rule_id: int(), key: nullable(str()), name: str(), position: nullable(int()), theme_code: nullable(str()), body_only: bool(),
      lines: int(), value_pence: int(), share_of_value: num(),
    })),
  }),
  // Duplication (src/insight/duplication.ts, src/insight/returns.ts)
  DuplicationScope: obj({
    place: obj({ code: str(), name: str() }), year: nullable(fy),
    bodies: arr(obj({ code: str(), name: str() }), 'The place\'s bodies (not those attached as excluded)'),
    resolution: obj({ at: nullable(str('When suppliers were last resolved (UTC), or null when never')), unresolved_names: int('Names of these bodies loaded since, matched only by spelling') }),
  }),
  SharedSupplier: obj({
    entity_key: nullable(str('The supplier entity, or null when its names were loaded after the last resolution')),
    name: str('The most-paid spelling, or the registered body\'s name'),
    public_body: nullable(str('The registered public body it is: a payment between public bodies, not a purchase')),
    confidence: num('How sure its weakest match is, 0 to 1'), bodies: int(), lines: int(), total_pence: pence('Paid by the place\'s bodies'),
    by_body: arr(obj({ body_code: str(), body_name: str(), lines: int(), total_pence: pence('Paid by the body'), spelling: str('The body\'s most-paid spelling') })),
    by_year: arr(obj({ financial_year: fy, total_pence: pence('Paid in the year'), by_body: map(int(), 'Pence by body code') })),
  }),
  CategoryGroup: obj({
    kind: { type: 'string', enum: ['theme', 'expense_type', 'proclass'] }, key: str('Theme code, or the category name normalised'), label: str(),
    total_pence: pence('Bought by the bodies together'),
    bodies: arr(obj({ body_code: str(), body_name: str(), label: str('The category as the body names it'), lines: int(), total_pence: pence('Bought by the body') })),
  }),
  SpreadGroup: obj({
    entity_key: str(), name: str(), theme_code: str(), theme_label: str(), total_pence: pence('Paid by the bodies on the theme'),
    median_ratio: nullable(num('The highest median payment over the lowest')),
    bodies: arr(obj({
      body_code: str(), body_name: str(), spelling: str(), lines: int(), payments: int('Lines above zero'), total_pence: pence('Paid'),
      min_pence: nullable(int()), median_pence: nullable(int()), max_pence: nullable(int()),
    })),
  }),
  Opportunity: obj({
    kind: { type: 'string', enum: ['supplier', 'theme', 'expense_type', 'proclass'] }, key: str(), label: str(),
    bodies: arr(obj({ code: str(), name: str(), spelling: nullable(str('For a supplier, the name the body pays it under')) })),
    total_pence: pence('Combined spend'), saving_pence: pence('Estimated saving under the assumption'),
  }),
  ReturnEntry: obj({
    id: int(), body_code: str(), body_name: str(), kind: { type: 'string', enum: ['return', 'inspection'] }, name: str(),
    counterpart: str('The inspectorate, or who receives the return'), theme: str(), theme_key: str('The theme normalised, to compare across bodies'),
    start_date: str('YYYY-MM-DD'), end_date: nullable(str('YYYY-MM-DD')), staff_days: num(),
  }),
  PlaceReturns: obj({
    place: obj({ code: str(), name: str() }), bodies: arr(obj({ code: str(), name: str() })), entries: arr(ref('ReturnEntry')),
    repeated: arr(obj({
      theme_key: str(), theme: str(), entries: int(), bodies: arr(obj({ body_code: str(), body_name: str() })),
      kinds: arr({ type: 'string', enum: ['return', 'inspection'] }), counterparts: arr(str()), staff_days: num(),
    }), 'Themes reported or inspected more than once across the place\'s bodies, most staff time first'),
    totals: obj({ entries: int(), staff_days: num(), repeated_staff_days: num() }),
  }),
};

// ---------------------------------------------------------------------------------------------
// Parameters

export interface Param { name: string; in: 'path' | 'query'; required?: boolean; description: string; schema: Schema; example?: string }
const q = (name: string, description: string, schema: Schema = str(), example?: string): Param => ({ name, in: 'query', description, schema, ...(example ? { example } : {}) });
const qRequired = (name: string, description: string, example: string): Param => ({ ...q(name, description, str(), example), required: true });
const path = (name: string, description: string, example: string): Param => ({ name, in: 'path', required: true, description, schema: str(), example });

const P = {
  place: path('code', 'Place code, such as DEMO-VALE', 'DEMO-VALE'),
  body: path('code', 'Body code (GSS, ODS or org-id style), such as E07000120', 'DEMO-COUNTY'),
  theme: path('theme', 'Theme code (see /api/taxonomy)', 'adult-social-care'),
  supplier: path('name', 'Supplier name (any case)', 'DEMOSHIRE COUNTY COUNCIL'),
  year: q('year', 'Financial year, written like 2023-24; default the latest year with spend', { type: 'string', pattern: '^\\d{4}-\\d{2}$' }),
};

const LINE_PARAMS: Param[] = [
  { ...qRequired('body', 'Body code(s), comma-separated (or the parameter repeated); each must be registered', 'DEMO-DISTRICT') },
  P.year,
  q('month', 'Month of payment, written like 2023-04 (within year, if both are given)', { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$' }),
  q('theme', 'Theme code'),
  q('cofog', 'COFOG division code, or "unknown"'),
  q('prevention', 'Prevention level code, or "unknown"'),
  q('payee_body', 'Only payments to this registered body'),
  q('supplier', 'Supplier name contains this text (any case). Payments to individuals are never found by name.'),
];
const PAGE_PARAMS: Param[] = [
  q('order', 'amount (largest first, the default) or date (oldest first)', { type: 'string', enum: ['amount', 'date'] }),
  q('page', `Page number from 1; pages reach the first ${MAX_PAGING_DEPTH.toLocaleString('en-GB')} lines`, { type: 'integer', minimum: 1 }),
  q('per_page', `Lines per page, 1 to ${MAX_PER_PAGE} (default ${DEFAULT_PER_PAGE})`, { type: 'integer', minimum: 1, maximum: MAX_PER_PAGE }),
];

// ---------------------------------------------------------------------------------------------
// Responses

const json = (schema: Schema, description: string) => ({ description, content: { 'application/json': { schema } } });
const errorResponse = (description: string) => json(ref('Error'), description);
const E400 = { 400: errorResponse('A query parameter is not valid; the message names it') };
const E404 = { 404: errorResponse('No such place, body, theme or supplier') };
const E409 = { 409: errorResponse('The place\'s definition cannot be counted as it stands (the message says why)') };
const csv = (description: string) => ({ description, content: { [CSV_TYPE.split(';')[0]!]: { schema: { type: 'string' } } } });
const xlsx = (description: string) => ({ description, content: { [XLSX_TYPE]: { schema: { type: 'string', contentMediaType: XLSX_TYPE } } } });

const CSV_FORMAT = 'RFC 4180 CSV in UTF-8 with a byte-order mark, CRLF line ends; text cells beginning with = + - @ are prefixed with an apostrophe so spreadsheet programs do not run them as formulas. Money is given twice: *_pounds, the exact decimal, and *_pence, an integer.';
const XLSX_FORMAT = 'An XLSX workbook, one sheet per table, the first ("About") saying what the download is and where it came from. Amounts in pounds are numbers formatted to two decimal places, with the exact pence beside them; text cells beginning with = + - @ are prefixed with an apostrophe.';

export interface Operation {
  tags: string[]; summary: string; description?: string; parameters?: Param[];
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>; security?: unknown[];
}
const get = (op: Operation) => ({ get: op });

const LINE_DOWNLOAD = `Every line matching the filter (page, per_page and order are ignored, so the query of a /transactions page can be reused), in source order: by body code, then file and line as published. The lines are read ${DOWNLOAD_PAGE.toLocaleString('en-GB')} at a time, so any number can be downloaded. Columns: body_code, body_name, file_name, sheet, line_no, payment_date, financial_year, supplier_name, payee_kind, payee_body_code, amount_pounds, amount_pence, theme_code, theme, cofog_code, cofog, prevention_code, prevention, service_area, expense_type, description.`;
const SESSION = [{}, { session: [] }];

// Duplication: every result repeats its scope (the place, year, bodies and how fresh the supplier matching is).
const DUP = (extra: Schema): Schema => {
  const scope = schemas.DuplicationScope as { properties: Record<string, Schema> };
  const more = extra as { properties: Record<string, Schema> };
  return obj({ ...scope.properties, ...more.properties });
};
const DUP_YEAR = q('year', 'Financial year, written like 2023-24; default all years', { type: 'string', pattern: '^\\d{4}-\\d{2}$' });
const SAVING = q('saving_percent', 'A saving to assume instead of the place\'s (a what-if), as a percentage from 0 to 100, such as 2.5', { type: 'string' });

/** Every path of the API, as mounted (/api/...). */
const paths: Record<string, Record<string, Operation>> = {
  '/api': get({ tags: ['About'], summary: 'This list of endpoints, as a web page', responses: { 200: { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } } } }),
  '/api/openapi.json': get({ tags: ['About'], summary: 'This document', responses: { 200: json({ type: 'object' }, 'The OpenAPI 3.1 document') } }),
  '/api/places': get({ tags: ['Places'], summary: 'Every place', responses: { 200: json(obj({ places: arr(ref('PlaceListItem')) }), 'The places') } }),
  '/api/places/{code}': get({
    tags: ['Places'], summary: 'A place\'s definition: its areas, bodies and attribution rules', parameters: [P.place],
    responses: { 200: json(ref('Place'), 'The place'), ...E404 },
  }),
  '/api/places/{code}/count': get({
    tags: ['Places'], summary: 'The count: all public money spent in the place in a year, by body, theme, COFOG, prevention level and year, counted once',
    parameters: [P.place, P.year], responses: { 200: json(ref('CountResult'), 'The count'), ...E400, ...E404, ...E409 },
  }),
  '/api/places/{code}/count.csv': get({
    tags: ['Places', 'Downloads'], summary: 'The count as CSV',
    description: `One table with a "table" column: the rows of the four breakdowns of the total — table=body (each body's attributed amount, with gross, netted, lines, rule and explanation), theme, cofog and prevention — so the amount_pence of each table's rows adds up to the count's total_pence. Columns: table, code, label, amount_pounds, amount_pence, share, gross_pence, netted_pence, lines, rule, explanation. By year, prevention by theme and the flows between bodies are in the XLSX and the JSON. ${CSV_FORMAT}`,
    parameters: [P.place, P.year], responses: { 200: csv('The count'), ...E400, ...E404, ...E409 },
  }),
  '/api/places/{code}/count.xlsx': get({
    tags: ['Places', 'Downloads'], summary: 'The count as a workbook',
    description: `Sheets: About (place, year, population, total, notes), By body, By theme, By prevention, By COFOG, By year, Prevention by theme, Flows (payments between the place's bodies, and whether each was netted). ${XLSX_FORMAT}`,
    parameters: [P.place, P.year], responses: { 200: xlsx('The count'), ...E400, ...E404, ...E409 },
  }),
  '/api/places/{code}/themes/{theme}': get({
    tags: ['Places'], summary: 'One theme in a place: bodies, services, suppliers, months, prevention levels and the largest transactions',
    parameters: [P.place, P.theme, P.year], responses: { 200: json(ref('DeepDiveResult'), 'The deep dive'), ...E400, ...E404, ...E409 },
  }),
  '/api/places/{code}/themes/{theme}.csv': get({
    tags: ['Places', 'Downloads'], summary: 'A theme deep dive as CSV',
    description: `One table with a "table" column: table=body, service, supplier, month and prevention, each set adding up to the theme's total_pence ("All other services" and "All other suppliers" rows hold what is outside the top 20). Columns: table, code, label, bodies, attributed_pounds, attributed_pence, gross_pence, lines. The top transactions are in the XLSX; every line is in /api/transactions.csv. ${CSV_FORMAT}`,
    parameters: [P.place, P.theme, P.year], responses: { 200: csv('The deep dive'), ...E400, ...E404, ...E409 },
  }),
  '/api/places/{code}/themes/{theme}.xlsx': get({
    tags: ['Places', 'Downloads'], summary: 'A theme deep dive as a workbook',
    description: `Sheets: About, Bodies, Services, Suppliers, Months, Prevention, Top transactions (with file and line). ${XLSX_FORMAT}`,
    parameters: [P.place, P.theme, P.year], responses: { 200: xlsx('The deep dive'), ...E400, ...E404, ...E409 },
  }),
  '/api/places/{code}/compare': get({
    tags: ['Places'], summary: 'Two places side by side, per head, for the same year',
    parameters: [P.place, qRequired('with', 'The other place\'s code', 'DEMO-VALE'), P.year],
    responses: { 200: json(ref('CompareResult'), 'The comparison (a = this place, b = the other)'), ...E400, ...E404, ...E409 },
  }),
  '/api/bodies': get({
    tags: ['Bodies'], summary: 'The register of public bodies',
    parameters: [q('search', 'Text in the code, name or aliases'), q('type', 'Body type code, such as district or police')],
    responses: { 200: json(obj({ bodies: arr(ref('Body')) }), 'The bodies, by type then name'), ...E400 },
  }),
  '/api/bodies/{code}': get({
    tags: ['Bodies'], summary: 'A body, its spend by year, theme, COFOG and prevention level, and the files loaded',
    parameters: [P.body, P.year], responses: { 200: json(ref('BodyDetail'), 'The body'), ...E400, ...E404 },
  }),
  '/api/suppliers': get({
    tags: ['Suppliers'], summary: 'Suppliers whose name contains some text, largest first (individuals are never listed)',
    parameters: [qRequired('q', 'At least two characters of the name', 'council')],
    responses: { 200: json(obj({ suppliers: arr(ref('SupplierMatch')) }), 'Up to 50 suppliers'), ...E400 },
  }),
  '/api/suppliers/{name}': get({
    tags: ['Suppliers'], summary: 'What every body paid one supplier, by body, year and theme',
    parameters: [P.supplier, P.year], responses: { 200: json(ref('SupplierSummary'), 'The supplier'), ...E400, ...E404 },
  }),
  '/api/transactions': get({
    tags: ['Transactions'], summary: 'The ledger lines behind any figure, a page at a time, each with its source file, sheet and line',
    description: 'Payments to individuals are shown as "Individual (name withheld)", and cannot be found by name, unless the signed-in user may see them for every body asked for.',
    parameters: [...LINE_PARAMS, ...PAGE_PARAMS], security: SESSION,
    responses: { 200: json(ref('TransactionsPage'), 'One page of lines, with the count and sum of all of them'), ...E400 },
  }),
  '/api/transactions.csv': get({
    tags: ['Transactions', 'Downloads'], summary: 'Every matching ledger line as CSV',
    description: `${LINE_DOWNLOAD} ${CSV_FORMAT}`, parameters: [...LINE_PARAMS, ...PAGE_PARAMS], security: SESSION,
    responses: { 200: csv('The lines'), ...E400 },
  }),
  '/api/transactions.xlsx': get({
    tags: ['Transactions', 'Downloads'], summary: 'Every matching ledger line as a workbook',
    description: `${LINE_DOWNLOAD} Sheets: About (the filter, count and total), Transactions. A workbook holds at most ${XLSX_MAX_ROWS.toLocaleString('en-GB')} lines: a filter matching more is answered 400 (narrow it, or download CSV). ${XLSX_FORMAT}`,
    parameters: [...LINE_PARAMS, ...PAGE_PARAMS], security: SESSION,
    responses: { 200: xlsx('The lines'), ...E400 },
  }),
  '/api/taxonomy': get({ tags: ['Classification'], summary: 'Themes, COFOG divisions and prevention levels', responses: { 200: json(ref('Taxonomy'), 'The taxonomy') } }),
  '/api/rules': get({ tags: ['Classification'], summary: 'The classification rules, in the order they are tried', responses: { 200: json(obj({ rules: arr(ref('Rule')) }), 'The rules') } }),
  '/api/coverage': get({
    tags: ['Classification'], summary: 'How much spend the rules classify, overall and per body, and the largest unclassified groups',
    parameters: [q('body', 'Only this body')], security: SESSION,
    responses: { 200: json(ref('CoverageReport'), 'The coverage report'), ...E400 },
  }),
  '/api/places/{code}/shared-suppliers': get({
    tags: ['Duplication'], summary: 'Suppliers paid by two or more of the place\'s bodies, largest combined spend first, by body and year',
    description: 'Payees are resolved into supplier entities (totalplace suppliers resolve); names loaded since count under their own spelling. Amounts are each body\'s own payments, before any share is attributed to the place. Payments to individuals are never included.',
    parameters: [P.place, DUP_YEAR, q('min_bodies', 'Paid by at least this many of the bodies (default 2)', { type: 'integer', minimum: 2 })],
    responses: { 200: json(DUP(obj({ suppliers: arr(ref('SharedSupplier')) })), 'The shared suppliers'), ...E400, ...E404 },
  }),
  '/api/places/{code}/shared-categories': get({
    tags: ['Duplication'], summary: 'The same category (theme, expense type, ProClass) bought by two or more of the place\'s bodies',
    parameters: [P.place, DUP_YEAR], responses: { 200: json(DUP(obj({ categories: arr(ref('CategoryGroup')) })), 'The categories'), ...E400, ...E404 },
  }),
  '/api/places/{code}/supplier-spread': get({
    tags: ['Duplication'], summary: 'What different bodies pay one supplier for one kind of thing: each body\'s smallest, median and largest payment',
    parameters: [P.place, DUP_YEAR], responses: { 200: json(DUP(obj({ groups: arr(ref('SpreadGroup')) })), 'Supplier and theme groups'), ...E400, ...E404 },
  }),
  '/api/places/{code}/opportunities': get({
    tags: ['Duplication'], summary: 'Collaborative procurement opportunities: groups bought by several bodies, combined spend and the estimated saving',
    description: 'The saving is the combined spend times the place\'s assumption (a place administrator sets it; 5% when not set), or saving_percent for a what-if. Groups overlap (a supplier\'s spend is also in its theme), so savings are not added up across kinds.',
    parameters: [P.place, DUP_YEAR, SAVING],
    responses: { 200: json(DUP(obj({
      assumption: obj({ basis_points: int('500 = 5%'), percent: num(), source: { type: 'string', enum: ['place', 'default', 'given'] }, updated_by: nullable(str()), updated_at: nullable(str()) }),
      opportunities: arr(ref('Opportunity')),
      totals: obj(Object.fromEntries(['supplier', 'theme', 'expense_type', 'proclass'].map((k) => [k, obj({ groups: int(), total_pence: int(), saving_pence: int() })]))),
    })), 'The opportunities'), ...E400, ...E404 },
  }),
  '/api/places/{code}/opportunities.csv': get({
    tags: ['Duplication', 'Downloads'], summary: 'The opportunities as CSV',
    description: `Columns: Kind, Group, Bodies, Body names, Body codes, Financial year, Combined spend (£), Assumed saving (%), Estimated saving (£). ${CSV_FORMAT}`,
    parameters: [P.place, DUP_YEAR, SAVING], responses: { 200: csv('The opportunities'), ...E400, ...E404 },
  }),
  '/api/places/{code}/returns': get({
    tags: ['Duplication'], summary: 'The register of data returns and inspections of the place\'s bodies, and the themes covered more than once with the staff time they cost',
    parameters: [P.place], responses: { 200: json(ref('PlaceReturns'), 'The register'), ...E404 },
  }),
};

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string; license: { name: string; identifier: string } };
  tags: { name: string; description: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, Schema> };
}

let doc: OpenApiDocument | undefined;

/** The OpenAPI 3.1 document (built once). */
export function openApiDocument(): OpenApiDocument {
  if (doc) return doc;
  const pkg = JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string; license: string };
  doc = {
    openapi: '3.1.0',
    info: {
      title: 'Total Place API', version: pkg.version, license: { name: pkg.license, identifier: pkg.license },
      description: 'Everything the Total Place pages show, as JSON, with CSV and XLSX downloads that take the same filters as the pages. '
        + 'Money is always integer pence, in fields named *_pence. Payments to individuals are never named; every figure can be traced to ledger lines (/api/transactions), '
        + 'each with the published file, sheet and line it came from. Errors are JSON: {"error": "..."}, status 400 for a bad parameter (the message names it) and 404 for something that does not exist.',
    },
    tags: [
      { name: 'Places', description: 'Places, their count, theme deep dives and comparisons' },
      { name: 'Bodies', description: 'The register of public bodies and what each spent' },
      { name: 'Suppliers', description: 'Who was paid, across bodies' },
      { name: 'Transactions', description: 'The ledger lines behind every figure' },
      { name: 'Duplication', description: 'Suppliers shared by a place\'s bodies, buying together, and data returns and inspections' },
      { name: 'Downloads', description: 'CSV and XLSX files of the same figures' },
      { name: 'Classification', description: 'Themes, rules and how much they classify' },
      { name: 'About', description: 'This API' },
    ],
    paths,
    components: {
      schemas,
      securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'tp_session', description: 'A partner\'s signed-in session (optional): shows their own body\'s payments to individuals' } },
    },
  };
  return doc;
}

/** An API path as documented (/api/places/{code}) from an Express route path (/places/:code). */
export function documentedPath(routePath: string): string {
  return ('/api' + (routePath === '/' ? '' : routePath)).replace(/:(\w+)/g, '{$1}');
}
