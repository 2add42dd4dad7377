/**
 * The count identities every finished drive satisfies (measurement.md), on the key counts a
 * drive summary and a run record's drive keys both carry: every create ends in exactly one
 * outcome, the ops add up in each phase and in total, the phases sum to the total, and there
 * were as many creates as attachments asked for. Pure; the experiment's accounting and the
 * selftest's trial drive both judge a drive by it.
 */
import type { OpCounts, OutcomeCounts } from './drive-summary.js';

interface PhaseCounts {
  ops: OpCounts;
  outcomes: OutcomeCounts;
}

/** The counts of a drive: DriveKeys as it is, a DriveSummary as `{ ...s.phases, total, deletes }`. */
export interface DriveCounts {
  warmup: PhaseCounts;
  cruise: PhaseCounts;
  cooldown: PhaseCounts;
  total: PhaseCounts;
  deletes: { attempted: number; succeeded: number; failed: number };
}

/** The identities `d` breaks, as text; empty when every count adds up. */
export function driveCountProblems(d: DriveCounts, numAttachments: number): string[] {
  const out: string[] = [];
  const check = (ok: boolean, what: string): void => {
    if (!ok) out.push(what);
  };
  const phases = [
    ['warm-up', d.warmup],
    ['cruise', d.cruise],
    ['cool-down', d.cooldown],
  ] as const;
  for (const [name, { ops, outcomes: o }] of [...phases, ['total', d.total] as const]) {
    const sum = o.fulfilled + o.broken + o.neverFulfilled + o.createFailed;
    check(o.attempted === sum, `${name}: attempted ${o.attempted} != fulfilled+broken+never+failed ${sum}`);
    check(ops.issued === ops.creates + ops.deletes, `${name}: issued ${ops.issued} != creates+deletes`);
    check(ops.planned === ops.issued + ops.dropped, `${name}: planned ${ops.planned} != issued+dropped`);
  }
  const phasesAttempted = phases.reduce((n, [, p]) => n + p.outcomes.attempted, 0);
  check(
    phasesAttempted === d.total.outcomes.attempted,
    `phase creates ${phasesAttempted} != total ${d.total.outcomes.attempted}`,
  );
  check(
    d.total.outcomes.attempted === numAttachments,
    `creates ${d.total.outcomes.attempted} != numAttachments ${numAttachments}`,
  );
  check(
    d.deletes.attempted === d.deletes.succeeded + d.deletes.failed,
    'deletes attempted != succeeded+failed',
  );
  return out;
}
