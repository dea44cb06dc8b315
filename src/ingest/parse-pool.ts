// The main-thread end of parse-worker.ts: starts a worker for one file and turns its messages into an
// async iterable of COPY chunks, acknowledging each as it is taken (the worker's backpressure).
// Errors in the worker come back as the same plain-English errors (UnreadableFileError for a file that
// cannot be read); leaving the iteration early stops the worker.
import { Worker } from 'node:worker_threads';
import type { ClassifierInput, ProduceInput, ProduceSummary, RollupRows } from './produce.ts';
import { UnreadableFileError } from './read/source.ts';

type Msg =
  | { type: 'chunk'; bytes: Uint8Array; lines: number }
  | { type: 'summary'; summary: Omit<ProduceSummary, 'rollupRows'>; lines: number }
  | { type: 'rollups'; rows: RollupRows }
  | { type: 'error'; unreadable: boolean; message: string; stack?: string };

function workerError(m: Extract<Msg, { type: 'error' }>): Error {
  if (m.unreadable) return new UnreadableFileError(m.message);
  const e = new Error(m.message);
  if (m.stack) e.stack = m.stack;
  return e;
}

function workerUrl(): URL {
  // Loader hooks are per thread: from TypeScript sources the worker starts with a boot file that
  // registers tsx first (an --import in execArgv races the worker's entry on Node 20).
  const ts = import.meta.url.endsWith('.ts');
  return new URL(ts ? './parse-worker-boot.mjs' : './parse-worker.js', import.meta.url);
}

export async function* workerChunks(input: ProduceInput, classifier: ClassifierInput,
  done: (s: ProduceSummary) => void, progress?: (lines: number) => void, background = false): AsyncGenerator<Uint8Array> {
  // A larger young generation than the default: parsing makes many short-lived strings. Not larger: its
  // space counts against the peak (5M lines on PGlite peaked at 1,373 MB with 128 MB, 1,096 MB with 64, no faster).
  const worker = new Worker(workerUrl(), { workerData: { input, classifier, background }, resourceLimits: { maxYoungGenerationSizeMb: 64 } });
  const queue: Msg[] = [];
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  let exited = false;
  // After the summary the iteration is over, but the worker still folds the rollup rows: they come in a
  // message of their own, or the worker's failure instead. Either may come (and the worker end) before the
  // summary is taken from the queue: the outcome is kept until the rollups' promise is made.
  let summaryCame = false;
  let outcome: { rows: RollupRows } | { error: Error } | undefined;
  let rollups: { resolve: (r: RollupRows) => void; reject: (e: Error) => void } | undefined;
  const settleRollups = () => {
    if (!rollups || !outcome) return;
    if ('rows' in outcome) rollups.resolve(outcome.rows); else rollups.reject(outcome.error);
    rollups = undefined;
  };
  const endRollups = (o: NonNullable<typeof outcome>) => { if (summaryCame) { outcome ??= o; settleRollups(); } };
  const poke = () => { const w = wake; wake = undefined; w?.(); };
  worker.on('message', (m: Msg) => {
    if (summaryCame) {
      if (m.type === 'rollups') endRollups({ rows: m.rows });
      else if (m.type === 'error') endRollups({ error: workerError(m) });
      return;
    }
    if (m.type === 'summary') summaryCame = true;
    queue.push(m); poke();
  });
  worker.on('error', (e) => { failure ??= e; endRollups({ error: e }); poke(); });
  worker.on('exit', () => {
    exited = true;
    endRollups({ error: new Error(`the ingest worker for ${input.file} stopped before its rollups`) });
    poke();
  });
  let summarised = false;
  try {
    for (;;) {
      const m = queue.shift();
      if (!m) {
        if (failure) throw failure;
        if (exited) throw new Error(`the ingest worker for ${input.file} stopped without finishing`);
        await new Promise<void>((r) => { wake = r; });
        continue;
      }
      if (m.type === 'chunk') {
        worker.postMessage({ type: 'ack' });
        progress?.(m.lines);
        yield Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength);
      } else if (m.type === 'summary') {
        progress?.(m.lines);
        const rollupRows = new Promise<RollupRows>((resolve, reject) => { rollups = { resolve, reject }; });
        rollupRows.catch(() => undefined); // awaited by the load; never an unhandled rejection
        settleRollups();
        summarised = true;
        done({ ...m.summary, rollupRows });
        return;
      } else if (m.type === 'error') {
        throw workerError(m);
      }
    }
  } finally {
    // Left early or failed: stop the worker. After the summary it ends by itself once the rollups are sent.
    if (!exited && !summarised) void worker.terminate();
  }
}
