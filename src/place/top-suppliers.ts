// A place's largest suppliers on one theme and year, exactly, without reading every supplier row.
//
// A supplier's figure for the place is the sum over the counted bodies of its (netted) spend at each
// body times that body's attribution factor, rounded once per body. The rows come from
// spend_supplier_total, read in the threshold algorithm's way (Fagin et al.): each body's suppliers
// are read largest first, a block at a time (an index range), and every supplier seen is priced
// exactly with all its rows. A supplier not yet seen has, at every body whose list was cut short, no
// more than the last amount read there (and nothing at a body whose list was read to the end), so once
// the 20th best priced supplier is above the sum of those amounts times the factors, no unseen supplier
// can overtake it. Only a supplier with more than one row at a body (its payments split across payee
// bodies, which happens only to registered public bodies) could break that bound, so every supplier
// with a payee body is priced up front.
import type { Sql } from '../db/database.ts';
import { applyFactor, type Factor } from './attribution.ts';

export interface RankedSupplier { supplier_name: string; payee_kind: string; attributed_pence: number; gross_pence: number; lines: number; bodies: string[] }

interface SupplierRow { supplier_group: string; body_code: string; supplier_name: string; payee_kind: string; payee_body_code: string; lines: number; pence: number }

const COLUMNS = 'supplier_group, body_code, supplier_name, payee_kind, payee_body_code, lines, amount_pence AS pence';

/**
 * The `top` largest suppliers of the counted bodies (code -> factor) on a theme in a year, netting
 * payments to the other counted bodies, and how many suppliers there are in all. `firstBlock` is how
 * many rows of each body are read at first (tests make it small to force more rounds).
 */
export async function topSuppliers(sql: Sql, counted: Map<string, Factor>, year: string, theme: string,
  top: number, firstBlock = 100): Promise<{ suppliers: RankedSupplier[]; suppliers_in_all: number }> {
  const codes = [...counted.keys()];
  const netted = (r: SupplierRow) => r.payee_body_code !== '' && r.payee_body_code !== r.body_code && counted.has(r.payee_body_code);
  const priced = new Map<string, SupplierRow[]>();
  const price = async (groups: string[]) => {
    const fresh = groups.filter((g) => !priced.has(g));
    if (!fresh.length) return;
    for (const g of fresh) priced.set(g, []);
    const rows = await sql.query<SupplierRow>(
      `SELECT ${COLUMNS} FROM spend_supplier_total
        WHERE body_code = ANY($1::text[]) AND financial_year = $2 AND theme_code = $3 AND supplier_group = ANY($4::text[])`, [codes, year, theme, fresh]);
    for (const r of rows) if (!netted(r)) priced.get(r.supplier_group)!.push(r);
  };

  // Suppliers paid as (or alongside) a registered body: priced up front (see above).
  const withPayee = await sql.query<{ supplier_group: string }>(
    `SELECT DISTINCT supplier_group FROM spend_supplier_total
      WHERE body_code = ANY($1::text[]) AND financial_year = $2 AND theme_code = $3 AND (shared OR payee_body_code <> '') AND payee_body_code <> ''`, [codes, year, theme]);
  await price(withPayee.map((r) => r.supplier_group));

  let ranked: RankedSupplier[] = [];
  for (let block = firstBlock; ; block *= 4) {
    // Each body's `block` largest single-row suppliers (the partial index spend_supplier_total_rank).
    const heads = await sql.query<SupplierRow & { n: number }>(
      `SELECT s.*, row_number() OVER (PARTITION BY s.body_code ORDER BY s.pence DESC)::int AS n
         FROM unnest($1::text[]) b(code)
         CROSS JOIN LATERAL (SELECT ${COLUMNS} FROM spend_supplier_total
                              WHERE body_code = b.code AND financial_year = $2 AND theme_code = $3 AND payee_body_code = ''
                              ORDER BY amount_pence DESC LIMIT $4) s`, [codes, year, theme, block]);
    await price([...new Set(heads.map((r) => r.supplier_group))]);
    ranked = rank(priced, counted);
    // What an unseen supplier could reach: the last amount read at each body whose list was cut short.
    let bound = 0, cut = false;
    for (const [code, factor] of counted) {
      const last = heads.filter((r) => r.body_code === code && r.n === block)[0];
      if (!last) continue;
      cut = true;
      bound += applyFactor(Math.max(Number(last.pence), 0), factor) + 1; // +1: rounding per body
    }
    if (!cut || (ranked.length >= top && ranked[top - 1]!.attributed_pence > bound)) break;
  }

  // How many suppliers in all: those only one body pays (and under one payee body), counted at load time,
  // plus the distinct groups among the few rows that are shared or paid as a registered body.
  const [all] = await sql.query<{ n: number }>(
    `SELECT (SELECT coalesce(sum(plain_suppliers), 0) FROM spend_supplier_count
              WHERE body_code = ANY($1::text[]) AND financial_year = $2 AND theme_code = $3)
          + (SELECT count(DISTINCT supplier_group) FROM spend_supplier_total
              WHERE body_code = ANY($1::text[]) AND financial_year = $2 AND theme_code = $3 AND (shared OR payee_body_code <> '')
                AND NOT (payee_body_code <> body_code AND payee_body_code = ANY($1::text[])))::int AS n`, [codes, year, theme]);
  return { suppliers: ranked.slice(0, top), suppliers_in_all: Number(all?.n ?? 0) };
}

/** The priced suppliers, largest first (then by name); a supplier wholly netted away is not one. */
function rank(priced: Map<string, SupplierRow[]>, counted: Map<string, Factor>): RankedSupplier[] {
  const out: RankedSupplier[] = [];
  for (const rows of priced.values()) {
    if (!rows.length) continue;
    const byBody = new Map<string, number>();
    const s: RankedSupplier = { supplier_name: rows[0]!.supplier_name, payee_kind: rows[0]!.payee_kind, attributed_pence: 0, gross_pence: 0, lines: 0, bodies: [] };
    for (const r of rows) {
      if (r.supplier_name < s.supplier_name) s.supplier_name = r.supplier_name;
      s.gross_pence += Number(r.pence); s.lines += Number(r.lines);
      byBody.set(r.body_code, (byBody.get(r.body_code) ?? 0) + Number(r.pence));
    }
    for (const [code, pence] of byBody) s.attributed_pence += applyFactor(pence, counted.get(code)!);
    s.bodies = [...byBody.keys()].sort();
    out.push(s);
  }
  return out.sort((x, y) => y.attributed_pence - x.attributed_pence || x.supplier_name.localeCompare(y.supplier_name));
}
