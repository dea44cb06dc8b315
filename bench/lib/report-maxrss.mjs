// Preloaded into a benchmarked child process (`node --import <this file> ...`): when the process exits,
// however it exits, writes its peak resident set size to the file named by TOTALPLACE_BENCH_RSS_FILE.
// process.resourceUsage().maxRSS is getrusage(RUSAGE_SELF): every thread of the process, in kilobytes.
// Plain JavaScript on purpose: it loads before the TypeScript loader is registered.
import fs from 'node:fs';

const target = process.env.TOTALPLACE_BENCH_RSS_FILE;
if (target) {
  const started = Date.now();
  process.on('exit', (code) => {
    try {
      const usage = process.resourceUsage();
      fs.writeFileSync(target, JSON.stringify({
        maxRssBytes: usage.maxRSS * 1024,
        userCpuMicros: usage.userCPUTime,
        systemCpuMicros: usage.systemCPUTime,
        wallMillis: Date.now() - started,
        exitCode: code,
      }));
    } catch {
      // Never let measuring change the outcome of the measured command.
    }
  });
}
