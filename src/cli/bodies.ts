// `totalplace bodies ...`: list, show, add and match public bodies in the register.
import type { Register } from './main.ts';
import { UserError, type CliContext } from './context.ts';
import { BodyError, createBody, findBody, listBodies, matchBodyByName, type Body } from '../place/bodies.ts';

const commaList = (value: string) => value.split(',').map((s) => s.trim()).filter(Boolean);
const collect = (value: string, previous: string[] = []) => [...previous, value];

function line(b: Body): string {
  return `${b.code.padEnd(20)} ${b.body_type.padEnd(18)} ${b.name}`;
}

/** Service errors are the user's to fix: show them without a stack trace. */
async function userErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof BodyError) throw new UserError(err.message);
    throw err;
  }
}

export const registerBodyCommands: Register = (program, context: () => CliContext) => {
  const bodies = program.command('bodies').description('the register of public bodies (councils, police, fire, NHS, ...)');

  bodies.command('list')
    .description('list registered bodies')
    .option('--type <type>', 'only bodies of this type (e.g. district, police, nhs_provider)')
    .option('--search <text>', 'only bodies whose code, name or alias contains this text')
    .option('--area <gss>', 'only bodies serving this area (GSS code)')
    .option('--json', 'print JSON')
    .action(async (opts: { type?: string; search?: string; area?: string; json?: boolean }) => {
      const ctx = context();
      const rows = await listBodies(await ctx.database(), opts);
      if (opts.json) return ctx.printJson(rows);
      for (const b of rows) ctx.print(line(b));
      ctx.print(`${rows.length} ${rows.length === 1 ? 'body' : 'bodies'}`);
    });

  bodies.command('show')
    .description('show one body')
    .argument('<code>', 'body code (GSS, ODS or org-id style)')
    .option('--json', 'print JSON')
    .action(async (code: string, opts: { json?: boolean }) => {
      const ctx = context();
      const db = await ctx.database();
      const body = await findBody(db, code);
      if (!body) throw new UserError(`No body with code ${code} is registered. Try: totalplace bodies list --search NAME`);
      // For a council's own area: who else serves it (county, police, fire, combined authority).
      const alsoServing = body.areas.includes(body.code)
        ? (await listBodies(db, { area: body.code })).filter((b) => b.code !== body.code) : [];
      if (opts.json) return ctx.printJson({ ...body, also_serving: alsoServing.map((b) => b.code) });
      const parent = body.parent_code ? await findBody(db, body.parent_code) : null;
      ctx.print(body.name);
      ctx.print(`  code:     ${body.code}`);
      ctx.print(`  type:     ${body.body_type}`);
      if (body.parent_code) ctx.print(`  parent:   ${body.parent_code}${parent ? ' ' + parent.name : ''}`);
      if (body.region) ctx.print(`  region:   ${body.region}`);
      ctx.print(`  areas:    ${body.areas.join(', ') || '(none)'}`);
      if (body.aliases.length) ctx.print(`  aliases:  ${body.aliases.join('; ')}`);
      ctx.print(`  source:   ${body.source}`);
      if (alsoServing.length) {
        ctx.print('  also serving this area:');
        for (const b of alsoServing) ctx.print(`    ${line(b)}`);
      }
    });

  bodies.command('add')
    .description('register a new body')
    .argument('<code>', 'stable code: GSS for councils and police force areas, ODS for NHS, org-id style otherwise')
    .requiredOption('--name <name>', 'the body\'s name')
    .requiredOption('--type <type>', 'body type (see `totalplace bodies list` for those in use)')
    .option('--areas <gss,...>', 'GSS codes of the areas it serves, comma-separated', commaList)
    .option('--parent <code>', 'code of the body it sits within (e.g. its county)')
    .option('--region <region>', 'region, e.g. North West')
    .option('--alias <name>', 'another name it is published under (repeatable)', collect)
    .option('--json', 'print JSON')
    .action(async (code: string, opts: { name: string; type: string; areas?: string[]; parent?: string; region?: string; alias?: string[]; json?: boolean }) => {
      const ctx = context();
      const db = await ctx.database();
      const body = await userErrors(() => db.transaction((tx) => createBody(tx, {
        code, name: opts.name, body_type: opts.type, areas: opts.areas, parent_code: opts.parent, region: opts.region, aliases: opts.alias,
      }, ctx.actor)));
      if (opts.json) return ctx.printJson(body);
      ctx.print(`Registered ${body.code} ${body.name} (${body.body_type}).`);
    });

  bodies.command('match')
    .description('find the registered body a payee or publisher name refers to')
    .argument('<name>', 'a name as written in a spending file, e.g. "WYRE BC"')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { json?: boolean }) => {
      const ctx = context();
      const body = await matchBodyByName(await ctx.database(), name);
      if (opts.json) return ctx.printJson({ query: name, match: body });
      ctx.print(body ? line(body) : `No registered body matches "${name}".`);
    });
};
