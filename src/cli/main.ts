// The `totalplace` command. Each capability registers its own subcommands from src/cli/<capability>.ts.
import { Command, CommanderError } from 'commander';
import { CliContext, UserError, type GlobalOptions } from './context.ts';
import { registerIngestCommands } from './ingest.ts';
import { registerBodyCommands } from './bodies.ts';
import { registerClassifyCommands } from './classify.ts';
import { registerDemoCommands } from './demo.ts';
import { registerPlaceCommands } from './place.ts';
import { registerWebCommands } from './web.ts';
import { registerInsightCommands } from './insight.ts';

export type Register = (program: Command, context: () => CliContext) => void;

export function buildProgram(contextFactory?: (opts: GlobalOptions) => CliContext): { program: Command; context: () => CliContext } {
  const program = new Command('totalplace')
    .description('Count all public money spent in a place, across every public body, once.')
    .option('--data-dir <dir>', 'folder for the embedded database (env TOTALPLACE_DATA_DIR)')
    .option('--database-url <url>', 'PostgreSQL connection string (env DATABASE_URL); overrides --data-dir')
    .showHelpAfterError()
    .exitOverride();
  let ctx: CliContext | undefined;
  const context = () => (ctx ??= (contextFactory ?? ((o) => new CliContext(o)))(program.opts<GlobalOptions>()));
  for (const register of [registerIngestCommands, registerBodyCommands, registerClassifyCommands, registerDemoCommands, registerPlaceCommands, registerWebCommands, registerInsightCommands]) register(program, context);
  return { program, context };
}

export async function main(argv: string[]): Promise<void> {
  // `totalplace ... | head` closes stdout early: that is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => { if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0); else throw err; });
  const { program, context } = buildProgram();
  try {
    await program.parseAsync(argv);
    process.exitCode = context().exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
    } else if (err instanceof UserError) {
      process.stderr.write(`totalplace: ${err.message}\n`);
      process.exitCode = err.exitCode;
    } else {
      process.stderr.write(`totalplace: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 2;
    }
  } finally {
    await context().close().catch(() => undefined);
  }
}
