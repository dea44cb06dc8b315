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

/**
 * Signed-in users, remembered for a short while. With the embedded database every query waits while an
 * upload is being loaded (one connection, one transaction per file), and a partner watching the progress
 * page must still be recognised. A remembered session older than `freshMs` is used as it stands while it
 * is checked again in the background; a session seen for the first time is always checked. Signing out,
 * and any change to an account made through this server, forget sessions at once.
 */
export class SessionCache {
  private entries = new Map<string, { user: User; checkedAt: number; checking: boolean }>();
  constructor(private readonly db: WebContext['db'], private readonly freshMs = 30_000, private readonly max = 10_000) {}

  async user(token: string): Promise<User | null> {
    const hit = this.entries.get(token);
    if (!hit) {
      const user = await sessionUser(this.db, token);
      if (user) {
        if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
        this.entries.set(token, { user, checkedAt: Date.now(), checking: false });
      }
      return user;
    }
    if (Date.now() - hit.checkedAt > this.freshMs && !hit.checking) {
      hit.checking = true;
      sessionUser(this.db, token).then((user) => {
        if (user) Object.assign(hit, { user, checkedAt: Date.now(), checking: false });
        else this.entries.delete(token);
      }, () => { hit.checking = false; });
    }
    return hit.user;
  }

  forget(token: string): void { this.entries.delete(token); }
  /** After any change to accounts: every session is checked against the database again. */
  clear(): void { this.entries.clear(); }
}

export function loadUser(ctx: WebContext): RequestHandler {
  return async (req, _res, next) => {
    const token = req.cookies?.[SESSION_COOKIE];
    req.user = token ? await ctx.sessions.user(String(token)) : null;
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
