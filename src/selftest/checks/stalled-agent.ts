/**
 * A stalled agent (testbed): the agent group is stopped (SIGSTOP, by PID) for a known time in
 * the middle of a steady drive. Exactly the creates planned while it was stopped, far enough
 * from its end, must come out late (fulfilled more than the threshold after their planned time);
 * a measurement that hid the stall (or invented one) reads another number.
 */
import type { CheckResult } from '../check-result.js';
import type { SelftestCheck } from '../selftest-check.js';

export interface StallMeasurement {
  /** Wall-clock epoch ms when the group was stopped and continued. */
  stoppedMs: number;
  continuedMs: number;
  /** Late means fulfilled more than this after its planned time, ms. */
  thresholdMs: number;
  /** Planned and fulfilled times (driver wall clock, epoch ms) of every create; NaN: never fulfilled. */
  creates: readonly { plannedMs: number; readyMs: number }[];
}

/** The stall's edges are fuzzy by this much: normal latency before it, the backlog after it, ms. */
export const STALL_EDGE_MS = 250;

/**
 * Expected late creates (pure): those planned in [stop, cont - threshold] are late for sure;
 * those within STALL_EDGE_MS outside that may be. Measured: fulfilled later than the threshold.
 */
export function judgeStalledAgent(m: StallMeasurement): CheckResult {
  const planned = (from: number, to: number): number =>
    m.creates.filter((c) => c.plannedMs >= from && c.plannedMs <= to).length;
  const lastSure = m.continuedMs - m.thresholdMs;
  const lo = planned(m.stoppedMs, lastSure - STALL_EDGE_MS);
  const hi = planned(m.stoppedMs - STALL_EDGE_MS, lastSure + STALL_EDGE_MS);
  const late = m.creates.filter((c) => !(c.readyMs - c.plannedMs <= m.thresholdMs)).length;
  return {
    check: `stalled agents (${((m.continuedMs - m.stoppedMs) / 1000).toFixed(1)} s) show as late samples`,
    expected: `${lo}..${hi} late (> ${m.thresholdMs} ms)`,
    measured: `${late} late of ${m.creates.length}`,
    pass: lo > 0 && late >= lo && late <= hi,
  };
}

export function stalledAgentCheck(deps: { stall: () => Promise<StallMeasurement> }): SelftestCheck {
  return { name: 'stalled agent', run: async () => [judgeStalledAgent(await deps.stall())] };
}
