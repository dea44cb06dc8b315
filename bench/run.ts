// `npm run bench [-- NAME...] [-- OPTIONS]`: runs bench/*.bench.ts (all, or the named ones), prints each
// benchmark's own tables and then every figure beside its target.
//   npm run bench                         all benchmarks
//   npm run bench -- ingest               bench/ingest.bench.ts only
//   npm run bench -- ingest --sizes 1000000 --engines pglite --repeat 3
//   npm run bench -- --help               options of every benchmark
// Exit code: 1 if a benchmark found a correctness failure (or with --strict, if a target was missed).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { meets, type BenchModule, type Figure, type OptionSpec } from './lib/types.ts';
import { table, dec, int } from './lib/table.ts';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const projectRoot = path.resolve(benchDir, '..');
const outDir = path.join(benchDir, 'out');

const RUNNER_OPTIONS: Record<string, OptionSpec> = {
  help: { type: 'boolean', description: 'list benchmarks and their options' },
  strict: { type: 'boolean', description: 'exit non-zero when a target is missed, not only on failures' },
};

function available(): string[] {
  return fs.readdirSync(benchDir).filter((f) => f.endsWith('.bench.ts')).map((f) => f.slice(0, -'.bench.ts'.length)).sort();
}

async function load(name: string): Promise<BenchModule> {
  const mod = (await import(pathToFileURL(path.join(benchDir, `${name}.bench.ts`)).href)) as { default?: BenchModule };
  if (!mod.default || typeof mod.default.run !== 'function') throw new Error(`bench/${name}.bench.ts must export default { description, run }`);
  return mod.default;
}

function show(value: number): string {
  return Math.abs(value) >= 1000 || Number.isInteger(value) ? int(value) : dec(value);
}

async function main(): Promise<number> {
  const all = available();
  const argv = process.argv.slice(2).filter((a) => a !== '--');
  const names = argv.filter((a) => all.includes(a));
  const rest = argv.filter((a) => !all.includes(a));
  const selected = names.length ? names : all;
  const modules = new Map<string, BenchModule>();
  for (const n of selected) modules.set(n, await load(n));

  const specs: Record<string, OptionSpec> = { ...RUNNER_OPTIONS };
  for (const m of modules.values()) Object.assign(specs, m.options ?? {});
  const config: ParseArgsConfig = {
    args: rest,
    strict: true,
    allowPositionals: false,
    options: Object.fromEntries(Object.entries(specs).map(([k, s]) => [k, { type: s.type, ...(s.default !== undefined ? { default: s.default } : {}) }])),
  };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs(config).values as Record<string, string | boolean | undefined>;
  } catch (err) {
    const unknown = rest.find((a) => !a.startsWith('-'));
    process.stderr.write(`bench: ${(err as Error).message}${unknown ? ` (benchmarks: ${all.join(', ')})` : ''}\n`);
    return 2;
  }
  if (values.help) {
    for (const [n, m] of modules) {
      process.stdout.write(`${n}: ${m.description}\n`);
      for (const [k, s] of Object.entries(m.options ?? {})) process.stdout.write(`  --${k}${s.type === 'string' ? ' VALUE' : ''}  ${s.description}${s.default !== undefined ? ` (default ${s.default})` : ''}\n`);
    }
    for (const [k, s] of Object.entries(RUNNER_OPTIONS)) process.stdout.write(`--${k}  ${s.description}\n`);
    return 0;
  }

  fs.mkdirSync(outDir, { recursive: true });
  const figures: (Figure & { bench: string })[] = [];
  const failures: string[] = [];
  for (const [n, m] of modules) {
    process.stdout.write(`\n== ${n}: ${m.description}\n`);
    try {
      const r = await m.run({ options: values, outDir, projectRoot, log: (s) => process.stdout.write(s + '\n') });
      figures.push(...r.figures.map((f) => ({ ...f, bench: n })));
      failures.push(...r.failures.map((f) => `${n}: ${f}`));
    } catch (err) {
      failures.push(`${n}: ${(err as Error).stack ?? String(err)}`);
    }
  }

  process.stdout.write('\n== Figures\n');
  const rows = figures.map((f) => [
    f.bench, f.case, f.metric, show(f.value), f.unit,
    f.target ? `${f.target.op} ${show(f.target.value)}` : '',
    f.target ? (meets(f.value, f.target) ? 'met' : 'MISSED') : '',
  ]);
  process.stdout.write(table(['bench', 'case', 'measure', 'value', 'unit', 'target', ''], rows, ['left', 'left', 'left', 'right', 'left', 'left', 'left']) + '\n');
  const missed = figures.filter((f) => f.target && !meets(f.value, f.target));
  if (failures.length) {
    process.stdout.write(`\nFAILED (${failures.length}):\n${failures.map((f) => '  - ' + f).join('\n')}\n`);
    return 1;
  }
  if (missed.length) process.stdout.write(`\n${missed.length} target(s) missed.\n`);
  return missed.length && values.strict ? 1 : 0;
}

process.exitCode = await main();
