// Checking rules written by people (rules files, the command line, the shipped data), with messages
// that name the rule and the field.
import { checkCondition, parseConditionText } from './conditions.ts';
import type { Rule, RuleCondition } from './types.ts';

/** A rule as written in a rules file or given on the command line. */
export interface RuleInput {
  key?: string | null;
  name?: string;
  /** Objects {field, op, value}, or text 'FIELD OP VALUE' with '|' between alternatives. */
  conditions?: (RuleCondition | string)[];
  theme_code?: string;
  cofog_code?: string | null;
  prevention_code?: string | null;
  enabled?: boolean;
  notes?: string;
}

/** A checked rule, ready to store. */
export type RuleDraft = Pick<Rule, 'key' | 'name' | 'conditions' | 'theme_code' | 'cofog_code' | 'prevention_code' | 'enabled' | 'notes'>;

export interface Vocabulary {
  themes: ReadonlySet<string>;
  cofog: ReadonlySet<string>;
  prevention: ReadonlySet<string>;
}

const KNOWN_KEYS = new Set(['id', 'key', 'position', 'name', 'conditions', 'theme_code', 'cofog_code', 'prevention_code', 'enabled', 'shipped', 'user_edited', 'notes']);

function list(set: ReadonlySet<string>): string {
  return [...set].join(', ');
}

/** Describes a rule for messages: `rule 3 ("Waste services")`. */
export function ruleLabel(index: number | string, raw: unknown): string {
  const name = raw && typeof raw === 'object' && typeof (raw as RuleInput).name === 'string' ? (raw as RuleInput).name! : '';
  return `rule ${index}${name ? ` (${JSON.stringify(name)})` : ''}`;
}

/** Checks one rule; returns the checked rule or the list of what is wrong with it. */
export function checkRule(raw: unknown, where: string, vocab: Vocabulary): { rule: RuleDraft; errors: [] } | { rule: null; errors: string[] } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { rule: null, errors: [`${where} must be an object`] };
  const r = raw as Record<string, unknown>;
  const errors: string[] = [];
  for (const k of Object.keys(r)) {
    if (!KNOWN_KEYS.has(k)) errors.push(`${where}: "${k}" is not a rule field; rule fields are ${[...KNOWN_KEYS].join(', ')}`);
  }
  if (typeof r.name !== 'string' || r.name.trim() === '') errors.push(`${where}: name is missing; give the rule a name`);
  if (r.key !== undefined && r.key !== null && (typeof r.key !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/.test(r.key))) {
    errors.push(`${where}: key ${JSON.stringify(r.key)} must be lower-case letters, digits, '.', '_' or '-'`);
  }
  if (typeof r.theme_code !== 'string' || !vocab.themes.has(r.theme_code)) {
    errors.push(r.theme_code === undefined
      ? `${where}: theme_code is missing; use one of ${list(vocab.themes)}`
      : `${where}: theme_code ${JSON.stringify(r.theme_code)} is not a theme; use one of ${list(vocab.themes)}`);
  }
  if (r.cofog_code !== undefined && r.cofog_code !== null && (typeof r.cofog_code !== 'string' || !vocab.cofog.has(r.cofog_code))) {
    errors.push(`${where}: cofog_code ${JSON.stringify(r.cofog_code)} is not a COFOG division; use one of ${list(vocab.cofog)} (two digits) or leave it out to use the theme's`);
  }
  if (r.prevention_code !== undefined && r.prevention_code !== null && (typeof r.prevention_code !== 'string' || !vocab.prevention.has(r.prevention_code))) {
    errors.push(`${where}: prevention_code ${JSON.stringify(r.prevention_code)} is not a prevention level; use one of ${list(vocab.prevention)} or leave it out to use the theme's`);
  }
  if (r.enabled !== undefined && typeof r.enabled !== 'boolean') errors.push(`${where}: enabled must be true or false`);
  if (r.notes !== undefined && typeof r.notes !== 'string') errors.push(`${where}: notes must be text`);
  const conditions: RuleCondition[] = [];
  if (!Array.isArray(r.conditions) || r.conditions.length === 0) {
    errors.push(`${where}: conditions are missing; a rule needs at least one, e.g. "service keywords refuse|recycling"`);
  } else {
    r.conditions.forEach((c, i) => {
      const at = `${where}, condition ${i + 1}`;
      let cond: unknown = c;
      if (typeof c === 'string') {
        const parsed = parseConditionText(c);
        if (typeof parsed === 'string') { errors.push(`${at}: ${parsed}`); return; }
        cond = parsed;
      }
      const problems = checkCondition(cond, at);
      if (problems.length) errors.push(...problems);
      else {
        const { field, op, value } = cond as RuleCondition;
        conditions.push({ field, op, value: Array.isArray(value) ? value.map((v) => v.trim()) : value.trim() });
      }
    });
  }
  if (errors.length) return { rule: null, errors };
  return {
    rule: {
      key: (r.key as string | undefined) ?? null,
      name: (r.name as string).trim(),
      conditions,
      theme_code: r.theme_code as string,
      cofog_code: (r.cofog_code as string | null | undefined) ?? null,
      prevention_code: (r.prevention_code as string | null | undefined) ?? null,
      enabled: (r.enabled as boolean | undefined) ?? true,
      notes: (r.notes as string | undefined) ?? '',
    },
    errors: [],
  };
}

/** Thrown when rules do not pass their checks; `problems` holds one plain-English line per fault. */
export class RuleValidationError extends Error {
  constructor(readonly problems: string[], context = 'The rules') {
    super(`${context} cannot be used:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Checks a list of rules (a rules file); throws RuleValidationError listing every fault. */
export function checkRules(raws: unknown[], vocab: Vocabulary, context?: string): RuleDraft[] {
  const out: RuleDraft[] = [];
  const problems: string[] = [];
  const keys = new Map<string, number>();
  raws.forEach((raw, i) => {
    const where = ruleLabel(i + 1, raw);
    const res = checkRule(raw, where, vocab);
    if (res.rule) {
      if (res.rule.key !== null) {
        const prev = keys.get(res.rule.key);
        if (prev !== undefined) problems.push(`${where}: key ${JSON.stringify(res.rule.key)} is also used by rule ${prev}; keys must be unique`);
        keys.set(res.rule.key, i + 1);
      }
      out.push(res.rule);
    } else problems.push(...res.errors);
  });
  if (problems.length) throw new RuleValidationError(problems, context);
  return out;
}
