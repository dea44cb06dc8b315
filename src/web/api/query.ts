// Query parameters of the API (and of the pages that link to its downloads), checked one by one: bad input
// is a BadRequest whose message names the parameter, so the API answers 400 {"error": "..."}.
import type { Request } from 'express';
import type { Sql } from '../../db/database.ts';
import type { LineFilter } from '../../ledger/lines.ts';
import { findBody, listBodyTypes } from '../../place/bodies.ts';
import { listTaxonomy, type Taxonomy } from '../../classify/service.ts';
import { BadRequest } from '../errors.ts';

/** Lines per page of /api/transactions: at most this many. */
export const MAX_PER_PAGE = 1000;
export const DEFAULT_PER_PAGE = 100;
/** Paging goes this deep at most (page × per_page); the downloads hold every line. */
export const MAX_PAGING_DEPTH = 100_000;

const FY = /^(\d{4})-(\d{2})$/;
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** One value of a query parameter (trimmed; empty counts as absent); given twice is an error. */
export function param(req: Request, name: string): string | undefined {
  const v = req.query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new BadRequest(`${name} was given more than once: give it once.`);
  const t = v.trim();
  if (t.length > 200) throw new BadRequest(`${name} is too long (200 characters at most).`);
  return t === '' ? undefined : t;
}

export function financialYear(req: Request, name = 'year'): string | undefined {
  const v = param(req, name);
  if (v === undefined) return undefined;
  const m = FY.exec(v);
  if (!m || (Number(m[1]) + 1) % 100 !== Number(m[2])) throw new BadRequest(`${name} must be a financial year written like 2023-24 (got "${v}").`);
  return v;
}

/** The financial year (April to March) a YYYY-MM month falls in. */
export function yearOfMonth(month: string): string {
  const y = Number(month.slice(0, 4)), m = Number(month.slice(5, 7));
  const start = m >= 4 ? y : y - 1;
  return `${start}-${String((start + 1) % 100).padStart(2, '0')}`;
}

export function month(req: Request, name = 'month'): string | undefined {
  const v = param(req, name);
  if (v === undefined) return undefined;
  if (!MONTH.test(v)) throw new BadRequest(`${name} must be a month written like 2023-04 (got "${v}").`);
  return v;
}

export function wholeNumber(req: Request, name: string, opts: { min: number; max: number; fallback: number }): number {
  const v = param(req, name);
  if (v === undefined) return opts.fallback;
  const n = /^\d{1,9}$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < opts.min || n > opts.max) {
    throw new BadRequest(`${name} must be a whole number from ${opts.min.toLocaleString('en-GB')} to ${opts.max.toLocaleString('en-GB')} (got "${v}").`);
  }
  return n;
}

/** Body codes, comma-separated (or the parameter repeated), each registered. */
export async function bodyCodes(sql: Sql, req: Request, name: string, opts: { required: boolean }): Promise<string[]> {
  const raw = req.query[name];
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const codes = [...new Set(values.flatMap((v) => String(v).split(',')).map((c) => c.trim().toUpperCase()).filter(Boolean))];
  if (codes.length === 0) {
    if (opts.required) throw new BadRequest(`${name} is needed: give one or more body codes, comma-separated (such as ${name}=E07000120).`);
    return [];
  }
  if (codes.length > 100) throw new BadRequest(`${name} lists ${codes.length} bodies: 100 at most.`);
  for (const c of codes) {
    if (!/^[A-Z0-9]+(?:[-_][A-Z0-9]+)*$/.test(c) || !(await findBody(sql, c))) throw new BadRequest(`${name} names a body that is not registered: "${c}". /api/bodies lists them.`);
  }
  return codes;
}

export async function bodyType(sql: Sql, req: Request, name = 'type'): Promise<string | undefined> {
  const v = param(req, name);
  if (v === undefined) return undefined;
  const types = await listBodyTypes(sql);
  if (!types.some((t) => t.code === v)) throw new BadRequest(`${name} must be a body type: one of ${types.map((t) => t.code).join(', ')} (got "${v}").`);
  return v;
}

type TaxonomyKind = 'theme' | 'cofog' | 'prevention';

/** The taxonomy, read once when first asked for. */
export function taxonomyOnce(sql: Sql): () => Promise<Taxonomy> {
  let t: Promise<Taxonomy> | undefined;
  return () => (t ??= listTaxonomy(sql));
}

/** A theme, COFOG division or prevention level code (COFOG and prevention also take "unknown"). */
export async function taxonomyCode(taxonomy: () => Promise<Taxonomy>, req: Request, kind: TaxonomyKind, name: string = kind): Promise<string | undefined> {
  const v = param(req, name);
  if (v === undefined) return undefined;
  const t = await taxonomy();
  const codes = kind === 'theme' ? t.themes.map((x) => x.code) : [...(kind === 'cofog' ? t.cofog : t.prevention).map((x) => x.code), 'unknown'];
  const code = v.toLowerCase();
  if (!codes.includes(code)) {
    const what = kind === 'theme' ? 'a theme code' : kind === 'cofog' ? 'a COFOG division code' : 'a prevention level code';
    throw new BadRequest(`${name} must be ${what}: one of ${codes.join(', ')} (got "${v}"). /api/taxonomy lists them.`);
  }
  return code;
}

export interface LineQuery {
  filter: LineFilter;
  page: number;
  perPage: number;
}

/**
 * The ledger-line filter of /transactions and its downloads: body, year, month, theme, cofog, prevention,
 * payee_body, supplier, order, page and per_page. `publicView` is left for the caller to decide. Without
 * `paging` (downloads, which hold every line) the page need not be within the paging depth.
 */
export async function lineQuery(sql: Sql, req: Request, opts: { paging: boolean } = { paging: true }): Promise<LineQuery> {
  const bodies = await bodyCodes(sql, req, 'body', { required: true });
  const year = financialYear(req);
  const m = month(req);
  if (m && year && yearOfMonth(m) !== year) throw new BadRequest(`month ${m} is not in the financial year ${year} (April ${year.slice(0, 4)} to March ${Number(year.slice(0, 4)) + 1}).`);
  const taxonomy = taxonomyOnce(sql);
  const theme = await taxonomyCode(taxonomy, req, 'theme');
  const cofog = await taxonomyCode(taxonomy, req, 'cofog');
  const prevention = await taxonomyCode(taxonomy, req, 'prevention');
  const payeeBody = await bodyCodes(sql, req, 'payee_body', { required: false });
  if (payeeBody.length > 1) throw new BadRequest('payee_body takes one body code.');
  const supplier = param(req, 'supplier');
  const order = param(req, 'order') ?? 'amount';
  if (order !== 'amount' && order !== 'date') throw new BadRequest(`order must be amount (largest first) or date (oldest first), not "${order}".`);
  const perPage = wholeNumber(req, 'per_page', { min: 1, max: MAX_PER_PAGE, fallback: DEFAULT_PER_PAGE });
  const page = wholeNumber(req, 'page', { min: 1, max: 1_000_000, fallback: 1 });
  if (opts.paging && (page - 1) * perPage >= MAX_PAGING_DEPTH) {
    throw new BadRequest(`page ${page} is too deep: pages reach the first ${MAX_PAGING_DEPTH.toLocaleString('en-GB')} lines. Narrow the filter, or download every line as CSV.`);
  }
  return {
    filter: { bodyCodes: bodies, year, month: m, theme, cofog, prevention, payeeBody: payeeBody[0], supplier, order, limit: perPage, offset: (page - 1) * perPage },
    page, perPage,
  };
}

/** The query string of a line filter, with the page's parameter names (for links to pages and downloads). */
export function lineSearchParams(f: LineFilter, extra: Record<string, string | number | undefined> = {}): string {
  const p = new URLSearchParams();
  p.set('body', f.bodyCodes.join(','));
  const set = (k: string, v: string | number | undefined) => { if (v !== undefined && v !== '') p.set(k, String(v)); };
  set('year', f.year); set('month', f.month); set('theme', f.theme); set('cofog', f.cofog); set('prevention', f.prevention);
  set('payee_body', f.payeeBody); set('supplier', f.supplier);
  for (const [k, v] of Object.entries(extra)) set(k, v);
  return p.toString().replace(/%2C/g, ',');
}
