/**
 * A trial drive (cluster): 30 s at a tenth of the planned OPS, with every count adding up: each
 * create ends in exactly one outcome, every planned op was issued or dropped, the phases sum to
 * the total, and no attachment was lost. A cluster that loses or double-counts here would at
 * full rate too.
 */
import { driveCountProblems } from '../../driver/drive-count-identities.js';
import type { DriveSummary } from '../../driver/drive-summary.js';
import type { CheckResult } from '../check-result.js';
import type { SelftestCheck } from '../selftest-check.js';

/** The count identities the summary breaks, then what a trial may not have: losses, an early end. */
export function summaryCountProblems(s: DriveSummary, numAttachments: number): string[] {
  const out = driveCountProblems({ ...s.phases, total: s.total, deletes: s.deletes }, numAttachments);
  const lost = s.total.outcomes.broken + s.total.outcomes.neverFulfilled + s.total.outcomes.createFailed;
  if (lost > 0) out.push(`${lost} attachments not fulfilled`);
  if (s.ending !== 'completed') out.push(`the drive ended ${s.ending}`);
  return out;
}

export function judgeTrialDrive(s: DriveSummary, numAttachments: number, ops: number): CheckResult {
  const problems = summaryCountProblems(s, numAttachments);
  const o = s.total.outcomes;
  return {
    check: `trial drive at ${ops} ops/s: counts add up`,
    expected: `${numAttachments} creates, each fulfilled; every identity holds`,
    measured: `${o.attempted} attempted, ${o.fulfilled} fulfilled, ${s.total.ops.issued} ops issued`,
    pass: problems.length === 0,
    ...(problems.length === 0 ? {} : { note: problems.slice(0, 3).join('; ') }),
  };
}

export function trialDriveCheck(deps: {
  ops: number;
  numAttachments: number;
  drive: () => Promise<DriveSummary>;
}): SelftestCheck {
  return {
    name: 'trial drive',
    run: async () => [judgeTrialDrive(await deps.drive(), deps.numAttachments, deps.ops)],
  };
}
