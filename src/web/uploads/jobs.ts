// Background jobs: work that must not run inside a request (checking or loading a large file, re-running
// the classification rules). The request starts the job and redirects to a page that shows its state;
// the job records its own outcome (uploads in their row, rule runs here). One runner per server.
import type { WebContext } from '../context.ts';
import { resolveAll } from '../../insight/suppliers.ts';

export interface Job<T = unknown> {
  key: string;
  startedAt: number;
  finishedAt: number | null;
  /** Lines processed so far, for progress pages. */
  lines: number;
  result?: T;
  error?: string;
  /** Settles when the job has finished (it never rejects). */
  finished: Promise<void>;
}

/** Finished jobs are forgotten after this long (their outcome lives in the database or is shown once). */
const KEEP_FINISHED_MS = 60 * 60 * 1000;

export class JobRunner {
  private readonly jobs = new Map<string, Job>();

  /**
   * Starts `work` under `key`. Jobs with the same key never overlap: one started while another is still
   * finishing waits for it (callers make sure, through the state they keep, that a step starts once).
   */
  start<T>(key: string, work: (job: Job<T>) => Promise<T>): Job<T> {
    this.forgetOld();
    const previous = this.jobs.get(key);
    const job = { key, startedAt: Date.now(), finishedAt: null, lines: 0 } as Job<T>;
    job.finished = (async () => {
      await previous?.finished;
      // Let the request that started the job answer first.
      await new Promise((resolve) => setImmediate(resolve));
      try {
        job.result = await work(job);
      } catch (err) {
        job.error = (err as Error)?.message ?? String(err);
        process.stderr.write(`web job ${key}: ${(err as Error)?.stack ?? err}\n`);
      } finally {
        job.finishedAt = Date.now();
      }
    })();
    this.jobs.set(key, job as Job);
    return job;
  }

  get<T>(key: string): Job<T> | undefined { return this.jobs.get(key) as Job<T> | undefined; }

  running(key: string): boolean {
    const job = this.jobs.get(key);
    return job !== undefined && job.finishedAt === null;
  }

  /** Settles once every job started so far has finished (for shutting down cleanly, and tests). */
  async idle(): Promise<void> {
    await Promise.all([...this.jobs.values()].map((j) => j.finished));
  }

  private forgetOld(): void {
    const cutoff = Date.now() - KEEP_FINISHED_MS;
    for (const [key, job] of this.jobs) if (job.finishedAt !== null && job.finishedAt < cutoff) this.jobs.delete(key);
  }
}

const runners = new WeakMap<WebContext, JobRunner>();

/** The server's job runner (one per WebContext). */
export function jobsOf(ctx: WebContext): JobRunner {
  let r = runners.get(ctx);
  if (!r) runners.set(ctx, (r = new JobRunner()));
  return r;
}

/**
 * Supplier matching (src/insight) reads every payee name in the ledger; after a load or a change of
 * classification it is run again in the background, so shared suppliers, categories and opportunities
 * follow the data without anyone having to ask. Runs one at a time.
 */
export function refreshSupplierMatching(ctx: WebContext, actor: string): void {
  jobsOf(ctx).start('insight:resolve', async () => {
    await resolveAll(ctx.db, actor);
    ctx.dataChanged();
  });
}
