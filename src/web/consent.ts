// Cookie consent on the GOV.UK pattern. Necessary cookies only until the visitor chooses; analytics
// cookies and the analytics script only after "Accept". The choice is kept for a year in
// tp_cookies_policy; the banner and the cookies page work without JavaScript (plain form posts).
import type { Request, Response } from 'express';
import type { Settings } from '../config.ts';
import { CSRF_COOKIE, SESSION_COOKIE } from './security.ts';

export const POLICY_COOKIE = 'tp_cookies_policy';
export const ANALYTICS_COOKIE = 'tp_analytics';
export const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

export type Choice = 'accepted' | 'rejected' | null;

/** Every cookie the site can set, for the cookies page (kept here so the page and the code agree). */
export function cookieList(settings: Settings) {
  const necessary = [
    { name: POLICY_COOKIE, purpose: 'Remembers whether you accepted or rejected analytics cookies', expires: '1 year' },
    { name: CSRF_COOKIE, purpose: 'Protects forms on this site from being submitted by other sites', expires: 'When you close your browser' },
    { name: SESSION_COOKIE, purpose: 'Keeps you signed in (partners only)', expires: 'When you sign out, or after 8 hours' },
  ];
  const analytics = settings.analytics
    ? [{ name: ANALYTICS_COOKIE, purpose: 'A random number that lets us count how many people visit and which pages they use. It is never combined with other data.', expires: '1 year' }]
    : [];
  return { necessary, analytics };
}

export function consentChoice(req: Request): Choice {
  const raw = req.cookies?.[POLICY_COOKIE];
  if (!raw) return null;
  try {
    const v = JSON.parse(String(raw)) as { analytics?: unknown };
    return v.analytics === true ? 'accepted' : v.analytics === false ? 'rejected' : null;
  } catch { return null; }
}

export function saveChoice(res: Response, settings: Settings, analytics: boolean, visitorId: () => string): void {
  const base = { path: '/', sameSite: 'lax' as const, secure: settings.cookieSecure, maxAge: YEAR_MS };
  res.cookie(POLICY_COOKIE, JSON.stringify({ analytics }), { ...base, httpOnly: false, encode: encodeURIComponent });
  if (analytics && settings.analytics) res.cookie(ANALYTICS_COOKIE, visitorId(), { ...base, httpOnly: true });
  else res.clearCookie(ANALYTICS_COOKIE, { path: '/' });
}

/** A same-site path to return to after a form post (never another site). */
export function safeReturnPath(value: unknown, fallback = '/'): string {
  const s = typeof value === 'string' ? value : '';
  if (!s.startsWith('/') || s.startsWith('//') || s.startsWith('/\\') || s.length > 2000) return fallback;
  return s;
}
