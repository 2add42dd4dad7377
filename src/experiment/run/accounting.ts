/**
 * The accounting identities every completed run must satisfy (measurement.md): every create ends
 * in exactly one outcome, the ops add up, and cruise ran at its target rate. Pure; used by the
 * tests and by `npm run main` to say whether a sweep's results can be trusted.
 */
import type { RunRecord } from '../store/run-record.js';
import { DEFAULT_VALIDITY } from '../verdict/validity.js';

/** Cruise ops issued within this fraction of OPS x cruise duration (the validity default). */
export const RATE_TOLERANCE = DEFAULT_VALIDITY.rateTolerance;

export function accountingProblems(r: RunRecord): string[] {
  if (r.status !== 'completed') return [`${r.runId}: ${r.status} (${r.error ?? ''})`];
  const d = r.drive;
  if (d === null) return [`${r.runId}: completed without a driver summary`];
  const out: string[] = [];
  const check = (ok: boolean, what: string): void => {
    if (!ok) out.push(`${r.runId}: ${what}`);
  };
  for (const [name, o] of [
    ['warm-up', d.warmup.outcomes],
    ['cruise', d.cruise.outcomes],
    ['cool-down', d.cooldown.outcomes],
    ['total', d.total.outcomes],
  ] as const) {
    const sum = o.fulfilled + o.broken + o.neverFulfilled + o.createFailed;
    check(o.attempted === sum, `${name}: attempted ${o.attempted} != fulfilled+broken+never+failed ${sum}`);
  }
  const phasesAttempted =
    d.warmup.outcomes.attempted + d.cruise.outcomes.attempted + d.cooldown.outcomes.attempted;
  check(
    phasesAttempted === d.total.outcomes.attempted,
    `phase creates ${phasesAttempted} != total ${d.total.outcomes.attempted}`,
  );
  check(
    d.total.outcomes.attempted === r.driver.numAttachments,
    `creates ${d.total.outcomes.attempted} != numAttachments ${r.driver.numAttachments}`,
  );
  for (const [name, p] of [
    ['warm-up', d.warmup],
    ['cruise', d.cruise],
    ['cool-down', d.cooldown],
  ] as const) {
    check(
      p.ops.issued === p.ops.creates + p.ops.deletes,
      `${name}: issued ${p.ops.issued} != creates+deletes`,
    );
    check(
      p.ops.planned === p.ops.issued + p.ops.dropped,
      `${name}: planned ${p.ops.planned} != issued+dropped`,
    );
  }
  check(
    d.population.slots === d.warmup.ops.creates,
    `warm-up creates ${d.warmup.ops.creates} != slots ${d.population.slots}`,
  );
  check(
    d.deletes.attempted === d.deletes.succeeded + d.deletes.failed,
    'deletes attempted != succeeded+failed',
  );
  const ratio = d.cruise.achievedRatio;
  check(
    ratio !== null && Math.abs(ratio - 1) <= RATE_TOLERANCE,
    `cruise achieved ${d.cruise.achievedRate} ops/s vs target ${d.cruise.targetRate} (beyond ${RATE_TOLERANCE * 100}%)`,
  );
  const expected = r.factors.OPS * r.phases.cruiseS;
  check(
    Math.abs(d.cruise.ops.issued - expected) <= RATE_TOLERANCE * expected,
    `cruise issued ${d.cruise.ops.issued} ops, planned OPS x cruise = ${expected}`,
  );
  return out;
}
