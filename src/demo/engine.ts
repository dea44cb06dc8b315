// The row model behind every generated file: which service paid whom, for what, how much and when.
// Layouts (layouts.ts) only decide how a row is written. All arithmetic on money is in integer pence.
import { Random, Weighted } from './random.ts';
import { buildSupplierPools, defaultPoolScale, REDACTED, type Payee, type SupplierPools } from './suppliers.ts';
import {
  EXPENSE_BY_NAME, MONTHS_LONG, MONTHS_SHORT, PROFILES, type BodyProfile, type ExpenseCategory, type ExpenseDef, type Trade,
} from './vocab.ts';

/** Largest single generated amount: £2m. Smallest: 1p. */
export const MAX_PENCE = 200_000_000;
/**
 * The typical sizes in vocab.ts are per expense type; these calibrate the mix as a whole to the shape of a
 * large council's full (not over-£500) payments file: median in the low hundreds of pounds, log10 spread
 * about one decade, a few percent of lines over £100k.
 */
const MU_SHIFT = -0.35;
const SIGMA_SCALE = 1.15;

/** A payment the caller wants in the file as given (e.g. one public body paying another). */
export interface FixedPayment {
  /** ISO date, within the financial year. */
  date: string;
  payee: string;
  /** Directorate / organisational unit (defaults to the service). */
  unit?: string;
  service: string;
  /** Expense type, e.g. 'Precepts'. */
  expense: string;
  category: ExpenseCategory;
  purpose: string;
  /** Net amount in pence (negative for a credit). */
  netPence: number;
  /** VAT in pence (default 0). */
  vatPence?: number;
  capital?: boolean;
}

export interface DayInfo {
  date: Date;
  iso: string;
  /** 14/12/2023 */
  dmy: string;
  /** 05/10/23 */
  dmy2: string;
  /** 3 Apr 2023 */
  dMon: string;
  /** 15 June 2023 */
  dMonth: string;
  /** last day of the month, dd/mm/yyyy */
  monthEndDmy: string;
  /** APR 23 */
  monLabel: string;
  /** 0 = April ... 11 = March */
  fyMonth: number;
}

export interface ServiceRec { unit: string; name: string; expenses: number[] }
export interface ExpenseRec {
  name: string;
  category: ExpenseCategory;
  purposes: string[];
  trade: Trade | 'fixed';
  /** Detailed expenditure code (3-4 digits), stable per expense name. */
  code: string;
  def?: ExpenseDef;
}

/** One generated line. The engine reuses a single object: copy what you keep. */
export interface Row {
  day: number;
  service: number;
  expense: number;
  purpose: number;
  payee: number;
  net: number;
  vat: number;
  irrecoverableVat: number;
  txn: number;
  card: boolean;
  capital: boolean;
  /** Float noise in the printed amount: 0 none, 1 a hair above (…910000000003), 2 a hair below (…909999999998). */
  noise: 0 | 1 | 2;
  noiseDigit: number;
  fixed: boolean;
}

export interface EngineOptions {
  lines: number;
  seed: number;
  profile: BodyProfile;
  financialYear: string;
  /** Seed of the supplier pools (bodies of one place share it so they share suppliers). Default: seed. */
  supplierSeed?: number;
  /** Size of the supplier pools (see defaultPoolScale). */
  poolScale?: number;
  fixed?: FixedPayment[];
  /** Share of lines printed with float noise. */
  noiseRate?: number;
  /** Share of lines that are credit notes (negative). */
  creditRate?: number;
  /** Only these months of the year get random lines: [first, last], 0 = April ... 11 = March. */
  months?: [number, number];
}

export function parseFinancialYear(fy: string): number {
  const m = /^(\d{4})-(\d{2})$/.exec(fy);
  if (!m || (Number(m[1]) + 1) % 100 !== Number(m[2])) throw new Error(`financial year must look like 2023-24, not ${JSON.stringify(fy)}`);
  return Number(m[1]);
}

const pad2 = (n: number) => (n < 10 ? '0' + n : String(n));

function dayInfo(date: Date, startYear: number): DayInfo {
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth();
  const d = date.getUTCDate();
  const monthEnd = new Date(Date.UTC(y, m + 1, 0));
  return {
    date,
    iso: `${y}-${pad2(m + 1)}-${pad2(d)}`,
    dmy: `${pad2(d)}/${pad2(m + 1)}/${y}`,
    dmy2: `${pad2(d)}/${pad2(m + 1)}/${pad2(y % 100)}`,
    dMon: `${d} ${MONTHS_SHORT[m]} ${y}`,
    dMonth: `${d} ${MONTHS_LONG[m]} ${y}`,
    monthEndDmy: `${pad2(monthEnd.getUTCDate())}/${pad2(m + 1)}/${y}`,
    monLabel: `${MONTHS_SHORT[m].toUpperCase()} ${pad2(y % 100)}`,
    fyMonth: (y - startYear) * 12 + m - 3,
  };
}

function expenseCode(name: string): string {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619) >>> 0;
  return String(100 + (h % 8900));
}

export class SpendEngine {
  readonly days: DayInfo[] = [];
  /** Working days (indexes into days) on which payment runs happen. */
  private readonly workDays: number[] = [];
  readonly services: ServiceRec[] = [];
  readonly expenses: ExpenseRec[] = [];
  readonly payees: Payee[] = [];
  readonly payeeRedacted: number;
  readonly pools: SupplierPools;
  readonly startYear: number;
  readonly row: Row = {
    day: 0, service: 0, expense: 0, purpose: 0, payee: 0, net: 0, vat: 0, irrecoverableVat: 0, txn: 0,
    card: false, capital: false, noise: 0, noiseDigit: 0, fixed: false,
  };
  readonly random: Random;

  private readonly poolUids = new Map<Trade, Int32Array>();
  // Per expense type, flattened into typed arrays: reading numbers from objects of differing shapes in the
  // hot loop would allocate a boxed copy per read.
  private expMu!: Float64Array;
  private expSigma!: Float64Array;
  private expCard!: Float64Array;
  private expRound!: Float64Array;
  private expRedact!: Float64Array;
  /** Bit 1: standard-rated for VAT; bit 2: capital. */
  private expFlags!: Uint8Array;
  /** Payee pool of each expense type (index into pools). */
  private expPool!: Int32Array;
  private readonly poolList: Int32Array[] = [];
  private retailPool = 0;
  private readonly serviceDraw: Weighted<number>;
  private readonly generalDraw: Weighted<number>;
  private readonly specificShare: number;
  private readonly randomLines: number;
  private readonly fixedRows: { day: number; service: number; expense: number; payee: number; net: number; vat: number; capital: boolean }[];
  private emitted = 0;
  private randomEmitted = 0;
  private fixedEmitted = 0;
  private txnCounter: number;
  private readonly noiseRate: number;
  private readonly creditRate: number;
  private prevPayee = -1;

  constructor(readonly opts: EngineOptions) {
    if (!Number.isInteger(opts.lines) || opts.lines < 0) throw new Error(`lines must be a whole number >= 0, not ${opts.lines}`);
    const fixed = opts.fixed ?? [];
    if (fixed.length > opts.lines) throw new Error(`lines (${opts.lines}) must be at least the number of fixed payments (${fixed.length})`);
    this.random = Random.derive(opts.seed, 'lines');
    this.startYear = parseFinancialYear(opts.financialYear);
    this.noiseRate = opts.noiseRate ?? 0.002;
    this.creditRate = opts.creditRate ?? 0.015;

    // Calendar: every day of the financial year; payment runs on weekdays.
    for (let t = Date.UTC(this.startYear, 3, 1); t < Date.UTC(this.startYear + 1, 3, 1); t += 86_400_000) {
      const date = new Date(t);
      this.days.push(dayInfo(date, this.startYear));
      const wd = date.getUTCDay();
      const fyMonth = this.days[this.days.length - 1].fyMonth;
      const [first, last] = opts.months ?? [0, 11];
      if (wd !== 0 && wd !== 6 && fyMonth >= first && fyMonth <= last) this.workDays.push(this.days.length - 1);
    }
    if (this.workDays.length === 0) throw new Error(`no working days in months ${JSON.stringify(opts.months)}`);

    // Suppliers: pools share a flat uid space so layouts can pre-format every name once.
    this.pools = buildSupplierPools(opts.supplierSeed ?? opts.seed, opts.poolScale ?? defaultPoolScale(opts.lines));
    for (const [trade, pool] of this.pools) {
      const uids = new Int32Array(pool.length);
      pool.forEach((p, i) => { uids[i] = this.payees.length; this.payees.push(p); });
      this.poolUids.set(trade, uids);
    }
    this.payeeRedacted = this.payees.length;
    this.payees.push({ name: REDACTED, kind: 'individual', id: 0, companyNumber: '' });

    // Services and expense types of the profile.
    const profile = PROFILES[opts.profile];
    const expenseIndex = new Map<string, number>();
    const expenseId = (name: string): number => {
      let i = expenseIndex.get(name);
      if (i === undefined) {
        const def = EXPENSE_BY_NAME.get(name);
        if (!def) throw new Error(`unknown expense type ${name}`);
        i = this.expenses.length;
        this.expenses.push({ name, category: def.category, purposes: def.purposes, trade: def.trade, code: expenseCode(name), def });
        expenseIndex.set(name, i);
      }
      return i;
    };
    for (const s of profile.services) this.services.push({ unit: s.unit, name: s.name, expenses: s.expenses.map(expenseId) });
    const general = profile.general.map(([name, w]) => ({ id: expenseId(name), w }));
    this.generalDraw = new Weighted(general.map((g) => g.id), (id) => general.find((g) => g.id === id)!.w);
    this.serviceDraw = new Weighted(profile.services.map((_, i) => i), (i) => profile.services[i].weight);
    this.specificShare = profile.specificShare;

    // Fixed payments become rows of their own, slotted in by date.
    const serviceIndex = new Map<string, number>();
    const payeeIndex = new Map<string, number>();
    this.fixedRows = fixed.map((f) => {
      const dayIdx = Math.round((Date.parse(f.date + 'T00:00:00Z') - Date.UTC(this.startYear, 3, 1)) / 86_400_000);
      if (!(dayIdx >= 0 && dayIdx < this.days.length)) throw new Error(`fixed payment date ${f.date} is outside ${opts.financialYear}`);
      if (!Number.isSafeInteger(f.netPence)) throw new Error(`fixed payment amount must be integer pence: ${f.netPence}`);
      const skey = `${f.unit ?? f.service}\u0000${f.service}`;
      let service = serviceIndex.get(skey);
      if (service === undefined) {
        service = this.services.length;
        this.services.push({ unit: f.unit ?? f.service, name: f.service, expenses: [] });
        serviceIndex.set(skey, service);
      }
      let expense = expenseIndex.get(`fixed:${f.expense}:${f.purpose}`);
      if (expense === undefined) {
        expense = this.expenses.length;
        this.expenses.push({ name: f.expense, category: f.category, purposes: [f.purpose], trade: 'fixed', code: expenseCode(f.expense) });
        expenseIndex.set(`fixed:${f.expense}:${f.purpose}`, expense);
      }
      let payee = payeeIndex.get(f.payee);
      if (payee === undefined) {
        payee = this.payees.length;
        this.payees.push({ name: f.payee, kind: 'public', id: 90000 + payeeIndex.size, companyNumber: '' });
        payeeIndex.set(f.payee, payee);
      }
      return { day: dayIdx, service, expense, payee, net: f.netPence, vat: f.vatPence ?? 0, capital: !!f.capital };
    }).sort((a, b) => a.day - b.day);
    this.randomLines = opts.lines - this.fixedRows.length;

    const n = this.expenses.length;
    this.expMu = new Float64Array(n);
    this.expSigma = new Float64Array(n);
    this.expCard = new Float64Array(n);
    this.expRound = new Float64Array(n);
    this.expRedact = new Float64Array(n);
    this.expFlags = new Uint8Array(n);
    this.expPool = new Int32Array(n).fill(-1);
    const poolIndex = new Map<Trade, number>();
    for (const [trade, uids] of this.poolUids) { poolIndex.set(trade, this.poolList.length); this.poolList.push(uids); }
    this.retailPool = poolIndex.get('retail')!;
    this.expenses.forEach((x, i) => {
      const d = x.def;
      if (!d) return;
      this.expMu[i] = d.mu + MU_SHIFT;
      this.expSigma[i] = d.sigma * SIGMA_SCALE;
      this.expCard[i] = d.card ?? 0;
      this.expRound[i] = d.round ?? 0;
      this.expRedact[i] = d.redact ?? 0;
      this.expFlags[i] = (d.vat ? 1 : 0) | (d.capital ? 2 : 0);
      this.expPool[i] = poolIndex.get(d.trade)!;
    });
    this.txnCounter = 10_000_000 + this.random.int(80_000_000);
  }

  get lines(): number { return this.opts.lines; }
  get done(): boolean { return this.emitted >= this.opts.lines; }

  /** Fills `row` with the next line (in date order) and returns it. */
  next(): Row {
    const r = this.row;
    const nextRandomDay = this.randomEmitted < this.randomLines
      ? this.workDays[Math.floor((this.randomEmitted * this.workDays.length) / this.randomLines)]
      : Infinity;
    const f = this.fixedRows[this.fixedEmitted];
    if (f && f.day <= nextRandomDay) {
      this.fixedEmitted++;
      this.emitted++;
      r.day = f.day; r.service = f.service; r.expense = f.expense; r.purpose = 0; r.payee = f.payee;
      r.net = f.net; r.vat = f.vat; r.irrecoverableVat = 0; r.card = false; r.capital = f.capital;
      r.noise = 0; r.noiseDigit = 0; r.fixed = true;
      r.txn = this.txnCounter += 1 + this.random.int(3);
      return r;
    }
    if (nextRandomDay === Infinity) throw new Error('SpendEngine: no lines left');
    this.randomEmitted++;
    this.emitted++;
    this.fill(r, nextRandomDay);
    return r;
  }

  private fill(r: Row, day: number): void {
    const rnd = this.random;
    const svcIdx = this.serviceDraw.draw(rnd);
    const svc = this.services[svcIdx];
    const x = svc.expenses.length && rnd.chance(this.specificShare) ? svc.expenses[rnd.int(svc.expenses.length)] : this.generalDraw.draw(rnd);
    const flags = this.expFlags[x];
    r.day = day; r.service = svcIdx; r.expense = x; r.fixed = false;
    r.purpose = rnd.int(this.expenses[x].purposes.length);
    r.capital = (flags & 2) !== 0;
    const card = this.expCard[x];
    r.card = card > 0 && rnd.chance(card);

    // An invoice split across cost centres: same transaction number and payee as the line before.
    const split = this.prevPayee >= 0 && !r.card && rnd.chance(0.1);
    if (!split) r.txn = this.txnCounter += 1 + rnd.int(3);
    const redact = this.expRedact[x];
    if (split) {
      r.payee = this.prevPayee;
    } else if (r.card) {
      r.payee = this.pickFrom(rnd.chance(0.6) ? this.retailPool : this.expPool[x]);
    } else if (redact > 0 && rnd.chance(redact)) {
      r.payee = this.payeeRedacted;
    } else {
      r.payee = this.pickFrom(this.expPool[x]);
    }
    this.prevPayee = r.payee;

    // Amount: log-normal around the expense type's typical size; 1p to £2m.
    const mu = this.expMu[x];
    let pence = rnd.logNormalPence(r.card ? Math.min(mu, 2.4) - 0.1 : mu, this.expSigma[x], 1, MAX_PENCE);
    if (rnd.chance(this.expRound[x]) || rnd.chance(0.06)) {
      pence = Math.max(100, Math.round(pence / 100) * 100);
      if (pence > 100_000 && rnd.chance(0.3)) pence = Math.round(pence / 10_000) * 10_000;
    }
    if (rnd.chance(this.creditRate)) pence = -pence;
    r.net = pence;
    const vatable = (flags & 1) !== 0;
    if (vatable) {
      const full = Math.round(Math.abs(pence) * 0.2);
      const vat = rnd.chance(0.1) ? rnd.int(full + 1) : full; // part-exempt invoices
      r.vat = pence < 0 ? -vat : vat;
    } else {
      r.vat = 0;
    }
    r.irrecoverableVat = vatable && rnd.chance(0.004) ? rnd.int(Math.abs(r.vat) + 1) : 0;
    if (rnd.chance(this.noiseRate)) {
      r.noise = (Math.abs(pence) % 100 !== 0 && rnd.chance(0.5)) ? 2 : 1;
      r.noiseDigit = 1 + rnd.int(8);
    } else {
      r.noise = 0;
    }
  }

  private pickFrom(pool: number): number {
    const uids = this.poolList[pool];
    return uids[this.random.skewed(uids.length, 2.5)];
  }

}
