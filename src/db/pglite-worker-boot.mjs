// Entry of the database thread when running from TypeScript sources: loader hooks are per thread, so
// tsx is registered here before the worker module is loaded (as src/ingest/parse-worker-boot.mjs does).
import { register } from 'tsx/esm/api';
register();
await import('./pglite-worker.ts');
