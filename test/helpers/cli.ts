// Runs the `totalplace` command in-process against a given (test) database and captures its output,
// handling errors as src/cli/main.ts does. Usage: const r = await runCli(db, ['bodies', 'show', 'E07000120']).
import { Writable } from 'node:stream';
import { CommanderError, type Command } from 'commander';
import { buildProgram } from '../../src/cli/main.ts';
import { CliContext, UserError } from '../../src/cli/context.ts';
import type { Database } from '../../src/db/database.ts';

export interface CliResult { stdout: string; stderr: string; exitCode: number }

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** A CliContext using an already-open database, which it leaves open for the test to close. */
class TestCliContext extends CliContext {
  override readonly actor: string;
  constructor(private readonly testDb: Database, out: NodeJS.WritableStream, actor: string) {
    super({}, out);
    this.actor = actor;
  }
  override database(): Promise<Database> { return Promise.resolve(this.testDb); }
  override async close(): Promise<void> {}
}

export async function runCli(db: Database, args: string[], opts: { actor?: string } = {}): Promise<CliResult> {
  const out = new Capture();
  let stderr = '';
  let ctx: TestCliContext | undefined;
  const { program } = buildProgram(() => (ctx = new TestCliContext(db, out, opts.actor ?? 'cli:test')));
  // Subcommands copy output settings when created, so set them on every command.
  const configure = (cmd: Command) => {
    cmd.configureOutput({ writeOut: (s) => { out.text += s; }, writeErr: (s) => { stderr += s; } });
    cmd.commands.forEach(configure);
  };
  configure(program);
  let exitCode = 0;
  try {
    await program.parseAsync(args, { from: 'user' });
    exitCode = ctx?.exitCode ?? 0;
  } catch (err) {
    if (err instanceof CommanderError) exitCode = err.exitCode;
    else if (err instanceof UserError) { stderr += `totalplace: ${err.message}\n`; exitCode = err.exitCode; }
    else throw err;
  }
  return { stdout: out.text, stderr, exitCode };
}
