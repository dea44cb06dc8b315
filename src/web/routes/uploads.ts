// The upload wizard (/partner/uploads): choose the body -> upload the file -> preview and column mapping
// -> validation report (a dry run) -> check your answers -> load, with a progress page. The state lives
// in the `upload` row; checking and loading run as background jobs, never inside a request.
import fs from 'node:fs';
import path from 'node:path';
import express, { type Request, type Response, type Router } from 'express';
import type { WebContext } from '../context.ts';
import { actorOf, assertCan } from '../auth.ts';
import { can } from '../../accounts/permissions.ts';
import { uploadLimiter } from '../security.ts';
import { BadRequest, NotFound } from '../errors.ts';
import { recordAudit } from '../../db/audit.ts';
import { findBody, lookupBody, type Body } from '../../place/bodies.ts';
import { placesOfBody } from '../../place/places.ts';
import { CANONICAL_FIELDS, FIELD_LABELS, isCanonicalField, type CanonicalField } from '../../ingest/fields.ts';
import { normaliseHeader, savedChoice, type SavedMapping } from '../../ingest/mapping.ts';
import { getSavedMapping, saveMapping } from '../../ingest/saved-mapping.ts';
import { previewFile, type FilePreview, type PreviewSheet } from '../../ingest/preview.ts';
import { dryRunFile, formatBytes, ingestFiles, IngestError, type DryRunResult } from '../../ingest/service.ts';
import { UnreadableFileError } from '../../ingest/read/source.ts';
import { listRejections } from '../../ledger/repository.ts';
import { CSV_TYPE, csvRow, PRIVATE_CACHE, type CellType } from '../api/downloads.ts';
import { jobsOf, refreshSupplierMatching, type Job } from '../uploads/jobs.ts';
import { FileProblem, receiveFileToDisk } from '../uploads/multipart.ts';
import {
  createUpload, findUpload, listUploads, newUploadFolder, rejectionsPath, removeUploadFolder, REPORT_REJECTIONS, tidyUploads,
  updateUpload, type Upload, type UploadStatus,
} from '../uploads/store.ts';

const ACCEPTED = ['.csv', '.txt', '.xlsx', '.zip'];
const REJECTIONS_PER_PAGE = 50;

const STATUS_TAGS: Record<UploadStatus, { text: string; classes: string }> = {
  uploaded: { text: 'Mapping needed', classes: 'govuk-tag--yellow' },
  checking: { text: 'Checking', classes: 'govuk-tag--light-blue' },
  checked: { text: 'Ready to load', classes: 'govuk-tag--blue' },
  loading: { text: 'Loading', classes: 'govuk-tag--light-blue' },
  loaded: { text: 'Loaded', classes: 'govuk-tag--green' },
  failed: { text: 'Failed', classes: 'govuk-tag--red' },
  cancelled: { text: 'Cancelled', classes: 'govuk-tag--grey' },
};

/** The page for where an upload has got to. */
function stepUrl(u: Pick<Upload, 'id' | 'status'>): string {
  const base = `/partner/uploads/${u.id}`;
  switch (u.status) {
    case 'uploaded': return `${base}/mapping`;
    case 'checking': case 'checked': return `${base}/report`;
    default: return `${base}/progress`;
  }
}

const crumbs = (extra: { text: string; href: string }[] = []) => [
  { text: 'Home', href: '/' }, { text: 'Partners', href: '/partner' }, { text: 'Uploads', href: '/partner/uploads' }, ...extra,
];

/** The sheet whose header row the mapping form offers (the first with one). */
const headerSheet = (p: FilePreview | null): PreviewSheet | undefined => p?.sheets.find((s) => s.header_line !== null);

/** Plain-English messages name the file the user chose, not where it is stored. */
const nameFile = (message: string, u: Pick<Upload, 'stored_path' | 'original_name'>) => message.split(u.stored_path).join(u.original_name);

const REJECTION_TYPES: CellType[] = ['text', 'text', 'integer', 'text', 'text', 'text'];

/** Rejected rows as CSV, the columns `totalplace rejections --csv` writes. */
function rejectionsCsv(rows: { file: string; sheet: string | null; line: number; column: string | null; reason: string; raw: string }[]): string {
  return '\uFEFF' + csvRow(['file', 'sheet', 'line', 'column', 'reason', 'row'], [])
    + rows.map((r) => csvRow([r.file, r.sheet, r.line, r.column, r.reason, r.raw], REJECTION_TYPES)).join('');
}

export function uploadRoutes(ctx: WebContext): Router {
  const router = express.Router();
  const jobs = jobsOf(ctx);
  const limiter = uploadLimiter(ctx);
  const jobKey = (id: number) => `upload:${id}`;
  const tidy = () => tidyUploads(ctx.db, ctx.settings.uploadDir, (id) => jobs.running(jobKey(id)));

  /** Only people who may upload for some body use these pages. */
  router.use((req, _res, next) => { assertCan(req, 'upload', req.user!.body_code); next(); });

  /** The upload in the URL, if the user may act on it (upload for its body). */
  async function loadUpload(req: Request): Promise<Upload> {
    const raw = String(req.params.id);
    const id = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
    const u = Number.isFinite(id) ? await findUpload(ctx.db, id) : null;
    if (!u) throw new NotFound(`There is no upload ${raw}.`);
    assertCan(req, 'upload', u.body_code);
    return u;
  }

  function requireStatus(u: Upload, allowed: UploadStatus[], res: Response): boolean {
    if (allowed.includes(u.status)) return true;
    res.redirect(303, stepUrl(u));
    return false;
  }

  // ---------- the list ----------

  router.get('/', async (req, res) => {
    await tidy();
    const uploads = await listUploads(ctx.db, { userId: req.user!.id, limit: 30 });
    res.render('pages/partner/uploads/list.njk', {
      title: 'Uploads', breadcrumbs: crumbs().slice(0, 2),
      uploads: uploads.map((u) => ({ ...u, href: stepUrl(u), tag: STATUS_TAGS[u.status] })),
      cancelled: req.query.cancelled === '1',
    });
  });

  // ---------- a. the body ----------

  /** Renders the body question (new upload, or changing an upload's body). */
  function renderBodyQuestion(req: Request, res: Response, opts: { action: string; value?: string; error?: string; matches?: Body[]; status?: number }) {
    const u = req.user!;
    const admin = u.role === 'admin';
    res.status(opts.status ?? 200).render('pages/partner/uploads/body.njk', {
      title: 'Which body is this spending file for?', errorSummaryTitle: Boolean(opts.error),
      breadcrumbs: crumbs(), action: opts.action, admin, error: opts.error, value: opts.value ?? '',
      own: !admin && u.body_code ? { code: u.body_code, name: u.body_name } : null,
      matches: (opts.matches ?? []).map((b) => ({ value: b.code, text: `${b.name} (${b.code})` })),
    });
  }

  /** The body chosen in the posted form, or null after rendering the question again with the problem. */
  async function chosenBody(req: Request, res: Response, action: string): Promise<Body | null> {
    const text = String(req.body?.body ?? '').trim();
    if (!text) { renderBodyQuestion(req, res, { action, error: 'Enter the code or name of the body the file is for', status: 400 }); return null; }
    const { body, matches } = await lookupBody(ctx.db, text);
    if (!body) {
      renderBodyQuestion(req, res, {
        action, value: text, matches, status: 400,
        error: matches.length ? `More than one body matches "${text}": choose one` : `No registered body matches "${text}". Enter its code (such as E07000120) or part of its name`,
      });
      return null;
    }
    assertCan(req, 'upload', body.code);
    return body;
  }

  router.get('/new', async (req, res) => {
    await tidy();
    renderBodyQuestion(req, res, { action: '/partner/uploads/new' });
  });

  router.post('/new', async (req, res) => {
    const body = await chosenBody(req, res, '/partner/uploads/new');
    if (body) res.redirect(303, `/partner/uploads/new/file?body=${encodeURIComponent(body.code)}`);
  });

  // ---------- b. the file ----------

  async function bodyFromQuery(req: Request): Promise<Body> {
    const code = typeof req.query.body === 'string' ? req.query.body : '';
    const body = code ? await findBody(ctx.db, code) : null;
    if (!body) throw new BadRequest('Choose the body the file is for first.');
    assertCan(req, 'upload', body.code);
    return body;
  }

  const replacing = (req: Request) => (typeof req.query.replaces === 'string' && /^\d{1,15}$/.test(req.query.replaces) ? req.query.replaces : null);

  function renderFileQuestion(req: Request, res: Response, body: Body, error?: string, status = 200) {
    const replaces = replacing(req);
    res.status(status).render('pages/partner/uploads/file.njk', {
      title: 'Upload the spending file', errorSummaryTitle: Boolean(error), error, body,
      maxSize: formatBytes(ctx.settings.maxUploadBytes), replaces,
      action: `/partner/uploads/new/file?body=${encodeURIComponent(body.code)}${replaces ? `&replaces=${replaces}` : ''}`,
      breadcrumbs: crumbs(),
    });
  }

  router.get('/new/file', async (req, res) => {
    renderFileQuestion(req, res, await bodyFromQuery(req));
  });

  router.post('/new/file', limiter, async (req, res) => {
    // The body and permission are checked before a byte of the file is read.
    const body = await bodyFromQuery(req);
    const dir = newUploadFolder(ctx.settings.uploadDir);
    let stored: { path: string; name: string; size: number } | undefined;
    let preview: FilePreview;
    try {
      stored = await receiveFileToDisk(req, {
        dir, field: 'file', maxBytes: ctx.settings.maxUploadBytes,
        accept: (name) => (ACCEPTED.includes(path.extname(name).toLowerCase()) ? null : 'The selected file must be a CSV, XLSX or ZIP file'),
      });
      try {
        preview = await previewFile(stored.path, await getSavedMapping(ctx.db, body.code));
      } catch (err) {
        if (err instanceof UnreadableFileError) throw new FileProblem(nameFile(err.message, { stored_path: stored.path, original_name: stored.name }));
        throw err;
      }
      if (!headerSheet(preview)) {
        const why = preview.sheets.map((s) => (s.sheet ? `sheet "${s.sheet}": ${s.problem}` : s.problem)).join('; ');
        throw new FileProblem(`${stored.name} cannot be read as a spending file: ${why}. The file needs a row of column names with a column of payment dates and a column of amounts under it.`);
      }
    } catch (err) {
      await fs.promises.rm(dir, { recursive: true, force: true });
      if (err instanceof FileProblem) { renderFileQuestion(req, res, body, err.message, err.status); return; }
      throw err;
    }
    const id = await ctx.db.transaction(async (tx) => {
      const newId = await createUpload(tx, { body_code: body.code, user_id: req.user!.id, original_name: stored!.name, stored_path: stored!.path, size_bytes: stored!.size, preview });
      await recordAudit(tx, actorOf(req), 'upload.create', `upload:${newId}`, { body: body.code, file: stored!.name, size_bytes: stored!.size, format: preview.format });
      return newId;
    });
    // "Change the file": the upload this one replaces is abandoned.
    const old = replacing(req);
    if (old) {
      const prev = await findUpload(ctx.db, Number(old));
      if (prev && can(req.user, 'upload', prev.body_code)) await cancelUpload(req, prev);
    }
    res.redirect(303, `/partner/uploads/${id}/mapping`);
  });

  router.get('/:id', async (req, res) => {
    res.redirect(303, stepUrl(await loadUpload(req)));
  });

  // Changing the body of an upload (the "Change" link on check your answers).
  router.get('/:id/body', async (req, res) => {
    const u = await loadUpload(req);
    if (!requireStatus(u, ['uploaded', 'checked'], res)) return;
    renderBodyQuestion(req, res, { action: `/partner/uploads/${u.id}/body`, value: u.body_code });
  });

  router.post('/:id/body', async (req, res) => {
    const u = await loadUpload(req);
    if (!requireStatus(u, ['uploaded', 'checked'], res)) return;
    const body = await chosenBody(req, res, `/partner/uploads/${u.id}/body`);
    if (!body) return;
    // The guessed mapping depends on the body's saved mapping: look at the file again.
    const preview = await previewFile(u.stored_path, await getSavedMapping(ctx.db, body.code));
    await ctx.db.transaction(async (tx) => {
      if (await updateUpload(tx, u.id, { body_code: body.code, preview, mapping: {}, mapping_saved: false, report: null, status: 'uploaded' }, ['uploaded', 'checked'])) {
        await recordAudit(tx, actorOf(req), 'upload.body', `upload:${u.id}`, { from: u.body_code, to: body.code });
      }
    });
    res.redirect(303, `/partner/uploads/${u.id}/mapping`);
  });

  // ---------- c. preview and mapping ----------

  function renderMapping(req: Request, res: Response, u: Upload, opts: { chosen?: Record<number, string>; errors?: { text: string; href: string }[]; fieldErrors?: Record<number, string>; save?: boolean; status?: number } = {}) {
    const sheet = headerSheet(u.preview)!;
    const seen = new Set<string>();
    const options = [{ value: 'ignore', text: 'Not used' }, ...CANONICAL_FIELDS.map((f) => ({ value: f, text: FIELD_LABELS[f] }))];
    const columns = sheet.columns.map((c) => {
      const key = normaliseHeader(c.header);
      // A header that reads the same as an earlier one cannot be told apart in a mapping.
      const mappable = key !== '' && !seen.has(key);
      seen.add(key);
      const current = opts.chosen?.[c.index] ?? savedChoice(u.mapping, c.header) ?? c.field ?? 'ignore';
      return {
        index: c.index, header: c.header || `(column ${c.index + 1}, no name)`, examples: c.examples, mappable,
        how: c.how, fieldLabel: c.field ? FIELD_LABELS[c.field] : 'Not used',
        items: options.map((o) => ({ ...o, selected: o.value === current })),
        error: opts.fieldErrors?.[c.index],
      };
    });
    res.status(opts.status ?? 200).render('pages/partner/uploads/mapping.njk', {
      title: 'Check the columns', errorSummaryTitle: Boolean(opts.errors?.length), errors: opts.errors,
      upload: u, preview: u.preview, sheet, columns, otherSheets: u.preview!.sheets.filter((s) => s !== sheet),
      headRow: sheet.columns.map((c) => ({ text: c.header || `(column ${c.index + 1})` })),
      rows: sheet.rows.map((r) => [{ text: String(r.line), classes: 'tp-num' }, ...r.cells.map((text) => ({ text }))]),
      mayEditMapping: can(req.user, 'edit-mapping', u.body_code), save: opts.save ?? u.mapping_saved,
      breadcrumbs: crumbs(),
    });
  }

  router.get('/:id/mapping', async (req, res) => {
    const u = await loadUpload(req);
    if (!requireStatus(u, ['uploaded', 'checked'], res)) return;
    renderMapping(req, res, u);
  });

  router.post('/:id/mapping', async (req, res) => {
    const u = await loadUpload(req);
    if (!requireStatus(u, ['uploaded', 'checked'], res)) return;
    const sheet = headerSheet(u.preview)!;
    const save = req.body?.save === 'yes';
    if (save) assertCan(req, 'edit-mapping', u.body_code);
    const mapping: SavedMapping = {};
    const chosen: Record<number, string> = {};
    const fieldErrors: Record<number, string> = {};
    const errors: { text: string; href: string }[] = [];
    const fail = (index: number, text: string) => { fieldErrors[index] ??= text; errors.push({ text, href: `#field-${index}` }); };
    const usedBy = new Map<CanonicalField, number>();
    const unnamed: typeof sheet.columns = [];
    for (const c of sheet.columns) {
      const key = normaliseHeader(c.header);
      if (!key || Object.hasOwn(mapping, key)) { unnamed.push(c); continue; }
      const value = String(req.body?.[`field-${c.index}`] ?? 'ignore');
      chosen[c.index] = value;
      if (value !== 'ignore' && !isCanonicalField(value)) { fail(c.index, `Choose what "${c.header}" holds from the list`); continue; }
      mapping[key] = value;
      if (value === 'ignore') continue;
      const other = usedBy.get(value);
      if (other !== undefined) {
        const otherHeader = sheet.columns.find((x) => x.index === other)?.header ?? `column ${other + 1}`;
        fail(c.index, `${FIELD_LABELS[value]} can only be chosen for one column: you chose it for "${otherHeader}" and "${c.header}"`);
      } else usedBy.set(value, c.index);
    }
    // Columns without a (distinct) name keep what ingest finds from their values, for fields still free.
    for (const c of unnamed) if (c.field && !usedBy.has(c.field)) usedBy.set(c.field, c.index);
    const first = sheet.columns.find((c) => normaliseHeader(c.header))?.index ?? 0;
    if (!usedBy.has('date')) fail(first, 'Choose the column that holds the payment date');
    if (!usedBy.has('amount_net') && !usedBy.has('amount_gross')) fail(first, 'Choose the column that holds the amount (net, or including VAT)');
    if (errors.length) { renderMapping(req, res, u, { chosen, errors, fieldErrors, save, status: 400 }); return; }

    const actor = actorOf(req);
    const started = await ctx.db.transaction(async (tx) => {
      if (!(await updateUpload(tx, u.id, { mapping, mapping_saved: save, report: null, error: null, progress_lines: 0, status: 'checking' }, ['uploaded', 'checked']))) return false;
      if (save) await saveMapping(tx, u.body_code, mapping, actor);
      await recordAudit(tx, actor, 'upload.mapping', `upload:${u.id}`, { body: u.body_code, mapping, saved_for_body: save });
      return true;
    });
    if (started) startCheck(u.id);
    res.redirect(303, `/partner/uploads/${u.id}/report`);
  });

  // ---------- d. the validation report (a dry run, in the background) ----------

  /** Reports `lines` to the job and, at most once a second, to the upload row. */
  function progressReporter(id: number, job: Job, status: UploadStatus) {
    let last = 0;
    return ({ lines }: { lines: number }) => {
      job.lines = lines;
      if (Date.now() - last < 1000) return;
      last = Date.now();
      updateUpload(ctx.db, id, { progress_lines: lines }, [status]).catch(() => undefined);
    };
  }

  function startCheck(id: number): void {
    jobs.start(jobKey(id), async (job) => {
      const u = (await findUpload(ctx.db, id))!;
      let r: DryRunResult;
      try {
        r = await dryRunFile(ctx.db, u.stored_path, {
          bodyCode: u.body_code, maxBytes: ctx.settings.maxUploadBytes, mapping: u.mapping, parseInWorker: true, background: true, onProgress: progressReporter(id, job, 'checking'),
        });
      } catch (err) {
        const known = err instanceof IngestError || err instanceof UnreadableFileError;
        await updateUpload(ctx.db, id, { status: 'failed', error: known ? nameFile((err as Error).message, u) : 'The file could not be checked because of a fault in the service; nothing was loaded. Try again later.' }, ['checking']);
        await removeUploadFolder(ctx.settings.uploadDir, u.stored_path);
        if (!known) throw err;
        return;
      }
      const { file: _file, rejections, ...rest } = r;
      await fs.promises.writeFile(rejectionsPath(u.stored_path), rejectionsCsv(rejections.map((x) => ({ file: u.original_name, ...x }))));
      await updateUpload(ctx.db, id, {
        status: 'checked', progress_lines: r.rows_loaded,
        report: { ...rest, rejections: rejections.slice(0, REPORT_REJECTIONS), rejections_shown: Math.min(REPORT_REJECTIONS, rejections.length) },
      }, ['checking']);
    });
  }

  router.get('/:id/report', async (req, res) => {
    const u = await loadUpload(req);
    if (u.status === 'checking') {
      await tidy();
      const now = (await findUpload(ctx.db, u.id))!;
      if (now.status !== 'checking') { res.redirect(303, `/partner/uploads/${u.id}/report`); return; }
      res.render('pages/partner/uploads/working.njk', {
        title: 'Checking the file', upload: u, lines: Math.max(jobs.get(jobKey(u.id))?.lines ?? 0, u.progress_lines), expected: null, autoRefresh: req.query.refresh !== 'off',
        breadcrumbs: crumbs(),
      });
      return;
    }
    if (!requireStatus(u, ['checked'], res)) return;
    const r = u.report!;
    const pages = Math.max(1, Math.ceil(r.rejections_shown / REJECTIONS_PER_PAGE));
    const page = Math.min(Math.max(1, Number(req.query.page) || 1), pages);
    const shown = r.rejections.slice((page - 1) * REJECTIONS_PER_PAGE, page * REJECTIONS_PER_PAGE);
    const href = (p: number) => `/partner/uploads/${u.id}/report?page=${p}#rejections`;
    res.render('pages/partner/uploads/report.njk', {
      title: 'What will be loaded', upload: u, report: r, loadable: !r.error,
      sheets: (r.sheets ?? []).map((s) => ({
        ...s, mapped: s.columns.filter((c) => c.field).map((c) => `${FIELD_LABELS[c.field as CanonicalField]}: "${c.column || '(no name)'}"`),
      })),
      rejectionRows: shown.map((x) => [
        { text: u.original_name }, { text: x.sheet ?? '' }, { text: String(x.line), classes: 'tp-num' }, { text: x.column ?? '' }, { text: x.reason },
      ]),
      pagination: pages > 1 ? {
        previous: page > 1 ? { href: href(page - 1) } : undefined,
        next: page < pages ? { href: href(page + 1) } : undefined,
        items: Array.from({ length: pages }, (_, i) => ({ number: i + 1, href: href(i + 1), current: i + 1 === page })),
      } : null,
      page, firstShown: (page - 1) * REJECTIONS_PER_PAGE + 1, lastShown: (page - 1) * REJECTIONS_PER_PAGE + shown.length,
      breadcrumbs: crumbs(),
    });
  });

  router.get('/:id/rejections.csv', async (req, res) => {
    const u = await loadUpload(req);
    let text: string;
    if (u.status === 'loaded' && u.result?.file_id) {
      // Once loaded, the rejections are in the ledger (the folder is gone).
      const rows = await listRejections(ctx.db, { bodyCode: u.body_code, fileId: u.result.file_id });
      text = rejectionsCsv(rows.map((r) => ({ file: r.file_name, sheet: r.sheet, line: r.line, column: r.column, reason: r.reason, raw: r.raw })));
    } else if (u.status === 'checked') {
      text = await fs.promises.readFile(rejectionsPath(u.stored_path), 'utf8');
    } else throw new NotFound('The rejected rows are available once the file has been checked.');
    res.set('Content-Type', CSV_TYPE).set('Cache-Control', PRIVATE_CACHE)
      .set('Content-Disposition', `attachment; filename="${path.basename(u.original_name, path.extname(u.original_name))}-rejected-rows.csv"`)
      .send(text);
  });

  // ---------- e. check your answers ----------

  router.get('/:id/check', async (req, res) => {
    const u = await loadUpload(req);
    if (!requireStatus(u, ['checked'], res)) return;
    const sheet = headerSheet(u.preview)!;
    const mapped = sheet.columns
      .map((c) => ({ c, field: savedChoice(u.mapping, c.header) ?? c.field }))
      .filter(({ field }) => field && field !== 'ignore')
      .map(({ c, field }) => `${FIELD_LABELS[field as CanonicalField]}: "${c.header || `column ${c.index + 1}`}"`);
    res.render('pages/partner/uploads/check.njk', {
      title: 'Check your answers before loading the file', upload: u, report: u.report, mapped,
      mayChangeBody: req.user!.role === 'admin', loadable: !u.report!.error,
      breadcrumbs: crumbs(),
    });
  });

  // ---------- f. load (in the background) and the progress page ----------

  router.post('/:id/confirm', async (req, res) => {
    const u = await loadUpload(req);
    if (!requireStatus(u, ['checked'], res)) return;
    if (u.report?.error) throw new BadRequest(`The file cannot be loaded: ${u.report.error}. Change the column mapping first.`);
    const actor = actorOf(req);
    const started = await ctx.db.transaction(async (tx) => {
      if (!(await updateUpload(tx, u.id, { status: 'loading', progress_lines: 0 }, ['checked']))) return false;
      await recordAudit(tx, actor, 'upload.confirm', `upload:${u.id}`, { body: u.body_code, file: u.original_name });
      return true;
    });
    if (started) startLoad(u, actor);
    res.redirect(303, `/partner/uploads/${u.id}/progress`);
  });

  // Uploads being loaded, as they stood when the load began: the progress page is drawn from these and
  // the job's line count, because on the embedded database every query waits until the load commits.
  const loading = new Map<number, Upload>();

  function startLoad(started: Upload, actor: string): void {
    const id = started.id;
    loading.set(id, { ...started, status: 'loading', progress_lines: 0 });
    const job = jobs.start(jobKey(id), async (job) => {
      const u = (await findUpload(ctx.db, id))!;
      let result: Awaited<ReturnType<typeof ingestFiles>>;
      try {
        result = await ingestFiles(ctx.db, [u.stored_path], {
          bodyCode: u.body_code, actor, maxBytes: ctx.settings.maxUploadBytes, batchLines: ctx.settings.copyBatchLines,
          mapping: u.mapping, parseInWorker: true, background: true, onProgress: progressReporter(id, job, 'loading'),
        });
      } catch (err) {
        await removeUploadFolder(ctx.settings.uploadDir, u.stored_path);
        await updateUpload(ctx.db, id, { status: 'failed', error: 'The file could not be loaded because of a fault in the service; nothing from it was kept. Try again later.' }, ['loading']);
        throw err;
      }
      // The file has served its purpose, and the counts must be fresh before the page says "loaded".
      await removeUploadFolder(ctx.settings.uploadDir, u.stored_path);
      ctx.dataChanged();
      refreshSupplierMatching(ctx, actor);
      const { file: _file, rejections: _rejections, error, ...fr } = result.files[0]!;
      if (error) {
        await updateUpload(ctx.db, id, { status: 'failed', error: nameFile(error, u) }, ['loading']);
        return;
      }
      await ctx.db.transaction(async (tx) => {
        await updateUpload(tx, id, { status: 'loaded', result: fr, progress_lines: fr.rows_loaded }, ['loading']);
        await recordAudit(tx, actor, 'upload.loaded', `upload:${id}`, { body: u.body_code, file: u.original_name, file_id: fr.file_id, rows_loaded: fr.rows_loaded, rows_rejected: fr.rows_rejected, total_pence: fr.total_pence });
      });
    });
    void job.finished.then(() => loading.delete(id));
  }

  router.get('/:id/progress', async (req, res) => {
    const live = loading.get(Number(req.params.id));
    const liveJob = live && jobs.get(jobKey(live.id));
    if (live && liveJob && liveJob.finishedAt === null) {
      assertCan(req, 'upload', live.body_code);
      res.render('pages/partner/uploads/working.njk', {
        title: 'Loading the file', upload: live, lines: liveJob.lines,
        expected: live.report?.rows_loaded ?? null, autoRefresh: req.query.refresh !== 'off', breadcrumbs: crumbs(),
      });
      return;
    }
    let u = await loadUpload(req);
    if (u.status === 'loading') { await tidy(); u = (await findUpload(ctx.db, u.id))!; }
    if (!requireStatus(u, ['loading', 'loaded', 'failed', 'cancelled'], res)) return;
    if (u.status === 'loading') {
      res.render('pages/partner/uploads/working.njk', {
        title: 'Loading the file', upload: u, lines: Math.max(jobs.get(jobKey(u.id))?.lines ?? 0, u.progress_lines),
        expected: u.report?.rows_loaded ?? null, autoRefresh: req.query.refresh !== 'off', breadcrumbs: crumbs(),
      });
      return;
    }
    res.render('pages/partner/uploads/result.njk', {
      title: u.status === 'loaded' ? 'File loaded' : u.status === 'failed' ? 'The file was not loaded' : 'Upload cancelled',
      upload: u, result: u.result, places: u.status === 'loaded' ? await placesOfBody(ctx.db, u.body_code) : [],
      breadcrumbs: crumbs(),
    });
  });

  // ---------- abandoning ----------

  async function cancelUpload(req: Request, u: Upload): Promise<boolean> {
    const done = await ctx.db.transaction(async (tx) => {
      if (!(await updateUpload(tx, u.id, { status: 'cancelled' }, ['uploaded', 'checked']))) return false;
      await recordAudit(tx, actorOf(req), 'upload.cancel', `upload:${u.id}`, { body: u.body_code, file: u.original_name });
      return true;
    });
    if (done) await removeUploadFolder(ctx.settings.uploadDir, u.stored_path);
    return done;
  }

  router.post('/:id/cancel', async (req, res) => {
    const u = await loadUpload(req);
    if (!requireStatus(u, ['uploaded', 'checked'], res)) return;
    await cancelUpload(req, u);
    res.redirect(303, '/partner/uploads?cancelled=1');
  });

  return router;
}
