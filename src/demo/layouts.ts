// How a generated row is written: the column layouts of real UK spend files, with invented headers.
// Every name a layout prints is formatted (case, CSV quoting) and encoded once, up front; a line is then
// a handful of byte copies plus digits (see sink.ts).
import { Random } from './random.ts';
import type { Row, SpendEngine } from './engine.ts';
import type { BodyProfile } from './vocab.ts';
import { REDACTED } from './suppliers.ts';
import { ByteSink, COMMA, QUOTE } from './sink.ts';

export type LayoutName = 'lga' | 'district' | 'gross_vat_net' | 'police' | 'fire' | 'nhs';
export type SpendEncoding = 'utf8' | 'utf8-bom' | 'windows-1252' | 'utf16le';

export const LAYOUTS: Record<LayoutName, { description: string; profile: BodyProfile; encoding: SpendEncoding }> = {
  lga: { description: 'LGA spend schema, 15 columns (organisation, unit, service, category, purpose, dates, VAT, amount, beneficiary, card)', profile: 'council', encoding: 'utf8' },
  district: { description: 'district council export: junk first row, 7 columns plus empty trailing columns, "3 Apr 2023" dates, "1,708.75" amounts, windows-1252 £ in the header', profile: 'district', encoding: 'windows-1252' },
  gross_vat_net: { description: 'gross / VAT / net amounts with ISO dates', profile: 'council', encoding: 'utf8' },
  police: { description: 'police: expenditure category, date, total, supplier', profile: 'police', encoding: 'utf8' },
  fire: { description: 'fire: reference, date, dotted category hierarchy, lower-case supplier, classification, amount', profile: 'fire', encoding: 'utf8' },
  nhs: { description: 'NHS over-£25k template: department family, entity, date, expense type, expense area, supplier, transaction number, amount', profile: 'nhs', encoding: 'utf8' },
};

export interface LayoutContext {
  engine: SpendEngine;
  sink: ByteSink;
  bodyName: string;
  bodyCode: string;
  /** 'a' (default) or 'b': district 'b' is the same council after a change of finance system export. */
  variant: 'a' | 'b';
  seed: number;
}

export interface Layout {
  /** Junk rows and the header row, each ended by the layout's line ending. */
  preamble(): string;
  /** Writes one data line, with its line ending, into the sink. */
  write(r: Row): void;
}

type Casing = 'title' | 'upper' | 'lower' | 'mixed';

export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}

function applyCase(s: string, casing: Casing): string {
  if (s === REDACTED && casing !== 'upper' && casing !== 'lower') return s;
  switch (casing) {
    case 'upper': return s.toUpperCase();
    case 'lower': return s.toLowerCase();
    case 'mixed': return hash(s) % 100 < 35 ? s.toUpperCase() : s;
    default: return s;
  }
}

/** Pre-formatted, pre-encoded names for one layout. */
class Texts {
  readonly payee: Uint8Array[];
  readonly service: Uint8Array[];
  readonly unit: Uint8Array[];
  readonly expense: Uint8Array[];
  readonly category: Uint8Array[];
  readonly purpose: Uint8Array[][];
  constructor(e: SpendEngine, sink: ByteSink, payeeCase: Casing, labelCase: Casing = 'title') {
    const enc = (s: string, c: Casing) => sink.encode(csvField(applyCase(s, c)));
    this.payee = e.payees.map((p) => enc(p.name, payeeCase));
    this.service = e.services.map((s) => enc(s.name, labelCase));
    this.unit = e.services.map((s) => enc(s.unit, labelCase));
    this.expense = e.expenses.map((x) => enc(x.name, labelCase));
    this.category = e.expenses.map((x) => enc(x.category, labelCase));
    this.purpose = e.expenses.map((x) => x.purposes.map((p) => enc(p, labelCase)));
  }
}

const CR = 13;
const LF = 10;

abstract class BaseLayout implements Layout {
  protected readonly o: ByteSink;
  protected readonly e: SpendEngine;
  constructor(protected readonly c: LayoutContext, protected readonly crlf: boolean) {
    this.o = c.sink;
    this.e = c.engine;
  }
  abstract preamble(): string;
  abstract write(r: Row): void;
  protected get eol(): string { return this.crlf ? '\r\n' : '\n'; }
  protected end(): void {
    if (this.crlf) this.o.byte(CR);
    this.o.byte(LF);
  }
  protected amount(r: Row): void {
    if (r.noise) this.o.penceNoisy(r.net, r.noise, r.noiseDigit);
    else this.o.pence(r.net);
  }
  protected bytesPerDay(f: (d: SpendEngine['days'][number]) => string): Uint8Array[] {
    return this.e.days.map((d) => this.o.encode(f(d)));
  }
}

class LgaLayout extends BaseLayout {
  private readonly t: Texts;
  private readonly org: Uint8Array[];
  private readonly paid: Uint8Array[];
  private readonly payee: Uint8Array[];
  /** "unit,service,category,purpose,code," per (service, expense, purpose), built on first use. */
  private readonly combo: (Uint8Array | undefined)[];
  private readonly nExp: number;
  private readonly k: Record<'tp' | 'pc' | 'vat0' | 'c' | 'r' | 'yes' | 'no', Uint8Array>;
  constructor(c: LayoutContext) {
    super(c, true);
    this.t = new Texts(this.e, this.o, 'mixed');
    const org = csvField(c.bodyName) + ',' + csvField(c.bodyCode) + ',';
    this.org = this.bytesPerDay((d) => org + d.monthEndDmy + ',');
    this.paid = this.bytesPerDay((d) => d.dmy + ',');
    this.payee = this.e.payees.map((p, i) => {
      const b = new Uint8Array(this.t.payee[i].length + 2);
      b[0] = COMMA; b.set(this.t.payee[i], 1); b[b.length - 1] = COMMA;
      return b;
    });
    this.nExp = this.e.expenses.length;
    this.combo = new Array<Uint8Array | undefined>(this.e.services.length * this.nExp * 8).fill(undefined);
    const k = (s: string) => this.o.encode(s);
    this.k = { tp: k('TP'), pc: k('PC'), vat0: k(',0.00,'), c: k(',C'), r: k(',R'), yes: k('Yes'), no: k('No') };
  }
  preamble(): string {
    return 'Organisation Label,Organisation Code,Effective Date,Organisational Unit,Service Division Label,Expenditure Category,Purpose,Detailed Expenditure Code,Payment Date,Transaction Number,Irrecoverable VAT Amount,Amount,Capital Or Revenue,Beneficiary Name,Procurement Card' + this.eol;
  }
  write(r: Row): void {
    const o = this.o;
    const k = this.k;
    const key = (r.service * this.nExp + r.expense) * 8 + r.purpose;
    let combo = this.combo[key];
    if (combo === undefined) {
      const t = this.t;
      const parts = [t.unit[r.service], t.service[r.service], t.category[r.expense], t.purpose[r.expense][r.purpose], o.encode(this.e.expenses[r.expense].code)];
      combo = this.combo[key] = new Uint8Array(Buffer.concat(parts.flatMap((p) => [p, Buffer.of(COMMA)])));
    }
    o.text(this.org[r.day]);
    o.text(combo);
    o.text(this.paid[r.day]);
    o.text(r.card ? k.pc : k.tp);
    o.uint(r.txn);
    if (r.irrecoverableVat === 0) o.text(k.vat0);
    else { o.byte(COMMA); o.pence(r.irrecoverableVat); o.byte(COMMA); }
    this.amount(r);
    o.text(r.capital ? k.c : k.r);
    o.text(this.payee[r.payee]);
    o.text(r.card ? k.yes : k.no);
    this.end();
  }
}

class DistrictLayout extends BaseLayout {
  private readonly t: Texts;
  private readonly descr: Uint8Array[][];
  private readonly trailing: Uint8Array;
  private readonly random: Random;
  private readonly date: Uint8Array[];
  private readonly monSuffix: Uint8Array[];
  private readonly weSuffix: Uint8Array[];
  private readonly card: Uint8Array[];
  private readonly pv: Uint8Array;
  private readonly pound: Uint8Array;
  constructor(c: LayoutContext) {
    super(c, true);
    const b = c.variant === 'b';
    this.t = new Texts(this.e, this.o, 'mixed', b ? 'upper' : 'title');
    this.descr = this.e.expenses.map((x) => x.purposes.map((p) => this.o.encode(csvField(p.toUpperCase()))));
    this.trailing = this.o.encode(b ? '' : ',,,,,,');
    this.random = Random.derive(c.seed, 'district-format');
    this.date = this.bytesPerDay((d) => (b ? d.dmy : d.dMon));
    this.monSuffix = this.bytesPerDay((d) => ' - ' + d.monLabel);
    this.weSuffix = this.bytesPerDay((d) => ' W/E ' + d.dmy2);
    this.card = this.bytesPerDay((d) => 'P-CARD ' + d.monLabel);
    this.pv = this.o.encode('PV');
    this.pound = this.o.encode(b ? '\u00a3' : '');
  }
  preamble(): string {
    if (this.c.variant === 'b') return 'Department Area,Service Area,Description,Line,Our Ref,Name,Payment Date,Amount Paid' + this.eol;
    return ',,,,,,,,,,,,' + this.eol + 'Service Cost Centre,Account Detail,Description,Ref No,Supplier Name,Payment Date,Net Amount (\u00a3),,,,,,' + this.eol;
  }
  private money(r: Row): void {
    const o = this.o;
    const p = r.net;
    const a = p < 0 ? -p : p;
    if (r.noise) {
      if (p < 0) o.byte(45);
      o.text(this.pound);
      o.penceNoisy(a, r.noise, r.noiseDigit);
      return;
    }
    if (a < 100_000) {
      if (p < 0) o.byte(45);
      o.text(this.pound);
      // Whole pounds are sometimes printed without pence, as some exports do.
      if (a % 100 === 0 && this.pound.length === 0 && this.random.chance(0.4)) o.uint(a / 100);
      else o.pence(a);
      return;
    }
    o.byte(QUOTE);
    if (p < 0) o.byte(45);
    o.text(this.pound);
    o.penceCommas(a);
    o.byte(QUOTE);
  }
  write(r: Row): void {
    const o = this.o;
    const t = this.t;
    const x = this.random.int(20);
    const b = this.c.variant === 'b';
    if (b) {
      o.text(t.unit[r.service]); o.byte(COMMA);
      o.text(t.service[r.service]); o.byte(COMMA);
    } else {
      o.text(t.service[r.service]); o.byte(COMMA);
      o.text(t.expense[r.expense]); o.byte(COMMA);
    }
    o.text(this.descr[r.expense][r.purpose]);
    if (x < 7) o.text(this.monSuffix[r.day]);
    else if (x < 10) o.text(this.weSuffix[r.day]);
    o.byte(COMMA);
    if (b) o.byte(COMMA); // the empty "Line" column
    if (r.card) o.text(this.card[r.day]);
    else { o.text(this.pv); o.uint(r.txn % 1_000_000); o.byte(47); o.uint(this.e.payees[r.payee].id); }
    o.byte(COMMA);
    o.text(t.payee[r.payee]); o.byte(COMMA);
    o.text(this.date[r.day]); o.byte(COMMA);
    this.money(r);
    o.text(this.trailing);
    this.end();
  }
}

class GrossVatNetLayout extends BaseLayout {
  private readonly t: Texts;
  private readonly lead: Uint8Array[];
  constructor(c: LayoutContext) {
    super(c, false);
    this.t = new Texts(this.e, this.o, 'title');
    const body = csvField(c.bodyName) + ',';
    this.lead = this.bytesPerDay((d) => body + d.iso + ',');
  }
  preamble(): string {
    return 'Body Name,Payment Date,Document Number,Gross Amount,VAT Amount,Net Amount,Supplier Name,Service Area,Account Description' + this.eol;
  }
  write(r: Row): void {
    const o = this.o;
    o.text(this.lead[r.day]);
    o.uint(r.txn); o.byte(COMMA);
    o.pence(r.net + r.vat); o.byte(COMMA);
    o.pence(r.vat); o.byte(COMMA);
    this.amount(r); o.byte(COMMA);
    o.text(this.t.payee[r.payee]); o.byte(COMMA);
    o.text(this.t.unit[r.service]); o.byte(COMMA);
    o.text(this.t.expense[r.expense]);
    this.end();
  }
}

class PoliceLayout extends BaseLayout {
  private readonly t: Texts;
  private readonly date: Uint8Array[];
  constructor(c: LayoutContext) {
    super(c, false);
    this.t = new Texts(this.e, this.o, 'upper');
    this.date = this.bytesPerDay((d) => ',' + d.dmy + ',');
  }
  preamble(): string { return 'Expenditure Category,Payment Date,Total,Supplier' + this.eol; }
  write(r: Row): void {
    const o = this.o;
    o.text(this.t.expense[r.expense]);
    o.text(this.date[r.day]);
    this.amount(r); o.byte(COMMA);
    o.text(this.t.payee[r.payee]);
    this.end();
  }
}

const FIRE_GROUP: Record<string, string> = {
  Employees: 'human resources', Premises: 'works - construction, repair & maint', Transport: 'vehicle management',
  'Supplies and Services': 'miscellaneous services', 'Third Party Payments': 'social community care supplies & services',
  'Transfer Payments': 'grants & payments', Capital: 'works - construction, repair & maint',
};
const FIRE_PRODUCTS = new Set(['materials', 'furniture', 'uniform', 'fire_equipment', 'fuel', 'catering', 'print']);

class FireLayout extends BaseLayout {
  private readonly t: Texts;
  private readonly dotted: Uint8Array[][];
  private readonly date: Uint8Array[];
  constructor(c: LayoutContext) {
    super(c, true);
    this.t = new Texts(this.e, this.o, 'lower');
    this.dotted = this.e.expenses.map((x) => x.purposes.map((p) => {
      const group = x.trade === 'vehicles' || x.trade === 'fuel' ? 'vehicle management'
        : x.trade === 'ict' ? 'information communication technology'
        : x.trade === 'fire_equipment' ? 'fire & rescue equipment'
        : x.trade === 'uniform' ? 'clothing'
        : FIRE_GROUP[x.category];
      return this.o.encode(csvField(`${group}.${x.name.toLowerCase()}.${p.toLowerCase()}.${FIRE_PRODUCTS.has(x.trade) ? 'products' : 'service'}`));
    }));
    this.date = this.bytesPerDay((d) => ',' + d.dmy + ',');
  }
  preamble(): string { return 'Transaction Ref,Posting Date,Expenditure Category,Supplier Name,Supplier Classification,Amount' + this.eol; }
  write(r: Row): void {
    const o = this.o;
    o.uint(r.txn);
    o.text(this.date[r.day]);
    o.text(this.dotted[r.expense][r.purpose]); o.byte(COMMA);
    o.text(this.t.payee[r.payee]); o.byte(COMMA);
    o.text(this.t.expense[r.expense]); o.byte(COMMA);
    this.amount(r);
    this.end();
  }
}

class NhsLayout extends BaseLayout {
  private readonly t: Texts;
  private readonly lead: Uint8Array[];
  constructor(c: LayoutContext) {
    super(c, false);
    this.t = new Texts(this.e, this.o, 'upper');
    const lead = 'Department of Health and Social Care,' + csvField(c.bodyName) + ',';
    this.lead = this.bytesPerDay((d) => lead + d.dmy + ',');
  }
  preamble(): string { return 'Department Family,Entity,Date,Expense Type,Expense Area,Supplier,Transaction Number,Amount' + this.eol; }
  write(r: Row): void {
    const o = this.o;
    o.text(this.lead[r.day]);
    o.text(this.t.expense[r.expense]); o.byte(COMMA);
    o.text(this.t.service[r.service]); o.byte(COMMA);
    o.text(this.t.payee[r.payee]); o.byte(COMMA);
    o.uint(r.txn); o.byte(COMMA);
    this.amount(r);
    this.end();
  }
}

export function buildLayout(name: LayoutName, c: LayoutContext): Layout {
  switch (name) {
    case 'lga': return new LgaLayout(c);
    case 'district': return new DistrictLayout(c);
    case 'gross_vat_net': return new GrossVatNetLayout(c);
    case 'police': return new PoliceLayout(c);
    case 'fire': return new FireLayout(c);
    case 'nhs': return new NhsLayout(c);
    default: throw new Error(`unknown layout ${String(name)}: choose one of ${Object.keys(LAYOUTS).join(', ')}`);
  }
}
