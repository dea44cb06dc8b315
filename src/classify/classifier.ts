// The rule engine. Ingest calls classify() for every line, so:
// - rules are compiled once (Classifier.load / Classifier.compile) into a flat program;
// - each distinct field value is tested against the conditions on its field once, giving a bit mask;
// - results are cached in a tree keyed by the field values the rules read, in the order the rules
//   order of KEY_ORDER (fewest distinct values first). A result is stored at the depth of the last field its evaluation actually looked
//   at, so a field read only by late rules (say, description) enters the key only for lines that reach
//   those rules;
// - a hit allocates nothing and returns a shared, frozen Classification.
import type { Sql } from '../db/database.ts';
import { compileCondition, lineFieldsOf, normaliseText, type Matcher } from './conditions.ts';
import { detach } from '../util/strings.ts';
import {
  LINE_FIELDS, UNCLASSIFIED_THEME,
  type Classification, type ClassifiableLine, type LineField, type Rule, type RuleCondition, type ThemeDefaults,
} from './types.ts';

export interface CompilableRule {
  id: number;
  conditions: RuleCondition[];
  theme_code: string;
  cofog_code: string | null;
  prevention_code: string | null;
}

export const UNCLASSIFIED: Classification = Object.freeze({ theme_code: UNCLASSIFIED_THEME, cofog_code: null, prevention_code: null, rule_id: null });

type Mask = Uint32Array;
type CacheNode = Map<string | null, CacheNode | Classification>;

interface FieldSlot {
  /** index into LINE_FIELDS */
  field: number;
  /** matchers of the conditions that read this field, by local bit */
  matchers: Matcher[];
  /** value -> which local bits match */
  masks: Map<string | null, Mask>;
  zero: Mask;
}

/** Cache key order: the fields with the fewest distinct values first. */
const KEY_ORDER: readonly LineField[] = [
  'body_code', 'body_type', 'capital_revenue', 'directorate', 'service_area', 'sercop', 'proclass', 'category',
  'expense_type', 'supplier_name', 'description',
];

/** Values per field kept before a field's mask cache is emptied and rebuilt as lines come. */
const MASK_CACHE_LIMIT = 200_000;
/** Results kept before the result cache is emptied. */
const RESULT_CACHE_LIMIT = 500_000;

function get(line: ClassifiableLine, field: number): string | null {
  switch (field) {
    case 0: return line.body_code;
    case 1: return line.body_type;
    case 2: return line.directorate;
    case 3: return line.service_area;
    case 4: return line.expense_type;
    case 5: return line.category;
    case 6: return line.description;
    case 7: return line.proclass;
    case 8: return line.sercop;
    case 9: return line.supplier_name;
    default: return line.capital_revenue;
  }
}

export class Classifier {
  /** The rules in force, in order (enabled rules only). */
  readonly rules: readonly CompilableRule[];
  /** The line fields some rule reads, in cache-key order. */
  readonly fieldsRead: readonly LineField[];
  private readonly slots: FieldSlot[];
  /** slot rank by LINE_FIELDS index, -1 when no rule reads the field */
  private readonly rankOf: Int32Array;
  /**
   * The compiled rules as one flat program: per rule [conditionCount, then per condition
   * [partCount, then per part (slotRank, localBit)]].
   */
  private readonly program: Int32Array;
  private readonly results: Classification[];
  private root: CacheNode = new Map();
  private cached = 0;
  // evaluation scratch (classify is synchronous, so one set suffices)
  private readonly current: (Mask | undefined)[];
  private readonly currentValues: (string | null)[];
  private deepest = -1;
  /** The cache depth (rank) the last classify() result was found or stored at: it depends on the fields up to there. */
  private lastRank = -1;
  /** The first rank of the payee's name or the description (slots.length when no rule reads either). */
  private readonly payeeOrTextRank: number;

  private constructor(rules: readonly CompilableRule[], themes: readonly ThemeDefaults[]) {
    this.rules = rules;
    const themeBy = new Map(themes.map((t) => [t.code, t]));
    // Slots for the fields some rule reads, fewest distinct values first: a result is keyed by the
    // fields up to the last one its evaluation looked at, so high-cardinality fields (description,
    // supplier) belong at the end.
    const read = new Set<LineField>();
    for (const r of rules) for (const c of r.conditions) for (const f of lineFieldsOf(c.field)) read.add(f);
    const order = KEY_ORDER.filter((f) => read.has(f)).map((f) => LINE_FIELDS.indexOf(f));
    this.rankOf = new Int32Array(LINE_FIELDS.length).fill(-1);
    this.slots = order.map((field, rank) => {
      this.rankOf[field] = rank;
      return { field, matchers: [], masks: new Map(), zero: new Uint32Array(0) };
    });
    this.fieldsRead = order.map((i) => LINE_FIELDS[i]);
    const late = (['supplier_name', 'description'] as const).map((f) => this.rankOf[LINE_FIELDS.indexOf(f)]).filter((r) => r >= 0);
    this.payeeOrTextRank = late.length ? Math.min(...late) : order.length;
    const program: number[] = [];
    for (const r of rules) {
      program.push(r.conditions.length);
      for (const c of r.conditions) {
        const matcher = compileCondition(c);
        const parts = lineFieldsOf(c.field);
        program.push(parts.length);
        for (const f of parts) {
          const slot = this.slots[this.rankOf[LINE_FIELDS.indexOf(f)]];
          program.push(this.rankOf[slot.field], slot.matchers.length);
          slot.matchers.push(matcher);
        }
      }
    }
    for (const s of this.slots) s.zero = new Uint32Array((s.matchers.length + 31) >>> 5);
    this.program = Int32Array.from(program);
    this.results = rules.map((r) => {
      const t = themeBy.get(r.theme_code);
      return Object.freeze({
        theme_code: r.theme_code,
        cofog_code: r.cofog_code ?? t?.default_cofog ?? null,
        prevention_code: r.prevention_code ?? t?.default_prevention ?? null,
        rule_id: r.id,
      });
    });
    this.current = new Array(this.slots.length).fill(undefined);
    this.currentValues = new Array(this.slots.length).fill(null);
  }

  /** Compiles rules (in order; pass enabled rules only) with the themes their defaults come from. */
  static compile(rules: readonly CompilableRule[], themes: readonly ThemeDefaults[]): Classifier {
    return new Classifier(rules, themes);
  }

  /** Loads the enabled rules, in order, and the themes from the database. */
  static async load(sql: Sql): Promise<Classifier> {
    const { rules, themes } = await Classifier.loadInput(sql);
    return new Classifier(rules, themes);
  }

  /** The enabled rules, in order, and the themes, as plain data for compile() (it can cross to a worker). */
  static async loadInput(sql: Sql): Promise<{ rules: CompilableRule[]; themes: ThemeDefaults[] }> {
    const [rules, themes] = await Promise.all([
      sql.query<Pick<Rule, 'id' | 'conditions' | 'theme_code' | 'cofog_code' | 'prevention_code'>>(
        `SELECT id, conditions, theme_code, cofog_code, prevention_code FROM classification_rule
          WHERE enabled ORDER BY position, id`),
      sql.query<ThemeDefaults>('SELECT code, default_cofog, default_prevention FROM theme'),
    ]);
    return {
      rules: rules.map((r) => ({ id: r.id, theme_code: r.theme_code, cofog_code: r.cofog_code, prevention_code: r.prevention_code,
        conditions: typeof r.conditions === 'string' ? JSON.parse(r.conditions) : r.conditions })),
      themes: themes.map((t) => ({ code: t.code, default_cofog: t.default_cofog, default_prevention: t.default_prevention })),
    };
  }

  /** Classifies one line. The result is shared and frozen: do not modify it. */
  classify(line: ClassifiableLine): Classification {
    // Walk the result cache.
    let node = this.root;
    const slots = this.slots;
    for (let rank = 0; rank < slots.length; rank++) {
      const next = node.get(get(line, slots[rank].field));
      if (next === undefined) return this.evaluate(line);
      if (!(next instanceof Map)) { this.lastRank = rank; return next; }
      node = next;
    }
    // Only reached when no rule reads any field (no rules): nothing was stored.
    this.lastRank = -1;
    return this.evaluate(line);
  }

  /**
   * Whether the last classify() result was decided without the payee's name or the description: then every
   * line with the same other fields gets the same result (ingest classifies a coding once for all its payees).
   */
  get lastIgnoredPayeeAndText(): boolean { return this.lastRank < this.payeeOrTextRank; }

  /** Number of results held in the cache (for tests and diagnostics). */
  get cacheSize(): number { return this.cached; }

  private mask(rank: number, value: string | null): Mask {
    const slot = this.slots[rank];
    let m = slot.masks.get(value);
    if (m === undefined) {
      const norm = normaliseText(value ?? '');
      let bits: Mask | undefined;
      for (let i = 0; i < slot.matchers.length; i++) {
        if (slot.matchers[i](value, norm)) {
          bits ??= new Uint32Array(slot.zero.length);
          bits[i >>> 5] |= 1 << (i & 31);
        }
      }
      m = bits ?? slot.zero;
      if (slot.masks.size >= MASK_CACHE_LIMIT) slot.masks.clear();
      slot.masks.set(detach(value), m);
    }
    return m;
  }

  private bit(line: ClassifiableLine, rank: number, local: number): boolean {
    let m = this.current[rank];
    if (m === undefined) {
      const v = get(line, this.slots[rank].field);
      m = this.mask(rank, v);
      this.current[rank] = m;
      this.currentValues[rank] = v;
      if (rank > this.deepest) this.deepest = rank;
    }
    return (m[local >>> 5] & (1 << (local & 31))) !== 0;
  }

  private evaluate(line: ClassifiableLine): Classification {
    const p = this.program;
    this.current.fill(undefined);
    this.deepest = -1;
    let pc = 0;
    let result = UNCLASSIFIED;
    for (let r = 0; r < this.results.length; r++) {
      const conds = p[pc++];
      let all = true;
      for (let c = 0; c < conds; c++) {
        const parts = p[pc++];
        if (!all) { pc += parts * 2; continue; }
        let any = false;
        for (let k = 0; k < parts; k++) {
          const rank = p[pc++];
          const local = p[pc++];
          if (!any && this.bit(line, rank, local)) any = true;
        }
        if (!any) all = false;
      }
      if (all) { result = this.results[r]; break; }
    }
    this.store(line, result);
    return result;
  }

  private store(line: ClassifiableLine, result: Classification): void {
    if (this.slots.length === 0) return;
    if (this.cached >= RESULT_CACHE_LIMIT) { this.root = new Map(); this.cached = 0; }
    // The result depends only on the fields up to the deepest one looked at.
    const depth = Math.max(this.deepest, 0);
    this.lastRank = depth;
    let node = this.root;
    for (let rank = 0; rank < depth; rank++) {
      const v = this.current[rank] !== undefined ? this.currentValues[rank] : get(line, this.slots[rank].field);
      let next = node.get(v);
      if (next === undefined) { next = new Map(); node.set(detach(v), next); }
      node = next as CacheNode;
    }
    node.set(detach(get(line, this.slots[depth].field)), result);
    this.cached++;
  }
}
