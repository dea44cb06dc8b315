// The JSON API: everything the pages show, described by the OpenAPI document at /api/openapi.json
// (src/web/api/openapi.ts), with CSV and XLSX downloads taking the same query parameters as the pages.
// Public data only: payments to individuals are never named, unless the signed-in user may see their own
// body's (and then the response is marked private). Money is integer pence in fields named *_pence.
import express, { type Request, type Response, type Router } from 'express';
import type { WebContext } from '../context.ts';
import { listPlaces, findPlace, normalisePlaceCode, PlaceError, type Place } from '../../place/places.ts';
import { findBody, listBodies, normaliseCode } from '../../place/bodies.ts';
import { deepDive } from '../../place/deep-dive.ts';
import { compareCounts } from '../../place/count-compare.ts';
import { bodySummary } from '../../ledger/summary.ts';
import { listSourceFiles } from '../../ledger/repository.ts';
import { countLines, findLines, type LineFilter } from '../../ledger/lines.ts';
import { searchSuppliers, supplierSummary } from '../../ledger/suppliers.ts';
import { coverageReport, listRules, listTaxonomy, type CoverageReport } from '../../classify/service.ts';
import { can } from '../../accounts/permissions.ts';
import { BadRequest, NotFound } from '../errors.ts';
import { demoNoticeFor, seesIndividuals } from './public.ts';
import { openApiDocument } from '../api/openapi.ts';
import { bodyCodes, bodyType, DEFAULT_PER_PAGE, financialYear, lineQuery, lineSearchParams, param, type LineQuery } from '../api/query.ts';
import { downloadName, PRIVATE_CACHE, PUBLIC_DOWNLOAD_CACHE, sendCsv, sendXlsx, table } from '../api/downloads.ts';
import { aboutTable, checkXlsxSize, countCsvTable, countTables, deepDiveCsvTable, deepDiveTables, eachLine, lineColumns } from '../api/tables.ts';

/** JSON of public data may be kept this long by browsers and caches. */
const PUBLIC_JSON_CACHE = 'public, max-age=60';
/** The coverage report scans the ledger: one result per body is reused for this long. */
const COVERAGE_TTL_MS = 30_000;

/** A place definition that cannot be counted (a driver or population missing) is the data's fault: 409. */
function conflict(err: unknown): never {
  if (err instanceof PlaceError) throw Object.assign(new BadRequest(err.message), { status: 409 });
  throw err;
}

/** What the API says about a place: its definition, without who last edited it. */
function publicPlace(p: Place) {
  return { code: p.code, name: p.name, areas: p.areas, population_override: p.population_override, version: p.version, updated_at: p.updated_at, bodies: p.bodies };
}

export function apiRoutes(ctx: WebContext): Router {
  const router = express.Router();
  const coverage = new Map<string, { at: number; value: Promise<CoverageReport> }>();

  const publicJson = (res: Response, body: unknown) => { res.set('Cache-Control', PUBLIC_JSON_CACHE).json(body); };

  async function placeFrom(req: Request): Promise<Place> {
    const code = normalisePlaceCode(String(req.params.code));
    const place = await findPlace(ctx.db, code);
    if (!place) throw new NotFound(`There is no place with code ${code}. /api/places lists them.`);
    return place;
  }

  async function themeFrom(req: Request): Promise<string> {
    const theme = String(req.params.theme).trim().toLowerCase();
    if (!(await listTaxonomy(ctx.db)).themes.some((t) => t.code === theme)) throw new NotFound(`There is no theme with code ${req.params.theme}. /api/taxonomy lists them.`);
    return theme;
  }

  const count = (code: string, year: string | undefined) => ctx.counts.get(code, { year }).catch(conflict);
  const dive = (code: string, theme: string, year: string | undefined) => deepDive(ctx.db, code, theme, { year }).catch(conflict);
  const aboutSource = (req: Request, codes: string[]): [string, string | null][] => [
    ['source', req.originalUrl], ['generated_at', new Date().toISOString()],
    ['demonstration_data', demoNoticeFor(...codes) ?? null],
  ];

  /** The line filter of the request, with individuals named only if the user may see them for every body asked for. */
  async function lines(req: Request, paging: boolean): Promise<LineQuery & { named: boolean; cache: string }> {
    const lq = await lineQuery(ctx.db, req, { paging });
    const named = seesIndividuals(req.user, lq.filter.bodyCodes);
    lq.filter.publicView = !named;
    return { ...lq, named, cache: named ? PRIVATE_CACHE : PUBLIC_DOWNLOAD_CACHE };
  }

  async function lineTable(f: LineFilter) {
    const names = new Map<string, string>();
    for (const code of f.bodyCodes) names.set(code, (await findBody(ctx.db, code))?.name ?? code);
    return table('Transactions', lineColumns(await listTaxonomy(ctx.db), names), eachLine(ctx.db, f));
  }

  const lineFileName = (f: LineFilter, ext: 'csv' | 'xlsx') =>
    downloadName(['transactions', ...(f.bodyCodes.length > 3 ? [`${f.bodyCodes.length}-bodies`] : f.bodyCodes), f.year, f.month, f.theme], ext);

  // ---- about ----

  router.get('/', (_req, res) => {
    const endpoints = Object.entries(openApiDocument().paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({
      method: method.toUpperCase(), path, summary: op.summary, description: op.description, tag: op.tags[0]!,
      parameters: op.parameters ?? [], link: !(op.parameters ?? []).some((p) => p.required) ? path : null,
    })));
    const tags = [...new Set(endpoints.map((e) => e.tag))].map((tag) => ({ tag, endpoints: endpoints.filter((e) => e.tag === tag) }));
    res.render('pages/api.njk', { title: 'Open data API', tags, breadcrumbs: [{ text: 'Home', href: '/' }] });
  });

  router.get('/openapi.json', (_req, res) => publicJson(res, openApiDocument()));

  // ---- places ----

  router.get('/places', async (_req, res) => publicJson(res, { places: await listPlaces(ctx.db) }));

  router.get('/places/:code', async (req, res) => publicJson(res, publicPlace(await placeFrom(req))));

  router.get('/places/:code/count', async (req, res) => {
    const place = await placeFrom(req);
    publicJson(res, await count(place.code, financialYear(req)));
  });

  router.get('/places/:code/count.csv', async (req, res) => {
    const place = await placeFrom(req);
    const c = await count(place.code, financialYear(req));
    await sendCsv(res, downloadName([place.code, 'count', c.year], 'csv'), countCsvTable(c), PUBLIC_DOWNLOAD_CACHE);
  });

  router.get('/places/:code/count.xlsx', async (req, res) => {
    const place = await placeFrom(req);
    const c = await count(place.code, financialYear(req));
    await sendXlsx(res, downloadName([place.code, 'count', c.year], 'xlsx'), countTables(c, aboutSource(req, [place.code])), PUBLIC_DOWNLOAD_CACHE);
  });

  router.get('/places/:code/themes/:theme.csv', async (req, res) => {
    const place = await placeFrom(req);
    const d = await dive(place.code, await themeFrom(req), financialYear(req));
    await sendCsv(res, downloadName([place.code, d.theme.code, d.year], 'csv'), deepDiveCsvTable(d), PUBLIC_DOWNLOAD_CACHE);
  });

  router.get('/places/:code/themes/:theme.xlsx', async (req, res) => {
    const place = await placeFrom(req);
    const d = await dive(place.code, await themeFrom(req), financialYear(req));
    const names = new Map(d.bodies.map((b) => [b.code, b.name]));
    const cols = lineColumns(await listTaxonomy(ctx.db), names);
    await sendXlsx(res, downloadName([place.code, d.theme.code, d.year], 'xlsx'), deepDiveTables(d, cols, aboutSource(req, [place.code])), PUBLIC_DOWNLOAD_CACHE);
  });

  router.get('/places/:code/themes/:theme', async (req, res) => {
    const place = await placeFrom(req);
    publicJson(res, await dive(place.code, await themeFrom(req), financialYear(req)));
  });

  router.get('/places/:code/compare', async (req, res) => {
    const place = await placeFrom(req);
    const other = param(req, 'with');
    if (!other) throw new BadRequest('with is needed: the code of the place to compare with (such as with=LANCASHIRE).');
    const otherPlace = await findPlace(ctx.db, other);
    if (!otherPlace) throw new BadRequest(`with names a place that does not exist: "${other}". /api/places lists them.`);
    const a = await count(place.code, financialYear(req));
    publicJson(res, compareCounts(a, await count(otherPlace.code, a.year ?? undefined)));
  });

  // ---- bodies ----

  router.get('/bodies', async (req, res) => {
    const type = await bodyType(ctx.db, req);
    publicJson(res, { bodies: await listBodies(ctx.db, { search: param(req, 'search'), type }) });
  });

  router.get('/bodies/:code', async (req, res) => {
    const code = normaliseCode(String(req.params.code));
    const body = await findBody(ctx.db, code);
    if (!body) throw new NotFound(`There is no body with code ${code}. /api/bodies lists them.`);
    const year = financialYear(req);
    const files = (await listSourceFiles(ctx.db, code)).map((f) => ({
      body_code: f.body_code, file_id: Number(f.file_id), file_name: f.file_name, format: f.format, encoding: f.encoding, checksum: f.checksum,
      size_bytes: Number(f.size_bytes), rows_loaded: Number(f.rows_loaded), rows_rejected: Number(f.rows_rejected), total_pence: Number(f.total_pence), loaded_at: f.loaded_at,
    }));
    publicJson(res, { body, summary: await bodySummary(ctx.db, code, year), files });
  });

  // ---- suppliers ----

  router.get('/suppliers', async (req, res) => {
    const text = param(req, 'q');
    if (!text || text.length < 2) throw new BadRequest('q is needed: at least two characters of the supplier\'s name.');
    publicJson(res, { suppliers: await searchSuppliers(ctx.db, text) });
  });

  router.get('/suppliers/:name', async (req, res) => {
    const year = financialYear(req);
    const s = await supplierSummary(ctx.db, String(req.params.name), { year });
    if (!s) throw new NotFound(`No body paid a supplier named "${req.params.name}"${year ? ` in ${year}` : ''}. /api/suppliers?q= searches by part of the name.`);
    publicJson(res, s);
  });

  // ---- transactions ----

  router.get('/transactions', async (req, res) => {
    const { filter, page, perPage, named } = await lines(req, true);
    const r = await findLines(ctx.db, filter);
    const pages = Math.max(Math.ceil(r.total_lines / perPage), 1);
    const order = filter.order === 'date' ? 'date' : undefined;
    const link = (p: number) => `/api/transactions?${lineSearchParams(filter, { order, per_page: perPage === DEFAULT_PER_PAGE ? undefined : perPage, page: p })}`;
    res.set({ 'Cache-Control': named ? PRIVATE_CACHE : PUBLIC_JSON_CACHE, Vary: 'Cookie' }).json({
      lines: r.lines, total_lines: r.total_lines, total_pence: r.total_pence, page, per_page: perPage, pages, individuals_named: named,
      links: {
        self: link(page), first: link(1), prev: page > 1 ? link(Math.min(page - 1, pages)) : null, next: page < pages ? link(page + 1) : null, last: link(pages),
        csv: `/api/transactions.csv?${lineSearchParams(filter)}`, xlsx: `/api/transactions.xlsx?${lineSearchParams(filter)}`,
      },
    });
  });

  router.get('/transactions.csv', async (req, res) => {
    const { filter, cache } = await lines(req, false);
    res.vary('Cookie');
    await sendCsv(res, lineFileName(filter, 'csv'), await lineTable(filter), cache);
  });

  router.get('/transactions.xlsx', async (req, res) => {
    const { filter, cache, named } = await lines(req, false);
    const totals = await countLines(ctx.db, filter);
    checkXlsxSize(totals.total_lines);
    const about = aboutTable([
      ['body', filter.bodyCodes.join(', ')], ['year', filter.year], ['month', filter.month], ['theme', filter.theme], ['cofog', filter.cofog],
      ['prevention', filter.prevention], ['payee_body', filter.payeeBody], ['supplier', filter.supplier],
      ['lines', totals.total_lines], ['total_pence', totals.total_pence],
      ['order', 'By body code, then file and line as published'],
      ['individuals', named ? 'Named: you are signed in to a body whose payments to individuals you may see. Do not publish this file.' : 'Payments to individuals are shown as "Individual (name withheld)".'],
      ...aboutSource(req, filter.bodyCodes),
    ]);
    res.vary('Cookie');
    await sendXlsx(res, lineFileName(filter, 'xlsx'), [about, await lineTable(filter)], cache);
  });

  // ---- classification ----

  router.get('/taxonomy', async (_req, res) => publicJson(res, await listTaxonomy(ctx.db)));

  router.get('/rules', async (_req, res) => publicJson(res, { rules: await listRules(ctx.db) }));

  router.get('/coverage', async (req, res) => {
    if (param(req, 'body')?.includes(',')) throw new BadRequest('body takes one body code.');
    const [body] = await bodyCodes(ctx.db, req, 'body', { required: false });
    const key = body ?? '';
    let hit = coverage.get(key);
    if (!hit || Date.now() - hit.at > COVERAGE_TTL_MS) {
      hit = { at: Date.now(), value: coverageReport(ctx.db, { bodyCode: body }) };
      coverage.set(key, hit);
      hit.value.catch(() => coverage.delete(key));
    }
    const report = await hit.value;
    // An unclassified group's example payee may be a person: shown only to those who may see the body's.
    let named = false;
    const groups = report.unclassified_groups.map((g) => {
      if (can(req.user, 'view-own-body-individuals', g.body_code)) { named = true; return g; }
      return { ...g, example_supplier: null, example_description: null };
    });
    res.set({ 'Cache-Control': named ? PRIVATE_CACHE : PUBLIC_JSON_CACHE, Vary: 'Cookie' }).json({ ...report, unclassified_groups: groups });
  });

  return router;
}
