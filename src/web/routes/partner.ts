// The partners' area (signed in): the start page, and the routes for uploads, classification rules,
// places, accounts and the audit trail, each in a file of its own and each checking the role it needs.
import express, { type Router } from 'express';
import type { WebContext } from '../context.ts';
import { requireUser } from '../auth.ts';
import { can } from '../../accounts/permissions.ts';
import { uploadRoutes } from './uploads.ts';
import { rulesRoutes } from './rules.ts';
import { placesAdminRoutes } from './places-admin.ts';
import { auditRoutes, ownAccountRoutes, usersAdminRoutes } from './users-admin.ts';

export function partnerRoutes(ctx: WebContext): Router {
  const router = express.Router();
  router.use('/partner', requireUser);

  router.get('/partner', (req, res) => {
    const u = req.user!;
    res.render('pages/partner/index.njk', {
      title: 'Partners',
      may: {
        upload: can(u, 'upload', u.body_code),
        rules: can(u, 'edit-rules'), places: can(u, 'edit-places'), users: can(u, 'manage-users'), audit: can(u, 'view-audit'),
      },
      breadcrumbs: [{ text: 'Home', href: '/' }],
    });
  });

  router.use('/partner/uploads', uploadRoutes(ctx));
  router.use('/partner/rules', rulesRoutes(ctx));
  router.use('/partner/places', placesAdminRoutes(ctx));
  router.use('/partner/users', usersAdminRoutes(ctx));
  router.use('/partner/audit', auditRoutes(ctx));
  router.use('/partner/account', ownAccountRoutes(ctx));

  return router;
}
