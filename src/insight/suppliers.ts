// Supplier entities in the database: a resolution run (read every published name from the supplier rollup,
// resolve them in memory with src/insight/resolve.ts, store the entities and how each name was matched),
// and the decisions people make (confirm, merge, split), which are stored and win at every later run and
// are applied to the stored entities at once. Individuals and redacted payees are never read: the supplier
// rollup keys them all as '' and they are left out.
import type { Database, Sql } from '../db/database.ts';
import { recordAudit } from '../db/audit.ts';
import { copyText } from '../ingest/rows.ts';
import { copyRows } from '../ledger/repository.ts';
import { loadBodyMatcher } from '../place/bodies.ts';
import { resolveSuppliers, type MatchRule, type NameDecision, type PayeeRecord } from './resolve.ts';
import { supplierKey } from './normalise.ts';

/** A problem with what the user asked for, worded to be shown as it stands. */
export class SupplierError extends Error {}

export interface ResolutionSummary {
  names: number;
  entities: number;
  /** Entities paid by two or more bodies. */
  shared: number;
  /** Names linked to a registered public body. */
  public_body_names: number;
  by_rule: Record<string, number>;
  decisions: number;
  ms: number;
  resolver: Record<string, unknown>;
}

export interface SupplierNameMatch {
  body_code: string; body_name: string; supplier_key: string; rule: MatchRule; score: number; confidence: number;
  matched_to: string | null; lines: number; total_pence: number;
}

export interface SupplierEntity {
  entity_key: string; name: string; body_code: string | null; names: number; bodies: number; confidence: number;
  matches: SupplierNameMatch[];
  total_pence: number;
}

export interface DecisionRow { name_a: string; name_b: string; kind: 'same' | 'different'; actor: string; at: string }

const lowerName = (s: string) => s.trim().toLowerCase();

/** Bodies whose files have a company, charity or VAT number column: only their lines are read for identifiers. */
async function bodiesWithIdentifiers(sql: Sql): Promise<string[]> {
  const rows = await sql.query<{ body_code: string }>(
    `SELECT DISTINCT f.body_code FROM source_file f, jsonb_array_elements(f.mapping -> 'sheets') s, jsonb_array_elements(s -> 'columns') c
      WHERE c ->> 'field' IN ('company_no', 'charity_no', 'vat_no')`);
  return rows.map((r) => r.body_code);
}

/** Every organisation name as each body published it, with what it was paid and its identifiers. */
async function loadPayees(sql: Sql): Promise<PayeeRecord[]> {
  const rows = await sql.query<{ body_code: string; supplier_key: string; payee_body_code: string; amount: number | string }>(
    `SELECT body_code, supplier_key, max(payee_body_code) AS payee_body_code, sum(amount_pence)::bigint AS amount
       FROM spend_rollup_supplier WHERE supplier_key <> '' AND payee_kind = 'organisation'
      GROUP BY body_code, supplier_key ORDER BY body_code, supplier_key`);
  const records: PayeeRecord[] = rows.map((r) => ({
    body_code: r.body_code, name: r.supplier_key, payee_kind: 'organisation', payee_body_code: r.payee_body_code || null, amount_pence: Number(r.amount),
  }));
  const withIds = await bodiesWithIdentifiers(sql);
  if (withIds.length) {
    const index = new Map(records.map((r, i) => [`${r.body_code}\t${r.name}`, i]));
    const ids = await sql.query<{ body_code: string; supplier_name: string; company_no: string | null; charity_no: string | null; vat_no: string | null }>(
      `SELECT body_code, supplier_name, max(company_no) AS company_no, max(charity_no) AS charity_no, max(vat_no) AS vat_no
         FROM spend_payee
        WHERE body_code = ANY($1::text[]) AND payee_kind = 'organisation' AND supplier_name IS NOT NULL
          AND (company_no IS NOT NULL OR charity_no IS NOT NULL OR vat_no IS NOT NULL)
        GROUP BY body_code, supplier_name`, [withIds]);
    for (const r of ids) {
      const i = index.get(`${r.body_code}\t${r.supplier_name}`);
      if (i !== undefined) Object.assign(records[i], { company_no: r.company_no, charity_no: r.charity_no, vat_no: r.vat_no });
    }
  }
  return records;
}

export async function listDecisions(sql: Sql): Promise<DecisionRow[]> {
  return sql.query<DecisionRow>(`SELECT name_a, name_b, kind, actor, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS at FROM supplier_decision ORDER BY at, name_a, name_b`);
}

/** Rebuilds the tables derived from the entities for some entities (all when `keys` is null). */
async function rebuildDerived(tx: Sql, keys: string[] | null): Promise<void> {
  const only = keys ? 'AND m.entity_key = ANY($1::text[])' : '';
  const params = keys ? [keys] : [];
  if (keys) await tx.query('DELETE FROM insight_supplier_spread WHERE entity_key = ANY($1::text[])', params);
  else await tx.exec('DELETE FROM insight_supplier_spread');
  // The spread of payments, only for suppliers paid by two or more bodies that are not public bodies.
  await tx.query(
    `INSERT INTO insight_supplier_spread (body_code, entity_key, financial_year, theme_code, lines, amount_pence, payments, min_pence, median_pence, max_pence)
     WITH g AS MATERIALIZED (
       -- The groups (payee x coding x description) of the matched suppliers; then only their lines are read.
       SELECT g.body_code, g.file_id, g.group_id, g.theme_code, m.entity_key
         FROM supplier_match m
         JOIN supplier_entity e ON e.entity_key = m.entity_key AND e.bodies >= 2 AND e.body_code IS NULL
         JOIN spend_payee p ON p.body_code = m.body_code AND p.supplier_name = m.supplier_key AND p.payee_kind = 'organisation'
         JOIN spend_group g ON g.body_code = p.body_code AND g.file_id = p.file_id AND g.payee_id = p.payee_id
        WHERE true ${only})
     SELECT s.body_code, s.entity_key, coalesce(s.financial_year, ''), s.theme_code, count(*), sum(s.amount_pence),
            count(*) FILTER (WHERE s.amount_pence > 0),
            min(s.amount_pence) FILTER (WHERE s.amount_pence > 0),
            round(percentile_cont(0.5) WITHIN GROUP (ORDER BY s.amount_pence) FILTER (WHERE s.amount_pence > 0))::bigint,
            max(s.amount_pence) FILTER (WHERE s.amount_pence > 0)
       FROM (SELECT g.body_code, g.entity_key, g.theme_code, financial_year_of(f.payment_date) AS financial_year, f.amount_pence
               FROM g JOIN spend_fact f ON f.body_code = g.body_code AND f.file_id = g.file_id AND f.group_id = g.group_id) s
      GROUP BY GROUPING SETS ((s.body_code, s.entity_key, s.financial_year, s.theme_code), (s.body_code, s.entity_key, s.theme_code))`, params);
}

/** What each body buys by expense type and ProClass, compared across bodies by a normalised key (one scan of the ledger). */
async function rebuildCategories(tx: Sql): Promise<void> {
  await tx.exec('DELETE FROM insight_category_rollup');
  await tx.exec(
    `INSERT INTO insight_category_rollup (body_code, financial_year, kind, category_key, label, lines, amount_pence)
     SELECT body_code, financial_year, kind, k, max(label), sum(lines), sum(amount_pence)
       FROM (SELECT s.body_code, s.financial_year, v.kind, v.label, s.lines, s.amount_pence,
                    trim(regexp_replace(replace(lower(v.label), '&', ' and '), '[^a-z0-9]+', ' ', 'g')) AS k
               FROM (SELECT g.body_code, l.financial_year, g.expense_type, g.proclass, l.lines, l.amount_pence
                       FROM (SELECT body_code, file_id, group_id, financial_year_of(payment_date) AS financial_year, count(*) AS lines, sum(amount_pence) AS amount_pence
                               FROM spend_fact GROUP BY 1, 2, 3, 4) l
                       JOIN spend_group_detail g ON g.body_code = l.body_code AND g.file_id = l.file_id AND g.group_id = l.group_id
                      WHERE g.payee_kind = 'organisation' AND g.payee_body_code IS NULL) s,
                    LATERAL (VALUES ('expense_type', s.expense_type), ('proclass', s.proclass)) v(kind, label)
              WHERE v.label IS NOT NULL) l
      WHERE k <> ''
      GROUP BY body_code, financial_year, kind, k`);
}

/** Recounts names, bodies and the weakest confidence of some entities; drops those left with no names. */
async function recountEntities(tx: Sql, keys: string[]): Promise<void> {
  await tx.query(
    `UPDATE supplier_entity e SET names = c.names, bodies = c.bodies, confidence = c.confidence
       FROM (SELECT entity_key, count(*)::int AS names, count(DISTINCT body_code)::int AS bodies, min(confidence) AS confidence
               FROM supplier_match WHERE entity_key = ANY($1::text[]) GROUP BY entity_key) c
      WHERE e.entity_key = c.entity_key`, [keys]);
  await tx.query(`DELETE FROM supplier_entity e WHERE e.entity_key = ANY($1::text[]) AND NOT EXISTS (SELECT 1 FROM supplier_match m WHERE m.entity_key = e.entity_key)`, [keys]);
}

/**
 * Resolves every organisation payee in the ledger into supplier entities, with people's decisions winning,
 * and stores the result (and the spread and category tables pages read) in one transaction.
 */
export async function resolveAll(db: Database, actor: string): Promise<ResolutionSummary> {
  const started = performance.now();
  const records = await loadPayees(db);
  const decisions: NameDecision[] = (await listDecisions(db)).map((d) => ({ kind: d.kind, name_a: d.name_a, name_b: d.name_b }));
  const bodies = await db.query<{ code: string; name: string }>('SELECT code, name FROM body');
  const matcher = await loadBodyMatcher(db);
  const result = resolveSuppliers(records, { decisions, matchBody: (n) => matcher.match(n), bodyNames: new Map(bodies.map((b) => [b.code, b.name])) });
  const entityOf = result.entities;
  const summary: ResolutionSummary = {
    names: records.length, entities: entityOf.length,
    shared: entityOf.filter((e) => new Set(e.records.map((i) => records[i].body_code)).size >= 2).length,
    public_body_names: entityOf.filter((e) => e.body_code).reduce((s, e) => s + e.records.length, 0),
    by_rule: {}, decisions: decisions.length, ms: 0, resolver: result.stats as unknown as Record<string, unknown>,
  };
  for (const a of result.assignments) summary.by_rule[a.rule] = (summary.by_rule[a.rule] ?? 0) + 1;
  await db.transaction(async (tx) => {
    await tx.exec('DELETE FROM supplier_match; DELETE FROM supplier_entity');
    await tx.copyIn('supplier_entity', ['entity_key', 'name', 'body_code', 'names', 'bodies', 'confidence'], copyRows(entityOf, (e) =>
      [copyText(e.key), copyText(e.name), copyText(e.body_code), e.records.length, new Set(e.records.map((i) => records[i].body_code)).size, e.confidence].join('\t') + '\n'));
    await tx.copyIn('supplier_match', ['body_code', 'supplier_key', 'entity_key', 'rule', 'score', 'confidence', 'matched_to'], copyRows(result.assignments, (a) =>
      [copyText(records[a.record].body_code), copyText(records[a.record].name), copyText(entityOf[a.entity].key), a.rule, a.score, a.confidence, copyText(a.matched_to)].join('\t') + '\n'));
    await rebuildDerived(tx, null);
    await rebuildCategories(tx);
    summary.ms = Math.round(performance.now() - started);
    await tx.query('INSERT INTO supplier_resolution (actor, names, entities, stats) VALUES ($1, $2, $3, $4::jsonb)', [actor, summary.names, summary.entities, JSON.stringify(summary)]);
    await recordAudit(tx, actor, 'suppliers.resolve', '', { names: summary.names, entities: summary.entities, shared: summary.shared, by_rule: summary.by_rule });
    await tx.exec('ANALYZE supplier_match, supplier_entity, insight_supplier_spread, insight_category_rollup');
  });
  return summary;
}

export interface ResolutionRun { at: string; actor: string; names: number; entities: number; stats: ResolutionSummary }

/** The last resolution run, or null when none has run. */
export async function lastResolution(sql: Sql): Promise<ResolutionRun | null> {
  const [r] = await sql.query<ResolutionRun>(
    `SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS at, actor, names, entities, stats FROM supplier_resolution ORDER BY id DESC LIMIT 1`);
  return r ?? null;
}

/** Published names (at any body) not yet resolved: loaded after the last run. */
export async function unresolvedNames(sql: Sql, bodyCodes?: string[]): Promise<number> {
  const [r] = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (SELECT DISTINCT r.body_code, r.supplier_key FROM spend_rollup_supplier r
       WHERE r.supplier_key <> '' AND r.payee_kind = 'organisation' AND ($1::text[] IS NULL OR r.body_code = ANY($1::text[]))
         AND NOT EXISTS (SELECT 1 FROM supplier_match m WHERE m.body_code = r.body_code AND m.supplier_key = r.supplier_key)) u`, [bodyCodes ?? null]);
  return r.n;
}

/** The entity with this key, or the one a published name belongs to; null when neither. */
export async function findEntityKey(sql: Sql, keyOrName: string): Promise<string | null> {
  const t = keyOrName.trim();
  if (!t) return null;
  const [byKey] = await sql.query<{ entity_key: string }>('SELECT entity_key FROM supplier_entity WHERE entity_key = $1', [t]);
  if (byKey) return byKey.entity_key;
  const byName = await sql.query<{ entity_key: string }>('SELECT DISTINCT entity_key FROM supplier_match WHERE lower(supplier_key) = $1 ORDER BY 1', [lowerName(t)]);
  if (byName.length > 1) throw new SupplierError(`The name "${t}" is in more than one supplier (${byName.map((r) => r.entity_key).join(', ')}): give the supplier's key.`);
  return byName[0]?.entity_key ?? null;
}

/** One entity, each of its names with why it was matched and what it was paid (optionally by some bodies only). */
export async function getEntity(sql: Sql, key: string, opts: { bodyCodes?: string[] } = {}): Promise<SupplierEntity | null> {
  const [e] = await sql.query<Omit<SupplierEntity, 'matches' | 'total_pence'>>(
    'SELECT entity_key, name, body_code, names, bodies, confidence FROM supplier_entity WHERE entity_key = $1', [key]);
  if (!e) return null;
  const matches = await sql.query<SupplierNameMatch>(
    `SELECT m.body_code, coalesce(b.name, m.body_code) AS body_name, m.supplier_key, m.rule, m.score, m.confidence, m.matched_to,
            coalesce(sum(r.lines), 0)::int AS lines, coalesce(sum(r.amount_pence), 0)::bigint AS total_pence
       FROM supplier_match m
       LEFT JOIN body b ON b.code = m.body_code
       LEFT JOIN spend_rollup_supplier r ON r.body_code = m.body_code AND r.supplier_key = m.supplier_key AND r.payee_kind = 'organisation'
      WHERE m.entity_key = $1 AND ($2::text[] IS NULL OR m.body_code = ANY($2::text[]))
      GROUP BY m.body_code, b.name, m.supplier_key, m.rule, m.score, m.confidence, m.matched_to
      ORDER BY 9 DESC, m.body_code, m.supplier_key`, [key, opts.bodyCodes ?? null]);
  const list = matches.map((m) => ({ ...m, total_pence: Number(m.total_pence), score: Number(m.score), confidence: Number(m.confidence) }));
  return { ...e, confidence: Number(e.confidence), matches: list, total_pence: list.reduce((s, m) => s + m.total_pence, 0) };
}

async function requireEntity(sql: Sql, keyOrName: string): Promise<SupplierEntity> {
  const key = await findEntityKey(sql, keyOrName);
  const e = key ? await getEntity(sql, key) : null;
  if (!e) throw new SupplierError(`No supplier "${keyOrName.trim()}" has been resolved. Run "totalplace suppliers resolve" after loading files, or check the name.`);
  return e;
}

/** Stores a decision about two names (replacing any earlier one about the same pair). */
async function decide(tx: Sql, a: string, b: string, kind: 'same' | 'different', actor: string): Promise<void> {
  const [x, y] = [lowerName(a), lowerName(b)].sort();
  if (x === y) return;
  await tx.query(
    `INSERT INTO supplier_decision (name_a, name_b, kind, actor) VALUES ($1, $2, $3, $4)
     ON CONFLICT (name_a, name_b) DO UPDATE SET kind = EXCLUDED.kind, actor = EXCLUDED.actor, at = now()`, [x, y, kind, actor]);
}

/** An entity's names, once each ignoring case, as the most-paid of its spellings (the matches come most-paid first). */
export function distinctNames(e: SupplierEntity): string[] {
  const byLower = new Map<string, string>();
  for (const m of e.matches) if (!byLower.has(lowerName(m.supplier_key))) byLower.set(lowerName(m.supplier_key), m.supplier_key);
  return [...byLower.values()];
}

/** Confirms that every name in an entity is the one supplier: the matches become people's decisions. */
export async function confirmSupplier(db: Database, keyOrName: string, actor: string): Promise<SupplierEntity> {
  return db.transaction(async (tx) => {
    const e = await requireEntity(tx, keyOrName);
    const names = distinctNames(e);
    const anchor = e.matches[0]?.supplier_key ?? e.name;
    for (const n of names) await decide(tx, anchor, n, 'same', actor);
    await tx.query(`UPDATE supplier_match SET rule = 'user-merge', score = 1, confidence = 1, matched_to = CASE WHEN lower(supplier_key) = $2 THEN matched_to ELSE $3 END
                     WHERE entity_key = $1 AND (SELECT count(*) FROM supplier_match x WHERE x.entity_key = $1) > 1`, [e.entity_key, lowerName(anchor), anchor]);
    await recountEntities(tx, [e.entity_key]);
    await recordAudit(tx, actor, 'suppliers.confirm', e.entity_key, { names });
    return (await getEntity(tx, e.entity_key))!;
  });
}

/** Merges other entities into the first: every name of each becomes part of it, by people's decision. */
export async function mergeSuppliers(db: Database, keysOrNames: string[], actor: string): Promise<SupplierEntity> {
  if (keysOrNames.length < 2) throw new SupplierError('Give at least two suppliers to merge: the one to keep first, then those to merge into it.');
  return db.transaction(async (tx) => {
    const target = await requireEntity(tx, keysOrNames[0]);
    const others: SupplierEntity[] = [];
    for (const k of keysOrNames.slice(1)) {
      const o = await requireEntity(tx, k);
      if (o.entity_key !== target.entity_key && !others.some((x) => x.entity_key === o.entity_key)) others.push(o);
    }
    if (others.length === 0) throw new SupplierError('Those names are already one supplier.');
    const anchor = target.matches[0]?.supplier_key ?? target.name;
    for (const o of others) {
      if (o.body_code && target.body_code && o.body_code !== target.body_code) {
        throw new SupplierError(`${o.name} and ${target.name} are different registered public bodies (${o.body_code}, ${target.body_code}); they cannot be one supplier.`);
      }
      for (const n of distinctNames(o)) await decide(tx, anchor, n, 'same', actor);
      await tx.query(`UPDATE supplier_match SET entity_key = $2, rule = 'user-merge', score = 1, confidence = 1, matched_to = $3 WHERE entity_key = $1`, [o.entity_key, target.entity_key, anchor]);
      if (!target.body_code && o.body_code) await tx.query('UPDATE supplier_entity SET body_code = $2, name = $3 WHERE entity_key = $1', [target.entity_key, o.body_code, o.name]);
    }
    const keys = [target.entity_key, ...others.map((o) => o.entity_key)];
    await tx.query('DELETE FROM insight_supplier_spread WHERE entity_key = ANY($1::text[])', [keys]);
    await recountEntities(tx, keys);
    await rebuildDerived(tx, [target.entity_key]);
    await recordAudit(tx, actor, 'suppliers.merge', target.entity_key, { merged: others.map((o) => ({ entity_key: o.entity_key, name: o.name })) });
    return (await getEntity(tx, target.entity_key))!;
  });
}

/** Takes one published name out of an entity into a supplier of its own, kept apart from the rest at every later run. */
export async function splitSupplier(db: Database, keyOrName: string, name: string, actor: string): Promise<{ from: SupplierEntity; to: SupplierEntity }> {
  return db.transaction(async (tx) => {
    const e = await requireEntity(tx, keyOrName);
    const n = lowerName(name);
    const moving = e.matches.filter((m) => lowerName(m.supplier_key) === n);
    if (moving.length === 0) throw new SupplierError(`"${name.trim()}" is not one of the names of ${e.name} (${e.entity_key}).`);
    const staying = distinctNames(e).filter((x) => lowerName(x) !== n);
    if (staying.length === 0) throw new SupplierError(`"${name.trim()}" is the only name of ${e.name}: there is nothing to split it from.`);
    for (const other of staying) await decide(tx, name, other, 'different', actor);
    const base = `org-${supplierKey(moving[0].supplier_key).key.replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80) || 'unnamed'}`;
    let key = base;
    for (let i = 2; (await tx.query('SELECT 1 FROM supplier_entity WHERE entity_key = $1', [key])).length; i++) key = `${base}-${i}`;
    await tx.query('INSERT INTO supplier_entity (entity_key, name, body_code, names, bodies, confidence) VALUES ($1, $2, NULL, 0, 0, 1)', [key, moving[0].supplier_key]);
    // The name may be published by several bodies: those records stay together as the same name.
    await tx.query(`UPDATE supplier_match SET entity_key = $3, rule = CASE WHEN $4 THEN 'same-name' ELSE 'single' END, score = 1, confidence = 1,
                           matched_to = CASE WHEN $4 THEN supplier_key END
                     WHERE entity_key = $1 AND lower(supplier_key) = $2`, [e.entity_key, n, key, moving.length > 1]);
    // The names left behind that were matched to the one moved now point at the entity's name.
    await tx.query(`UPDATE supplier_match SET matched_to = $2 WHERE entity_key = $1 AND lower(matched_to) = $3`, [e.entity_key, staying[0], n]);
    await tx.query('DELETE FROM insight_supplier_spread WHERE entity_key = $1', [e.entity_key]);
    await recountEntities(tx, [e.entity_key, key]);
    await rebuildDerived(tx, [e.entity_key, key]);
    await recordAudit(tx, actor, 'suppliers.split', e.entity_key, { name: moving[0].supplier_key, into: key });
    return { from: (await getEntity(tx, e.entity_key))!, to: (await getEntity(tx, key))! };
  });
}
