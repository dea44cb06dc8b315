// Security middleware: strict headers (CSP with no inline script or style), CSRF tokens on every form
// (signed double-submit cookie bound to the session), and rate limits on sign-in and uploads.
import type { Request, RequestHandler } from 'express';
import helmet from 'helmet';
import { doubleCsrf } from 'csrf-csrf';
import { rateLimit } from 'express-rate-limit';
import type { WebContext } from './context.ts';

export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'same-origin' },
    strictTransportSecurity: { maxAge: 31536000, includeSubDomains: true },
  });
}

export const SESSION_COOKIE = 'tp_session';
export const CSRF_COOKIE = 'tp_csrf';

export function csrf(ctx: WebContext) {
  const { generateCsrfToken, doubleCsrfProtection, invalidCsrfTokenError } = doubleCsrf({
    getSecret: () => ctx.secret,
    // Bound to the session when signed in, so a token cannot outlive sign-out or be used in another session.
    getSessionIdentifier: (req: Request) => String(req.cookies?.[SESSION_COOKIE] ?? 'anonymous'),
    cookieName: CSRF_COOKIE,
    cookieOptions: { sameSite: 'lax', path: '/', secure: ctx.settings.cookieSecure, httpOnly: true },
    // Forms post the token as a field; multipart forms (uploads) carry it in the query string because the
    // body is streamed to disk after this check; scripts may send the header.
    getCsrfTokenFromRequest: (req: Request) => (req.body?._csrf as string | undefined)
      ?? (typeof req.query?._csrf === 'string' ? req.query._csrf : undefined)
      ?? (req.headers['x-csrf-token'] as string | undefined),
  });
  return { generateCsrfToken, doubleCsrfProtection, invalidCsrfTokenError };
}

const limitMessage = (what: string) => `Too many ${what}. Wait a few minutes and try again.`;

export function signInLimiter(ctx: WebContext): RequestHandler {
  return rateLimit({
    windowMs: 15 * 60 * 1000, limit: ctx.settings.signInLimit, standardHeaders: 'draft-8', legacyHeaders: false,
    skipSuccessfulRequests: true,
    handler: (_req, res) => res.status(429).render('pages/error.njk', { title: 'Too many attempts', message: limitMessage('sign-in attempts') }),
  });
}

export function uploadLimiter(ctx: WebContext): RequestHandler {
  return rateLimit({
    windowMs: 60 * 60 * 1000, limit: ctx.settings.uploadLimit, standardHeaders: 'draft-8', legacyHeaders: false,
    keyGenerator: (req) => `user:${req.user?.id ?? 'anon'}`,
    handler: (_req, res) => res.status(429).render('pages/error.njk', { title: 'Too many uploads', message: limitMessage('uploads in the last hour') }),
  });
}
