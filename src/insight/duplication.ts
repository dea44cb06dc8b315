// The duplication finder for a place: suppliers paid by two or more of its bodies (by body and year), the
// same category bought separately by several bodies, the spread of what they pay one supplier for one kind
// of thing, and collaborative procurement opportunities with an estimated saving under the place's stated
// assumption. Read from the rollups and the stored resolution (never a scan of the ledger); a name loaded
// since the last resolution still counts, on its own, under its name as published (compared ignoring case).
// Payments are each body's own, before any share is attributed to the place. Individuals and redacted
// payees are never included.
import type { Database, Sql } from '../db/database.ts';
import { recordAudit } from '../db/audit.ts';
import { findPlace, normalisePlaceCode, type Place } from '../place/places.ts';
import { lastResolution, unresolvedNames } from './suppliers.ts';

/** A problem with what the user asked for, worded to be shown as it stands. */
export class DuplicationError extends Error {}

/** The saving assumed from buying together when a place has not set its own: 5%. */
export const DEFAULT_SAVING_BASIS_POINTS = 500;

export interface PlaceBodyRef { code: string; name: string }

export interface PlaceScope {
  place: { code: string; name: string };
  year: string | null;
  bodies: PlaceBodyRef[];
  /** When suppliers were last resolved, and how many of these bodies' names were loaded since. */
  resolution: { at: string | null; unresolved_names: number };
}

export interface SharedSupplierBody { body_code: string; body_name: string; lines: number; total_pence: number; spelling: string }

export interface SharedSupplier {
  /** The entity's key (null when its names were loaded after the last resolution). */
  entity_key: string | null;
  name: string;
  /** The registered public body it is: a payment between public bodies, not a purchase. */
  public_body: string | null;
  confidence: number;
  bodies: number;
  lines: number;
  total_pence: number;
  by_body: SharedSupplierBody[];
  by_year: { financial_year: string; total_pence: number; by_body: Record<string, number> }[];
}

export interface SharedSuppliersResult extends PlaceScope { suppliers: SharedSupplier[] }

export type CategoryKind = 'theme' | 'expense_type' | 'proclass';

export interface CategoryGroup {
  kind: CategoryKind;
  key: string;
  label: string;
  total_pence: number;
  bodies: { body_code: string; body_name: string; label: string; lines: number; total_pence: number }[];
}

export interface SpreadBody { body_code: string; body_name: string; spelling: string; lines: number; payments: number; total_pence: number; min_pence: number | null; median_pence: number | null; max_pence: number | null }

export interface SpreadGroup {
  entity_key: string; name: string; theme_code: string; theme_label: string; total_pence: number;
  /** The highest median payment over the lowest (null when a median is missing or not above zero). */
  median_ratio: number | null;
  bodies: SpreadBody[];
}

export interface SavingAssumption { basis_points: number; percent: number; source: 'place' | 'default' | 'given'; updated_by: string | null; updated_at: string | null }

export interface Opportunity {
  kind: 'supplier' | CategoryKind;
  key: string;
  label: string;
  /** The bodies buying it; for a supplier, with the name each body pays it under (null for categories). */
  bodies: (PlaceBodyRef & { spelling: string | null })[];
  total_pence: number;
  saving_pence: number;
}

export interface OpportunitiesResult extends PlaceScope {
  assumption: SavingAssumption;
  /** Shared suppliers (not public bodies), then categories; groups overlap, so their savings are not added up across kinds. */
  opportunities: Opportunity[];
  totals: Record<Opportunity['kind'], { groups: number; total_pence: number; saving_pence: number }>;
}

const num = (v: number | string | null) => (v === null ? null : Number(v));

/** The place's bodies counted in it (not those attached as excluded), and the scope every result repeats. */
async function scope(sql: Sql, placeCode: string, year?: string | null): Promise<{ p: Place; s: PlaceScope }> {
  const p = await findPlace(sql, placeCode);
  if (!p) throw new DuplicationError(`No place with code ${normalisePlaceCode(placeCode)}.`);
  if (year !== undefined && year !== null && !/^\d{4}-\d{2}$/.test(year)) throw new DuplicationError(`A year is written like 2023-24 (got "${year}").`);
  const bodies = p.bodies.filter((b) => b.rule !== 'excluded').map((b) => ({ code: b.body_code, name: b.body_name }));
  const run = await lastResolution(sql);
  const unresolved = bodies.length ? await unresolvedNames(sql, bodies.map((b) => b.code)) : 0;
  return { p, s: { place: { code: p.code, name: p.name }, year: year ?? null, bodies, resolution: { at: run?.at ?? null, unresolved_names: unresolved } } };
}

/**
 * Suppliers paid by at least `minBodies` (default 2) of the place's bodies, largest combined spend first,
 * each with its spend by body and by year and the spelling each body uses.
 */
export async function sharedSuppliers(sql: Sql, placeCode: string, opts: { year?: string | null; minBodies?: number } = {}): Promise<SharedSuppliersResult> {
  const { s } = await scope(sql, placeCode, opts.year);
  const minBodies = Math.max(2, opts.minBodies ?? 2);
  const names = new Map(s.bodies.map((b) => [b.code, b.name]));
  const rows = await sql.query<{ entity: string; body_code: string; financial_year: string; supplier_key: string; lines: number; amount: number | string; name: string | null; public_body: string | null; confidence: number | null }>(
    `WITH r AS (
       SELECT coalesce(m.entity_key, 'name:' || lower(r.supplier_key)) AS entity, r.body_code, r.financial_year, r.supplier_key,
              sum(r.lines)::int AS lines, sum(r.amount_pence)::bigint AS amount
         FROM spend_rollup_supplier r
         LEFT JOIN supplier_match m ON m.body_code = r.body_code AND m.supplier_key = r.supplier_key
        WHERE r.body_code = ANY($1::text[]) AND r.supplier_key <> '' AND r.payee_kind = 'organisation' AND ($2::text IS NULL OR r.financial_year = $2)
        GROUP BY 1, 2, 3, 4),
     shared AS (SELECT entity FROM r GROUP BY entity HAVING count(DISTINCT body_code) >= $3)
     SELECT r.*, e.name, e.body_code AS public_body, e.confidence
       FROM r JOIN shared USING (entity) LEFT JOIN supplier_entity e ON e.entity_key = r.entity
      ORDER BY r.entity, r.body_code, r.financial_year, r.supplier_key`,
    [s.bodies.map((b) => b.code), s.year, minBodies]);
  const byEntity = new Map<string, typeof rows>();
  for (const r of rows) {
    const l = byEntity.get(r.entity);
    if (l) l.push(r); else byEntity.set(r.entity, [r]);
  }
  const suppliers: SharedSupplier[] = [];
  for (const [entity, list] of byEntity) {
    const bodyTotals = new Map<string, { lines: number; total: number; spellings: Map<string, number> }>();
    const years = new Map<string, Record<string, number>>();
    for (const r of list) {
      const amount = Number(r.amount);
      let b = bodyTotals.get(r.body_code);
      if (!b) bodyTotals.set(r.body_code, (b = { lines: 0, total: 0, spellings: new Map() }));
      b.lines += r.lines; b.total += amount;
      b.spellings.set(r.supplier_key, (b.spellings.get(r.supplier_key) ?? 0) + amount);
      const y = years.get(r.financial_year) ?? {};
      y[r.body_code] = (y[r.body_code] ?? 0) + amount;
      years.set(r.financial_year, y);
    }
    const topSpelling = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0];
    const by_body = [...bodyTotals].map(([code, b]) => ({ body_code: code, body_name: names.get(code) ?? code, lines: b.lines, total_pence: b.total, spelling: topSpelling(b.spellings) }))
      .sort((a, b) => b.total_pence - a.total_pence || a.body_code.localeCompare(b.body_code));
    const resolved = !entity.startsWith('name:');
    suppliers.push({
      entity_key: resolved ? entity : null,
      name: list[0].name ?? by_body[0].spelling,
      public_body: list[0].public_body ?? null,
      confidence: list[0].confidence === null ? 1 : Math.round(Number(list[0].confidence) * 1000) / 1000,
      bodies: by_body.length,
      lines: by_body.reduce((a, b) => a + b.lines, 0),
      total_pence: by_body.reduce((a, b) => a + b.total_pence, 0),
      by_body,
      by_year: [...years].sort((a, b) => a[0].localeCompare(b[0])).map(([fy, byBody]) => ({ financial_year: fy, total_pence: Object.values(byBody).reduce((a, v) => a + v, 0), by_body: byBody })),
    });
  }
  suppliers.sort((a, b) => b.total_pence - a.total_pence || a.name.localeCompare(b.name));
  return { ...s, suppliers };
}

/** The same category bought by two or more of the place's bodies: by theme, expense type and ProClass. */
export async function sharedCategories(sql: Sql, placeCode: string, opts: { year?: string | null } = {}): Promise<PlaceScope & { categories: CategoryGroup[] }> {
  const { s } = await scope(sql, placeCode, opts.year);
  const codes = s.bodies.map((b) => b.code);
  const names = new Map(s.bodies.map((b) => [b.code, b.name]));
  const themeRows = await sql.query<{ key: string; label: string; body_code: string; lines: number; amount: number | string }>(
    `SELECT r.theme_code AS key, coalesce(t.label, r.theme_code) AS label, r.body_code, sum(r.lines)::int AS lines, sum(r.amount_pence)::bigint AS amount
       FROM spend_rollup_supplier r LEFT JOIN theme t ON t.code = r.theme_code
      WHERE r.body_code = ANY($1::text[]) AND r.payee_kind = 'organisation' AND r.payee_body_code = '' AND r.theme_code <> 'unclassified'
        AND ($2::text IS NULL OR r.financial_year = $2)
      GROUP BY r.theme_code, t.label, r.body_code`, [codes, s.year]);
  const categoryRows = await sql.query<{ kind: 'expense_type' | 'proclass'; key: string; label: string; body_code: string; lines: number; amount: number | string }>(
    `SELECT kind, category_key AS key, max(label) AS label, body_code, sum(lines)::int AS lines, sum(amount_pence)::bigint AS amount
       FROM insight_category_rollup
      WHERE body_code = ANY($1::text[]) AND ($2::text IS NULL OR financial_year = $2)
      GROUP BY kind, category_key, body_code`, [codes, s.year]);
  const groups = new Map<string, CategoryGroup>();
  for (const [kind, list] of [['theme', themeRows], ...[['expense_type', categoryRows.filter((r) => r.kind === 'expense_type')], ['proclass', categoryRows.filter((r) => r.kind === 'proclass')]]] as [CategoryKind, typeof themeRows][]) {
    for (const r of list) {
      const id = `${kind}\t${r.key}`;
      let g = groups.get(id);
      if (!g) groups.set(id, (g = { kind, key: r.key, label: r.label, total_pence: 0, bodies: [] }));
      const amount = Number(r.amount);
      g.total_pence += amount;
      g.bodies.push({ body_code: r.body_code, body_name: names.get(r.body_code) ?? r.body_code, label: r.label, lines: r.lines, total_pence: amount });
    }
  }
  const categories = [...groups.values()].filter((g) => g.bodies.length >= 2)
    .map((g) => ({ ...g, bodies: g.bodies.sort((a, b) => b.total_pence - a.total_pence || a.body_code.localeCompare(b.body_code)) }))
    .sort((a, b) => b.total_pence - a.total_pence || a.kind.localeCompare(b.kind) || a.key.localeCompare(b.key));
  return { ...s, categories };
}

/**
 * What different bodies pay one supplier for one kind of thing (theme): each body's payments, smallest,
 * median and largest, for suppliers (not public bodies) paid by two or more of the place's bodies.
 */
export async function supplierSpread(sql: Sql, placeCode: string, opts: { year?: string | null } = {}): Promise<PlaceScope & { groups: SpreadGroup[] }> {
  const { s } = await scope(sql, placeCode, opts.year);
  const codes = s.bodies.map((b) => b.code);
  const names = new Map(s.bodies.map((b) => [b.code, b.name]));
  const rows = await sql.query<{ entity_key: string; name: string; theme_code: string; theme_label: string; body_code: string; spelling: string; lines: number; payments: number; amount: number | string; min_pence: number | string | null; median_pence: number | string | null; max_pence: number | string | null }>(
    `WITH g AS (
       SELECT entity_key, theme_code FROM insight_supplier_spread
        WHERE body_code = ANY($1::text[]) AND financial_year = $2
        GROUP BY entity_key, theme_code HAVING count(DISTINCT body_code) >= 2),
     spelling AS (
       SELECT DISTINCT ON (m.entity_key, m.body_code) m.entity_key, m.body_code, m.supplier_key
         FROM supplier_match m JOIN (SELECT DISTINCT entity_key FROM g) x USING (entity_key)
         LEFT JOIN spend_rollup_supplier r ON r.body_code = m.body_code AND r.supplier_key = m.supplier_key AND r.payee_kind = 'organisation'
        WHERE m.body_code = ANY($1::text[])
        GROUP BY m.entity_key, m.body_code, m.supplier_key
        ORDER BY m.entity_key, m.body_code, sum(r.amount_pence) DESC NULLS LAST, m.supplier_key)
     SELECT sp.entity_key, e.name, sp.theme_code, coalesce(t.label, sp.theme_code) AS theme_label, sp.body_code, coalesce(n.supplier_key, e.name) AS spelling,
            sp.lines, sp.payments, sp.amount_pence AS amount, sp.min_pence, sp.median_pence, sp.max_pence
       FROM insight_supplier_spread sp
       JOIN g USING (entity_key, theme_code)
       JOIN supplier_entity e ON e.entity_key = sp.entity_key
       LEFT JOIN theme t ON t.code = sp.theme_code
       LEFT JOIN spelling n ON n.entity_key = sp.entity_key AND n.body_code = sp.body_code
      WHERE sp.body_code = ANY($1::text[]) AND sp.financial_year = $2
      ORDER BY sp.entity_key, sp.theme_code, sp.body_code`, [codes, s.year ?? '']);
  const groups = new Map<string, SpreadGroup>();
  for (const r of rows) {
    const id = `${r.entity_key}\t${r.theme_code}`;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { entity_key: r.entity_key, name: r.name, theme_code: r.theme_code, theme_label: r.theme_label, total_pence: 0, median_ratio: null, bodies: [] }));
    const amount = Number(r.amount);
    g.total_pence += amount;
    g.bodies.push({ body_code: r.body_code, body_name: names.get(r.body_code) ?? r.body_code, spelling: r.spelling, lines: r.lines, payments: r.payments, total_pence: amount, min_pence: num(r.min_pence), median_pence: num(r.median_pence), max_pence: num(r.max_pence) });
  }
  for (const g of groups.values()) {
    const medians = g.bodies.map((b) => b.median_pence);
    if (medians.every((m): m is number => m !== null && m > 0)) g.median_ratio = Math.round((Math.max(...medians) / Math.min(...medians)) * 100) / 100;
    g.bodies.sort((a, b) => (b.median_pence ?? 0) - (a.median_pence ?? 0) || a.body_code.localeCompare(b.body_code));
  }
  return { ...s, groups: [...groups.values()].sort((a, b) => b.total_pence - a.total_pence || a.name.localeCompare(b.name) || a.theme_code.localeCompare(b.theme_code)) };
}

// ---------- the saving assumption ----------

/** "5", "2.5", "12.75%" -> basis points (500, 250, 1275); a plain-English error otherwise. */
export function parseSavingPercent(value: unknown): number {
  const text = String(value ?? '').trim().replace(/%$/, '').trim();
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(text)) throw new DuplicationError(`The saving must be a percentage from 0 to 100 with at most two decimal places, such as 5 or 2.5 (got "${String(value ?? '').trim()}").`);
  const [whole, frac = ''] = text.split('.');
  const bp = Number(whole) * 100 + Number(frac.padEnd(2, '0'));
  if (bp > 10000) throw new DuplicationError(`The saving must be a percentage from 0 to 100 (got "${text}").`);
  return bp;
}

/** Basis points as a percentage for display: 500 -> 5, 250 -> 2.5. */
export const percentOf = (bp: number) => bp / 100;

export async function savingAssumption(sql: Sql, placeCode: string): Promise<SavingAssumption> {
  const [r] = await sql.query<{ basis_points: number; updated_by: string; updated_at: string }>(
    `SELECT basis_points, updated_by, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS updated_at FROM place_saving_assumption WHERE place_code = $1`,
    [normalisePlaceCode(placeCode)]);
  if (!r) return { basis_points: DEFAULT_SAVING_BASIS_POINTS, percent: percentOf(DEFAULT_SAVING_BASIS_POINTS), source: 'default', updated_by: null, updated_at: null };
  return { basis_points: r.basis_points, percent: percentOf(r.basis_points), source: 'place', updated_by: r.updated_by, updated_at: r.updated_at };
}

/** Sets the place's saving assumption (a percentage, validated), with an audit row in the same transaction. */
export async function setSavingAssumption(db: Database, placeCode: string, percent: unknown, actor: string): Promise<SavingAssumption> {
  const bp = parseSavingPercent(percent);
  const code = normalisePlaceCode(placeCode);
  return db.transaction(async (tx) => {
    if (!(await findPlace(tx, code))) throw new DuplicationError(`No place with code ${code}.`);
    const before = await savingAssumption(tx, code);
    await tx.query(
      `INSERT INTO place_saving_assumption (place_code, basis_points, updated_by) VALUES ($1, $2, $3)
       ON CONFLICT (place_code) DO UPDATE SET basis_points = EXCLUDED.basis_points, updated_by = EXCLUDED.updated_by, updated_at = now()`, [code, bp, actor]);
    await recordAudit(tx, actor, 'place.saving-assumption', code, { before: before.basis_points, after: bp });
    return savingAssumption(tx, code);
  });
}

/** The estimated saving on a combined spend: the assumption applied, in whole pence (half away from zero). */
export function estimatedSaving(totalPence: number, basisPoints: number): number {
  if (totalPence <= 0) return 0;
  return Math.round((totalPence * basisPoints) / 10000);
}

// ---------- opportunities ----------

/**
 * Collaborative procurement opportunities: every supplier (not a public body) and every category bought by
 * two or more of the place's bodies, with the bodies, the combined spend and the estimated saving under
 * the place's assumption (or `savingBasisPoints` when given, for a what-if).
 */
export async function opportunities(sql: Sql, placeCode: string, opts: { year?: string | null; savingBasisPoints?: number } = {}): Promise<OpportunitiesResult> {
  const shared = await sharedSuppliers(sql, placeCode, { year: opts.year });
  const { categories } = await sharedCategories(sql, placeCode, { year: opts.year });
  const stored = await savingAssumption(sql, placeCode);
  const assumption: SavingAssumption = opts.savingBasisPoints === undefined ? stored
    : { basis_points: opts.savingBasisPoints, percent: percentOf(opts.savingBasisPoints), source: 'given', updated_by: null, updated_at: null };
  const bp = assumption.basis_points;
  const ref = (code: string, name: string, spelling: string | null = null) => ({ code, name, spelling });
  const list: Opportunity[] = [
    ...shared.suppliers.filter((x) => !x.public_body && x.total_pence > 0).map((x) => ({
      kind: 'supplier' as const, key: x.entity_key ?? x.name, label: x.name, bodies: x.by_body.map((b) => ref(b.body_code, b.body_name, b.spelling)),
      total_pence: x.total_pence, saving_pence: estimatedSaving(x.total_pence, bp),
    })),
    ...categories.filter((g) => g.total_pence > 0).map((g) => ({
      kind: g.kind, key: g.key, label: g.label, bodies: g.bodies.map((b) => ref(b.body_code, b.body_name)),
      total_pence: g.total_pence, saving_pence: estimatedSaving(g.total_pence, bp),
    })),
  ];
  const totals = {} as OpportunitiesResult['totals'];
  for (const kind of ['supplier', 'theme', 'expense_type', 'proclass'] as const) {
    const of = list.filter((o) => o.kind === kind);
    totals[kind] = { groups: of.length, total_pence: of.reduce((a, o) => a + o.total_pence, 0), saving_pence: of.reduce((a, o) => a + o.saving_pence, 0) };
  }
  return { place: shared.place, year: shared.year, bodies: shared.bodies, resolution: shared.resolution, assumption, opportunities: list, totals };
}

export const OPPORTUNITY_KIND_LABELS: Record<Opportunity['kind'], string> = {
  supplier: 'Shared supplier', theme: 'Theme', expense_type: 'Expense type', proclass: 'ProClass category',
};

/** Columns of the opportunities download (CSV), in the shape the download writers take. */
export function opportunityColumns(r: OpportunitiesResult): { header: string; type: 'text' | 'integer' | 'pounds'; value: (o: Opportunity) => string | number }[] {
  return [
    { header: 'Kind', type: 'text', value: (o) => OPPORTUNITY_KIND_LABELS[o.kind] },
    { header: 'Group', type: 'text', value: (o) => o.label },
    { header: 'Bodies', type: 'integer', value: (o) => o.bodies.length },
    { header: 'Body names', type: 'text', value: (o) => o.bodies.map((b) => b.name).join('; ') },
    { header: 'Body codes', type: 'text', value: (o) => o.bodies.map((b) => b.code).join(';') },
    { header: 'Financial year', type: 'text', value: () => r.year ?? 'All years' },
    { header: 'Combined spend (£)', type: 'pounds', value: (o) => o.total_pence },
    { header: 'Assumed saving (%)', type: 'text', value: () => String(r.assumption.percent) },
    { header: 'Estimated saving (£)', type: 'pounds', value: (o) => o.saving_pence },
  ];
}

/** The financial years any of a place's bodies has spend in, latest first (from the rollup). */
export async function placeYears(sql: Sql, placeCode: string): Promise<string[]> {
  const p = await findPlace(sql, placeCode);
  if (!p) return [];
  const rows = await sql.query<{ financial_year: string }>(
    'SELECT DISTINCT financial_year FROM spend_rollup WHERE body_code = ANY($1::text[]) ORDER BY 1 DESC', [p.bodies.map((b) => b.body_code)]);
  return rows.map((r) => r.financial_year);
}
