// Attribution of a body's spend to a place: pure functions, exact arithmetic.
//
// A factor is an exact rational numerator/denominator of non-negative integers (reduced), never a float:
//   direct            1/1
//   population_share  population of (place areas ∩ body areas) / population of the body's areas
//   driver_share      place_value / body_total (user-supplied figures, e.g. caseload; decimals are exact)
//   excluded          0/1 (the body's spend is reported but left out of the place total)
//
// Rounding: money stays integer pence. A factor is applied to a pence amount with integer (BigInt)
// arithmetic and the exact result is rounded once, half away from zero (so 0.5p -> 1p, -0.5p -> -1p).
// Nothing is rounded before that last step. When one attributed figure is broken down (by theme, COFOG,
// prevention level) the parts are apportioned by the largest-remainder method, so they add up exactly
// to the rounded figure: see `apportion`.

export type Rule = 'direct' | 'population_share' | 'driver_share' | 'excluded';
export const RULES: readonly Rule[] = ['direct', 'population_share', 'driver_share', 'excluded'];

export interface Factor { numerator: number; denominator: number }

export interface Driver {
  /** What the driver counts, e.g. "caseload", "pupils", "floor area (m2)". */
  name: string;
  /** The figure for the place, as written (a decimal string or number). */
  place_value: string | number;
  /** The figure for everything the body serves. */
  body_total: string | number;
}

export interface AttributionBody { code: string; name: string; areas: string[] }
export interface AttributionPlace { code: string; name: string; areas: string[] }

export interface Attribution {
  rule: Rule;
  factor: Factor;
  /** The factor as a decimal, for display only. */
  share: number;
  /** The rule in plain English, with its figures. */
  explanation: string;
  /** The figures behind a population share. */
  population?: { body_areas: number; body_population: number; place_areas: string[]; place_population: number; missing_areas: string[] };
  driver?: Driver;
}

/** A problem with a rule's inputs, worded to be shown as it stands. */
export class AttributionError extends Error {}

// ---------- exact arithmetic ----------

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a; b = b < 0n ? -b : b;
  while (b) [a, b] = [b, a % b];
  return a;
}

function toSafe(n: bigint, what: string): number {
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new AttributionError(`${what} is too large to handle exactly.`);
  return Number(n);
}

/** numerator/denominator in lowest terms. */
export function makeFactor(numerator: bigint | number, denominator: bigint | number): Factor {
  let n = BigInt(numerator), d = BigInt(denominator);
  if (d === 0n) throw new AttributionError('A share cannot have a denominator of zero.');
  if (d < 0n) { n = -n; d = -d; }
  if (n < 0n) throw new AttributionError('A share cannot be negative.');
  const g = gcd(n, d) || 1n;
  return { numerator: toSafe(n / g, 'The share'), denominator: toSafe(d / g, 'The share') };
}

/** A non-negative decimal ("123", "12.5", 7) as an exact fraction [numerator, denominator]. */
export function parseDecimal(value: string | number, what: string): [bigint, bigint] {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value.trim().replace(/,/g, '');
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new AttributionError(`${what} must be a number of zero or more, such as 123 or 12.5 (got "${value}").`);
  const decimals = m[2] ?? '';
  if (m[1].length + decimals.length > 15) throw new AttributionError(`${what} has too many digits (15 at most).`);
  return [BigInt(m[1] + decimals), 10n ** BigInt(decimals.length)];
}

/** Integer division rounded half away from zero. d > 0. */
export function divRound(n: bigint, d: bigint): bigint {
  if (d <= 0n) throw new Error('divRound: denominator must be positive');
  const neg = n < 0n;
  const a = neg ? -n : n;
  const q = (2n * a + d) / (2n * d);
  return neg ? -q : q;
}

/** Floor division. d > 0. */
function divFloor(n: bigint, d: bigint): bigint {
  const q = n / d;
  return (n % d !== 0n && n < 0n) ? q - 1n : q;
}

/** pence × factor, rounded once, half away from zero. */
export function applyFactor(pence: number, factor: Factor): number {
  if (!Number.isSafeInteger(pence)) throw new Error(`applyFactor: ${pence} is not a whole number of pence`);
  return Number(divRound(BigInt(pence) * BigInt(factor.numerator), BigInt(factor.denominator)));
}

/**
 * Splits round(factor × Σ parts) over the parts so the results add up to it exactly: each part gets
 * floor(factor × part), and the pennies left over go one each to the parts with the largest remainders
 * (ties: the earlier part). With factor 1 every part is returned unchanged.
 */
export function apportion(parts: number[], factor: Factor): number[] {
  const num = BigInt(factor.numerator), den = BigInt(factor.denominator);
  const exact = parts.map((p) => BigInt(p) * num);
  const floors = exact.map((e) => divFloor(e, den));
  const total = divRound(parts.reduce((s, p) => s + BigInt(p), 0n) * num, den);
  let extra = Number(total - floors.reduce((s, f) => s + f, 0n));
  const order = exact.map((e, i) => ({ i, rem: e - floors[i] * den })).sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1));
  const out = floors.map(Number);
  for (let k = 0; k < order.length && extra > 0; k++, extra--) out[order[k].i] += 1;
  return out;
}

export function factorShare(f: Factor): number { return f.numerator / f.denominator; }

// ---------- wording ----------

const int = (n: number) => Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
/** "6.70%" from an exact factor. */
export function percent(f: Factor): string {
  // Two decimals, rounded half away from zero, from the exact fraction.
  const hundredths = divRound(BigInt(f.numerator) * 10000n, BigInt(f.denominator));
  const s = hundredths.toString().padStart(3, '0');
  return `${s.slice(0, -2)}.${s.slice(-2)}%`;
}
const plural = (n: number, one: string, many: string) => `${int(n)} ${n === 1 ? one : many}`;
function decimalText(v: string | number): string {
  const [n, d] = parseDecimal(v, 'value');
  const places = d.toString().length - 1;
  const s = n.toString().padStart(places + 1, '0');
  return int(Number(s.slice(0, s.length - places))) + (places ? '.' + s.slice(s.length - places) : '');
}

// ---------- the rules ----------

/** Population of each GSS area (people), as used for a count. */
export type Populations = ReadonlyMap<string, number>;

export function attribute(
  rule: Rule, body: AttributionBody, place: AttributionPlace,
  inputs: { populations?: Populations; driver?: Driver | null; populationLabel?: string } = {},
): Attribution {
  switch (rule) {
    case 'direct':
      return { rule, factor: { numerator: 1, denominator: 1 }, share: 1,
        explanation: `All of ${body.name}'s spend is counted in ${place.name} (direct).` };
    case 'excluded':
      return { rule, factor: { numerator: 0, denominator: 1 }, share: 0,
        explanation: `${body.name} is excluded: its spend is shown but not counted in ${place.name}'s total.` };
    case 'driver_share': {
      const d = inputs.driver;
      if (!d || !d.name?.trim()) throw new AttributionError(`${body.name}: a driver share needs a driver name, the place's figure and the body's total.`);
      const [pn, pd] = parseDecimal(d.place_value, `The ${d.name} figure for ${place.name}`);
      const [tn, td] = parseDecimal(d.body_total, `The ${d.name} total for ${body.name}`);
      if (tn === 0n) throw new AttributionError(`The ${d.name} total for ${body.name} must be more than zero.`);
      if (pn * td > tn * pd) throw new AttributionError(`The ${d.name} figure for ${place.name} (${d.place_value}) is more than ${body.name}'s total (${d.body_total}).`);
      const factor = makeFactor(pn * td, tn * pd);
      return { rule, factor, share: factorShare(factor), driver: { name: d.name.trim(), place_value: String(d.place_value), body_total: String(d.body_total) },
        explanation: `${body.name}'s ${d.name.trim()} is ${decimalText(d.body_total)} in all; ${place.name} has ${decimalText(d.place_value)} of it: ${percent(factor)}.` };
    }
    case 'population_share': {
      const pops = inputs.populations ?? new Map<string, number>();
      const bodyAreas = [...new Set(body.areas)];
      if (bodyAreas.length === 0) throw new AttributionError(`${body.name} (${body.code}) has no areas recorded, so a population share cannot be computed. Record the areas it serves (totalplace bodies) or use another rule.`);
      const missing = bodyAreas.filter((a) => !pops.has(a));
      if (missing.length) throw new AttributionError(`No population is known for ${missing.join(', ')} (served by ${body.name}). Set it with: totalplace population set AREA N`);
      const placeAreas = new Set(place.areas);
      const shared = bodyAreas.filter((a) => placeAreas.has(a));
      const bodyPop = bodyAreas.reduce((s, a) => s + pops.get(a)!, 0);
      const placePop = shared.reduce((s, a) => s + pops.get(a)!, 0);
      if (bodyPop === 0) throw new AttributionError(`The areas ${body.name} serves have a population of zero, so a population share cannot be computed.`);
      const factor = makeFactor(placePop, bodyPop);
      const label = inputs.populationLabel ? ` (${inputs.populationLabel})` : '';
      const explanation = shared.length === 0
        ? `${body.name} serves ${plural(bodyAreas.length, 'district', 'districts')} with ${int(bodyPop)} people${label}; none of them is in ${place.name}: 0.00%.`
        : `${body.name} serves ${plural(bodyAreas.length, 'district', 'districts')} with ${int(bodyPop)} people${label}; ${place.name} has ${int(placePop)} of them: ${percent(factor)}.`;
      return { rule, factor, share: factorShare(factor), explanation,
        population: { body_areas: bodyAreas.length, body_population: bodyPop, place_areas: shared, place_population: placePop, missing_areas: [] } };
    }
    default:
      throw new AttributionError(`Unknown rule "${String(rule)}". Use one of: ${RULES.join(', ')}.`);
  }
}
