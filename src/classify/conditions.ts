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
  const s = value.toLowerCase().replace(APOSTROPHES, '').replace(AMPERSAND, ' and ').replace(NOT_WORD, ' ').trim();
  return s === '' ? ' ' : ` ${s} `;
}
const APOSTROPHES = /['\u2018\u2019]/g;
const AMPERSAND = /&/g;
const NOT_WORD = /[^\p{L}\p{N}]+/gu;

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
      const patterns: RegExp[] = [];
      for (const v of vals) {
        const trimmed = v.trim();
        const inner = trimmed.slice(0, -1);
        if (inner.includes('*')) {
          // a phrase with wildcards inside: 'benefit* admin*'
          const words = trimmed.split(/\s+/).map((w) => {
            const star = w.endsWith('*');
            const core = normaliseText(star ? w.slice(0, -1) : w).trim().replace(/ /g, ' ');
            return core + (star ? '[a-z0-9]*' : '');
          });
          patterns.push(new RegExp(` ${words.join(' ')} `));
        } else if (trimmed.endsWith('*')) starts.push(normaliseText(inner).trimEnd());
        else exact.push(normaliseText(trimmed));
      }
      return (_raw, norm) => {
        for (let i = 0; i < exact.length; i++) if (norm.includes(exact[i])) return true;
        for (let i = 0; i < starts.length; i++) if (norm.includes(starts[i])) return true;
        for (let i = 0; i < patterns.length; i++) if (patterns[i].test(norm)) return true;
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
      const words = v.trim().split(/\s+/);
      if (normaliseText(v.replace(/\*/g, '')).trim() === '') errors.push(`${where}: keyword ${JSON.stringify(v)} has no letters or digits to match`);
      else if (words.some((w) => w.slice(0, -1).includes('*') || w === '*' || normaliseText(w.replace(/\*$/, '')).trim().includes(' ') && w.endsWith('*'))) {
        errors.push(`${where}: keyword ${JSON.stringify(v)} may only have '*' at the end of a word, e.g. 'recycl*' or 'benefit* admin*'`);
      }
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
