// The partners' area (signed in): the start page for uploads, mappings, rules, places and accounts.
import express, { type Router } from 'express';
import type { WebContext } from '../context.ts';
import { requireUser } from '../auth.ts';
import { can } from '../../accounts/permissions.ts';

export function partnerRoutes(_ctx: WebContext): Router {
  const router = express.Router();
  router.use('/partner', requireUser);

  router.get('/partner', (req, res) => {
    const u = req.user!;
    res.render('pages/partner/index.njk', {
      title: 'Partners',
      may: {
        upload: can(u, 'upload', u.body_code) || u.role === 'admin',
        rules: can(u, 'edit-rules'), places: can(u, 'edit-places'), users: can(u, 'manage-users'), audit: can(u, 'view-audit'),
      },
      breadcrumbs: [{ text: 'Home', href: '/' }],
    });
  });

  return router;
}
