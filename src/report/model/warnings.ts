/**
 * What a report flags about a run beyond its validity: the validity reasons (validity.ts) are the
 * one source for everything they judge (failure, interruption, rate, late ops, unfulfilled
 * attachments, costs when required, faults, crashes), so a warning is only a fact they do not
 * cover (ADR 0035). Each kind has its own message.
 */
import type { ReportRun } from './report-run.js';
import { validityOf } from './report-run.js';

export type WarningKind =
  'dropped-ops' | 'test-failed' | 'address-problems' | 'missing-costs' | 'partial-costs';

export interface RunWarning {
  runId: string;
  kind: WarningKind;
  message: string;
}

/** Warnings from the driver's numbers alone (also used by the per-run report). */
export function driveWarnings(runId: string, d: NonNullable<ReportRun['drive']>): RunWarning[] {
  const out: RunWarning[] = [];
  const add = (kind: WarningKind, message: string): void => {
    out.push({ runId, kind, message });
  };
  const c = d.cruise;
  if (c.ops.dropped > 0) add('dropped-ops', `${c.ops.dropped} planned cruise ops never sent`);
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

/**
 * Costs are warned of only where the run's validity did not judge them (validity.requireCosts
 * false); a failed run measured nothing, costs included, as its reason says.
 */
function costWarnings(run: ReportRun): RunWarning[] {
  const v = validityOf(run);
  if (v.status === 'failed' || v.reasons.some((r) => r.code.startsWith('costs-'))) return [];
  if (run.costs === null)
    return [
      {
        runId: run.runId,
        kind: 'missing-costs',
        message: `no cost data: ${run.costsError ?? 'not collected'}`,
      },
    ];
  if (!run.costs.partial && run.costs.noData.length === 0) return [];
  const why = [
    ...(run.costs.noData.length > 0 ? [`no data from ${run.costs.noData.join(', ')}`] : []),
    ...run.costs.warnings,
  ];
  return [
    {
      runId: run.runId,
      kind: 'partial-costs',
      message: `cost data incomplete${why.length > 0 ? `: ${why.join('; ')}` : ''}`,
    },
  ];
}

export function runWarnings(run: ReportRun): RunWarning[] {
  return [...(run.drive === null ? [] : driveWarnings(run.runId, run.drive)), ...costWarnings(run)];
}

export function sweepWarnings(runs: readonly ReportRun[]): RunWarning[] {
  return [...runs].sort((a, b) => a.index - b.index).flatMap((r) => runWarnings(r));
}
