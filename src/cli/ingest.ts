// CLI: ingest, rejections, files, mapping and summary — the ledger's commands.
import fs from 'node:fs';
import { Option } from 'commander';
import type { Register } from './main.ts';
import { UserError } from './context.ts';
import { ingestFiles, IngestError, type IngestResult } from '../ingest/service.ts';
import { listRejections, listSourceFiles } from '../ledger/repository.ts';
import { bodySummary, formatPence } from '../ledger/summary.ts';
import { findLines } from '../ledger/lines.ts';
import { clearMapping, getSavedMapping, MappingError, parseMappingPairs, saveMapping } from '../ingest/saved-mapping.ts';
import { findBody, BodyError } from '../place/bodies.ts';
import { csvLine } from '../util/csv.ts';

const FY = /^\d{4}-\d{2}$/;

export const registerIngestCommands: Register = (program, context) => {
  program.command('ingest')
    .description('Load spend files (CSV, XLSX, or ZIP of them) for one body into the ledger')
    .argument('<files...>', 'spend files')
    .requiredOption('--body <code>', 'code of the publishing body (GSS, ODS or org-id style)')
    .option('--body-name <name>', 'create the body with this name if the code is new')
    .option('--body-type <type>', 'type for a new body (district, county, police, fire, nhs_commissioner, ...)', 'other')
    .option('--json', 'print one JSON object with the result')
    .option('--rejections-csv <file>', 'write the rejected rows with their reasons to a CSV file')
    .option('--progress', 'report progress on stderr, one line per batch (always on in a terminal)')
    .action(async (files: string[], o: { body: string; bodyName?: string; bodyType: string; json?: boolean; rejectionsCsv?: string; progress?: boolean }) => {
      const ctx = context();
      const db = await ctx.database();
      let result: IngestResult;
      try {
        result = await ingestFiles(db, files, {
          bodyCode: o.body.trim().toUpperCase(), bodyName: o.bodyName, bodyType: o.bodyType, actor: ctx.actor,
          maxBytes: ctx.settings.maxUploadBytes, batchLines: ctx.settings.copyBatchLines,
          onProgress: o.progress ? (p) => process.stderr.write(`progress ${p.file}: ${p.lines} lines\n`)
            : o.json || !process.stderr.isTTY ? undefined : (p) => process.stderr.write(`\r${p.file}: ${p.lines.toLocaleString('en-GB')} lines`),
        });
      } catch (err) {
        if (err instanceof IngestError || err instanceof BodyError) throw new UserError(err.message);
        throw err;
      }
      if (!o.json && !o.progress && process.stderr.isTTY) process.stderr.write('\n');
      if (o.rejectionsCsv) {
        const rows = [csvLine(['file', 'sheet', 'line', 'column', 'reason'])];
        for (const f of result.files) for (const r of f.rejections) rows.push(csvLine([f.file, r.sheet, r.line, r.column, r.reason]));
        fs.writeFileSync(o.rejectionsCsv, rows.join(''));
      }
      if (o.json) {
        ctx.printJson(result);
      } else {
        for (const f of result.files) {
          if (f.error) { ctx.print(`✗ ${f.file}: ${f.error}`); continue; }
          ctx.print(`✓ ${f.file}: ${f.rows_loaded.toLocaleString('en-GB')} lines loaded (${formatPence(f.total_pence)}), ${f.rows_rejected} rejected${f.replaced_file_ids?.length ? ', replacing the earlier copy' : ''} [${f.format}${f.encoding ? ', ' + f.encoding : ''}]`);
          for (const s of f.sheets ?? []) {
            if (s.skipped) ctx.print(`    sheet ${s.sheet ?? ''}: skipped: ${s.skipped}${s.rows_skipped ? ` (${s.rows_skipped} rows)` : ''}`);
          }
          for (const r of f.rejections.slice(0, 20)) ctx.print(`    ${r.sheet ? `sheet "${r.sheet}", ` : ''}line ${r.line}: ${r.reason}`);
          if (f.rejections.length > 20) ctx.print(`    … and ${f.rejections.length - 20} more (see "totalplace rejections --body ${result.body}")`);
        }
        ctx.print(`Total: ${result.rows_loaded.toLocaleString('en-GB')} lines, ${formatPence(result.total_pence)}; ${result.rows_rejected} rejected.`);
      }
      if (result.files.some((f) => f.error)) ctx.fail(1);
    });

  program.command('rejections')
    .description('List rows that were not loaded, with the reason, file, sheet and line')
    .requiredOption('--body <code>', 'body code')
    .option('--file-id <id>', 'only this loaded file', (v) => Number(v))
    .option('--json', 'print JSON')
    .option('--csv <file>', 'write them to a CSV file')
    .action(async (o: { body: string; fileId?: number; json?: boolean; csv?: string }) => {
      const ctx = context();
      const rows = await listRejections(await ctx.database(), { bodyCode: o.body.toUpperCase(), fileId: o.fileId });
      if (o.csv) {
        fs.writeFileSync(o.csv, [csvLine(['file', 'sheet', 'line', 'column', 'reason', 'row']), ...rows.map((r) => csvLine([r.file_name, r.sheet, r.line, r.column, r.reason, r.raw]))].join(''));
      }
      if (o.json) return ctx.printJson(rows);
      for (const r of rows) ctx.print(`${r.file_name}${r.sheet ? ` sheet "${r.sheet}"` : ''} line ${r.line}: ${r.reason}\n    ${r.raw}`);
      ctx.print(`${rows.length} rejected row(s).`);
    });

  program.command('files')
    .description('List the files loaded for a body (or all bodies)')
    .option('--body <code>', 'body code')
    .option('--json', 'print JSON')
    .action(async (o: { body?: string; json?: boolean }) => {
      const ctx = context();
      const files = await listSourceFiles(await ctx.database(), o.body?.toUpperCase());
      if (o.json) return ctx.printJson(files);
      for (const f of files) ctx.print(`${f.body_code}  #${f.file_id}  ${f.file_name}  ${f.rows_loaded} lines  ${formatPence(Number(f.total_pence))}  ${f.rows_rejected} rejected  ${f.loaded_at}`);
    });

  const mapping = program.command('mapping').description("Show or edit a body's saved column mapping (used before any guess)");
  mapping.command('show').requiredOption('--body <code>', 'body code').option('--json', 'print JSON')
    .action(async (o: { body: string; json?: boolean }) => {
      const ctx = context();
      const m = await getSavedMapping(await ctx.database(), o.body.toUpperCase());
      if (o.json) return ctx.printJson(m);
      const entries = Object.entries(m);
      if (!entries.length) ctx.print('No saved mapping: columns are recognised from their headers and values.');
      for (const [h, f] of entries) ctx.print(`${h} = ${f}`);
    });
  mapping.command('set').description('Save "Header=field" pairs for a body (field "ignore" skips a column)')
    .requiredOption('--body <code>', 'body code')
    .requiredOption('--column <pair...>', 'e.g. --column "Paid On=date" --column "Value=amount_net"')
    .option('--replace', 'replace the whole saved mapping instead of merging')
    .action(async (o: { body: string; column: string[]; replace?: boolean }) => {
      const ctx = context();
      const db = await ctx.database();
      const code = o.body.toUpperCase();
      if (!(await findBody(db, code))) throw new UserError(`No body with code ${code} is registered.`);
      try {
        const merged = await db.transaction((tx) => saveMapping(tx, code, parseMappingPairs(o.column), ctx.actor, o.replace));
        ctx.print(`Saved mapping for ${code}:`);
        for (const [h, f] of Object.entries(merged)) ctx.print(`  ${h} = ${f}`);
      } catch (err) {
        if (err instanceof MappingError) throw new UserError(err.message);
        throw err;
      }
    });
  mapping.command('clear').requiredOption('--body <code>', 'body code')
    .action(async (o: { body: string }) => {
      const ctx = context();
      const db = await ctx.database();
      await db.transaction((tx) => clearMapping(tx, o.body.toUpperCase(), ctx.actor));
      ctx.print(`Cleared the saved mapping for ${o.body.toUpperCase()}.`);
    });

  program.command('lines')
    .description('The ledger lines behind a figure, each with its source file, sheet and line')
    .requiredOption('--body <codes>', 'body code(s), comma-separated')
    .option('--year <fy>', 'financial year, e.g. 2023-24')
    .option('--month <yyyy-mm>', 'month of payment')
    .option('--theme <code>', 'theme code')
    .option('--cofog <code>', 'COFOG division')
    .option('--prevention <code>', 'prevention level')
    .option('--payee-body <code>', 'only payments to this registered body')
    .option('--supplier <text>', 'supplier name contains')
    .option('--order <amount|date>', 'largest first (amount) or by date', 'amount')
    .option('--limit <n>', 'how many lines', (v) => Number(v), 100)
    .option('--offset <n>', 'skip this many', (v) => Number(v), 0)
    .option('--json', 'print JSON')
    .action(async (o: { body: string; year?: string; month?: string; theme?: string; cofog?: string; prevention?: string; payeeBody?: string; supplier?: string; order: string; limit: number; offset: number; json?: boolean }) => {
      const ctx = context();
      if (o.year && !FY.test(o.year)) throw new UserError(`--year "${o.year}" should be a financial year like 2023-24`);
      if (o.month && !/^\d{4}-\d{2}$/.test(o.month)) throw new UserError(`--month "${o.month}" should look like 2023-04`);
      if (!['amount', 'date'].includes(o.order)) throw new UserError('--order is amount or date');
      if (!Number.isInteger(o.limit) || o.limit < 1) throw new UserError('--limit must be a whole number of at least 1');
      const r = await findLines(await ctx.database(), {
        bodyCodes: o.body.split(',').map((b) => b.trim().toUpperCase()).filter(Boolean), year: o.year, month: o.month,
        theme: o.theme, cofog: o.cofog, prevention: o.prevention, payeeBody: o.payeeBody?.toUpperCase(), supplier: o.supplier,
        order: o.order as 'amount' | 'date', limit: o.limit, offset: o.offset,
      });
      if (o.json) return ctx.printJson(r);
      ctx.print(`${r.total_lines.toLocaleString('en-GB')} lines, ${formatPence(r.total_pence)}; showing ${r.lines.length} from ${o.offset + 1}`);
      for (const l of r.lines) {
        ctx.print(`${l.payment_date}  ${formatPence(l.amount_pence).padStart(16)}  ${(l.supplier_name ?? '').slice(0, 40).padEnd(40)}  ${l.theme_code.padEnd(28)} ${l.file_name}${l.sheet ? ` [${l.sheet}]` : ''}:${l.line_no}`);
      }
    });

  program.command('summary')
    .description("A body's totals by year, theme, COFOG division and prevention level")
    .requiredOption('--body <code>', 'body code')
    .addOption(new Option('--year <fy>', 'financial year, e.g. 2023-24'))
    .option('--json', 'print JSON')
    .action(async (o: { body: string; year?: string; json?: boolean }) => {
      const ctx = context();
      if (o.year && !FY.test(o.year)) throw new UserError(`--year "${o.year}" should be a financial year like 2023-24`);
      const db = await ctx.database();
      const code = o.body.toUpperCase();
      const body = await findBody(db, code);
      if (!body) throw new UserError(`No body with code ${code} is registered.`);
      const s = await bodySummary(db, code, o.year);
      if (o.json) return ctx.printJson(s);
      ctx.print(`${body.name} (${code})${o.year ? `, ${o.year}` : ''}: ${s.rows.toLocaleString('en-GB')} lines, ${formatPence(s.total_pence)}`);
      const pct = (p: number) => (s.total_pence ? ((100 * p) / s.total_pence).toFixed(1).padStart(5) + '%' : '');
      const table = (title: string, rows: Record<string, { label?: string; rows: number; total_pence: number }>) => {
        ctx.print(`\n${title}`);
        for (const [k, v] of Object.entries(rows)) ctx.print(`  ${(v.label ?? k).padEnd(40)} ${formatPence(v.total_pence).padStart(18)} ${pct(v.total_pence)} ${String(v.rows).padStart(8)} lines`);
      };
      table('By financial year', s.by_year);
      table('By theme', s.by_theme);
      table('By COFOG division', s.by_cofog);
      table('By prevention level', s.by_prevention);
    });
};

