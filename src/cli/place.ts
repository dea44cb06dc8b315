// `totalplace place ...` (places, their bodies and attribution rules, definition files), `totalplace count`
// (the count for a place), `totalplace population ...` and `totalplace deflator ...` (the reference figures).
import fs from 'node:fs';
import type { Register } from './main.ts';
import { UserError, type CliContext } from './context.ts';
import {
  attachBody, createPlace, definitionOf, deletePlace, detachBody, findPlace, importPlace, listPlaces, PlaceError,
  setPlacePopulation, updatePlace, type Place,
} from '../place/places.ts';
import { AttributionError, RULES, type Rule } from '../place/attribution.ts';
import { countPlace } from '../place/count-service.ts';
import type { CountResult } from '../place/count.ts';
import { deepDive, type DeepDiveResult } from '../place/deep-dive.ts';
import { comparePlaces, type CompareResult } from '../place/count-compare.ts';
import { clearAreaPopulation, clearDeflator, deflatorSeries, listAreaPopulation, setAreaPopulation, setDeflator } from '../place/figures.ts';
import { formatPence } from '../ledger/summary.ts';

const commaList = (value: string) => value.split(',').map((s) => s.trim()).filter(Boolean);

async function userErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof PlaceError || err instanceof AttributionError) throw new UserError(err.message);
    throw err;
  }
}

function printPlace(ctx: CliContext, p: Place): void {
  ctx.print(`${p.name} (${p.code}), version ${p.version}`);
  ctx.print(`  areas:      ${p.areas.join(', ')}`);
  if (p.population_override !== null) ctx.print(`  population: ${p.population_override.toLocaleString('en-GB')} (set by hand)`);
  if (p.bodies.length === 0) ctx.print('  bodies:     none attached (totalplace place attach CODE --body B --rule direct)');
  else ctx.print('  bodies:');
  for (const b of p.bodies) {
    const driver = b.driver ? ` (${b.driver.name}: ${b.driver.place_value} of ${b.driver.body_total})` : '';
    ctx.print(`    ${b.body_code.padEnd(20)} ${b.rule.padEnd(17)} ${b.body_name}${driver}${b.note ? ` — ${b.note}` : ''}`);
  }
}

const pct = (share: number | null) => (share === null ? '-' : `${(share * 100).toFixed(1)}%`);

function printCount(ctx: CliContext, c: CountResult): void {
  ctx.print(`${c.name} (${c.place}, definition version ${c.place_version}): ${c.year ?? 'no spend loaded'}`);
  ctx.print(`  total:      ${formatPence(c.total_pence)}`);
  ctx.print(`  population: ${c.population === null ? 'not known' : c.population.toLocaleString('en-GB')} (${c.population_detail.source})`);
  ctx.print(`  per head:   ${c.per_head_pence === null ? '-' : formatPence(c.per_head_pence)}`);
  ctx.print('  by body:');
  for (const b of c.bodies) {
    ctx.print(`    ${b.name} (${b.code}): ${formatPence(b.attributed_pence)} of ${formatPence(b.gross_pence)} [${b.rule}, ${b.factor.numerator}/${b.factor.denominator}]`
      + (b.netted_pence ? `, ${formatPence(b.netted_pence)} paid to the place's other bodies netted` : ''));
    ctx.print(`      ${b.explanation}`);
  }
  ctx.print('  by theme:');
  for (const [code, t] of Object.entries(c.by_theme)) ctx.print(`    ${t.label.padEnd(36)} ${formatPence(t.pence).padStart(18)} ${pct(t.share).padStart(7)}  (${code})`);
  ctx.print('  by prevention level:');
  for (const t of Object.values(c.by_prevention)) ctx.print(`    ${t.label.padEnd(36)} ${formatPence(t.pence).padStart(18)} ${pct(t.share).padStart(7)}`);
  ctx.print(`  social protection, education and health: ${formatPence(c.social_protection_education_health_share.pence)} (${pct(c.social_protection_education_health_share.share)})`);
  ctx.print(`  netted between the place's bodies: ${formatPence(c.netting.netted_pence)} (total reduced by ${formatPence(c.netting.reduction_pence)})`);
  for (const f of c.netting.flows) ctx.print(`    ${f.from_name} -> ${f.to_name}: ${formatPence(f.pence)}${f.netted ? '' : ' (not netted)'}`);
  if (Object.keys(c.by_year).length) {
    ctx.print(`  year on year (real terms at ${c.real_terms.base_year} prices):`);
    for (const [fy, y] of Object.entries(c.by_year)) ctx.print(`    ${fy}  cash ${formatPence(y.total_pence).padStart(18)}  real ${y.real_pence === null ? '-'.padStart(18) : formatPence(y.real_pence).padStart(18)}`);
  }
  for (const n of c.notes) ctx.print(`  note: ${n}`);
}

function printDeepDive(ctx: CliContext, d: DeepDiveResult): void {
  ctx.print(`${d.name} (${d.place}, definition version ${d.place_version}): ${d.theme.label} (${d.theme.code}), ${d.year ?? 'no spend loaded'}`);
  ctx.print(`  total:      ${formatPence(d.total_pence)}`);
  ctx.print(`  per head:   ${d.per_head_pence === null ? '-' : formatPence(d.per_head_pence)}${d.population === null ? '' : ` (population ${d.population.toLocaleString('en-GB')})`}`);
  ctx.print('  by body:');
  for (const b of d.bodies) {
    ctx.print(`    ${b.name} (${b.code}): ${formatPence(b.attributed_pence)} of ${formatPence(b.gross_pence)} [${b.rule}, ${b.factor.numerator}/${b.factor.denominator}]`
      + (b.netted_pence ? `, ${formatPence(b.netted_pence)} netted` : ''));
  }
  ctx.print('  by prevention level:');
  for (const p of Object.values(d.by_prevention)) ctx.print(`    ${p.label.padEnd(36)} ${formatPence(p.pence).padStart(18)} ${pct(p.share).padStart(7)}`);
  ctx.print(`  services (top ${d.services.length}):`);
  for (const s of d.services) ctx.print(`    ${(s.service_area || '(not given)').slice(0, 44).padEnd(44)} ${formatPence(s.attributed_pence).padStart(18)}  ${s.body_code}`);
  if (d.services_other.services) ctx.print(`    ${`all ${d.services_other.services.toLocaleString('en-GB')} others`.padEnd(44)} ${formatPence(d.services_other.attributed_pence).padStart(18)}`);
  ctx.print(`  suppliers (top ${d.suppliers.length}):`);
  for (const s of d.suppliers) ctx.print(`    ${(s.supplier_name || '(not given)').slice(0, 44).padEnd(44)} ${formatPence(s.attributed_pence).padStart(18)}  ${s.bodies.join(', ')}`);
  if (d.suppliers_other.suppliers) ctx.print(`    ${`all ${d.suppliers_other.suppliers.toLocaleString('en-GB')} others`.padEnd(44)} ${formatPence(d.suppliers_other.attributed_pence).padStart(18)}`);
  ctx.print('  by month:');
  for (const m of d.months) ctx.print(`    ${m.month}  ${formatPence(m.attributed_pence).padStart(18)}  (${m.lines.toLocaleString('en-GB')} lines)`);
  ctx.print(`  top transactions (of ${d.top_transactions.total_lines.toLocaleString('en-GB')}):`);
  for (const l of d.top_transactions.lines) {
    ctx.print(`    ${l.payment_date}  ${formatPence(l.amount_pence).padStart(16)}  ${(l.supplier_name ?? '').slice(0, 36).padEnd(36)}  ${l.body_code} ${l.file_name}${l.sheet ? ` [${l.sheet}]` : ''} line ${l.line_no}`);
  }
  for (const n of d.notes) ctx.print(`  note: ${n}`);
}

function printCompare(ctx: CliContext, c: CompareResult): void {
  const [a, b] = c.places;
  const head = (p: number | null) => (p === null ? '-' : formatPence(p));
  ctx.print(`${a.name} (${a.code}) and ${b.name} (${b.code}): ${c.year ?? 'no spend loaded'}, per head`);
  ctx.print(`  ${''.padEnd(36)} ${a.code.slice(0, 14).padStart(14)} ${b.code.slice(0, 14).padStart(14)} ${'difference'.padStart(14)}`);
  ctx.print(`  ${'population'.padEnd(36)} ${(a.population?.toLocaleString('en-GB') ?? '-').padStart(14)} ${(b.population?.toLocaleString('en-GB') ?? '-').padStart(14)}`);
  const line = (label: string, r: CompareResult['total']) =>
    ctx.print(`  ${label.slice(0, 36).padEnd(36)} ${head(r.a.per_head_pence).padStart(14)} ${head(r.b.per_head_pence).padStart(14)} ${head(r.difference_per_head_pence).padStart(14)}`);
  line('Total', c.total);
  ctx.print('  by theme:');
  for (const r of Object.values(c.by_theme)) line(r.label, r);
  ctx.print('  by prevention level:');
  for (const r of Object.values(c.by_prevention)) line(r.label, r);
  ctx.print(`  totals: ${a.code} ${formatPence(a.total_pence)}, ${b.code} ${formatPence(b.total_pence)}`);
  for (const n of c.notes) ctx.print(`  note: ${n}`);
}

export const registerPlaceCommands: Register = (program, context: () => CliContext) => {
  const place = program.command('place').description('places: areas, the bodies serving them and how their spend is attributed');

  place.command('create')
    .description('create a place from one or more GSS areas')
    .argument('<code>', 'a code for the place, e.g. HYNDBURN')
    .requiredOption('--name <name>', 'the place\'s name')
    .requiredOption('--areas <gss,...>', 'GSS codes of the areas it is made of, comma-separated', commaList)
    .option('--population <n>', 'population to use for per-head figures instead of the ONS figures')
    .option('--json', 'print JSON')
    .action(async (code: string, opts: { name: string; areas: string[]; population?: string; json?: boolean }) => {
      const ctx = context();
      const p = await userErrors(async () => createPlace(await ctx.database(), { code, name: opts.name, areas: opts.areas, population_override: opts.population ? Number(opts.population.replace(/,/g, '')) : null }, ctx.actor));
      if (opts.json) return ctx.printJson(p);
      printPlace(ctx, p);
    });

  place.command('edit')
    .description('change a place\'s name or areas')
    .argument('<code>', 'place code')
    .option('--name <name>', 'new name')
    .option('--areas <gss,...>', 'new list of GSS codes', commaList)
    .action(async (code: string, opts: { name?: string; areas?: string[] }) => {
      const ctx = context();
      printPlace(ctx, await userErrors(async () => updatePlace(await ctx.database(), code, opts, ctx.actor)));
    });

  place.command('attach')
    .description('attach a body to a place with an attribution rule (again to change the rule)')
    .argument('<code>', 'place code')
    .requiredOption('--body <code>', 'body code')
    .requiredOption('--rule <rule>', `one of ${RULES.join(', ')}`)
    .option('--driver-name <name>', 'driver_share: what the driver counts, e.g. caseload')
    .option('--driver-place <n>', 'driver_share: the figure for the place')
    .option('--driver-total <n>', 'driver_share: the figure for everything the body serves')
    .option('--note <text>', 'why this rule (kept with the definition)')
    .action(async (code: string, opts: { body: string; rule: string; driverName?: string; driverPlace?: string; driverTotal?: string; note?: string }) => {
      const ctx = context();
      if (!RULES.includes(opts.rule as Rule)) throw new UserError(`Unknown rule "${opts.rule}". Use one of: ${RULES.join(', ')}.`);
      const anyDriver = opts.driverName !== undefined || opts.driverPlace !== undefined || opts.driverTotal !== undefined;
      if (anyDriver && !(opts.driverName && opts.driverPlace && opts.driverTotal)) throw new UserError('A driver needs all three of --driver-name, --driver-place and --driver-total.');
      const driver = anyDriver ? { name: opts.driverName!, place_value: opts.driverPlace!, body_total: opts.driverTotal! } : null;
      const p = await userErrors(async () => attachBody(await ctx.database(), code, { body: opts.body, rule: opts.rule as Rule, driver, note: opts.note }, ctx.actor));
      printPlace(ctx, p);
    });

  place.command('detach')
    .description('remove a body from a place')
    .argument('<code>', 'place code')
    .requiredOption('--body <code>', 'body code')
    .action(async (code: string, opts: { body: string }) => {
      const ctx = context();
      printPlace(ctx, await userErrors(async () => detachBody(await ctx.database(), code, opts.body, ctx.actor)));
    });

  place.command('show')
    .description('show a place, its areas and bodies')
    .argument('<code>', 'place code')
    .option('--json', 'print JSON')
    .action(async (code: string, opts: { json?: boolean }) => {
      const ctx = context();
      const p = await findPlace(await ctx.database(), code);
      if (!p) throw new UserError(`No place with code ${code.toUpperCase()}. See: totalplace place list`);
      if (opts.json) return ctx.printJson(p);
      printPlace(ctx, p);
    });

  place.command('list')
    .description('list places')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const ctx = context();
      const rows = await listPlaces(await ctx.database());
      if (opts.json) return ctx.printJson(rows);
      for (const p of rows) ctx.print(`${p.code.padEnd(24)} v${String(p.version).padEnd(4)} ${String(p.bodies).padStart(3)} bodies  ${p.name}`);
      ctx.print(`${rows.length} ${rows.length === 1 ? 'place' : 'places'}`);
    });

  place.command('export')
    .description('save a place\'s definition (versioned) to a JSON file')
    .argument('<code>', 'place code')
    .argument('<file>', 'file to write')
    .action(async (code: string, file: string) => {
      const ctx = context();
      const p = await findPlace(await ctx.database(), code);
      if (!p) throw new UserError(`No place with code ${code.toUpperCase()}. See: totalplace place list`);
      fs.writeFileSync(file, JSON.stringify(definitionOf(p), null, 2) + '\n');
      ctx.print(`Wrote ${p.code} version ${p.version} to ${file}`);
    });

  place.command('import')
    .description('create or replace a place from a definition file')
    .argument('<file>', 'a file written by place export')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      const ctx = context();
      let value: unknown;
      try {
        value = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch (err) {
        throw new UserError(`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not valid JSON (${(err as Error).message})`}`);
      }
      const r = await userErrors(async () => importPlace(await ctx.database(), value, ctx.actor, file));
      if (opts.json) return ctx.printJson(r);
      ctx.print(r.created ? `Created ${r.place.code} version ${r.place.version} from ${file}`
        : r.changed ? `Updated ${r.place.code} to version ${r.place.version} from ${file}` : `${r.place.code} already matches ${file} (version ${r.place.version}): nothing changed`);
    });

  place.command('population')
    .description('set (or clear) the population used for a place\'s per-head figures')
    .argument('<code>', 'place code')
    .option('--set <n>', 'the population')
    .option('--clear', 'go back to the sum of the areas\' populations')
    .action(async (code: string, opts: { set?: string; clear?: boolean }) => {
      const ctx = context();
      if (!!opts.set === !!opts.clear) throw new UserError('Give either --set N or --clear.');
      const n = opts.set ? Number(opts.set.replace(/,/g, '')) : null;
      printPlace(ctx, await userErrors(async () => setPlacePopulation(await ctx.database(), code, n, ctx.actor)));
    });

  place.command('delete')
    .description('delete a place (its history goes too; export it first to keep it)')
    .argument('<code>', 'place code')
    .action(async (code: string) => {
      const ctx = context();
      await userErrors(async () => deletePlace(await ctx.database(), code, ctx.actor));
      ctx.print(`Deleted ${code.toUpperCase()}`);
    });

  program.command('count')
    .description('count all public money spent in a place, once, per head, by body, theme and year')
    .argument('<place>', 'place code')
    .option('--year <fy>', 'financial year, e.g. 2023-24 (default: the latest with spend)')
    .option('--json', 'print JSON')
    .action(async (code: string, opts: { year?: string; json?: boolean }) => {
      const ctx = context();
      const c = await userErrors(async () => countPlace(await ctx.database(), code, { year: opts.year }));
      if (opts.json) return ctx.printJson(c);
      printCount(ctx, c);
    });

  program.command('deep-dive')
    .description('a theme in depth for a place: bodies, services, suppliers, months, prevention levels, top transactions')
    .argument('<place>', 'place code')
    .requiredOption('--theme <code>', 'theme code, e.g. adult-social-care')
    .option('--year <fy>', 'financial year, e.g. 2023-24 (default: the latest with spend)')
    .option('--json', 'print JSON')
    .action(async (code: string, opts: { theme: string; year?: string; json?: boolean }) => {
      const ctx = context();
      const d = await userErrors(async () => deepDive(await ctx.database(), code, opts.theme, { year: opts.year }));
      if (opts.json) return ctx.printJson(d);
      printDeepDive(ctx, d);
    });

  program.command('compare')
    .description('two places side by side, per head, by theme and prevention level')
    .argument('<place-a>', 'place code')
    .argument('<place-b>', 'place code')
    .option('--year <fy>', 'financial year, e.g. 2023-24 (default: the latest with spend in the first place)')
    .option('--json', 'print JSON')
    .action(async (a: string, b: string, opts: { year?: string; json?: boolean }) => {
      const ctx = context();
      const c = await userErrors(async () => comparePlaces(await ctx.database(), a, b, { year: opts.year }));
      if (opts.json) return ctx.printJson(c);
      printCompare(ctx, c);
    });

  const population = program.command('population').description('area populations (ONS mid-year estimates, with your overrides)');
  population.command('show')
    .description('the populations held for an area')
    .argument('<area>', 'GSS code')
    .option('--json', 'print JSON')
    .action(async (area: string, opts: { json?: boolean }) => {
      const ctx = context();
      const rows = await listAreaPopulation(await ctx.database(), area);
      if (opts.json) return ctx.printJson(rows);
      if (!rows.length) throw new UserError(`No population is held for ${area.toUpperCase()}.`);
      for (const r of rows) ctx.print(`${area.toUpperCase()} ${r.name} mid-${r.year}: ${r.population.toLocaleString('en-GB')} (${r.source}${r.note ? `: ${r.note}` : ''})`);
    });
  population.command('set')
    .description('override an area\'s population (wins over the ONS figure; kept across releases)')
    .argument('<area>', 'GSS code')
    .argument('<population>', 'people')
    .option('--year <year>', 'mid-year estimate year', '2023')
    .option('--note <text>', 'where the figure comes from')
    .action(async (area: string, n: string, opts: { year: string; note?: string }) => {
      const ctx = context();
      await userErrors(async () => setAreaPopulation(await ctx.database(), area, Number(opts.year), Number(n.replace(/,/g, '')), ctx.actor, opts.note ?? ''));
      ctx.print(`${area.toUpperCase()} mid-${opts.year}: ${n} (user)`);
    });
  population.command('clear')
    .description('remove an override, going back to the ONS figure')
    .argument('<area>', 'GSS code')
    .option('--year <year>', 'mid-year estimate year', '2023')
    .action(async (area: string, opts: { year: string }) => {
      const ctx = context();
      const removed = await userErrors(async () => clearAreaPopulation(await ctx.database(), area, Number(opts.year), ctx.actor));
      ctx.print(removed ? `Removed the override for ${area.toUpperCase()} mid-${opts.year}` : `No override for ${area.toUpperCase()} mid-${opts.year}`);
    });

  const deflator = program.command('deflator').description('the GDP deflator series used for real-terms figures');
  deflator.command('list')
    .description('the deflator in use for each financial year')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const ctx = context();
      const rows = await deflatorSeries(await ctx.database());
      if (opts.json) return ctx.printJson(rows);
      for (const r of rows) ctx.print(`${r.financial_year}  ${r.index.padStart(8)}  ${r.source}${r.source === 'user' && r.shipped_index ? ` (shipped ${r.shipped_index})` : ''}`);
    });
  deflator.command('set')
    .description('override the deflator for a financial year (same base as the shipped series)')
    .argument('<fy>', 'financial year, e.g. 2023-24')
    .argument('<index>', 'index value, e.g. 97.25')
    .option('--note <text>', 'where the figure comes from')
    .action(async (fy: string, index: string, opts: { note?: string }) => {
      const ctx = context();
      await userErrors(async () => setDeflator(await ctx.database(), fy, index, ctx.actor, opts.note ?? ''));
      ctx.print(`${fy}: ${index} (user)`);
    });
  deflator.command('clear')
    .description('remove an override, going back to the shipped figure')
    .argument('<fy>', 'financial year')
    .action(async (fy: string) => {
      const ctx = context();
      const removed = await userErrors(async () => clearDeflator(await ctx.database(), fy, ctx.actor));
      ctx.print(removed ? `Removed the override for ${fy}` : `No override for ${fy}`);
    });
};
