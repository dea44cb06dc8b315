// Pure name handling for public bodies: turns a payee/publisher name variant ("WYRE BC", "Police and Crime
// Commissioner for Lancashire", "MANCHESTER UNIVERSITY NHSFT") into a family and a core place/name, so
// different spellings of one body meet on one key. Kept free of I/O so it can be tested exhaustively.

export type NameFamily = 'council' | 'combined' | 'police' | 'fire' | 'nhs_commissioner' | 'nhs_provider';

/** Lower case, '&' -> 'and', no punctuation or accents, "X, City of" -> "city of X", no leading "the". */
export function normaliseName(name: string): string {
  return name
    .normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
    .replace(/^(.*),\s*(city|county) of\s*$/i, '$2 of $1') // ONS style "Bristol, City of"
    .toLowerCase()
    .replace(/[&+]/g, ' and ')
    .replace(/['’`]/g, '') // "King's" -> "kings"
    .replace(/[^a-z0-9]+/g, ' ')
    .replace(/\bsaint\b/g, 'st')
    .trim()
    .replace(/^the /, '');
}

// Words that say what kind of body a name is, at its end (suffix) or start (prefix). Longest first, so
// "combined fire authority" wins over "fire authority" and "fire and rescue authority" over anything police.
// Each is kept with the space that parts it from the rest of a name (stripOnce runs for every new payee).
const SUFFIXES: (readonly [string, NameFamily])[] = ([
  ['police fire and crime commissioner', 'police'], ['police and crime commissioners office', 'police'],
  ['police and crime commissioner', 'police'], ['police crime commissioner', 'police'], ['police authority', 'police'],
  ['police service', 'police'], ['police force', 'police'], ['chief constable', 'police'], ['constabulary', 'police'],
  ['police', 'police'], ['opcc', 'police'], ['pfcc', 'police'], ['pcc', 'police'],
  ['fire and rescue service', 'fire'], ['fire and rescue services', 'fire'], ['fire and rescue authority', 'fire'],
  ['fire rescue service', 'fire'], ['fire and rescue', 'fire'], ['combined fire authority', 'fire'],
  ['fire authority', 'fire'], ['fire brigade', 'fire'], ['fire service', 'fire'], ['frs', 'fire'], ['fra', 'fire'], ['cfa', 'fire'],
  ['integrated care board', 'nhs_commissioner'], ['clinical commissioning group', 'nhs_commissioner'],
  ['integrated care system', 'nhs_commissioner'], ['icb', 'nhs_commissioner'], ['ccg', 'nhs_commissioner'],
  ['mayoral combined authority', 'combined'], ['combined county authority', 'combined'], ['combined authority', 'combined'],
  ['mca', 'combined'], ['cca', 'combined'], ['ca', 'combined'],
  ['metropolitan borough council', 'council'], ['metropolitan district council', 'council'], ['county borough council', 'council'],
  ['city and district council', 'council'], ['borough council', 'council'], ['district council', 'council'],
  ['county council', 'council'], ['city council', 'council'], ['unitary authority', 'council'], ['unitary council', 'council'],
  ['council', 'council'], ['corporation', 'council'], ['mbc', 'council'], ['mdc', 'council'], ['cbc', 'council'],
  ['bc', 'council'], ['dc', 'council'], ['cc', 'council'], ['ua', 'council'],
] as [string, NameFamily][]).sort((a, b) => b[0].length - a[0].length).map(([word, fam]) => [' ' + word, fam] as const);

const PREFIXES: (readonly [string, NameFamily])[] = ([
  ['office of the police fire and crime commissioner for', 'police'], ['office of the police and crime commissioner for', 'police'],
  ['police fire and crime commissioner for', 'police'], ['police and crime commissioner for', 'police'],
  ['chief constable of', 'police'], ['pcc for', 'police'],
  ['mayor and burgesses of the london borough of', 'council'], ['mayor and burgesses of the', 'council'],
  ['london borough of', 'council'], ['royal borough of', 'council'], ['metropolitan borough of', 'council'],
  ['city and county of', 'council'], ['city of', 'council'], ['county of', 'council'], ['borough of', 'council'],
  ['council of the', 'council'], ['council of', 'council'], ['lb', 'council'], ['rb', 'council'],
] as [string, NameFamily][]).sort((a, b) => b[0].length - a[0].length).map(([word, fam]) => [word + ' ', fam] as const);

/** "... NHS", "... NHS FT", "... NHSFT", and names cut short like "... NHS FOUNDATI". */
function stripTrust(s: string): string | null {
  const i = s.lastIndexOf(' nhs');
  if (i <= 0) return null;
  const tail = s.slice(i + 4);
  if (tail === '' || [' foundation trust', ' trust', ' ft', 'ft', 't'].some((full) => full.startsWith(tail))) return s.slice(0, i);
  return null;
}

function stripOnce(s: string, family: NameFamily | null): { rest: string; family: NameFamily } | null {
  if (!family || family === 'nhs_provider') {
    const t = stripTrust(s);
    if (t !== null) return { rest: t, family: 'nhs_provider' };
  }
  for (const [word, fam] of SUFFIXES) {
    if ((family === null || fam === family) && s.endsWith(word)) return { rest: s.slice(0, -word.length), family: fam };
  }
  for (const [word, fam] of PREFIXES) {
    if ((family === null || fam === family) && s.startsWith(word)) return { rest: s.slice(word.length), family: fam };
  }
  return null;
}

/**
 * Splits a name into the family its words announce (null if none) and the core that identifies the body
 * within the family: "WYRE BOROUGH COUNCIL" -> council/"wyre"; "NHS Gloucestershire CCG" ->
 * nhs_commissioner/"gloucestershire"; "Lancashire Police Federation" -> null/"lancashire police federation".
 */
export function parseBodyName(name: string): { family: NameFamily | null; core: string } {
  let core = normaliseName(name);
  let family: NameFamily | null = null;
  // Strip family words repeatedly ("city of bradford metropolitan district council" -> "bradford").
  for (let step = stripOnce(core, null); step && step.rest.trim(); step = stripOnce(core, family)) {
    family = step.family;
    core = step.rest.trim().replace(/^the /, '');
  }
  if (family === 'nhs_commissioner' || (family === null && core.startsWith('nhs '))) {
    // "NHS Gloucestershire" is how ICBs brand themselves.
    if (core.startsWith('nhs ')) { core = core.slice(4); family = 'nhs_commissioner'; }
  }
  // "County Durham" and "Durham County Council" are one place.
  if (family && core.startsWith('county ') && core.length > 7) core = core.slice(7);
  return { family, core };
}

/** The family a body of this type is indexed under when its name carries no family words. */
export function familyOfBodyType(bodyType: string): NameFamily | null {
  switch (bodyType) {
    case 'county': case 'district': case 'unitary': case 'metropolitan': case 'london_borough': return 'council';
    case 'combined_authority': return 'combined';
    case 'police': return 'police';
    case 'fire': return 'fire';
    case 'nhs_commissioner': return 'nhs_commissioner';
    case 'nhs_provider': return 'nhs_provider';
    default: return null;
  }
}

export interface NamedBody { code: string; name: string; body_type: string; aliases: string[] }

/**
 * An index of bodies by name keys. `match` returns the one body a name points to, or null when it points
 * to none or to several (e.g. plain "Lancashire": council, police and fire all share that core).
 */
export class BodyNameIndex {
  private readonly byFamily = new Map<string, Set<string>>();
  private readonly byCore = new Map<string, Set<string>>();
  private readonly codes = new Set<string>();

  constructor(bodies: Iterable<NamedBody>) {
    for (const b of bodies) {
      this.codes.add(b.code);
      for (const variant of [b.name, ...b.aliases]) {
        const { family, core } = parseBodyName(variant);
        if (!core) continue;
        add(this.byFamily, `${family ?? familyOfBodyType(b.body_type) ?? 'other'}:${core}`, b.code);
        add(this.byCore, core, b.code);
      }
    }
  }

  match(name: string): string | null {
    const trimmed = name.trim();
    if (this.codes.has(trimmed.toUpperCase())) return trimmed.toUpperCase();
    const { family, core } = parseBodyName(trimmed);
    if (!core) return null;
    const found = family ? this.byFamily.get(`${family}:${core}`) : this.byCore.get(core);
    return found?.size === 1 ? [...found][0] : null;
  }
}

function add(map: Map<string, Set<string>>, key: string, code: string): void {
  const set = map.get(key);
  if (set) set.add(code); else map.set(key, new Set([code]));
}
