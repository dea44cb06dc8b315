// A body's saved column mapping: header (normalised) -> canonical field or 'ignore'. Used before any guess.
import type { Sql } from '../db/database.ts';
import { recordAudit } from '../db/audit.ts';
import { isCanonicalField, CANONICAL_FIELDS } from './fields.ts';
import { normaliseHeader, type SavedMapping } from './mapping.ts';

export class MappingError extends Error {}

export async function getSavedMapping(sql: Sql, bodyCode: string): Promise<SavedMapping> {
  const rows = await sql.query<{ mapping: SavedMapping }>('SELECT mapping FROM column_mapping WHERE body_code = $1', [bodyCode]);
  return rows[0]?.mapping ?? {};
}

/** Parses 'Header text=field' pairs, with plain-English errors. */
export function parseMappingPairs(pairs: string[]): SavedMapping {
  const out: SavedMapping = {};
  for (const p of pairs) {
    const eq = p.lastIndexOf('=');
    if (eq <= 0) throw new MappingError(`"${p}" should look like "Header text=field", e.g. "Paid On=date"`);
    const header = normaliseHeader(p.slice(0, eq));
    const field = p.slice(eq + 1).trim();
    if (!header) throw new MappingError(`"${p}": the header part is empty`);
    if (field !== 'ignore' && !isCanonicalField(field)) {
      throw new MappingError(`"${p}": "${field}" is not a field. Fields: ${CANONICAL_FIELDS.join(', ')}, or ignore`);
    }
    out[header] = field as SavedMapping[string];
  }
  return out;
}

/** Merges pairs into the body's saved mapping (or replaces it) and records who did it. */
export async function saveMapping(sql: Sql, bodyCode: string, changes: SavedMapping, actor: string, replace = false): Promise<SavedMapping> {
  const merged = replace ? changes : { ...(await getSavedMapping(sql, bodyCode)), ...changes };
  await sql.query(
    `INSERT INTO column_mapping (body_code, mapping, updated_by) VALUES ($1, $2, $3)
     ON CONFLICT (body_code) DO UPDATE SET mapping = EXCLUDED.mapping, updated_at = now(), updated_by = EXCLUDED.updated_by`,
    [bodyCode, JSON.stringify(merged), actor]);
  await recordAudit(sql, actor, 'mapping.save', bodyCode, changes);
  return merged;
}

export async function clearMapping(sql: Sql, bodyCode: string, actor: string): Promise<void> {
  await sql.query('DELETE FROM column_mapping WHERE body_code = $1', [bodyCode]);
  await recordAudit(sql, actor, 'mapping.clear', bodyCode);
}
