// Public pages: the start page, places and their count, theme deep dives, comparisons, the body register,
// suppliers and the transactions behind every figure. No sign-in needed; payments to individuals are never
// shown by name here, except on the transactions page to a signed-in user of the paying body.
//
// The place page is the busiest page, so it reads only the count cache (ctx.counts) and keeps what it
// derives from a count (charts, and the rendered HTML of the count itself) in a WeakMap keyed by the cached
// count object: a cached page costs no database query, no chart layout and no re-rendering of the count.
import express, { type Request, type Router } from 'express';
import type { WebContext } from '../context.ts';
import { listPlaces, findPlace, normalisePlaceCode, placesOfBody, PlaceError } from '../../place/places.ts';
import { findBody, listBodies, listBodyTypes, normaliseCode, type Body } from '../../place/bodies.ts';
import type { CountResult } from '../../place/count.ts';
import { deepDive } from '../../place/deep-dive.ts';
import { compareCounts } from '../../place/count-compare.ts';
import { bodySummary, type Summary } from '../../ledger/summary.ts';
import { listSourceFiles } from '../../ledger/repository.ts';
import { findLines, type LedgerLine } from '../../ledger/lines.ts';
import { searchSuppliers, supplierSummary, topSuppliers } from '../../ledger/suppliers.ts';
import { listTaxonomy } from '../../classify/service.ts';
import { can } from '../../accounts/permissions.ts';
import type { User } from '../../accounts/users.ts';
import { DEMO_NOTICE } from '../../demo/place.ts';
import { BadRequest, NotFound } from '../errors.ts';
import { treemapSvg } from '../charts/treemap.ts';
import { barChartSvg } from '../charts/bars.ts';
import { flowChartSvg } from '../charts/flow.ts';
import { bodyType, financialYear, lineQuery, lineSearchParams, param, wholeNumber } from '../api/query.ts';

/** Demonstration places and bodies are labelled as such on every page that shows them. */
export const isDemo = (code: string) => code.startsWith('DEMO-') || /^X\d{8}$/.test(code);
export const demoNoticeFor = (...codes: string[]) => (codes.some(isDemo) ? DEMO_NOTICE : undefined);

export const LINES_PER_PAGE = 100;

type Params = Record<string, string | number | null | undefined>;

/** A query string of the non-empty values, in the order given (commas left readable, as lineSearchParams does). */
export function queryString(params: Params): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  return p.toString().replace(/%2C/g, ',');
}

/** The transactions page with these filters. */
export function transactionsHref(params: Params): string {
  return `/transactions?${queryString(params)}`;
}

/** The count from the cache; an unknown place is a 404 (the database is asked only on that path). */
async function placeCount(ctx: WebContext, code: string, year?: string): Promise<CountResult> {
  try {
    return await ctx.counts.get(code, { year });
  } catch (err) {
    if (err instanceof PlaceError && !(await findPlace(ctx.db, code))) throw new NotFound(`There is no place with code ${code}.`);
    throw err;
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** 2023-04-03 -> 3 Apr 2023; 2023-04 -> Apr 2023. */
export function shortDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?/.exec(iso ?? '');
  if (!m) return iso ?? '';
  return `${m[3] ? `${Number(m[3])} ` : ''}${MONTHS[Number(m[2]) - 1]} ${m[1]}`;
}

/** Year options for a GET form's select: every year with spend, the one shown selected. */
function yearItems(years: string[], selected: string | null, all?: string) {
  const list = [...new Set([...years, ...(selected ? [selected] : [])])].sort().reverse();
  return [...(all ? [{ value: '', text: all, selected: !selected }] : []), ...list.map((y) => ({ value: y, text: y, selected: y === selected }))];
}

// ---------- the place page ----------

interface Part { code: string; label: string; pence: number; share: number | null }

/**
 * A breakdown as a list, largest first. (Not the record's own key order: JavaScript puts integer-like keys
 * such as the COFOG division "10" before all others.)
 */
export function ordered<T extends object>(record: Record<string, T>, value: (x: T) => number): (T & { code: string })[] {
  return Object.entries(record).map(([code, x]) => ({ ...x, code })).sort((a, b) => value(b) - value(a) || a.code.localeCompare(b.code));
}
const parts = (breakdown: Record<string, Omit<Part, 'code'>>): Part[] => ordered(breakdown, (b) => b.pence);

interface PlaceView {
  /** The counted bodies' codes, for links to the lines behind a figure. */
  bodies: string;
  themes: Part[];
  levels: Part[];
  functions: Part[];
  years: string[];
  treemap: string;
  prevention: string;
  cofog: string;
  flow: string | null;
  /** The page's content, rendered once (it depends on the count alone). */
  html?: Promise<string>;
}

const placeViews = new WeakMap<CountResult, PlaceView>();

function placeView(count: CountResult): PlaceView {
  const hit = placeViews.get(count);
  if (hit) return hit;
  const yr = count.year ? `, ${count.year}` : '';
  const themes = parts(count.by_theme), levels = parts(count.by_prevention), functions = parts(count.by_cofog);
  const view: PlaceView = {
    bodies: count.bodies.filter((b) => b.rule !== 'excluded').map((b) => b.code).join(','),
    themes, levels, functions,
    years: Object.keys(count.by_year),
    treemap: treemapSvg(themes.map((t) => ({ label: t.label, value: t.pence })), { id: 'chart-themes', title: `${count.name}: spend by theme${yr}` }),
    prevention: barChartSvg(levels.map((t) => ({ label: t.label, value: t.pence })), { id: 'chart-prevention', title: `${count.name}: spend by prevention level${yr}` }),
    cofog: barChartSvg(functions.map((t) => ({ label: t.label, value: t.pence })), { id: 'chart-cofog', title: `${count.name}: spend by function (COFOG)${yr}` }),
    flow: count.netting.flows.length ? flowChartSvg(count.netting.flows, { id: 'chart-flows', title: `${count.name}: money paid between the place's bodies${yr}` }) : null,
  };
  placeViews.set(count, view);
  return view;
}

// ---------- the transactions page ----------

/** Whether `user` may see individuals' names in the lines of every one of these bodies (their own body's, or an administrator). */
export function seesIndividuals(user: User | null | undefined, bodyCodes: string[]): boolean {
  return bodyCodes.length > 0 && bodyCodes.every((code) => can(user, 'view-own-body-individuals', code));
}

/** GOV.UK pagination items: first, last, the current page and its neighbours, ellipses between. */
export function paginationOf(page: number, pages: number, href: (p: number) => string) {
  if (pages <= 1) return null;
  const shown = [...new Set([1, page - 1, page, page + 1, pages])].filter((p) => p >= 1 && p <= pages).sort((a, b) => a - b);
  const items: ({ number: number; href: string; current: boolean } | { ellipsis: true })[] = [];
  shown.forEach((p, i) => {
    if (i > 0 && p - shown[i - 1] > 1) items.push({ ellipsis: true });
    items.push({ number: p, href: href(p), current: p === page });
  });
  return {
    items,
    previous: page > 1 ? { href: href(page - 1) } : null,
    next: page < pages ? { href: href(page + 1) } : null,
  };
}

/** A view rendered to a string (with the app's Nunjucks set-up, but none of the request's locals). */
function renderToString(req: Request, view: string, locals: object): Promise<string> {
  return new Promise((resolve, reject) => req.app.render(view, locals, (err, html) => (err ? reject(err) : resolve(html ?? ''))));
}

const lineRow = (l: LedgerLine, themes: Map<string, string>) => ({ ...l, date: shortDate(l.payment_date), theme: themes.get(l.theme_code) ?? l.theme_code });

export function publicRoutes(ctx: WebContext): Router {
  const router = express.Router();

  router.get('/', async (_req, res) => {
    const places = await listPlaces(ctx.db);
    res.render('pages/home.njk', { title: 'See where public money goes in a place', places });
  });

  router.get('/places', async (_req, res) => {
    const places = await listPlaces(ctx.db);
    res.render('pages/places.njk', { title: 'Places', places, breadcrumbs: [{ text: 'Home', href: '/' }] });
  });

  router.get('/places/:code', async (req, res) => {
    const code = normalisePlaceCode(req.params.code);
    const count = await placeCount(ctx, code, financialYear(req));
    const view = placeView(count);
    if (!view.html) {
      const yearParam = count.year ? `?year=${encodeURIComponent(count.year)}` : '';
      view.html = renderToString(req, 'partials/place-count.njk', {
        count, view, yearParam,
        yearItems: yearItems(view.years, count.year),
        tx: (extra: Params = {}) => transactionsHref({ body: view.bodies, year: count.year, ...extra }),
        themeHref: (theme: string) => `/places/${encodeURIComponent(count.place)}/themes/${encodeURIComponent(theme)}${yearParam}`,
      });
      view.html.catch(() => { view.html = undefined; });
    }
    res.render('pages/place.njk', {
      title: `${count.name}: the count${count.year ? `, ${count.year}` : ''}`, content: await view.html,
      demoNotice: demoNoticeFor(code),
      breadcrumbs: [{ text: 'Home', href: '/' }, { text: 'Places', href: '/places' }],
    });
  });

  router.get('/places/:code/themes/:theme', async (req, res) => {
    const code = normalisePlaceCode(req.params.code);
    const year = financialYear(req);
    let dd;
    try {
      dd = await deepDive(ctx.db, code, req.params.theme, { year });
    } catch (err) {
      if (!(err instanceof PlaceError)) throw err;
      if (!(await findPlace(ctx.db, code))) throw new NotFound(`There is no place with code ${code}.`);
      const theme = req.params.theme.trim().toLowerCase();
      if (!(await listTaxonomy(ctx.db)).themes.some((t) => t.code === theme)) throw new NotFound(`There is no theme with code "${req.params.theme}".`);
      throw err;
    }
    const counted = dd.bodies.filter((b) => b.rule !== 'excluded').map((b) => b.code).join(',');
    const yr = dd.year ? `, ${dd.year}` : '';
    const themes = new Map([[dd.theme.code, dd.theme.label]]);
    res.render('pages/theme.njk', {
      title: `${dd.theme.label} in ${dd.name}${yr}`, dd,
      years: yearItems(Object.keys((await placeCount(ctx, code, year)).by_year), dd.year),
      months: barChartSvg(dd.months.map((m) => ({ label: shortDate(m.month), value: m.attributed_pence })), { id: 'chart-months', title: `${dd.theme.label} in ${dd.name}: spend by month${yr}` }),
      prevention: barChartSvg(Object.values(dd.by_prevention).map((p) => ({ label: p.label, value: p.pence })), { id: 'chart-prevention', title: `${dd.theme.label} in ${dd.name}: spend by prevention level${yr}` }),
      lines: dd.top_transactions.lines.map((l) => lineRow(l, themes)),
      tx: (extra: Params = {}) => transactionsHref({ body: counted, year: dd.year, theme: dd.theme.code, ...extra }),
      shortDate,
      placeHref: `/places/${encodeURIComponent(dd.place)}${dd.year ? `?year=${encodeURIComponent(dd.year)}` : ''}`,
      downloads: `/api/places/${encodeURIComponent(dd.place)}/themes/${encodeURIComponent(dd.theme.code)}`,
      yearParam: dd.year ? `?year=${encodeURIComponent(dd.year)}` : '',
      demoNotice: demoNoticeFor(code),
      breadcrumbs: [{ text: 'Home', href: '/' }, { text: 'Places', href: '/places' }, { text: dd.name, href: `/places/${encodeURIComponent(dd.place)}` }],
    });
  });

  router.get('/places/:code/compare', async (req, res) => {
    const code = normalisePlaceCode(req.params.code);
    const year = financialYear(req);
    const a = await placeCount(ctx, code, year);
    const other = param(req, 'with');
    const breadcrumbs = [{ text: 'Home', href: '/' }, { text: 'Places', href: '/places' }, { text: a.name, href: `/places/${encodeURIComponent(a.place)}` }];
    const otherCode = other ? normalisePlaceCode(other) : undefined;
    const placeItems = (await listPlaces(ctx.db)).filter((p) => p.code !== a.place).map((p) => ({ value: p.code, text: p.name, selected: p.code === otherCode }));
    if (!otherCode) {
      res.render('pages/compare.njk', { title: `Compare ${a.name} with another place`, a, placeItems, cmp: null, breadcrumbs, demoNotice: demoNoticeFor(code) });
      return;
    }
    if (otherCode === a.place) throw new BadRequest('Choose a different place to compare with.');
    if (!(await findPlace(ctx.db, otherCode))) throw new BadRequest(`There is no place with code "${other}" to compare with.`);
    const b = await ctx.counts.get(otherCode, { year: a.year ?? undefined });
    const cmp = compareCounts(a, b);
    res.render('pages/compare.njk', {
      title: `${a.name} and ${b.name} compared${cmp.year ? `, ${cmp.year}` : ''}`, a, b, cmp, placeItems,
      yearItems: yearItems([...new Set([...Object.keys(a.by_year), ...Object.keys(b.by_year)])], cmp.year),
      breadcrumbs, demoNotice: demoNoticeFor(a.place, b.place),
    });
  });

  router.get('/bodies', async (req, res) => {
    const search = param(req, 'search');
    const type = await bodyType(ctx.db, req);
    const types = await listBodyTypes(ctx.db);
    const all = await listBodies(ctx.db, { search, type });
    const pages = Math.max(Math.ceil(all.length / LINES_PER_PAGE), 1);
    const page = wholeNumber(req, 'page', { min: 1, max: pages, fallback: 1 });
    const loaded = new Map<string, { files: number; total_pence: number }>();
    for (const f of await listSourceFiles(ctx.db)) {
      const x = loaded.get(f.body_code) ?? { files: 0, total_pence: 0 };
      x.files++; x.total_pence += Number(f.total_pence);
      loaded.set(f.body_code, x);
    }
    const typeLabels = new Map(types.map((t) => [t.code, t.label]));
    res.render('pages/bodies.njk', {
      title: 'Public bodies', search, type, total: all.length,
      bodies: all.slice((page - 1) * LINES_PER_PAGE, page * LINES_PER_PAGE).map((b) => ({ ...b, type_label: typeLabels.get(b.body_type) ?? b.body_type, loaded: loaded.get(b.code) })),
      typeItems: [{ value: '', text: 'All types', selected: !type }, ...types.map((t) => ({ value: t.code, text: t.label, selected: t.code === type }))],
      pagination: paginationOf(page, pages, (p) => `/bodies?${queryString({ search, type, page: p })}`),
      breadcrumbs: [{ text: 'Home', href: '/' }],
    });
  });

  router.get('/bodies/:code', async (req, res) => {
    const body = await findBody(ctx.db, req.params.code);
    if (!body) throw new NotFound(`There is no body with code ${normaliseCode(req.params.code)}.`);
    const year = financialYear(req);
    const all = await bodySummary(ctx.db, body.code);
    const summary = year ? await bodySummary(ctx.db, body.code, year) : all;
    const yr = year ? `, ${year}` : ', all years';
    const byTotal = (r: Summary['by_theme']) => ordered(r, (x) => x.total_pence);
    const [themes, levels, functions] = [byTotal(summary.by_theme), byTotal(summary.by_prevention), byTotal(summary.by_cofog)];
    const files = (await listSourceFiles(ctx.db, body.code)).map((f) => ({
      ...f, rows_loaded: Number(f.rows_loaded), rows_rejected: Number(f.rows_rejected), total_pence: Number(f.total_pence),
      loaded: `${shortDate(f.loaded_at)} ${f.loaded_at.slice(11, 16)}`,
    }));
    res.render('pages/body.njk', {
      title: `${body.name}${year ? `, ${year}` : ''}`, body, year, all, summary, files,
      type: (await listBodyTypes(ctx.db)).find((t) => t.code === body.body_type)?.label ?? body.body_type,
      places: await placesOfBody(ctx.db, body.code),
      suppliers: await topSuppliers(ctx.db, body.code, { year, limit: 20 }),
      yearItems: yearItems(Object.keys(all.by_year), year ?? null, 'All years'),
      themes, levels, functions,
      themeChart: barChartSvg(themes.map((t) => ({ label: t.label, value: t.total_pence })), { id: 'chart-themes', title: `${body.name}: spend by theme${yr}` }),
      preventionChart: barChartSvg(levels.map((t) => ({ label: t.label, value: t.total_pence })), { id: 'chart-prevention', title: `${body.name}: spend by prevention level${yr}` }),
      tx: (extra: Params = {}) => transactionsHref({ body: body.code, year, ...extra }),
      yearParam: year ? `?year=${encodeURIComponent(year)}` : '',
      demoNotice: demoNoticeFor(body.code),
      breadcrumbs: [{ text: 'Home', href: '/' }, { text: 'Bodies', href: '/bodies' }],
    });
  });

  router.get('/suppliers', async (req, res) => {
    const q = param(req, 'q');
    const error = q !== undefined && q.length < 2 ? 'Enter at least 2 characters of the supplier\'s name' : null;
    const matches = q && !error ? await searchSuppliers(ctx.db, q, { limit: 100 }) : [];
    res.status(error ? 400 : 200).render('pages/suppliers.njk', {
      title: q ? `Suppliers matching “${q}”` : 'Suppliers', errorSummaryTitle: error ? 'There is a problem' : undefined,
      q, error, matches, breadcrumbs: [{ text: 'Home', href: '/' }],
    });
  });

  router.get('/suppliers/:name', async (req, res) => {
    const year = financialYear(req);
    const s = await supplierSummary(ctx.db, req.params.name, { year });
    if (!s) throw new NotFound(`No payments to a supplier called "${req.params.name}" are published${year ? ` for ${year}` : ''}. (Payments to individuals are never listed by name.)`);
    const all = year ? (await supplierSummary(ctx.db, req.params.name))! : s;
    const bodies = s.by_body.map((b) => b.body_code).join(',');
    res.render('pages/supplier.njk', {
      title: `${s.supplier_name}${year ? `, ${year}` : ''}`, s, year,
      yearItems: yearItems(all.by_year.map((y) => y.financial_year), year ?? null, 'All years'),
      tx: (extra: Params = {}) => transactionsHref({ body: bodies, year, supplier: s.supplier_name, ...extra }),
      bars: barChartSvg(s.by_body.map((b) => ({ label: b.body_name, value: b.total_pence })), { id: 'chart-bodies', title: `Paid to ${s.supplier_name} by body${year ? `, ${year}` : ''}` }),
      demoNotice: demoNoticeFor(...s.by_body.map((b) => b.body_code)),
      breadcrumbs: [{ text: 'Home', href: '/' }, { text: 'Suppliers', href: '/suppliers' }],
    });
  });

  router.get('/transactions', async (req, res) => {
    // The same checks and parameters as the downloads (/api/transactions.csv|.xlsx), so their links carry the filter as it stands.
    const lq = await lineQuery(ctx.db, req);
    const f = { ...lq.filter, limit: LINES_PER_PAGE, offset: (lq.page - 1) * LINES_PER_PAGE };
    const named = seesIndividuals(req.user, f.bodyCodes);
    const found = await findLines(ctx.db, { ...f, publicView: !named });
    const pages = Math.max(Math.ceil(found.total_lines / LINES_PER_PAGE), 1);
    if (named) res.set('Cache-Control', 'private, no-store');
    const bodies: Body[] = [];
    for (const code of f.bodyCodes) bodies.push((await findBody(ctx.db, code))!);
    const taxonomy = await listTaxonomy(ctx.db);
    const themes = new Map(taxonomy.themes.map((x) => [x.code, x.label]));
    const label = (list: { code: string; label: string }[], code?: string) => (code === 'unknown' ? 'Not known' : list.find((x) => x.code === code)?.label ?? code);
    const order = f.order === 'date' ? 'date' : 'amount';
    const search = (extra: Params = {}) => lineSearchParams(f, { order: order === 'date' ? order : undefined, ...extra } as Record<string, string | number | undefined>);
    const first = f.offset + 1;
    res.render('pages/transactions.njk', {
      title: `Transactions: ${bodies.map((b) => b.name).join(', ')}`,
      f, bodies, order, page: lq.page, found, named, pages, first,
      lines: found.lines.map((l) => lineRow(l, themes)),
      filterRows: ([
        [bodies.length > 1 ? 'Bodies' : 'Body', bodies.map((b) => `${b.name} (${b.code})`).join(', ')],
        ['Financial year', f.year], ['Month', f.month && shortDate(f.month)],
        ['Theme', f.theme && themes.get(f.theme)],
        ['Function (COFOG)', f.cofog && label(taxonomy.cofog, f.cofog)],
        ['Prevention level', f.prevention && label(taxonomy.prevention, f.prevention)],
        ['Paid to body', f.payeeBody], ['Supplier name contains', f.supplier],
      ] as [string, string | undefined][]).filter(([, v]) => v).map(([k, v]) => ({ key: { text: k }, value: { text: v } })),
      caption: `Lines ${first.toLocaleString('en-GB')} to ${(first + found.lines.length - 1).toLocaleString('en-GB')} of ${found.total_lines.toLocaleString('en-GB')}, ${order === 'amount' ? 'largest' : 'oldest'} first`,
      themeItems: [{ value: '', text: 'Any theme' }, ...taxonomy.themes.map((x) => ({ value: x.code, text: x.label, selected: x.code === f.theme }))],
      cofogItems: [{ value: '', text: 'Any function' }, ...taxonomy.cofog.map((x) => ({ value: x.code, text: `${x.code} ${x.label}`, selected: x.code === f.cofog })), { value: 'unknown', text: 'Not known', selected: f.cofog === 'unknown' }],
      preventionItems: [{ value: '', text: 'Any level' }, ...taxonomy.prevention.map((x) => ({ value: x.code, text: x.label, selected: x.code === f.prevention })), { value: 'unknown', text: 'Not known', selected: f.prevention === 'unknown' }],
      orderItems: [{ value: 'amount', text: 'Largest first', selected: order === 'amount' }, { value: 'date', text: 'Oldest first', selected: order === 'date' }],
      pagination: paginationOf(lq.page, pages, (p) => `/transactions?${search({ page: p })}`),
      downloads: { csv: `/api/transactions.csv?${search()}`, xlsx: `/api/transactions.xlsx?${search()}` },
      demoNotice: demoNoticeFor(...f.bodyCodes),
      breadcrumbs: [{ text: 'Home', href: '/' }, ...(bodies.length === 1 ? [{ text: bodies[0].name, href: `/bodies/${encodeURIComponent(bodies[0].code)}` }] : [])],
    });
  });

  router.get('/accessibility', (_req, res) => res.render('pages/accessibility.njk', { title: 'Accessibility statement' }));

  return router;
}
