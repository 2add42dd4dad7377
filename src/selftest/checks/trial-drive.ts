/**
 * A trial drive (cluster): 30 s at a tenth of the planned OPS, with every count adding up: each
 * create ends in exactly one outcome, every planned op was issued or dropped, the phases sum to
 * the total, and no attachment was lost. A cluster that loses or double-counts here would at
 * full rate too.
 */
import type { DriveSummary } from '../../driver/drive-summary.js';
import type { CheckResult } from '../check-result.js';
import type { SelftestCheck } from '../selftest-check.js';

/** The identities the summary breaks, as text; empty when every count adds up (pure). */
export function summaryCountProblems(s: DriveSummary, numAttachments: number): string[] {
  const out: string[] = [];
  const phases = [s.phases.warmup, s.phases.cruise, s.phases.cooldown] as const;
  for (const [name, p] of [
    ['warm-up', s.phases.warmup],
    ['cruise', s.phases.cruise],
    ['cool-down', s.phases.cooldown],
    ['total', s.total],
  ] as const) {
    const o = p.outcomes;
    const ends = o.fulfilled + o.broken + o.neverFulfilled + o.createFailed;
    if (o.attempted !== ends) out.push(`${name}: attempted ${o.attempted} != outcomes ${ends}`);
    if (p.ops.issued !== p.ops.creates + p.ops.deletes) out.push(`${name}: issued != creates + deletes`);
    if (p.ops.planned !== p.ops.issued + p.ops.dropped) out.push(`${name}: planned != issued + dropped`);
  }
  const attempted = phases.reduce((n, p) => n + p.outcomes.attempted, 0);
  if (attempted !== s.total.outcomes.attempted)
    out.push(`phase creates ${attempted} != total ${s.total.outcomes.attempted}`);
  if (s.total.outcomes.attempted !== numAttachments)
    out.push(`creates ${s.total.outcomes.attempted} != numAttachments ${numAttachments}`);
  if (s.deletes.attempted !== s.deletes.succeeded + s.deletes.failed)
    out.push('deletes attempted != succeeded + failed');
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
