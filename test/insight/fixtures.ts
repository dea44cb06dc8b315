// A small invented ledger for the duplication tests: three real registered bodies (Hyndburn, the Lancashire
// PCC and fire service) paying some of the same suppliers under different spellings, an individual and a
// redacted payee (never to be matched or shown), a council (a public body), and a place made of the three.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database } from '../../src/db/database.ts';
import { ingestFiles } from '../../src/ingest/service.ts';
import { importPlace } from '../../src/place/places.ts';

export const H = 'E07000120', PCC = 'E23000003', FIRE = 'GB-FRA-LANCASHIRE';
export const PLACE = 'DUPTEST';

const FILES: Record<string, string[]> = {
  [H]: [
    'Date,Supplier,Amount,Expense Type',
    '01/05/2023,Zurich Insurance PLC,1000.00,Insurance',
    '02/06/2023,Zurich Insurance PLC,3000.00,Insurance',
    '03/05/2023,Acme Stationery Ltd,100.00,Stationery',
    '04/05/2023,Mr John Smith,500.00,Grants',
    '05/05/2023,Redacted Personal Information,250.00,Grants',
    '06/05/2023,Burnley Borough Council,700.00,Contributions',
    '07/05/2024,Thomson Reuters Professional UK Ltd,200.00,Subscriptions',
  ],
  [PCC]: [
    'Date,Supplier,Amount,Expense Type',
    '01/05/2023,ZURICH INSURANCE PLC,2000.00,Insurance',
    '02/05/2023,ACME STATIONERY LIMITED,300.00,Stationery',
    '03/05/2023,Mr John Smith,400.00,Grants',
    '04/05/2023,BURNLEY BOROUGH COUNCIL,1000.00,Contributions',
    '05/05/2023,Thomson Reuters (Prof) UK Ltd,400.00,Subscriptions',
    '06/05/2023,Beta Widgets Ltd,50.00,Stationery',
  ],
  [FIRE]: [
    'Date,Supplier,Amount,Expense Type',
    '01/05/2023,zurich insurance,500.00,Insurance',
    '02/05/2023,Gamma Supplies,80.00,Stationery',
    '03/05/2023,Pendle Borough Council,90.00,Contributions',
  ],
};

/** Loads the three files and defines the place (bodies attached direct). */
export async function loadFixture(db: Database): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tp-dup-'));
  for (const [body, lines] of Object.entries(FILES)) {
    const file = path.join(dir, `${body}.csv`);
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const r = await ingestFiles(db, [file], { bodyCode: body, actor: 'test' });
    if (r.rows_rejected) throw new Error(`fixture rows rejected: ${JSON.stringify(r.files[0]?.rejections)}`);
  }
  await importPlace(db, {
    format: 'totalplace-place', format_version: 1, code: PLACE, name: 'Duplication test place', version: 1,
    areas: ['E07000120'], population_override: null,
    bodies: [{ code: H, rule: 'direct' }, { code: PCC, rule: 'direct' }, { code: FIRE, rule: 'direct' }],
  }, 'test');
}

/** An import file for the register of returns and inspections. */
export const RETURNS_CSV = [
  '# invented test data',
  'Body,Kind,Name,Inspectorate or recipient,Theme,Start date,End date,Staff days',
  `${H},return,Gender pay gap report,Government Equalities Office,Workforce equality,2024-03-01,2024-03-31,4`,
  `${PCC},Return,Gender pay gap report,Government Equalities Office,Workforce Equality,01/03/2024,31/03/2024,6.5`,
  `Lancashire Fire and Rescue Service,inspection,Effectiveness inspection,HMICFRS,Service effectiveness,2023-10-02,,40`,
  `${PCC},inspection,PEEL inspection,HMICFRS,Service effectiveness,2024-01-15,2024-02-02,55`,
  `${H},inspection,Food hygiene service audit,Food Standards Agency,Food safety,2023-06-05,2023-06-06,3`,
].join('\n') + '\n';
