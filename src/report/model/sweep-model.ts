/** Everything a sweep report shows, computed from the runs alone (pure; rendering is elsewhere). */
import { FAULT_NONE } from '../../experiment/spec/fault-scenario.js';
import type { SelftestReport } from '../../selftest/check-result.js';
import { cdfPoints, type CdfPoint } from './cdf.js';
import { COST_METRICS, type CostMetric } from './cost-metrics.js';
import { costSeries, purposesOf, type CostPoint } from './cost-series.js';
import { factorLabel, varyingFactors } from './factors.js';
import { faultLevelOf, faultModel, type FaultModel } from './fault-model.js';
import { latencySeries, type LatencyPoint } from './latency-series.js';
import { outsideNodeRows, type OutsideRow } from './outside-nodes.js';
import { primaryLatency, usableRun, validityOf, type FactorName, type SweepInput } from './report-run.js';
import { runTable, type RunRow } from './run-table.js';
import { scalingTable, type ScalingRow } from './scaling.js';
import { verdictModel, type VerdictModel } from './verdict-model.js';
import { sweepWarnings, type RunWarning } from './warnings.js';

export interface RunCdf {
  runId: string;
  /** The run's varying factors and replicate, for the legend. */
  label: string;
  points: CdfPoint[];
}

export interface SweepModel {
  title: string;
  specText: string | null;
  environment: readonly (readonly [string, string])[];
  selftest: SelftestReport | null;
  varying: FactorName[];
  purposes: string[];
  rows: RunRow[];
  latency: { factor: FactorName; points: LatencyPoint[] }[];
  cdfs: RunCdf[];
  costs: { factor: FactorName; metric: CostMetric; points: CostPoint[] }[];
  scaling: ScalingRow[];
  /** Completed runs left out of the scaling fits because they are invalid (0 with includeInvalid). */
  fitExcluded: number;
  includeInvalid: boolean;
  verdict: VerdictModel;
  warnings: RunWarning[];
  /** Nodes seen during a run but not in it, per run (never charged to a purpose). */
  outside: OutsideRow[];
  /** Fault runs: their recovery (empty rows when the sweep had none). */
  faults: FaultModel;
}

export interface SweepModelOptions {
  /** Fit invalid runs too (they are left out by default). @default false */
  includeInvalid?: boolean;
}

export function sweepModel(input: SweepInput, opts: SweepModelOptions = {}): SweepModel {
  // The factor plots compare steady states: runs with a fault are shown in their own section
  // (with none in the sweep, the runs of its first faults level).
  const firstLevel = input.runs[0] === undefined ? undefined : faultLevelOf(input.runs[0]);
  const steadyLevel = input.runs.some((r) => faultLevelOf(r) === FAULT_NONE) ? FAULT_NONE : firstLevel;
  const runs = input.runs.filter((r) => faultLevelOf(r) === steadyLevel);
  const all = input.runs;
  const includeInvalid = opts.includeInvalid ?? false;
  const fitted = runs.filter((r) => usableRun(r, includeInvalid));
  const varying = varyingFactors(all);
  const purposes = purposesOf(all);
  const cdfs = [...all]
    .sort((a, b) => a.index - b.index)
    .flatMap((r): RunCdf[] => {
      const l = primaryLatency(r);
      if (l === null) return [];
      const label = `${r.runId} (${factorLabel(r.factors, varying)}${r.replicate > 0 ? ` #${r.replicate}` : ''})`;
      return [{ runId: r.runId, label, points: cdfPoints(l.histogram) }];
    });
  return {
    title: input.title,
    specText: input.specText,
    environment: input.environment,
    selftest: input.selftest ?? null,
    varying,
    purposes,
    rows: runTable(all),
    latency: varying.map((factor) => ({ factor, points: latencySeries(runs, factor, varying) })),
    cdfs,
    costs:
      purposes.length === 0
        ? []
        : varying.flatMap((factor) =>
            COST_METRICS.map((metric) => ({
              factor,
              metric,
              points: costSeries(runs, factor, varying, metric, purposes),
            })),
          ),
    scaling: scalingTable(fitted, varying, purposes),
    fitExcluded: includeInvalid ? 0 : runs.filter((r) => validityOf(r).status === 'invalid').length,
    includeInvalid,
    verdict: verdictModel(all, varying),
    warnings: sweepWarnings(all),
    outside: outsideNodeRows(all),
    faults: faultModel(all),
  };
}
