/**
 * A self-test check (one per file under checks/, each made by one factory): it measures through
 * the I/O it was given and judges with a pure function, giving one or more result lines.
 * runChecks runs them in order; a check that throws is a failed line, never a crash.
 */
import { toError } from '../util/errors.js';
import type { CheckResult, SelftestReport } from './check-result.js';

export interface SelftestCheck {
  /** e.g. `delay shift`; the name of its line when it throws. */
  readonly name: string;
  run(): Promise<CheckResult[]>;
}

export interface RunChecksOptions {
  target: SelftestReport['target'];
  /** Each line as it is judged (progress on the console). */
  onResult?: (r: CheckResult) => void;
  /** Wall clock, epoch ms. @default Date.now */
  wallMs?: () => number;
}

export async function runChecks(
  checks: readonly SelftestCheck[],
  opts: RunChecksOptions,
): Promise<SelftestReport> {
  const wallMs = opts.wallMs ?? Date.now;
  const began = wallMs();
  const results: CheckResult[] = [];
  for (const c of checks) {
    let lines: CheckResult[];
    try {
      lines = await c.run();
    } catch (e: unknown) {
      lines = [
        { check: c.name, expected: 'a measurement', measured: `error: ${toError(e).message}`, pass: false },
      ];
    }
    for (const r of lines) {
      results.push(r);
      opts.onResult?.(r);
    }
  }
  return {
    schema: 'kos-test/selftest/v1',
    target: opts.target,
    startedAt: new Date(began).toISOString(),
    seconds: (wallMs() - began) / 1000,
    pass: results.length > 0 && results.every((r) => r.pass),
    checks: results,
  };
}
