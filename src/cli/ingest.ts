import type { Register } from './main.ts';
export const registerIngestCommands: Register = () => {};
