// Worker thread for ingest: runs produceCopy (read, parse, normalise, classify) off the main thread and
// posts COPY text back as UTF-8 bytes (transferred, not copied), at most MAX_IN_FLIGHT chunks ahead of
// the main thread's acknowledgements. See parse-pool.ts for the other end.
import { parentPort, workerData } from 'node:worker_threads';
import { Classifier } from '../classify/classifier.ts';
import { produceCopy, type ClassifierInput, type ProduceInput, type ProduceSummary } from './produce.ts';
import { openSource, UnreadableFileError } from './read/source.ts';

const MAX_IN_FLIGHT = 3;
const port = parentPort!;
const { input, classifier } = workerData as { input: ProduceInput; classifier: ClassifierInput };

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
  port.postMessage({ type: 'done', summary, lines });
} catch (err) {
  const e = err as Error;
  port.postMessage({ type: 'error', unreadable: err instanceof UnreadableFileError, message: e?.message ?? String(err), stack: e?.stack });
}
port.close();
