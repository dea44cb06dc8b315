// Real files from ../shared/data. A fresh clone may not have them: tests then skip with this message.
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../src/config.ts';

export const sharedDataDir = process.env.TOTALPLACE_SHARED_DATA ?? path.resolve(projectRoot, '..', 'shared', 'data');
export const hasSharedData = fs.existsSync(path.join(sharedDataDir, 'spending'));
export const noSharedData = hasSharedData ? false : `real data not found at ${sharedDataDir}: test skipped`;
export function sharedFile(...parts: string[]): string { return path.join(sharedDataDir, ...parts); }
