// Entry of the ingest worker thread when running from TypeScript sources: loader hooks are per thread,
// so tsx is registered here (as bin/totalplace.js does for the main thread) before the worker is loaded.
import { register } from 'tsx/esm/api';
register();
await import('./parse-worker.ts');
