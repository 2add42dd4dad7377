/**
 * The report's view of fault runs (pure): one row per fault with its recovery, recovery time
 * against NNA per scenario, and each fault run's latency over time with its faults marked. The
 * sweep report and the lone drive's report (`report --run`) both draw a run's faults from here.
 */
import { FAULT_NONE } from '../../experiment/spec/fault-scenario.js';
import type { FaultRun } from '../../measure/fault-record.js';
import type { Fulfilment } from '../../measure/recovery.js';
import { groupBy, mean } from './factors.js';
import type { Factors, ReportRun, TimelinePoint } from './report-run.js';

/** One run's faults as the fault views read them: a sweep's record, or a lone drive's files. */
export interface FaultSubject {
  runId: string;
  /** Null for a lone drive (it has no grid). */
  factors: Factors | null;
  faults: FaultRun;
  /** The cruise's start, wall-clock epoch ms: fault times are shown relative to it. */
  cruiseStartMs: number;
  /** Latency over the cruise (absent when the per-attachment rows are gone). */
  timeline?: TimelinePoint[] | undefined;
}

export interface FaultRow {
  runId: string;
  /** Null for a lone drive. */
  factors: Factors | null;
  scenario: string;
  /** e.g. "stop comp-group0", "delay 200 ms napi0", or why it was not injected. */
  fault: string;
  /** Seconds after the cruise started; null: not injected. */
  atS: number | null;
  /** How long the fault lasted (a stop's SIGSTOP to SIGCONT, a network fault until it healed), s. */
  lastedS: number | null;
  recoveryS: number | null;
  baselineP99Ms: number | null;
  delayed: number;
  neverFulfilled: number;
  note: string;
}

export interface RecoveryPoint {
  scenario: string;
  NNA: number;
  /** Mean over the runs that recovered; null when none did (a gap, never 0). */
  recoveryS: number | null;
  recovered: number;
  runs: number;
}

export interface FaultTimeline {
  runId: string;
  title: string;
  points: TimelinePoint[];
  /** Seconds after the cruise started: each fault's start, end, and recovery (null: none). */
  marks: { atS: number; endS: number; recoveredS: number | null }[];
  baselineP99Ms: number | null;
}

export interface FaultModel {
  rows: FaultRow[];
  recovery: RecoveryPoint[];
  timelines: FaultTimeline[];
}

export const faultLevelOf = (r: ReportRun): string => r.fault ?? FAULT_NONE;

const seconds = (ms: number | null | undefined): number | null =>
  ms === null || ms === undefined ? null : ms / 1000;

/** The fault runs of a sweep as subjects, in run order. */
export function faultSubjects(runs: readonly ReportRun[]): FaultSubject[] {
  return runs.flatMap((r) =>
    r.drive?.faults === undefined
      ? []
      : [
          {
            runId: r.runId,
            factors: r.factors,
            faults: r.drive.faults,
            cruiseStartMs: r.drive.cruise.window.startMs,
            timeline: r.timeline,
          },
        ],
  );
}

export function faultRows(runs: readonly FaultSubject[]): FaultRow[] {
  return runs.flatMap((r) => {
    const f = r.faults;
    const start = r.cruiseStartMs;
    return f.events.map((e) => ({
      runId: r.runId,
      factors: r.factors,
      scenario: f.scenario,
      fault:
        e.error === null
          ? `${e.action}${e.delayMs === undefined ? '' : ` ${e.delayMs} ms`} ${e.process}`
          : `not injected: ${e.error}`,
      atS: e.injectedMs === null ? null : (e.injectedMs - start) / 1000,
      lastedS: e.injectedMs === null || e.endedMs === null ? null : (e.endedMs - e.injectedMs) / 1000,
      recoveryS: seconds(e.recoveryMs),
      baselineP99Ms: f.baselineP99Ms,
      delayed: e.affected.delayed,
      neverFulfilled: e.affected.neverFulfilled,
      note: f.note,
    }));
  });
}

/** Per scenario and NNA: the runs' recovery times (each run's longest), averaged over those that recovered. */
export function recoveryAgainstNna(runs: readonly ReportRun[]): RecoveryPoint[] {
  const faulted = runs.filter((r) => r.drive?.faults !== undefined);
  const groups = groupBy(faulted, (r) => `${faultLevelOf(r)}\u0000${r.factors.NNA}`);
  return [...groups.values()]
    .map((g) => {
      const times = g.flatMap((r) => {
        const ms = r.drive?.faults?.recoveryMs;
        return ms === null || ms === undefined ? [] : [ms / 1000];
      });
      return {
        scenario: faultLevelOf(g[0]),
        NNA: g[0].factors.NNA,
        recoveryS: mean(times),
        recovered: times.length,
        runs: g.length,
      };
    })
    .sort((a, b) => a.scenario.localeCompare(b.scenario) || a.NNA - b.NNA);
}

/** Latency over the cruise from the per-attachment rows, times relative to its start (pure). */
export function timelineOf(
  rows: readonly Fulfilment[],
  cruise: { startMs: number; endMs: number },
): TimelinePoint[] {
  return rows
    .filter((f) => f.plannedMs >= cruise.startMs && f.plannedMs < cruise.endMs)
    .sort((a, b) => a.plannedMs - b.plannedMs)
    .map((f) => ({
      tS: (f.plannedMs - cruise.startMs) / 1000,
      latencyMs: Number.isFinite(f.readyMs) ? f.readyMs - f.plannedMs : null,
    }));
}

export function faultTimelines(runs: readonly FaultSubject[]): FaultTimeline[] {
  return runs.flatMap((r) => {
    const f = r.faults;
    if (r.timeline === undefined) return [];
    const rel = (ms: number): number => (ms - r.cruiseStartMs) / 1000;
    return [
      {
        runId: r.runId,
        title: `${r.runId}: ${f.scenario}${r.factors === null ? '' : ` (NNA=${r.factors.NNA})`}`,
        points: r.timeline,
        marks: f.events.flatMap((e) =>
          e.injectedMs === null
            ? []
            : [
                {
                  atS: rel(e.injectedMs),
                  endS: rel(e.endedMs ?? e.injectedMs),
                  recoveredS: e.recoveredAtMs === null ? null : rel(e.recoveredAtMs),
                },
              ],
        ),
        baselineP99Ms: f.baselineP99Ms,
      },
    ];
  });
}

export function faultModel(runs: readonly ReportRun[]): FaultModel {
  const subjects = faultSubjects(runs);
  return {
    rows: faultRows(subjects),
    recovery: recoveryAgainstNna(runs),
    timelines: faultTimelines(subjects),
  };
}

/** A lone drive's faults: its rows and its timeline (recovery against NNA needs a grid). */
export function runFaultModel(run: FaultSubject): FaultModel {
  return { rows: faultRows([run]), recovery: [], timelines: faultTimelines([run]) };
}
