import type { Register } from './main.ts';
export const registerDemoCommands: Register = () => {};
