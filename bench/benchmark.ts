/** What run.ts needs from each benchmark, and what each benchmark gets from run.ts. */
import type { BenchOptions } from './bench-options.js';
import type { BenchReport } from './report.js';

export interface BenchContext {
  options: BenchOptions;
  /** This benchmark's own directory for logs and data (out/bench/work/<name>). */
  workDir: string;
  /** Progress lines, to stderr. */
  log: (message: string) => void;
}

export interface Benchmark {
  name: string;
  run(ctx: BenchContext): Promise<BenchReport>;
}
