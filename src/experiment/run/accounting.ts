/**
 * The accounting identities every completed run must satisfy (measurement.md): the drive's count
 * identities (src/driver/drive-count-identities.ts), warm-up filling the population, and cruise
 * at its target rate. Pure; used by the tests and by `npm run main` to say whether a sweep's
 * results can be trusted.
 */
import { driveCountProblems } from '../../driver/drive-count-identities.js';
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
  for (const problem of driveCountProblems(d, r.driver.numAttachments)) out.push(`${r.runId}: ${problem}`);
  check(
    d.population.slots === d.warmup.ops.creates,
    `warm-up creates ${d.warmup.ops.creates} != slots ${d.population.slots}`,
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
