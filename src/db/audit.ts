// The audit trail: who did what, when. Every write that changes shared data records one row, in the same
// transaction as the change.
import type { Sql } from './database.ts';

export interface AuditEvent { id: number; at: string; actor: string; action: string; target: string; detail: unknown }

export async function recordAudit(sql: Sql, actor: string, action: string, target: string, detail: unknown = {}): Promise<void> {
  await sql.query('INSERT INTO audit_event (actor, action, target, detail) VALUES ($1, $2, $3, $4::jsonb)',
    [actor, action, target, JSON.stringify(detail ?? {})]);
}

export async function listAudit(sql: Sql, f: { actor?: string; action?: string; limit?: number; offset?: number } = {}): Promise<AuditEvent[]> {
  const rows = await sql.query<AuditEvent>(
    `SELECT id::int AS id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS at, actor, action, target, detail
       FROM audit_event
      WHERE ($1::text IS NULL OR actor = $1) AND ($2::text IS NULL OR action LIKE $2 || '%')
      ORDER BY id DESC LIMIT $3 OFFSET $4`, [f.actor ?? null, f.action ?? null, Math.min(f.limit ?? 100, 10000), Math.max(f.offset ?? 0, 0)]);
  return rows;
}
