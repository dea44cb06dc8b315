// The theme deep dive for a place: the theme's attributed total by body, service, supplier, month and
// prevention level, and its largest transactions. Read from the rollups (spend_rollup for bodies, months
// and prevention levels; spend_rollup_service and spend_rollup_supplier for services and suppliers), never
// from a scan of the ledger; the top transactions come from findLines (an index top-N per body).
//
// Attribution and netting are the count's own (countInput + bodyYear): a body's theme figure is the sum of
// its count parts for the theme, so the deep dive's total is the count's figure for the theme to the penny.
// Breakdowns:
//   - months: each body's theme figure is split over its months by the largest-remainder method, so the
//     months add up exactly to the theme total;
//   - services and suppliers (top 20 of each; suppliers found without reading them all, top-suppliers.ts): each body's netted amount for the service or supplier with
//     the body's factor applied and rounded once (half away from zero), summed over bodies; what is not in
//     the top 20 is given as one "all others" figure, so the rows and it add up to the theme total.
// Suppliers are grouped across bodies by name (case-insensitive; names are whitespace-normalised on
// ingest); payments to individuals and redacted payees are one row each, never named.
import type { Sql } from '../db/database.ts';
import { findLines, type LedgerLine } from '../ledger/lines.ts';
import { applyFactor, apportion, divRound, makeFactor, type Factor } from './attribution.ts';
import { bodyYear, type CountBody, type CountCell } from './count.ts';
import { countInput, type CountOptions } from './count-service.ts';
import { PlaceError } from './places.ts';
import { topSuppliers, type RankedSupplier } from './top-suppliers.ts';

export const DEEP_DIVE_TOP = 20;

/** A body's figures for one theme (gross = its spend on the theme), shaped as the count's. */
export type DeepDiveBody = Pick<CountBody, 'code' | 'name' | 'rule' | 'factor' | 'explanation' | 'gross_pence' | 'netted_pence' | 'attributed_pence' | 'lines'>;

export interface DeepDiveService { body_code: string; body_name: string; service_area: string; attributed_pence: number; gross_pence: number; lines: number }
export type DeepDiveSupplier = RankedSupplier;
export interface DeepDiveMonth { month: string; attributed_pence: number; gross_pence: number; lines: number }
export interface DeepDivePrevention { label: string; pence: number; share: number | null }

export interface DeepDiveResult {
  place: string; name: string; place_version: number; year: string | null;
  theme: { code: string; label: string };
  population: number | null;
  total_pence: number;
  per_head_pence: number | null;
  bodies: DeepDiveBody[];
  services: DeepDiveService[];
  services_other: { services: number; attributed_pence: number };
  suppliers: DeepDiveSupplier[];
  suppliers_other: { suppliers: number; attributed_pence: number };
  months: DeepDiveMonth[];
  by_prevention: Record<string, DeepDivePrevention>;
  top_transactions: { lines: LedgerLine[]; total_lines: number; total_pence: number; note: string };
  notes: string[];
}

/**
 * Splits `total` over parts in proportion to them, exactly (largest remainder): the results add up to
 * `total`. When the parts sum to zero or to the other sign of `total`, `factor` is applied part by part and
 * the difference goes to the largest part.
 */
export function distribute(parts: number[], total: number, fallback: Factor): number[] {
  const sum = parts.reduce((s, p) => s + p, 0);
  if (sum === total) return [...parts];
  if (sum !== 0 && Math.sign(sum) * Math.sign(total) >= 0) return apportion(parts, makeFactor(Math.abs(total), Math.abs(sum)));
  // Parts that cancel out (or sum to the other sign of a rounding penny): the factor part by part, and
  // what is left to reach the total goes to the largest part, so the results still add up exactly.
  const out = apportion(parts, fallback);
  if (!out.length) return out;
  let big = 0;
  parts.forEach((p, i) => { if (Math.abs(p) > Math.abs(parts[big]!)) big = i; });
  out[big]! += total - out.reduce((s, p) => s + p, 0);
  return out;
}

const share = (part: number, total: number): number | null => (total === 0 ? null : part / total);

export async function deepDive(sql: Sql, placeCode: string, themeCode: string, opts: CountOptions = {}): Promise<DeepDiveResult> {
  const input = await countInput(sql, placeCode, opts);
  const theme = themeCode.trim().toLowerCase();
  const themeLabel = input.labels.theme[theme];
  if (themeLabel === undefined) {
    throw new PlaceError(`No theme with code "${themeCode}". Themes: ${Object.keys(input.labels.theme).sort().join(', ')}`);
  }
  const year = input.year ?? null;
  const attached = new Map(input.bodies.map((b) => [b.code, b]));
  const counted = input.bodies.filter((b) => b.attribution.rule !== 'excluded');
  const countedCodes = counted.map((b) => b.code);
  const nettedPayee = (body: string, payee: string) =>
    !!payee && payee !== body && attached.get(body)?.attribution.rule !== 'excluded' && countedCodes.includes(payee);

  // By body: the count's own parts for the theme.
  const bodies: DeepDiveBody[] = [];
  const themeTotal = new Map<string, number>();
  const byPrevention = new Map<string, number>();
  for (const b of input.bodies) {
    const cells = input.cells.filter((c: CountCell) => c.body_code === b.code && c.financial_year === year);
    const r = bodyYear(b, cells, attached);
    let attributed = 0;
    for (const [key, pence] of r.parts) {
      const [t, , p] = key.split('\t');
      if (t !== theme) continue;
      attributed += pence;
      byPrevention.set(p, (byPrevention.get(p) ?? 0) + pence);
    }
    const themeCells = cells.filter((c) => c.theme_code === theme);
    const gross = themeCells.reduce((s, c) => s + c.amount_pence, 0);
    const netted = themeCells.filter((c) => nettedPayee(b.code, c.payee_body_code)).reduce((s, c) => s + c.amount_pence, 0);
    themeTotal.set(b.code, attributed);
    bodies.push({
      code: b.code, name: b.name, rule: b.attribution.rule,
      factor: { numerator: b.attribution.factor.numerator, denominator: b.attribution.factor.denominator, share: b.attribution.share },
      explanation: b.attribution.explanation,
      gross_pence: gross, netted_pence: b.attribution.rule === 'excluded' ? 0 : netted, attributed_pence: attributed,
      lines: themeCells.reduce((s, c) => s + c.lines, 0),
    });
  }
  bodies.sort((x, y) => y.attributed_pence - x.attributed_pence || x.code.localeCompare(y.code));
  const total = bodies.reduce((s, b) => s + b.attributed_pence, 0);
  const population = input.population.value;
  const perHead = population && population > 0 ? Number(divRound(BigInt(total), BigInt(population))) : null;

  const factors = new Map(counted.map((b) => [b.code, b.attribution.factor]));
  const names = new Map(input.bodies.map((b) => [b.code, b.name]));
  const rankArgs = [countedCodes, counted.map((b) => String(b.attribution.factor.numerator)), counted.map((b) => String(b.attribution.factor.denominator)), year, theme, countedCodes];
  const netCond = `NOT (r.payee_body_code <> r.body_code AND r.payee_body_code = ANY($6::text[]))`;
  const noSpend = countedCodes.length === 0 || year === null;

  // Months: each body's theme figure split exactly over its months.
  const monthRows = noSpend ? [] : await sql.query<{ body_code: string; month: string; lines: number; pence: number }>(
    `SELECT r.body_code, r.month, sum(r.lines)::bigint AS lines, sum(r.amount_pence)::bigint AS pence
       FROM spend_rollup r
      WHERE r.body_code = ANY($1::text[]) AND r.financial_year = $2 AND r.theme_code = $3 AND ${netCond.replace('$6', '$4')}
      GROUP BY 1, 2 ORDER BY 1, 2`, [countedCodes, year, theme, countedCodes]);
  const months = new Map<string, DeepDiveMonth>();
  for (const code of countedCodes) {
    const rows = monthRows.filter((r) => r.body_code === code);
    const parts = distribute(rows.map((r) => Number(r.pence)), themeTotal.get(code) ?? 0, factors.get(code)!);
    rows.forEach((r, i) => {
      const m = months.get(r.month) ?? { month: r.month, attributed_pence: 0, gross_pence: 0, lines: 0 };
      m.attributed_pence += parts[i]; m.gross_pence += Number(r.pence); m.lines += Number(r.lines);
      months.set(r.month, m);
    });
  }

  // Services: top 20 (body x service area) by attributed amount.
  const serviceRows = noSpend ? [] : await sql.query<{ body_code: string; service_area: string; lines: number; pence: number; keys: number }>(
    `WITH f AS (SELECT * FROM unnest($1::text[], $2::numeric[], $3::numeric[]) f(body_code, num, den)),
          r AS (SELECT r.body_code, r.service_area, sum(r.lines)::bigint AS lines, sum(r.amount_pence)::bigint AS pence
                  FROM spend_rollup_service r
                 WHERE r.body_code = ANY($1::text[]) AND r.financial_year = $4 AND r.theme_code = $5 AND ${netCond}
                 GROUP BY 1, 2)
     SELECT r.body_code, r.service_area, r.lines, r.pence, count(*) OVER ()::int AS keys
       FROM r JOIN f USING (body_code)
      ORDER BY r.pence * f.num / f.den DESC, r.body_code, r.service_area LIMIT ${DEEP_DIVE_TOP}`, rankArgs);
  const services: DeepDiveService[] = serviceRows.map((r) => ({
    body_code: r.body_code, body_name: names.get(r.body_code) ?? r.body_code, service_area: r.service_area,
    attributed_pence: applyFactor(Number(r.pence), factors.get(r.body_code)!), gross_pence: Number(r.pence), lines: Number(r.lines),
  }));

  // Suppliers: top 20 across bodies by attributed amount (src/place/top-suppliers.ts).
  const { suppliers: supplierList, suppliers_in_all: supplierKeys } = noSpend
    ? { suppliers: [], suppliers_in_all: 0 }
    : await topSuppliers(sql, factors, year, theme, DEEP_DIVE_TOP);
  const serviceKeys = serviceRows[0] ? Number(serviceRows[0].keys) : 0;

  const top = noSpend
    ? { lines: [], total_lines: 0, total_pence: 0 }
    : await findLines(sql, { bodyCodes: countedCodes, year, theme, limit: DEEP_DIVE_TOP, order: 'amount', publicView: true });

  const notes: string[] = [];
  if (total !== 0 || bodies.some((b) => b.gross_pence !== 0)) {
    notes.push('Bodies, months and prevention levels add up to the theme total exactly; services and suppliers are each rounded once, and "all others" holds the rest.');
  } else {
    notes.push(year ? `No spend on ${themeLabel} is loaded for ${year} from the bodies counted in ${input.place.name}.` : `No spend is loaded for ${input.place.name}.`);
  }
  if (input.bodies.some((b) => b.attribution.rule === 'excluded')) notes.push('Excluded bodies are listed with their spend but left out of the total, services, suppliers and months.');
  notes.push('Payments to the place\'s other counted bodies are netted as in the count; the top transactions are the largest payments as published, before attribution and netting. Individuals\' names are never shown.');

  const prevTotal = [...byPrevention.values()].reduce((s, v) => s + v, 0);
  return {
    place: input.place.code, name: input.place.name, place_version: input.place.version, year,
    theme: { code: theme, label: themeLabel },
    population, total_pence: total, per_head_pence: perHead,
    bodies,
    services,
    services_other: { services: Math.max(serviceKeys - services.length, 0), attributed_pence: total - services.reduce((s, x) => s + x.attributed_pence, 0) },
    suppliers: supplierList,
    suppliers_other: { suppliers: Math.max(supplierKeys - supplierList.length, 0), attributed_pence: total - supplierList.reduce((s, x) => s + x.attributed_pence, 0) },
    months: [...months.values()].sort((x, y) => x.month.localeCompare(y.month)),
    by_prevention: Object.fromEntries([...byPrevention.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k, pence]) => [
      k || 'unknown', { label: k ? input.labels.prevention[k] ?? k : 'Not known', pence, share: share(pence, prevTotal) }])),
    top_transactions: { ...top, note: 'The largest payments on the theme by the counted bodies, as published (before attribution and netting), with their source file and line.' },
    notes,
  };
}
