// Turns raw rows of a mapped sheet into ledger lines (COPY text) or rejections with a reason.
// This is the hot path of ingest: one closure per sheet with the column indexes baked in.
import type { CanonicalField } from './fields.ts';
import type { ColumnAssignment } from './mapping.ts';
import { cleanText, financialYear, parseAmountPence, parseCapitalRevenue, parseCardFlag, parseDate, payeeKind, type PayeeKind } from './normalise.ts';
import { detach } from '../util/strings.ts';
import type { Classification, ClassifiableLine } from '../classify/types.ts';
import type { LineBatch } from './read/csv.ts';
import { CANDIDATE_FIELDS, KernelSlot, KernelStatus, lineKernel, type KernelHandle, type KernelSums, type LineKernel } from './native/line-kernel.ts';

export interface Rejection { sheet: string | null; line: number; column: string | null; reason: string; raw: string }

export interface LineContext {
  bodyCode: string;
  bodyType: string | null;
  sheet: string | null;
  /** The file's dimensions, groups and tallies (shared by its sheets). */
  ledger: FileLedger;
  /** The header's first labelled column: a line holding this label there may be the header repeated. */
  headerCell?: { index: number; label: string };
  classify(line: ClassifiableLine): Classification;
  /** Whether the last classify() result was decided without the payee's name and the description (Classifier.lastIgnoredPayeeAndText). */
  lastIgnoredPayeeAndText?(): boolean;
  /** The registered body an organisation payee is (for counting money passed between bodies once), or null. */
  payeeBody(name: string): string | null;
  /** false: never use the C line kernel (tests compare both ways). */
  native?: boolean;
}

const SPECIAL = /[\\\t\n\r]/;
/** COPY text-format escaping; null becomes \N. */
export function copyText(v: string | null): string {
  if (v === null) return '\\N';
  if (!SPECIAL.test(v)) return v;
  return v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

const utf8 = new TextEncoder();

/**
 * COPY text written straight into UTF-8 bytes: no per-line strings, no joins, no separate encoding
 * pass. ASCII is copied by a plain loop; anything else goes through TextEncoder.encodeInto (which,
 * like Buffer and TextEncoder.encode, writes U+FFFD for a lone surrogate).
 */
export class CopyWriter {
  buf: Uint8Array;
  pos = 0;
  constructor(capacity = 1 << 23) { this.buf = new Uint8Array(capacity); }

  /** Room for n more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** The bytes written so far, as a Buffer over an ArrayBuffer of their own (transferable, not copied);
   *  the writer starts again on a fresh buffer. */
  take(): Buffer {
    const out = Buffer.from(this.buf.buffer, this.buf.byteOffset, this.pos);
    // The next chunk is about as big as this one: a buffer of that size, not of the largest ever needed (zeroing costs).
    this.buf = new Uint8Array(Math.max(1 << 16, Math.min(this.buf.length, this.pos + (this.pos >> 2))));
    this.pos = 0;
    return out;
  }

  /** Bytes already in COPY form, written as they are. */
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Any string, COPY-escaped; null is \N. */
  text(s: string | null): void {
    if (s === null) this.nul();
    else if (!SPECIAL.test(s)) this.raw(s);
    else this.raw(copyText(s));
  }

  byte(c: number): void {
    if (this.pos >= this.buf.length) this.ensure(1);
    this.buf[this.pos++] = c;
  }

  /** A string already in COPY form, written as it is. */
  raw(s: string): void {
    const n = s.length;
    this.ensure(n * 3);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) { this.pos = p; this.encodeRest(s, i, false); return; }
      b[p++] = c;
    }
    this.pos = p;
  }

  /** text[s, e), already in COPY form and ASCII, written as it is. */
  rawRange(text: string, s: number, e: number): void {
    this.ensure(e - s);
    const b = this.buf;
    let p = this.pos;
    for (let i = s; i < e; i++) b[p++] = text.charCodeAt(i);
    this.pos = p;
  }

  /** A value that went through cleanText (no tab, CR or LF): backslashes doubled; null is \N. */
  clean(s: string | null): void {
    if (s === null) { this.nul(); return; }
    const n = s.length;
    this.ensure(n * 3); // ASCII with every backslash doubled takes at most 2n
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) { this.pos = p; this.encodeRest(s, i, true); return; }
      b[p++] = c;
      if (c === 92) b[p++] = 92;
    }
    this.pos = p;
  }

  private encodeRest(s: string, from: number, escape: boolean): void {
    let rest = s.slice(from);
    if (escape && rest.indexOf('\\') !== -1) rest = rest.replace(/\\/g, '\\\\');
    this.ensure(rest.length * 3);
    const r = utf8.encodeInto(rest, this.buf.subarray(this.pos));
    this.pos += r.written;
  }

  /** A safe integer in decimal. */
  int(v: number): void {
    if (!Number.isSafeInteger(v)) { this.raw(String(v)); return; }
    this.ensure(24);
    const b = this.buf;
    if (v < 0) { b[this.pos++] = 45; v = -v; }
    if (v < 10) { b[this.pos++] = 48 + v; return; }
    let digits = 1;
    for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
    let p = this.pos + digits;
    this.pos = p;
    while (v >= 10) { const q = Math.floor(v / 10); b[--p] = 48 + (v - q * 10); v = q; }
    b[--p] = 48 + v;
  }

  tab(): void { if (this.pos >= this.buf.length) this.ensure(1); this.buf[this.pos++] = 9; }
  nul(): void { this.ensure(2); this.buf[this.pos++] = 92; this.buf[this.pos++] = 78; }
}

/**
 * COPY rows written as bytes and cut into chunks of about `size` bytes: each chunk is COPYed on its own, so
 * no single buffer (nor PGlite's copy of it) ever holds a whole table of a big file.
 */
export class CopyChunks {
  readonly chunks: Uint8Array[] = [];
  readonly out: CopyWriter;
  constructor(private readonly size = 1 << 22) { this.out = new CopyWriter(size + (1 << 16)); }
  /** Called after each row. */
  endRow(): void { if (this.out.pos >= this.size) this.chunks.push(this.out.take()); }
  done(): Uint8Array[] {
    if (this.out.pos) this.chunks.push(this.out.buf.slice(0, this.out.pos));
    this.out.pos = 0;
    return this.chunks;
  }
}

/** The columns of a file's fact table (spend_fact_f<file_id>) in COPY order; body and file are its defaults. */
export const FACT_COLUMNS = ['line_id', 'line_no', 'payment_date', 'amount_pence', 'vat_pence', 'gross_pence', 'group_id', 'transaction_ref'] as const;

/** The columns of a file's dimension tables and groups, in COPY order. */
export const PAYEE_COLUMNS = ['body_code', 'file_id', 'payee_id', 'supplier_name', 'supplier_ref', 'payee_kind', 'company_no', 'charity_no', 'vat_no', 'payee_body_code'] as const;
export const CODING_COLUMNS = ['body_code', 'file_id', 'coding_id', 'sheet', 'directorate', 'service_area', 'expense_type', 'category', 'proclass', 'sercop', 'capital_revenue', 'is_card', 'publisher_name'] as const;
export const TEXT_COLUMNS = ['body_code', 'file_id', 'text_id', 'description'] as const;
export const GROUP_COLUMNS = ['body_code', 'file_id', 'group_id', 'payee_id', 'coding_id', 'text_id', 'theme_code', 'cofog_code', 'prevention_code', 'rule_id', 'lines', 'amount_pence'] as const;

/**
 * Dense ids (1, 2, 3 ...) for tuples of small integers: an open-addressing hash table on typed arrays, so
 * finding a line's payee, coding and group costs a few multiplications, not a string key.
 */
export class TupleIds {
  private keys: Int32Array;
  private table: Int32Array;
  size = 0;
  constructor(readonly arity: number, bits = 10) {
    this.table = new Int32Array(1 << bits);
    this.keys = new Int32Array((1 << (bits - 1)) * arity);
  }

  /** The id of the tuple in t[0..arity); a new tuple gets size + 1 (compare size before and after to tell). */
  id(t: Int32Array): number {
    const a = this.arity, keys = this.keys, table = this.table, mask = table.length - 1;
    let h = 0x811c9dc5;
    for (let i = 0; i < a; i++) h = Math.imul(h ^ t[i]!, 0x01000193);
    let slot = (h ^ (h >>> 15)) & mask;
    for (;;) {
      const id = table[slot]!;
      if (id === 0) break;
      const base = (id - 1) * a;
      let i = 0;
      while (i < a && keys[base + i] === t[i]) i++;
      if (i === a) return id;
      slot = (slot + 1) & mask;
    }
    const id = ++this.size;
    if (id * a > keys.length) { const k = new Int32Array(keys.length * 2); k.set(keys); this.keys = k; }
    const to = this.keys, base = (id - 1) * a;
    for (let i = 0; i < a; i++) to[base + i] = t[i]!; // not set(subarray()): no view made per new tuple
    table[slot] = id;
    if (this.size * 2 > mask) this.rehash();
    return id;
  }

  private rehash(): void {
    const a = this.arity, table = new Int32Array(this.table.length * 2), mask = table.length - 1;
    for (let id = 1; id <= this.size; id++) {
      let h = 0x811c9dc5;
      for (let i = 0; i < a; i++) h = Math.imul(h ^ this.keys[(id - 1) * a + i]!, 0x01000193);
      let slot = (h ^ (h >>> 15)) & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = id;
    }
    this.table = table;
  }
}

/** A tally key's first slot: both 32-bit halves of the key mixed. */
const tallySlot = (key: number, mask: number) => ((Math.imul(key | 0, 0x9e3779b1) ^ Math.imul((key / 4294967296) | 0, 0x85ebca6b)) >>> 0) & mask;

/** Sums of lines and pence under non-negative integer keys (below 2^53), in first-added order: an open-addressing table on typed arrays. */
export class Tally {
  readonly keys: number[] = [];
  lines = new Float64Array(1024);
  pence = new Float64Array(1024);
  private table = new Int32Array(2048); // slot -> index + 1

  add(key: number, pence: number, lines = 1): void {
    const table = this.table, mask = table.length - 1;
    let slot = tallySlot(key, mask);
    let i = -1;
    for (;;) {
      const e = table[slot]!;
      if (e === 0) break;
      if (this.keys[e - 1] === key) { i = e - 1; break; }
      slot = (slot + 1) & mask;
    }
    if (i < 0) {
      i = this.keys.length;
      this.keys.push(key);
      table[slot] = i + 1;
      if (i === this.lines.length) {
        const l = new Float64Array(i * 2), p = new Float64Array(i * 2);
        l.set(this.lines); p.set(this.pence);
        this.lines = l; this.pence = p;
      }
      if (this.keys.length * 2 > mask) this.rehash();
    }
    this.lines[i] += lines;
    this.pence[i] += pence;
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2), mask = table.length - 1;
    for (let i = 0; i < this.keys.length; i++) {
      const key = this.keys[i]!;
      let slot = tallySlot(key, mask);
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = i + 1;
    }
    this.table = table;
  }
}

export interface PayeeRow { id: number; name: string | null; ref: string | null; kind: PayeeKind; companyNo: string | null; charityNo: string | null; vatNo: string | null; body: string | null }
export interface CodingRow {
  id: number; sheet: string | null; directorate: string | null; service: string | null; expense: string | null; category: string | null;
  proclass: string | null; sercop: string | null; capitalRevenue: 'capital' | 'revenue' | null; card: boolean | null; publisher: string | null;
}

/**
 * A file's groups (each payee x coding x description, with its classification and where its lines are
 * tallied), by group id from 1, as columns of typed arrays: a big file has millions of groups, and an object
 * each would cost memory and collection time.
 */
export class GroupTable {
  size = 0;
  payee = new Int32Array(1024);
  coding = new Int32Array(1024);
  text = new Int32Array(1024);
  /** Index into `classifications`. */
  classIndex = new Int32Array(1024);
  /** Index of the theme in the file's theme list (the key of its top-lines lists). */
  theme = new Int32Array(1024);
  /** The group's cells of the rollup (classification x payee body), service and supplier tallies. */
  rollupCell = new Int32Array(1024);
  serviceCell = new Int32Array(1024);
  supplierCell = new Int32Array(1024);
  lines = new Float64Array(1024);
  pence = new Float64Array(1024);
  /** The distinct classifications (shared objects), each once. */
  readonly classifications: Classification[] = [];
  private readonly classIndexes = new Map<Classification, number>();

  /** A new group; its cells and theme are set by FileLedger.placeGroup. */
  add(payee: number, coding: number, text: number, c: Classification): number {
    const id = ++this.size;
    if (id >= this.payee.length) this.grow();
    let ci = this.classIndexes.get(c);
    if (ci === undefined) { ci = this.classifications.length; this.classifications.push(c); this.classIndexes.set(c, ci); }
    this.payee[id] = payee; this.coding[id] = coding; this.text[id] = text; this.classIndex[id] = ci;
    return id;
  }

  classification(id: number): Classification { return this.classifications[this.classIndex[id]!]!; }

  private grow(): void {
    const n = this.payee.length * 2;
    const i32 = (a: Int32Array) => { const b = new Int32Array(n); b.set(a); return b; };
    const f64 = (a: Float64Array) => { const b = new Float64Array(n); b.set(a); return b; };
    this.payee = i32(this.payee); this.coding = i32(this.coding); this.text = i32(this.text); this.classIndex = i32(this.classIndex);
    this.theme = i32(this.theme); this.rollupCell = i32(this.rollupCell); this.serviceCell = i32(this.serviceCell); this.supplierCell = i32(this.supplierCell);
    this.lines = f64(this.lines); this.pence = f64(this.pence);
  }
}

const t = (v: string | null) => copyText(v);

/**
 * Everything a file's lines are tallied into while it is read, shared by the converters of its sheets: the
 * dimensions (payees, codings, descriptions) and groups with their ids, the months and years seen, and the
 * rollup tallies keyed by group cell and month or year.
 */
export class FileLedger {
  readonly payeeIds = new TupleIds(6);
  readonly payees: PayeeRow[] = [];
  readonly codingIds = new TupleIds(10);
  readonly codings: CodingRow[] = [];
  readonly textIds = new Map<string | null, number>();
  readonly texts: (string | null)[] = [];
  readonly groupIds = new TupleIds(3, 12);
  readonly groups = new GroupTable();
  readonly themes: string[] = [];
  private readonly themeIndexes = new Map<string, number>();
  readonly months: string[] = [];
  private readonly monthSlots = new Map<string, number>();
  readonly years: string[] = [];
  private readonly yearSlots = new Map<string, number>();
  /** By month slot: its year's slot and the year the financial year starts. */
  readonly monthFySlot: number[] = [];
  readonly monthFyStart: number[] = [];
  /** Group tuple id (groupIds) -> the group id of its first group. */
  readonly groupOfTuple: number[] = [];
  /** Cells: the distinct (classification, payee body), (year-free theme, service, payee body) and (theme, payee kind, supplier, payee body). */
  readonly rollupCells: { c: Classification; payeeBody: string }[] = [];
  readonly serviceCells: { theme: string; service: string; payeeBody: string }[] = [];
  readonly supplierCells: { theme: string; kind: string; key: string; payeeBody: string }[] = [];
  /** rollup: cell * 4096 + month slot; service and supplier: cell * 256 + year slot. */
  readonly rollupTally = new Tally();
  readonly serviceTally = new Tally();
  readonly supplierTally = new Tally();
  private sheets = 0;

  nextSheet(): number { return this.sheets++; }

  themeIndex(theme: string): number {
    let i = this.themeIndexes.get(theme);
    if (i === undefined) { i = this.themes.length; this.themes.push(theme); this.themeIndexes.set(theme, i); }
    return i;
  }

  textId(description: string | null): number {
    let id = this.textIds.get(description);
    if (id === undefined) { this.texts.push(description); id = this.texts.length; this.textIds.set(description, id); }
    return id;
  }

  lineDate(iso: string): LineDate {
    const y = Number(iso.slice(0, 4)), m = Number(iso.slice(5, 7));
    const month = iso.slice(0, 7), fy = financialYear(iso), fyStart = m >= 4 ? y : y - 1;
    let fySlot = this.yearSlots.get(fy);
    if (fySlot === undefined) { fySlot = this.years.length; this.years.push(fy); this.yearSlots.set(fy, fySlot); }
    let monthSlot = this.monthSlots.get(month);
    if (monthSlot === undefined) {
      monthSlot = this.months.length; this.months.push(month); this.monthSlots.set(month, monthSlot);
      this.monthFySlot.push(fySlot); this.monthFyStart.push(fyStart);
    }
    if (monthSlot >= 4096 || fySlot >= 256) throw new Error('a file spanning more than 4,096 months cannot be tallied');
    return { iso, fy, fyStart, month, monthSlot, fySlot };
  }


  // A cell's key as a tuple of small numbers: each string (already made, its hash cached) numbered once.
  private readonly strings = new Map<string, number>();
  private readonly cellKey = new Int32Array(6);
  private readonly rollupIds = new TupleIds(6);
  private readonly serviceIds = new TupleIds(4);
  private readonly supplierIds = new TupleIds(5);
  private readonly classNums = new Map<Classification, number[]>();
  /** By payee id: the numbers of its payee body, kind and supplier key; by coding id: of its service. */
  private readonly payeeNums: number[][] = [];
  private readonly serviceNums: number[] = [];
  private num(v: string): number {
    let i = this.strings.get(v);
    if (i === undefined) this.strings.set(v, (i = this.strings.size));
    return i;
  }
  /** A new group's tally cells (keyed by what each rollup keeps, so groups that differ otherwise share them). */
  placeGroup(gid: number): void {
    const G = this.groups, c = G.classification(gid), p = this.payees[G.payee[gid]! - 1]!, coding = this.codings[G.coding[gid]! - 1]!;
    // The numbers of a classification's, a payee's and a coding's strings, worked out once for each.
    let cn = this.classNums.get(c);
    if (cn === undefined) {
      cn = [this.num(c.theme_code), this.num(c.cofog_code ?? ''), this.num(c.prevention_code ?? ''), c.rule_id !== null ? 1 : 0, this.themeIndex(c.theme_code)];
      this.classNums.set(c, cn);
    }
    const kind = p.kind, key = kind === 'individual' || kind === 'redacted' ? '' : (p.name ?? '');
    const pn = (this.payeeNums[p.id] ??= [this.num(p.body ?? ''), this.num(kind), this.num(key)]);
    const service = (this.serviceNums[coding.id] ??= this.num(coding.service ?? ''));
    G.theme[gid] = cn[4]!;
    const k = this.cellKey, theme = cn[0]!, payee = pn[0]!;
    k[0] = theme; k[1] = cn[1]!; k[2] = cn[2]!; k[3] = cn[3]!; k[4] = payee; k[5] = 0;
    // A cell id past the list's end is a new cell (its strings are kept only then).
    const rollupCell = (G.rollupCell[gid] = this.rollupIds.id(k) - 1);
    if (rollupCell === this.rollupCells.length) this.rollupCells.push({ c, payeeBody: p.body ?? '' });
    k[0] = theme; k[1] = service; k[2] = payee; k[3] = 0;
    const serviceCell = (G.serviceCell[gid] = this.serviceIds.id(k) - 1);
    if (serviceCell === this.serviceCells.length) this.serviceCells.push({ theme: c.theme_code, service: coding.service ?? '', payeeBody: p.body ?? '' });
    k[0] = theme; k[1] = pn[1]!; k[2] = pn[2]!; k[3] = payee; k[4] = 0;
    const supplierCell = (G.supplierCell[gid] = this.supplierIds.id(k) - 1);
    if (supplierCell === this.supplierCells.length) this.supplierCells.push({ theme: c.theme_code, kind, key, payeeBody: p.body ?? '' });
  }

  /** COPY text of the file's payees, codings, descriptions and groups. */
  copyRows(bodyCode: string, fileId: number): { payees: Uint8Array[]; codings: Uint8Array[]; texts: Uint8Array[]; groups: Uint8Array[] } {
    const head = `${copyText(bodyCode)}\t${fileId}\t`, G = this.groups;
    // Rows 0 .. n-1, each behind the body and file.
    const rows = (n: number, row: (o: CopyWriter, i: number) => void) => {
      const c = new CopyChunks();
      for (let i = 0; i < n; i++) { c.out.raw(head); row(c.out, i); c.out.byte(10); c.endRow(); }
      return c.done();
    };
    const cells = (o: CopyWriter, values: (string | null)[]) => { for (const v of values) { o.tab(); o.text(v); } };
    // A classification's four columns, made once per distinct classification (they are shared objects).
    const classified = new Map<Classification, string>();
    const classText = (c: Classification) => {
      let v = classified.get(c);
      if (v === undefined) classified.set(c, (v = `${t(c.theme_code)}\t${t(c.cofog_code)}\t${t(c.prevention_code)}\t${c.rule_id === null ? '\\N' : c.rule_id}`));
      return v;
    };
    return {
      payees: rows(this.payees.length, (o, i) => {
        const p = this.payees[i]!;
        o.int(p.id); cells(o, [p.name, p.ref, p.kind, p.companyNo, p.charityNo, p.vatNo, p.body]);
      }),
      codings: rows(this.codings.length, (o, i) => {
        const c = this.codings[i]!;
        o.int(c.id); cells(o, [c.sheet, c.directorate, c.service, c.expense, c.category, c.proclass, c.sercop, c.capitalRevenue, c.card === null ? null : c.card ? 't' : 'f', c.publisher]);
      }),
      texts: rows(this.texts.length, (o, i) => { o.int(i + 1); o.tab(); o.text(this.texts[i]!); }),
      groups: rows(G.size, (o, i) => {
        const id = i + 1;
        o.int(id); o.tab(); o.int(G.payee[id]!); o.tab(); o.int(G.coding[id]!); o.tab(); o.int(G.text[id]!); o.tab();
        o.raw(classText(G.classification(id))); o.tab(); o.int(G.lines[id]!); o.tab(); o.int(G.pence[id]!);
      }),
    };
  }
}
/** A payment date as the tallies need it; made once per distinct date of a file. */
export interface LineDate {
  iso: string;
  /** '2023-24' */
  fy: string;
  /** The year the financial year starts (2023 for 2023-24). */
  fyStart: number;
  /** 'YYYY-MM' */
  month: string;
  /** Small numbers of the file's months and years (in first-seen order): the tallies' keys. */
  monthSlot: number;
  fySlot: number;
}

/** What a converted line adds to the file's tallies. The converter reuses one object: read it before the next call. */
export interface ConvertedLine {
  pence: number;
  date: LineDate;
  /** The line's group (FileLedger.groups). */
  gid: number;
  /** Where the line's COPY text starts in the writer (it ends at the writer's position). */
  rowStart: number;
}

/**
 * Converts one row: on success appends the line's COPY text (newline included) to `out`
 * and returns the (reused) ConvertedLine; otherwise returns a Rejection and leaves `out` alone.
 */
export interface RowConverter {
  (cells: unknown[], line: number, lineId: number, out: CopyWriter): ConvertedLine | Rejection;
  /**
   * The same for a plain CSV line text[s, e) (no quotes): null when it is blank; SLOW_LINE when the line must
   * be split into cells and given to the converter itself (nothing has been written or tallied then).
   */
  line(text: string, s: number, e: number, delimiter: number, line: number, lineId: number, out: CopyWriter): ConvertedLine | null | typeof SLOW_LINE;
  /** The same lines through the C line kernel, when it is built. */
  kernel?: KernelLines;
}

export const SLOW_LINE = Symbol('slow line');

/** A sheet's plain CSV lines converted by the C line kernel (native/line-kernel.c). */
export interface KernelLines {
  /**
   * Converts batch b's lines, writing COPY rows to `out`. `slow(k, lineId)` is given each line the kernel leaves
   * (quoted, not plain; the caller converts or rejects it and returns the last line id used); `candidate` each
   * line that may be among its year's and theme's largest. Returns the last line id, the lines and pence accepted.
   */
  run(b: LineBatch, delimiter: number, lineId: number, out: CopyWriter, slow: (k: number, lineId: number) => number,
    candidate: (lineId: number, gid: number, fyStart: number, abs: number, rowStart: number, rowEnd: number) => void): { lineId: number; accepted: number; pence: number };
  /** A top list's cutoff changed: lines no larger need not be offered again. */
  setCutoff(key: number, cutoff: number): void;
  /** Adds the kernel's tallies (by group and month) to the file's (`lines` is told each top list's line count), then frees the kernel: once, at the sheet's end. */
  fold(lines: (topKey: number, lines: number) => void): void;
}

/** What is known about a supplier name: its kind and the registered body it is (organisations only). */
interface PayeeInfo { kind: PayeeKind; body: string | null }

const CACHE_LIMIT = 200_000;
/** Past this many distinct values a column stops remembering new ones (ids stay unique; groups may repeat). */
const VALUE_LIMIT = 1_000_000;

/**
 * One column of a sheet, interned: each distinct cell text is normalised once and given a small id, so a
 * line's payee, coding and group are found from a few look-ups. Cells are found by their characters
 * (a range of the file's text, or a string) in an open-addressing table, without making a string per cell.
 */
class InternedColumn<T> {
  private table = new Int32Array(1024);       // slot -> entry + 1
  private raws: string[] = [];                // entry -> the cell text
  private hashes: number[] = [];
  private entryIds: number[] = [];            // entry -> value id
  private readonly byValue = new Map<T, number>();
  readonly values: T[] = [];
  constructor(readonly index: number, private readonly normalise: (v: unknown) => T) {}

  /** The id of cells[index] (any cell value: text, number, date, an exceljs object). */
  id(cells: unknown[]): number {
    const raw = cells[this.index];
    return typeof raw === 'string' ? this.idRange(raw, 0, raw.length) : this.valueId(this.normalise(raw));
  }

  /** The value id of a cell text, normalised (the C line kernel keeps its own table of cell texts). */
  intern(raw: string): number { return this.valueId(this.normalise(detach(raw))); }

  /** The id of the cell text text[s, e). */
  idRange(text: string, s: number, e: number): number {
    // Hashed from the length and a few characters (a loop over every character costs more than the
    // rest of the line); a match is confirmed with the native startsWith.
    const n = e - s;
    let h = Math.imul(0x811c9dc5 ^ n, 0x01000193);
    if (n > 0) {
      const m = s + (n >> 1);
      h = Math.imul(h ^ text.charCodeAt(s), 0x01000193);
      h = Math.imul(h ^ text.charCodeAt(e - 1), 0x01000193);
      h = Math.imul(h ^ text.charCodeAt(m), 0x01000193);
      if (n > 3) {
        h = Math.imul(h ^ text.charCodeAt(s + 1), 0x01000193);
        h = Math.imul(h ^ text.charCodeAt(e - 2), 0x01000193);
        h = Math.imul(h ^ text.charCodeAt(m - 1), 0x01000193);
        h = Math.imul(h ^ text.charCodeAt(s + (n >> 2)), 0x01000193);
        h = Math.imul(h ^ text.charCodeAt(e - 1 - (n >> 2)), 0x01000193);
      }
    }
    const table = this.table, mask = table.length - 1;
    let slot = (h ^ (h >>> 15)) & mask;
    for (;;) {
      const entry = table[slot]! - 1;
      if (entry < 0) break;
      if (this.hashes[entry] === h) {
        const r = this.raws[entry]!;
        if (r.length === n && text.startsWith(r, s)) return this.entryIds[entry]!;
      }
      slot = (slot + 1) & mask;
    }
    const raw = detach(text.slice(s, e));
    const id = this.valueId(this.normalise(raw));
    if (this.raws.length >= CACHE_LIMIT) { this.reset(); return id; }
    this.raws.push(raw); this.hashes.push(h); this.entryIds.push(id);
    table[slot] = this.raws.length;
    if (this.raws.length * 2 > mask) this.grow();
    return id;
  }

  private grow(): void {
    const table = new Int32Array(this.table.length * 2), mask = table.length - 1;
    for (let e = 0; e < this.raws.length; e++) {
      const h = this.hashes[e]!;
      let slot = (h ^ (h >>> 15)) & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = e + 1;
    }
    this.table = table;
  }

  /** Forgets the cell texts (the values and their ids stay): a column with too many distinct cells. */
  private reset(): void {
    this.table = new Int32Array(1024); this.raws = []; this.hashes = []; this.entryIds = [];
  }

  private valueId(v: T): number {
    let id = this.byValue.get(v);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(v);
      if (this.byValue.size < VALUE_LIMIT) this.byValue.set(v, id);
    }
    return id;
  }
}

/**
 * An amount written plainly (-1234, 1234.5, 1234.56) straight from the text, or NaN for anything else
 * (separators, currency signs, brackets, float noise), which parseAmountPence then reads.
 */
function plainPence(text: string, s: number, e: number): number {
  let i = s, neg = false;
  if (i < e && text.charCodeAt(i) === 45) { neg = true; i++; }
  const digits = i;
  let whole = 0;
  while (i < e) { const c = text.charCodeAt(i) - 48; if (c < 0 || c > 9) break; whole = whole * 10 + c; i++; }
  const nw = i - digits;
  if (nw === 0 || nw > 13) return NaN;
  let frac = 0;
  if (i < e) {
    if (text.charCodeAt(i) !== 46 || e - i > 3 || e - i < 2) return NaN;
    const d1 = text.charCodeAt(i + 1) - 48;
    if (d1 < 0 || d1 > 9) return NaN;
    frac = d1 * 10;
    if (e - i === 3) { const d2 = text.charCodeAt(i + 2) - 48; if (d2 < 0 || d2 > 9) return NaN; frac += d2; }
  }
  const p = whole * 100 + frac;
  return (neg ? -p : p) + 0; // no -0
}

/** A transaction reference that can go to COPY as it stands: printable ASCII, no backslash, no space at either end or twice. */
function plainText(text: string, s: number, e: number): boolean {
  if (s === e) return false;
  let prevSpace = true;
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c === 32) { if (prevSpace) return false; prevSpace = true; continue; }
    if (c < 33 || c > 126 || c === 92) return false;
    prevSpace = false;
  }
  return !prevSpace;
}

export function makeRowConverter(cols: ColumnAssignment[], ctx: LineContext): RowConverter {
  const idx = (f: CanonicalField) => cols.find((c) => c.field === f)?.index ?? -1;
  const header = (i: number) => cols[i]?.header || `column ${i + 1}`;
  const iDate = idx('date'), iNet = idx('amount_net'), iGross = idx('amount_gross'), iVat = idx('vat');
  const iRef = idx('transaction_ref');
  const reject = (cells: unknown[], line: number, column: number, reason: string): Rejection => ({
    sheet: ctx.sheet, line, column: column >= 0 ? header(column) : null,
    reason: column >= 0 ? `column "${header(column)}": ${reason}` : reason,
    raw: rawText(cells),
  });
  const optionalPence = (cells: unknown[], i: number): number | null => {
    if (i < 0) return null;
    const r = parseAmountPence(cells[i]);
    return r.ok ? r.value : null; // 'N/A' in an optional VAT column is not a reason to refuse the line
  };

  // The descriptive columns this sheet has, each interned; a missing one (-1) is always null.
  const columns: InternedColumn<unknown>[] = [];
  const column = (f: CanonicalField, normalise: (v: unknown) => unknown): number => {
    const i = idx(f);
    if (i < 0) return -1;
    columns.push(new InternedColumn(i, normalise));
    return columns.length - 1;
  };
  const payeeCols = [column('supplier_name', cleanText), column('supplier_ref', cleanText), column('company_no', cleanText),
    column('charity_no', cleanText), column('vat_no', cleanText)];
  const codingCols = [column('directorate', cleanText), column('service_area', cleanText), column('expense_type', cleanText),
    column('category', cleanText), column('proclass', cleanText), column('sercop', cleanText), column('capital_revenue', parseCapitalRevenue),
    column('card_flag', parseCardFlag), column('publisher', cleanText)];
  const descCol = column('description', cleanText);
  const n = columns.length;
  const ids = new Int32Array(Math.max(n, 1));
  /** The current line's value of a column (by position; -1 for a column the sheet lacks). */
  const value = <T = string | null>(k: number): T => (k < 0 ? null : columns[k]!.values[ids[k]!]) as T;
  const valueId = (k: number) => (k < 0 ? -1 : ids[k]!);

  const native = ctx.native === false ? null : lineKernel();
  let kernelHandle: KernelHandle | undefined;

  const ledger = ctx.ledger;
  const sheetNo = ledger.nextSheet();
  const payeeKey = new Int32Array(6), codingKey = new Int32Array(10), groupKey = new Int32Array(3);
  payeeKey[0] = sheetNo; codingKey[0] = sheetNo;
  // Description value id (of this sheet's column) -> the file's text id.
  const textOf: number[] = [];
  const cl: ClassifiableLine = {
    body_code: ctx.bodyCode, body_type: ctx.bodyType, directorate: null, service_area: null, expense_type: null,
    category: null, description: null, proclass: null, sercop: null, supplier_name: null, capital_revenue: null,
  };

  const payeeRow = (): PayeeRow => {
    for (let k = 0; k < 5; k++) payeeKey[k + 1] = valueId(payeeCols[k]!);
    const before = ledger.payeeIds.size;
    const id = ledger.payeeIds.id(payeeKey);
    if (id <= before) return ledger.payees[id - 1]!;
    const name = value(payeeCols[0]!);
    const kind = payeeCols[0]! < 0 ? payeeKind(null) : payeeKind(name);
    const p: PayeeRow = {
      id, name, ref: value(payeeCols[1]!), kind, companyNo: value(payeeCols[2]!), charityNo: value(payeeCols[3]!), vatNo: value(payeeCols[4]!),
      body: kind === 'organisation' && name !== null ? ctx.payeeBody(name) : null,
    };
    ledger.payees.push(p);
    return p;
  };
  const codingRow = (): CodingRow => {
    for (let k = 0; k < 9; k++) codingKey[k + 1] = valueId(codingCols[k]!);
    const before = ledger.codingIds.size;
    const id = ledger.codingIds.id(codingKey);
    if (id <= before) return ledger.codings[id - 1]!;
    const v = codingCols.map((k) => value<unknown>(k));
    const c: CodingRow = {
      id, sheet: ctx.sheet, directorate: v[0] as string | null, service: v[1] as string | null, expense: v[2] as string | null,
      category: v[3] as string | null, proclass: v[4] as string | null, sercop: v[5] as string | null,
      capitalRevenue: v[6] as 'capital' | 'revenue' | null, card: v[7] as boolean | null, publisher: v[8] as string | null,
    };
    ledger.codings.push(c);
    return c;
  };
  // By coding id: its classification when the rules decided it without the payee or the description (most
  // groups of a big file are a coding's further payees and descriptions, and need no rule walk).
  const codingClass: (Classification | undefined)[] = [];
  const newGroup = (payee: PayeeRow, coding: CodingRow, textId: number): number => {
    let classification = codingClass[coding.id];
    if (classification === undefined) {
      cl.directorate = coding.directorate; cl.service_area = coding.service; cl.expense_type = coding.expense; cl.category = coding.category;
      cl.description = ledger.texts[textId - 1]!; cl.proclass = coding.proclass; cl.sercop = coding.sercop; cl.supplier_name = payee.name;
      cl.capital_revenue = coding.capitalRevenue;
      classification = ctx.classify(cl);
      if (ctx.lastIgnoredPayeeAndText?.()) codingClass[coding.id] = classification;
    }
    const gid = ledger.groups.add(payee.id, coding.id, textId, classification);
    ledger.placeGroup(gid);
    return gid;
  };

  /**
   * The group of the descriptive cells in ids[]. `kernelGid` is the id the C line kernel gave a tuple it had
   * not seen: that group is made even when another tuple of value ids gave the same payee, coding and
   * description (values past VALUE_LIMIT), so the ids the kernel wrote stay right.
   */
  const groupOfIds = (kernelGid: number): number => {
    const payee = payeeRow(), coding = codingRow();
    let textId = descCol < 0 ? ledger.textId(null) : textOf[ids[descCol]!];
    if (textId === undefined) textOf[ids[descCol]!] = textId = ledger.textId(value(descCol));
    groupKey[0] = payee.id; groupKey[1] = coding.id; groupKey[2] = textId;
    const before = ledger.groupIds.size;
    const tuple = ledger.groupIds.id(groupKey);
    if (tuple <= before && !kernelGid) return ledger.groupOfTuple[tuple - 1]!;
    const gid = newGroup(payee, coding, textId);
    if (tuple > before) ledger.groupOfTuple.push(gid);
    if (kernelGid && kernelGid !== gid) throw new Error(`line kernel out of step: group ${kernelGid} became ${gid}`);
    if (!kernelGid && kernelHandle) native!.addGroup(kernelHandle, gid, ledger.groups.theme[gid]!);
    return gid;
  };

  // Payment dates repeat (a few hundred a year): each distinct cell text is parsed once.
  const dateCol = new InternedColumn<LineDate | string>(iDate, (v) => { const p = parseDate(v); return p.ok ? ledger.lineDate(p.value) : p.reason; });

  const result: ConvertedLine = { pence: 0, date: null as unknown as LineDate, gid: 0, rowStart: 0 };

  /** Everything after the amounts, once ids[] holds the line's descriptive cells: find its group, write it, tally it. */
  const emit = (date: LineDate, pence: number, vat: number | null, gross: number | null, line: number, lineId: number, out: CopyWriter,
    writeRef: (out: CopyWriter) => void): ConvertedLine => {
    const gid = groupOfIds(0), G = ledger.groups;
    const rowStart = out.pos;
    out.int(lineId); out.tab(); out.int(line); out.tab(); out.raw(date.iso); out.tab(); out.int(pence); out.tab();
    if (vat === null) out.nul(); else out.int(vat);
    out.tab();
    if (gross === null) out.nul(); else out.int(gross);
    out.tab(); out.int(gid); out.tab();
    writeRef(out);
    out.byte(10);
    G.lines[gid]++; G.pence[gid] += pence;
    ledger.rollupTally.add(G.rollupCell[gid]! * 4096 + date.monthSlot, pence);
    ledger.serviceTally.add(G.serviceCell[gid]! * 256 + date.fySlot, pence);
    ledger.supplierTally.add(G.supplierCell[gid]! * 256 + date.fySlot, pence);
    result.pence = pence; result.date = date; result.gid = gid; result.rowStart = rowStart;
    return result;
  };

  let refCells: unknown[] = [];
  const writeCellRef = (o: CopyWriter) => o.clean(iRef < 0 ? null : cleanText(refCells[iRef]));
  const convert = ((cells, line, lineId, out) => {
    const date = dateCol.values[dateCol.id(cells)]!;
    if (typeof date === 'string') {
      const first = cleanText(cells.find((c) => typeof c === 'string' && c.trim() !== ''));
      if (first && /^(grand )?total\b/i.test(first)) return reject(cells, line, -1, 'this is a total line, not a payment');
      return reject(cells, line, iDate, date);
    }
    let pence: number, vat: number | null = optionalPence(cells, iVat), gross: number | null = null;
    if (iNet >= 0) {
      const a = parseAmountPence(cells[iNet]);
      if (!a.ok) {
        // A net column left blank where gross is given: net = gross - VAT.
        const g = iGross >= 0 ? parseAmountPence(cells[iGross]) : undefined;
        if (!(g && g.ok && isBlank(cells[iNet]))) return reject(cells, line, iNet, a.reason);
        gross = g.value; pence = g.value - (vat ?? 0);
      } else pence = a.value;
      if (iGross >= 0 && gross === null) gross = optionalPence(cells, iGross);
    } else {
      const g = parseAmountPence(cells[iGross]);
      if (!g.ok) return reject(cells, line, iGross, g.reason);
      gross = g.value; pence = g.value - (vat ?? 0);
    }
    for (let k = 0; k < n; k++) ids[k] = columns[k]!.id(cells);
    refCells = cells;
    return emit(date, pence, vat, gross, line, lineId, out, writeCellRef);
  }) as RowConverter;

  // The fast path: a plain CSV line (no quotes) as a range of the text, cut at the delimiter up to the last
  // column needed. Anything unusual (too few cells, a line that may be blank or a repeated header, an
  // amount that is not plain, a rejection) goes back as SLOW_LINE for the cell-by-cell path above.
  const last = Math.max(iDate, iNet, iGross, iVat, iRef, ctx.headerCell?.index ?? -1, ...columns.map((c) => c.index));
  const cs = new Int32Array(last + 1), ce = new Int32Array(last + 1);
  const hdr = ctx.headerCell;
  let refText = '', refS = 0, refE = 0;
  const writeRangeRef = (o: CopyWriter) => {
    if (iRef < 0) o.nul();
    else if (plainText(refText, refS, refE)) o.rawRange(refText, refS, refE);
    else o.clean(cleanText(refText.slice(refS, refE)));
  };
  const amountAt = (text: string, i: number): number => (i < 0 ? NaN : plainPence(text, cs[i]!, ce[i]!));
  let delimiterCode = -1, delimiterText = '';
  convert.line = (text, s, e, delimiter, line, lineId, out) => {
    if (delimiter !== delimiterCode) { delimiterCode = delimiter; delimiterText = String.fromCharCode(delimiter); }
    // A line of only delimiters, spaces and tabs is blank; one starting otherwise with a non-ASCII character may be.
    let p = s;
    while (p < e) { const c = text.charCodeAt(p); if (c !== delimiter && c !== 32 && c !== 9) break; p++; }
    if (p === e) return null;
    if (text.charCodeAt(p) > 126) return SLOW_LINE;
    let k = 0;
    p = s;
    for (;;) {
      let d = text.indexOf(delimiterText, p);
      if (d === -1 || d > e) d = e;
      cs[k] = p; ce[k] = d; k++;
      if (k > last) break;
      if (d === e) return SLOW_LINE;
      p = d + 1;
    }
    if (hdr) {
      let a = cs[hdr.index]!, b = ce[hdr.index]!;
      while (a < b && text.charCodeAt(a) === 32) a++;
      while (b > a && text.charCodeAt(b - 1) === 32) b--;
      if (b - a === hdr.label.length && text.startsWith(hdr.label, a)) return SLOW_LINE;
    }
    const date = dateCol.values[dateCol.idRange(text, cs[iDate]!, ce[iDate]!)]!;
    if (typeof date === 'string') return SLOW_LINE;
    let pence: number, gross: number | null = null;
    let vat: number | null = amountAt(text, iVat);
    if (vat !== vat) { if (iVat >= 0 && cs[iVat] !== ce[iVat]) return SLOW_LINE; vat = null; }
    if (iNet >= 0) {
      pence = amountAt(text, iNet);
      if (pence !== pence) return SLOW_LINE;
      if (iGross >= 0) { gross = amountAt(text, iGross); if (gross !== gross) { if (cs[iGross] !== ce[iGross]) return SLOW_LINE; gross = null; } }
    } else {
      gross = amountAt(text, iGross);
      if (gross !== gross) return SLOW_LINE;
      pence = gross - (vat ?? 0);
    }
    for (let j = 0; j < n; j++) { const c = columns[j]!; ids[j] = c.idRange(text, cs[c.index]!, ce[c.index]!); }
    if (iRef >= 0) { refText = text; refS = cs[iRef]!; refE = ce[iRef]!; }
    return emit(date, pence, vat, gross, line, lineId, out, writeRangeRef);
  };
  if (native) convert.kernel = kernelLines(native);
  return convert;

  /** The plain lines of a batch through the C line kernel (see line-kernel.c for what it leaves to us). */
  function kernelLines(k: LineKernel): KernelLines {
    const st = new Int32Array(KernelSlot.Size), stF = new Float64Array(2);
    const cand = new Float64Array(CANDIDATE_FIELDS * 8192), pend = new Int32Array((n + 2) * 8192);
    let text = '';
    // Made now, so that it learns every group of the sheet, also those of the lines read before the layout was known.
    const cfg = Int32Array.from([last + 1, iDate, iNet, iGross, iVat, iRef, hdr?.index ?? 0, n, ...columns.map((c) => c.index)]);
    const h = (kernelHandle = k.create(cfg, hdr ? hdr.label : null, st, stF, cand, pend, ids));
    // What the kernel left for us after each call: new cell texts, new groups.
    const resolveMiss = (h: KernelHandle) => {
      const col = st[KernelSlot.MissCol]!, raw = text.slice(st[KernelSlot.MissS], st[KernelSlot.MissE]);
      if (col === 0) {
        const id = dateCol.intern(raw), d = dateCol.values[id]!;
        if (typeof d === 'string') k.setDate(h, id, null, 0, 0);
        else k.setDate(h, id, d.iso, d.monthSlot, d.fyStart);
        k.resolve(h, id);
      } else {
        k.resolve(h, columns[col - 1]!.intern(raw));
      }
    };
    const commitGroups = (h: KernelHandle) => {
      const count = st[KernelSlot.NewGroups]!, w = n + 2;
      if (!count) return;
      for (let i = 0; i < count; i++) {
        for (let j = 0; j < n; j++) ids[j] = pend[i * w + 2 + j]!;
        const gid = groupOfIds(pend[i * w]!); // first: it may grow the table's columns
        pend[i * w + 1] = ledger.groups.theme[gid]!;
      }
      k.commitGroups(h);
    };
    return {
      run(b, delimiter, lineId, out, slow, candidate) {
        text = b.text;
        k.setBatch(h, b.text, b.start, b.end, b.line, b.count, delimiter);
        st[KernelSlot.K] = 0;
        let accepted = 0, pence = 0;
        for (;;) {
          st[KernelSlot.OutPos] = out.pos; st[KernelSlot.LineId] = lineId; st[KernelSlot.NextGid] = ledger.groups.size + 1;
          st[KernelSlot.Accepted] = 0; st[KernelSlot.Candidates] = 0; stF[0] = 0;
          const status = k.run(h, out.buf);
          out.pos = st[KernelSlot.OutPos]!; lineId = st[KernelSlot.LineId]!;
          accepted += st[KernelSlot.Accepted]!; pence += stF[0]!;
          commitGroups(h);
          for (let i = 0, c = 0; i < st[KernelSlot.Candidates]!; i++, c += CANDIDATE_FIELDS) {
            candidate(cand[c]!, cand[c + 1]!, cand[c + 2]!, cand[c + 3]!, cand[c + 4]!, cand[c + 5]!);
          }
          if (status === KernelStatus.Done) break;
          if (status === KernelStatus.Miss) resolveMiss(h);
          else if (status === KernelStatus.Slow) { const at = st[KernelSlot.K]!; lineId = slow(at, lineId); st[KernelSlot.K] = at + 1; }
          else if (status === KernelStatus.OutFull) out.ensure(out.buf.length);
        }
        return { lineId, accepted, pence };
      },
      setCutoff(key, cutoff) { k.setCutoff(h, key, cutoff); },
      fold(lines) {
        // Summed in C by what each rollup keeps: a few hundred thousand tally entries, not millions of adds.
        const G = ledger.groups, cells = new Int32Array((G.size + 1) * 3);
        for (let id = 1; id <= G.size; id++) { cells[id * 3] = G.rollupCell[id]!; cells[id * 3 + 1] = G.serviceCell[id]!; cells[id * 3 + 2] = G.supplierCell[id]!; }
        const months = ledger.months.length, monthFy = new Int32Array(months * 2 + 2);
        for (let m = 0; m < months; m++) { monthFy[m * 2] = ledger.monthFySlot[m]!; monthFy[m * 2 + 1] = ledger.monthFyStart[m]!; }
        // Each group's lines and pence are added straight into the table's columns.
        const sums = k.foldCells(h, cells, monthFy, G.lines, G.pence);
        const into = (t: Tally, s: KernelSums) => { for (let i = 0; i < s.key.length; i++) t.add(s.key[i]!, s.pence[i]!, s.lines[i]!); };
        into(ledger.rollupTally, sums.rollup);
        into(ledger.serviceTally, sums.service);
        into(ledger.supplierTally, sums.supplier);
        for (let i = 0; i < sums.top.key.length; i++) lines(sums.top.key[i]!, sums.top.lines[i]!);
        k.release(h);
      },
    };
  }
}

function isBlank(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
}

/** The row as the user would see it in the file, for the rejection report. */
export function rawText(cells: unknown[]): string {
  let end = cells.length;
  while (end > 0 && isBlank(cells[end - 1])) end--;
  const parts: string[] = [];
  for (let i = 0; i < end; i++) {
    const c = cells[i];
    const s = c === null || c === undefined ? '' : c instanceof Date ? c.toISOString().slice(0, 10) : String(c);
    parts.push(/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  }
  const text = parts.join(',');
  return text.length > 2000 ? text.slice(0, 2000) + '…' : text;
}
