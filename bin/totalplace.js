#!/usr/bin/env node
// Runs the CLI: the compiled code in dist/ (scripts/build.mjs, run by npm install) while it is newer than
// every file under src/, else the TypeScript sources, which tsx compiles on load (so an edit counts at once).
// TOTALPLACE_FROM_SOURCE=1 always runs the sources.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('..', import.meta.url);

/** The newest modification time of any file under dir (ms). */
function newest(dir) {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = `${dir}/${e.name}`;
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

function compiledIsCurrent() {
  if (process.env.TOTALPLACE_FROM_SOURCE === '1') return false;
  try {
    return fs.statSync(new URL('dist/.built', root)).mtimeMs >= newest(fileURLToPath(new URL('src', root)));
  } catch {
    return false;
  }
}

let main;
if (compiledIsCurrent()) {
  ({ main } = await import('../dist/cli/main.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
await main(process.argv);
