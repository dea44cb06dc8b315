// Pools of invented payees, one pool per trade, each ordered from most to least used so that a skewed draw
// gives the long tail real spend files have (a few suppliers paid every week, thousands paid once).
// Names are built from word parts; any likeness to a real organisation is a coincidence.
import { Random } from './random.ts';
import {
  CARE_HOME_FORMS, COMPANY_FORMS, COUNCIL_FORMS, FIRST_NAMES, GP_FORMS, HOME_CARE_FORMS, NHS_TRUST_FORMS,
  PHARMACY_FORMS, PLACE_BLOCKLIST, PLACE_HEADS, PLACE_TAILS, POLICE_FORMS, RETAIL_NAMES, SURNAMES, TRADE_WORDS,
  VOLUNTARY_FORMS, type Trade,
} from './vocab.ts';

export type PayeeKind = 'company' | 'individual' | 'public' | 'charity';

export interface Payee {
  name: string;
  kind: PayeeKind;
  /** Supplier number in the payer's finance system (used in references). */
  id: number;
  /** Companies House number, or '' when not a company (or not known). */
  companyNumber: string;
}

export const REDACTED = 'Redacted Personal Information';

/** Relative pool sizes: how many distinct payees of each trade a large council pays in a year. */
const BASE_SIZE: Record<Trade, number> = {
  agency: 40, training: 120, media: 30, building: 250, energy: 8, water: 4, cleaning: 60, property: 60, council: 40,
  security: 40, grounds: 50, vehicles: 80, fuel: 10, transport: 120, materials: 250, furniture: 60, ict: 200,
  telecoms: 15, print: 60, post: 6, consultancy: 200, legal: 80, catering: 100, membership: 60, insurance: 10,
  voluntary: 200, uniform: 30, care_home: 250, home_care: 120, fostering: 25, contractor: 200, waste: 30,
  highways: 40, leisure: 5, health: 60, individual: 400, landlord: 300, company: 150, construction: 80,
  forensic: 12, interpreting: 15, police_force: 15, animal: 15, fire_equipment: 25, nhs_trust: 12, gp: 60,
  pharmacy: 40, retail: RETAIL_NAMES.length,
};

export type SupplierPools = ReadonlyMap<Trade, readonly Payee[]>;

/** Pool scale for a file of `lines` lines: a small file sees few payees, a huge one tens of thousands. */
export function defaultPoolScale(lines: number): number {
  return Math.min(8, Math.max(0.2, Math.sqrt(lines / 20_000)));
}

/** Invented place names (for payee names), in a seeded order. */
export function placeNames(random: Random): string[] {
  const out: string[] = [];
  for (const h of PLACE_HEADS) {
    for (const t of PLACE_TAILS) {
      const name = h + t;
      if (!PLACE_BLOCKLIST.has(name) && !/(.)\1\1/.test(name)) out.push(name);
    }
  }
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export function buildSupplierPools(seed: number, scale: number): SupplierPools {
  const random = Random.derive(seed, 'suppliers');
  const places = placeNames(random);
  const used = new Set<string>();
  let nextId = 1000 + random.int(9000);
  const pools = new Map<Trade, Payee[]>();

  const companyNumber = (): string =>
    random.chance(0.06) ? 'SC' + String(100000 + random.int(900000)) : String(random.range(1000000, 15999999)).padStart(8, '0');
  const place = () => places[random.skewed(places.length, 1.6)];
  const initials = () => String.fromCharCode(65 + random.int(26)) + (random.chance(0.5) ? String.fromCharCode(65 + random.int(26)) : '');
  const person = (): string => {
    const r = random.next();
    if (r < 0.45) return `${random.pick(FIRST_NAMES)} ${random.pick(SURNAMES)}`;
    if (r < 0.75) return `${String.fromCharCode(65 + random.int(26))} ${random.pick(SURNAMES)}`;
    if (r < 0.9) return `${random.pick(['Mr', 'Mrs', 'Ms', 'Miss'])} ${String.fromCharCode(65 + random.int(26))} ${random.pick(SURNAMES)}`;
    return `${random.pick(FIRST_NAMES)} ${random.pick(FIRST_NAMES)} ${random.pick(SURNAMES)}`;
  };
  const company = (trade: Trade): string => {
    const words = TRADE_WORDS[trade];
    let form = random.pick(COMPANY_FORMS);
    const word = random.pick(words);
    const r = random.next();
    if (form === '& Sons Ltd' && !(r >= 0.45 && r < 0.7)) form = 'Ltd';
    let stem: string;
    if (r < 0.45) stem = `${place()} ${word}`;
    else if (r < 0.7) stem = `${random.pick(SURNAMES)} ${word}`;
    else if (r < 0.8) stem = `${random.pick(SURNAMES)} & ${random.pick(SURNAMES)}`;
    else if (r < 0.9) stem = `${initials()} ${word}`;
    else stem = `${place()} ${random.pick(SURNAMES)} ${word}`;
    if (form.startsWith('Services') && stem.endsWith('Services')) form = 'Limited';
    return form ? `${stem} ${form}` : stem;
  };

  const make = (trade: Trade): Omit<Payee, 'id'> => {
    switch (trade) {
      case 'individual':
        return { name: person(), kind: 'individual', companyNumber: '' };
      case 'landlord':
        return random.chance(0.7)
          ? { name: person(), kind: 'individual', companyNumber: '' }
          : { name: company('landlord'), kind: 'company', companyNumber: companyNumber() };
      case 'council':
        return { name: `${place()} ${random.pick(COUNCIL_FORMS)}`, kind: 'public', companyNumber: '' };
      case 'police_force':
        return { name: `${place()}shire ${random.pick(POLICE_FORMS)}`, kind: 'public', companyNumber: '' };
      case 'nhs_trust': {
        const p = random.chance(0.3) ? `${place()} and ${place()}` : place();
        return { name: `${p} ${random.pick(NHS_TRUST_FORMS)}`, kind: 'public', companyNumber: '' };
      }
      case 'gp':
        return { name: `${random.chance(0.3) ? random.pick(SURNAMES) + ' Street' : place()} ${random.pick(GP_FORMS)}`, kind: 'company', companyNumber: '' };
      case 'pharmacy':
        return { name: `${random.chance(0.5) ? place() : random.pick(SURNAMES)} ${random.pick(PHARMACY_FORMS)}`, kind: 'company', companyNumber: random.chance(0.5) ? companyNumber() : '' };
      case 'care_home':
        return { name: `${place()} ${random.pick(CARE_HOME_FORMS)}`, kind: 'company', companyNumber: random.chance(0.6) ? companyNumber() : '' };
      case 'home_care':
        return { name: `${random.chance(0.6) ? place() : random.pick(SURNAMES)} ${random.pick(HOME_CARE_FORMS)}`, kind: 'company', companyNumber: companyNumber() };
      case 'voluntary':
      case 'membership': {
        if (trade === 'membership' && random.chance(0.6)) {
          return { name: `${random.pick(['Institute of', 'Association of', 'Society of', 'Chartered Institute of'])} ${random.pick(['Public Finance Officers', 'Licensing Practitioners', 'Environmental Health Officers', 'Building Surveyors', 'Fleet Managers', 'Revenues Officers', 'Parks Managers', 'Legal Executives', 'Cemetery Managers', 'Procurement Practitioners', 'Highway Engineers', 'Data Protection Officers', 'Fire Engineers', 'Police Staff'])}`, kind: 'charity', companyNumber: '' };
        }
        return { name: `${place()} ${random.pick(VOLUNTARY_FORMS)}`, kind: 'charity', companyNumber: '' };
      }
      default:
        return { name: company(trade), kind: 'company', companyNumber: random.chance(0.7) ? companyNumber() : '' };
    }
  };

  for (const trade of Object.keys(BASE_SIZE) as Trade[]) {
    const pool: Payee[] = [];
    if (trade === 'retail') {
      for (const name of RETAIL_NAMES) { pool.push({ name, kind: 'company', id: nextId++, companyNumber: '' }); used.add(name.toLowerCase()); }
      pools.set(trade, pool);
      continue;
    }
    const size = Math.max(3, Math.round(BASE_SIZE[trade] * scale));
    for (let i = 0; i < size; i++) {
      let p = make(trade);
      // Individuals may share a name; organisations may not.
      for (let tries = 0; p.kind !== 'individual' && used.has(p.name.toLowerCase()) && tries < 30; tries++) p = make(trade);
      if (p.kind !== 'individual' && used.has(p.name.toLowerCase())) continue;
      used.add(p.name.toLowerCase());
      nextId += 1 + random.int(40);
      pool.push({ ...p, id: nextId });
    }
    pools.set(trade, pool);
  }
  return pools;
}
