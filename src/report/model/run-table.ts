/** One row per run: factors, achieved vs target rate, counts and cruise latency percentiles. */
import type { Factors, ReportRun } from './report-run.js';
import { primaryLatency, validityOf } from './report-run.js';
import { FAULT_NONE } from '../../experiment/spec/fault-scenario.js';

export type CostState = 'complete' | 'partial' | 'missing';

export interface RunRow {
  runId: string;
  index: number;
  cell: number;
  replicate: number;
  factors: Factors;
  /** The level of factors.faults (none: no fault). */
  fault: string;
  status: ReportRun['status'];
  /** valid | invalid | failed (load-sweep.ts judges records older than verdicts). */
  validity: string;
  error: string | null;
  targetRate: number | null;
  achievedRate: number | null;
  /** achieved / target, as a fraction (1 = on target). */
  achievedRatio: number | null;
  issued: number | null;
  late: number | null;
  attempted: number | null;
  fulfilled: number | null;
  unfulfilled: number | null;
  latencyCount: number;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  p999Ms: number | null;
  maxMs: number | null;
  costs: CostState;
  /** Data-plane tests that failed, and create-to-tested p99 of full tests; null: the run had none. */
  testsFailed: number | null;
  testedP99Ms: number | null;
}

export function costState(run: ReportRun): CostState {
  if (run.costs === null) return 'missing';
  return run.costs.partial || run.costs.noData.length > 0 ? 'partial' : 'complete';
}

export function runRow(run: ReportRun): RunRow {
  const c = run.drive?.cruise ?? null;
  const l = primaryLatency(run);
  const o = c?.outcomes;
  const t = run.drive?.tests;
  return {
    runId: run.runId,
    index: run.index,
    cell: run.cell,
    replicate: run.replicate,
    factors: run.factors,
    fault: run.fault ?? FAULT_NONE,
    status: run.status,
    validity: validityOf(run).status,
    error: run.error,
    targetRate: c?.targetRate ?? null,
    achievedRate: c?.achievedRate ?? null,
    achievedRatio: c === null || c.targetRate === 0 ? null : c.achievedRate / c.targetRate,
    issued: c?.ops.issued ?? null,
    late: c?.ops.late ?? null,
    attempted: o?.attempted ?? null,
    fulfilled: o?.fulfilled ?? null,
    unfulfilled: o === undefined ? null : o.broken + o.neverFulfilled + o.createFailed,
    latencyCount: l?.count ?? 0,
    p50Ms: l?.p50Ms ?? null,
    p90Ms: l?.p90Ms ?? null,
    p99Ms: l?.p99Ms ?? null,
    p999Ms: l?.p999Ms ?? null,
    maxMs: l?.maxMs ?? null,
    costs: costState(run),
    testsFailed: t === undefined ? null : t.full.testFailed + t.setupOnly.testFailed,
    testedP99Ms:
      t === undefined || t.latency.createToTested.count === 0 ? null : t.latency.createToTested.p99Ms,
  };
}

export function runTable(runs: readonly ReportRun[]): RunRow[] {
  return [...runs].sort((a, b) => a.index - b.index).map(runRow);
}
