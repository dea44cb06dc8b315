// The cookies page, the banner's form target, and first-party analytics (only with consent).
import { randomBytes } from 'node:crypto';
import express, { type Router } from 'express';
import type { WebContext } from '../context.ts';
import { ANALYTICS_COOKIE, consentChoice, cookieList, safeReturnPath, saveChoice } from '../consent.ts';

export function cookieRoutes(ctx: WebContext): Router {
  const router = express.Router();
  const rows = (list: { name: string; purpose: string; expires: string }[]) => list.map((c) => [{ text: c.name }, { text: c.purpose }, { text: c.expires }]);

  router.get('/cookies', (req, res) => {
    const list = cookieList(ctx.settings);
    res.render('pages/cookies.njk', {
      title: 'Cookies', saved: req.query.saved === '1', returnTo: safeReturnPath(req.query.returnTo ?? req.get('referer')?.replace(/^https?:\/\/[^/]+/, ''), '/'),
      necessaryRows: rows(list.necessary), analyticsRows: rows(list.analytics),
    });
  });

  router.post('/cookies', (req, res) => {
    const answer = req.body?.analytics;
    const returnTo = safeReturnPath(req.body?.returnTo, '/');
    if (answer !== 'yes' && answer !== 'no') {
      res.redirect(303, `/cookies?returnTo=${encodeURIComponent(returnTo)}`);
      return;
    }
    saveChoice(res, ctx.settings, answer === 'yes', () => randomBytes(16).toString('hex'));
    if (req.body?.from === 'banner') {
      // Back to the page the visitor was on, with the banner's confirmation message.
      const sep = returnTo.includes('?') ? '&' : '?';
      res.redirect(303, `${returnTo}${sep}cookies=${answer === 'yes' ? 'accepted' : 'rejected'}`);
    } else {
      res.redirect(303, `/cookies?saved=1&returnTo=${encodeURIComponent(returnTo)}`);
    }
  });

  router.post('/analytics/collect', async (req, res) => {
    const visitor = req.cookies?.[ANALYTICS_COOKIE];
    if (!ctx.settings.analytics || consentChoice(req) !== 'accepted' || typeof visitor !== 'string' || !/^[0-9a-f]{32}$/.test(visitor)) {
      res.status(204).end();
      return;
    }
    const path = safeReturnPath(req.body?.path, '/').slice(0, 500);
    await ctx.db.query('INSERT INTO page_view (visitor, path) VALUES ($1, $2)', [visitor, path]);
    res.status(204).end();
  });

  return router;
}
