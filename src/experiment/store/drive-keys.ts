/** Picks a run record's key numbers out of the driver's full summary (pure). */
import type { DriveSummary, PhaseSummary } from '../../driver/drive-summary.js';
import type { DriveKeys, PhaseKeys } from './run-record.js';

function phaseKeys(p: PhaseSummary): PhaseKeys {
  return {
    window: p.window,
    targetRate: p.targetRate,
    achievedRate: p.achievedRate,
    achievedRatio: p.targetRate > 0 ? p.achievedRate / p.targetRate : null,
    ops: p.ops,
    outcomes: p.outcomes,
  };
}

export function driveKeysOf(s: DriveSummary): DriveKeys {
  return {
    runId: s.runId,
    namespace: s.namespace,
    ending: s.ending,
    population: s.population,
    clock: {
      offsetMs: s.clock.offsetMs,
      uncertaintyMs: s.clock.uncertaintyMs,
      ...(s.clock.wallStepMs === undefined ? {} : { wallStepMs: s.clock.wallStepMs }),
    },
    startedMs: s.startedMs,
    endedMs: s.endedMs,
    warmup: phaseKeys(s.phases.warmup),
    cruise: { ...phaseKeys(s.phases.cruise), latency: s.phases.cruise.latency },
    cooldown: phaseKeys(s.phases.cooldown),
    total: { ops: s.total.ops, outcomes: s.total.outcomes },
    deletes: s.deletes,
    ...(s.tests === undefined ? {} : { tests: s.tests }),
    ...(s.stopped === undefined ? {} : { stopped: s.stopped }),
    ...(s.faults === undefined ? {} : { faults: s.faults }),
    ...(s.crashes === undefined ? {} : { crashes: s.crashes }),
  };
}
