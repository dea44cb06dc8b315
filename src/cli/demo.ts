// CLI: `totalplace demo` generates and loads the demonstration place (invented data, clearly labelled).
import path from 'node:path';
import type { Register } from './main.ts';
import { projectRoot } from '../config.ts';
import { loadDemoPlace } from '../demo/load.ts';
import { bodySummary, formatPence } from '../ledger/summary.ts';
import { coverageReport } from '../classify/service.ts';
import { countPlace } from '../place/count-service.ts';

export const registerDemoCommands: Register = (program, context) => {
  program.command('demo')
    .description('Generate the demonstration place "Demo Vale" (invented data) and load it into the ledger')
    .option('--dir <dir>', 'where to write the generated files', path.join(projectRoot, 'var', 'demo'))
    .option('--seed <n>', 'generator seed (the same seed gives the same files)', (v) => Number(v))
    .option('--json', 'print JSON')
    .action(async (o: { dir: string; seed?: number; json?: boolean }) => {
      const ctx = context();
      const db = await ctx.database();
      const { manifest, dir, results } = await loadDemoPlace(db, o.dir, ctx.actor, { seed: o.seed });
      const summaries = [];
      for (const b of manifest.bodies) summaries.push({ ...b, summary: await bodySummary(db, b.code) });
      const coverage = await coverageReport(db, {});
      if (o.json) {
        return ctx.printJson({ notice: manifest.notice, place: manifest.place, dir, ingest: results, bodies: summaries.map((s) => ({ code: s.code, name: s.name, type: s.type, summary: s.summary })) });
      }
      ctx.print(manifest.notice);
      ctx.print(`\nFiles written to ${dir}`);
      for (const r of results) for (const f of r.files) {
        ctx.print(`  ${r.body.padEnd(14)} ${path.basename(f.file).padEnd(36)} ${String(f.rows_loaded).padStart(6)} lines ${formatPence(f.total_pence).padStart(16)}${f.rows_rejected ? `  ${f.rows_rejected} rejected` : ''}${f.error ? `  ERROR ${f.error}` : ''}`);
      }
      ctx.print(`\n${manifest.place.name} (population ${manifest.place.population.toLocaleString('en-GB')}), ${manifest.financialYear}: spend by body`);
      let all = 0;
      for (const s of summaries) {
        all += s.summary.total_pence;
        const top = Object.values(s.summary.by_theme).slice(0, 3).map((t) => `${t.label} ${formatPence(t.total_pence)}`).join('; ');
        ctx.print(`  ${s.name.padEnd(44)} ${formatPence(s.summary.total_pence).padStart(18)}   top themes: ${top}`);
      }
      ctx.print(`  ${'All bodies (before netting payments between them)'.padEnd(44)} ${formatPence(all).padStart(18)}`);
      ctx.print(`\nClassified by the shipped rules: ${(coverage.overall.share_of_value * 100).toFixed(1)}% of value, ${(coverage.overall.share_of_lines * 100).toFixed(1)}% of lines.`);
      const count = await countPlace(db, manifest.place.code, { year: manifest.financialYear });
      ctx.print(`\nThe count for ${count.name}, ${manifest.financialYear}: ${formatPence(count.total_pence)} for ${count.population === null ? "an unknown number of" : count.population.toLocaleString("en-GB")} people, ${count.per_head_pence === null ? '' : formatPence(count.per_head_pence)} a head`);
      for (const b of count.bodies) ctx.print(`  ${b.name.padEnd(44)} ${formatPence(b.attributed_pence).padStart(16)}  ${b.explanation}`);
      ctx.print(`  money passed between these bodies, counted once: ${formatPence(count.netting.netted_pence)} netted`);
      ctx.print(`Next: "totalplace count ${manifest.place.code}", "totalplace summary --body DEMO-COUNTY", "totalplace lines --body DEMO-ICB --payee-body DEMO-COUNTY", "totalplace classify --report".`);
    });
};
