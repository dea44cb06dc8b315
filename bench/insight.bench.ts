// Supplier resolution benchmark (issue 5): 200,000 distinct payee names as 20 bodies publish them, resolved
// into supplier entities by the pure in-memory resolver (src/insight/resolve.ts), in a child process so its
// peak memory is its own. Targets: under 20 s and under 1 GB.
//
// The names are generated deterministically (seeded): an invented universe of organisations built from the
// demo generator's vocabulary (src/demo/vocab.ts: place names, surnames, trade words, legal forms), the
// ingester's organisation words and coined brand names; each body pays a long-tailed selection of them
// and writes each name in its own house style (capitals, "Ltd" or "Limited", "&" or "and", abbreviations,
// a name-length limit that cuts long names short, the odd typing slip). Every name keeps the organisation
// it stands for, so the run also reports how well the entities found match the truth (pairwise precision
// and recall). A few individuals and redacted payees are mixed in: the resolver must leave them out.
//   npm run bench -- insight
//   npm run bench -- insight --names 50000 --seed 3
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Random } from '../src/demo/random.ts';
import { COMPANY_FORMS, PLACE_BLOCKLIST, PLACE_HEADS, PLACE_TAILS, SURNAMES, TRADE_WORDS } from '../src/demo/vocab.ts';
import { ORGANISATION_WORDS, COMMON_SURNAMES } from '../src/ingest/payee-names.ts';
import { resolveSuppliers, type PayeeRecord } from '../src/insight/resolve.ts';
import { runNodeChild } from './lib/child.ts';
import { meets, type BenchModule, type Figure, type Target } from './lib/types.ts';
import { table, int, dec } from './lib/table.ts';

const TIME_TARGET: Target = { op: '<', value: 20 };
const MEMORY_TARGET: Target = { op: '<', value: 1024 };
const BODIES = 20;

const SYLLABLES = ['ar', 'bel', 'cor', 'dan', 'el', 'fen', 'gra', 'hal', 'ix', 'jo', 'kel', 'lor', 'mar', 'nor', 'ol', 'pen',
  'quin', 'ros', 'sel', 'tor', 'ul', 'ven', 'wes', 'zen', 'tri', 'ver', 'lo', 'na', 'ta', 'ri', 'co', 'mi', 'vo', 'sa', 'dra', 'ka'];
const ABBREVIATE: [RegExp, string][] = [[/\bServices\b/, 'Svcs'], [/\bManagement\b/, 'Mgmt'], [/\bAssociation\b/, 'Assoc'], [/\bInternational\b/, 'Intl'], [/\bBrothers\b/, 'Bros']];

export interface GeneratedPayees { records: PayeeRecord[]; truth: Int32Array; organisations: number; distinctNames: number }

const title = (s: string) => s.replace(/\w\S*/g, (w) => w[0].toUpperCase() + w.slice(1).toLowerCase());

/** Organisations and the names `bodies` bodies publish for them, until `distinct` different name strings exist. */
export function generatePayees(distinct: number, seed = 1, bodies = BODIES): GeneratedPayees {
  const random = new Random(seed);
  const places: string[] = [];
  for (const h of PLACE_HEADS) for (const t of PLACE_TAILS) if (!PLACE_BLOCKLIST.has(h + t)) places.push(h + t);
  const surnames = [...new Set([...SURNAMES, ...[...COMMON_SURNAMES].map(title)])];
  const words = [...new Set([...Object.values(TRADE_WORDS).flat(), ...[...ORGANISATION_WORDS].filter((w) => w.length > 3).map(title)])];
  const forms = COMPANY_FORMS.filter((f) => f !== '');
  const coined = () => {
    const n = 2 + random.int(2);
    let s = '';
    for (let i = 0; i < n; i++) s += random.pick(SYLLABLES);
    return s[0].toUpperCase() + s.slice(1);
  };

  // The universe: more organisations than the names needed, each with one canonical name.
  const orgs: string[] = [];
  const seen = new Set<string>();
  const target = Math.ceil(distinct * 0.8);
  while (orgs.length < target) {
    const r = random.next();
    let stem: string;
    if (r < 0.4) stem = coined();
    else if (r < 0.6) stem = `${random.pick(places)} ${coined()}`;
    else if (r < 0.8) stem = `${random.pick(surnames)} ${random.chance(0.3) ? '& ' + random.pick(surnames) : coined()}`;
    else stem = `${String.fromCharCode(65 + random.int(26))}${String.fromCharCode(65 + random.int(26))} ${coined()}`;
    const body = [stem, random.pick(words)];
    if (random.chance(0.4)) body.push(random.pick(words));
    const name = `${body.join(' ')}${random.chance(0.85) ? ' ' + random.pick(forms) : ''}`;
    const k = name.toLowerCase();
    if (seen.has(k)) continue;
    seen.add(k);
    orgs.push(name);
  }

  // Each body's house style.
  const styles = Array.from({ length: bodies }, (_, b) => ({
    code: `BENCH-B${String(b + 1).padStart(2, '0')}`,
    caseStyle: random.int(3), // 0 as is, 1 capitals, 2 title case
    limited: random.chance(0.5),
    and: random.chance(0.3),
    abbreviate: random.chance(0.3) ? 0.5 : 0.02,
    width: random.chance(0.3) ? 30 + 5 * random.int(3) : 0,
    slips: 0.004,
  }));
  const spell = (name: string, s: (typeof styles)[number]): string => {
    let n = name;
    if (s.limited) n = n.replace(/\bLtd$/, 'Limited'); else n = n.replace(/\bLimited$/, 'Ltd');
    if (s.and) n = n.replace(/ & /g, ' and ');
    if (random.chance(s.abbreviate)) for (const [re, abbr] of ABBREVIATE) n = n.replace(re, abbr);
    if (random.chance(s.slips) && n.length > 8) {
      const i = 2 + random.int(n.length - 4);
      n = n.slice(0, i) + n[i + 1] + n[i] + n.slice(i + 2); // two letters swapped
    }
    if (s.caseStyle === 1) n = n.toUpperCase(); else if (s.caseStyle === 2) n = title(n);
    if (s.width && n.length > s.width) n = n.slice(0, s.width);
    return n.trim();
  };

  const records: PayeeRecord[] = [];
  const truth: number[] = [];
  const names = new Set<string>();
  const paid = new Set<string>();
  for (let step = 0; names.size < distinct; step++) {
    const s = styles[step % bodies];
    // A long tail: a few organisations paid by every body, most by one.
    const org = random.skewed(orgs.length, 1.6);
    const key = `${s.code}|${org}`;
    if (paid.has(key) && !random.chance(0.1)) continue;
    paid.add(key);
    const name = spell(orgs[org], s);
    records.push({ body_code: s.code, name, payee_kind: 'organisation', amount_pence: 1000 + random.int(10_000_000) });
    truth.push(org);
    names.add(name);
    if (step % 200 === 0) {
      // Payees the resolver must never see as suppliers.
      records.push({ body_code: s.code, name: `${random.pick(['Mr', 'Mrs', 'Ms'])} ${String.fromCharCode(65 + random.int(26))} ${random.pick(surnames)}`, payee_kind: 'individual' });
      records.push({ body_code: s.code, name: 'Redacted Personal Information', payee_kind: 'redacted' });
      truth.push(-1, -1);
    }
  }
  return { records, truth: Int32Array.from(truth), organisations: orgs.length, distinctNames: names.size };
}

/** Pairwise precision and recall of entities against the true organisations. */
export function pairwiseAccuracy(entityOf: Int32Array, truth: Int32Array): { precision: number; recall: number } {
  const cell = new Map<string, number>(), byEntity = new Map<number, number>(), byOrg = new Map<number, number>();
  for (let i = 0; i < truth.length; i++) {
    if (truth[i] < 0) continue;
    const e = entityOf[i], o = truth[i];
    cell.set(`${e}|${o}`, (cell.get(`${e}|${o}`) ?? 0) + 1);
    byEntity.set(e, (byEntity.get(e) ?? 0) + 1);
    byOrg.set(o, (byOrg.get(o) ?? 0) + 1);
  }
  const pairs = (m: Map<unknown, number>) => { let s = 0; for (const n of m.values()) s += (n * (n - 1)) / 2; return s; };
  const tp = pairs(cell), predicted = pairs(byEntity), actual = pairs(byOrg);
  return { precision: predicted ? tp / predicted : 1, recall: actual ? tp / actual : 1 };
}

/** Child mode: generate, resolve, print one JSON line. */
async function child(distinct: number, seed: number): Promise<void> {
  const t0 = performance.now();
  const g = generatePayees(distinct, seed);
  const t1 = performance.now();
  const cpu = process.cpuUsage();
  const result = resolveSuppliers(g.records);
  const t2 = performance.now();
  const cpuUsed = process.cpuUsage(cpu);
  const entityOf = new Int32Array(g.records.length).fill(-1);
  for (const a of result.assignments) entityOf[a.record] = a.entity;
  const leaked = g.records.some((r, i) => r.payee_kind !== 'organisation' && entityOf[i] >= 0);
  const acc = pairwiseAccuracy(entityOf, g.truth);
  process.stdout.write(JSON.stringify({
    records: g.records.length, distinct_names: g.distinctNames, organisations: g.organisations, generate_s: (t1 - t0) / 1000,
    resolve_s: (t2 - t1) / 1000, resolve_cpu_s: (cpuUsed.user + cpuUsed.system) / 1e6, entities: result.entities.length, stats: result.stats, leaked, ...acc,
  }) + '\n');
}

const bench: BenchModule = {
  description: 'supplier resolution: 200,000 distinct payee names from 20 bodies, in memory (target < 20 s, < 1 GB)',
  options: {
    names: { type: 'string', default: '200000', description: 'distinct payee names to resolve' },
    seed: { type: 'string', default: '1', description: 'generator seed' },
  },
  async run(ctx) {
    const distinct = Number(ctx.options.names ?? 200000);
    const seed = Number(ctx.options.seed ?? 1);
    const figures: Figure[] = [];
    const failures: string[] = [];
    const self = fileURLToPath(import.meta.url);
    const run = await runNodeChild({
      args: ['--import', 'tsx', self, '--child', String(distinct), String(seed)], env: process.env, cwd: ctx.projectRoot,
      stderrFile: path.join(ctx.outDir, 'insight-child.stderr'), timeoutSeconds: 600,
    });
    if (run.exitCode !== 0) {
      failures.push(`child exited ${run.exitCode ?? run.signal}: ${run.stderrTail}`);
      return { figures, failures };
    }
    const r = JSON.parse(run.stdout.trim().split('\n').pop()!) as {
      records: number; distinct_names: number; organisations: number; generate_s: number; resolve_s: number; entities: number;
      leaked: boolean; precision: number; recall: number; stats: { candidate_pairs: number; fuzzy_merges: number };
    };
    if (r.leaked) failures.push('an individual or redacted payee was put in a supplier entity');
    if (r.distinct_names !== distinct) failures.push(`generated ${r.distinct_names} distinct names, expected ${distinct}`);
    const peakMb = run.peakRssBytes / 1048576;
    const label = `${int(r.distinct_names)} names, ${BODIES} bodies`;
    figures.push({ case: label, metric: 'resolution time', value: Number(r.resolve_s.toFixed(2)), unit: 's', target: TIME_TARGET });
    figures.push({ case: label, metric: 'peak memory (whole process, generation included)', value: Math.round(peakMb), unit: 'MB', target: MEMORY_TARGET });
    figures.push({ case: label, metric: 'pairwise precision against the generated truth', value: Number((r.precision * 100).toFixed(2)), unit: '%' });
    figures.push({ case: label, metric: 'pairwise recall against the generated truth', value: Number((r.recall * 100).toFixed(2)), unit: '%' });
    ctx.log(table(['names', 'records', 'organisations', 'entities', 'candidate pairs', 'generate s', 'resolve s', 'peak MB', 'precision', 'recall'], [[
      int(r.distinct_names), int(r.records), int(r.organisations), int(r.entities), int(r.stats.candidate_pairs),
      dec(r.generate_s), dec(r.resolve_s), int(peakMb), `${(r.precision * 100).toFixed(2)}%`, `${(r.recall * 100).toFixed(2)}%`,
    ]]));
    ctx.log(`  time ${meets(r.resolve_s, TIME_TARGET) ? 'met' : 'MISSED'} (< 20 s); memory ${meets(peakMb, MEMORY_TARGET) ? 'met' : 'MISSED'} (< 1 GB)`);
    return { figures, failures };
  },
};

export default bench;

if (process.argv[2] === '--child' && process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  child(Number(process.argv[3]), Number(process.argv[4])).catch((err: Error) => { process.stderr.write(`${err.stack ?? err}\n`); process.exitCode = 1; });
}
