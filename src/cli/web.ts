// CLI: `totalplace serve` starts the web application (loading the demonstration place into an empty
// database first), and `totalplace users ...` manages accounts.
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Option } from 'commander';
import type { Register } from './main.ts';
import { UserError } from './context.ts';
import { projectRoot } from '../config.ts';
import { ledgerIsEmpty, loadDemoPlace } from '../demo/load.ts';
import { openDatabase } from '../db/open.ts';
import { AccountError, countUsers, createUser, listUsers, updateUser, findUserByEmail } from '../accounts/users.ts';
import { ROLES, type Role } from '../accounts/permissions.ts';
import { listAudit } from '../db/audit.ts';

export const registerWebCommands: Register = (program, context) => {
  program.command('serve')
    .description('Start the web application (loads the demonstration place first when the ledger is empty)')
    .option('--port <n>', 'port (env PORT; default 3000; 0 picks a free one)', (v) => Number(v))
    .option('--host <address>', 'address to listen on (env TOTALPLACE_HOST; default 127.0.0.1)')
    .option('--no-demo', 'do not load the demonstration place into an empty ledger')
    .action(async (o: { port?: number; host?: string; demo: boolean }) => {
      const ctx = context();
      const settings = { ...ctx.settings, port: o.port ?? ctx.settings.port, host: o.host ?? ctx.settings.host };
      // The embedded database runs in a thread of its own here, so pages keep being served while a
      // large upload is loaded or a count is computed.
      const db = await openDatabase({ ...settings, pgliteThread: true });
      if (o.demo && (await ledgerIsEmpty(db))) {
        ctx.print('The ledger is empty: loading the demonstration place "Demo Vale" (invented data)...');
        await loadDemoPlace(db, path.join(projectRoot, 'var', 'demo'), ctx.actor);
      }
      if ((await countUsers(db)) === 0) {
        // First start: one place administrator with a random password, shown once, so the partners'
        // area can be tried at once; nothing is guessable.
        const password = randomBytes(12).toString('base64url');
        await createUser(db, { email: 'admin@localhost.localdomain', name: 'Place administrator', role: 'admin', password }, ctx.actor);
        ctx.print(`No accounts existed, so one was made. Sign in as admin@localhost.localdomain with password ${password}`);
        ctx.print('(shown only now; change it with "totalplace users password admin@localhost.localdomain").');
      }
      // Loaded here, not at the top: every other command starts without the web stack (express, templates).
      const { startServer } = await import('../web/server.ts');
      const running = await startServer(db, settings);
      ctx.print(`Total Place is running at ${running.url}  (stop with Ctrl+C)`);
      await new Promise<void>((resolve) => {
        const stop = () => { running.close().then(resolve, resolve); };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await db.close();
    });

  const users = program.command('users').description('Accounts for the web application');
  const passwordFrom = (p?: string) => p ?? process.env.TOTALPLACE_PASSWORD ?? '';
  const wrap = <A extends unknown[]>(fn: (...a: A) => Promise<void>) => async (...a: A) => {
    try { await fn(...a); } catch (err) { if (err instanceof AccountError) throw new UserError(err.message); throw err; }
  };
  const byEmail = async (email: string) => {
    const u = await findUserByEmail(await context().database(), email);
    if (!u) throw new UserError(`No account for ${email}.`);
    return u;
  };

  users.command('list').option('--json').action(wrap(async (o: { json?: boolean }) => {
    const ctx = context();
    const list = await listUsers(await ctx.database());
    if (o.json) return ctx.printJson(list);
    for (const u of list) ctx.print(`${u.email.padEnd(36)} ${u.role.padEnd(7)} ${(u.body_code ?? '').padEnd(18)} ${u.name}${u.disabled ? '  (disabled)' : ''}`);
  }));

  users.command('add')
    .requiredOption('--email <email>').requiredOption('--name <name>')
    .addOption(new Option('--role <role>').choices([...ROLES]).makeOptionMandatory())
    .option('--body <code>', 'the body the person works for (required for viewer and editor)')
    .option('--password <password>', 'at least 12 characters (or env TOTALPLACE_PASSWORD)')
    .action(wrap(async (o: { email: string; name: string; role: Role; body?: string; password?: string }) => {
      const ctx = context();
      const u = await createUser(await ctx.database(), { email: o.email, name: o.name, role: o.role, body_code: o.body, password: passwordFrom(o.password) }, ctx.actor);
      ctx.print(`Added ${u.email} (${u.role}${u.body_code ? `, ${u.body_code}` : ''}).`);
    }));

  users.command('set').argument('<email>')
    .addOption(new Option('--role <role>').choices([...ROLES]))
    .option('--body <code>').option('--disable').option('--enable')
    .action(wrap(async (email: string, o: { role?: Role; body?: string; disable?: boolean; enable?: boolean }) => {
      const ctx = context();
      const u = await byEmail(email);
      const after = await updateUser(await ctx.database(), u.id, { role: o.role, body_code: o.body, disabled: o.disable ? true : o.enable ? false : undefined }, ctx.actor);
      ctx.print(`${after.email}: ${after.role}${after.body_code ? `, ${after.body_code}` : ''}${after.disabled ? ', disabled' : ''}.`);
    }));

  users.command('password').argument('<email>').option('--password <password>', 'the new password (or env TOTALPLACE_PASSWORD)')
    .action(wrap(async (email: string, o: { password?: string }) => {
      const ctx = context();
      const u = await byEmail(email);
      await updateUser(await ctx.database(), u.id, { password: passwordFrom(o.password) }, ctx.actor);
      ctx.print(`Password changed for ${u.email}; their sessions have ended.`);
    }));

  program.command('audit').description('The audit trail: who did what, newest first')
    .option('--actor <actor>').option('--action <prefix>').option('--limit <n>', 'rows', (v) => Number(v), 50).option('--json')
    .action(async (o: { actor?: string; action?: string; limit: number; json?: boolean }) => {
      const ctx = context();
      const rows = await listAudit(await ctx.database(), o);
      if (o.json) return ctx.printJson(rows);
      for (const r of rows) ctx.print(`${r.at}  ${r.actor.padEnd(30)} ${r.action.padEnd(20)} ${r.target}`);
    });
};
