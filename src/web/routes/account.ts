// Signing in and out. Failed and successful sign-ins are in the audit trail; sign-in is rate limited.
import express, { type Router } from 'express';
import { authenticate, createSession, endSession } from '../../accounts/users.ts';
import { recordAudit } from '../../db/audit.ts';
import type { WebContext } from '../context.ts';
import { SESSION_COOKIE, signInLimiter } from '../security.ts';
import { SESSION_HOURS } from '../../accounts/users.ts';
import { safeReturnPath } from '../consent.ts';

export function accountRoutes(ctx: WebContext): Router {
  const router = express.Router();

  router.get('/sign-in', (req, res) => {
    res.render('pages/sign-in.njk', { title: 'Sign in', next: safeReturnPath(req.query.next, '/partner') });
  });

  router.post('/sign-in', signInLimiter(ctx), async (req, res) => {
    const email = String(req.body?.email ?? '').trim().slice(0, 254);
    const password = String(req.body?.password ?? '');
    const next = safeReturnPath(req.body?.next, '/partner');
    const user = email && password ? await authenticate(ctx.db, email, password) : null;
    if (!user) {
      await recordAudit(ctx.db, `web:${email.toLowerCase() || 'anonymous'}`, 'sign-in.failed', email.toLowerCase(), { ip: req.ip });
      res.status(401).render('pages/sign-in.njk', { title: 'Sign in', errorSummaryTitle: true, error: 'Enter a correct email address and password', email, next });
      return;
    }
    const token = await createSession(ctx.db, user.id);
    await recordAudit(ctx.db, `web:${user.email}`, 'sign-in', user.email, { ip: req.ip });
    res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: ctx.settings.cookieSecure, path: '/', maxAge: SESSION_HOURS * 3600 * 1000 });
    res.redirect(303, next);
  });

  router.post('/sign-out', async (req, res) => {
    const token = req.cookies?.[SESSION_COOKIE];
    if (token) { ctx.sessions.forget(String(token)); await endSession(ctx.db, String(token)); }
    if (req.user) await recordAudit(ctx.db, `web:${req.user.email}`, 'sign-out', req.user.email);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.redirect(303, '/');
  });

  return router;
}
