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
  };
}

export const homeDataDir = path.join(os.homedir(), '.totalplace');
