/** Why a run's numbers should not be trusted at face value; each kind has its own message. */
import { DEFAULT_VALIDITY } from '../../experiment/verdict/validity.js';
import type { ReportRun } from './report-run.js';

export type WarningKind =
  | 'failed'
  | 'no-summary'
  | 'interrupted'
  | 'rate-off-target'
  | 'late-ops'
  | 'dropped-ops'
  | 'unfulfilled'
  | 'test-failed'
  | 'address-problems'
  | 'missing-costs'
  | 'partial-costs';

export interface RunWarning {
  runId: string;
  kind: WarningKind;
  message: string;
}

export interface WarningThresholds {
  /** |achieved / target - 1| above this is suspect. @default 0.02 */
  rateTolerance: number;
  /** Late ops (sent after the lateness threshold) as a fraction of issued. @default 0.01 */
  lateFraction: number;
}

/** The validity defaults (validity.ts): a warning here is an invalid run there. */
export const DEFAULT_THRESHOLDS: WarningThresholds = {
  rateTolerance: DEFAULT_VALIDITY.rateTolerance,
  lateFraction: DEFAULT_VALIDITY.lateFraction,
};

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** Warnings from the driver's numbers alone (also used by the per-run report). */
export function driveWarnings(
  runId: string,
  d: NonNullable<ReportRun['drive']>,
  t: WarningThresholds = DEFAULT_THRESHOLDS,
): RunWarning[] {
  const out: RunWarning[] = [];
  const add = (kind: WarningKind, message: string): void => {
    out.push({ runId, kind, message });
  };
  const c = d.cruise;
  if (d.ending === 'interrupted') add('interrupted', 'the driver was interrupted: cruise ended early');
  if (d.ending === 'failed') add('failed', 'the driver ended with an error');
  if (c.targetRate > 0 && Math.abs(c.achievedRate / c.targetRate - 1) > t.rateTolerance)
    add(
      'rate-off-target',
      `achieved ${c.achievedRate.toFixed(2)} ops/s vs target ${c.targetRate.toFixed(2)} ` +
        `(${pct(c.achievedRate / c.targetRate - 1)}; tolerance ${pct(t.rateTolerance)})`,
    );
  if (c.ops.issued > 0 && c.ops.late / c.ops.issued > t.lateFraction)
    add('late-ops', `${c.ops.late} of ${c.ops.issued} cruise ops late (${pct(c.ops.late / c.ops.issued)})`);
  if (c.ops.dropped > 0) add('dropped-ops', `${c.ops.dropped} planned cruise ops never sent`);
  const o = c.outcomes;
  const unfulfilled = o.broken + o.neverFulfilled + o.createFailed;
  if (unfulfilled > 0)
    add(
      'unfulfilled',
      `${unfulfilled} of ${o.attempted} cruise attachments not fulfilled ` +
        `(never fulfilled ${o.neverFulfilled}, broken ${o.broken}, create failed ${o.createFailed})`,
    );
  const tests = d.tests;
  if (tests !== undefined) {
    const failed = tests.full.testFailed + tests.setupOnly.testFailed;
    const carried = tests.full.carried + tests.setupOnly.carried;
    if (failed > 0)
      add(
        'test-failed',
        `${failed} of ${carried} data-plane tests failed: KOS did not connect every tested attachment`,
      );
    const a = tests.addressProblems;
    if (a.duplicates + a.outOfSubnet > 0)
      add(
        'address-problems',
        `${a.duplicates} duplicate and ${a.outOfSubnet} out-of-subnet addresses (${a.examples.join('; ')})`,
      );
  }
  return out;
}

export function runWarnings(run: ReportRun, t: WarningThresholds = DEFAULT_THRESHOLDS): RunWarning[] {
  const out: RunWarning[] = [];
  const add = (kind: WarningKind, message: string): void => {
    out.push({ runId: run.runId, kind, message });
  };
  if (run.status === 'failed') add('failed', `run failed: ${run.error ?? 'no error recorded'}`);
  if (run.drive === null) add('no-summary', 'no driver summary: latency and counts are missing');
  else out.push(...driveWarnings(run.runId, run.drive, t));
  if (run.costs === null) add('missing-costs', `no cost data: ${run.costsError ?? 'not collected'}`);
  else if (run.costs.partial || run.costs.noData.length > 0) {
    const why = [
      ...(run.costs.noData.length > 0 ? [`no data from ${run.costs.noData.join(', ')}`] : []),
      ...run.costs.warnings,
    ];
    add('partial-costs', `cost data incomplete${why.length > 0 ? `: ${why.join('; ')}` : ''}`);
  }
  return out;
}

export function sweepWarnings(
  runs: readonly ReportRun[],
  t: WarningThresholds = DEFAULT_THRESHOLDS,
): RunWarning[] {
  return [...runs].sort((a, b) => a.index - b.index).flatMap((r) => runWarnings(r, t));
}
