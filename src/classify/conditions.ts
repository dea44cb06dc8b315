// Conditions: checking them (plain-English errors) and compiling them into fast matchers.
import {
  COMPOSITE_FIELDS, CONDITION_FIELDS, CONDITION_OPS, LINE_FIELDS,
  type ConditionField, type ConditionOp, type LineField, type RuleCondition,
} from './types.ts';

/**
 * Text as keyword matching sees it: lower case, apostrophes dropped, '&' read as 'and', every other
 * run of punctuation or space one space, padded with a space at each end.
 */
export function normaliseText(value: string): string {
  let out = ' ';
  let space = true;
  for (let i = 0; i < value.length; i++) {
    let ch = value.charCodeAt(i);
    if (ch >= 65 && ch <= 90) ch += 32; // A-Z
    if ((ch >= 97 && ch <= 122) || (ch >= 48 && ch <= 57)) { out += String.fromCharCode(ch); space = false; continue; }
    if (ch === 39 || ch === 0x2019 || ch === 0x2018) continue; // apostrophes join: children's -> childrens
    if (ch === 38) { out += space ? 'and ' : ' and '; space = true; continue; } // &
    if (ch > 127) {
      const s = String.fromCharCode(ch).toLowerCase();
      if (/\p{L}|\p{N}/u.test(s)) { out += s; space = false; continue; }
    }
    if (!space) { out += ' '; space = true; }
  }
  if (!space) out += ' ';
  return out;
}

/** Whitespace collapsed, trimmed, lower case: how 'equals' and 'prefix' compare. */
export function normaliseValue(value: string): string {
  return value.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** The line fields a condition field reads. */
export function lineFieldsOf(field: ConditionField): readonly LineField[] {
  return field in COMPOSITE_FIELDS ? COMPOSITE_FIELDS[field as keyof typeof COMPOSITE_FIELDS] : [field as LineField];
}

/** Tests one raw field value; `norm` is normaliseText(raw ?? ''). */
export type Matcher = (raw: string | null, norm: string) => boolean;

function values(c: RuleCondition): string[] {
  return Array.isArray(c.value) ? c.value : [c.value];
}

/** Compiles a condition that has passed checkCondition. */
export function compileCondition(c: RuleCondition): Matcher {
  const vals = values(c);
  switch (c.op) {
    case 'keywords': {
      const exact: string[] = [];
      const starts: string[] = [];
      for (const v of vals) {
        const trimmed = v.trim();
        if (trimmed.endsWith('*')) starts.push(normaliseText(trimmed.slice(0, -1)).trimEnd());
        else exact.push(normaliseText(trimmed));
      }
      return (_raw, norm) => {
        for (let i = 0; i < exact.length; i++) if (norm.includes(exact[i])) return true;
        for (let i = 0; i < starts.length; i++) if (norm.includes(starts[i])) return true;
        return false;
      };
    }
    case 'equals': {
      const set = new Set(vals.map(normaliseValue));
      return (raw) => raw !== null && set.has(normaliseValue(raw));
    }
    case 'prefix': {
      const prefixes = vals.map(normaliseValue);
      return (raw) => {
        if (raw === null) return false;
        const v = normaliseValue(raw);
        for (let i = 0; i < prefixes.length; i++) if (v.startsWith(prefixes[i])) return true;
        return false;
      };
    }
    case 'regex': {
      const re = new RegExp(vals[0], 'i');
      return (raw) => re.test(raw ?? '');
    }
  }
}

const OP_HELP = `keywords (whole words or phrases, any of them), equals, prefix or regex`;

/** Checks one condition; returns what is wrong with it in plain English, or [] when it is good. */
export function checkCondition(c: unknown, where: string): string[] {
  if (c === null || typeof c !== 'object' || Array.isArray(c)) {
    return [`${where} must be an object with "field", "op" and "value"`];
  }
  const { field, op, value } = c as Record<string, unknown>;
  const errors: string[] = [];
  if (typeof field !== 'string' || !(CONDITION_FIELDS as readonly string[]).includes(field)) {
    errors.push(`${where}: field ${JSON.stringify(field ?? null)} is not one a rule can test; use one of ${CONDITION_FIELDS.join(', ')}`);
  }
  if (typeof op !== 'string' || !(CONDITION_OPS as readonly string[]).includes(op)) {
    errors.push(`${where}: op ${JSON.stringify(op ?? null)} is not known; use ${OP_HELP}`);
  }
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.some((v) => typeof v !== 'string' || v.trim() === '' || v.trim() === '*')) {
    errors.push(`${where}: value must be a non-empty text or a list of non-empty texts`);
  } else if (op === 'regex') {
    if (list.length !== 1) errors.push(`${where}: a regex condition takes one pattern, not a list`);
    else {
      try { new RegExp(list[0] as string, 'i'); } catch (err) {
        errors.push(`${where}: the regular expression ${JSON.stringify(list[0])} is not valid (${(err as Error).message})`);
      }
    }
  } else if (op === 'keywords') {
    for (const v of list as string[]) {
      const core = v.trim().endsWith('*') ? v.trim().slice(0, -1) : v;
      if (normaliseText(core).trim() === '') errors.push(`${where}: keyword ${JSON.stringify(v)} has no letters or digits to match`);
      else if (core.includes('*')) errors.push(`${where}: keyword ${JSON.stringify(v)} may only have '*' at its end`);
    }
  }
  return errors;
}

/**
 * Parses the command-line form of a condition: `FIELD OP VALUE`, where VALUE lists alternatives
 * separated by '|' (except for regex, whose '|' is its own), e.g. `service keywords refuse|recycl*`.
 */
export function parseConditionText(text: string): RuleCondition | string {
  const m = /^\s*(\S+)\s+(\S+)\s+([\s\S]+?)\s*$/.exec(text);
  if (!m) return `condition ${JSON.stringify(text)} must read 'FIELD OP VALUE', e.g. 'service keywords refuse|recycling'`;
  const [, field, op, raw] = m;
  const value = op === 'regex' ? raw : raw.split('|').map((s) => s.trim()).filter((s) => s !== '');
  return { field: field as ConditionField, op: op as ConditionOp, value: Array.isArray(value) && value.length === 1 ? value[0] : value };
}

export function formatCondition(c: RuleCondition): string {
  return `${c.field} ${c.op} ${Array.isArray(c.value) ? c.value.join('|') : c.value}`;
}

export { LINE_FIELDS };
