// Messages between the main thread and the embedded database's thread (pglite-worker.ts).
export type WorkerRequest = { id: number; tx?: number } & (
  | { op: 'query'; text: string; params?: unknown[] }
  | { op: 'exec'; text: string }
  | { op: 'copy'; text: string; chunk: string | Uint8Array }
  | { op: 'begin' }
  | { op: 'end'; commit: boolean }
  | { op: 'close' }
);

/** Replies carry the request's id; a transaction's final outcome comes with id = -tx. */
export type WorkerReply =
  | { id: number; ok: true; rows?: unknown[] }
  | { id: number; ok: false; error: { message: string; stack?: string; fields: Record<string, unknown> } };
