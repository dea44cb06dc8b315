// Static files: govuk-frontend's compiled CSS, JS and images, and our own. The GDS Transport typeface is
// licensed for GOV.UK only, so its @font-face rules are taken out of the stylesheet and text falls back
// to Arial, as the Design System advises for services off GOV.UK.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';
import { govukDist } from './render.ts';

export const publicDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'public');

export function withoutGdsTransport(css: string): string {
  return css.replace(/@font-face\{[^}]*\}/g, '').replace(/"?GDS Transport"?,\s*/g, '');
}

export function assetRoutes(): Router {
  const router = express.Router();
  const css = withoutGdsTransport(fs.readFileSync(path.join(govukDist, 'govuk', 'govuk-frontend.min.css'), 'utf8'));
  const etag = `"${createHash('sha1').update(css).digest('hex')}"`;
  const cache = { maxAge: '1d' };
  router.get('/stylesheets/govuk-frontend.css', (req, res) => {
    res.set('Cache-Control', 'public, max-age=86400').set('ETag', etag).type('text/css');
    if (req.headers['if-none-match'] === etag) { res.status(304).end(); return; }
    res.send(css);
  });
  router.use('/javascripts', express.static(path.join(govukDist, 'govuk'), { ...cache, index: false, extensions: [] }));
  router.use('/assets/images', express.static(path.join(govukDist, 'govuk', 'assets', 'images'), cache));
  router.use('/public', express.static(publicDir, cache));
  return router;
}
