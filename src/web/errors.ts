// Errors a route throws to get a particular response; server.ts turns them into pages or JSON.
export class NotFound extends Error {}
/** Bad input from a form or query: shown to the user as it stands, with status 400. */
export class BadRequest extends Error {}
/** The user's role does not allow the action: 403. */
export class Forbidden extends Error {}
