// Classification services, for the command line and (later) the web app: editing the ordered rules,
// re-running them over the stored ledger, and reporting coverage.
import type { Database, Sql } from '../db/database.ts';
import { rebuildRollups, rebuildTopLines } from '../ledger/rollup.ts';
import { Classifier } from './classifier.ts';
import { lineFieldsOf } from './conditions.ts';
import { recordAudit as audit } from '../db/audit.ts';
import { insertRule, selectRule, selectRules, selectVocabulary, setOrder, updateRule } from './repository.ts';
import { LINE_FIELDS, type ClassifiableLine, type LineField, type Rule, type RuleCondition } from './types.ts';
import { checkRule, checkRules, RuleValidationError, type RuleDraft, type RuleInput } from './validate.ts';
import { ruleContent, shippedRules } from '../reference/classification-seed.ts';

/** A problem the user can fix (unknown rule, bad position, bad file); the message says how. */
export class ClassificationError extends Error {}

export { RuleValidationError };

// ---------------------------------------------------------------------------------------------
// Taxonomy

export interface Taxonomy {
  themes: { code: string; label: string; description: string; default_cofog: string | null; default_prevention: string | null; sort_order: number; shipped: boolean; user_edited: boolean }[];
  cofog: { code: string; label: string }[];
  prevention: { code: string; label: string; description: string; sort_order: number }[];
}

/** Themes, COFOG divisions and prevention levels, in display order (for pickers and legends). */
export async function listTaxonomy(sql: Sql): Promise<Taxonomy> {
  const [themes, cofog, prevention] = await Promise.all([
    sql.query<Taxonomy['themes'][number]>('SELECT code, label, description, default_cofog, default_prevention, sort_order, shipped, user_edited FROM theme ORDER BY sort_order, code'),
    sql.query<Taxonomy['cofog'][number]>('SELECT code, label FROM cofog_division ORDER BY code'),
    sql.query<Taxonomy['prevention'][number]>('SELECT code, label, description, sort_order FROM prevention_level ORDER BY sort_order, code'),
  ]);
  return { themes, cofog, prevention };
}

// ---------------------------------------------------------------------------------------------
// Rules

export async function listRules(sql: Sql): Promise<Rule[]> {
  return selectRules(sql);
}

async function mustGetRule(sql: Sql, id: number): Promise<Rule> {
  if (!Number.isInteger(id) || id <= 0) throw new ClassificationError(`${JSON.stringify(String(id))} is not a rule number; \`totalplace rules list\` shows them`);
  const r = await selectRule(sql, id);
  if (!r) throw new ClassificationError(`There is no rule ${id}; \`totalplace rules list\` shows the rules`);
  return r;
}

function checkPosition(position: number | undefined, count: number): void {
  if (position === undefined) return;
  if (!Number.isInteger(position) || position < 1) {
    throw new ClassificationError(`Position ${JSON.stringify(String(position))} is not valid: give a whole number from 1 (first) to ${count}`);
  }
}

/** Places `id` at 1-based `position` in the order (clamped to the end) and renumbers. */
async function placeAt(tx: Sql, id: number, position: number | undefined): Promise<number> {
  const ids = (await tx.query<{ id: number }>('SELECT id FROM classification_rule ORDER BY position, id')).map((r) => Number(r.id));
  const without = ids.filter((x) => x !== id);
  const at = position === undefined ? without.length : Math.min(position - 1, without.length);
  without.splice(at, 0, id);
  await setOrder(tx, without);
  return at + 1;
}

export interface AddRuleInput extends RuleInput { position?: number }

/** Adds a rule (checked first) at `position` (1 = first; default last). */
export async function addRule(db: Database, input: AddRuleInput, actor: string): Promise<Rule> {
  return db.transaction(async (tx) => {
    const vocab = await selectVocabulary(tx);
    const { position, ...raw } = input;
    const res = checkRule(stripUndefined(raw), `The new rule${raw.name ? ` (${JSON.stringify(raw.name)})` : ''}`, vocab);
    if (!res.rule) throw new RuleValidationError(res.errors, 'The rule');
    const count = Number((await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM classification_rule'))[0].n);
    checkPosition(position, count + 1);
    if (res.rule.key !== null) {
      const clash = await tx.query('SELECT id FROM classification_rule WHERE rule_key = $1', [res.rule.key]);
      if (clash.length) throw new ClassificationError(`A rule with key ${JSON.stringify(res.rule.key)} already exists (rule ${(clash[0] as { id: number }).id}); choose another key`);
    }
    const id = await insertRule(tx, res.rule, { shipped: false, userEdited: false });
    const at = await placeAt(tx, id, position);
    const rule = (await selectRule(tx, id))!;
    await audit(tx, actor, 'classification.rule.add', `rule:${id}`, { rule, position: at });
    return rule;
  });
}

export async function setRuleEnabled(db: Database, id: number, enabled: boolean, actor: string): Promise<Rule> {
  return db.transaction(async (tx) => {
    const before = await mustGetRule(tx, id);
    if (before.enabled !== enabled) {
      await tx.query('UPDATE classification_rule SET enabled = $2, updated_at = now() WHERE id = $1', [id, enabled]);
      await audit(tx, actor, enabled ? 'classification.rule.enable' : 'classification.rule.disable', `rule:${id}`, { name: before.name });
    }
    return (await selectRule(tx, id))!;
  });
}

export async function moveRule(db: Database, id: number, position: number, actor: string): Promise<Rule> {
  return db.transaction(async (tx) => {
    const before = await mustGetRule(tx, id);
    const count = Number((await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM classification_rule'))[0].n);
    checkPosition(position, count);
    if (position > count) throw new ClassificationError(`Position ${position} is beyond the last rule; there are ${count} rules`);
    const at = await placeAt(tx, id, position);
    await audit(tx, actor, 'classification.rule.move', `rule:${id}`, { name: before.name, from: before.position, to: at });
    return (await selectRule(tx, id))!;
  });
}

/** The rules file format written by exportRules and read by importRules. */
export interface RulesFile {
  format: 'totalplace-classification-rules';
  version: 1;
  exported_at: string;
  rules: (Omit<Rule, 'id' | 'position'> & { id?: number; position?: number })[];
}

export async function exportRules(sql: Sql): Promise<RulesFile> {
  const rules = await selectRules(sql);
  return {
    format: 'totalplace-classification-rules',
    version: 1,
    exported_at: new Date().toISOString(),
    rules: rules.map((r) => ({
      id: r.id, key: r.key, position: r.position, name: r.name, enabled: r.enabled, conditions: r.conditions,
      theme_code: r.theme_code, cofog_code: r.cofog_code, prevention_code: r.prevention_code, notes: r.notes,
      shipped: r.shipped, user_edited: r.user_edited,
    })),
  };
}

export interface ImportResult { added: number; updated: number; unchanged: number; removed: number; rules: number }

/**
 * Imports a rules file (the export format, or a plain list of rules). Every rule is checked first and
 * nothing changes if any is wrong. Rules are matched to stored ones by key, so stored lines keep
 * pointing at the same rule ids.
 * - mode 'replace' (default): the file becomes the rule list, in its order; stored rules not in the
 *   file are removed (a removed shipped rule is not brought back by a later release).
 * - mode 'merge': rules in the file are updated or added (new ones at the end); others stay.
 */
export async function importRules(db: Database, file: unknown, opts: { mode?: 'replace' | 'merge'; source?: string }, actor: string): Promise<ImportResult> {
  const mode = opts.mode ?? 'replace';
  let raws: unknown[];
  if (Array.isArray(file)) raws = file;
  else if (file && typeof file === 'object' && Array.isArray((file as { rules?: unknown }).rules)) {
    const f = file as { format?: unknown; rules: unknown[] };
    if (f.format !== undefined && f.format !== 'totalplace-classification-rules') {
      throw new ClassificationError(`The file's format is ${JSON.stringify(f.format)}, not "totalplace-classification-rules"`);
    }
    raws = f.rules;
  } else throw new ClassificationError('A rules file must be a JSON object with a "rules" list (as `totalplace rules export` writes) or a JSON list of rules');
  if (mode === 'replace' && raws.length === 0) throw new ClassificationError('The file has no rules; importing it would remove every rule. Use --merge to add rules to the ones stored');

  return db.transaction(async (tx) => {
    const vocab = await selectVocabulary(tx);
    const drafts = checkRules(raws, vocab, `The rules in ${opts.source ?? 'the file'}`);
    const shipped = new Map(shippedRules().map((r) => [r.key, r]));
    const existing = await selectRules(tx);
    const byKey = new Map(existing.filter((r) => r.key !== null).map((r) => [r.key!, r]));
    const result: ImportResult = { added: 0, updated: 0, unchanged: 0, removed: 0, rules: 0 };
    const order: number[] = [];
    const seen = new Set<number>();
    for (const d of drafts) {
      const ship = d.key !== null ? shipped.get(d.key) : undefined;
      const flags = { shipped: ship !== undefined, userEdited: ship !== undefined && ruleContent(ship) !== ruleContent(d) };
      const match = d.key !== null ? byKey.get(d.key) : undefined;
      if (match) {
        const same = ruleContent(match) === ruleContent(d) && match.enabled === d.enabled && match.shipped === flags.shipped && match.user_edited === flags.userEdited;
        if (same) result.unchanged++;
        else { await updateRule(tx, match.id, d, flags); result.updated++; }
        order.push(match.id);
        seen.add(match.id);
      } else {
        const id = await insertRule(tx, d, flags);
        if (d.key !== null) await tx.query('DELETE FROM classification_rule_retired WHERE rule_key = $1', [d.key]);
        order.push(id);
        seen.add(id);
        result.added++;
      }
    }
    if (mode === 'replace') {
      const gone = existing.filter((r) => !seen.has(r.id));
      if (gone.length) {
        await tx.query('DELETE FROM classification_rule WHERE id = ANY($1::int[])', [gone.map((r) => r.id)]);
        const retired = gone.filter((r) => r.shipped && r.key !== null).map((r) => r.key!);
        if (retired.length) {
          await tx.query(
            'INSERT INTO classification_rule_retired (rule_key) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING', [retired]);
        }
      }
      result.removed = gone.length;
      await setOrder(tx, order);
    } else {
      const kept = existing.filter((r) => !seen.has(r.id)).map((r) => r.id);
      const matchedInPlace = existing.filter((r) => seen.has(r.id)).map((r) => r.id);
      const added = order.filter((id) => !matchedInPlace.includes(id));
      // Matched rules keep their place; new ones go to the end in file order.
      const current = existing.map((r) => r.id).filter((id) => kept.includes(id) || matchedInPlace.includes(id));
      await setOrder(tx, [...current, ...added]);
    }
    result.rules = Number((await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM classification_rule'))[0].n);
    await audit(tx, actor, 'classification.rules.import', opts.source ?? '', { mode, ...result });
    return result;
  });
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

// ---------------------------------------------------------------------------------------------
// Reclassification

export interface ReclassifyResult {
  body: string | null;
  /** lines in scope */
  lines: number;
  /** distinct combinations of the fields the rules read, each classified once */
  combinations: number;
  /** lines whose theme, COFOG, prevention level or rule changed */
  lines_changed: number;
}

function copyField(v: string | null): string {
  if (v === null) return '\\N';
  return v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/**
 * Re-runs the enabled rules over the stored ledger (one body, or all) in one transaction: each distinct
 * combination of the fields the rules read is classified once, the results go to a temporary table,
 * one UPDATE ... FROM join writes the lines that changed, and the rollups are rebuilt.
 */
export async function reclassify(db: Database, opts: { bodyCode?: string } = {}, actor = 'system'): Promise<ReclassifyResult> {
  return db.transaction(async (tx) => {
    if (opts.bodyCode !== undefined) {
      const known = await tx.query('SELECT 1 FROM body WHERE code = $1 UNION ALL SELECT 1 FROM spend_group WHERE body_code = $1 LIMIT 1', [opts.bodyCode]);
      if (!known.length) throw new ClassificationError(`There is no body ${JSON.stringify(opts.bodyCode)} and no lines for it`);
    }
    const classifier = await Classifier.load(tx);
    // body_type comes from the body register; body_code is always a key.
    const keyFields = classifier.fieldsRead.filter((f) => f !== 'body_code' && f !== 'body_type') as Exclude<LineField, 'body_code' | 'body_type'>[];
    const bodies = opts.bodyCode !== undefined
      ? [{ code: opts.bodyCode, body_type: (await tx.query<{ body_type: string }>('SELECT body_type FROM body WHERE code = $1', [opts.bodyCode]))[0]?.body_type ?? null }]
      : await tx.query<{ code: string; body_type: string | null }>(
        'SELECT d.body_code AS code, b.body_type FROM (SELECT DISTINCT body_code FROM spend_group) d LEFT JOIN body b ON b.code = d.body_code ORDER BY 1');

    await tx.exec(`DROP TABLE IF EXISTS classify_result`);
    await tx.exec(`CREATE TEMP TABLE classify_result (
      body_code text NOT NULL,
      ${keyFields.map((f) => `${f} text NOT NULL, ${f}_null boolean NOT NULL,`).join('\n      ')}
      theme_code text NOT NULL, cofog_code text, prevention_code text, rule_id int) ON COMMIT DROP`);
    const columns = ['body_code', ...keyFields.flatMap((f) => [f, `${f}_null`]), 'theme_code', 'cofog_code', 'prevention_code', 'rule_id'];
    let combinations = 0;
    for (const body of bodies) {
      const rows = await tx.query<Record<string, string | null>>(
        `SELECT DISTINCT ${keyFields.length ? keyFields.join(', ') : '1 AS one'} FROM spend_group_detail WHERE body_code = $1`, [body.code]);
      combinations += rows.length;
      const line: ClassifiableLine = {
        body_code: body.code, body_type: body.body_type, directorate: null, service_area: null, expense_type: null, category: null,
        description: null, proclass: null, sercop: null, supplier_name: null, capital_revenue: null,
      };
      const chunks: string[] = [];
      let chunk = '';
      for (const row of rows) {
        let text = copyField(body.code);
        for (const f of keyFields) {
          const v = row[f] ?? null;
          line[f] = v;
          text += '\t' + copyField(v ?? '') + '\t' + (v === null ? 't' : 'f');
        }
        const c = classifier.classify(line);
        text += '\t' + copyField(c.theme_code) + '\t' + copyField(c.cofog_code) + '\t' + copyField(c.prevention_code) + '\t' + (c.rule_id === null ? '\\N' : String(c.rule_id)) + '\n';
        chunk += text;
        if (chunk.length > 1 << 20) { chunks.push(chunk); chunk = ''; }
      }
      if (chunk) chunks.push(chunk);
      if (chunks.length) await tx.copyIn('classify_result', columns, chunks);
    }
    await tx.exec('ANALYZE classify_result');
    const where = opts.bodyCode !== undefined ? 'AND s.body_code = $1' : '';
    const params = opts.bodyCode !== undefined ? [opts.bodyCode] : [];
    // Classification belongs to groups (each distinct payee, coding and description of a file); lines are not touched.
    const changed = await tx.query<{ n: number }>(
      `WITH changed AS (
         UPDATE spend_group g SET theme_code = t.theme_code, cofog_code = t.cofog_code, prevention_code = t.prevention_code, rule_id = t.rule_id
           FROM spend_group_detail s, classify_result t
          WHERE g.body_code = s.body_code AND g.file_id = s.file_id AND g.group_id = s.group_id
            AND s.body_code = t.body_code ${where}
            ${keyFields.map((f) => `AND coalesce(s.${f}, '') = t.${f} AND (s.${f} IS NULL) = t.${f}_null`).join('\n            ')}
            AND (g.theme_code, g.cofog_code, g.prevention_code, g.rule_id)
                IS DISTINCT FROM (t.theme_code, t.cofog_code, t.prevention_code, t.rule_id)
          RETURNING g.lines)
       SELECT coalesce(sum(lines), 0)::int AS n FROM changed`, params);
    const total = await tx.query<{ n: number }>(
      `SELECT coalesce(sum(lines), 0)::int AS n FROM spend_group s ${opts.bodyCode !== undefined ? 'WHERE s.body_code = $1' : ''}`, params);
    await rebuildRollups(tx, opts.bodyCode);
    await rebuildTopLines(tx, opts.bodyCode);
    const result: ReclassifyResult = {
      body: opts.bodyCode ?? null, lines: Number(total[0].n), combinations, lines_changed: Number(changed[0].n),
    };
    await audit(tx, actor, 'classification.apply', opts.bodyCode ?? '', result);
    return result;
  });
}

// ---------------------------------------------------------------------------------------------
// Coverage report

export interface Coverage {
  lines: number;
  classified_lines: number;
  value_pence: number;
  classified_pence: number;
  /** classified_lines / lines (0 when there are no lines) */
  share_of_lines: number;
  /** classified_pence / value_pence, on net amounts (0 when the value is 0) */
  share_of_value: number;
}

export interface BodyCoverage extends Coverage { body_code: string; body_name: string | null; body_type: string | null }

export interface UnclassifiedGroup {
  body_code: string;
  /** the grouping fields' values, e.g. {service_area: 'Tmo General', expense_type: 'Misc Expenses Other'} */
  fields: Record<string, string | null>;
  lines: number;
  value_pence: number;
  /** the supplier and description of the group's largest line, to help write a rule */
  example_supplier: string | null;
  example_description: string | null;
}

export interface RuleCoverage {
  rule_id: number;
  key: string | null;
  name: string;
  position: number | null;
  theme_code: string | null;
  /** a rule that tests only the body (code or type): a body-level fallback */
  body_only: boolean;
  lines: number;
  value_pence: number;
  share_of_value: number;
}

export interface CoverageReport {
  body: string | null;
  overall: Coverage & { decided_by_body_only_rules_pence: number; share_of_value_by_body_only_rules: number };
  bodies: BodyCoverage[];
  group_by: string[];
  unclassified_groups: UnclassifiedGroup[];
  rules: RuleCoverage[];
}

export const GROUPABLE_FIELDS = LINE_FIELDS.filter((f) => f !== 'body_code' && f !== 'body_type');
export const DEFAULT_GROUP_BY = ['service_area', 'expense_type'];

function coverage(lines: number, classifiedLines: number, value: number, classifiedValue: number): Coverage {
  return {
    lines, classified_lines: classifiedLines, value_pence: value, classified_pence: classifiedValue,
    share_of_lines: lines === 0 ? 0 : classifiedLines / lines,
    share_of_value: value === 0 ? 0 : classifiedValue / value,
  };
}

/** True when every condition of the rule reads only the body's code or type. */
export function isBodyOnlyRule(conditions: RuleCondition[]): boolean {
  return conditions.length > 0 && conditions.every((c) => lineFieldsOf(c.field).every((f) => f === 'body_code' || f === 'body_type'));
}

/**
 * Coverage as a share of value (net amounts) and of lines, overall and per body (from the rollup),
 * what each rule decided, and the largest unclassified groups (top `limit` by value).
 */
export async function coverageReport(sql: Sql, opts: { bodyCode?: string; limit?: number; groupBy?: string[] } = {}): Promise<CoverageReport> {
  const groupBy = opts.groupBy ?? DEFAULT_GROUP_BY;
  for (const f of groupBy) {
    if (!(GROUPABLE_FIELDS as readonly string[]).includes(f)) {
      throw new ClassificationError(`Cannot group by ${JSON.stringify(f)}; use any of ${GROUPABLE_FIELDS.join(', ')}`);
    }
  }
  const limit = opts.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 0) throw new ClassificationError(`The limit must be a whole number, not ${JSON.stringify(String(limit))}`);
  const params: unknown[] = opts.bodyCode !== undefined ? [opts.bodyCode] : [];
  const where = opts.bodyCode !== undefined ? 'WHERE r.body_code = $1' : '';

  const perBody = await sql.query<{ body_code: string; body_name: string | null; body_type: string | null; lines: number; classified_lines: number; value: number; classified_value: number }>(
    `SELECT r.body_code, max(b.name) AS body_name, max(b.body_type) AS body_type,
            sum(r.lines)::bigint AS lines, coalesce(sum(r.lines) FILTER (WHERE r.classified), 0)::bigint AS classified_lines,
            sum(r.amount_pence)::bigint AS value, coalesce(sum(r.amount_pence) FILTER (WHERE r.classified), 0)::bigint AS classified_value
       FROM spend_rollup r LEFT JOIN body b ON b.code = r.body_code ${where}
      GROUP BY r.body_code ORDER BY r.body_code`, params);
  const bodies: BodyCoverage[] = perBody.map((b) => ({
    body_code: b.body_code, body_name: b.body_name, body_type: b.body_type,
    ...coverage(Number(b.lines), Number(b.classified_lines), Number(b.value), Number(b.classified_value)),
  }));
  const sum = (k: 'lines' | 'classified_lines' | 'value_pence' | 'classified_pence') => bodies.reduce((a, b) => a + b[k], 0);
  const overallBase = coverage(sum('lines'), sum('classified_lines'), sum('value_pence'), sum('classified_pence'));

  const lineWhere = opts.bodyCode !== undefined ? 'AND s.body_code = $1' : '';
  const byRule = await sql.query<{ rule_id: number; lines: number; value: number }>(
    `SELECT s.rule_id, count(*)::bigint AS lines, sum(s.amount_pence)::bigint AS value
       FROM spend_line s WHERE s.rule_id IS NOT NULL ${lineWhere} GROUP BY s.rule_id`, params);
  const rulesById = new Map((await selectRules(sql)).map((r) => [r.id, r]));
  const rules: RuleCoverage[] = byRule.map((r) => {
    const rule = rulesById.get(Number(r.rule_id));
    return {
      rule_id: Number(r.rule_id), key: rule?.key ?? null, name: rule?.name ?? '(rule since removed)', position: rule?.position ?? null,
      theme_code: rule?.theme_code ?? null, body_only: rule ? isBodyOnlyRule(rule.conditions) : false,
      lines: Number(r.lines), value_pence: Number(r.value),
      share_of_value: overallBase.value_pence === 0 ? 0 : Number(r.value) / overallBase.value_pence,
    };
  }).sort((a, b) => b.value_pence - a.value_pence || a.rule_id - b.rule_id);
  const bodyOnly = rules.filter((r) => r.body_only).reduce((a, r) => a + r.value_pence, 0);

  const cols = groupBy.map((f) => `s.${f}`);
  const groups = limit === 0 ? [] : await sql.query<Record<string, string | null> & { body_code: string; lines: number; value: number; example_supplier: string | null; example_description: string | null }>(
    `SELECT s.body_code, ${cols.length ? cols.join(', ') + ',' : ''} count(*)::bigint AS lines, sum(s.amount_pence)::bigint AS value,
            (array_agg(s.supplier_name ORDER BY s.amount_pence DESC, s.file_id, s.line_id))[1] AS example_supplier,
            (array_agg(s.description ORDER BY s.amount_pence DESC, s.file_id, s.line_id))[1] AS example_description
       FROM spend_line s WHERE s.rule_id IS NULL ${lineWhere}
      GROUP BY s.body_code${cols.length ? ', ' + cols.join(', ') : ''}
      ORDER BY value DESC, lines DESC, s.body_code${cols.length ? ', ' + cols.join(', ') : ''}
      LIMIT ${limit}`, params);

  return {
    body: opts.bodyCode ?? null,
    overall: {
      ...overallBase,
      decided_by_body_only_rules_pence: bodyOnly,
      share_of_value_by_body_only_rules: overallBase.value_pence === 0 ? 0 : bodyOnly / overallBase.value_pence,
    },
    bodies,
    group_by: groupBy,
    unclassified_groups: groups.map((g) => ({
      body_code: g.body_code,
      fields: Object.fromEntries(groupBy.map((f) => [f, g[f] ?? null])),
      lines: Number(g.lines), value_pence: Number(g.value),
      example_supplier: g.example_supplier, example_description: g.example_description,
    })),
    rules,
  };
}

export type { RuleDraft, RuleInput };
