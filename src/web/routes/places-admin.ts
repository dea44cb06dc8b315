// Places (/partner/places, place administrators): create a place from GSS areas, change its name and
// areas, attach bodies with the rule attributing their spend (direct, population share, driver share,
// excluded), detach them, override the population, delete, and import/export the definition file.
// Every change goes through src/place/places.ts (versioned, audited) and refreshes the public counts.
import express, { type Request, type Response, type Router } from 'express';
import type { WebContext } from '../context.ts';
import { actorOf, assertCan } from '../auth.ts';
import { NotFound } from '../errors.ts';
import {
  attachBody, createPlace, definitionOf, deletePlace, detachBody, findPlace, importPlace, listPlaces, normalisePlaceCode, PlaceError,
  setPlacePopulation, updatePlace, type Place,
} from '../../place/places.ts';
import { RULES, type Rule } from '../../place/attribution.ts';
import { lookupBody } from '../../place/bodies.ts';
import { FileProblem, receiveSmallFile } from '../uploads/multipart.ts';
import { demoNoticeFor } from './public.ts';

const RULE_LABELS: Record<Rule, { text: string; hint: string }> = {
  direct: { text: 'Direct', hint: 'All of the body\'s spending is in the place (it serves only this place).' },
  population_share: { text: 'Population share', hint: 'The share of the body\'s population that lives in the place.' },
  driver_share: { text: 'Driver share', hint: 'A share you give from a figure such as caseload or pupils: the place\'s figure over the body\'s total.' },
  excluded: { text: 'Excluded', hint: 'Shown, but left out of the place\'s total.' },
};

const MAX_DEFINITION_BYTES = 1024 * 1024;
const crumbs = [{ text: 'Home', href: '/' }, { text: 'Partners', href: '/partner' }];
const placesCrumbs = [...crumbs, { text: 'Places', href: '/partner/places' }];

const splitAreas = (text: unknown) => String(text ?? '').split(/[\s,;]+/).map((a) => a.trim()).filter(Boolean);

type FormName = 'details' | 'attach' | 'population';
interface Problem { form: FormName; text: string; href: string }

export function placesAdminRoutes(ctx: WebContext): Router {
  const router = express.Router();
  router.use((req, _res, next) => { assertCan(req, 'edit-places'); next(); });

  async function loadPlace(req: Request): Promise<Place> {
    const place = await findPlace(ctx.db, normalisePlaceCode(String(req.params.code)));
    if (!place) throw new NotFound(`There is no place with code ${normalisePlaceCode(String(req.params.code))}.`);
    return place;
  }

  router.get('/', async (req, res) => {
    res.render('pages/partner/places/index.njk', {
      title: 'Places', breadcrumbs: crumbs, places: await listPlaces(ctx.db),
      deleted: typeof req.query.deleted === 'string' && /^[A-Z0-9_-]{1,64}$/.test(req.query.deleted) ? req.query.deleted : null,
    });
  });

  // ---------- create ----------

  const renderNew = (res: Response, values: Record<string, string>, error?: { text: string; href: string }, status = 200) =>
    res.status(status).render('pages/partner/places/new.njk', { title: 'Create a place', breadcrumbs: placesCrumbs, values, error, errorSummaryTitle: Boolean(error) });

  router.get('/new', (_req, res) => renderNew(res, {}));

  router.post('/new', async (req, res) => {
    const values = { code: String(req.body?.code ?? '').trim(), name: String(req.body?.name ?? '').trim(), areas: String(req.body?.areas ?? '') };
    try {
      const place = await createPlace(ctx.db, { code: values.code, name: values.name, areas: splitAreas(values.areas) }, actorOf(req));
      ctx.dataChanged();
      res.redirect(303, `/partner/places/${encodeURIComponent(place.code)}?done=created`);
    } catch (err) {
      if (!(err instanceof PlaceError)) throw err;
      const href = /code/i.test(err.message) && !/GSS/.test(err.message) ? '#code' : /name/i.test(err.message) ? '#name' : '#areas';
      renderNew(res, values, { text: err.message, href }, 400);
    }
  });

  // ---------- import ----------

  const renderImport = (res: Response, error?: string, status = 200) =>
    res.status(status).render('pages/partner/places/import.njk', { title: 'Import a place definition', breadcrumbs: placesCrumbs, error, errorSummaryTitle: Boolean(error) });

  router.get('/import', (_req, res) => renderImport(res));

  router.post('/import', async (req, res) => {
    let result;
    try {
      const file = await receiveSmallFile(req, {
        field: 'file', maxBytes: MAX_DEFINITION_BYTES,
        accept: (name) => (name.toLowerCase().endsWith('.json') ? null : 'The selected file must be a JSON place definition (its name ends .json)'),
      });
      let value: unknown;
      try {
        value = JSON.parse(file.data.toString('utf8').replace(/^\ufeff/, ''));
      } catch (err) {
        throw new PlaceError(`${file.name} is not valid JSON (${(err as Error).message}).`);
      }
      result = await importPlace(ctx.db, value, actorOf(req), file.name);
    } catch (err) {
      if (err instanceof FileProblem || err instanceof PlaceError) { renderImport(res, err.message, err instanceof FileProblem ? err.status : 400); return; }
      throw err;
    }
    ctx.dataChanged();
    res.redirect(303, `/partner/places/${encodeURIComponent(result.place.code)}?done=${result.created ? 'imported' : result.changed ? 'replaced' : 'unchanged'}`);
  });

  // ---------- one place ----------

  function renderPlace(req: Request, res: Response, place: Place, opts: { problem?: Problem; values?: Record<string, string>; status?: number } = {}) {
    const values = opts.values ?? {};
    const chosenRule = values.rule ?? 'direct';
    res.status(opts.status ?? 200).render('pages/partner/places/place.njk', {
      title: place.name, breadcrumbs: placesCrumbs, place, problem: opts.problem, errorSummaryTitle: Boolean(opts.problem),
      demoNotice: demoNoticeFor(place.code, ...place.bodies.map((b) => b.body_code)), updatedAt: place.updated_at.slice(0, 16),
      done: typeof req.query.done === 'string' ? req.query.done : null,
      details: { name: values.name ?? place.name, areas: values.areas ?? place.areas.join(', ') },
      attach: values.form === 'attach' ? values : {},
      population: values.form === 'population' ? values.population : (place.population_override ?? '').toString(),
      ruleItems: RULES.map((r) => ({ value: r, text: RULE_LABELS[r].text, hint: { text: RULE_LABELS[r].hint }, checked: r === chosenRule })),
      bodies: place.bodies.map((b) => ({
        ...b, ruleText: RULE_LABELS[b.rule]?.text ?? b.rule,
        driverText: b.driver ? `${b.driver.name}: ${b.driver.place_value} of ${b.driver.body_total}` : '',
      })),
    });
  }

  router.get('/:code', async (req, res) => renderPlace(req, res, await loadPlace(req)));

  /** Runs a change; a PlaceError is shown beside the form it came from, with what was typed. */
  async function change(req: Request, res: Response, form: FormName, href: string, fn: (place: Place) => Promise<unknown>, done: string) {
    const place = await loadPlace(req);
    try {
      await fn(place);
    } catch (err) {
      if (!(err instanceof PlaceError)) throw err;
      renderPlace(req, res, place, { problem: { form, text: err.message, href }, values: { ...(req.body ?? {}), form }, status: 400 });
      return;
    }
    ctx.dataChanged();
    res.redirect(303, `/partner/places/${encodeURIComponent(place.code)}?done=${done}`);
  }

  router.post('/:code/edit', (req, res) => change(req, res, 'details', '#name', (p) =>
    updatePlace(ctx.db, p.code, { name: String(req.body?.name ?? ''), areas: splitAreas(req.body?.areas) }, actorOf(req)), 'updated'));

  router.post('/:code/attach', (req, res) => change(req, res, 'attach', '#body', async (p) => {
    const text = String(req.body?.body ?? '').trim();
    if (!text) throw new PlaceError('Enter the code or name of the body to attach.');
    const { body, matches } = await lookupBody(ctx.db, text, 10);
    if (!body) {
      throw new PlaceError(matches.length
        ? `More than one body matches "${text}": ${matches.map((m) => `${m.name} (${m.code})`).join(', ')}. Enter its code.`
        : `No registered body matches "${text}". Enter its code, such as E07000120.`);
    }
    const rule = String(req.body?.rule ?? '') as Rule;
    const driverGiven = ['driver_name', 'driver_place', 'driver_total'].some((k) => String(req.body?.[k] ?? '').trim() !== '');
    const driver = rule === 'driver_share' || driverGiven
      ? { name: String(req.body?.driver_name ?? '').trim(), place_value: String(req.body?.driver_place ?? '').trim(), body_total: String(req.body?.driver_total ?? '').trim() }
      : null;
    if (driver && rule === 'driver_share' && !driver.name) throw new PlaceError('Enter what the driver counts, such as caseload or pupils.');
    await attachBody(ctx.db, p.code, { body: body.code, rule, driver, note: String(req.body?.note ?? '') }, actorOf(req));
  }, 'attached'));

  router.post('/:code/detach', (req, res) => change(req, res, 'attach', '#body', (p) =>
    detachBody(ctx.db, p.code, String(req.body?.body ?? ''), actorOf(req)), 'detached'));

  router.post('/:code/population', (req, res) => change(req, res, 'population', '#population', (p) => {
    const text = String(req.body?.population ?? '').replace(/[,\s]/g, '');
    if (text !== '' && !/^\d{1,12}$/.test(text)) throw new PlaceError('Enter the population as a whole number, such as 84,261, or leave it empty to use the ONS figures.');
    return setPlacePopulation(ctx.db, p.code, text === '' ? null : Number(text), actorOf(req));
  }, 'population'));

  router.get('/:code/export', async (req, res) => {
    const place = await loadPlace(req);
    res.set('Content-Type', 'application/json; charset=utf-8')
      .set('Content-Disposition', `attachment; filename="${place.code.toLowerCase()}.json"`)
      .send(JSON.stringify(definitionOf(place), null, 2) + '\n');
  });

  router.get('/:code/delete', async (req, res) => {
    const place = await loadPlace(req);
    res.render('pages/partner/places/delete.njk', { title: `Delete ${place.name}?`, place, breadcrumbs: placesCrumbs });
  });

  router.post('/:code/delete', async (req, res) => {
    const place = await loadPlace(req);
    await deletePlace(ctx.db, place.code, actorOf(req));
    ctx.dataChanged();
    res.redirect(303, `/partner/places?deleted=${encodeURIComponent(place.code)}`);
  });

  return router;
}
