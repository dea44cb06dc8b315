// The upload wizard's state: one `upload` row per file (body, user, stored file, status, preview,
// confirmed mapping, validation report, result), and the folder holding the file until it is loaded or
// abandoned. Status moves uploaded -> checking -> checked -> loading -> loaded | failed, or cancelled.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Sql } from '../../db/database.ts';
import type { SavedMapping } from '../../ingest/mapping.ts';
import type { FilePreview } from '../../ingest/preview.ts';
import type { DryRunResult, FileResult } from '../../ingest/service.ts';

export type UploadStatus = 'uploaded' | 'checking' | 'checked' | 'loading' | 'loaded' | 'failed' | 'cancelled';

/** The dry run's findings as stored: the first rejections only (all of them are in the CSV beside the file). */
export type UploadReport = Omit<DryRunResult, 'file' | 'rejections'> & { rejections: DryRunResult['rejections']; rejections_shown: number };

export type UploadResult = Omit<FileResult, 'file' | 'rejections'>;

export interface Upload {
  id: number;
  body_code: string;
  body_name: string;
  user_id: number;
  user_email: string;
  original_name: string;
  stored_path: string;
  size_bytes: number;
  status: UploadStatus;
  mapping: SavedMapping;
  mapping_saved: boolean;
  preview: FilePreview | null;
  report: UploadReport | null;
  result: UploadResult | null;
  error: string | null;
  progress_lines: number;
  created_at: string;
  updated_at: string;
}

/** How many rejections the stored report keeps for the page; the CSV download has all of them. */
export const REPORT_REJECTIONS = 500;
/** Uploads left unfinished this long are abandoned and their files deleted. */
export const ABANDON_AFTER_HOURS = 24;

const COLUMNS = `u.id::int AS id, u.body_code, b.name AS body_name, u.user_id::int AS user_id, a.email AS user_email,
  u.original_name, u.stored_path, u.size_bytes::bigint AS size_bytes, u.status, u.mapping, u.mapping_saved, u.preview,
  u.report, u.result, u.error, u.progress_lines::bigint AS progress_lines,
  to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS created_at,
  to_char(u.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS updated_at`;
const FROM = `upload u JOIN body b ON b.code = u.body_code JOIN app_user a ON a.id = u.user_id`;

export async function createUpload(sql: Sql, u: { body_code: string; user_id: number; original_name: string; stored_path: string; size_bytes: number; preview: FilePreview }): Promise<number> {
  const [{ id }] = await sql.query<{ id: number }>(
    `INSERT INTO upload (body_code, user_id, original_name, stored_path, size_bytes, status, preview)
     VALUES ($1, $2, $3, $4, $5, 'uploaded', $6::jsonb) RETURNING id::int AS id`,
    [u.body_code, u.user_id, u.original_name, u.stored_path, u.size_bytes, JSON.stringify(u.preview)]);
  return id;
}

export async function findUpload(sql: Sql, id: number): Promise<Upload | null> {
  const [row] = await sql.query<Upload>(`SELECT ${COLUMNS} FROM ${FROM} WHERE u.id = $1`, [id]);
  return row ?? null;
}

/** The most recent uploads by one user (or, without a user, by anyone). */
export async function listUploads(sql: Sql, f: { userId?: number; limit?: number } = {}): Promise<Upload[]> {
  return sql.query<Upload>(
    `SELECT ${COLUMNS} FROM ${FROM} WHERE ($1::bigint IS NULL OR u.user_id = $1) ORDER BY u.id DESC LIMIT $2`,
    [f.userId ?? null, f.limit ?? 20]);
}

type Changes = Partial<Pick<Upload, 'status' | 'body_code' | 'mapping' | 'mapping_saved' | 'preview' | 'report' | 'result' | 'error' | 'progress_lines'>>;
const JSON_COLUMNS = new Set(['mapping', 'preview', 'report', 'result']);

/**
 * Changes an upload, but only while its status is one of `from` (when given): two requests racing to
 * start the same step cannot both succeed. Returns whether the row changed.
 */
export async function updateUpload(sql: Sql, id: number, changes: Changes, from?: UploadStatus[]): Promise<boolean> {
  const sets: string[] = [];
  const params: unknown[] = [id];
  for (const [k, v] of Object.entries(changes)) {
    params.push(JSON_COLUMNS.has(k) && v !== null ? JSON.stringify(v) : v);
    sets.push(`${k} = $${params.length}${JSON_COLUMNS.has(k) ? '::jsonb' : ''}`);
  }
  let where = 'id = $1';
  if (from) { params.push(from); where += ` AND status = ANY($${params.length}::text[])`; }
  const rows = await sql.query(`UPDATE upload SET ${sets.join(', ')}, updated_at = now() WHERE ${where} RETURNING id`, params);
  return rows.length > 0;
}

// ---------- files ----------

/** A new folder of its own for one uploaded file, inside the uploads folder. */
export function newUploadFolder(uploadDir: string): string {
  fs.mkdirSync(uploadDir, { recursive: true });
  const dir = path.join(uploadDir, `u-${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`);
  fs.mkdirSync(dir, { mode: 0o700 });
  return dir;
}

/** The CSV of every rejection found by the dry run, kept beside the file. */
export const rejectionsPath = (storedPath: string) => path.join(path.dirname(storedPath), 'rejections.csv');

/** Deletes an upload's folder (the file and its rejections CSV); only ever inside the uploads folder. */
export async function removeUploadFolder(uploadDir: string, storedPath: string): Promise<void> {
  const dir = path.dirname(path.resolve(storedPath));
  const root = path.resolve(uploadDir);
  if (path.dirname(dir) !== root || !path.basename(dir).startsWith('u-')) return;
  await fs.promises.rm(dir, { recursive: true, force: true });
}

/**
 * Housekeeping, run when the uploads pages are used: uploads left unfinished for ABANDON_AFTER_HOURS
 * are cancelled; checks or loads this server is not running (it was restarted during them) are marked
 * failed — nothing of a load is kept, since a file loads in one transaction. Their files are deleted.
 */
export async function tidyUploads(sql: Sql, uploadDir: string, isRunning: (id: number) => boolean): Promise<void> {
  const stale = await sql.query<{ id: number; status: UploadStatus; stored_path: string; old: boolean }>(
    `SELECT id::int AS id, status, stored_path, updated_at < now() - make_interval(hours => $1) AS old
       FROM upload WHERE status IN ('uploaded', 'checking', 'checked', 'loading')`, [ABANDON_AFTER_HOURS]);
  for (const u of stale) {
    if ((u.status === 'checking' || u.status === 'loading') && !isRunning(u.id)) {
      const what = u.status === 'checking' ? 'checked' : 'loaded';
      if (await updateUpload(sql, u.id, { status: 'failed', error: `The server stopped while the file was being ${what}; nothing from it was loaded. Upload it again.` }, [u.status])) {
        await removeUploadFolder(uploadDir, u.stored_path);
      }
    } else if (u.old && (u.status === 'uploaded' || u.status === 'checked')) {
      if (await updateUpload(sql, u.id, { status: 'cancelled', error: `Abandoned: not finished within ${ABANDON_AFTER_HOURS} hours.` }, [u.status])) {
        await removeUploadFolder(uploadDir, u.stored_path);
      }
    }
  }
}
