// Accounts (/partner/users) and the audit trail (/partner/audit), for place administrators; and
// /partner/account, where anyone signed in changes their own password.
import express, { type Request, type Response, type Router } from 'express';
import type { WebContext } from '../context.ts';
import { actorOf, assertCan } from '../auth.ts';
import { NotFound } from '../errors.ts';
import { SESSION_COOKIE, signInLimiter } from '../security.ts';
import { AccountError, authenticate, createUser, findUser, listUsers, updateUser, type User } from '../../accounts/users.ts';
import { passwordProblem } from '../../accounts/passwords.ts';
import { ROLE_LABELS, ROLES, type Role } from '../../accounts/permissions.ts';
import { listAudit } from '../../db/audit.ts';

const crumbs = [{ text: 'Home', href: '/' }, { text: 'Partners', href: '/partner' }];
const usersCrumbs = [...crumbs, { text: 'Accounts', href: '/partner/users' }];
const AUDIT_PAGE = 50;

const ROLE_HINTS: Record<Role, string> = {
  viewer: 'Reads everything public, and their own body\'s payments to individuals.',
  editor: 'Uploads files and sets column mappings for their own body.',
  admin: 'Every body, the classification rules, places, accounts and the audit trail.',
};

const roleItems = (chosen: string | undefined) => ROLES.map((r) => ({ value: r, text: ROLE_LABELS[r], hint: { text: ROLE_HINTS[r] }, checked: r === chosen }));

/** Which field an account error is about, for the error summary's link. */
function fieldOf(message: string): string {
  if (/email/i.test(message)) return '#email';
  if (/name/i.test(message) && !/code/i.test(message)) return '#name';
  if (/password/i.test(message)) return '#password';
  if (/role/i.test(message)) return '#role';
  return '#body';
}

export function usersAdminRoutes(ctx: WebContext): Router {
  const router = express.Router();
  router.use((req, _res, next) => { assertCan(req, 'manage-users'); next(); });

  async function loadUser(req: Request): Promise<User> {
    const raw = String(req.params.id);
    const user = /^\d{1,15}$/.test(raw) ? await findUser(ctx.db, Number(raw)) : null;
    if (!user) throw new NotFound(`There is no account ${raw}.`);
    return user;
  }

  router.get('/', async (req, res) => {
    const users = await listUsers(ctx.db);
    res.render('pages/partner/users/index.njk', {
      title: 'Accounts', breadcrumbs: crumbs, users: users.map((u) => ({ ...u, roleLabel: ROLE_LABELS[u.role] })),
      added: typeof req.query.added === 'string' ? req.query.added : null,
    });
  });

  const renderNew = (res: Response, values: Record<string, string>, error?: { text: string; href: string }, status = 200) =>
    res.status(status).render('pages/partner/users/new.njk', {
      title: 'Add an account', breadcrumbs: usersCrumbs, values, error, errorSummaryTitle: Boolean(error), roles: roleItems(values.role),
    });

  router.get('/new', (_req, res) => renderNew(res, {}));

  router.post('/new', async (req, res) => {
    const values = {
      email: String(req.body?.email ?? '').trim(), name: String(req.body?.name ?? '').trim(), role: String(req.body?.role ?? ''),
      body: String(req.body?.body ?? '').trim(),
    };
    try {
      const user = await createUser(ctx.db, { email: values.email, name: values.name, role: values.role as Role, body_code: values.body || null, password: String(req.body?.password ?? '') }, actorOf(req));
      res.redirect(303, `/partner/users?added=${encodeURIComponent(user.email)}`);
    } catch (err) {
      if (!(err instanceof AccountError)) throw err;
      renderNew(res, values, { text: err.message, href: fieldOf(err.message) }, 400);
    }
  });

  function renderUser(req: Request, res: Response, user: User, opts: { error?: { text: string; href: string }; values?: Record<string, string>; status?: number } = {}) {
    const self = user.id === req.user!.id;
    res.status(opts.status ?? 200).render('pages/partner/users/user.njk', {
      title: user.name, breadcrumbs: usersCrumbs, account: { ...user, roleLabel: ROLE_LABELS[user.role] }, self,
      error: opts.error, errorSummaryTitle: Boolean(opts.error), roles: roleItems(opts.values?.role ?? user.role),
      bodyValue: opts.values?.body ?? user.body_code ?? '',
      done: typeof req.query.done === 'string' ? req.query.done : null,
    });
  }

  router.get('/:id', async (req, res) => renderUser(req, res, await loadUser(req)));

  /** Applies a change to an account; an AccountError is shown on the account's page. */
  async function change(req: Request, res: Response, fn: (user: User) => Promise<unknown>, done: string) {
    const user = await loadUser(req);
    try {
      await fn(user);
    } catch (err) {
      if (!(err instanceof AccountError)) throw err;
      renderUser(req, res, user, { error: { text: err.message, href: fieldOf(err.message) }, values: req.body ?? {}, status: 400 });
      return;
    }
    res.redirect(303, `/partner/users/${user.id}?done=${done}`);
  }

  // An administrator cannot lock themselves out: another administrator must change their own role or status.
  const notSelf = (req: Request, user: User, what: string) => {
    if (user.id === req.user!.id) throw new AccountError(`You cannot ${what} your own account. Ask another place administrator.`);
  };

  router.post('/:id/role', (req, res) => change(req, res, async (user) => {
    const role = String(req.body?.role ?? '') as Role;
    if (role !== user.role) notSelf(req, user, 'change the role of');
    await updateUser(ctx.db, user.id, { role, body_code: String(req.body?.body ?? '').trim() || null }, actorOf(req));
    ctx.accountsChanged();
  }, 'role'));

  router.post('/:id/status', (req, res) => change(req, res, async (user) => {
    const disabled = req.body?.disabled === 'yes';
    if (disabled) notSelf(req, user, 'disable');
    await updateUser(ctx.db, user.id, { disabled }, actorOf(req));
    ctx.accountsChanged();
  }, req.body?.disabled === 'yes' ? 'disabled' : 'enabled'));

  router.post('/:id/password', (req, res) => change(req, res, async (user) => {
    await updateUser(ctx.db, user.id, { password: String(req.body?.password ?? '') }, actorOf(req));
    ctx.accountsChanged();
  }, 'password'));

  return router;
}

export function auditRoutes(ctx: WebContext): Router {
  const router = express.Router();
  router.use((req, _res, next) => { assertCan(req, 'view-audit'); next(); });

  router.get('/', async (req, res) => {
    const actor = typeof req.query.actor === 'string' ? req.query.actor.trim().slice(0, 300) : '';
    const action = typeof req.query.action === 'string' ? req.query.action.trim().slice(0, 100) : '';
    const page = Math.max(1, Math.min(100_000, Number(req.query.page) || 1));
    const rows = await listAudit(ctx.db, { actor: actor || undefined, action: action || undefined, limit: AUDIT_PAGE + 1, offset: (page - 1) * AUDIT_PAGE });
    const href = (p: number) => `/partner/audit?${new URLSearchParams({ ...(actor ? { actor } : {}), ...(action ? { action } : {}), page: String(p) })}`;
    const more = rows.length > AUDIT_PAGE;
    res.render('pages/partner/audit.njk', {
      title: 'Audit trail', breadcrumbs: crumbs, actor, action, page,
      events: rows.slice(0, AUDIT_PAGE).map((e) => {
        const detail = JSON.stringify(e.detail ?? {});
        return { ...e, detail: detail === '{}' ? '' : detail.length > 400 ? detail.slice(0, 399) + '…' : detail };
      }),
      pagination: page > 1 || more ? { previous: page > 1 ? { href: href(page - 1) } : undefined, next: more ? { href: href(page + 1) } : undefined } : null,
    });
  });

  return router;
}

export function ownAccountRoutes(ctx: WebContext): Router {
  const router = express.Router();
  const limiter = signInLimiter(ctx);

  const render = (res: Response, error?: { text: string; href: string }, status = 200) =>
    res.status(status).render('pages/partner/account.njk', { title: 'Your account', breadcrumbs: crumbs, error, errorSummaryTitle: Boolean(error), changed: false });

  router.get('/', (_req, res) => render(res));

  // Rate limited like sign-in: the current password must not be guessable through this form.
  router.post('/', limiter, async (req, res) => {
    const user = req.user!;
    const current = String(req.body?.current ?? '');
    const next = String(req.body?.password ?? '');
    const confirm = String(req.body?.confirm ?? '');
    if (!current || !(await authenticate(ctx.db, user.email, current))) { render(res, { text: 'Your current password is not correct', href: '#current' }, 400); return; }
    const problem = passwordProblem(next);
    if (problem) { render(res, { text: problem, href: '#password' }, 400); return; }
    if (next !== confirm) { render(res, { text: 'The new passwords do not match', href: '#confirm' }, 400); return; }
    // Changing the password ends every session of the account, this one included.
    await updateUser(ctx.db, user.id, { password: next }, actorOf(req));
    ctx.accountsChanged();
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    Object.assign(res.locals, { user: null, roleLabel: null });
    res.render('pages/partner/account.njk', { title: 'Your password has been changed', changed: true });
  });

  return router;
}
