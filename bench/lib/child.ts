// Runs a command as a child process and measures it from outside: wall time, and peak resident memory
// two ways (the child's own getrusage at exit via report-maxrss.mjs, and /proc/<pid>/status VmHWM polled
// while it runs, which still works if the child is killed). The larger of the two is reported.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const MAXRSS_PRELOAD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'report-maxrss.mjs');

export interface ChildRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  wallSeconds: number;
  /** Peak RSS in bytes (NaN if neither measure worked). */
  peakRssBytes: number;
  /** Each measure separately, for the record. */
  rss: { getrusage?: number; procVmHwm?: number };
  cpuSeconds?: number;
  /**
   * Busy CPU time of the whole machine while the child ran (Linux /proc/stat): the child's own, and also a
   * database server's working for it (and anything else running then).
   */
  machineCpuSeconds?: number;
  stdout: string;
  /** Last part of stderr (all of it is in stderrFile). */
  stderrTail: string;
  stderrFile: string;
  timedOut: boolean;
}

export interface ChildOptions {
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Where stderr goes in full. */
  stderrFile: string;
  timeoutSeconds: number;
  /** Largest stdout kept (a runaway output fails the run rather than the harness). */
  maxStdoutBytes?: number;
}

function readVmHwm(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Busy (non-idle, non-iowait) CPU seconds of every core since boot, or undefined where /proc/stat is not there. */
function machineBusySeconds(): number | undefined {
  try {
    const cpu = /^cpu\s+(.*)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))?.[1]?.trim().split(/\s+/).map(Number);
    if (!cpu || cpu.length < 8) return undefined;
    // user nice system idle iowait irq softirq steal: all but idle and iowait, in clock ticks (USER_HZ, 100 on Linux).
    return (cpu[0]! + cpu[1]! + cpu[2]! + cpu[5]! + cpu[6]! + cpu[7]!) / 100;
  } catch {
    return undefined;
  }
}

/** Runs `node --import report-maxrss.mjs <args>` and measures it. */
export async function runNodeChild(opts: ChildOptions): Promise<ChildRun> {
  const rssFile = path.join(os.tmpdir(), `totalplace-bench-rss-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  const stderr = fs.createWriteStream(opts.stderrFile);
  const maxStdout = opts.maxStdoutBytes ?? 64 * 1024 * 1024;
  const started = performance.now();
  const busyBefore = machineBusySeconds();
  const child = spawn(process.execPath, ['--import', pathToFileURL(MAXRSS_PRELOAD).href, ...opts.args], {
    cwd: opts.cwd,
    env: { ...opts.env, TOTALPLACE_BENCH_RSS_FILE: rssFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let procPeak: number | undefined;
  const poll = setInterval(() => {
    const v = child.pid ? readVmHwm(child.pid) : undefined;
    if (v !== undefined) procPeak = Math.max(procPeak ?? 0, v);
  }, 50);
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, opts.timeoutSeconds * 1000);

  const out: Buffer[] = [];
  let outBytes = 0;
  let tail = '';
  child.stdout.on('data', (b: Buffer) => {
    outBytes += b.length;
    if (outBytes <= maxStdout) out.push(b);
  });
  child.stderr.on('data', (b: Buffer) => {
    stderr.write(b);
    tail = (tail + b.toString('utf8')).slice(-4000);
  });
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, sig) => resolve([code, sig]));
  });
  const wallSeconds = (performance.now() - started) / 1000;
  const busyAfter = machineBusySeconds();
  clearInterval(poll);
  clearTimeout(timer);
  await new Promise<void>((resolve) => stderr.end(() => resolve()));

  let getrusage: number | undefined;
  let cpuSeconds: number | undefined;
  try {
    const r = JSON.parse(fs.readFileSync(rssFile, 'utf8')) as { maxRssBytes: number; userCpuMicros: number; systemCpuMicros: number };
    getrusage = r.maxRssBytes;
    cpuSeconds = (r.userCpuMicros + r.systemCpuMicros) / 1e6;
  } catch {
    // The child died before its exit hook ran: the polled figure stands alone.
  } finally {
    fs.rmSync(rssFile, { force: true });
  }
  const peaks = [getrusage, procPeak].filter((v): v is number => v !== undefined);
  return {
    exitCode, signal, wallSeconds, timedOut,
    peakRssBytes: peaks.length ? Math.max(...peaks) : NaN,
    rss: { getrusage, procVmHwm: procPeak },
    cpuSeconds,
    machineCpuSeconds: busyBefore === undefined || busyAfter === undefined ? undefined : busyAfter - busyBefore,
    stdout: outBytes > maxStdout ? '' : Buffer.concat(out).toString('utf8'),
    stderrTail: outBytes > maxStdout ? `stdout exceeded ${maxStdout} bytes\n${tail}` : tail,
    stderrFile: opts.stderrFile,
  };
}
