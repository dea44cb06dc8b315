// What a benchmark module (bench/<name>.bench.ts) exports, and what it hands back to bench/run.ts.

export interface Target {
  op: '>=' | '<';
  value: number;
}

export interface Figure {
  /** What was measured, e.g. "pglite 5,000,000 lines". */
  case: string;
  /** e.g. "lines/s (median of 3)". */
  metric: string;
  value: number;
  unit: string;
  target?: Target;
}

export interface BenchResult {
  figures: Figure[];
  /** Correctness failures (wrong totals, crashed runs): any makes `npm run bench` exit non-zero. */
  failures: string[];
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  default?: string | boolean;
  description: string;
}

export interface BenchContext {
  options: Record<string, string | boolean | undefined>;
  /** bench/out: git-ignored, for caches, logs and results. */
  outDir: string;
  projectRoot: string;
  log(message: string): void;
}

export interface BenchModule {
  description: string;
  options?: Record<string, OptionSpec>;
  run(ctx: BenchContext): Promise<BenchResult>;
}

export function meets(value: number, target: Target): boolean {
  return target.op === '>=' ? value >= target.value : value < target.value;
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
