// Themes, COFOG divisions, prevention levels and the shipped classification rules
// (src/reference/data/classification/*.json). Runs at every open: one query when the database already
// holds this version of the data.
//
// What a release may change, and what it never touches:
// - COFOG divisions and prevention levels: shipped facts, upserted.
// - Themes: shipped themes are upserted unless a user edited them (theme.user_edited); user-added themes
//   are left alone.
// - Rules are recognised by their key. A shipped rule the user has not edited gets the new content
//   (its position and enabled flag stay as the user left them); an edited one (user_edited) is left
//   alone; a new shipped rule goes in just after the shipped rule before it; a shipped rule that is no
//   longer shipped is removed unless edited; a shipped rule the user removed stays removed
//   (classification_rule_retired). User-added rules are never touched.
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import type { Database, Sql } from '../db/database.ts';
import { checkRules, type RuleDraft } from '../classify/validate.ts';
import type { ThemeDefaults } from '../classify/types.ts';

export interface ShippedTheme extends ThemeDefaults { label: string; description: string; sort_order: number }
export interface ShippedCode { code: string; label: string; description?: string; sort_order?: number }
export interface ShippedRule extends RuleDraft { key: string }

interface Shipped {
  themes: ShippedTheme[];
  cofog: ShippedCode[];
  prevention: ShippedCode[];
  rules: ShippedRule[];
  version: string;
}

const dataDir = new URL('./data/classification/', import.meta.url);
/** Bump when the seeding logic changes in a way that should re-run on existing databases. */
const SEED_LOGIC = '1';
let shipped: Shipped | undefined;

function readJson(name: string): { text: string; value: unknown } {
  const text = fs.readFileSync(new URL(name, dataDir), 'utf8');
  return { text, value: JSON.parse(text) };
}

/** The shipped classification data, checked. Throws if the shipped rules are not valid. */
export function shippedClassification(): Shipped {
  if (shipped) return shipped;
  const files = ['themes.json', 'cofog.json', 'prevention.json', 'rules.json'].map(readJson);
  const hash = createHash('sha256').update(SEED_LOGIC);
  for (const f of files) hash.update('\0').update(f.text);
  const rawThemes = files[0].value as (Omit<ShippedTheme, 'sort_order'> & { sort_order?: number })[];
  const themes: ShippedTheme[] = rawThemes.map((t, i) => ({
    code: t.code, label: t.label, description: t.description ?? '', default_cofog: t.default_cofog ?? null,
    default_prevention: t.default_prevention ?? null, sort_order: t.sort_order ?? (t.code === 'unclassified' ? 999 : (i + 1) * 10),
  }));
  const cofog = files[1].value as ShippedCode[];
  const prevention = files[2].value as ShippedCode[];
  const vocab = { themes: new Set(themes.map((t) => t.code)), cofog: new Set(cofog.map((c) => c.code)), prevention: new Set(prevention.map((p) => p.code)) };
  for (const t of themes) {
    if (t.default_cofog && !vocab.cofog.has(t.default_cofog)) throw new Error(`Shipped theme ${t.code}: default_cofog ${t.default_cofog} is not a COFOG division`);
    if (t.default_prevention && !vocab.prevention.has(t.default_prevention)) throw new Error(`Shipped theme ${t.code}: default_prevention ${t.default_prevention} is not a prevention level`);
  }
  const rawRules = (files[3].value as { rules: unknown[] }).rules;
  const rules = checkRules(rawRules, vocab, 'The shipped classification rules (src/reference/data/classification/rules.json)');
  rules.forEach((r, i) => { if (!r.key) throw new Error(`Shipped rule ${i + 1} (${r.name}) has no key`); });
  shipped = { themes, cofog, prevention, rules: rules as ShippedRule[], version: hash.digest('hex').slice(0, 16) };
  return shipped;
}

export function shippedRules(): ShippedRule[] { return shippedClassification().rules; }
export function shippedThemes(): ShippedTheme[] { return shippedClassification().themes; }

/** The part of a rule a release may update, for comparing a stored rule with its shipped form. */
export function ruleContent(r: Pick<RuleDraft, 'name' | 'conditions' | 'theme_code' | 'cofog_code' | 'prevention_code' | 'notes'>): string {
  const conditions = r.conditions.map((c) => [c.field, c.op, c.value]);
  return JSON.stringify([r.name, conditions, r.theme_code, r.cofog_code ?? null, r.prevention_code ?? null, r.notes ?? '']);
}

/** Upserts the shipped classification data unless this version is already present. Returns true if it wrote. */
export async function seedClassificationReference(db: Database): Promise<boolean> {
  const data = shippedClassification();
  const current = await db.query<{ version: string }>(`SELECT version FROM reference_version WHERE name = 'classification'`);
  if (current[0]?.version === data.version) return false;
  await db.transaction(async (tx) => {
    // Two processes opening one server database at once must not both seed.
    if (db.kind === 'postgres') await tx.query('SELECT pg_advisory_xact_lock(7403)');
    const again = await tx.query<{ version: string }>(`SELECT version FROM reference_version WHERE name = 'classification'`);
    if (again[0]?.version === data.version) return;
    await applyShipped(tx, data);
    await tx.query(
      `INSERT INTO reference_version (name, version) VALUES ('classification', $1)
       ON CONFLICT (name) DO UPDATE SET version = excluded.version, updated_at = now()`, [data.version]);
  });
  return true;
}

async function applyShipped(tx: Sql, data: Shipped): Promise<void> {
  await tx.query(
    `INSERT INTO cofog_division (code, label)
     SELECT code, label FROM jsonb_to_recordset($1::jsonb) AS x(code text, label text)
     ON CONFLICT (code) DO UPDATE SET label = excluded.label WHERE cofog_division.label IS DISTINCT FROM excluded.label`,
    [JSON.stringify(data.cofog)]);
  await tx.query(
    `INSERT INTO prevention_level (code, label, description, sort_order)
     SELECT code, label, coalesce(description, ''), coalesce(sort_order, 0)
       FROM jsonb_to_recordset($1::jsonb) AS x(code text, label text, description text, sort_order int)
     ON CONFLICT (code) DO UPDATE SET label = excluded.label, description = excluded.description, sort_order = excluded.sort_order`,
    [JSON.stringify(data.prevention)]);
  await tx.query(
    `INSERT INTO theme (code, label, description, default_cofog, default_prevention, sort_order, shipped)
     SELECT code, label, description, default_cofog, default_prevention, sort_order, true
       FROM jsonb_to_recordset($1::jsonb)
         AS x(code text, label text, description text, default_cofog text, default_prevention text, sort_order int)
     ON CONFLICT (code) DO UPDATE SET label = excluded.label, description = excluded.description,
       default_cofog = excluded.default_cofog, default_prevention = excluded.default_prevention,
       sort_order = excluded.sort_order, shipped = true
     WHERE NOT theme.user_edited`,
    [JSON.stringify(data.themes)]);

  // Rules.
  const existing = await tx.query<{ id: number; rule_key: string | null; shipped: boolean; user_edited: boolean }>(
    'SELECT id, rule_key, shipped, user_edited FROM classification_rule ORDER BY position, id');
  const retired = new Set((await tx.query<{ rule_key: string }>('SELECT rule_key FROM classification_rule_retired')).map((r) => r.rule_key));
  const byKey = new Map(existing.filter((r) => r.rule_key !== null).map((r) => [r.rule_key!, r]));
  const shippedKeys = new Set(data.rules.map((r) => r.key));

  // Shipped rules no longer shipped, and not edited: removed.
  const gone = existing.filter((r) => r.shipped && !r.user_edited && r.rule_key !== null && !shippedKeys.has(r.rule_key));
  if (gone.length) await tx.query('DELETE FROM classification_rule WHERE id = ANY($1::int[])', [gone.map((r) => r.id)]);

  // Update the content of unedited shipped rules.
  const updates = data.rules.filter((r) => { const e = byKey.get(r.key); return e && e.shipped && !e.user_edited; });
  if (updates.length) {
    await tx.query(
      `UPDATE classification_rule c SET name = x.name, conditions = x.conditions, theme_code = x.theme_code,
              cofog_code = x.cofog_code, prevention_code = x.prevention_code, notes = x.notes, updated_at = now()
         FROM jsonb_to_recordset($1::jsonb)
           AS x(key text, name text, conditions jsonb, theme_code text, cofog_code text, prevention_code text, notes text)
        WHERE c.rule_key = x.key
          AND (c.name, c.conditions, c.theme_code, c.cofog_code, c.prevention_code, c.notes)
              IS DISTINCT FROM (x.name, x.conditions, x.theme_code, x.cofog_code, x.prevention_code, x.notes)`,
      [JSON.stringify(updates)]);
  }

  // New shipped rules, each placed just after the shipped rule before it.
  const order: (number | string)[] = existing.filter((r) => !gone.includes(r)).map((r) => r.id);
  const added: ShippedRule[] = [];
  data.rules.forEach((r, i) => {
    if (byKey.has(r.key) || retired.has(r.key)) return;
    let at = 0;
    for (let j = i - 1; j >= 0; j--) {
      const prev = data.rules[j].key;
      const idx = order.indexOf(byKey.get(prev)?.id ?? prev);
      if (idx >= 0) { at = idx + 1; break; }
    }
    order.splice(at, 0, r.key);
    added.push(r);
  });
  if (added.length) {
    const positions = new Map(order.map((k, i) => [k, i + 1]));
    await tx.query(
      `INSERT INTO classification_rule (rule_key, position, name, conditions, theme_code, cofog_code, prevention_code, notes, enabled, shipped)
       SELECT key, position, name, conditions, theme_code, cofog_code, prevention_code, notes, true, true
         FROM jsonb_to_recordset($1::jsonb)
           AS x(key text, position int, name text, conditions jsonb, theme_code text, cofog_code text, prevention_code text, notes text)`,
      [JSON.stringify(added.map((r) => ({ ...r, position: positions.get(r.key) })))]);
  }
  if (added.length || gone.length) {
    // Positions 1..n in the order worked out above.
    const ids = order.filter((k): k is number => typeof k === 'number');
    const moved = order.map((k, i) => ({ id: typeof k === 'number' ? k : null, key: typeof k === 'string' ? k : null, position: i + 1 }));
    if (ids.length) {
      await tx.query(
        `UPDATE classification_rule c SET position = x.position
           FROM jsonb_to_recordset($1::jsonb) AS x(id int, position int)
          WHERE c.id = x.id AND c.position IS DISTINCT FROM x.position`,
        [JSON.stringify(moved.filter((m) => m.id !== null))]);
    }
  }
}
