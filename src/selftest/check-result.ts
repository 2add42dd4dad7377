/**
 * What every self-test check returns, and the JSON a selftest run writes for CI (one schema, so
 * the experiment's run record and the report read exactly what the CLI wrote).
 */
import { z } from 'zod';

export const checkResultSchema = z.object({
  /** e.g. `delay shift (mean)` */
  check: z.string(),
  /** What the quantity should read, as text with its unit and tolerance, e.g. `23.00 ms +- 0.30`. */
  expected: z.string(),
  /** What it read, e.g. `23.12 ms`; `error: ...` when the check could not measure. */
  measured: z.string(),
  pass: z.boolean(),
  /** Why it failed, or what else a reader should know; absent when there is nothing to add. */
  note: z.string().optional(),
});

export type CheckResult = z.infer<typeof checkResultSchema>;

/** Where `experiment run` keeps the selftest it ran, in the sweep directory. */
export const SELFTEST_FILE = 'selftest.json';

export const selftestReportSchema = z.object({
  schema: z.literal('kos-test/selftest/v1'),
  target: z.enum(['testbed', 'cluster']),
  startedAt: z.string(),
  seconds: z.number().nonnegative(),
  pass: z.boolean(),
  checks: z.array(checkResultSchema),
});

export type SelftestReport = z.infer<typeof selftestReportSchema>;

/** A check's result from a measured value against an expected value with a tolerance (pure). */
export function withinTolerance(opts: {
  check: string;
  expected: number;
  measured: number;
  tolerance: number;
  unit: string;
  digits?: number;
}): CheckResult {
  const d = opts.digits ?? 2;
  const u = opts.unit === '' ? '' : ` ${opts.unit}`;
  const pass = Number.isFinite(opts.measured) && Math.abs(opts.measured - opts.expected) <= opts.tolerance;
  return {
    check: opts.check,
    expected: `${opts.expected.toFixed(d)}${u} +- ${opts.tolerance.toFixed(d)}`,
    measured: Number.isFinite(opts.measured) ? `${opts.measured.toFixed(d)}${u}` : 'n/a',
    pass,
  };
}
