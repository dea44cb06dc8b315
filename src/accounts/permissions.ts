// Who may do what. Pure: the web layer asks `can(user, action, body)` before every protected action, and
// test/web/roles.test.ts walks the whole matrix through HTTP.
export const ROLES = ['viewer', 'editor', 'admin'] as const;
export type Role = typeof ROLES[number];

export type Action =
  | 'view-own-body-individuals'  // a body's payments to individuals (names), which the public never sees
  | 'upload'                     // load a spend file for a body
  | 'edit-mapping'               // change a body's saved column mapping
  | 'edit-rules'                 // classification rules (they apply to every body)
  | 'edit-places'                // define and edit places
  | 'manage-users'
  | 'view-audit';

export interface Actor { role: Role; body_code: string | null }

const BODY_SCOPED: ReadonlySet<Action> = new Set(['view-own-body-individuals', 'upload', 'edit-mapping']);

/** Whether `actor` may do `action` (on `bodyCode` for body-scoped actions). No actor: the public, who may do none of these. */
export function can(actor: Actor | null | undefined, action: Action, bodyCode?: string | null): boolean {
  if (!actor) return false;
  if (actor.role === 'admin') return true;
  if (!BODY_SCOPED.has(action)) return false;
  if (!bodyCode || bodyCode !== actor.body_code) return false;
  if (action === 'view-own-body-individuals') return true;
  return actor.role === 'editor';
}

export const ROLE_LABELS: Record<Role, string> = {
  viewer: 'Viewer',
  editor: 'Partner editor',
  admin: 'Place administrator',
};
