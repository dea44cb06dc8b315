// Worker thread for ingest: runs produceCopy (read, parse, normalise, classify) off the main thread and
// posts COPY text back as UTF-8 bytes (transferred, not copied), at most MAX_IN_FLIGHT chunks ahead of
// the main thread's acknowledgements; then the summary, then the rollup rows. See parse-pool.ts for the other end.
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThreadPriority } from '../util/threads.ts';
import { Classifier } from '../classify/classifier.ts';
import { produceCopy, type ClassifierInput, type ProduceInput, type ProduceSummary } from './produce.ts';
import { openSource, UnreadableFileError } from './read/source.ts';
import { serviceRollupLine, supplierRollupLine, supplierTotalLine } from '../ledger/repository.ts';

const MAX_IN_FLIGHT = 3;
const port = parentPort!;
const { input, classifier, background } = workerData as { input: ProduceInput; classifier: ClassifierInput; background?: boolean };
// Behind a web server, requests come first: on Linux this lowers the priority of this thread only.
if (background) lowerThreadPriority();

let inFlight = 0;
let wake: (() => void) | undefined;
port.on('message', (m: { type: string }) => {
  if (m.type === 'ack') { inFlight--; const w = wake; wake = undefined; w?.(); }
});

try {
  const c = Classifier.compile(classifier.rules, classifier.themes);
  const source = await openSource(input.file);
  let summary: ProduceSummary | undefined;
  let lines = 0;
  for await (const bytes of produceCopy(source, input, c, (s) => { summary = s; }, (n) => { lines = n; })) {
    inFlight++;
    port.postMessage({ type: 'chunk', bytes, lines }, [bytes.buffer as ArrayBuffer]);
    while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((r) => { wake = r; });
  }
  // The summary goes first, so the main thread can copy the dimensions in while the rollups are folded.
  const s = summary!;
  const { rollupRows, ...rest } = s;
  const dims = [s.payees, s.codings, s.texts, s.groups, s.topLines, s.topCuts].flat();
  port.postMessage({ type: 'summary', summary: rest, lines }, dims.map((b) => b.buffer as ArrayBuffer));
  // The deep-dive tallies go back as COPY bytes, transferred: as objects, a big file's hundreds of
  // thousands of tallies would be rebuilt and garbage-collected on the main thread (the web server's).
  const pack = <T>(rows: T[] | Uint8Array[], line: (t: T) => string): Uint8Array[] => {
    if (rows.length === 0 || rows[0] instanceof Uint8Array) return rows as Uint8Array[];
    const parts: Uint8Array[] = [], encoder = new TextEncoder();
    for (let i = 0; i < rows.length; i += 20000) parts.push(encoder.encode((rows as T[]).slice(i, i + 20000).map(line).join('')));
    return parts;
  };
  const r = await rollupRows;
  const services = pack(r.services, serviceRollupLine(input.bodyCode, input.fileId));
  const suppliers = pack(r.suppliers, supplierRollupLine(input.bodyCode, input.fileId));
  const totals = pack(r.supplierTotals.rows, supplierTotalLine(input.bodyCode));
  port.postMessage({ type: 'rollups', rows: { rollups: r.rollups, services, suppliers, supplierTotals: { rows: totals, complete: r.supplierTotals.complete } } },
    [...services, ...suppliers, ...totals].map((b) => b.buffer as ArrayBuffer));
} catch (err) {
  const e = err as Error;
  port.postMessage({ type: 'error', unreadable: err instanceof UnreadableFileError, message: e?.message ?? String(err), stack: e?.stack });
}
port.close();
