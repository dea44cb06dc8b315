#!/usr/bin/env node
// Runs the TypeScript CLI directly (no build step): tsx compiles on load.
import { register } from 'node:module';
register('tsx/esm', import.meta.url);
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
