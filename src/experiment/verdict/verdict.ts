/**
 * The verdict of each run (validity and SLOs) and of a whole sweep, the one fact the exit code,
 * verdict.json, the progress lines, the report and the JUnit file all show (pure).
 */
import { z } from 'zod';
import type { DriveSummary } from '../../driver/drive-summary.js';
import type { HostLoad } from '../../measure/host-load.js';
import { driveKeysOf } from '../store/drive-keys.js';
import type { RunRecord } from '../store/run-record.js';
import { evaluateSlos, sloResultSchema, type Slo } from './slo.js';
import { judgeValidity, validitySchema, type Validity, type ValidityThresholds } from './validity.js';

export const runVerdictSchema = z.object({
  runId: z.string(),
  /** e.g. `OPS 60 NCA 1800 POP 1800 NNA 9 NKA 3`; null for a lone drive. */
  label: z.string().nullable(),
  validity: validitySchema,
  slos: z.array(sloResultSchema),
});
export type RunVerdict = z.infer<typeof runVerdictSchema>;

/** Worst first: a failed run outranks an invalid one, which outranks a broken SLO. */
export const SWEEP_OUTCOMES = ['failed', 'invalid', 'slo-failed', 'pass'] as const;
export type SweepOutcome = (typeof SWEEP_OUTCOMES)[number];

export const sweepVerdictSchema = z.object({
  outcome: z.enum(SWEEP_OUTCOMES),
  runs: z.number().int().nonnegative(),
  valid: z.number().int().nonnegative(),
  invalid: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  slosPassed: z.number().int().nonnegative(),
  /** SLO results that failed or had no figure to judge. */
  slosFailed: z.number().int().nonnegative(),
});
export type SweepVerdict = z.infer<typeof sweepVerdictSchema>;

/** verdict.json of a sweep or of a lone drive run: the verdict and each run's. */
export const verdictFileSchema = sweepVerdictSchema.extend({ verdicts: z.array(runVerdictSchema) });
export type VerdictFile = z.infer<typeof verdictFileSchema>;
export const VERDICT_FILE = 'verdict.json';

export function factorLabelOf(r: Pick<RunRecord, 'factors'>): string {
  const f = r.factors;
  return `OPS ${f.OPS} NCA ${f.NCA} POP ${f.POP} NNA ${f.NNA} NKA ${f.NKA}`;
}

/** A record's validity as recorded, or judged now for records written before validity existed. */
export function validityOfRecord(r: RunRecord, t: ValidityThresholds): Validity {
  return (
    r.validity ??
    judgeValidity(
      {
        status: r.status,
        error: r.error,
        target: r.target,
        factors: r.factors,
        drive: r.drive,
        costs: { table: r.costs, error: r.costsError },
        host: r.host,
      },
      t,
    )
  );
}

/** A recorded run's verdict; SLOs given here are judged again (`experiment verdict --slo`). */
export function recordVerdict(r: RunRecord, t: ValidityThresholds, slos?: readonly Slo[]): RunVerdict {
  return {
    runId: r.runId,
    label: factorLabelOf(r),
    validity: validityOfRecord(r, t),
    slos:
      slos === undefined
        ? (r.slos ?? [])
        : evaluateSlos(slos, { factors: r.factors, drive: r.drive, costs: r.costs }),
  };
}

/** A lone `kos-test drive` run judged from its summary: no costs (drive collects none). */
export function driveRunVerdict(s: DriveSummary, host: HostLoad | null, slos: readonly Slo[]): RunVerdict {
  const drive = driveKeysOf(s);
  return {
    runId: s.runId,
    label: null,
    validity: judgeValidity({
      status: 'completed',
      error: null,
      target: 'drive',
      factors: null,
      drive,
      host,
    }),
    slos: evaluateSlos(slos, { factors: null, drive, costs: null }),
  };
}

export function sweepVerdict(runs: readonly RunVerdict[]): SweepVerdict {
  const count = (s: Validity['status']): number => runs.filter((r) => r.validity.status === s).length;
  const results = runs.flatMap((r) => r.slos);
  const slosFailed = results.filter((s) => s.status !== 'pass').length;
  const v = { runs: runs.length, valid: count('valid'), invalid: count('invalid'), failed: count('failed') };
  const outcome: SweepOutcome =
    v.failed > 0 ? 'failed' : v.invalid > 0 ? 'invalid' : slosFailed > 0 ? 'slo-failed' : 'pass';
  return { outcome, ...v, slosPassed: results.length - slosFailed, slosFailed };
}

/** One line: `invalid: 3 runs, 1 valid, 2 invalid, 0 failed; SLOs 4 passed, 1 failed`. */
export function sweepVerdictLine(v: SweepVerdict): string {
  return `${v.outcome}: ${v.runs} run(s), ${v.valid} valid, ${v.invalid} invalid, ${v.failed} failed; SLOs ${v.slosPassed} passed, ${v.slosFailed} failed`;
}
