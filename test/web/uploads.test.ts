// The upload wizard over HTTP: a real file from ../shared/data goes through every step and lands in the
// ledger exactly as a direct ingest of the same file does; bad files and other bodies are refused.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { engines, closeTestDatabase } from '../helpers/databases.ts';
import { startTestServer, addUser, Visitor, type Reply } from '../helpers/web.ts';
import { noSharedData, sharedFile } from '../helpers/shared-data.ts';
import type { Database } from '../../src/db/database.ts';
import type { RunningServer } from '../../src/web/server.ts';
import { ingestFiles } from '../../src/ingest/service.ts';
import { getSavedMapping } from '../../src/ingest/saved-mapping.ts';
import { formatPence } from '../../src/ledger/summary.ts';
import { listAudit } from '../../src/db/audit.ts';

const A = 'E07000120';          // Hyndburn Borough Council
const B = 'E07000117';          // Burnley Borough Council
const HYNDBURN_APRIL = ['spending', 'lancashire', 'hyndburn', 'hyndburn_2023-04.csv'];

/** The form's action on a page (the first form whose action matches). */
function formAction(page: Reply, match: RegExp): string {
  const m = [...page.text.matchAll(/<form[^>]*action="([^"]+)"/g)].map((x) => x[1]!.replace(/&amp;/g, '&')).find((a) => match.test(a));
  assert.ok(m, `a form posting to ${match} on the page`);
  return m!;
}

/** The selected value of every <select> on the page, by name (what a browser would post unchanged). */
function selects(page: Reply): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of page.text.matchAll(/<select[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const selected = /<option value="([^"]*)"[^>]*selected/.exec(m[2]!);
    out[m[1]!] = selected ? selected[1]! : /<option value="([^"]*)"/.exec(m[2]!)![1]!;
  }
  return out;
}

const uploadCount = async (db: Database) => Number((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM upload'))[0]!.n);

for (const engine of engines) {
  describe(`web upload wizard (${engine.name})`, { skip: engine.skip }, () => {
    let db: Database;
    let web: RunningServer;
    before(async () => {
      db = await engine.open();
      web = await startTestServer(db);
      await addUser(db, 'ed@hyndburn.example', 'editor', A);
      await addUser(db, 'ed@burnley.example', 'editor', B);
      await addUser(db, 'admin@place.example', 'admin', null);
    });
    after(async () => { await web.close(); await closeTestDatabase(db); });

    test('an editor loads a real monthly file through every step; the ledger matches a direct ingest to the penny', { skip: noSharedData }, async () => {
      const file = sharedFile(...HYNDBURN_APRIL);
      // The same bytes loaded directly first: the upload must give the same rows and total, replacing this copy.
      const direct = await ingestFiles(db, [file], { bodyCode: A, actor: 'test' });
      const directFile = direct.files[0]!;
      assert.ok(direct.rows_loaded > 500);

      const v = new Visitor(web.url);
      await v.signIn('ed@hyndburn.example');
      // a. The body: an editor's own, preselected.
      const bodyPage = await v.get('/partner/uploads/new');
      assert.equal(bodyPage.status, 200);
      assert.match(bodyPage.text, new RegExp(`value="${A}" checked`));
      const chose = await v.post('/partner/uploads/new', { body: A });
      assert.equal(chose.status, 303);
      assert.equal(chose.location, `/partner/uploads/new/file?body=${A}`);
      // b. The file, multipart, with the CSRF token in the action URL.
      const filePage = await v.get(chose.location!);
      const action = formAction(filePage, /\/partner\/uploads\/new\/file/);
      assert.match(action, /[?&]_csrf=[^&]+/);
      const sent = await v.postFile(action, { name: 'hyndburn_2023-04.csv', data: fs.readFileSync(file), type: 'text/plain' });
      assert.equal(sent.status, 303, sent.text.slice(0, 500));
      const id = Number(/\/partner\/uploads\/(\d+)\/mapping$/.exec(sent.location ?? '')?.[1]);
      assert.ok(id > 0, `redirected to the mapping step, not ${sent.location}`);
      const [row] = await db.query<{ stored_path: string; status: string }>('SELECT stored_path, status FROM upload WHERE id = $1', [id]);
      assert.equal(row!.status, 'uploaded');
      assert.ok(fs.existsSync(row!.stored_path), 'the file is kept between steps');

      // c. Preview and mapping.
      const mapping = await v.get(sent.location!);
      assert.equal(mapping.status, 200);
      assert.match(mapping.text, /windows-1252/);
      assert.match(mapping.text, /Payment Date/);
      assert.match(mapping.text, /Gb Mot Training Ltd/, 'the first rows are shown');
      const guessed = selects(mapping);
      const columnOf = (header: string) => {
        const m = new RegExp(`<th scope="row" class="govuk-table__header">${header.replace(/[()]/g, '\\$&')}</th>[\\s\\S]*?name="(field-\\d+)"`).exec(mapping.text);
        assert.ok(m, `a select for ${header}`);
        return m![1]!;
      };
      assert.equal(guessed[columnOf('Payment Date')], 'date');
      assert.equal(guessed[columnOf('Net Amount (£)')], 'amount_net');
      assert.equal(guessed[columnOf('Name')], 'supplier_name');
      // Taking away the only date column is refused with a message naming what is missing.
      const noDate = await v.post(`/partner/uploads/${id}/mapping`, { ...guessed, [columnOf('Payment Date')]: 'ignore' });
      assert.equal(noDate.status, 400);
      assert.match(noDate.text, /Choose the column that holds the payment date/);
      // Two columns given the same field: refused, naming both.
      const twice = await v.post(`/partner/uploads/${id}/mapping`, { ...guessed, [columnOf('Description')]: 'supplier_name' });
      assert.equal(twice.status, 400);
      assert.match(twice.text, /can only be chosen for one column: you chose it for &quot;Description&quot; and &quot;Name&quot;|you chose it for &quot;Name&quot; and &quot;Description&quot;/);
      const mapped = await v.post(`/partner/uploads/${id}/mapping`, { ...guessed, save: 'yes' });
      assert.equal(mapped.status, 303);
      assert.equal(mapped.location, `/partner/uploads/${id}/report`);
      assert.equal((await getSavedMapping(db, A))['payment date'], 'date', 'saved as the body\'s mapping');

      // d. The validation report: the dry run, in the background.
      const report = await v.untilSettled(`/partner/uploads/${id}/report`);
      assert.equal(report.status, 200);
      assert.match(report.text, /What will be loaded/);
      assert.ok(report.text.includes(directFile.rows_loaded.toLocaleString('en-GB')), 'rows that will load');
      assert.ok(report.text.includes(formatPence(directFile.total_pence).replace('£', '&pound;')) || report.text.includes(formatPence(directFile.total_pence)), 'total that will load');
      assert.match(report.text, /Loaded before/, 'the earlier copy is pointed out');
      const [checked] = await db.query<{ report: { rows_loaded: number; total_pence: number; rows_rejected: number } }>('SELECT report FROM upload WHERE id = $1', [id]);
      assert.equal(checked!.report.rows_loaded, directFile.rows_loaded);
      assert.equal(checked!.report.total_pence, directFile.total_pence);
      assert.equal(checked!.report.rows_rejected, directFile.rows_rejected);
      assert.equal(await db.query('SELECT 1 FROM source_file WHERE body_code = $1', [A]).then((r) => r.length), 1, 'the dry run stored nothing');
      const csv = await v.get(`/partner/uploads/${id}/rejections.csv`);
      assert.equal(csv.status, 200);
      assert.equal(csv.text.trim().split('\n').length, 1 + directFile.rows_rejected, 'every rejection in the CSV');

      // e. Check your answers.
      const check = await v.get(`/partner/uploads/${id}/check`);
      assert.equal(check.status, 200);
      assert.match(check.text, /Check your answers before loading the file/);
      assert.match(check.text, new RegExp(`href="/partner/uploads/${id}/mapping"[^>]*>\\s*Change`));
      assert.match(check.text, /Payment date: &quot;Payment Date&quot;/);

      // f. Confirm: the load runs in the background; the progress page ends with the result.
      const confirmed = await v.post(`/partner/uploads/${id}/confirm`, {});
      assert.equal(confirmed.status, 303);
      assert.equal(confirmed.location, `/partner/uploads/${id}/progress`);
      const done = await v.untilSettled(confirmed.location!);
      assert.equal(done.status, 200);
      assert.match(done.text, /File loaded/);
      assert.match(done.text, new RegExp(`href="/bodies/${A}"`));
      assert.ok(done.text.includes(directFile.rows_loaded.toLocaleString('en-GB')));

      const [ledger] = await db.query<{ n: number; p: number }>('SELECT count(*)::int AS n, sum(amount_pence)::bigint AS p FROM spend_line WHERE body_code = $1', [A]);
      assert.equal(Number(ledger!.n), directFile.rows_loaded);
      assert.equal(Number(ledger!.p), directFile.total_pence);
      const [loaded] = await db.query<{ status: string; result: { rows_loaded: number; total_pence: number; replaced_file_ids: number[] } }>('SELECT status, result FROM upload WHERE id = $1', [id]);
      assert.equal(loaded!.status, 'loaded');
      assert.equal(loaded!.result.total_pence, directFile.total_pence);
      assert.deepEqual(loaded!.result.replaced_file_ids, [directFile.file_id], 'the same bytes replaced the direct copy');
      assert.equal(fs.existsSync(row!.stored_path), false, 'the stored file is deleted once loaded');

      const audit = await listAudit(db, { actor: 'web:ed@hyndburn.example' });
      for (const action of ['upload.create', 'upload.mapping', 'mapping.save', 'upload.confirm', 'ingest', 'upload.loaded']) {
        assert.ok(audit.some((a) => a.action === action), `audit has ${action}`);
      }
      const after = await v.get(`/partner/uploads/${id}/rejections.csv`);
      assert.equal(after.text, csv.text, 'once loaded, the same rejections come from the ledger');
      const list = await v.get('/partner/uploads');
      assert.match(list.text, /hyndburn_2023-04\.csv/);
      assert.match(list.text, /Loaded/);
    });

    test('a file over the size limit gets an error naming the limit, and nothing is stored', async () => {
      const small = await startTestServer(db, { maxUploadBytes: 20_000 });
      try {
        const v = new Visitor(small.url);
        await v.signIn('ed@hyndburn.example');
        const before = await uploadCount(db);
        const page = await v.get(`/partner/uploads/new/file?body=${A}`);
        assert.match(page.text, /smaller than 19\.5 KB/);
        const big = 'Date,Supplier,Amount\n' + '01/05/2023,ACME Ltd,100.00\n'.repeat(2000);
        const r = await v.postFile(formAction(page, /new\/file/), { name: 'big.csv', data: big });
        assert.equal(r.status, 413);
        assert.match(r.text, /The selected file must be smaller than 19\.5 KB/);
        assert.match(r.text, /govuk-error-summary/);
        assert.equal(await uploadCount(db), before);
        assert.deepEqual(fs.readdirSync(small.ctx.settings.uploadDir), [], 'no file left in the uploads folder');
      } finally {
        await small.close();
      }
    });

    test('files that are not spending files get a plain-English error, and nothing is stored', async () => {
      const v = new Visitor(web.url);
      await v.signIn('ed@hyndburn.example');
      const before = await uploadCount(db);
      const folders = fs.readdirSync(web.ctx.settings.uploadDir);
      const page = await v.get(`/partner/uploads/new/file?body=${A}`);
      const action = formAction(page, /new\/file/);
      const junk = randomBytes(5000);
      junk[10] = 0;
      const cases: [string, Uint8Array | string, RegExp][] = [
        ['junk.csv', junk, /junk\.csv: this is not a CSV or XLSX file \(it looks like binary data/],
        ['fruit.csv', 'fruit,colour\napple,red\nplum,purple\n', /fruit\.csv cannot be read as a spending file: no header row with a date and an amount column/],
        ['report.pdf', '%PDF-1.4', /The selected file must be a CSV, XLSX or ZIP file/],
        ['broken.xlsx', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('xl/workbook.xml'), randomBytes(300)]), /broken\.xlsx/],
      ];
      for (const [name, data, message] of cases) {
        const r = await v.postFile(action, { name, data });
        assert.equal(r.status, 400, `${name}: ${r.text.slice(0, 300)}`);
        assert.match(r.text, message);
        assert.match(r.text, /There is a problem/);
      }
      const none = await v.request('POST', action, { body: (() => { const f = new FormData(); f.append('other', 'x'); return f; })() });
      assert.equal(none.status, 400);
      assert.match(none.text, /Select a file to upload/);
      assert.equal(await uploadCount(db), before);
      assert.deepEqual(fs.readdirSync(web.ctx.settings.uploadDir), folders, 'no file left in the uploads folder');

      // Column names but no column of dates or amounts: the mapping step says so, and will not go on without them.
      const named = await v.postFile(action, { name: 'notes.csv', data: 'Supplier,Description,Date\nACME Ltd,paper,soon\nOther Co,pens,later\n' });
      assert.equal(named.status, 303);
      const mapping = await v.get(named.location!);
      assert.match(mapping.text, /As the file stands, no column of payment dates was found/);
      const onward = await v.post(named.location!, selects(mapping));
      assert.equal(onward.status, 400);
      assert.match(onward.text, /Choose the column that holds the payment date/);
      assert.match(onward.text, /Choose the column that holds the amount/);
    });

    test('an administrator finds the body by code or name; changing the file abandons the first upload', async () => {
      const v = new Visitor(web.url);
      await v.signIn('admin@place.example');
      await v.get('/partner/uploads/new');
      const byName = await v.post('/partner/uploads/new', { body: 'hyndburn' });
      assert.equal(byName.status, 303);
      assert.equal(byName.location, `/partner/uploads/new/file?body=${A}`);
      const several = await v.post('/partner/uploads/new', { body: 'Borough Council' });
      assert.equal(several.status, 400);
      assert.match(several.text, /More than one body matches/);
      assert.match(several.text, new RegExp(`type="radio" value="${B}"`));
      const none = await v.post('/partner/uploads/new', { body: 'Nowhere At All' });
      assert.equal(none.status, 400);
      assert.match(none.text, /No registered body matches &quot;Nowhere At All&quot;/);

      const csv = 'Date,Supplier,Amount\n01/05/2023,ACME Ltd,100.00\n';
      const page = await v.get(`/partner/uploads/new/file?body=${A}`);
      const first = await v.postFile(formAction(page, /new\/file/), { name: 'first.csv', data: csv });
      const firstId = Number(/uploads\/(\d+)\//.exec(first.location!)![1]);
      const [{ stored_path: firstPath }] = await db.query<{ stored_path: string }>('SELECT stored_path FROM upload WHERE id = $1', [firstId]);
      const change = await v.get(`/partner/uploads/new/file?body=${A}&replaces=${firstId}`);
      const second = await v.postFile(formAction(change, /replaces=/), { name: 'second.csv', data: csv });
      assert.equal(second.status, 303);
      const [{ status }] = await db.query<{ status: string }>('SELECT status FROM upload WHERE id = $1', [firstId]);
      assert.equal(status, 'cancelled');
      assert.equal(fs.existsSync(firstPath), false, 'the abandoned file is deleted');

      // A check or load the server is not running (it was restarted) is marked failed, and its file deleted.
      const secondId = Number(/uploads\/(\d+)\//.exec(second.location!)![1]);
      const [{ stored_path: secondPath }] = await db.query<{ stored_path: string }>('SELECT stored_path FROM upload WHERE id = $1', [secondId]);
      await db.query(`UPDATE upload SET status = 'loading' WHERE id = $1`, [secondId]);
      const progress = await v.get(`/partner/uploads/${secondId}/progress`);
      assert.match(progress.text, /The server stopped while the file was being loaded; nothing from it was loaded/);
      assert.equal(fs.existsSync(secondPath), false);
    });

    test('an editor cannot upload for another body, not even by crafting the request', async () => {
      const v = new Visitor(web.url);
      await v.signIn('ed@hyndburn.example');
      const before = await uploadCount(db);
      assert.equal((await v.get(`/partner/uploads/new/file?body=${B}`)).status, 403);
      assert.equal((await v.post('/partner/uploads/new', { body: B })).status, 403);
      const crafted = await v.postFile(`/partner/uploads/new/file?body=${B}`, { name: 'spend.csv', data: 'Date,Supplier,Amount\n01/05/2023,ACME Ltd,100.00\n' });
      assert.equal(crafted.status, 403);
      assert.match(crafted.text, /You cannot do this/);
      assert.equal(await uploadCount(db), before);

      // Nor see or act on another body's upload.
      const other = new Visitor(web.url);
      await other.signIn('ed@burnley.example');
      const page = await other.get(`/partner/uploads/new/file?body=${B}`);
      const sent = await other.postFile(formAction(page, /new\/file/), { name: 'spend.csv', data: 'Date,Supplier,Amount\n01/05/2023,ACME Ltd,100.00\n' });
      assert.equal(sent.status, 303);
      const id = /uploads\/(\d+)\//.exec(sent.location!)![1];
      assert.equal((await v.get(`/partner/uploads/${id}/mapping`)).status, 403);
      assert.equal((await v.post(`/partner/uploads/${id}/cancel`, {})).status, 403);
      assert.equal((await other.post(`/partner/uploads/${id}/cancel`, {})).status, 303);
    });
  });
}
