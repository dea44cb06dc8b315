import type { Register } from './main.ts';
export const registerBodyCommands: Register = () => {};
