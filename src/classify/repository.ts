// SQL for classification rules and their vocabulary (themes, COFOG divisions, prevention levels).
import type { Sql } from '../db/database.ts';
import type { Rule, RuleCondition } from './types.ts';
import type { RuleDraft, Vocabulary } from './validate.ts';

interface RuleRow {
  id: number; rule_key: string | null; position: number; name: string; conditions: RuleCondition[] | string;
  theme_code: string; cofog_code: string | null; prevention_code: string | null; enabled: boolean;
  shipped: boolean; user_edited: boolean; notes: string;
}

const RULE_COLUMNS = 'id, rule_key, position, name, conditions, theme_code, cofog_code, prevention_code, enabled, shipped, user_edited, notes';

function toRule(r: RuleRow): Rule {
  return {
    id: Number(r.id), key: r.rule_key, position: Number(r.position), name: r.name,
    // jsonb keeps its own key order: give conditions back as {field, op, value}
    conditions: (typeof r.conditions === 'string' ? JSON.parse(r.conditions) as RuleCondition[] : r.conditions)
      .map((c) => ({ field: c.field, op: c.op, value: c.value })),
    theme_code: r.theme_code, cofog_code: r.cofog_code, prevention_code: r.prevention_code,
    enabled: r.enabled, shipped: r.shipped, user_edited: r.user_edited, notes: r.notes,
  };
}

/** Every rule, in order. */
export async function selectRules(sql: Sql): Promise<Rule[]> {
  return (await sql.query<RuleRow>(`SELECT ${RULE_COLUMNS} FROM classification_rule ORDER BY position, id`)).map(toRule);
}

export async function selectRule(sql: Sql, id: number): Promise<Rule | null> {
  const rows = await sql.query<RuleRow>(`SELECT ${RULE_COLUMNS} FROM classification_rule WHERE id = $1`, [id]);
  return rows[0] ? toRule(rows[0]) : null;
}

export async function selectVocabulary(sql: Sql): Promise<Vocabulary> {
  const [themes, cofog, prevention] = await Promise.all([
    sql.query<{ code: string }>('SELECT code FROM theme ORDER BY sort_order, code'),
    sql.query<{ code: string }>('SELECT code FROM cofog_division ORDER BY code'),
    sql.query<{ code: string }>('SELECT code FROM prevention_level ORDER BY sort_order, code'),
  ]);
  return {
    themes: new Set(themes.map((r) => r.code)),
    cofog: new Set(cofog.map((r) => r.code)),
    prevention: new Set(prevention.map((r) => r.code)),
  };
}

/** Inserts a rule at the end (position max + 1) and returns its id. A rule without a key gets 'user-<id>'. */
export async function insertRule(tx: Sql, r: RuleDraft, flags: { shipped: boolean; userEdited: boolean }): Promise<number> {
  const rows = await tx.query<{ id: number }>(
    `INSERT INTO classification_rule (rule_key, position, name, conditions, theme_code, cofog_code, prevention_code, enabled, shipped, user_edited, notes)
     VALUES ($1, (SELECT coalesce(max(position), 0) + 1 FROM classification_rule), $2, $3::jsonb, $4, $5, $6, $7, $8, $9, $10)
     RETURNING id`,
    [r.key, r.name, JSON.stringify(r.conditions), r.theme_code, r.cofog_code, r.prevention_code, r.enabled, flags.shipped, flags.userEdited, r.notes]);
  const id = Number(rows[0].id);
  if (r.key === null) await tx.query(`UPDATE classification_rule SET rule_key = 'user-' || id WHERE id = $1`, [id]);
  return id;
}

export async function updateRule(tx: Sql, id: number, r: RuleDraft, flags: { shipped: boolean; userEdited: boolean }): Promise<void> {
  await tx.query(
    `UPDATE classification_rule SET name = $2, conditions = $3::jsonb, theme_code = $4, cofog_code = $5, prevention_code = $6,
            enabled = $7, shipped = $8, user_edited = $9, notes = $10, updated_at = now()
      WHERE id = $1`,
    [id, r.name, JSON.stringify(r.conditions), r.theme_code, r.cofog_code, r.prevention_code, r.enabled, flags.shipped, flags.userEdited, r.notes]);
}

/** Sets positions 1..n in the order given (ids). */
export async function setOrder(tx: Sql, ids: number[]): Promise<void> {
  await tx.query(
    `UPDATE classification_rule c SET position = x.position
       FROM (SELECT id, ord::int AS position FROM unnest($1::int[]) WITH ORDINALITY AS u(id, ord)) x
      WHERE c.id = x.id AND c.position IS DISTINCT FROM x.position`,
    [ids]);
}

