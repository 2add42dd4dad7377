/**
 * Time to recover from a fault, and the attachments it affected (pure; ADR 0030).
 *
 * Latency is fulfilment from planned (readyMs - plannedMs), the run's primary figure. The
 * baseline is its p99 (nearest rank) over the attachments planned in the cruise before the first
 * fault; fewer than MIN_BASELINE of them and there is no baseline. A fault recovers at the planned
 * time of the first attachment, planned at or after the injection, that starts a run of
 * `run` consecutive attachments (in planned order, planned before the window ends) each fulfilled
 * within the baseline; recovery time = that planned time - injection. A fault's window ends at
 * the next fault's injection or the cruise's end. The affected attachments are those planned from
 * the injection until recovery (or the window's end) that were fulfilled later than the baseline
 * (delayed) or not at all.
 */
import type { Affected } from './fault-record.js';

/** Consecutive fulfilments within the baseline that mark recovery (one p99 outlier in 100 rarely breaks 10). */
export const RECOVERY_RUN = 10;
/** Fewest pre-fault fulfilments a p99 baseline is taken from. */
export const MIN_BASELINE = 20;
/** Affected attachments named in the record (the counts are always complete). */
export const AFFECTED_NAMES_KEPT = 200;

export interface Fulfilment {
  name: string;
  /** Wall-clock epoch ms. */
  plannedMs: number;
  /** NaN: never fulfilled (also broken or create failed). */
  readyMs: number;
}

export interface Recovery {
  recoveredAtMs: number | null;
  recoveryMs: number | null;
  affected: Affected;
}

export interface FaultAnalysis {
  baselineP99Ms: number | null;
  baselineCount: number;
  /** One per injection given, in the same order (a failed injection: null recovery, none affected). */
  events: Recovery[];
  recoveryMs: number | null;
  recoveryMeasurable: boolean;
  note: string;
}

/** Nearest-rank p99 (the value below which 99% of the sample lies); null for an empty sample. */
export function nearestRankP99(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(0.99 * sorted.length) - 1] ?? null;
}

const latencyOf = (f: Fulfilment): number => f.readyMs - f.plannedMs;
const within = (f: Fulfilment, thresholdMs: number): boolean =>
  Number.isFinite(f.readyMs) && latencyOf(f) <= thresholdMs;

export function baselineOf(
  rows: readonly Fulfilment[],
  cruiseStartMs: number,
  firstFaultMs: number,
): { p99Ms: number | null; count: number } {
  const before = rows
    .filter((f) => f.plannedMs >= cruiseStartMs && f.plannedMs < firstFaultMs && Number.isFinite(f.readyMs))
    .map(latencyOf);
  return { p99Ms: before.length < MIN_BASELINE ? null : nearestRankP99(before), count: before.length };
}

/** Recovery of one fault injected at `fromMs`, its window ending at `untilMs` (rows in any order). */
export function recoveryOf(
  rows: readonly Fulfilment[],
  fromMs: number,
  untilMs: number,
  thresholdMs: number,
  run: number = RECOVERY_RUN,
): Recovery {
  const after = rows
    .filter((f) => f.plannedMs >= fromMs && f.plannedMs < untilMs)
    .sort((a, b) => a.plannedMs - b.plannedMs);
  let start = -1;
  let streak = 0;
  for (let i = 0; i < after.length && start < 0; i++) {
    streak = within(after[i] as Fulfilment, thresholdMs) ? streak + 1 : 0;
    if (streak === run) start = i - run + 1;
  }
  const recoveredAtMs = start < 0 ? null : (after[start] as Fulfilment).plannedMs;
  const hurt = after.slice(0, start < 0 ? after.length : start).filter((f) => !within(f, thresholdMs));
  const never = hurt.filter((f) => !Number.isFinite(f.readyMs)).length;
  return {
    recoveredAtMs,
    recoveryMs: recoveredAtMs === null ? null : recoveredAtMs - fromMs,
    affected: {
      delayed: hurt.length - never,
      neverFulfilled: never,
      names: hurt.slice(0, AFFECTED_NAMES_KEPT).map((f) => f.name),
    },
  };
}

const NONE: Recovery = {
  recoveredAtMs: null,
  recoveryMs: null,
  affected: { delayed: 0, neverFulfilled: 0, names: [] },
};

/** Every fault of a run: `injectedMs` null where the injection failed. */
export function analyseFaults(
  rows: readonly Fulfilment[],
  cruise: { startMs: number; endMs: number },
  injections: readonly { injectedMs: number | null }[],
  run: number = RECOVERY_RUN,
): FaultAnalysis {
  const times = injections.map((i) => i.injectedMs).filter((t): t is number => t !== null);
  if (times.length === 0)
    return {
      baselineP99Ms: null,
      baselineCount: 0,
      events: injections.map(() => NONE),
      recoveryMs: null,
      recoveryMeasurable: false,
      note: 'no fault was injected',
    };
  const first = Math.min(...times);
  const base = baselineOf(rows, cruise.startMs, first);
  if (base.p99Ms === null)
    return {
      baselineP99Ms: null,
      baselineCount: base.count,
      events: injections.map(() => NONE),
      recoveryMs: null,
      recoveryMeasurable: false,
      note: `only ${base.count} attachments fulfilled in the cruise before the first fault (a p99 needs ${MIN_BASELINE}): inject later in the cruise or at a higher OPS`,
    };
  const threshold = base.p99Ms;
  const events = injections.map((inj) => {
    if (inj.injectedMs === null) return NONE;
    const from = inj.injectedMs;
    const next = times.filter((t) => t > from);
    const until = next.length === 0 ? cruise.endMs : Math.min(...next);
    return recoveryOf(rows, from, until, threshold, run);
  });
  const injected = events.filter((_, k) => injections[k]?.injectedMs !== null);
  const unrecovered = injected.filter((e) => e.recoveryMs === null).length;
  return {
    baselineP99Ms: threshold,
    baselineCount: base.count,
    events,
    recoveryMs: unrecovered > 0 ? null : Math.max(...injected.map((e) => e.recoveryMs ?? 0)),
    recoveryMeasurable: true,
    note:
      unrecovered > 0
        ? `${unrecovered} of ${injected.length} faults did not recover before the ${unrecovered === injected.length && injected.length === 1 ? 'cruise ended' : 'next fault or the cruise end'}`
        : `recovered: ${run} consecutive attachments fulfilled within the pre-fault p99 ${threshold.toFixed(1)} ms`,
  };
}
