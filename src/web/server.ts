// The web application: one Express app, routes per capability (src/web/routes/*), server-rendered
// views (src/web/views) on govuk-frontend, and a JSON API described by OpenAPI (/api).
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import express, { type ErrorRequestHandler, type Express } from 'express';
import cookieParser from 'cookie-parser';
import type { Database } from '../db/database.ts';
import type { Settings } from '../config.ts';
import { makeContext, type WebContext } from './context.ts';
import { createViews } from './render.ts';
import { assetRoutes } from './assets.ts';
import { cachePublicPages } from './page-cache.ts';
import { csrf, securityHeaders } from './security.ts';
import { loadUser } from './auth.ts';
import { BadRequest, Forbidden, NotFound } from './errors.ts';
import { consentChoice } from './consent.ts';
import { ROLE_LABELS } from '../accounts/permissions.ts';
import { accountRoutes } from './routes/account.ts';
import { cookieRoutes } from './routes/cookies.ts';
import { publicRoutes } from './routes/public.ts';
import { partnerRoutes } from './routes/partner.ts';
import { apiRoutes } from './routes/api.ts';
import { jobsOf } from './uploads/jobs.ts';
import { insightApiRoutes, insightRoutes } from './routes/insight.ts';

/** The CSRF signing key: from settings, else generated once and kept in the database. */
export async function serverSecret(db: Database, settings: Settings): Promise<string> {
  if (settings.secret) return settings.secret;
  await db.query(`INSERT INTO app_secret (name, value) VALUES ('csrf', $1) ON CONFLICT (name) DO NOTHING`, [randomBytes(32).toString('base64url')]);
  const [row] = await db.query<{ value: string }>(`SELECT value FROM app_secret WHERE name = 'csrf'`);
  return row.value;
}

export function createApp(ctx: WebContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  const views = createViews();
  views.express(app);
  app.set('view engine', 'njk');

  app.use(securityHeaders());
  app.use(assetRoutes());
  // Health: never touches the database, so it answers while a long query or load runs.
  app.get('/health', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok', uptime_s: Math.round(process.uptime()), rss_mb: Math.round(process.memoryUsage().rss / 1048576) });
  });

  app.use(cookieParser());
  app.use(express.urlencoded({ extended: false, limit: '1mb', parameterLimit: 2000 }));
  app.use(express.json({ limit: '1mb' }));
  app.use(loadUser(ctx));

  const { generateCsrfToken, doubleCsrfProtection } = csrf(ctx);
  app.use((req, res, next) => {
    let token: string | undefined;
    const choice = consentChoice(req);
    const confirm = typeof req.query.cookies === 'string' && ['accepted', 'rejected'].includes(req.query.cookies) ? req.query.cookies : null;
    Object.assign(res.locals, {
      user: req.user,
      roleLabel: req.user ? ROLE_LABELS[req.user.role] : null,
      currentPath: req.path,
      returnPath: req.originalUrl.replace(/([?&])cookies=(accepted|rejected)&?/, '$1').replace(/[?&]$/, ''),
      analyticsEnabled: ctx.settings.analytics,
      cookieChoice: choice,
      showCookieBanner: ctx.settings.analytics && choice === null && req.path !== '/cookies',
      cookieConfirmation: ctx.settings.analytics ? confirm : null,
      loadAnalytics: ctx.settings.analytics && choice === 'accepted',
      // Called by templates that render a form; sets the CSRF cookie only then. Once per request: a page
      // with several forms must not set a new cookie per form (only the last form's token would match it).
      csrfToken: () => (token ??= generateCsrfToken(req, res)),
    });
    next();
  });
  app.use(doubleCsrfProtection);
  app.use(cachePublicPages(ctx.pages));

  app.use(accountRoutes(ctx));
  app.use(cookieRoutes(ctx));
  app.use('/api', insightApiRoutes(ctx));
  app.use('/api', apiRoutes(ctx));
  app.use(partnerRoutes(ctx));
  app.use(insightRoutes(ctx));
  app.use(publicRoutes(ctx));

  app.use((req, res) => {
    if (req.path.startsWith('/api/')) { res.status(404).json({ error: `Nothing at ${req.path}.` }); return; }
    res.status(404).render('pages/error.njk', { title: 'Page not found', message: 'If you typed the web address, check it is correct.' });
  });
  const onError: ErrorRequestHandler = (err, req, res, _next) => {
    const e = err as Error & { code?: string; status?: number; type?: string };
    let status = 500;
    let title = 'Sorry, there is a problem with the service';
    let message = 'Try again later.';
    if (e.code === 'EBADCSRFTOKEN' || e.message === 'invalid csrf token') {
      status = 403; title = 'This form has expired'; message = 'Go back, reload the page and try again. (The form\'s security token was missing or out of date.)';
    } else if (e instanceof Forbidden) {
      status = 403; title = 'You cannot do this'; message = e.message;
    } else if (e instanceof NotFound) {
      status = 404; title = 'Page not found'; message = e.message;
    } else if (e instanceof BadRequest || e.type === 'entity.too.large' || e.type === 'entity.parse.failed') {
      status = e.status && e.status >= 400 && e.status < 500 ? e.status : 400; title = 'There is a problem'; message = e.message;
    } else {
      process.stderr.write(`web: ${req.method} ${req.originalUrl}: ${e.stack ?? e}\n`);
    }
    if (res.headersSent) { res.end(); return; }
    if (req.path.startsWith('/api/')) { res.status(status).json({ error: status === 500 ? title : message }); return; }
    res.status(status).render('pages/error.njk', { title, message });
  };
  app.use(onError);
  return app;
}

export interface RunningServer { ctx: WebContext; server: http.Server; url: string; close(): Promise<void> }

/** Starts the app on settings.host:settings.port (port 0: any free port). */
export async function startServer(db: Database, settings: Settings): Promise<RunningServer> {
  const ctx = makeContext(db, settings, await serverSecret(db, settings));
  const app = createApp(ctx);
  const server = http.createServer(app);
  // Long uploads must not be cut off; idle keep-alive connections are.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(settings.port, settings.host, resolve); });
  const addr = server.address() as { port: number };
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  return {
    ctx, server, url: `http://${host === '127.0.0.1' ? 'localhost' : host}:${addr.port}`,
    // Background jobs (loads, rule runs, supplier matching) finish before the caller closes the database.
    close: async () => {
      await new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
      await jobsOf(ctx).idle();
    },
  };
}
