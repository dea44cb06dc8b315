// `totalplace classify --report | --apply` and `totalplace rules ...`: coverage, reclassification and
// the ordered, editable classification rules.
import fs from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import type { Register } from './main.ts';
import { UserError, type CliContext } from './context.ts';
import {
  addRule, ClassificationError, coverageReport, DEFAULT_GROUP_BY, exportRules, importRules, isBodyOnlyRule, listRules,
  moveRule, reclassify, RuleValidationError, setRuleEnabled, type CoverageReport,
} from '../classify/service.ts';
import { formatCondition } from '../classify/conditions.ts';
import type { Rule } from '../classify/types.ts';
import { formatPence } from '../ledger/summary.ts';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('give a whole number');
  return Number(value);
}

/** Turns the services' plain-English errors into user errors (no stack trace). */
async function userErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ClassificationError || err instanceof RuleValidationError) throw new UserError(err.message);
    throw err;
  }
}

function pct(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

function table(rows: string[][], right: number[] = []): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (right.includes(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd());
}

function printReport(ctx: CliContext, r: CoverageReport): void {
  const o = r.overall;
  ctx.print(`Classification coverage${r.body ? ` for ${r.body}` : ' (all bodies)'}`);
  if (o.lines === 0) {
    ctx.print('  No spend lines are loaded yet.');
    return;
  }
  ctx.print(`  value: ${pct(o.share_of_value)} classified (${formatPence(o.classified_pence)} of ${formatPence(o.value_pence)}, net amounts)`);
  ctx.print(`  lines: ${pct(o.share_of_lines)} classified (${o.classified_lines.toLocaleString('en-GB')} of ${o.lines.toLocaleString('en-GB')})`);
  if (o.decided_by_body_only_rules_pence !== 0) {
    ctx.print(`  of the value, ${pct(o.share_of_value_by_body_only_rules)} (${formatPence(o.decided_by_body_only_rules_pence)}) was decided by body-level fallback rules`);
  }
  ctx.print('');
  ctx.print('By body');
  const rows = [['body', 'name', 'lines', 'classified', 'value', 'classified value', 'value %', 'lines %']];
  for (const b of r.bodies) {
    rows.push([b.body_code, b.body_name ?? '', String(b.lines), String(b.classified_lines), formatPence(b.value_pence), formatPence(b.classified_pence), pct(b.share_of_value), pct(b.share_of_lines)]);
  }
  for (const line of table(rows, [2, 3, 4, 5, 6, 7])) ctx.print('  ' + line);
  ctx.print('');
  if (r.unclassified_groups.length) {
    ctx.print(`Largest unclassified groups by value (body, ${r.group_by.join(', ').replace(/_/g, ' ')})`);
    const g = [['value', 'lines', 'body', ...r.group_by.map((f) => f.replace(/_/g, ' ')), 'largest line: supplier / description']];
    for (const x of r.unclassified_groups) {
      g.push([formatPence(x.value_pence), String(x.lines), x.body_code, ...r.group_by.map((f) => x.fields[f] ?? '(blank)'),
        [x.example_supplier, x.example_description].filter((v) => v).join(' / ').slice(0, 70)]);
    }
    for (const line of table(g, [0, 1])) ctx.print('  ' + line);
    ctx.print('');
    ctx.print('  Write a rule for a group: totalplace rules add --name NAME --theme THEME --when "service keywords WORD|WORD" ...');
    ctx.print('  then: totalplace classify --apply');
  } else {
    ctx.print('Every line is classified.');
  }
  if (r.rules.length) {
    ctx.print('');
    ctx.print('Rules that decided the most value');
    const t = [['value', 'share', 'lines', 'rule', 'name']];
    for (const x of r.rules.slice(0, 15)) t.push([formatPence(x.value_pence), pct(x.share_of_value), String(x.lines), String(x.rule_id), x.name + (x.body_only ? ' [body-level fallback]' : '')]);
    for (const line of table(t, [0, 1, 2, 3])) ctx.print('  ' + line);
  }
}

function describeRule(r: Rule): string[] {
  const out = [`${String(r.position).padStart(3)}. rule ${r.id}${r.enabled ? '' : ' (disabled)'}${r.shipped ? (r.user_edited ? ' [shipped, edited]' : ' [shipped]') : ' [user]'}  ${r.name}`];
  out.push(`       -> ${r.theme_code}${r.cofog_code ? `, COFOG ${r.cofog_code}` : ''}${r.prevention_code ? `, ${r.prevention_code}` : ''}${isBodyOnlyRule(r.conditions) ? '  (body-level fallback)' : ''}`);
  for (const c of r.conditions) out.push(`       when ${formatCondition(c)}`);
  return out;
}

export const registerClassifyCommands: Register = (program: Command, context: () => CliContext) => {
  program
    .command('classify')
    .description('Report classification coverage, or re-run the rules over the stored ledger')
    .option('--report', 'show coverage (share of value and of lines) and the largest unclassified groups')
    .option('--apply', 're-run the enabled rules over the stored lines and rebuild the rollups (one transaction)')
    .option('--body <code>', 'only this body')
    .option('--limit <n>', 'how many unclassified groups to show (default 20)', wholeNumber)
    .option('--group-by <fields>', `fields to group unclassified lines by, comma-separated (default ${DEFAULT_GROUP_BY.join(',')})`)
    .option('--json', 'print one JSON object')
    .action(async (opts: { report?: boolean; apply?: boolean; body?: string; limit?: number; groupBy?: string; json?: boolean }) => {
      const ctx = context();
      if (!opts.report && !opts.apply) throw new UserError('Say what to do: --report (coverage) or --apply (re-run the rules), or both');
      const db = await ctx.database();
      await userErrors(async () => {
        const out: Record<string, unknown> = {};
        if (opts.apply) {
          const res = await reclassify(db, { bodyCode: opts.body }, ctx.actor);
          out.apply = res;
          if (!opts.json) {
            ctx.print(`Reclassified ${res.lines.toLocaleString('en-GB')} lines${res.body ? ` of ${res.body}` : ''} (${res.combinations.toLocaleString('en-GB')} distinct combinations): ${res.lines_changed.toLocaleString('en-GB')} changed; rollups rebuilt.`);
          }
        }
        if (opts.report) {
          const groupBy = opts.groupBy?.split(',').map((s) => s.trim()).filter((s) => s !== '');
          const report = await coverageReport(db, { bodyCode: opts.body, limit: opts.limit, groupBy });
          if (opts.json) Object.assign(out, report);
          else {
            if (opts.apply) ctx.print('');
            printReport(ctx, report);
          }
        }
        if (opts.json) ctx.printJson(out);
      });
    });

  const rules = program.command('rules').description('List and edit the ordered classification rules (first match decides)');

  rules
    .command('list')
    .description('List the rules in order')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const ctx = context();
      const list = await listRules(await ctx.database());
      if (opts.json) { ctx.printJson({ rules: list }); return; }
      ctx.print(`${list.length} rules; the first enabled rule whose every condition matches decides a line.`);
      for (const r of list) for (const line of describeRule(r)) ctx.print(line);
    });

  rules
    .command('add')
    .description('Add a rule')
    .requiredOption('--name <name>', 'what the rule is for')
    .requiredOption('--theme <code>', 'theme the rule assigns')
    .option('--cofog <code>', 'COFOG division (01-10); default: the theme\'s')
    .option('--prevention <code>', 'prevention level; default: the theme\'s')
    .option('--when <condition>', "a condition 'FIELD OP VALUE' (repeat: all must match), e.g. 'service keywords refuse|recycl*'", collect, [])
    .option('--position <n>', 'place it at this position (1 = first); default last', wholeNumber)
    .option('--key <key>', 'a stable key for the rule (default user-<id>)')
    .option('--notes <text>', 'notes')
    .option('--disabled', 'add it disabled')
    .option('--json', 'print the rule as JSON')
    .action(async (opts: { name: string; theme: string; cofog?: string; prevention?: string; when: string[]; position?: number; key?: string; notes?: string; disabled?: boolean; json?: boolean }) => {
      const ctx = context();
      const db = await ctx.database();
      const rule = await userErrors(() => addRule(db, {
        name: opts.name, theme_code: opts.theme, cofog_code: opts.cofog, prevention_code: opts.prevention, conditions: opts.when,
        position: opts.position, key: opts.key, notes: opts.notes, enabled: !opts.disabled,
      }, ctx.actor));
      if (opts.json) { ctx.printJson(rule); return; }
      ctx.print(`Added rule ${rule.id} at position ${rule.position}.`);
      for (const line of describeRule(rule)) ctx.print(line);
      ctx.print('Stored lines keep their classification until you run: totalplace classify --apply');
    });

  for (const [name, enabled] of [['enable', true], ['disable', false]] as const) {
    rules
      .command(`${name} <id>`)
      .description(`${enabled ? 'Enable' : 'Disable'} a rule`)
      .action(async (id: string) => {
        const ctx = context();
        const db = await ctx.database();
        const rule = await userErrors(() => setRuleEnabled(db, Number(id), enabled, ctx.actor));
        ctx.print(`Rule ${rule.id} (${rule.name}) is ${rule.enabled ? 'enabled' : 'disabled'}. Run totalplace classify --apply to reclassify stored lines.`);
      });
  }

  rules
    .command('move <id>')
    .description('Move a rule to another position (1 = first)')
    .requiredOption('--position <n>', 'new position', wholeNumber)
    .action(async (id: string, opts: { position: number }) => {
      const ctx = context();
      const db = await ctx.database();
      const rule = await userErrors(() => moveRule(db, Number(id), opts.position, ctx.actor));
      ctx.print(`Rule ${rule.id} (${rule.name}) is now at position ${rule.position}. Run totalplace classify --apply to reclassify stored lines.`);
    });

  rules
    .command('export <file>')
    .description("Write every rule to a JSON file ('-' for standard output)")
    .action(async (file: string) => {
      const ctx = context();
      const data = await exportRules(await ctx.database());
      const text = JSON.stringify(data, null, 2) + '\n';
      if (file === '-') { ctx.out.write(text); return; }
      try {
        fs.writeFileSync(file, text);
      } catch (err) {
        throw new UserError(`Cannot write ${file}: ${(err as Error).message}`);
      }
      ctx.print(`Wrote ${data.rules.length} rules to ${file}.`);
    });

  rules
    .command('import <file>')
    .description('Read rules from a JSON file: by default the file becomes the rule list; --merge adds and updates only')
    .option('--merge', 'keep rules that are not in the file')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, opts: { merge?: boolean; json?: boolean }) => {
      const ctx = context();
      let data: unknown;
      try {
        data = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch (err) {
        throw new UserError(`Cannot read ${file} as JSON: ${(err as Error).message}`);
      }
      const db = await ctx.database();
      const res = await userErrors(() => importRules(db, data, { mode: opts.merge ? 'merge' : 'replace', source: file }, ctx.actor));
      if (opts.json) { ctx.printJson(res); return; }
      ctx.print(`Imported ${file}: ${res.added} added, ${res.updated} updated, ${res.unchanged} unchanged, ${res.removed} removed; ${res.rules} rules now.`);
      ctx.print('Run totalplace classify --apply to reclassify stored lines.');
    });
};
