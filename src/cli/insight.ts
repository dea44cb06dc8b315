// `totalplace shared-suppliers | shared-categories | supplier-spread | opportunities PLACE` (the duplication
// finder), `totalplace suppliers resolve|show|confirm|merge|split|decisions` (supplier entities) and
// `totalplace returns import|list` (the register of data returns and inspections).
import fs from 'node:fs';
import type { Register } from './main.ts';
import { UserError, type CliContext } from './context.ts';
import { formatPence } from '../ledger/summary.ts';
import {
  DuplicationError, OPPORTUNITY_KIND_LABELS, opportunities, opportunityColumns, parseSavingPercent, setSavingAssumption,
  sharedCategories, sharedSuppliers, supplierSpread, type PlaceScope,
} from '../insight/duplication.ts';
import {
  confirmSupplier, getEntity, listDecisions, mergeSuppliers, resolveAll, splitSupplier, SupplierError, findEntityKey, type SupplierEntity,
} from '../insight/suppliers.ts';
import { importReturns, placeReturns, ReturnsError, ReturnsImportError } from '../insight/returns.ts';
import { csvChunks, table } from '../web/api/downloads.ts';

async function userErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof DuplicationError || err instanceof SupplierError || err instanceof ReturnsError || err instanceof ReturnsImportError) throw new UserError(err.message);
    throw err;
  }
}

const wholeNumber = (name: string) => (v: string) => {
  if (!/^\d{1,6}$/.test(v)) throw new UserError(`${name} must be a whole number (got "${v}").`);
  return Number(v);
};

function printScope(ctx: CliContext, s: PlaceScope, what: string): void {
  ctx.print(`${s.place.name} (${s.place.code}): ${what}, ${s.year ?? 'all years'}`);
  ctx.print(`  bodies: ${s.bodies.map((b) => `${b.name} (${b.code})`).join(', ') || 'none attached'}`);
  if (!s.resolution.at) ctx.print('  note: suppliers have not been resolved yet, so only names spelt alike (ignoring case) are matched. Run: totalplace suppliers resolve');
  else if (s.resolution.unresolved_names) ctx.print(`  note: ${s.resolution.unresolved_names.toLocaleString('en-GB')} names were loaded after suppliers were last resolved (${s.resolution.at}); they are matched only by spelling until: totalplace suppliers resolve`);
}

function printEntity(ctx: CliContext, e: SupplierEntity): void {
  ctx.print(`${e.name} (${e.entity_key})${e.body_code ? `: the registered public body ${e.body_code}` : ''}`);
  ctx.print(`  ${e.names} ${e.names === 1 ? 'name' : 'names'} at ${e.bodies} ${e.bodies === 1 ? 'body' : 'bodies'}, weakest match ${Math.round(e.confidence * 100)}% sure; paid ${formatPence(e.total_pence)}`);
  for (const m of e.matches) {
    const why = m.rule === 'single' ? 'on its own' : `${m.rule}${m.matched_to ? ` with "${m.matched_to}"` : ''}, score ${m.score.toFixed(3)}, ${Math.round(m.confidence * 100)}% sure`;
    ctx.print(`    ${m.body_code.padEnd(18)} ${m.supplier_key.slice(0, 50).padEnd(50)} ${formatPence(m.total_pence).padStart(16)}  ${why}`);
  }
}

export const registerInsightCommands: Register = (program, context: () => CliContext) => {
  program.command('shared-suppliers')
    .description('suppliers paid by two or more of a place\'s bodies, largest first, by body and year')
    .argument('<place>', 'place code')
    .option('--year <fy>', 'one financial year, e.g. 2023-24')
    .option('--min-bodies <n>', 'paid by at least this many bodies (default 2)', wholeNumber('--min-bodies'))
    .option('--limit <n>', 'show at most this many (default all)', wholeNumber('--limit'))
    .option('--json', 'print JSON')
    .action(async (place: string, opts: { year?: string; minBodies?: number; limit?: number; json?: boolean }) => {
      const ctx = context();
      const r = await userErrors(async () => sharedSuppliers(await ctx.database(), place, { year: opts.year, minBodies: opts.minBodies }));
      const list = opts.limit !== undefined ? r.suppliers.slice(0, opts.limit) : r.suppliers;
      if (opts.json) return ctx.printJson({ ...r, suppliers: list });
      printScope(ctx, r, 'suppliers paid by two or more bodies');
      ctx.print(`  ${r.suppliers.length} shared ${r.suppliers.length === 1 ? 'supplier' : 'suppliers'}, ${r.suppliers.filter((x) => x.bodies === r.bodies.length).length} paid by all ${r.bodies.length} bodies`);
      for (const x of list) {
        ctx.print(`  ${x.name.slice(0, 56).padEnd(56)} ${formatPence(x.total_pence).padStart(18)}  ${x.bodies} bodies${x.public_body ? `  [public body ${x.public_body}]` : ''}${x.entity_key ? `  (${x.entity_key})` : ''}`);
        for (const b of x.by_body) ctx.print(`      ${b.body_name.padEnd(48)} ${formatPence(b.total_pence).padStart(18)}  as "${b.spelling}"`);
      }
    });

  program.command('shared-categories')
    .description('the same category (theme, expense type, ProClass) bought separately by two or more of a place\'s bodies')
    .argument('<place>', 'place code')
    .option('--year <fy>', 'one financial year, e.g. 2023-24')
    .option('--json', 'print JSON')
    .action(async (place: string, opts: { year?: string; json?: boolean }) => {
      const ctx = context();
      const r = await userErrors(async () => sharedCategories(await ctx.database(), place, { year: opts.year }));
      if (opts.json) return ctx.printJson(r);
      printScope(ctx, r, 'categories bought by two or more bodies');
      for (const g of r.categories) {
        ctx.print(`  ${OPPORTUNITY_KIND_LABELS[g.kind].padEnd(18)} ${g.label.slice(0, 44).padEnd(44)} ${formatPence(g.total_pence).padStart(18)}  ${g.bodies.map((b) => b.body_code).join(', ')}`);
      }
    });

  program.command('supplier-spread')
    .description('what different bodies of a place pay one supplier for one kind of thing: smallest, median and largest payment')
    .argument('<place>', 'place code')
    .option('--year <fy>', 'one financial year, e.g. 2023-24')
    .option('--json', 'print JSON')
    .action(async (place: string, opts: { year?: string; json?: boolean }) => {
      const ctx = context();
      const r = await userErrors(async () => supplierSpread(await ctx.database(), place, { year: opts.year }));
      if (opts.json) return ctx.printJson(r);
      printScope(ctx, r, 'the spread of payments to shared suppliers');
      const p = (v: number | null) => (v === null ? '-' : formatPence(v));
      for (const g of r.groups) {
        ctx.print(`  ${g.name} — ${g.theme_label}: ${formatPence(g.total_pence)}${g.median_ratio ? `, highest median ${g.median_ratio}x the lowest` : ''}`);
        for (const b of g.bodies) ctx.print(`      ${b.body_name.padEnd(44)} ${String(b.payments).padStart(6)} payments  min ${p(b.min_pence)}  median ${p(b.median_pence)}  max ${p(b.max_pence)}`);
      }
    });

  program.command('opportunities')
    .description('collaborative procurement opportunities for a place: groups bought by several bodies, combined spend and estimated saving')
    .argument('<place>', 'place code')
    .option('--year <fy>', 'one financial year, e.g. 2023-24')
    .option('--saving-percent <n>', 'the saving to assume from buying together, e.g. 5 or 2.5 (default: the place\'s own, or 5%)')
    .option('--save', 'with --saving-percent: keep it as the place\'s assumption')
    .option('--json', 'print JSON')
    .option('--csv <file>', 'also write the opportunities to a CSV file')
    .action(async (place: string, opts: { year?: string; savingPercent?: string; save?: boolean; json?: boolean; csv?: string }) => {
      const ctx = context();
      const db = await ctx.database();
      if (opts.save && opts.savingPercent === undefined) throw new UserError('--save keeps the --saving-percent given: give --saving-percent too.');
      const bp = opts.savingPercent === undefined ? undefined : await userErrors(async () => parseSavingPercent(opts.savingPercent));
      if (opts.save) await userErrors(() => setSavingAssumption(db, place, opts.savingPercent, ctx.actor));
      const r = await userErrors(() => opportunities(db, place, { year: opts.year, savingBasisPoints: opts.save ? undefined : bp }));
      if (opts.csv) {
        let text = '';
        for await (const chunk of csvChunks(table('opportunities', opportunityColumns(r), r.opportunities))) text += chunk;
        fs.writeFileSync(opts.csv, text);
      }
      if (opts.json) return ctx.printJson(r);
      printScope(ctx, r, 'collaborative procurement opportunities');
      const a = r.assumption;
      ctx.print(`  assumed saving from buying together: ${a.percent}% (${a.source === 'place' ? `the place's assumption, set by ${a.updated_by}` : a.source === 'given' ? 'given for this run only; --save keeps it' : 'the default; set the place\'s own with --saving-percent N --save'})`);
      for (const kind of ['supplier', 'theme', 'expense_type', 'proclass'] as const) {
        const t = r.totals[kind];
        if (!t.groups) continue;
        ctx.print(`  ${OPPORTUNITY_KIND_LABELS[kind]}: ${t.groups} groups, ${formatPence(t.total_pence)} combined, estimated saving ${formatPence(t.saving_pence)} at ${a.percent}%`);
        for (const o of r.opportunities.filter((x) => x.kind === kind)) {
          ctx.print(`      ${o.label.slice(0, 48).padEnd(48)} ${formatPence(o.total_pence).padStart(18)}  saving ${formatPence(o.saving_pence).padStart(14)}  ${o.bodies.map((b) => b.code).join(', ')}`);
        }
      }
      if (opts.csv) ctx.print(`  written to ${opts.csv}`);
    });

  const suppliers = program.command('suppliers').description('supplier entities: payees resolved across bodies, and the decisions people make about them');

  suppliers.command('resolve')
    .description('resolve every organisation payee into supplier entities (people\'s decisions win); prints the counts')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const ctx = context();
      const s = await resolveAll(await ctx.database(), ctx.actor);
      if (opts.json) return ctx.printJson(s);
      ctx.print(`Resolved ${s.names.toLocaleString('en-GB')} published names into ${s.entities.toLocaleString('en-GB')} suppliers in ${(s.ms / 1000).toFixed(1)} s.`);
      ctx.print(`  paid by two or more bodies: ${s.shared.toLocaleString('en-GB')}`);
      ctx.print(`  names that are registered public bodies: ${s.public_body_names.toLocaleString('en-GB')}`);
      ctx.print(`  people's decisions applied: ${s.decisions.toLocaleString('en-GB')}`);
      ctx.print('  names by how they were matched:');
      for (const [rule, n] of Object.entries(s.by_rule).sort((a, b) => b[1] - a[1])) ctx.print(`    ${rule.padEnd(18)} ${n.toLocaleString('en-GB').padStart(10)}`);
    });

  suppliers.command('show')
    .description('a supplier entity: its names at each body, why each was matched and how sure')
    .argument('<supplier>', 'the supplier\'s key (such as org-grant-thornton) or one of its published names')
    .option('--json', 'print JSON')
    .action(async (supplier: string, opts: { json?: boolean }) => {
      const ctx = context();
      const db = await ctx.database();
      const key = await userErrors(() => findEntityKey(db, supplier));
      const e = key ? await getEntity(db, key) : null;
      if (!e) throw new UserError(`No supplier "${supplier}" has been resolved. Run "totalplace suppliers resolve" after loading files, or check the name.`);
      if (opts.json) return ctx.printJson(e);
      printEntity(ctx, e);
    });

  suppliers.command('confirm')
    .description('confirm that all the names of a supplier are one supplier (kept at every later resolution)')
    .argument('<supplier>', 'the supplier\'s key or one of its names')
    .action(async (supplier: string) => {
      const ctx = context();
      printEntity(ctx, await userErrors(async () => confirmSupplier(await ctx.database(), supplier, ctx.actor)));
    });

  suppliers.command('merge')
    .description('merge suppliers into the first one given (kept at every later resolution)')
    .argument('<suppliers...>', 'the supplier to keep, then those to merge into it (keys or names)')
    .action(async (list: string[]) => {
      const ctx = context();
      printEntity(ctx, await userErrors(async () => mergeSuppliers(await ctx.database(), list, ctx.actor)));
    });

  suppliers.command('split')
    .description('take one published name out of a supplier into one of its own (kept apart at every later resolution)')
    .argument('<supplier>', 'the supplier\'s key or one of its names')
    .requiredOption('--name <name>', 'the published name to take out')
    .action(async (supplier: string, opts: { name: string }) => {
      const ctx = context();
      const r = await userErrors(async () => splitSupplier(await ctx.database(), supplier, opts.name, ctx.actor));
      printEntity(ctx, r.from);
      printEntity(ctx, r.to);
    });

  suppliers.command('decisions')
    .description('the decisions people have made about supplier names')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const ctx = context();
      const list = await listDecisions(await ctx.database());
      if (opts.json) return ctx.printJson(list);
      if (!list.length) ctx.print('No decisions yet.');
      for (const d of list) ctx.print(`${d.at}  ${d.kind === 'same' ? 'same     ' : 'different'}  "${d.name_a}" / "${d.name_b}"  by ${d.actor}`);
    });

  const returns = program.command('returns').description('the register of data returns and inspections');

  returns.command('import')
    .description('import returns and inspections from a CSV file (body, kind, name, inspectorate_or_recipient, theme, start_date, end_date, staff_days); all or nothing')
    .argument('<file>', 'CSV file')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      const ctx = context();
      let bytes: Buffer;
      try { bytes = fs.readFileSync(file); } catch (err) { throw new UserError(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}.`); }
      const r = await userErrors(async () => importReturns(await ctx.database(), bytes, { source: file, actor: ctx.actor }));
      if (opts.json) return ctx.printJson(r);
      ctx.print(`${file}: ${r.rows} ${r.rows === 1 ? 'entry' : 'entries'} imported (${r.added} new, ${r.updated} updated).`);
    });

  returns.command('list')
    .description('the register for a place, and the themes reported or inspected more than once with the staff time they cost')
    .argument('<place>', 'place code')
    .option('--json', 'print JSON')
    .action(async (place: string, opts: { json?: boolean }) => {
      const ctx = context();
      const r = await userErrors(async () => placeReturns(await ctx.database(), place));
      if (opts.json) return ctx.printJson(r);
      ctx.print(`${r.place.name} (${r.place.code}): ${r.totals.entries} returns and inspections, ${r.totals.staff_days} staff days`);
      ctx.print(`  themes more than once: ${r.repeated.length}, costing ${r.totals.repeated_staff_days} staff days`);
      for (const t of r.repeated) ctx.print(`    ${t.theme.padEnd(36)} ${String(t.entries).padStart(3)} times  ${String(t.staff_days).padStart(8)} staff days  ${t.bodies.map((b) => b.body_code).join(', ')}  (${t.counterparts.join('; ')})`);
      ctx.print('  entries:');
      for (const e of r.entries) ctx.print(`    ${e.start_date}  ${e.kind.padEnd(10)} ${e.body_code.padEnd(18)} ${e.name.slice(0, 40).padEnd(40)} ${e.theme.slice(0, 24).padEnd(24)} ${String(e.staff_days).padStart(7)} days`);
    });
};
