// The count for a place: pure. Given the place, each attached body's attribution and the body's spend
// (rollup cells: year x theme x COFOG x prevention x payee body), it produces the place total, per head,
// by body / theme / COFOG / prevention level, year on year in cash and real terms, and the netting of
// payments between the place's bodies.
//
// Netting (counting money once): a payment from body A to body B, where both are attached to the place
// and B is counted (its rule is not 'excluded'), is counted when B spends it, so it is removed from A:
//   attributed(A) = round(factor_A × (total_A − paid by A to counted attached bodies))
// Payments to bodies outside the place, or to an excluded body, stay counted at A. Every payment between
// attached bodies is listed (before attribution) with whether it was netted.
//
// Rounding: see attribution.ts. Each body's attributed figure is rounded once, half away from zero; its
// breakdown by theme x COFOG x prevention is apportioned (largest remainder) so the parts add up exactly;
// the place total is the sum of the bodies' figures, and every breakdown adds up to it to the penny.
// Per head and real-terms figures are rounded half away from zero from the exact quotient.
import { apportion, applyFactor, divRound, parseDecimal, type Attribution, type Rule } from './attribution.ts';

export interface CountCell {
  body_code: string;
  financial_year: string;
  theme_code: string;
  cofog_code: string;        // '' when not known
  prevention_code: string;   // '' when not known
  payee_body_code: string;   // '' unless the payee is a registered body
  lines: number;
  amount_pence: number;
}

export interface CountBodyInput { code: string; name: string; attribution: Attribution }

export interface CountPopulation {
  /** The population per head is computed with (override wins), or null when not known. */
  value: number | null;
  source: 'place override' | 'ons' | 'ons with user overrides' | 'user' | 'not known';
  year: number | null;
  areas: { code: string; name: string; population: number | null; source: string | null }[];
}

export interface CountInput {
  place: { code: string; name: string; version: number; areas: string[] };
  /** Financial year to count; default the latest year any attached body has spend in. */
  year?: string;
  population: CountPopulation;
  bodies: CountBodyInput[];
  cells: CountCell[];
  labels: { theme: Record<string, string>; cofog: Record<string, string>; prevention: Record<string, string> };
  /** GDP deflator index by financial year (decimal text), any base. */
  deflator: Record<string, string>;
  deflatorNote?: string;
}

export interface Breakdown { label: string; pence: number; share: number | null }

export interface CountBody {
  code: string; name: string; rule: Rule;
  factor: { numerator: number; denominator: number; share: number };
  explanation: string;
  /** The body's own total spend in the year, before netting and attribution. */
  gross_pence: number;
  /** Paid by this body to other counted bodies of the place (before attribution): removed, counted where spent. */
  netted_pence: number;
  /** round(factor × gross): what would be attributed without netting. */
  attributed_before_netting_pence: number;
  /** round(factor × (gross − netted)); 0 for an excluded body. */
  attributed_pence: number;
  lines: number;
  population?: Attribution['population'];
  driver?: Attribution['driver'];
}

export interface CountFlow { from: string; from_name: string; to: string; to_name: string; pence: number; netted: boolean }

export interface PreventionByTheme {
  label: string;
  total_pence: number;
  /** Universal/prevention + early intervention. */
  prevention_pence: number;
  /** Acute / reactive. */
  intervention_pence: number;
  /** Transfers, enabling/back office and not known. */
  other_pence: number;
  /** prevention / (prevention + intervention), or null when both are zero. */
  prevention_share: number | null;
  by_level: Record<string, number>;
}

export interface YearFigures {
  total_pence: number;
  per_head_pence: number | null;
  real_pence: number | null;
  real_per_head_pence: number | null;
  deflator_index: string | null;
  netted_pence: number;
}

export interface CountResult {
  place: string;
  name: string;
  place_version: number;
  year: string | null;
  population: number | null;
  population_detail: CountPopulation;
  total_pence: number;
  per_head_pence: number | null;
  bodies: CountBody[];
  by_theme: Record<string, Breakdown>;
  by_cofog: Record<string, Breakdown>;
  by_prevention: Record<string, Breakdown>;
  social_protection_education_health_share: { cofog: string[]; pence: number; share: number | null };
  prevention_vs_intervention_by_theme: Record<string, PreventionByTheme>;
  netting: { netted_pence: number; reduction_pence: number; rule: string; flows: CountFlow[] };
  by_year: Record<string, YearFigures>;
  real_terms: { base_year: string | null; note: string };
  notes: string[];
}

export const SPEH_COFOG = ['07', '09', '10'];
const PREVENTION = new Set(['prevention', 'early-intervention']);
const INTERVENTION = new Set(['acute']);

export interface BodyYear {
  body: CountBody;
  /** key `theme\tcofog\tprevention` -> attributed pence */
  parts: Map<string, number>;
  flows: CountFlow[];
}

/** One body's figures for one year: netting, then the factor applied (largest remainder over the parts). */
export function bodyYear(b: CountBodyInput, cells: CountCell[], attached: Map<string, CountBodyInput>): BodyYear {
  const counted = (code: string) => { const x = attached.get(code); return !!x && x.attribution.rule !== 'excluded'; };
  const selfCounted = b.attribution.rule !== 'excluded';
  const f = b.attribution.factor;
  let gross = 0, netted = 0, lines = 0;
  const net = new Map<string, number>();
  const flowsTo = new Map<string, number>();
  for (const c of cells) {
    gross += c.amount_pence; lines += c.lines;
    const payee = c.payee_body_code;
    if (payee && payee !== b.code && attached.has(payee)) flowsTo.set(payee, (flowsTo.get(payee) ?? 0) + c.amount_pence);
    if (payee && payee !== b.code && selfCounted && counted(payee)) { netted += c.amount_pence; continue; }
    const key = `${c.theme_code}\t${c.cofog_code}\t${c.prevention_code}`;
    net.set(key, (net.get(key) ?? 0) + c.amount_pence);
  }
  const keys = [...net.keys()].sort();
  const shares = apportion(keys.map((k) => net.get(k)!), f);
  const parts = new Map(keys.map((k, i) => [k, shares[i]]));
  const attributed = shares.reduce((s, v) => s + v, 0);
  const flows = [...flowsTo.entries()].sort((x, y) => x[0].localeCompare(y[0])).map(([to, pence]) => ({
    from: b.code, from_name: b.name, to, to_name: attached.get(to)!.name, pence, netted: selfCounted && counted(to),
  }));
  return {
    parts, flows,
    body: {
      code: b.code, name: b.name, rule: b.attribution.rule,
      factor: { numerator: f.numerator, denominator: f.denominator, share: b.attribution.share },
      explanation: b.attribution.explanation,
      gross_pence: gross, netted_pence: selfCounted ? netted : 0,
      attributed_before_netting_pence: applyFactor(gross, f),
      attributed_pence: attributed, lines,
      ...(b.attribution.population ? { population: b.attribution.population } : {}),
      ...(b.attribution.driver ? { driver: b.attribution.driver } : {}),
    },
  };
}

const share = (part: number, total: number): number | null => (total === 0 ? null : part / total);
const perHead = (pence: number, population: number | null): number | null =>
  (population && population > 0 ? Number(divRound(BigInt(pence), BigInt(population))) : null);

function breakdown(sums: Map<string, number>, labels: Record<string, string>, total: number, unknownLabel = 'Not known'): Record<string, Breakdown> {
  const out: Record<string, Breakdown> = {};
  for (const [k, pence] of [...sums.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
    out[k || 'unknown'] = { label: k ? labels[k] ?? k : unknownLabel, pence, share: share(pence, total) };
  }
  return out;
}

/** real = cash × index(base) / index(year), rounded half away from zero; null when either index is missing. */
export function toRealTerms(cash: number, yearIndex: string | undefined, baseIndex: string | undefined): number | null {
  if (!yearIndex || !baseIndex) return null;
  const [yn, yd] = parseDecimal(yearIndex, 'deflator');
  const [bn, bd] = parseDecimal(baseIndex, 'deflator');
  if (yn === 0n) return null;
  return Number(divRound(BigInt(cash) * bn * yd, bd * yn));
}

export function computeCount(input: CountInput): CountResult {
  const attached = new Map(input.bodies.map((b) => [b.code, b]));
  const cells = input.cells.filter((c) => attached.has(c.body_code));
  const years = [...new Set(cells.map((c) => c.financial_year))].sort();
  const year = input.year ?? years[years.length - 1] ?? null;
  const population = input.population.value;
  const notes: string[] = [];

  const run = (fy: string | null) => input.bodies.map((b) => bodyYear(b, cells.filter((c) => c.body_code === b.code && c.financial_year === fy), attached));
  const current = run(year);
  const total = current.reduce((s, r) => s + r.body.attributed_pence, 0);

  const theme = new Map<string, number>(), cofog = new Map<string, number>(), prevention = new Map<string, number>();
  const themePrev = new Map<string, Map<string, number>>();
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  for (const r of current) {
    for (const [key, pence] of r.parts) {
      const [t, c, p] = key.split('\t');
      add(theme, t, pence); add(cofog, c, pence); add(prevention, p, pence);
      if (!themePrev.has(t)) themePrev.set(t, new Map());
      add(themePrev.get(t)!, p, pence);
    }
  }
  const byTheme = breakdown(theme, input.labels.theme, total);
  const pvi: Record<string, PreventionByTheme> = {};
  for (const code of Object.keys(byTheme)) {
    const levels = themePrev.get(code === 'unknown' ? '' : code) ?? new Map<string, number>();
    const by_level: Record<string, number> = {};
    let prev = 0, inter = 0, other = 0, t = 0;
    for (const [lvl, pence] of [...levels.entries()].sort()) {
      by_level[lvl || 'unknown'] = pence; t += pence;
      if (PREVENTION.has(lvl)) prev += pence; else if (INTERVENTION.has(lvl)) inter += pence; else other += pence;
    }
    pvi[code] = { label: byTheme[code].label, total_pence: t, prevention_pence: prev, intervention_pence: inter, other_pence: other,
      prevention_share: prev + inter === 0 ? null : prev / (prev + inter), by_level };
  }
  const spehPence = SPEH_COFOG.reduce((s, c) => s + (cofog.get(c) ?? 0), 0);

  const flows = current.flatMap((r) => r.flows).sort((x, y) => x.from.localeCompare(y.from) || x.to.localeCompare(y.to));
  const nettedPence = current.reduce((s, r) => s + r.body.netted_pence, 0);
  // Excluded bodies have factor 0, so both their figures are 0.
  const reduction = current.reduce((s, r) => s + r.body.attributed_before_netting_pence - r.body.attributed_pence, 0);

  // Year on year, in cash and in real terms at the latest year's prices.
  const baseYear = years[years.length - 1] ?? null;
  const baseIndex = baseYear ? input.deflator[baseYear] : undefined;
  const byYear: Record<string, YearFigures> = {};
  for (const fy of years) {
    const rs = fy === year ? current : run(fy);
    const cash = rs.reduce((s, r) => s + r.body.attributed_pence, 0);
    const real = toRealTerms(cash, input.deflator[fy], baseIndex);
    byYear[fy] = {
      total_pence: cash, per_head_pence: perHead(cash, population), real_pence: real,
      real_per_head_pence: real === null ? null : perHead(real, population), deflator_index: input.deflator[fy] ?? null,
      netted_pence: rs.reduce((s, r) => s + r.body.netted_pence, 0),
    };
    if (!input.deflator[fy]) notes.push(`No GDP deflator for ${fy}: its real-terms figure is not shown (set one with: totalplace deflator set ${fy} INDEX).`);
  }
  if (baseYear && !baseIndex) notes.push(`No GDP deflator for ${baseYear}, the latest year, so no real-terms figures can be given.`);

  if (year && !years.includes(year)) notes.push(`No spend is loaded for ${year} from any body attached to ${input.place.name}.`);
  for (const r of current) {
    if (r.body.lines === 0 && year) notes.push(`${r.body.name} (${r.body.code}) has no spend loaded for ${year}.`);
  }
  if (population === null) notes.push('The population is not known, so per-head figures are not given (set one with: totalplace place population CODE --set N).');
  else notes.push(`Per head uses a population of ${population.toLocaleString('en-GB')} (${input.population.source}${input.population.year ? `, mid-${input.population.year}` : ''}); the same population is used for every year.`);
  notes.push('Payments are netted only where the ledger records the payee as a registered public body; payments to bodies outside the place stay counted.');
  if (input.deflatorNote) notes.push(input.deflatorNote);

  return {
    place: input.place.code, name: input.place.name, place_version: input.place.version, year,
    population, population_detail: input.population,
    total_pence: total, per_head_pence: perHead(total, population),
    bodies: current.map((r) => r.body),
    by_theme: byTheme,
    by_cofog: breakdown(cofog, input.labels.cofog, total),
    by_prevention: breakdown(prevention, input.labels.prevention, total),
    social_protection_education_health_share: { cofog: SPEH_COFOG, pence: spehPence, share: share(spehPence, total) },
    prevention_vs_intervention_by_theme: pvi,
    netting: {
      netted_pence: nettedPence, reduction_pence: reduction,
      rule: 'A payment from one attached body to another counted attached body is removed from the payer (counted where it is finally spent): attributed = factor × (total − paid to counted attached bodies).',
      flows,
    },
    by_year: byYear,
    real_terms: { base_year: baseYear, note: baseYear ? `Real terms: cash × GDP deflator(${baseYear}) / GDP deflator(year), i.e. at ${baseYear} prices.` : 'No years with spend.' },
    notes,
  };
}
