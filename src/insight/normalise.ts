// Pure handling of supplier names as published: turns "THE THOMSON REUTERS PROFESSIONAL (UK) LTD.",
// "Thomson Reuters Professional UK Limited" and "Thomson Reuters Prof UK Ltd" into comparable keys, and
// company, charity and VAT numbers into one form each. No I/O, so every rule is tested directly.

/** Legal forms: dropped from the end of a name ("Acme Ltd" and "Acme Limited" are one supplier). */
const LEGAL_SUFFIXES = new Set([
  'ltd', 'limited', 'limted', 'lt', 'lim', 'limi', 'limit', 'limite', 'plc', 'llp', 'lp', 'llc', 'cic', 'cio', 'co', 'company', 'inc', 'incorporated',
  'corp', 'corporation', 'gmbh', 'ag', 'bv', 'nv', 'sa', 'sarl', 'srl', 'spa', 'pty', 'pvt', 'ulc', 'uc',
  // Where a name says which country's company it is ("Thomson Reuters (UK) Ltd"), it is the same supplier;
  // so is "X Group" (a holding company, "X Holdings", is not).
  'uk', 'gb', 'britain', 'eu', 'europe', 'group',
]);

/** Abbreviations published names use, expanded so both spellings meet. */
const ABBREVIATIONS: ReadonlyMap<string, string> = new Map([
  ['grp', 'group'], ['svcs', 'services'], ['svc', 'services'], ['servs', 'services'], ['srvcs', 'services'], ['service', 'services'],
  ['mgmt', 'management'], ['mgt', 'management'], ['assoc', 'association'], ['assn', 'association'], ['intl', 'international'],
  ['inst', 'institute'], ['natl', 'national'], ['bros', 'brothers'], ['dept', 'department'], ['univ', 'university'],
  ['ctr', 'centre'], ['cntr', 'centre'], ['center', 'centre'], ['centres', 'centre'], ['hldgs', 'holdings'], ['hldg', 'holdings'],
  ['holding', 'holdings'], ['sols', 'solutions'], ['solution', 'solutions'], ['system', 'systems'], ['technologies', 'technology'],
  ['chartd', 'chartered'], ['coop', 'cooperative'], ['nhsft', 'nhs foundation trust'], ['nhst', 'nhs trust'],
]);

/** Words that carry nothing for matching wherever they are. */
const STOP_WORDS = new Set(['the', 'and', 'of', 'for']);

/** Card processors' prefixes before a '*' ("SQ *CAFE NERO", "PAYPAL *EBAY"): the merchant follows. */
const PROCESSOR_PREFIXES = new Set(['sq', 'sumup', 'paypal', 'pp', 'allpay', 'amz', 'amzn', 'izettle', 'zettle', 'iz', 'sp', 'wpy', 'stripe', 'www']);

export interface NameKey {
  /** The normalised name: lower case, no punctuation, legal form and stop words dropped, abbreviations expanded. */
  key: string;
  tokens: string[];
  /** The key without spaces ("screw fix" and "screwfix" meet here). */
  compact: string;
  /** The trading name after "T/A" / "trading as", normalised the same way, or null. */
  tradingAs: string | null;
  /** The key runs to the end of the name (nothing after it was set aside: a trading name, "c/o", a note). */
  whole: boolean;
  /** The name was certainly cut short by its file (it ends inside a bracket) and the key runs to its end. */
  cut: boolean;
}

/** NFKD without accents, lower case. */
function fold(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /[^\u0000-\u007f]/.test(s) ? s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase() : s.toLowerCase();
}

/**
 * A card merchant descriptor's merchant: "AMAZON.CO.UK*2E7X514Q5 AM" -> "amazon.co.uk", "SQ *THE COFFEE CO"
 * -> "the coffee co". A name with no '*' comes back as it is.
 */
function stripDescriptor(s: string): string {
  const star = s.indexOf('*');
  if (star < 0) return s;
  const left = s.slice(0, star).trim();
  const right = s.slice(star + 1).trim();
  // The part after the star is a transaction reference: letters and digits mixed, such as 2E7X514Q5.
  const firstRight = right.split(/\s+/)[0] ?? '';
  if (left && (right === '' || (/\d/.test(firstRight) && /[a-z]/.test(firstRight) && firstRight.length >= 6) || /^\d+$/.test(firstRight))) return left;
  if (right && (left === '' || PROCESSOR_PREFIXES.has(left) || left.length <= 4)) return right;
  return left + ' ' + right;
}

/** Joins runs of single letters: "b t plc" -> "bt plc", "j w smith" -> "jw smith". */
function joinInitials(tokens: string[]): string[] {
  const out: string[] = [];
  let run = '';
  for (const t of tokens) {
    if (t.length === 1 && t >= 'a' && t <= 'z') { run += t; continue; }
    if (run) { out.push(run); run = ''; }
    out.push(t);
  }
  if (run) out.push(run);
  return out;
}

/** Legal forms after which a published name may carry a note: "Advinia Care Homes Ltd Re West Ridings". */
const NOTE_AFTER = new Set(['ltd', 'limited', 'llp', 'plc']);

/** A word made of the first letters of the others ("egton medical information systems emis"). */
function isAcronymOf(word: string, others: string[]): boolean {
  if (word.length < 2 || word.length !== others.length) return false;
  for (let i = 0; i < others.length; i++) if (others[i][0] !== word[i]) return false;
  return true;
}

/** The words of a name part, and whether the words run to its end (false when a note was cut off). */
/** Words of lower-case text: runs of letters and digits; apostrophes dropped ("king's" -> "kings"); "and" left out. */
function words(s: string): string[] {
  const out: string[] = [];
  let start = -1, word = '';
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 32;
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) { if (start < 0) start = i; continue; }
    if (c === 39 || c === 0x2019 || c === 96) { // an apostrophe inside a word joins its two halves
      if (start >= 0) { word += s.slice(start, i); start = -1; }
      continue;
    }
    if (start >= 0) { word += s.slice(start, i); start = -1; }
    if (word) { if (word !== 'and') out.push(word); word = ''; }
  }
  return out;
}

/** The words of a name part, and whether the words run to its end (false when a note was cut off). */
function tokensOf(part: string): { tokens: string[]; whole: boolean } {
  // Each rewrite runs only when its trigger character is there: this is called for every distinct name.
  let s = part;
  if (s.includes('.')) s = s.replace(/\bwww\./g, ' ').replace(/\.(co\.uk|org\.uk|gov\.uk|ac\.uk|com|org|net|uk)\b/g, ' '); // "amazon.co.uk" -> "amazon"
  if (s.includes('(')) s = s.replace(/\((?:[a-z]\d{5}|\d{5,})\)/g, ' '); // a GP practice code or account number: "(L84041)", "(500007)"
  if (s.includes('[')) s = s.replace(/\[[^\]]*\]?/g, ' '); // a note in square brackets: "LANPAC LTD [211594]"
  if (s.includes('formerly')) s = s.replace(/\(?\bformerly\b[^)]*\)*/g, ' '); // "(formerly Northgate Public Services (UK) Ltd)"
  if (s.includes('co-op')) s = s.replace(/\bco-op\b/g, 'coop');
  if (s.includes('pre')) s = s.replace(/\bpre[- ](school|schools)\b/g, 'pre$1'); // "pre-school" is one word
  const raw = words(s);
  if (raw.length === 0) return { tokens: [], whole: true };
  // "and" is left out before initials are joined, so "B & M" and "B and M" both become "bm".
  let tokens = joinInitials(raw);
  let whole = true;
  // A note after the legal form ("... Ltd Re Beacon House", "... LLP (Colchester)", "... Limited Client A/C"),
  // or from a reference number on ("Water Plus - 4082158321 Park Entrance", "ICO 110723 2").
  for (let i = 1; i < tokens.length; i++) {
    if (i < tokens.length - 1 && NOTE_AFTER.has(tokens[i])) { tokens = tokens.slice(0, i + 1); whole = false; break; }
    const t = tokens[i];
    if (t.length >= 6 && t.charCodeAt(0) <= 57 && /^\d+$/.test(t)) { tokens = tokens.slice(0, i); whole = false; break; }
  }
  const expanded: string[] = [];
  for (const t of tokens) {
    const e = ABBREVIATIONS.get(t);
    if (e === undefined) expanded.push(t);
    else for (const w of e.split(' ')) expanded.push(w);
  }
  tokens = expanded;
  // Legal forms (and "& Co", "(UK)", "Group") at the end, repeatedly: "X (UK) Co Ltd" -> "x"; never down to nothing.
  let end = tokens.length;
  while (end > 1 && (LEGAL_SUFFIXES.has(tokens[end - 1]) || STOP_WORDS.has(tokens[end - 1]))) end--;
  const kept = tokens.slice(0, end).filter((t) => !STOP_WORDS.has(t));
  tokens = kept.length ? kept : tokens.filter((t) => !STOP_WORDS.has(t));
  // "Egton Medical Information Systems (EMIS)": the acronym adds nothing.
  if (tokens.length > 2 && isAcronymOf(tokens[tokens.length - 1], tokens.slice(0, -1))) tokens.pop();
  return { tokens, whole };
}

const TRADING_AS = /\s(?:t\/a|t\/as|ta\/|t\.a\.|trading as|tradingas|t\/a:)\s/;
const CARE_OF = /\s(?:c\/o|care of)\s.*$/;

/**
 * The matching key of a supplier name. "The Chartered Inst of Proc & Supply" -> "chartered institute
 * procurement supply"; "DH People Plus Ltd t/a Driver Hire" -> key "dh people plus", tradingAs "driver hire".
 */
export function supplierKey(name: string): NameKey {
  // Names are trimmed and their spaces collapsed at ingest.
  let s = ' ' + fold(name) + ' ';
  const careOf = (s.includes('/') || s.includes('care of')) && CARE_OF.test(s);
  if (careOf) s = s.replace(CARE_OF, ' ');
  // A bracket left open: the file cut the name short ("Warwick Ward (Machiner", "British Pest Control Association (B").
  const open = s.lastIndexOf('(');
  const cut = open > 0 && s.indexOf(')', open) < 0;
  let trading: string | null = null;
  const m = s.includes('/') || s.includes('t.a.') || s.includes('trading') ? TRADING_AS.exec(s) : null;
  if (m) {
    trading = s.slice(m.index + m[0].length);
    s = s.slice(0, m.index);
  }
  s = stripDescriptor(s.trim());
  const legal = tokensOf(s);
  const trade = trading ? tokensOf(stripDescriptor(trading.trim())) : { tokens: [], whole: true };
  let tokens = legal.tokens, tradingTokens = trade.tokens;
  if (tokens.length === 0 && tradingTokens.length) { tokens = tradingTokens; tradingTokens = []; }
  const key = tokens.join(' ');
  const tradingAs = tradingTokens.length ? tradingTokens.join(' ') : null;
  return { key, tokens, compact: tokens.join(''), tradingAs: tradingAs === key ? null : tradingAs, whole: legal.whole && !trading && !careOf, cut: cut && legal.whole && !trading && !careOf };
}

/** Companies House number: 8 characters, digits padded ("385080" -> "00385080"; "SC123456" stays). Null when not one. */
export function companyNumber(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const s = raw.toUpperCase().replace(/[^A-Z0-9]/g, '');
  if (/^\d{1,8}$/.test(s)) return /^0+$/.test(s) ? null : s.padStart(8, '0');
  if (/^(SC|NI|OC|SO|NC|R0|IP|SP|FC|GE|LP|SL|NL|RC|SE|ES|SZ|AC|CE|CS|IC|NP|NO|RS|SA|SF|SI|SR|GN|NA|NF|NR|NZ|OE|PC|RO|ZC)\d{1,6}$/.test(s)) return s.slice(0, 2) + s.slice(2).padStart(6, '0');
  return null;
}

/** Charity number (England and Wales 6-7 digits, Scotland SC + 6, Northern Ireland NIC/100000+); null when not one. */
export function charityNumber(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const s = raw.toUpperCase().replace(/[^A-Z0-9]/g, '');
  if (/^\d{5,7}$/.test(s) && !/^0+$/.test(s)) return String(Number(s));
  if (/^SC\d{6}$/.test(s) || /^NIC\d{5,6}$/.test(s)) return s;
  return null;
}

/** UK VAT number: 9 digits (or 12 with a branch; the branch dropped), without "GB"; null for "NA", "0" and the like. */
export function vatNumber(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const s = raw.toUpperCase().replace(/[^A-Z0-9]/g, '').replace(/^GB/, '');
  if (/^\d{9}$/.test(s) && !/^0+$/.test(s)) return s;
  if (/^\d{12}$/.test(s)) return s.slice(0, 9);
  if (/^(GD|HA)\d{3}$/.test(s)) return s;
  return null;
}
