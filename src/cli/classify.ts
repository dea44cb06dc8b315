import type { Register } from './main.ts';
export const registerClassifyCommands: Register = () => {};
