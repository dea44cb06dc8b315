// Nunjucks, set up once: our views first, then govuk-frontend's macros ("govuk/components/.../macro.njk").
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { formatPence } from '../ledger/summary.ts';

const require = createRequire(import.meta.url);
export const viewsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'views');
export const govukDist = path.join(path.dirname(require.resolve('govuk-frontend/package.json')), 'dist');

/** £1.2m / £350k / £950: for headings and chart labels; tables always show the exact figure. */
export function shortPounds(pence: number): string {
  const pounds = pence / 100;
  const abs = Math.abs(pounds);
  const sign = pounds < 0 ? '-' : '';
  if (abs >= 1e9) return `${sign}£${(abs / 1e9).toFixed(abs >= 1e10 ? 1 : 2)}bn`;
  if (abs >= 1e6) return `${sign}£${(abs / 1e6).toFixed(abs >= 1e8 ? 0 : 1)}m`;
  if (abs >= 1e3) return `${sign}£${(abs / 1e3).toFixed(0)}k`;
  return `${sign}£${abs.toFixed(0)}`;
}

export function percent(share: number | null | undefined, digits = 1): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '–';
  return `${(share * 100).toFixed(digits)}%`;
}

export function createViews(opts: { noCache?: boolean } = {}): nunjucks.Environment {
  const env = new nunjucks.Environment(
    new nunjucks.FileSystemLoader([viewsDir, govukDist], { noCache: opts.noCache ?? false }),
    { autoescape: true, throwOnUndefined: false, trimBlocks: true, lstripBlocks: true },
  );
  env.addFilter('pence', (p: number) => (typeof p === 'number' ? formatPence(p) : ''));
  env.addFilter('shortPounds', (p: number) => (typeof p === 'number' ? shortPounds(p) : ''));
  env.addFilter('percent', (s: number | null, d?: number) => percent(s, d));
  env.addFilter('number', (n: number) => (typeof n === 'number' ? n.toLocaleString('en-GB') : ''));
  env.addFilter('urlencode', (s: string) => encodeURIComponent(String(s ?? '')));
  return env;
}
