// The JSON API: everything the pages show, described by the OpenAPI document at /api/openapi.json.
import express, { type Router } from 'express';
import type { WebContext } from '../context.ts';
import { listPlaces, findPlace, normalisePlaceCode } from '../../place/places.ts';
import { NotFound } from '../errors.ts';

export function apiRoutes(ctx: WebContext): Router {
  const router = express.Router();

  router.get('/places', async (_req, res) => {
    res.json({ places: await listPlaces(ctx.db) });
  });

  router.get('/places/:code/count', async (req, res) => {
    const code = normalisePlaceCode(req.params.code);
    if (!(await findPlace(ctx.db, code))) throw new NotFound(`There is no place with code ${code}.`);
    const year = typeof req.query.year === 'string' ? req.query.year : undefined;
    res.json(await ctx.counts.get(code, { year }));
  });

  return router;
}
