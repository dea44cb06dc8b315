// Builds src/reference/data/bodies.json, the shipped register of UK public bodies, from public source files:
//   mySociety uk_local_authorities (CC-BY-4.0), ONS LAD->county and LAD->PFA lookups, NHS ICB and trust lists (OGL v3).
// Run: npx tsx scripts/build-reference-bodies.ts [SOURCE_DIR] [OUT_FILE]
//   (defaults ../shared/data/reference and src/reference/data/bodies.json)
// It keeps only the facts the register needs and fails loudly when the sources disagree with each other,
// so a refresh of the sources cannot silently ship a broken register.
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../src/config.ts';
import { BODY_TYPES } from '../src/reference/bodies-seed.ts';

const sourceDir = path.resolve(process.argv[2] ?? path.join(projectRoot, '..', 'shared', 'data', 'reference'));
const outFile = path.resolve(process.argv[3] ?? path.join(projectRoot, 'src', 'reference', 'data', 'bodies.json'));

interface ShippedBody {
  code: string; name: string; body_type: string; areas: string[];
  parent_code: string | null; region: string | null; aliases: string[];
}

// ---------- small helpers ----------

/** RFC 4180 CSV (quotes, doubled quotes, newlines in quotes); strips a UTF-8 BOM. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], field = '', quoted = false;
  text = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

function readCsv(file: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(fs.readFileSync(path.join(sourceDir, file), 'utf8'));
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, (r[i] ?? '').trim()])));
}

function fail(message: string): never {
  console.error(`build-reference-bodies: ${message}`);
  process.exit(1);
}

/** Distinct names, case-insensitively, without the body's own name or mangled text. */
function cleanAliases(name: string, candidates: string[]): string[] {
  const seen = new Set([name.toLowerCase()]);
  const out: string[] = [];
  for (const raw of candidates) {
    const a = raw.trim().replace(/\s+/g, ' ');
    // The source has a few mis-decoded Welsh names (e.g. "Sir Ynys M\uFFFDn"): drop them.
    if (!a || /\uFFFD|ï¿½/.test(a) || seen.has(a.toLowerCase())) continue;
    seen.add(a.toLowerCase());
    out.push(a);
  }
  return out;
}

/** Most common value, or null when the values disagree (a body spanning regions). */
function sharedRegion(regions: (string | null | undefined)[]): string | null {
  const set = new Set(regions.filter(Boolean));
  return set.size === 1 ? [...set][0]! : null;
}

const SMALL_WORDS = new Set(['and', 'of', 'the', 'for', 'in', 'on', 'upon', 'with', 'under', 'at']);
/** "LANCASHIRE & SOUTH CUMBRIA NHS FOUNDATION TRUST" -> "Lancashire & South Cumbria NHS Foundation Trust". */
function titleCase(upper: string): string {
  return upper.toLowerCase().split(' ').map((word, i) => word.split('-').map((part, j) => {
    if (part === 'nhs') return 'NHS';
    if ((i > 0 || j > 0) && SMALL_WORDS.has(part)) return part;
    return part.charAt(0).toUpperCase() + part.slice(1);
  }).join('-')).join(' ');
}

// ---------- sources ----------

const la = readCsv('uk_local_authorities_mysociety.csv').filter((r) => r['current-authority'] === 'True');
const lad23 = readCsv('lad23_dec_names_centroids_ons.csv');
const ladToCounty = readCsv('lad21_to_county21_lookup_ons.csv');
const ladToPfa = readCsv('lad23_to_csp23_to_pfa23_lookup_ons.csv');
const icbs = readCsv('nhs/icb_names_codes_dec_2024.csv');
// ODS "etr" extract has no header: code, name, NHS region, ICB, address x5, postcode, open date, close date, ...
const trusts = parseCsv(fs.readFileSync(path.join(sourceDir, 'nhs/nhs_trusts_ods_etr.csv'), 'utf8'));

const currentLads = new Map(lad23.map((r) => [r.LAD23CD, r.LAD23NM]));
const ladByName = new Map(lad23.map((r) => [r.LAD23NM, r.LAD23CD]));
const byLaCode = new Map(la.map((r) => [r['local-authority-code'], r]));
const regionOfGss = new Map(la.map((r) => [r['gss-code'], r.region]));

// mySociety local-authority-type -> our body type. Welsh and Scottish councils are unitary authorities;
// Northern Ireland's councils are single-tier but have district-level powers, so 'district' (no parent).
const COUNCIL_TYPES: Record<string, string> = {
  CTY: 'county', NMD: 'district', UA: 'unitary', WPA: 'unitary', SCO: 'unitary', NID: 'district',
  MD: 'metropolitan', LBO: 'london_borough', CC: 'london_borough', COMB: 'combined_authority', SRA: 'combined_authority',
};

// ---------- councils ----------

// County -> its current districts: the ONS 2021 lookup, less districts abolished since (LAD23 is current),
// checked against mySociety's county-la column.
const countyDistricts = new Map<string, Set<string>>();
for (const r of ladToCounty) {
  if (!r.CTY21CD.startsWith('E10') || !currentLads.has(r.LAD21CD)) continue;
  if (!countyDistricts.has(r.CTY21CD)) countyDistricts.set(r.CTY21CD, new Set());
  countyDistricts.get(r.CTY21CD)!.add(r.LAD21CD);
}
const metCountyLads = new Map<string, string[]>(); // E11 metropolitan counties, used for fire areas below
for (const r of ladToCounty) {
  if (r.CTY21CD.startsWith('E11')) metCountyLads.set(r.CTY21NM, [...(metCountyLads.get(r.CTY21NM) ?? []), r.LAD21CD]);
}

const bodies: ShippedBody[] = [];
const caMembers = new Map<string, string[]>(); // combined authority (mySociety code) -> member GSS codes
for (const r of la) {
  if (r['combined-authority']) caMembers.set(r['combined-authority'], [...(caMembers.get(r['combined-authority']) ?? []), r['gss-code']]);
}

for (const r of la) {
  const type = COUNCIL_TYPES[r['local-authority-type']] ?? fail(`unknown council type ${r['local-authority-type']} for ${r['official-name']}`);
  const gss = r['gss-code'];
  if (!/^[ENSW]\d{8}$/.test(gss)) fail(`council ${r['official-name']} has no GSS code`);
  let areas: string[];
  let parent: string | null = null;
  if (type === 'county') {
    areas = [...(countyDistricts.get(gss) ?? [])].sort();
    const fromMySociety = la.filter((d) => d['county-la'] === r['local-authority-code']).map((d) => d['gss-code']).sort();
    if (areas.join() !== fromMySociety.join()) fail(`districts of ${r['official-name']} differ: ONS ${areas} vs mySociety ${fromMySociety}`);
  } else if (type === 'combined_authority') {
    // Members are councils; a member county contributes its districts.
    areas = (caMembers.get(r['local-authority-code']) ?? [])
      .flatMap((m) => m.startsWith('E10') ? [...(countyDistricts.get(m) ?? [])] : [m]).sort();
  } else {
    if (!currentLads.has(gss)) fail(`${r['official-name']} ${gss} is not a current (2023) local authority district`);
    areas = [gss];
    if (r['county-la']) parent = byLaCode.get(r['county-la'])?.['gss-code'] ?? fail(`county ${r['county-la']} of ${r['official-name']} not found`);
  }
  if (areas.length === 0) fail(`${r['official-name']} serves no areas`);
  bodies.push({
    code: gss, name: r['official-name'], body_type: type, areas, parent_code: parent, region: r.region || null,
    aliases: cleanAliases(r['official-name'], [r['nice-name'], ...r['alt-names'].split(/,(?! )/),
      // mySociety's codes for combined authorities are their usual acronyms (GMCA, WMCA, GLA).
      ...(type === 'combined_authority' && /CA$|^GLA$/.test(r['local-authority-code']) ? [r['local-authority-code']] : [])]),
  });
}

// Every current LAD must have exactly one lower-tier/unitary council.
const ladCouncils = bodies.filter((b) => !['county', 'combined_authority'].includes(b.body_type));
for (const code of currentLads.keys()) {
  if (ladCouncils.filter((b) => b.code === code).length !== 1) fail(`LAD ${code} ${currentLads.get(code)} has no council`);
}

// ---------- police force areas ----------

const pfaLads = new Map<string, { name: string; lads: Set<string> }>();
for (const r of ladToPfa) {
  if (!pfaLads.has(r.PFA23CD)) pfaLads.set(r.PFA23CD, { name: r.PFA23NM, lads: new Set() });
  pfaLads.get(r.PFA23CD)!.lads.add(r.LAD23CD);
}
const pfaByName = new Map([...pfaLads].map(([code, v]) => [v.name, { code, lads: [...v.lads] }]));

// The policing body differs: most areas have a PCC; some a police, fire and crime commissioner;
// in London MOPAC and the City of London; in mayoral areas the mayor. Names follow what each publishes under.
const PFCC = new Set(['Essex', 'Staffordshire', 'Northamptonshire']);
const MAYORAL = new Set(['Greater Manchester', 'West Yorkshire', 'South Yorkshire', 'North Yorkshire']);
for (const [code, { name: rawName, lads }] of pfaLads) {
  const area = rawName.replace(/ & /g, ' and ');
  let name = `${area} Police and Crime Commissioner`;
  let extra: string[] = [];
  if (area === 'Metropolitan Police') {
    name = "Mayor's Office for Policing and Crime";
    extra = ['MOPAC', 'Metropolitan Police Service', 'Metropolitan Police', 'Commissioner of Police of the Metropolis'];
  } else if (area === 'London, City of') {
    name = 'City of London Police';
    extra = ['City of London Police Authority'];
  } else {
    if (PFCC.has(area)) name = `${area} Police, Fire and Crime Commissioner`;
    if (MAYORAL.has(area)) name = `${area} Police`;
    extra = [`${area} Police`, `${area} Constabulary`, `${area} Police and Crime Commissioner`,
      `Police and Crime Commissioner for ${area}`, `${area} PCC`, `Office of the Police and Crime Commissioner for ${area}`,
      ...(PFCC.has(area) ? [`Police, Fire and Crime Commissioner for ${area}`] : [])];
  }
  const areas = [...lads].sort();
  bodies.push({ code, name, body_type: 'police', areas, parent_code: null,
    region: sharedRegion(areas.map((a) => regionOfGss.get(a))), aliases: cleanAliases(name, extra) });
}

// ---------- fire and rescue authorities (England and Wales) ----------
// No source file lists them, so they are defined here from the areas they cover: police force areas,
// counties (current districts), metropolitan counties and named districts. Codes are org-id.guide style
// (GB-FRA-...) because their official GSS (E31) codes are not in the sources. Checked below: every
// English and Welsh LAD is covered by exactly one authority.
interface FireSpec { area: string; name?: string; aliases?: string[]; pfa?: string[]; counties?: string[]; metCounties?: string[]; lads?: string[]; exceptLads?: string[] }
const FIRE: FireSpec[] = [
  { area: 'Avon', lads: ['Bristol, City of', 'Bath and North East Somerset', 'North Somerset', 'South Gloucestershire'] },
  { area: 'Bedfordshire', pfa: ['Bedfordshire'] },
  { area: 'Royal Berkshire', aliases: ['Berkshire Fire and Rescue Service'], lads: ['Bracknell Forest', 'Reading', 'Slough', 'West Berkshire', 'Windsor and Maidenhead', 'Wokingham'] },
  { area: 'Buckinghamshire and Milton Keynes', lads: ['Buckinghamshire', 'Milton Keynes'] },
  { area: 'Cambridgeshire', pfa: ['Cambridgeshire'] },
  { area: 'Cheshire', pfa: ['Cheshire'] },
  { area: 'Cleveland', name: 'Cleveland Fire Brigade', pfa: ['Cleveland'] },
  { area: 'Cornwall', lads: ['Cornwall'] },
  { area: 'Isles of Scilly', lads: ['Isles of Scilly'] },
  { area: 'County Durham and Darlington', pfa: ['Durham'] },
  { area: 'Cumbria', pfa: ['Cumbria'] },
  { area: 'Derbyshire', pfa: ['Derbyshire'] },
  { area: 'Devon and Somerset', counties: ['E10000008'], lads: ['Plymouth', 'Torbay', 'Somerset'] },
  { area: 'Dorset and Wiltshire', pfa: ['Dorset', 'Wiltshire'] },
  { area: 'East Sussex', counties: ['E10000011'], lads: ['Brighton and Hove'] },
  { area: 'Essex', name: 'Essex County Fire and Rescue Service', aliases: ['Essex Police, Fire and Crime Commissioner Fire and Rescue Authority'], pfa: ['Essex'] },
  { area: 'Gloucestershire', pfa: ['Gloucestershire'] },
  { area: 'Greater Manchester', pfa: ['Greater Manchester'] },
  { area: 'Hampshire and Isle of Wight', pfa: ['Hampshire'] },
  { area: 'Hereford and Worcester', counties: ['E10000034'], lads: ['Herefordshire, County of'] },
  { area: 'Hertfordshire', pfa: ['Hertfordshire'] },
  { area: 'Humberside', pfa: ['Humberside'] },
  { area: 'Kent', pfa: ['Kent'] },
  { area: 'Lancashire', aliases: ['Lancashire Combined Fire Authority'], pfa: ['Lancashire'] },
  { area: 'Leicestershire', pfa: ['Leicestershire'] },
  { area: 'Lincolnshire', pfa: ['Lincolnshire'] },
  { area: 'London', name: 'London Fire Brigade', aliases: ['London Fire Commissioner', 'London Fire and Emergency Planning Authority'], pfa: ['Metropolitan Police', 'London, City of'] },
  { area: 'Merseyside', pfa: ['Merseyside'] },
  { area: 'Norfolk', pfa: ['Norfolk'] },
  { area: 'North Yorkshire', pfa: ['North Yorkshire'] },
  { area: 'Northamptonshire', pfa: ['Northamptonshire'] },
  { area: 'Northumberland', lads: ['Northumberland'] },
  { area: 'Nottinghamshire', pfa: ['Nottinghamshire'] },
  { area: 'Oxfordshire', counties: ['E10000025'] },
  { area: 'Shropshire', lads: ['Shropshire', 'Telford and Wrekin'] },
  { area: 'South Yorkshire', pfa: ['South Yorkshire'] },
  { area: 'Staffordshire', pfa: ['Staffordshire'] },
  { area: 'Suffolk', pfa: ['Suffolk'] },
  { area: 'Surrey', pfa: ['Surrey'] },
  { area: 'Tyne and Wear', metCounties: ['Tyne and Wear'] },
  { area: 'Warwickshire', pfa: ['Warwickshire'] },
  { area: 'West Midlands', pfa: ['West Midlands'] },
  { area: 'West Sussex', counties: ['E10000032'] },
  { area: 'West Yorkshire', pfa: ['West Yorkshire'] },
  { area: 'North Wales', pfa: ['North Wales'] },
  { area: 'Mid and West Wales', pfa: ['Dyfed-Powys'], lads: ['Neath Port Talbot', 'Swansea'] },
  { area: 'South Wales', pfa: ['South Wales', 'Gwent'], exceptLads: ['Neath Port Talbot', 'Swansea'] },
];
const ladCode = (name: string) => ladByName.get(name) ?? fail(`fire area: no LAD named "${name}"`);
const fireCover = new Map<string, string[]>();
for (const f of FIRE) {
  const except = new Set((f.exceptLads ?? []).map(ladCode));
  const areas = [...new Set([
    ...(f.pfa ?? []).flatMap((p) => pfaByName.get(p)?.lads ?? fail(`fire area ${f.area}: no police force area "${p}"`)),
    ...(f.counties ?? []).flatMap((c) => [...(countyDistricts.get(c) ?? fail(`fire area ${f.area}: no county ${c}`))]),
    ...(f.metCounties ?? []).flatMap((m) => metCountyLads.get(m) ?? fail(`fire area ${f.area}: no metropolitan county ${m}`)),
    ...(f.lads ?? []).map(ladCode),
  ])].filter((a) => !except.has(a)).sort();
  const name = f.name ?? `${f.area} Fire and Rescue Service`;
  const code = `GB-FRA-${f.area.toUpperCase().replace(/[^A-Z0-9]+/g, '-')}`;
  for (const a of areas) fireCover.set(a, [...(fireCover.get(a) ?? []), code]);
  bodies.push({ code, name, body_type: 'fire', areas, parent_code: null,
    region: sharedRegion(areas.map((a) => regionOfGss.get(a))),
    aliases: cleanAliases(name, [...(f.aliases ?? []), `${f.area} Fire and Rescue Authority`, `${f.area} Fire and Rescue Service`]) });
}
for (const code of currentLads.keys()) {
  if (!/^[EW]/.test(code)) continue;
  const cover = fireCover.get(code) ?? [];
  if (cover.length !== 1) fail(`LAD ${code} ${currentLads.get(code)} is covered by ${cover.length} fire authorities (${cover})`);
}

// ---------- NHS ----------

const NHS_REGIONS: Record<string, string> = {
  Y56: 'London', Y58: 'South West', Y59: 'South East', Y60: 'Midlands', Y61: 'East of England', Y62: 'North West', Y63: 'North East and Yorkshire',
};
const openTrusts = trusts.filter((t) => t[0] && !t[11]); // column 12 is the close date
const icbCodes = new Set(icbs.map((r) => r.ICB24CDH));
for (const r of icbs) {
  const name = r.ICB24NM;
  const place = name.replace(/^NHS /, '').replace(/ Integrated Care Board$/, '');
  bodies.push({
    code: r.ICB24CDH, name, body_type: 'nhs_commissioner', areas: [r.ICB24CD], parent_code: null,
    // ICBs carry no region in the source: take the NHS region of the trusts they host.
    region: sharedRegion(openTrusts.filter((t) => t[3] === r.ICB24CDH).map((t) => NHS_REGIONS[t[2]])),
    aliases: cleanAliases(name, [`NHS ${place}`, `NHS ${place} ICB`, `${place} Integrated Care Board`, `${place} ICB`]),
  });
}
for (const t of openTrusts) {
  const name = titleCase(t[1]);
  // Trust catchments are not in the sources, so no areas; parent is the ICB the trust sits in.
  bodies.push({
    code: t[0], name, body_type: 'nhs_provider', areas: [], parent_code: icbCodes.has(t[3]) ? t[3] : null,
    region: NHS_REGIONS[t[2]] ?? null, aliases: [],
  });
}

// ---------- checks and output ----------

const codes = new Set<string>();
const typeCodes = new Set(BODY_TYPES.map((t) => t.code));
for (const b of bodies) {
  if (codes.has(b.code)) fail(`duplicate body code ${b.code}`);
  codes.add(b.code);
  if (!typeCodes.has(b.body_type)) fail(`unknown body type ${b.body_type}`);
}
for (const b of bodies) if (b.parent_code && !codes.has(b.parent_code)) fail(`${b.code}: parent ${b.parent_code} is not in the register`);

bodies.sort((a, b) => a.code.localeCompare(b.code));
// One body per line: small, and a refresh shows as a readable diff.
fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(outFile, '[\n' + bodies.map((b) => JSON.stringify(b)).join(',\n') + '\n]\n');
const counts = bodies.reduce<Record<string, number>>((acc, b) => ({ ...acc, [b.body_type]: (acc[b.body_type] ?? 0) + 1 }), {});
console.log(`wrote ${bodies.length} bodies to ${outFile}:`, JSON.stringify(counts));
