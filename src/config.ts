// Every setting in one place. Precedence: explicit option (CLI flag) > environment > default.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface Settings {
  /** PostgreSQL connection string; when set, PGlite is not used. */
  databaseUrl?: string;
  /** PostgreSQL schema to use (tests isolate themselves with one each). */
  databaseSchema?: string;
  /** Directory holding the embedded PGlite database. `memory://` keeps it in memory. */
  dataDir: string;
  /** Largest file the ingester accepts, in bytes. */
  maxUploadBytes: number;
  /** Lines per COPY batch sent to the database. */
  copyBatchLines: number;
  /** Web server: address and port to listen on. */
  host: string;
  port: number;
  /** Cookies marked Secure (browsers still accept them on http://localhost). Off only for plain-HTTP intranets. */
  cookieSecure: boolean;
  /** Signing key for CSRF tokens; generated and kept in the database when not given. */
  secret?: string;
  /** First-party analytics (page views, only after consent). Off: no analytics, no cookie banner. */
  analytics: boolean;
  /** Where uploaded files wait between the wizard's steps. */
  uploadDir: string;
  /** Sign-in attempts allowed per address per 15 minutes; uploads per user per hour. */
  signInLimit: number;
  uploadLimit: number;
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TOTALPLACE_DATA_DIR) return env.TOTALPLACE_DATA_DIR;
  // Inside a checkout keep data beside the code (var/ is git-ignored); otherwise under the home folder.
  return path.join(projectRoot, 'var', 'db');
}

export function loadSettings(overrides: Partial<Settings> = {}, env: NodeJS.ProcessEnv = process.env): Settings {
  return {
    databaseUrl: overrides.databaseUrl ?? (env.DATABASE_URL || undefined),
    databaseSchema: overrides.databaseSchema ?? (env.TOTALPLACE_DB_SCHEMA || undefined),
    dataDir: overrides.dataDir ?? defaultDataDir(env),
    maxUploadBytes: overrides.maxUploadBytes ?? Number(env.TOTALPLACE_MAX_UPLOAD_BYTES ?? 2 * 1024 ** 3),
    copyBatchLines: overrides.copyBatchLines ?? Number(env.TOTALPLACE_COPY_BATCH ?? 20000),
    host: overrides.host ?? (env.TOTALPLACE_HOST || '127.0.0.1'),
    port: overrides.port ?? Number(env.PORT ?? env.TOTALPLACE_PORT ?? 3000),
    cookieSecure: overrides.cookieSecure ?? !['0', 'false', 'no'].includes((env.TOTALPLACE_COOKIE_SECURE ?? '').toLowerCase()),
    secret: overrides.secret ?? (env.TOTALPLACE_SECRET || undefined),
    analytics: overrides.analytics ?? ['1', 'true', 'on', 'yes'].includes((env.TOTALPLACE_ANALYTICS ?? '').toLowerCase()),
    uploadDir: overrides.uploadDir ?? (env.TOTALPLACE_UPLOAD_DIR || path.join(projectRoot, 'var', 'uploads')),
    signInLimit: overrides.signInLimit ?? Number(env.TOTALPLACE_SIGNIN_LIMIT ?? 10),
    uploadLimit: overrides.uploadLimit ?? Number(env.TOTALPLACE_UPLOAD_LIMIT ?? 30),
  };
}

export const homeDataDir = path.join(os.homedir(), '.totalplace');
