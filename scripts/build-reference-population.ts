// Builds src/reference/data/population_mid2023.json from the ONS mid-2023 population estimates workbook
// (table MYE4: Code, Name, Geography, Mid-2023, ...). Run:
//   npx tsx scripts/build-reference-population.ts [path/to/ons_mye_mid2023_lad23.xlsx]
// Default source: ../shared/data/reference/population/ons_mye_mid2023_lad23.xlsx. Every row of MYE4 is kept
// (countries, regions, counties and every local authority district in England and Wales), with its geography.
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { projectRoot } from '../src/config.ts';

const source = process.argv[2] ?? path.resolve(projectRoot, '..', 'shared', 'data', 'reference', 'population', 'ons_mye_mid2023_lad23.xlsx');
const out = path.join(projectRoot, 'src', 'reference', 'data', 'population_mid2023.json');

const text = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object' && v && 'richText' in v) return (v as { richText: { text: string }[] }).richText.map((r) => r.text).join('');
  if (typeof v === 'object' && v && 'result' in v) return String((v as { result: unknown }).result);
  return String(v);
};

const wb = new ExcelJS.Workbook();
await wb.xlsx.readFile(source);
// Find the sheet whose header row has Code, Name, Geography and a "Mid-2023" column.
let found: { ws: ExcelJS.Worksheet; headerRow: number; cols: Record<string, number> } | undefined;
for (const ws of wb.worksheets) {
  for (let r = 1; r <= Math.min(ws.rowCount, 20) && !found; r++) {
    const values = (ws.getRow(r).values as unknown[]).map((v) => text(v).trim().toLowerCase());
    const at = (name: string) => values.indexOf(name);
    if (at('code') > 0 && at('name') > 0 && at('geography') > 0 && at('mid-2023') > 0) {
      found = { ws, headerRow: r, cols: { code: at('code'), name: at('name'), geography: at('geography'), pop: at('mid-2023') } };
    }
  }
  if (found) break;
}
if (!found) throw new Error(`${source}: no sheet with Code, Name, Geography and Mid-2023 columns`);

const rows: { code: string; name: string; geography: string; population: number }[] = [];
const { ws, headerRow, cols } = found;
for (let r = headerRow + 1; r <= ws.rowCount; r++) {
  const v = ws.getRow(r).values as unknown[];
  const code = text(v[cols.code]).trim();
  if (!code) continue;
  if (!/^[EKNSW]\d{8}$/.test(code)) throw new Error(`${ws.name} row ${r}: "${code}" is not a GSS code`);
  const population = Number(text(v[cols.pop]));
  if (!Number.isSafeInteger(population) || population < 0) throw new Error(`${ws.name} row ${r}: population "${text(v[cols.pop])}" is not a whole number`);
  rows.push({ code, name: text(v[cols.name]).trim(), geography: text(v[cols.geography]).trim(), population });
}
const codes = new Set(rows.map((r) => r.code));
if (codes.size !== rows.length) throw new Error('duplicate area codes in the source');

const doc = {
  source: 'ONS, Mid-Year Population Estimates, England and Wales, mid-2023 (published 15 July 2024), table MYE4; 2023 local authority boundaries',
  licence: 'Open Government Licence v3.0',
  year: 2023,
  sheet: ws.name,
  areas: rows,
};
fs.writeFileSync(out, JSON.stringify(doc, null, 0).replace(/\},\{/g, '},\n{') + '\n');
const byGeo = new Map<string, number>();
for (const r of rows) byGeo.set(r.geography, (byGeo.get(r.geography) ?? 0) + 1);
console.log(`wrote ${out}: ${rows.length} areas from sheet ${ws.name}`, Object.fromEntries(byGeo));
