/**
 * What the sweep report reads of one run: a structural subset of the experiment runner's run
 * record (src/experiment/store/run-record.ts), so a parsed record is passed as it is and fields the
 * runner adds later change nothing here.
 */
import type { SelftestReport } from '../../selftest/check-result.js';
import type { z } from 'zod';
import type { LatencySet, OutcomeCounts } from '../../driver/drive-summary.js';
import type { opCountsSchema } from '../../driver/drive-summary.js';
import type { CostTable } from '../../measure/cost-table.js';
import type { FaultRun } from '../../measure/fault-record.js';
import type { TestSummary } from '../../driver/data-plane/test-summary.js';
import type { PhaseWindow } from '../../measure/phase-window.js';
import type { SloResult } from '../../experiment/verdict/slo.js';
import type { Validity } from '../../experiment/verdict/validity.js';
import type { RunStatus } from '../../experiment/store/run-record.js';

export const FACTOR_NAMES = ['OPS', 'NCA', 'POP', 'NNA', 'NKA'] as const;
export type FactorName = (typeof FACTOR_NAMES)[number];
export type Factors = Record<FactorName, number>;
export type OpCounts = z.infer<typeof opCountsSchema>;

export interface ReportPhase {
  window: PhaseWindow;
  targetRate: number;
  achievedRate: number;
  ops: OpCounts;
  outcomes: OutcomeCounts;
}

export interface ReportRun {
  runId: string;
  index: number;
  cell: number;
  replicate: number;
  factors: Factors;
  status: RunStatus;
  error: string | null;
  drive: {
    ending: 'completed' | 'interrupted' | 'failed';
    cruise: ReportPhase & { latency: LatencySet };
    /** Data-plane tests (ADR 0023), when the run had any. */
    tests?: TestSummary | undefined;
    /** The faults injected and the recovery measured (ADR 0030), when the run had any. */
    faults?: FaultRun | undefined;
  } | null;
  /** The level of factors.faults (absent in older records: none). */
  fault?: string | undefined;
  /** Fulfilment latency over the cruise, one point per attachment (fault runs; load-sweep.ts). */
  timeline?: TimelinePoint[] | undefined;
  costs: CostTable | null;
  costsError: string | null;
  /** Filled in by load-sweep.ts for every run (judged there for records older than verdicts). */
  validity?: Validity;
  slos?: SloResult[];
}

export interface TimelinePoint {
  /** Planned time of the create, seconds after the cruise started. */
  tS: number;
  /** Fulfilment from planned; null: never fulfilled. */
  latencyMs: number | null;
}

/** The run's validity (a run given without one, as in model tests, is valid unless it failed). */
export function validityOf(run: ReportRun): Validity {
  return run.validity ?? { status: run.status === 'failed' ? 'failed' : 'valid', reasons: [] };
}

/** Whether a run's numbers may enter fits and comparisons: valid, or invalid ones when asked. */
export function usableRun(run: ReportRun, includeInvalid: boolean): boolean {
  const s = validityOf(run).status;
  return s === 'valid' || (includeInvalid && s === 'invalid');
}

/** The runs of a sweep the report is about, with what it shows of the sweep itself. */
export interface SweepInput {
  title: string;
  /** The spec as the user wrote it (YAML text), when the sweep directory has it. */
  specText: string | null;
  /** Key/value facts about where and how the sweep ran. */
  environment: readonly (readonly [string, string])[];
  /** The selftest `experiment run` ran before the sweep (selftest.json), if it did. */
  selftest?: SelftestReport | null;
  runs: readonly ReportRun[];
}

/** The cruise latency every plot and table shows: fulfilment from the planned time. */
export function primaryLatency(run: ReportRun): LatencySet['fulfilmentFromPlanned'] | null {
  const l = run.drive?.cruise.latency.fulfilmentFromPlanned;
  return l !== undefined && l.count > 0 ? l : null;
}
