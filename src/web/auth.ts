// Who is asking: the session cookie -> the signed-in user (or none), and guards that refuse what the
// user's role does not allow (permissions in src/accounts/permissions.ts).
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { can, type Action } from '../accounts/permissions.ts';
import { sessionUser, type User } from '../accounts/users.ts';
import type { WebContext } from './context.ts';
import { SESSION_COOKIE } from './security.ts';
import { Forbidden } from './errors.ts';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request { user?: User | null }
  }
}

export function loadUser(ctx: WebContext): RequestHandler {
  return async (req, _res, next) => {
    const token = req.cookies?.[SESSION_COOKIE];
    req.user = token ? await sessionUser(ctx.db, String(token)) : null;
    next();
  };
}

/** The actor recorded in the audit trail for web actions. */
export const actorOf = (req: Request) => (req.user ? `web:${req.user.email}` : 'web:anonymous');


export function requireUser(req: Request, res: Response, next: NextFunction): void {
  if (req.user) return next();
  if (req.path.startsWith('/api/') || req.baseUrl.startsWith('/api')) {
    res.status(401).json({ error: 'Sign in first.' });
    return;
  }
  res.redirect(303, `/sign-in?next=${encodeURIComponent(req.originalUrl)}`);
}

/** Throws Forbidden (rendered as 403) unless the user may do `action` on `bodyCode`. */
export function assertCan(req: Request, action: Action, bodyCode?: string | null): void {
  if (!can(req.user, action, bodyCode)) throw new Forbidden(`Your account does not allow this (${action}${bodyCode ? ` for ${bodyCode}` : ''}).`);
}

export function requirePermission(action: Action): RequestHandler {
  return (req, _res, next) => { assertCan(req, action); next(); };
}
