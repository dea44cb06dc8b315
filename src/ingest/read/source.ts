// Opens a spend file of any supported kind and yields its "sheets" of raw rows: a CSV is one sheet,
// an XLSX has one per worksheet, a ZIP has one per CSV/XLSX inside it. The kind is recognised from
// the bytes (ZIP magic), not trusted from the file name. The file's bytes are hashed as they stream.
import fs from 'node:fs';
import { createHash, type Hash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { Unzip, UnzipInflate } from 'fflate';
import { CsvParser, sniffDelimiter, type LineBatch, type RawRow } from './csv.ts';
import { TextDecoderStream8 } from './decode.ts';
import { readXlsx } from './xlsx.ts';

export interface SourceSheet {
  /** Worksheet name, or the entry name inside a ZIP; null for a plain CSV. */
  sheet: string | null;
  batches: AsyncIterable<RawRow[]>;
  /** The text encoding found (CSV only), known once the rows have been read. */
  encoding(): string | undefined;
  /**
   * CSV only: from the next batch on, rows come as offsets into the text (LineBatch) through `lines`
   * instead of `batches`; the delimiter's char code is returned. Ingest asks once a sheet's layout is known.
   */
  fastLines?: () => { delimiter: number; lines: AsyncIterable<LineBatch> };
}

export interface OpenedSource {
  format: 'csv' | 'xlsx' | 'zip';
  sheets: AsyncIterable<SourceSheet>;
  /** sha256 of every byte of the file, available after all sheets have been read. */
  checksum(): string;
}

export class UnreadableFileError extends Error {}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

async function readHead(path: string, n: number): Promise<Uint8Array> {
  const fh = await fs.promises.open(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally { await fh.close(); }
}

function isZip(head: Uint8Array): boolean { return ZIP_MAGIC.every((b, i) => head[i] === b); }

/** The kind of file at `path`, from its first bytes; throws UnreadableFileError as openSource does. */
export async function detectFormat(path: string): Promise<OpenedSource['format']> {
  const stat = await fs.promises.stat(path).catch(() => { throw new UnreadableFileError(`${path}: file not found`); });
  if (!stat.isFile()) throw new UnreadableFileError(`${path}: not a file`);
  const head = await readHead(path, 64 * 1024);
  if (isZip(head)) {
    const text = Buffer.from(head).toString('latin1');
    return text.includes('[Content_Types].xml') || text.includes('xl/') ? 'xlsx' : 'zip';
  }
  if (head.length > 0 && looksBinary(head)) {
    throw new UnreadableFileError(`${path}: this is not a CSV or XLSX file (it looks like binary data; old .xls workbooks must be saved as .xlsx or CSV first)`);
  }
  return 'csv';
}

/** Opens `path`; throws UnreadableFileError with a plain-English reason for what it cannot read. */
export async function openSource(path: string): Promise<OpenedSource> {
  const stat = await fs.promises.stat(path).catch(() => { throw new UnreadableFileError(`${path}: file not found`); });
  if (!stat.isFile()) throw new UnreadableFileError(`${path}: not a file`);
  const head = await readHead(path, 64 * 1024);
  const hash = createHash('sha256');
  const checksum = () => hash.copy().digest('hex');
  if (isZip(head)) {
    const text = Buffer.from(head).toString('latin1');
    const xlsx = text.includes('[Content_Types].xml') || text.includes('xl/');
    if (xlsx) return { format: 'xlsx', sheets: xlsxSheets(path, hash), checksum };
    return { format: 'zip', sheets: zipSheets(path, hash), checksum };
  }
  if (head.length > 0 && looksBinary(head)) {
    throw new UnreadableFileError(`${path}: this is not a CSV or XLSX file (it looks like binary data; old .xls workbooks must be saved as .xlsx or CSV first)`);
  }
  return { format: 'csv', sheets: csvSheets(fs.createReadStream(path, { highWaterMark: 1 << 16 }), hash, null), checksum };
}

function looksBinary(head: Uint8Array): boolean {
  // OLE2 (.xls) signature, or NUL bytes that are not UTF-16's alternate zeros.
  if (head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0) return true;
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return false;
  let zeros = 0;
  const n = Math.min(head.length, 4096);
  for (let i = 0; i < n; i++) if (head[i] === 0) zeros++;
  return zeros > 0 && zeros < n / 8; // UTF-16 without BOM has ~half zeros
}

async function* csvSheets(input: AsyncIterable<Uint8Array>, hash: Hash | null, sheet: string | null): AsyncGenerator<SourceSheet> {
  const decoder = new TextDecoderStream8();
  const it = input[Symbol.asyncIterator]();
  let parser: CsvParser | undefined;
  let fast = false;
  let ended = false;
  // The next decoded text, or null at the end (the decoder's tail is returned once).
  const nextText = async (): Promise<string | null> => {
    if (ended) return null;
    const r = await it.next();
    if (r.done) { ended = true; return decoder.end(); }
    if (hash) hash.update(r.value);
    return decoder.decode(r.value);
  };
  async function* batches(): AsyncGenerator<RawRow[]> {
    let pending = '';
    while (!fast) {
      const text = await nextText();
      if (text === null) return;
      if (!parser) {
        // Decide the delimiter from the first few KB of text.
        pending += text;
        if (pending.length < 8192 && !ended) continue;
        parser = new CsvParser(sniffDelimiter(pending));
        const rows = parser.push(pending);
        pending = '';
        if (ended) parser.end(rows);
        if (rows.length) yield rows;
        continue;
      }
      const rows = parser.push(text);
      if (ended) parser.end(rows);
      if (rows.length) yield rows;
    }
  }
  async function* lines(): AsyncGenerator<LineBatch> {
    while (!ended) {
      const text = await nextText();
      if (text === null) return;
      const batch = parser!.pushLines(text, ended);
      if (batch.count) yield batch;
    }
  }
  yield {
    sheet, batches: batches(), encoding: () => (decoder.mixed ? 'utf-8+windows-1252' : decoder.encoding),
    fastLines: () => { fast = true; return { delimiter: parser?.delimiterCode ?? 44, lines: lines() }; },
  };
}

async function* xlsxSheets(path: string, hash: Hash): AsyncGenerator<SourceSheet> {
  const file = fs.createReadStream(path, { highWaterMark: 1 << 16 });
  const tap = new PassThrough({ highWaterMark: 1 << 16 });
  file.on('data', (c) => hash.update(c as Buffer));
  file.on('error', (e) => tap.destroy(e));
  file.pipe(tap);
  try {
    for await (const s of readXlsx(tap)) yield { sheet: s.sheet, batches: s.batches, encoding: () => undefined };
  } catch (err) {
    throw new UnreadableFileError(`${path}: the workbook could not be read (${(err as Error).message})`);
  }
}

/** ZIP archives: each .csv/.txt/.xlsx entry inside is read as if it were its own file. */
async function* zipSheets(path: string, hash: Hash): AsyncGenerator<SourceSheet> {
  const entries = unzipEntries(fs.createReadStream(path, { highWaterMark: 1 << 16 }), hash);
  let found = 0;
  for await (const entry of entries) {
    const lower = entry.name.toLowerCase();
    if (lower.endsWith('/') || lower.startsWith('__macosx/')) { await drain(entry.data); continue; }
    if (lower.endsWith('.csv') || lower.endsWith('.txt')) {
      found++;
      for await (const s of csvSheets(entry.data, null, entry.name)) yield s;
    } else if (lower.endsWith('.xlsx')) {
      found++;
      for await (const s of readXlsx(Readable.from(entry.data))) {
        yield { sheet: `${entry.name}!${s.sheet}`, batches: s.batches, encoding: () => undefined };
      }
    } else {
      await drain(entry.data);
    }
  }
  if (found === 0) throw new UnreadableFileError(`${path}: the ZIP archive holds no CSV or XLSX file`);
}

async function drain(it: AsyncIterable<unknown>): Promise<void> { for await (const _ of it) { /* discard */ } }

interface ZipEntry { name: string; data: AsyncIterable<Uint8Array> }

/** Pull-based adapter over fflate's push-based streaming Unzip, with backpressure on the file. */
async function* unzipEntries(file: fs.ReadStream, hash: Hash): AsyncGenerator<ZipEntry> {
  const unzip = new Unzip();
  unzip.register(UnzipInflate);
  type Item = { chunk?: Uint8Array; end?: boolean; err?: Error };
  const fileQueue: { name: string; items: Item[]; wake?: () => void; started: boolean; start: () => void }[] = [];
  let newFile: (() => void) | undefined;
  let fileDone = false;
  let failure: Error | undefined;
  unzip.onfile = (f) => {
    const rec = { name: f.name, items: [] as Item[], wake: undefined as (() => void) | undefined, started: false, start: () => f.start() };
    f.ondata = (err, chunk, final) => {
      if (err) rec.items.push({ err: new Error(err.message) });
      else { if (chunk.length) rec.items.push({ chunk }); if (final) rec.items.push({ end: true }); }
      if (rec.items.length > 16) file.pause();
      rec.wake?.();
    };
    fileQueue.push(rec);
    newFile?.();
  };
  file.on('data', (c) => { hash.update(c as Buffer); try { unzip.push(c as Uint8Array); } catch (e) { failure = e as Error; } for (const r of fileQueue) r.wake?.(); newFile?.(); });
  file.on('end', () => { try { unzip.push(new Uint8Array(0), true); } catch (e) { failure = e as Error; } fileDone = true; for (const r of fileQueue) r.wake?.(); newFile?.(); });
  file.on('error', (e) => { failure = e; fileDone = true; newFile?.(); for (const r of fileQueue) r.wake?.(); });
  file.pause();
  while (true) {
    while (fileQueue.length === 0 && !fileDone && !failure) {
      file.resume();
      await new Promise<void>((r) => { newFile = r; });
      newFile = undefined;
    }
    if (failure) throw new UnreadableFileError(`the ZIP archive could not be read (${failure.message})`);
    const rec = fileQueue.shift();
    if (!rec) return;
    rec.start();
    async function* data(): AsyncGenerator<Uint8Array> {
      for (;;) {
        const item = rec!.items.shift();
        if (item) {
          if (item.err) throw new UnreadableFileError(`${rec!.name} inside the ZIP could not be read (${item.err.message})`);
          if (item.end) return;
          yield item.chunk!;
          continue;
        }
        if (failure) throw new UnreadableFileError(`the ZIP archive could not be read (${failure.message})`);
        if (fileDone) return;
        file.resume();
        await new Promise<void>((r) => { rec!.wake = r; });
        rec!.wake = undefined;
      }
    }
    yield { name: rec.name, data: data() };
  }
}
