// Duplication in a place (issue 5): shared suppliers, collaborative procurement opportunities, and the
// register of data returns and inspections, as pages (/places/:code/...) and as JSON and CSV (/api/places/
// :code/...). Every figure links to the transactions behind it. A place administrator confirms, merges and
// splits supplier matches and sets the saving assumption; every form carries the CSRF token, and every
// change is audited (by the services) and empties the page cache. Individuals are never shown: entities
// are built from organisation payees only.
import express, { type Request, type Response, type Router } from 'express';
import type { WebContext } from '../context.ts';
import { findPlace, normalisePlaceCode, type Place } from '../../place/places.ts';
import { can } from '../../accounts/permissions.ts';
import { actorOf, assertCan } from '../auth.ts';
import { BadRequest, NotFound } from '../errors.ts';
import { demoNoticeFor, transactionsHref } from './public.ts';
import { financialYear, param, wholeNumber } from '../api/query.ts';
import { downloadName, sendCsv, table } from '../api/downloads.ts';
import { barChartSvg } from '../charts/bars.ts';
import {
  DuplicationError, OPPORTUNITY_KIND_LABELS, opportunities, opportunityColumns, parseSavingPercent, placeYears, setSavingAssumption, sharedCategories, sharedSuppliers, supplierSpread, type OpportunitiesResult,
} from '../../insight/duplication.ts';
import { confirmSupplier, distinctNames, getEntity, mergeSuppliers, splitSupplier, SupplierError, type SupplierEntity } from '../../insight/suppliers.ts';
import { placeReturns } from '../../insight/returns.ts';
import type { MatchRule } from '../../insight/resolve.ts';

const PUBLIC_JSON_CACHE = 'public, max-age=60';
/** Shared suppliers listed on the page (all of them are in the API). */
const PAGE_ROWS = 100;

/** How a name was matched, in plain English. */
export const RULE_LABELS: Record<MatchRule, string> = {
  'user-merge': 'Confirmed by a person',
  'public-body': 'The same registered public body',
  'company-number': 'The same Companies House number',
  'charity-number': 'The same charity number',
  'vat-number': 'The same VAT number',
  'same-name': 'The same name',
  'normalised-name': 'The same name once punctuation, “&”, “the” and the legal form are set aside',
  'trading-name': 'Trades under this name (“T/A”)',
  fuzzy: 'A similar name',
  single: 'On its own',
};

async function placeOf(ctx: WebContext, req: Request): Promise<Place> {
  const code = normalisePlaceCode(String(req.params.code));
  const p = await findPlace(ctx.db, code);
  if (!p) throw new NotFound(`There is no place with code ${code}.`);
  return p;
}

/** Service errors about the request are bad requests. */
async function checked<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof DuplicationError || err instanceof SupplierError) throw new BadRequest(err.message);
    throw err;
  }
}

/** The transactions behind a supplier's figure at some bodies: a public body by its code, a supplier by its spelling. */
function supplierLines(publicBody: string | null, spelling: string, extra: Record<string, string | null | undefined>): string {
  return transactionsHref(publicBody ? { ...extra, payee_body: publicBody } : { ...extra, supplier: spelling });
}

function yearItems(years: string[], selected: string | null) {
  return [{ value: '', text: 'All years', selected: !selected }, ...years.map((y) => ({ value: y, text: y, selected: y === selected }))];
}

const breadcrumbs = (p: Place) => [{ text: 'Home', href: '/' }, { text: 'Places', href: '/places' }, { text: p.name, href: `/places/${encodeURIComponent(p.code)}` }];

export function insightRoutes(ctx: WebContext): Router {
  const router = express.Router();

  // ---- shared suppliers ----

  router.get('/places/:code/shared-suppliers', async (req, res) => {
    const p = await placeOf(ctx, req);
    const year = financialYear(req) ?? null;
    const all = param(req, 'all') === '1';
    const r = await checked(() => sharedSuppliers(ctx.db, p.code, { year }));
    const spread = await checked(() => supplierSpread(ctx.db, p.code, { year }));
    const shown = all ? r.suppliers : r.suppliers.slice(0, PAGE_ROWS);
    const top = r.suppliers.filter((x) => !x.public_body).slice(0, 15);
    res.render('pages/insight/shared-suppliers.njk', {
      title: `${p.name}: suppliers shared by its bodies${year ? `, ${year}` : ''}`, p, r, year, shown, all,
      allBodies: r.suppliers.filter((x) => x.bodies === r.bodies.length && r.bodies.length >= 2).length,
      organisations: r.suppliers.filter((x) => !x.public_body).length,
      spread: spread.groups.slice(0, 20),
      yearItems: yearItems(await placeYears(ctx.db, p.code), year),
      chart: barChartSvg(top.map((x) => ({ label: x.name, value: x.total_pence })), { id: 'chart-shared', title: `The largest suppliers shared by ${p.name}'s bodies${year ? `, ${year}` : ''}` }),
      tx: (publicBody: string | null, spelling: string, body: string, y?: string | null, theme?: string) => supplierLines(publicBody, spelling, { body, year: y ?? year, theme }),
      demoNotice: demoNoticeFor(p.code, ...r.bodies.map((b) => b.code)),
      breadcrumbs: breadcrumbs(p),
    });
  });

  async function renderEntity(req: Request, res: Response, p: Place, e: SupplierEntity, extra: Record<string, unknown> = {}, status = 200) {
    const codes = p.bodies.map((b) => b.body_code);
    const inPlace = e.matches.filter((m) => codes.includes(m.body_code));
    const spread = (await supplierSpread(ctx.db, p.code)).groups.filter((g) => g.entity_key === e.entity_key);
    const names = distinctNames(e);
    res.status(status).render('pages/insight/supplier.njk', {
      title: `${e.name}: a supplier of ${p.name}'s bodies`, p, e, inPlace, spread, names,
      placeTotal: inPlace.reduce((s, m) => s + m.total_pence, 0),
      ruleLabels: RULE_LABELS,
      mayDecide: can(req.user, 'edit-places'),
      done: param(req, 'done'),
      tx: (m: { body_code: string; supplier_key: string }, theme?: string) => supplierLines(e.body_code, m.supplier_key, { body: m.body_code, theme }),
      demoNotice: demoNoticeFor(p.code, ...e.matches.map((m) => m.body_code)),
      breadcrumbs: [...breadcrumbs(p), { text: 'Shared suppliers', href: `/places/${encodeURIComponent(p.code)}/shared-suppliers` }],
      errorSummaryTitle: Boolean(extra.error),
      ...extra,
    });
  }

  async function entityOf(req: Request): Promise<SupplierEntity> {
    const e = await getEntity(ctx.db, String(req.params.entity));
    if (!e) throw new NotFound(`There is no supplier ${req.params.entity}. Suppliers are found again each time they are resolved: go back to the list of shared suppliers.`);
    return e;
  }

  router.get('/places/:code/shared-suppliers/:entity', async (req, res) => {
    const p = await placeOf(ctx, req);
    await renderEntity(req, res, p, await entityOf(req));
  });

  const entityHref = (p: Place, key: string, done: string) => `/places/${encodeURIComponent(p.code)}/shared-suppliers/${encodeURIComponent(key)}?done=${done}`;

  router.post('/places/:code/shared-suppliers/:entity/confirm', async (req, res) => {
    assertCan(req, 'edit-places');
    const p = await placeOf(ctx, req);
    const e = await entityOf(req);
    const after = await checked(() => confirmSupplier(ctx.db, e.entity_key, actorOf(req)));
    ctx.dataChanged();
    res.redirect(303, entityHref(p, after.entity_key, 'confirmed'));
  });

  router.post('/places/:code/shared-suppliers/:entity/split', async (req, res) => {
    assertCan(req, 'edit-places');
    const p = await placeOf(ctx, req);
    const e = await entityOf(req);
    const name = typeof req.body?.name === 'string' ? req.body.name : '';
    if (!name.trim()) return renderEntity(req, res, p, e, { error: { field: 'other', text: 'Choose the name to take out.' } }, 400);
    try {
      const r = await splitSupplier(ctx.db, e.entity_key, name, actorOf(req));
      ctx.dataChanged();
      res.redirect(303, entityHref(p, r.from.entity_key, 'split'));
    } catch (err) {
      if (err instanceof SupplierError) return renderEntity(req, res, p, e, { error: { field: 'other', text: err.message } }, 400);
      throw err;
    }
  });

  router.post('/places/:code/shared-suppliers/:entity/merge', async (req, res) => {
    assertCan(req, 'edit-places');
    const p = await placeOf(ctx, req);
    const e = await entityOf(req);
    const other = typeof req.body?.other === 'string' ? req.body.other.trim() : '';
    if (!other) return renderEntity(req, res, p, e, { error: { field: 'other', text: 'Enter the name, or the key, of the supplier to merge into this one.' }, other }, 400);
    try {
      const after = await mergeSuppliers(ctx.db, [e.entity_key, other], actorOf(req));
      ctx.dataChanged();
      res.redirect(303, entityHref(p, after.entity_key, 'merged'));
    } catch (err) {
      if (err instanceof SupplierError) return renderEntity(req, res, p, e, { error: { field: 'other', text: err.message }, other }, 400);
      throw err;
    }
  });

  // ---- opportunities ----

  async function renderOpportunities(req: Request, res: Response, p: Place, extra: Record<string, unknown> = {}, status = 200) {
    const year = financialYear(req) ?? null;
    const r = await checked(() => opportunities(ctx.db, p.code, { year }));
    const kinds = (['supplier', 'theme', 'expense_type', 'proclass'] as const).filter((k) => r.totals[k].groups > 0)
      .map((k) => ({ kind: k, label: OPPORTUNITY_KIND_LABELS[k], totals: r.totals[k], list: r.opportunities.filter((o) => o.kind === k).slice(0, 50) }));
    const top = r.opportunities.filter((o) => o.kind === 'supplier').slice(0, 15);
    const csvHref = `/api/places/${encodeURIComponent(p.code)}/opportunities.csv${year ? `?year=${year}` : ''}`;
    res.status(status).render('pages/insight/opportunities.njk', {
      title: `${p.name}: buying together${year ? `, ${year}` : ''}`, p, r, year, kinds, csvHref,
      mayEdit: can(req.user, 'edit-places'),
      yearItems: yearItems(await placeYears(ctx.db, p.code), year),
      chart: barChartSvg(top.map((o) => ({ label: o.label, value: o.saving_pence })), { id: 'chart-savings', title: `Estimated saving at ${r.assumption.percent}% on the largest shared suppliers` }),
      // The lines behind a group at one body: by supplier spelling, or by theme.
      tx: (o: OpportunitiesResult['opportunities'][number], b: OpportunitiesResult['opportunities'][number]['bodies'][number]) => (o.kind === 'theme'
        ? transactionsHref({ body: b.code, year, theme: o.key })
        : o.kind === 'supplier' ? transactionsHref({ body: b.code, year, supplier: b.spelling ?? o.label }) : null),
      updated: param(req, 'updated') === '1',
      demoNotice: demoNoticeFor(p.code, ...r.bodies.map((b) => b.code)),
      breadcrumbs: breadcrumbs(p),
      errorSummaryTitle: Boolean(extra.error),
      ...extra,
    });
  }

  router.get('/places/:code/opportunities', async (req, res) => renderOpportunities(req, res, await placeOf(ctx, req)));

  router.post('/places/:code/opportunities/assumption', async (req, res) => {
    assertCan(req, 'edit-places');
    const p = await placeOf(ctx, req);
    const value = typeof req.body?.saving_percent === 'string' ? req.body.saving_percent : '';
    try {
      parseSavingPercent(value);
    } catch (err) {
      if (err instanceof DuplicationError) return renderOpportunities(req, res, p, { error: err.message, value }, 400);
      throw err;
    }
    await setSavingAssumption(ctx.db, p.code, value, actorOf(req));
    ctx.dataChanged();
    res.redirect(303, `/places/${encodeURIComponent(p.code)}/opportunities?updated=1`);
  });

  // ---- returns and inspections ----

  router.get('/places/:code/returns', async (req, res) => {
    const p = await placeOf(ctx, req);
    const r = await placeReturns(ctx.db, p.code);
    res.render('pages/insight/returns.njk', {
      title: `${p.name}: data returns and inspections`, p, r,
      chart: barChartSvg(r.repeated.slice(0, 15).map((t) => ({ label: t.theme, value: t.staff_days })), {
        id: 'chart-returns', title: 'Staff days on themes reported or inspected more than once', format: (v) => `${v.toLocaleString('en-GB')} days`,
      }),
      demoNotice: demoNoticeFor(p.code, ...r.bodies.map((b) => b.code)),
      breadcrumbs: breadcrumbs(p),
    });
  });

  return router;
}

/** The JSON and CSV of the same (mounted at /api, before the main API router). */
export function insightApiRoutes(ctx: WebContext): Router {
  const router = express.Router();
  const publicJson = (res: Response, body: unknown) => { res.set('Cache-Control', PUBLIC_JSON_CACHE).json(body); };
  const place = async (req: Request) => (await placeOf(ctx, req)).code;
  const savingParam = (req: Request) => {
    const v = param(req, 'saving_percent');
    if (v === undefined) return undefined;
    try { return parseSavingPercent(v); } catch (err) { throw new BadRequest(`saving_percent: ${(err as Error).message}`); }
  };

  router.get('/places/:code/shared-suppliers', async (req, res) => {
    const code = await place(req);
    const year = financialYear(req) ?? null;
    const minBodies = wholeNumber(req, 'min_bodies', { min: 2, max: 1000, fallback: 2 });
    publicJson(res, await checked(() => sharedSuppliers(ctx.db, code, { year, minBodies })));
  });

  router.get('/places/:code/shared-categories', async (req, res) => {
    const code = await place(req);
    publicJson(res, await checked(() => sharedCategories(ctx.db, code, { year: financialYear(req) ?? null })));
  });

  router.get('/places/:code/supplier-spread', async (req, res) => {
    const code = await place(req);
    publicJson(res, await checked(() => supplierSpread(ctx.db, code, { year: financialYear(req) ?? null })));
  });

  router.get('/places/:code/opportunities', async (req, res) => {
    const code = await place(req);
    publicJson(res, await checked(() => opportunities(ctx.db, code, { year: financialYear(req) ?? null, savingBasisPoints: savingParam(req) })));
  });

  router.get('/places/:code/opportunities.csv', async (req, res) => {
    const code = await place(req);
    const year = financialYear(req) ?? null;
    const r = await checked(() => opportunities(ctx.db, code, { year, savingBasisPoints: savingParam(req) }));
    await sendCsv(res, downloadName(['opportunities', code, year], 'csv'), table('Opportunities', opportunityColumns(r), r.opportunities), 'public, max-age=300');
  });

  router.get('/places/:code/returns', async (req, res) => {
    publicJson(res, await placeReturns(ctx.db, await place(req)));
  });

  return router;
}
