#!/usr/bin/env node
// Runs the TypeScript CLI directly (no build step): tsx compiles the sources on load.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
