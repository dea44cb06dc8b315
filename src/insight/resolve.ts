// Entity resolution of payees: names as published by many bodies in, supplier entities out. Pure and
// in-memory (the database reads and writes are in src/insight/suppliers.ts), so it can be benchmarked and
// tested on its own.
//
// Evidence, strongest first; each merge records the rule that made it, a score and a confidence:
//   user-merge       a person said these names are one supplier (wins over everything, as do their splits)
//   public-body      both names are the same registered public body (src/place/body-names.ts decides)
//   company-number / charity-number / vat-number   the same identifier in the files
//   same-name        the same name, ignoring case
//   normalised-name  the same after normalisation (punctuation, "&"/"and", legal form, "the", spacing)
//   trading-name     "X Ltd T/A Y" and "Y": the one supplier trading as Y
//   fuzzy            similar names: every word of one matches a word of the other (spelling slips,
//                    abbreviations, plurals, names cut short by the file), weighted by how rare each word is
// Automatic merges never join two different public bodies, a public body to anything not linked to it,
// two suppliers whose files give different company (or charity, or VAT) numbers, or names a person split.
// Individuals and redacted payees are never input: the caller leaves them out, and resolve() refuses them.
import { supplierKey, companyNumber, charityNumber, vatNumber, type NameKey } from './normalise.ts';

export interface PayeeRecord {
  body_code: string;
  /** The name as published. */
  name: string;
  /** Only 'organisation' payees are resolved (individuals and redacted payees never are). */
  payee_kind: string;
  /** The registered body this payee is (set at ingest), or null. */
  payee_body_code?: string | null;
  company_no?: string | null;
  charity_no?: string | null;
  vat_no?: string | null;
  /** What was paid to it (pence, any sign): the most-paid spelling names the entity. */
  amount_pence?: number;
}

/** A person's decision: `same` joins two names, `different` keeps them apart. Names compare case-insensitively. */
export interface NameDecision { kind: 'same' | 'different'; name_a: string; name_b: string }

export type MatchRule = 'user-merge' | 'public-body' | 'company-number' | 'charity-number' | 'vat-number'
  | 'same-name' | 'normalised-name' | 'trading-name' | 'fuzzy' | 'single';

export interface Assignment {
  /** Index into the input records. */
  record: number;
  entity: number;
  rule: MatchRule;
  /** Similarity behind the rule (1 for exact evidence). */
  score: number;
  /** How sure the match is, 0-1 (1 for a person's decision). */
  confidence: number;
  /** The other name this one was matched to (null when alone). */
  matched_to: string | null;
}

export interface Entity {
  /** Stable across runs while the membership stays the same: "body-E07000120", "org-grant-thornton". */
  key: string;
  name: string;
  /** The registered public body it is, or null. */
  body_code: string | null;
  records: number[];
  /** The weakest link's confidence (1 for a single name). */
  confidence: number;
}

export interface ResolveOptions {
  decisions?: NameDecision[];
  /** Matches a name to a registered body (loadBodyMatcher); used when payee_body_code is not set. */
  matchBody?: (name: string) => string | null;
  /** Names of registered bodies, to name public-body entities. */
  bodyNames?: ReadonlyMap<string, string>;
  /** Fuzzy matches scoring below this are not made (0-1). */
  fuzzyThreshold?: number;
}

export interface ResolveResult {
  entities: Entity[];
  assignments: Assignment[];
  stats: {
    records: number; excluded: number; entities: number; shared_by_rule: Record<string, number>; candidate_pairs: number; fuzzy_merges: number;
    ms: number;
    /** Milliseconds spent in each step. */
    phases: Record<string, number>;
  };
}

const CONFIDENCE: Record<Exclude<MatchRule, 'fuzzy'>, number> = {
  'user-merge': 1, 'public-body': 1, 'company-number': 0.99, 'charity-number': 0.99, 'vat-number': 0.95,
  'same-name': 0.99, 'normalised-name': 0.97, 'trading-name': 0.9, single: 1,
};

/** The confidence of a fuzzy match scoring `score` (at least the threshold). */
export const fuzzyConfidence = (score: number) => Math.round((0.5 + 0.45 * score) * 1000) / 1000;

// ---------------------------------------------------------------------------------------------------
// Word similarity

/** a from position i equals b from position j. */
function tailsEqual(a: string, i: number, b: string, j: number): boolean {
  if (a.length - i !== b.length - j) return false;
  for (; i < a.length; i++, j++) if (a.charCodeAt(i) !== b.charCodeAt(j)) return false;
  return true;
}

/**
 * One slip between two words: a letter missing or extra (the shorter word of 5 letters or more), two
 * letters swapped (5 or more), or one letter wrong (6 or more: "plant" and "plast" are different words).
 */
function oneSlip(a: string, b: string): boolean {
  const la = a.length, lb = b.length;
  if (Math.abs(la - lb) > 1 || Math.min(la, lb) < 5) return false;
  let i = 0;
  while (i < la && i < lb && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === la && i === lb) return true;
  if (la === lb) {
    if (i + 1 < la && a.charCodeAt(i) === b.charCodeAt(i + 1) && a.charCodeAt(i + 1) === b.charCodeAt(i) && tailsEqual(a, i + 2, b, i + 2)) return true; // swapped
    return la >= 6 && tailsEqual(a, i + 1, b, i + 1); // wrong letter
  }
  return la > lb ? tailsEqual(a, i + 1, b, i) : tailsEqual(a, i, b, i + 1);
}

/** The singular of a word: "nurseries" -> "nursery", "homes" -> "home" ("class", "bus" stay). */
export const singular = (t: string) => (t.length <= 3 || !t.endsWith('s') || t.endsWith('ss') ? t : t.endsWith('ies') ? t.slice(0, -3) + 'y' : t.slice(0, -1));

/** Two different words whose singulars are the same ("home"/"homes", "nursery"/"nurseries"), without building strings. */
function samePlural(a: string, b: string): boolean {
  let long = a, short = b;
  if (long.length < short.length) { long = b; short = a; }
  const n = long.length, d = n - short.length;
  if (n <= 3 || long.charCodeAt(n - 1) !== 115 || long.charCodeAt(n - 2) === 115) return false; // must end in one "s"
  if (d === 1) return short.length > 0 && long.startsWith(short) && (short.length <= 3 || short.charCodeAt(short.length - 1) !== 115 || short.charCodeAt(short.length - 2) === 115);
  if (d === 2) return long.endsWith('ies') && short.charCodeAt(short.length - 1) === 121 && tailsEqual(long.slice(0, n - 3), 0, short.slice(0, -1), 0);
  return false;
}

function hasDigit(s: string): boolean {
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); if (c >= 48 && c <= 57) return true; }
  return false;
}

/** Word similarities. */
export const SAME_WORD = 1, ABBREVIATED = 0.9, SLIP = 0.85;

/**
 * How alike two words are: 1 equal (or one the plural of the other), 0.9 an abbreviation ("inst" of
 * "institute", at least 3 letters), 0.85 one slip ("enviromental"), else 0.
 */
export function wordSimilarity(a: string, b: string, allowPrefix: boolean): number {
  if (a === b) return SAME_WORD;
  const la = a.length, lb = b.length;
  if (la === 0 || lb === 0 || (Math.abs(la - lb) > 2 && !allowPrefix)) return 0;
  // Plurals and abbreviations share the first letter; a slip may not ("Hursing Home").
  if (a.charCodeAt(0) !== b.charCodeAt(0)) return !hasDigit(a) && !hasDigit(b) && oneSlip(a, b) ? SLIP : 0;
  if (samePlural(a, b)) return SAME_WORD;
  if (hasDigit(a) || hasDigit(b)) return 0; // "unit 2" and "unit 3" differ
  if (allowPrefix) {
    if (la >= 3 && lb >= la + 2 && b.startsWith(a)) return ABBREVIATED;
    if (lb >= 3 && la >= lb + 2 && a.startsWith(b)) return ABBREVIATED;
  }
  if (oneSlip(a, b)) return SLIP;
  return 0;
}

function trigrams(s: string): Set<string> {
  const p = ` ${s} `;
  const out = new Set<string>();
  for (let i = 0; i + 3 <= p.length; i++) out.add(p.slice(i, i + 3));
  return out;
}

/** Dice coefficient of the character trigrams of two strings. */
export function trigramDice(a: string, b: string): number {
  const ta = trigrams(a), tb = trigrams(b);
  let common = 0;
  for (const t of ta) if (tb.has(t)) common++;
  return (2 * common) / (ta.size + tb.size || 1);
}

export interface KeyInfo { tokens: string[]; compact: string; truncated: boolean }

/** How common words are among the names being resolved: `count(t)` names contain t, out of `names`. */
export interface WordFrequencies {
  names: number;
  count(word: string): number;
  /** How much a shared word says: log(1 + names / names with the word). */
  weight(word: string): number;
}

/** Frequencies over a list of names' words. */
export function wordFrequencies(names: Iterable<readonly string[]>): WordFrequencies {
  const df = new Map<string, number>();
  let total = 0;
  for (const tokens of names) {
    total++;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (tokens.indexOf(t) === i) df.set(t, (df.get(t) ?? 0) + 1);
    }
  }
  const weights = new Map<string, number>();
  return {
    names: total,
    count: (t) => df.get(t) ?? 0,
    weight(t) {
      let w = weights.get(t);
      if (w === undefined) weights.set(t, (w = Math.log(1 + total / Math.max(1, df.get(t) ?? 0))));
      return w;
    },
  };
}

interface Tally { matched: number; total: number; sameOthers: number; abbreviatedOthers: number; acronyms: number }

/** Marks a run of unmatched words of `other` whose initials spell an unmatched word of `one` ("gm" = "garden machinery"). */
function matchAcronyms(one: KeyInfo, simOne: Float64Array, other: KeyInfo, simOther: Float64Array, freq: WordFrequencies, acc: Tally): void {
  for (let i = 0; i < one.tokens.length; i++) {
    const word = one.tokens[i];
    if (simOne[i] !== 0 || !acronymCandidate(word, i)) continue;
    // Two letters say little: never as the first word of either name ("A B Contracts" is not "Academy Building Contracts").
    const first = word.length >= 3 ? 0 : 1;
    for (let j = first; j + word.length <= other.tokens.length; j++) {
      let ok = true;
      for (let k = 0; k < word.length && ok; k++) ok = simOther[j + k] === 0 && other.tokens[j + k].charCodeAt(0) === word.charCodeAt(k);
      if (!ok) continue;
      simOne[i] = ABBREVIATED;
      acc.acronyms++;
      let w = 0;
      for (let k = 0; k < word.length; k++) {
        const t = other.tokens[j + k];
        simOther[j + k] = ABBREVIATED;
        w = Math.max(w, freq.weight(t));
        acc.abbreviatedOthers = Math.min(acc.abbreviatedOthers, freq.count(t) - 1);
      }
      acc.matched += ABBREVIATED * 2 * w;
      acc.total += 2 * w;
      break;
    }
  }
}

/** Whether a word at position i could be an acronym of other words (2-6 letters, no digits; two letters not first). */
const acronymCandidate = (word: string, i: number) => word.length >= 2 && word.length <= 6 && (word.length >= 3 || i > 0) && !hasDigit(word);

// Scratch space for fuzzyScore (never re-entered): per-word similarities of the two names.
let scratchA = new Float64Array(64), scratchB = new Float64Array(64);

/**
 * Scores two normalised names, 0-1; 0 unless every word of each is matched by a word of the other (a
 * name cut short by its file may lack the other's last words), at least one word is the same in both,
 * and the abbreviations lean on a same word at least as rare, among the other names, as the words
 * abbreviated ("Capita Property & Infrastr" yes; "Dove Care" and "Dovetail Care" no: "care" is in many
 * other names, "dovetail" in none). Words weigh by rarity: log(1 + names / names with the word).
 */
export function fuzzyScore(a: KeyInfo, b: KeyInfo, freq: WordFrequencies): number {
  const na = a.tokens.length, nb = b.tokens.length;
  if (na === 0 || nb === 0) return 0;
  if (scratchA.length < na) scratchA = new Float64Array(na * 2);
  if (scratchB.length < nb) scratchB = new Float64Array(nb * 2);
  const simA = scratchA.subarray(0, na).fill(0), simB = scratchB.subarray(0, nb).fill(0);
  const acc: Tally = { matched: 0, total: 0, sameOthers: Infinity, abbreviatedOthers: Infinity, acronyms: 0 };
  const prefixOk = na > 1 && nb > 1;
  // Whether b has a word that could stand for several of a's ("GM" for "Garden Machinery").
  let bAcronym = false;
  if (prefixOk) for (let j = 0; j < nb && !bAcronym; j++) bAcronym = acronymCandidate(b.tokens[j], j);
  for (let i = 0; i < na; i++) {
    const ta = a.tokens[i];
    let best = 0, bestJ = -1;
    for (let j = 0; j < nb; j++) {
      if (simB[j] > 0) continue;
      const s = wordSimilarity(ta, b.tokens[j], prefixOk);
      if (s > best) { best = s; bestJ = j; if (s === SAME_WORD) break; }
    }
    if (bestJ < 0) {
      // Only an acronym, or the other name having been cut short, can still account for this word.
      if (!b.truncated && !bAcronym && !(prefixOk && acronymCandidate(ta, i))) return 0;
      continue;
    }
    const tb = b.tokens[bestJ];
    simA[i] = best;
    simB[bestJ] = best;
    const wa = freq.weight(ta), wb = freq.weight(tb);
    // How many other names have the word: a same word is in both of these, an abbreviated one in one.
    if (best === SAME_WORD && ta.length >= 3) acc.sameOthers = Math.min(acc.sameOthers, freq.count(ta) - (ta === tb ? 2 : 1));
    if (best === ABBREVIATED) acc.abbreviatedOthers = Math.min(acc.abbreviatedOthers, freq.count(ta.length > tb.length ? ta : tb) - 1);
    acc.matched += best * (wa + wb);
    acc.total += wa + wb;
  }
  if (acc.sameOthers === Infinity) return 0;
  if (prefixOk) {
    matchAcronyms(a, simA, b, simB, freq, acc);
    matchAcronyms(b, simB, a, simA, freq, acc);
  }
  if (acc.sameOthers > Math.max(1, 2 * acc.abbreviatedOthers)) return 0;
  // A name cut short may end in a stump of a word ("... Solutions U"): ignored.
  if (a.truncated && simA[na - 1] === 0 && a.tokens[na - 1].length <= 2) simA[na - 1] = -1;
  if (b.truncated && simB[nb - 1] === 0 && b.tokens[nb - 1].length <= 2) simB[nb - 1] = -1;
  if (!coveredUnlessCut(simA, b.truncated, simB) || !coveredUnlessCut(simB, a.truncated, simA)) return 0;
  if (acc.total === 0) return 0;
  // Letters compared only where words were compared letter by letter: an acronym has few in common by nature.
  return acc.acronyms ? acc.matched / acc.total : 0.7 * (acc.matched / acc.total) + 0.3 * trigramDice(a.compact, b.compact);
}

/**
 * Every word of a name is matched, or the partner was cut short: then the partner's words must all be
 * matched and the unmatched words here must all come after the last matched one.
 */
function coveredUnlessCut(sim: Float64Array, partnerCut: boolean, partnerSim: Float64Array): boolean {
  let last = -1, unmatched = false;
  for (let i = 0; i < sim.length; i++) {
    if (sim[i] > 0) last = i;
    else if (sim[i] === 0) unmatched = true;
  }
  if (!unmatched) return true;
  if (!partnerCut) return false;
  for (let j = 0; j < partnerSim.length; j++) if (partnerSim[j] === 0) return false;
  for (let i = 0; i < last; i++) if (sim[i] === 0) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------------
// Union-find with the constraints automatic merges must respect

class Clusters {
  readonly parent: Int32Array;
  readonly size: Int32Array;
  readonly body: (string | null)[];
  readonly ids: (Map<string, Set<string>> | null)[];
  /** Decisions (indexes) touching a name in the cluster. */
  readonly decisions: (number[] | null)[];

  constructor(n: number) {
    this.parent = new Int32Array(n);
    this.size = new Int32Array(n).fill(1);
    for (let i = 0; i < n; i++) this.parent[i] = i;
    this.body = new Array(n).fill(null);
    this.ids = new Array(n).fill(null);
    this.decisions = new Array(n).fill(null);
  }

  find(i: number): number {
    const p = this.parent;
    while (p[i] !== i) { p[i] = p[p[i]]; i = p[i]; }
    return i;
  }

  addId(i: number, kind: string, value: string): void {
    let m = this.ids[i];
    if (!m) this.ids[i] = m = new Map();
    let s = m.get(kind);
    if (!s) m.set(kind, (s = new Set()));
    s.add(value);
  }

  /** Why roots x and y may not be merged automatically, or null. `loose` rules may not touch public bodies at all. */
  conflict(x: number, y: number, loose: boolean, separated: (x: number, y: number) => boolean): string | null {
    const bx = this.body[x], by = this.body[y];
    if (bx !== by && (bx !== null && by !== null || loose)) return 'public-body';
    const ix = this.ids[x], iy = this.ids[y];
    if (ix && iy) {
      for (const [kind, sx] of ix) {
        const sy = iy.get(kind);
        if (sy && ![...sx].some((v) => sy.has(v))) return kind;
      }
    }
    if (separated(x, y)) return 'user-split';
    return null;
  }

  union(x: number, y: number): number {
    if (this.size[x] < this.size[y]) [x, y] = [y, x];
    this.parent[y] = x;
    this.size[x] += this.size[y];
    if (this.body[x] === null) this.body[x] = this.body[y];
    const iy = this.ids[y];
    if (iy) for (const [kind, s] of iy) for (const v of s) this.addId(x, kind, v);
    const dy = this.decisions[y];
    if (dy) this.decisions[x] = this.decisions[x] ? [...this.decisions[x]!, ...dy] : dy;
    this.ids[y] = null; this.decisions[y] = null;
    return x;
  }
}

// ---------------------------------------------------------------------------------------------------

/**
 * The body a payee name is, asking the register's matcher about the name as published, without its notes
 * ("LANCASTER CITY COUNCIL [17340]", "... Council (non domestic rates only)") and as normalised here
 * ("Blackburn With Darwen B.C." -> "blackburn with darwen bc").
 */
function matchBodyLoosely(name: string, key: string, matchBody: (name: string) => string | null): string | null {
  const found = matchBody(name);
  if (found) return found;
  const bare = name.replace(/\([^)]*\)?|\[[^\]]*\]?/g, ' ').trim();
  if (bare && bare !== name) {
    const b = matchBody(bare);
    if (b) return b;
  }
  return key && key !== name.toLowerCase() ? matchBody(key) : null;
}

/** How many names a blocking list may hold: a word (or start of a name) shared by more says little. */
const MAX_BLOCK = 100;
/** A word in at most this many names blocks on its own. */
const RARE_WORD = 10;

const FNV_START = 0x811c9dc5;
/** FNV-1a over a string, leaving out the character at `skip` (-1: none), continuing from `h`. */
function fnv(h: number, s: string, skip = -1): number {
  for (let i = 0; i < s.length; i++) if (i !== skip) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

export interface Blocks {
  /** Names (key indexes) of run r: members[runStart[r] .. runStart[r + 1]). */
  runStart: Int32Array; members: Int32Array;
  /** Runs name k is in: keyRuns[keyStart[k] .. keyStart[k + 1]). */
  keyStart: Int32Array; keyRuns: Int32Array;
}

/**
 * Blocking: names that could be one supplier share a blocking key, so only they are compared (never all
 * pairs). A name's keys: each pair of its three rarest words; its rarest word alone when few names have
 * it; its start (the first two words and two letters of the third: "Anglian Water Bus (Nat)" and "Anglian
 * Water Business (National)"; or the first eight letters of a shorter name: "Rapid Recruit(ment)"); and,
 * for a slip in one of its two rarest words, that word and the word with each letter left out in turn,
 * beside the other word ("cragemoor"/"craegmoor" both give "cragmoor healthcare").
 * Keys are hashed and sorted (no map of strings); lists longer than MAX_BLOCK are dropped.
 */
export function blockNames(info: readonly KeyInfo[], freq: WordFrequencies): Blocks {
  const K = info.length;
  if (K >= 1 << 22) throw new Error(`Too many distinct names to resolve at once (${K}; at most ${(1 << 22) - 1}).`);
  let entries = new Float64Array(Math.max(16, K * 12));
  let n = 0;
  /** Adds a key (given by its hash, built without making the string) for name `idx`. */
  const add = (h: number, idx: number) => {
    if (n === entries.length) { const grown = new Float64Array(entries.length * 2); grown.set(entries); entries = grown; }
    entries[n++] = (h >>> 1) * 4194304 + idx; // a 31-bit hash in the high bits, the name in the low 22
  };
  const SEP = ' ';
  const byRarity = (x: string, y: string) => (freq.count(x) - freq.count(y)) || (x < y ? -1 : 1);
  for (let idx = 0; idx < K; idx++) {
    const k = info[idx];
    const words = [...new Set(k.tokens.filter((t) => t.length >= 3 && !/^\d+$/.test(t)).map(singular))].sort(byRarity);
    const top = Math.min(words.length, 3);
    // Each kind of key starts from its own letter, so "w"ords, "p"refixes and "d"eletions never collide by design.
    for (let x = 0; x < top; x++) {
      for (let y = x + 1; y < top; y++) {
        const [a, b] = words[x] < words[y] ? [words[x], words[y]] : [words[y], words[x]];
        add(fnv(fnv(fnv(FNV_START, 'w '), a), SEP + b), idx);
      }
    }
    if (words.length > 0 && freq.count(words[0]) <= RARE_WORD) add(fnv(fnv(FNV_START, 'w '), words[0]), idx);
    const t = k.tokens;
    if (t.length >= 3) add(fnv(fnv(fnv(fnv(FNV_START, 'p '), t[0]), SEP + t[1] + SEP), t[2].slice(0, 2)), idx);
    else if (k.compact.length >= 8) add(fnv(fnv(FNV_START, 'p '), k.compact.slice(0, 8)), idx);
    for (let x = 0; x < Math.min(words.length, 2); x++) {
      const w = words[x];
      if (w.length < 5) continue;
      const tail = SEP + (words.length > 1 ? words[1 - x] : '');
      const start = fnv(FNV_START, 'd ');
      add(fnv(fnv(start, w), tail), idx);
      for (let d = 0; d < w.length; d++) add(fnv(fnv(start, w, d), tail), idx);
    }
  }
  const sorted = entries.subarray(0, n).sort();
  // Runs of one hash, kept when 2..MAX_BLOCK names long.
  const runStartList: number[] = [];
  const memberList: number[] = [];
  const perKey = new Int32Array(K + 1);
  for (let i = 0; i < n;) {
    const h = Math.floor(sorted[i] / 4194304);
    let j = i + 1;
    while (j < n && Math.floor(sorted[j] / 4194304) === h) j++;
    if (j - i >= 2 && j - i <= MAX_BLOCK) {
      runStartList.push(memberList.length);
      for (let m = i; m < j; m++) {
        const idx = sorted[m] - h * 4194304;
        if (m > i && idx === memberList[memberList.length - 1]) continue; // one name, two keys with one hash
        memberList.push(idx);
        perKey[idx + 1]++;
      }
    }
    i = j;
  }
  const runs = runStartList.length;
  const runStart = Int32Array.from([...runStartList, memberList.length]);
  const members = Int32Array.from(memberList);
  const keyStart = new Int32Array(K + 1);
  for (let k = 0; k < K; k++) keyStart[k + 1] = keyStart[k] + perKey[k + 1];
  const fill = keyStart.slice(0, K);
  const keyRuns = new Int32Array(keyStart[K]);
  for (let r = 0; r < runs; r++) for (let m = runStart[r]; m < runStart[r + 1]; m++) keyRuns[fill[members[m]]++] = r;
  return { runStart, members, keyStart, keyRuns };
}

const RULES: readonly MatchRule[] = ['user-merge', 'public-body', 'company-number', 'charity-number', 'vat-number', 'same-name', 'normalised-name', 'trading-name', 'fuzzy', 'single'];

/**
 * Resolves payees into supplier entities. Deterministic: the same records and decisions give the same
 * entities, keys and explanations. Work is done once per distinct name where it can be (normalising,
 * matching to a body), and per record only where the record's own facts count (its body, identifiers).
 */
export function resolveSuppliers(records: readonly PayeeRecord[], opts: ResolveOptions = {}): ResolveResult {
  const started = performance.now();
  const phases: Record<string, number> = {};
  let lapAt = started;
  const lap = (phase: string) => { const now = performance.now(); phases[phase] = Math.round(now - lapAt); lapAt = now; };
  const threshold = opts.fuzzyThreshold ?? 0.8;
  const n = records.length;

  // Distinct names as published (one record per body and name, usually), and the eligible records.
  const nameOf = new Int32Array(n).fill(-1);
  const names: string[] = [];
  {
    const ids = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const r = records[i];
      if (r.payee_kind !== 'organisation' || !r.name || !r.name.trim()) continue;
      let id = ids.get(r.name);
      if (id === undefined) { id = names.length; ids.set(r.name, id); names.push(r.name); }
      nameOf[i] = id;
    }
  }
  const N = names.length;
  let excluded = 0;
  for (let i = 0; i < n; i++) if (nameOf[i] < 0) excluded++;
  const nameKeys: NameKey[] = names.map((name) => supplierKey(name));
  // Records of each name: recordsOf[start[id] .. start[id + 1]).
  const nameStart = new Int32Array(N + 1);
  for (let i = 0; i < n; i++) if (nameOf[i] >= 0) nameStart[nameOf[i] + 1]++;
  for (let id = 0; id < N; id++) nameStart[id + 1] += nameStart[id];
  const recordsOf = new Int32Array(nameStart[N]);
  {
    const fill = nameStart.slice(0, N);
    for (let i = 0; i < n; i++) if (nameOf[i] >= 0) recordsOf[fill[nameOf[i]]++] = i;
  }

  const c = new Clusters(n);
  const bestRule = new Int8Array(n).fill(-1), bestScore = new Float32Array(n), bestConfidence = new Float32Array(n), bestOther = new Int32Array(n);
  const shared: Record<string, number> = {};

  // Names cut short by their file: a body whose longest names all stop at one length (>= 20 characters).
  const cutWidth = new Map<string, number>();
  {
    const lengths = new Map<string, Map<number, number>>();
    for (let i = 0; i < n; i++) {
      if (nameOf[i] < 0) continue;
      const len = records[i].name.length;
      let m = lengths.get(records[i].body_code);
      if (!m) lengths.set(records[i].body_code, (m = new Map()));
      m.set(len, (m.get(len) ?? 0) + 1);
    }
    for (const [body, m] of lengths) {
      let max = 0, total = 0;
      for (const [len, count] of m) { total += count; if (len > max) max = len; }
      const atMax = m.get(max)!;
      if (max >= 20 && atMax >= 5 && atMax >= total * 0.01) cutWidth.set(body, max);
    }
  }

  // People's decisions, by lower-case name: the records each names.
  const decisions = opts.decisions ?? [];
  const decided = new Map<string, number[]>();
  for (const d of decisions) for (const x of [d.name_a, d.name_b]) decided.set(x.trim().toLowerCase(), []);
  if (decided.size) for (let id = 0; id < N; id++) {
    const l = decided.get(names[id].trim().toLowerCase());
    if (l) for (let k = nameStart[id]; k < nameStart[id + 1]; k++) l.push(recordsOf[k]);
  }
  const recordsNamed = (name: string) => decided.get(name.trim().toLowerCase()) ?? [];
  const differences: [number[], number[]][] = [];
  for (const d of decisions) {
    if (d.kind !== 'different') continue;
    const pair: [number[], number[]] = [recordsNamed(d.name_a), recordsNamed(d.name_b)];
    differences.push(pair);
    for (const i of [...pair[0], ...pair[1]]) (c.decisions[i] ??= []).push(differences.length - 1);
  }
  const separated = (x: number, y: number): boolean => {
    const dx = c.decisions[x], dy = c.decisions[y];
    if (!dx || !dy) return false;
    for (const d of dx) {
      const [a, b] = differences[d];
      const inA = (root: number) => a.some((i) => c.find(i) === root), inB = (root: number) => b.some((i) => c.find(i) === root);
      if ((inA(x) && inB(y)) || (inA(y) && inB(x))) return true;
    }
    return false;
  };

  /** Merges the clusters of i and j unless a constraint forbids it; records the evidence on both. */
  const link = (i: number, j: number, rule: MatchRule, score: number, loose = false, forced = false): boolean => {
    const x = c.find(i), y = c.find(j);
    const confidence = rule === 'fuzzy' ? fuzzyConfidence(score) : CONFIDENCE[rule];
    if (x !== y) {
      if (!forced && c.conflict(x, y, loose, separated)) return false;
      c.union(x, y);
      shared[rule] = (shared[rule] ?? 0) + 1;
    }
    const r = RULES.indexOf(rule);
    if (bestRule[i] < 0 || confidence > bestConfidence[i]) { bestRule[i] = r; bestScore[i] = score; bestConfidence[i] = confidence; bestOther[i] = j; }
    if (bestRule[j] < 0 || confidence > bestConfidence[j]) { bestRule[j] = r; bestScore[j] = score; bestConfidence[j] = confidence; bestOther[j] = i; }
    return true;
  };
  /** Links each record of a group to the first (or, when that one is kept apart, to any earlier one it may join). */
  const linkAll = (list: ArrayLike<number>, rule: MatchRule, loose = false) => {
    for (let k = 1; k < list.length; k++) {
      if (link(list[0], list[k], rule, 1, loose)) continue;
      for (let m = 1; m < k; m++) if (link(list[m], list[k], rule, 1, loose)) break;
    }
  };
  /** Links the records that `keyOf` gives one value. */
  const linkBy = (keyOf: (i: number) => string | null, rule: MatchRule) => {
    const m = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      if (nameOf[i] < 0) continue;
      const k = keyOf(i);
      if (k === null) continue;
      const l = m.get(k);
      if (l) l.push(i); else m.set(k, [i]);
    }
    for (const l of m.values()) linkAll(l, rule);
  };

  lap('setup');
  // Each record's own facts: the public body it is (as published at ingest, else the register's matcher
  // on the name), its identifiers.
  const bodyOfName = new Map<number, string | null>();
  let anyIds = false;
  for (let i = 0; i < n; i++) {
    const id = nameOf[i];
    if (id < 0) continue;
    const r = records[i];
    let body: string | null = r.payee_body_code || null;
    if (!body && opts.matchBody) {
      let b = bodyOfName.get(id);
      if (b === undefined) bodyOfName.set(id, (b = matchBodyLoosely(r.name, nameKeys[id].key, opts.matchBody)));
      body = b;
    }
    c.body[i] = body;
    if (r.company_no || r.charity_no || r.vat_no) {
      const cn = companyNumber(r.company_no), ch = charityNumber(r.charity_no), vat = vatNumber(r.vat_no);
      if (cn) c.addId(i, 'company-number', cn);
      if (ch) c.addId(i, 'charity-number', ch);
      if (vat) c.addId(i, 'vat-number', vat);
      anyIds ||= !!(cn || ch || vat);
    }
  }
  const bodyOf = c.body.slice();

  lap('facts');
  // 1. People's decisions to join names.
  for (const d of decisions) if (d.kind === 'same') linkAll([...recordsNamed(d.name_a), ...recordsNamed(d.name_b)], 'user-merge');
  // 2. Public bodies, 3. identifiers, 4. the same name.
  linkBy((i) => bodyOf[i], 'public-body');
  if (anyIds) {
    linkBy((i) => companyNumber(records[i].company_no), 'company-number');
    linkBy((i) => charityNumber(records[i].charity_no), 'charity-number');
    linkBy((i) => vatNumber(records[i].vat_no), 'vat-number');
  }
  for (let id = 0; id < N; id++) if (nameStart[id + 1] - nameStart[id] > 1) linkAll(recordsOf.subarray(nameStart[id], nameStart[id + 1]), 'same-name');

  lap('exact links');
  // Normalised keys: names whose keys are equal are one supplier (same-name when they differ only in case).
  const keyIndex = new Map<string, number>();
  const keyList: string[] = [];
  const info: KeyInfo[] = [];
  const keyNames: number[][] = [];
  const keyOf = new Int32Array(N).fill(-1);
  for (let id = 0; id < N; id++) {
    const k = nameKeys[id];
    if (!k.key) continue;
    let idx = keyIndex.get(k.key);
    if (idx === undefined) {
      idx = keyList.length;
      keyIndex.set(k.key, idx);
      keyList.push(k.key);
      info.push({ tokens: k.tokens, compact: k.compact, truncated: false });
      keyNames.push([]);
    }
    keyOf[id] = idx;
    keyNames[idx].push(id);
    // Cut short: a bracket left open, or as long as the longest names of its file with its key running to the end.
    if (k.cut) info[idx].truncated = true;
    else if (k.whole && !info[idx].truncated) {
      for (let r = nameStart[id]; r < nameStart[id + 1]; r++) {
        const width = cutWidth.get(records[recordsOf[r]].body_code);
        if (width !== undefined && names[id].length >= width) { info[idx].truncated = true; break; }
      }
    }
  }
  const K = keyList.length;
  const representative = new Int32Array(K); // a record of the key's first name
  for (let idx = 0; idx < K; idx++) representative[idx] = recordsOf[nameStart[keyNames[idx][0]]];
  for (let idx = 0; idx < K; idx++) {
    const ids = keyNames[idx];
    if (ids.length < 2) continue;
    const first = names[ids[0]].trim().toLowerCase();
    for (let k = 1; k < ids.length; k++) {
      const r = recordsOf[nameStart[ids[k]]];
      const rule: MatchRule = names[ids[k]].trim().toLowerCase() === first ? 'same-name' : 'normalised-name';
      if (!link(representative[idx], r, rule, 1)) for (let m = 1; m < k && !link(recordsOf[nameStart[ids[m]]], r, rule, 1); m++);
    }
  }
  // Spacing: "screw fix" and "screwfix".
  {
    const byCompact = new Map<string, number>();
    for (let idx = 0; idx < K; idx++) {
      if (!keyList[idx].includes(' ')) continue;
      const other = byCompact.get(info[idx].compact);
      if (other === undefined) byCompact.set(info[idx].compact, idx); else link(representative[other], representative[idx], 'normalised-name', 1);
    }
    for (let idx = 0; idx < K; idx++) {
      if (keyList[idx].includes(' ')) continue;
      const other = byCompact.get(keyList[idx]);
      if (other !== undefined) link(representative[other], representative[idx], 'normalised-name', 1);
    }
  }

  lap('normalised names');
  // Trading names: "X Ltd T/A Y" joins "Y" when only one supplier trades as Y.
  const tradingOwners = new Map<string, Set<number>>();
  for (let id = 0; id < N; id++) {
    const t = nameKeys[id].tradingAs;
    if (!t || keyOf[id] < 0) continue;
    let owners = tradingOwners.get(t);
    if (!owners) tradingOwners.set(t, (owners = new Set()));
    for (let r = nameStart[id]; r < nameStart[id + 1]; r++) owners.add(c.find(recordsOf[r]));
  }
  for (const [t, owners] of tradingOwners) {
    const target = keyIndex.get(t);
    if (target === undefined || owners.size !== 1) continue;
    const owner = [...owners][0];
    for (const id of keyNames[target]) for (let r = nameStart[id]; r < nameStart[id + 1]; r++) link(owner, recordsOf[r], 'trading-name', 1, true);
  }

  lap('trading names');
  // 5. Fuzzy: candidate pairs of distinct keys that share a blocking key (see blockNames), skipping pairs
  // already in one entity. Each pair is scored once (a stamp per key, not a set of pairs).
  const freq = wordFrequencies(info.map((k) => k.tokens));
  const blocks = blockNames(info, freq);
  lap('blocking');
  const stamp = new Int32Array(K);
  let candidates = 0;
  const pairs: [number, number, number][] = [];
  for (let x = 0; x < K; x++) {
    const rx = c.find(representative[x]);
    for (let r = blocks.keyStart[x]; r < blocks.keyStart[x + 1]; r++) {
      const run = blocks.keyRuns[r];
      for (let m = blocks.runStart[run]; m < blocks.runStart[run + 1]; m++) {
        const y = blocks.members[m];
        if (y <= x || stamp[y] === x + 1) continue;
        stamp[y] = x + 1;
        if (c.find(representative[y]) === rx) continue;
        candidates++;
        const score = fuzzyScore(info[x], info[y], freq);
        if (score >= threshold) pairs.push([x, y, score]);
      }
    }
  }
  lap('fuzzy scores');
  // Strongest first, so a chain of weak matches cannot pull in a name a stronger one would have placed.
  pairs.sort((p, q) => q[2] - p[2] || p[0] - q[0] || p[1] - q[1]);
  let fuzzyMerges = 0;
  for (const [a, b, score] of pairs) {
    const ra = representative[a], rb = representative[b];
    const before = c.find(ra) !== c.find(rb);
    if (link(ra, rb, 'fuzzy', Math.round(score * 1000) / 1000, true) && before) fuzzyMerges++;
  }

  lap('fuzzy merges');
  // Entities: one per cluster of eligible records, named by the most-paid spelling (or the body's name).
  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    if (nameOf[i] < 0) continue;
    const root = c.find(i);
    const l = members.get(root);
    if (l) l.push(i); else members.set(root, [i]);
  }
  const keyText = (i: number) => { const idx = keyOf[nameOf[i]]; return idx >= 0 ? keyList[idx] : records[i].name.toLowerCase(); };
  const drafts: { recs: number[]; body: string | null; name: string; slug: string }[] = [];
  for (const [root, recs] of members) { // records were added in order, so each list is sorted
    const body = c.body[root];
    let top = records[recs[0]].name, minKey = keyText(recs[0]);
    if (recs.length > 1) {
      const spend = new Map<string, number>();
      for (const i of recs) spend.set(records[i].name, (spend.get(records[i].name) ?? 0) + Math.abs(records[i].amount_pence ?? 0));
      let topSpend = -1;
      for (const [name, p] of spend) if (p > topSpend || (p === topSpend && name < top)) { top = name; topSpend = p; }
      for (const i of recs) { const k = keyText(i); if (k < minKey) minKey = k; }
    }
    const name = body ? opts.bodyNames?.get(body) ?? top : top;
    const slug = body ? `body-${body}` : `org-${minKey.replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80) || 'unnamed'}`;
    drafts.push({ recs, body, name, slug });
  }
  drafts.sort((p, q) => (p.slug < q.slug ? -1 : p.slug > q.slug ? 1 : p.recs[0] - q.recs[0]));
  const entities: Entity[] = [];
  const byRecord: (Assignment | undefined)[] = new Array(n);
  const used = new Map<string, number>();
  for (const d of drafts) {
    const count = (used.get(d.slug) ?? 0) + 1;
    used.set(d.slug, count);
    const key = count === 1 ? d.slug : `${d.slug}-${count}`;
    const entity = entities.length;
    let confidence = 1;
    for (const i of d.recs) {
      const a: Assignment = d.recs.length > 1 && bestRule[i] >= 0
        ? { record: i, entity, rule: RULES[bestRule[i]], score: round3(bestScore[i]), confidence: round3(bestConfidence[i]), matched_to: records[bestOther[i]].name }
        : { record: i, entity, rule: d.body ? 'public-body' : 'single', score: 1, confidence: 1, matched_to: null };
      if (a.confidence < confidence) confidence = a.confidence;
      byRecord[i] = a;
    }
    entities.push({ key, name: d.name, body_code: d.body, records: d.recs, confidence });
  }
  const assignments: Assignment[] = [];
  for (let i = 0; i < n; i++) { const a = byRecord[i]; if (a) assignments.push(a); }
  lap('entities');
  return {
    entities, assignments,
    stats: {
      records: n, excluded, entities: entities.length, shared_by_rule: shared, candidate_pairs: candidates,
      fuzzy_merges: fuzzyMerges, ms: Math.round(performance.now() - started), phases,
    },
  };
}

/** Float32 scores back to three decimals. */
const round3 = (x: number) => Math.round(x * 1000) / 1000;
