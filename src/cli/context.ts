// What every command needs: settings from flags + environment, a lazily opened database,
// and output helpers that keep --json output to exactly one JSON document on stdout.
import os from 'node:os';
import { loadSettings, type Settings } from '../config.ts';
import type { Database } from '../db/database.ts';
import { openDatabase } from '../db/open.ts';

export interface GlobalOptions { dataDir?: string; databaseUrl?: string }

export class CliContext {
  readonly settings: Settings;
  private db?: Promise<Database>;
  readonly actor: string;
  /** The exit status a command wants when it finishes without throwing (e.g. some files failed). */
  exitCode = 0;
  constructor(opts: GlobalOptions, readonly out: NodeJS.WritableStream = process.stdout) {
    this.settings = loadSettings({ dataDir: opts.dataDir, databaseUrl: opts.databaseUrl });
    this.actor = `cli:${os.userInfo().username || 'unknown'}`;
  }
  database(): Promise<Database> {
    this.db ??= openDatabase(this.settings);
    return this.db;
  }
  async close(): Promise<void> {
    if (this.db) await (await this.db).close();
  }
  print(text = ''): void { this.out.write(text + '\n'); }
  fail(code = 1): void { this.exitCode = Math.max(this.exitCode, code); }
  printJson(value: unknown): void { this.out.write(JSON.stringify(value, null, 2) + '\n'); }
}

/** An error whose message is meant for the user as it stands (no stack trace). */
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 1) { super(message); }
}
