// Accounts: people who sign in to change data. Each belongs to a body and has one role (see permissions.ts).
import { createHash, randomBytes } from 'node:crypto';
import type { Sql } from '../db/database.ts';
import { recordAudit } from '../db/audit.ts';
import { findBody, normaliseCode } from '../place/bodies.ts';
import { DUMMY_HASH, hashPassword, passwordProblem, verifyPassword } from './passwords.ts';
import { ROLES, type Role } from './permissions.ts';

export class AccountError extends Error {}

export interface User { id: number; email: string; name: string; body_code: string | null; body_name: string | null; role: Role; disabled: boolean }

const COLUMNS = `u.id::int AS id, u.email, u.name, u.body_code, b.name AS body_name, u.role, u.disabled`;
const FROM = `app_user u LEFT JOIN body b ON b.code = u.body_code`;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface UserInput { email: string; name: string; body_code?: string | null; role: Role; password: string }

async function checkRoleAndBody(sql: Sql, role: string, bodyCode: string | null | undefined): Promise<string | null> {
  if (!ROLES.includes(role as Role)) throw new AccountError(`Unknown role "${role}". Use one of: ${ROLES.join(', ')}.`);
  if (!bodyCode) {
    if (role !== 'admin') throw new AccountError('A viewer or editor must belong to a body: give its code.');
    return null;
  }
  const body = await findBody(sql, bodyCode);
  if (!body) throw new AccountError(`No body with code ${normaliseCode(bodyCode)} is registered.`);
  return body.code;
}

export async function createUser(sql: Sql, input: UserInput, actor: string): Promise<User> {
  const email = (input.email ?? '').trim().toLowerCase();
  if (!EMAIL.test(email) || email.length > 254) throw new AccountError(`"${input.email}" is not an email address.`);
  const name = (input.name ?? '').trim();
  if (!name || name.length > 200) throw new AccountError('Give the person\'s name (200 characters at most).');
  const problem = passwordProblem(input.password ?? '');
  if (problem) throw new AccountError(problem);
  const body = await checkRoleAndBody(sql, input.role, input.body_code);
  if ((await sql.query('SELECT 1 FROM app_user WHERE email = $1', [email])).length) throw new AccountError(`An account for ${email} already exists.`);
  const [{ id }] = await sql.query<{ id: number }>(
    'INSERT INTO app_user (email, name, body_code, role, password_hash) VALUES ($1, $2, $3, $4, $5) RETURNING id::int AS id',
    [email, name, body, input.role, await hashPassword(input.password)]);
  await recordAudit(sql, actor, 'user.create', email, { role: input.role, body_code: body });
  return (await findUser(sql, id))!;
}

export async function findUser(sql: Sql, id: number): Promise<User | null> {
  const [row] = await sql.query<User>(`SELECT ${COLUMNS} FROM ${FROM} WHERE u.id = $1`, [id]);
  return row ?? null;
}

export async function findUserByEmail(sql: Sql, email: string): Promise<User | null> {
  const [row] = await sql.query<User>(`SELECT ${COLUMNS} FROM ${FROM} WHERE u.email = $1`, [email.trim().toLowerCase()]);
  return row ?? null;
}

export async function listUsers(sql: Sql): Promise<User[]> {
  return sql.query<User>(`SELECT ${COLUMNS} FROM ${FROM} ORDER BY u.email`);
}

export async function countUsers(sql: Sql): Promise<number> {
  const [{ n }] = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM app_user');
  return n;
}

export async function updateUser(sql: Sql, id: number, changes: { role?: Role; body_code?: string | null; disabled?: boolean; password?: string; name?: string }, actor: string): Promise<User> {
  const before = await findUser(sql, id);
  if (!before) throw new AccountError(`No account with id ${id}.`);
  const role = changes.role ?? before.role;
  const body = await checkRoleAndBody(sql, role, changes.body_code === undefined ? before.body_code : changes.body_code);
  let hash: string | null = null;
  if (changes.password !== undefined) {
    const problem = passwordProblem(changes.password);
    if (problem) throw new AccountError(problem);
    hash = await hashPassword(changes.password);
  }
  await sql.query(
    `UPDATE app_user SET role = $2, body_code = $3, disabled = coalesce($4, disabled), password_hash = coalesce($5, password_hash), name = coalesce($6, name) WHERE id = $1`,
    [id, role, body, changes.disabled ?? null, hash, changes.name?.trim() || null]);
  // A change of role, body or password ends the person's other sessions.
  if (hash || changes.disabled || role !== before.role || body !== before.body_code) await sql.query('DELETE FROM user_session WHERE user_id = $1', [id]);
  const { password: _omit, ...logged } = changes;
  await recordAudit(sql, actor, 'user.update', before.email, { ...logged, password_changed: hash !== null });
  return (await findUser(sql, id))!;
}

/** The user for an email and password, or null. Unknown emails cost the same time as wrong passwords. */
export async function authenticate(sql: Sql, email: string, password: string): Promise<User | null> {
  const [row] = await sql.query<{ id: number; password_hash: string; disabled: boolean }>(
    'SELECT id::int AS id, password_hash, disabled FROM app_user WHERE email = $1', [email.trim().toLowerCase()]);
  const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
  if (!row || !ok || row.disabled) return null;
  return findUser(sql, row.id);
}

// ---------- sessions ----------

export const SESSION_HOURS = 8;
const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/** Starts a session and returns the token for the cookie (only its hash is stored). */
export async function createSession(sql: Sql, userId: number): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await sql.query(`INSERT INTO user_session (token_hash, user_id, expires_at) VALUES ($1, $2, now() + make_interval(hours => $3))`,
    [tokenHash(token), userId, SESSION_HOURS]);
  // Housekeeping: expired sessions go whenever someone signs in.
  await sql.query('DELETE FROM user_session WHERE expires_at < now()');
  return token;
}

export async function sessionUser(sql: Sql, token: string): Promise<User | null> {
  if (!token || token.length > 100) return null;
  const [row] = await sql.query<User>(
    `SELECT ${COLUMNS} FROM user_session s JOIN ${FROM} ON u.id = s.user_id
      WHERE s.token_hash = $1 AND s.expires_at > now() AND NOT u.disabled`, [tokenHash(token)]);
  return row ?? null;
}

export async function endSession(sql: Sql, token: string): Promise<void> {
  await sql.query('DELETE FROM user_session WHERE token_hash = $1', [tokenHash(token)]);
}
