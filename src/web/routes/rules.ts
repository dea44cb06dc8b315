// Classification rules (/partner/rules, place administrators): the ordered list (the first enabled rule
// that matches decides a line), adding, enabling and disabling, moving; the coverage they achieve, and
// re-running them over the ledger as a background job that shows coverage before -> after.
import express, { type Request, type Response, type Router } from 'express';
import type { WebContext } from '../context.ts';
import { actorOf, assertCan } from '../auth.ts';
import { BadRequest } from '../errors.ts';
import {
  addRule, ClassificationError, coverageReport, isBodyOnlyRule, listRules, listTaxonomy, moveRule, reclassify, RuleValidationError,
  setRuleEnabled, type CoverageReport, type ReclassifyResult,
} from '../../classify/service.ts';
import { formatCondition } from '../../classify/conditions.ts';
import { CONDITION_FIELDS, CONDITION_OPS, UNCLASSIFIED_THEME, type ConditionField, type ConditionOp, type RuleCondition } from '../../classify/types.ts';
import { jobsOf, refreshSupplierMatching } from '../uploads/jobs.ts';
import { demoNoticeFor, transactionsHref } from './public.ts';

export const CONDITION_FIELD_LABELS: Record<ConditionField, string> = {
  body: 'Body (its code or type)',
  body_code: 'Body code',
  body_type: 'Body type',
  service: 'Service (service area or SeRCOP code)',
  expense: 'Expense (expense type, category or ProClass)',
  supplier: 'Supplier',
  text: 'Any descriptive text (not the supplier)',
  directorate: 'Directorate',
  service_area: 'Service area',
  expense_type: 'Expense type',
  category: 'Category',
  description: 'Description',
  proclass: 'ProClass',
  sercop: 'SeRCOP code',
  supplier_name: 'Supplier name',
  capital_revenue: 'Capital or revenue',
};

export const CONDITION_OP_LABELS: Record<ConditionOp, string> = {
  keywords: 'contains any of the words',
  equals: 'is exactly one of',
  prefix: 'starts with one of',
  regex: 'matches the regular expression',
};

/** Empty condition rows offered on the add-rule form (all must match; blank rows are ignored). */
const CONDITION_ROWS = 4;
const APPLY_JOB = 'rules:apply';

interface ApplyOutcome { before: CoverageReport; after: CoverageReport; result: ReclassifyResult; actor: string }

/**
 * Coverage is read from the rollups, but its unclassified groups scan the ledger: one computation is
 * shared by everyone asking within a short time, and changes made here start a new one.
 */
class CoverageCache {
  private entry: { at: number; value: Promise<CoverageReport> } | null = null;
  constructor(private readonly ctx: WebContext, private readonly ttlMs = 30_000) {}
  get(): Promise<CoverageReport> {
    if (this.entry && Date.now() - this.entry.at < this.ttlMs) return this.entry.value;
    const value = coverageReport(this.ctx.db, { limit: 10 });
    this.entry = { at: Date.now(), value };
    value.catch(() => { this.entry = null; });
    return value;
  }
  invalidate(): void { this.entry = null; }
}

const crumbs = [{ text: 'Home', href: '/' }, { text: 'Partners', href: '/partner' }];

export function rulesRoutes(ctx: WebContext): Router {
  const router = express.Router();
  const jobs = jobsOf(ctx);
  const coverage = new CoverageCache(ctx);
  const changed = () => { coverage.invalidate(); ctx.dataChanged(); };

  router.use((req, _res, next) => { assertCan(req, 'edit-rules'); next(); });

  const ruleId = (req: Request) => {
    const raw = String(req.params.id);
    if (!/^\d{1,9}$/.test(raw)) throw new BadRequest(`"${raw}" is not a rule number.`);
    return Number(raw);
  };

  /** Turns the service's plain-English refusals into a 400 page. */
  async function userErrors<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ClassificationError || err instanceof RuleValidationError) throw new BadRequest(err.message);
      throw err;
    }
  }

  router.get('/', async (req, res) => {
    const [rules, report, taxonomy] = await Promise.all([listRules(ctx.db), coverage.get(), listTaxonomy(ctx.db)]);
    const themes = new Map(taxonomy.themes.map((t) => [t.code, t.label]));
    const job = jobs.get<ApplyOutcome>(APPLY_JOB);
    res.render('pages/partner/rules/index.njk', {
      title: 'Classification rules', breadcrumbs: crumbs, report, bodyLinesHref: (code: string) => transactionsHref({ body: code }), demoNotice: demoNoticeFor(...report.bodies.map((b) => b.body_code)),
      notice: ['added', 'enabled', 'disabled', 'moved'].includes(String(req.query.done)) ? req.query.done : null,
      noticeRule: /^\d{1,9}$/.test(String(req.query.rule)) ? req.query.rule : null,
      applying: job && job.finishedAt === null,
      groups: report.unclassified_groups.map((g) => ({
        ...g,
        linesHref: transactionsHref({ body: g.body_code, theme: UNCLASSIFIED_THEME }),
        addHref: '/partner/rules/new?' + new URLSearchParams({ body_code: g.body_code, ...Object.fromEntries(Object.entries(g.fields).filter(([, v]) => v !== null)) as Record<string, string> }).toString(),
      })),
      rules: rules.map((r, i) => ({
        ...r, themeLabel: themes.get(r.theme_code) ?? r.theme_code, bodyOnly: isBodyOnlyRule(r.conditions),
        conditionsText: r.conditions.map((c) => ({
          text: `${CONDITION_FIELD_LABELS[c.field] ?? c.field} ${CONDITION_OP_LABELS[c.op] ?? c.op}`,
          values: Array.isArray(c.value) ? c.value : [c.value], raw: formatCondition(c),
        })),
        first: i === 0, last: i === rules.length - 1,
      })),
    });
  });

  // ---------- adding a rule ----------

  /** Links each problem in the error summary to the field it is about. */
  const errorLinks = (errors: string[]) => errors.map((text) => {
    const condition = /condition (\d+)/i.exec(text)?.[1];
    const href = condition ? `#value-${condition}` : /theme/i.test(text) ? '#theme_code' : /cofog/i.test(text) ? '#cofog_code'
      : /prevention/i.test(text) ? '#prevention_code' : /position/i.test(text) ? '#position' : /condition/i.test(text) ? '#field-1' : '#name';
    return { text, href };
  });

  async function renderNew(res: Response, values: Record<string, unknown>, errors: string[] = [], status = 200) {
    const taxonomy = await listTaxonomy(ctx.db);
    const conditions = (values.conditions as { field: string; op: string; value: string }[] | undefined) ?? [];
    res.status(status).render('pages/partner/rules/new.njk', {
      title: 'Add a classification rule', errorSummaryTitle: errors.length > 0, errors: errorLinks(errors),
      breadcrumbs: [...crumbs, { text: 'Classification rules', href: '/partner/rules' }], values,
      themes: [{ value: '', text: 'Choose a theme' }, ...taxonomy.themes.map((t) => ({ value: t.code, text: t.label, selected: t.code === values.theme_code }))],
      cofog: [{ value: '', text: "The theme's COFOG division" }, ...taxonomy.cofog.map((c) => ({ value: c.code, text: `${c.code} ${c.label}`, selected: c.code === values.cofog_code }))],
      prevention: [{ value: '', text: "The theme's prevention level" }, ...taxonomy.prevention.map((p) => ({ value: p.code, text: p.label, selected: p.code === values.prevention_code }))],
      conditionRows: Array.from({ length: CONDITION_ROWS }, (_, i) => {
        const c = conditions[i] ?? { field: '', op: '', value: '' };
        return {
          n: i + 1, value: c.value,
          fields: [{ value: '', text: 'Choose a field' }, ...CONDITION_FIELDS.map((f) => ({ value: f, text: CONDITION_FIELD_LABELS[f], selected: f === c.field }))],
          ops: CONDITION_OPS.map((o) => ({ value: o, text: CONDITION_OP_LABELS[o], selected: o === (c.op || 'keywords') })),
        };
      }),
    });
  }

  router.get('/new', async (req, res) => {
    // Started from an unclassified group: its values become "is exactly" conditions.
    const conditions = (['body_code', 'service_area', 'expense_type', 'directorate', 'category', 'description', 'supplier_name'] as const)
      .filter((f) => typeof req.query[f] === 'string' && req.query[f] !== '')
      .map((f) => ({ field: f, op: 'equals', value: String(req.query[f]) }));
    await renderNew(res, { conditions, enabled: true });
  });

  router.post('/', async (req, res) => {
    const b = (req.body ?? {}) as Record<string, string>;
    const rows = Array.from({ length: CONDITION_ROWS }, (_, i) => ({ n: i + 1, field: b[`field-${i + 1}`] ?? '', op: b[`op-${i + 1}`] ?? '', value: (b[`value-${i + 1}`] ?? '').trim() }));
    const filled = rows.filter((r) => r.value !== '');
    const values = {
      name: (b.name ?? '').trim(), theme_code: b.theme_code ?? '', cofog_code: b.cofog_code || null, prevention_code: b.prevention_code || null,
      notes: (b.notes ?? '').trim(), position: (b.position ?? '').trim(), enabled: b.enabled === 'yes', conditions: rows,
    };
    const errors: string[] = [];
    if (!values.name) errors.push('Enter a name for the rule');
    if (!values.theme_code) errors.push('Choose the theme the rule gives a line');
    if (!filled.length) errors.push('Enter at least one condition: a field, how to compare it and the words or values to look for');
    filled.forEach((r) => { if (!r.field) errors.push(`Condition ${r.n}: choose the field to look in for "${r.value}"`); });
    if (values.position && !/^\d{1,6}$/.test(values.position)) errors.push('Enter the position as a whole number, such as 1 for first, or leave it empty to add the rule last');
    if (errors.length) { await renderNew(res, values, errors, 400); return; }
    const conditions: RuleCondition[] = filled.map((r) => ({
      field: r.field as ConditionField, op: (r.op || 'keywords') as ConditionOp,
      // Alternatives are written "a|b"; a regular expression's '|' is its own.
      value: r.op === 'regex' ? r.value : r.value.split('|').map((v) => v.trim()).filter(Boolean),
    }));
    try {
      const rule = await addRule(ctx.db, {
        name: values.name, theme_code: values.theme_code, cofog_code: values.cofog_code, prevention_code: values.prevention_code,
        notes: values.notes, enabled: values.enabled, conditions, position: values.position ? Number(values.position) : undefined,
      }, actorOf(req));
      changed();
      res.redirect(303, `/partner/rules?done=added&rule=${rule.id}#rule-${rule.id}`);
    } catch (err) {
      if (err instanceof RuleValidationError) {
        // The service numbers the conditions it was given; the form numbers its rows.
        const problems = err.problems.map((p) => p.replace(/^The new rule( \([^)]*\))?(, )?/, '').replace(/^condition (\d+)/, (_m, k: string) => `Condition ${filled[Number(k) - 1]?.n ?? k}`).replace(/^: /, ''));
        await renderNew(res, values, problems, 400);
        return;
      }
      if (err instanceof ClassificationError) { await renderNew(res, values, [err.message], 400); return; }
      throw err;
    }
  });

  // ---------- enabling, disabling, moving ----------

  for (const [path, enabled] of [['enable', true], ['disable', false]] as const) {
    router.post(`/:id/${path}`, async (req, res) => {
      const rule = await userErrors(() => setRuleEnabled(ctx.db, ruleId(req), enabled, actorOf(req)));
      changed();
      res.redirect(303, `/partner/rules?done=${enabled ? 'enabled' : 'disabled'}&rule=${rule.id}#rule-${rule.id}`);
    });
  }

  router.post('/:id/move', async (req, res) => {
    const id = ruleId(req);
    const rules = await listRules(ctx.db);
    const current = rules.find((r) => r.id === id);
    if (!current) throw new BadRequest(`There is no rule ${id}.`);
    const direction = String(req.body?.direction ?? '');
    const typed = String(req.body?.position ?? '').trim();
    let position: number;
    if (direction === 'up') position = Math.max(1, current.position - 1);
    else if (direction === 'down') position = Math.min(rules.length, current.position + 1);
    else if (/^\d{1,6}$/.test(typed)) position = Number(typed);
    else throw new BadRequest('Say where to move the rule: up, down, or a position number.');
    const rule = await userErrors(() => moveRule(ctx.db, id, position, actorOf(req)));
    changed();
    res.redirect(303, `/partner/rules?done=moved&rule=${rule.id}#rule-${rule.id}`);
  });

  // ---------- applying the rules to the ledger (background) ----------

  router.post('/apply', async (req, res) => {
    const actor = actorOf(req);
    jobs.start<ApplyOutcome>(APPLY_JOB, async () => {
      const before = await coverageReport(ctx.db, { limit: 0 });
      const result = await reclassify(ctx.db, {}, actor);
      changed();
      refreshSupplierMatching(ctx, actor);
      const after = await coverageReport(ctx.db, { limit: 0 });
      return { before, after, result, actor };
    });
    res.redirect(303, '/partner/rules/apply');
  });

  router.get('/apply', (req, res) => {
    const job = jobs.get<ApplyOutcome>(APPLY_JOB);
    const out = job?.result;
    const beforeBodies = new Map(out?.before.bodies.map((b) => [b.body_code, b]) ?? []);
    res.render('pages/partner/rules/apply.njk', {
      title: job && job.finishedAt === null ? 'Applying the rules' : 'Rules applied',
      breadcrumbs: [...crumbs, { text: 'Classification rules', href: '/partner/rules' }],
      job, running: job !== undefined && job.finishedAt === null, failed: job?.error, out, autoRefresh: req.query.refresh !== 'off',
      bodies: out?.after.bodies.map((a) => ({ after: a, before: beforeBodies.get(a.body_code) ?? null })) ?? [],
    });
  });

  return router;
}
