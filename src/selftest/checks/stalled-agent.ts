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

/** The stall's edges are fuzzy by at least this much: normal latency before it and after it, ms. */
export const STALL_EDGE_MS = 250;

/**
 * Expected late creates (pure): those planned in [stop, cont - threshold] are late for sure;
 * those within STALL_EDGE_MS before that may be, and so may those planned up to the backlog's
 * drain time after it (a create planned at t is fulfilled at cont + drain at the latest, so it is
 * late when t < cont - threshold + drain). The drain is read from the held creates themselves: on
 * a busy machine the woken agents take longer than the fixed edge to catch up. Measured:
 * fulfilled later than the threshold.
 */
export function judgeStalledAgent(m: StallMeasurement): CheckResult {
  const planned = (from: number, to: number): number =>
    m.creates.filter((c) => c.plannedMs >= from && c.plannedMs <= to).length;
  const drainMs = Math.max(
    0,
    ...m.creates
      .filter((c) => c.plannedMs >= m.stoppedMs && c.plannedMs <= m.continuedMs && !Number.isNaN(c.readyMs))
      .map((c) => c.readyMs - m.continuedMs),
  );
  const lastSure = m.continuedMs - m.thresholdMs;
  const lo = planned(m.stoppedMs, lastSure - STALL_EDGE_MS);
  const hi = planned(m.stoppedMs - STALL_EDGE_MS, lastSure + Math.max(STALL_EDGE_MS, drainMs));
  const late = m.creates.filter((c) => !(c.readyMs - c.plannedMs <= m.thresholdMs)).length;
  return {
    check: `stalled agents (${((m.continuedMs - m.stoppedMs) / 1000).toFixed(1)} s) show as late samples`,
    expected: `${lo}..${hi} late (> ${m.thresholdMs} ms; backlog drained ${drainMs.toFixed(0)} ms after the stall)`,
    measured: `${late} late of ${m.creates.length}`,
    pass: lo > 0 && late >= lo && late <= hi,
  };
}

export function stalledAgentCheck(deps: { stall: () => Promise<StallMeasurement> }): SelftestCheck {
  return { name: 'stalled agent', run: async () => [judgeStalledAgent(await deps.stall())] };
}
