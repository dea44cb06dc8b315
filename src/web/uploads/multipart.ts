// Receiving files from multipart forms with busboy: streamed to disk (a spend file may be gigabytes) or,
// for small files such as a place definition, into memory. Sizes are enforced as the bytes arrive; the
// client's content type is ignored (ingest recognises a file from its bytes); names are sanitised.
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Request } from 'express';
import busboy from 'busboy';
import { BadRequest } from '../errors.ts';
import { formatBytes } from '../../ingest/service.ts';

/** A problem with the file sent; `status` is 400, or 413 when it is too large. The message is shown as it stands. */
export class FileProblem extends BadRequest {
  constructor(message: string, readonly status = 400) { super(message); }
}

/** A file name that is safe to use on disk and to show: letters, digits, '.', '-', '_' and spaces only. */
export function sanitiseFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const ext = path.extname(base).toLowerCase().replace(/[^a-z0-9.]/g, '');
  const stem = base.slice(0, base.length - path.extname(base).length).normalize('NFKC')
    .replace(/[^A-Za-z0-9._ -]+/g, '_').replace(/\s+/g, ' ').replace(/_+/g, '_').replace(/^[.\s_-]+|[.\s]+$/g, '');
  return (stem.slice(0, 100) || 'upload') + ext.slice(0, 10);
}

interface Part { field: string; name: string; bytes: number }

/**
 * Reads a multipart request holding one file in field `field`, handing its bytes to `sink`. Other fields
 * come back in `fields`. Throws FileProblem when no file was chosen or it is larger than `maxBytes`
 * (the rest of the request is read and discarded, so the browser gets the answer).
 */
async function receive(req: Request, field: string, maxBytes: number, accept: (name: string) => string | null,
  sink: (file: NodeJS.ReadableStream, name: string) => Promise<void>): Promise<{ part: Part; fields: Record<string, string> }> {
  let bb: busboy.Busboy;
  try {
    bb = busboy({ headers: req.headers, limits: { files: 1, fileSize: maxBytes, fields: 20, fieldSize: 10_000, parts: 30 } });
  } catch {
    throw new FileProblem('Select a file to upload (the form was not sent as a file upload).');
  }
  const fields: Record<string, string> = {};
  let part: Part | undefined;
  let problem: FileProblem | undefined;
  let writing: Promise<void> = Promise.resolve();
  bb.on('field', (name, value) => { fields[name] = value; });
  bb.on('file', (name, stream, info) => {
    const clean = sanitiseFileName(info.filename ?? '');
    if (name !== field || part || !info.filename) { stream.resume(); return; }
    const refused = accept(clean);
    if (refused) { problem ??= new FileProblem(refused); stream.resume(); return; }
    const p: Part = { field: name, name: clean, bytes: 0 };
    part = p;
    stream.on('data', (c: Buffer) => { p.bytes += c.length; });
    stream.on('limit', () => { problem ??= new FileProblem(`The selected file must be smaller than ${formatBytes(maxBytes)}.`, 413); });
    writing = sink(stream, clean).catch((err) => { problem ??= err instanceof FileProblem ? err : new FileProblem(`The file could not be received (${(err as Error).message}).`); stream.resume(); });
  });
  await new Promise<void>((resolve, reject) => {
    bb.on('close', resolve);
    bb.on('error', (err) => reject(new FileProblem(`The upload was not received completely (${(err as Error).message}). Try again.`)));
    req.on('aborted', () => reject(new FileProblem('The upload was interrupted. Try again.')));
    req.pipe(bb);
  });
  await writing;
  if (problem) throw problem;
  if (!part) throw new FileProblem('Select a file to upload.');
  if (part.bytes === 0) throw new FileProblem('The selected file is empty.');
  return { part, fields };
}

/** Streams the file to `dir` under its sanitised name; on any problem nothing is left on disk. */
export async function receiveFileToDisk(req: Request, opts: { dir: string; field: string; maxBytes: number; accept: (name: string) => string | null }): Promise<{ path: string; name: string; size: number; fields: Record<string, string> }> {
  let target: string | undefined;
  try {
    const { part, fields } = await receive(req, opts.field, opts.maxBytes, opts.accept, async (stream, name) => {
      target = path.join(opts.dir, name);
      await pipeline(stream, fs.createWriteStream(target, { flags: 'wx', mode: 0o600 }));
    });
    return { path: target!, name: part.name, size: part.bytes, fields };
  } catch (err) {
    if (target) await fs.promises.rm(target, { force: true });
    throw err;
  }
}

/** Reads a small file (at most `maxBytes`) into memory. */
export async function receiveSmallFile(req: Request, opts: { field: string; maxBytes: number; accept: (name: string) => string | null }): Promise<{ name: string; data: Buffer; fields: Record<string, string> }> {
  const chunks: Buffer[] = [];
  const { part, fields } = await receive(req, opts.field, opts.maxBytes, opts.accept, async (stream) => {
    for await (const c of stream) chunks.push(c as Buffer);
  });
  return { name: part.name, data: Buffer.concat(chunks), fields };
}
