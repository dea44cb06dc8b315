// Public pages: the start page, places and their count. No sign-in needed; payments to individuals are
// never shown here (every ledger query below uses the public view).
import express, { type Router } from 'express';
import type { WebContext } from '../context.ts';
import { listPlaces, findPlace, normalisePlaceCode } from '../../place/places.ts';
import { DEMO_NOTICE } from '../../demo/place.ts';
import { NotFound } from '../errors.ts';

/** Demonstration places and bodies are labelled as such on every page that shows them. */
export const isDemo = (code: string) => code.startsWith('DEMO-') || /^X\d{8}$/.test(code);
export const demoNoticeFor = (...codes: string[]) => (codes.some(isDemo) ? DEMO_NOTICE : undefined);

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
    if (!(await findPlace(ctx.db, code))) throw new NotFound(`There is no place with code ${code}.`);
    const year = typeof req.query.year === 'string' && /^\d{4}-\d{2}$/.test(req.query.year) ? req.query.year : undefined;
    const count = await ctx.counts.get(code, { year });
    res.render('pages/place.njk', {
      title: `${count.name}: the count${count.year ? `, ${count.year}` : ''}`, count,
      demoNotice: demoNoticeFor(code),
      breadcrumbs: [{ text: 'Home', href: '/' }, { text: 'Places', href: '/places' }],
    });
  });

  router.get('/accessibility', (_req, res) => res.render('pages/accessibility.njk', { title: 'Accessibility statement' }));

  return router;
}
