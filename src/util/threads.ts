// CPU priority of worker threads. On Linux each thread is a task of its own and setpriority(PRIO_PROCESS, 0)
// (os.setPriority(0, n)) changes the calling thread only, so a worker can step behind the main thread,
// which serves requests. Elsewhere it changes the whole process, so it is done on Linux only.
import os from 'node:os';

export function lowerThreadPriority(niceness = 10): void {
  if (process.platform !== 'linux') return;
  try { os.setPriority(0, Math.max(os.getPriority(0), niceness)); } catch { /* not permitted: run as we are */ }
}
