/**
 * results.csv from the run records (pure): one row per run with the factors, achieved OPS,
 * counts, cruise latency percentiles, per-purpose costs and per-op costs. Unknown is empty,
 * never 0 (cost-table.ts).
 */
import { COSTED_PURPOSES, type CostFigures, type PurposeCost } from '../../measure/cost-table.js';
import type { LatencyStats } from '../../measure/latency-stats.js';
import { unplannedCrashes } from '../../measure/process-crash.js';
import { csvText, type CsvCell } from '../../util/csv.js';
import type { RunRecord } from './run-record.js';

interface Column {
  name: string;
  value: (r: RunRecord) => CsvCell;
}

function latencyColumns(prefix: string, pick: (r: RunRecord) => LatencyStats | undefined): Column[] {
  const keys = ['count', 'p50Ms', 'p90Ms', 'p99Ms', 'p999Ms', 'maxMs', 'meanMs'] as const;
  const names = ['count', 'p50_ms', 'p90_ms', 'p99_ms', 'p999_ms', 'max_ms', 'mean_ms'];
  return keys.map((k, i) => ({ name: `${prefix}_${names[i] ?? k}`, value: (r) => pick(r)?.[k] }));
}

function purposeOf(r: RunRecord, purpose: string): PurposeCost | undefined {
  return r.costs?.purposes.find((p) => p.purpose === purpose);
}

function costColumns(purpose: string): Column[] {
  const mean = (k: keyof CostFigures) => (r: RunRecord) => purposeOf(r, purpose)?.mean[k];
  const max = (k: keyof CostFigures) => (r: RunRecord) => purposeOf(r, purpose)?.max[k];
  return [
    { name: `${purpose}_nodes`, value: (r) => purposeOf(r, purpose)?.nodes },
    { name: `${purpose}_cpu_cores_mean`, value: mean('cpuCores') },
    { name: `${purpose}_cpu_cores_max`, value: max('cpuCores') },
    { name: `${purpose}_working_set_avg_bytes_mean`, value: mean('workingSetAvgBytes') },
    { name: `${purpose}_working_set_max_bytes_max`, value: max('workingSetMaxBytes') },
    { name: `${purpose}_net_in_bytes_per_s_mean`, value: mean('netInBytesPerSecond') },
    { name: `${purpose}_net_out_bytes_per_s_mean`, value: mean('netOutBytesPerSecond') },
    { name: `${purpose}_cpu_seconds_per_op`, value: (r) => purposeOf(r, purpose)?.perOp?.cpuSecondsPerOp },
    { name: `${purpose}_net_in_bytes_per_op`, value: (r) => purposeOf(r, purpose)?.perOp?.netInBytesPerOp },
    { name: `${purpose}_net_out_bytes_per_op`, value: (r) => purposeOf(r, purpose)?.perOp?.netOutBytesPerOp },
  ];
}

const faultSeconds = (ms: number | null | undefined): number | undefined =>
  ms === null || ms === undefined ? undefined : ms / 1000;

export const CSV_COLUMNS: Column[] = [
  { name: 'run_id', value: (r) => r.runId },
  { name: 'key', value: (r) => r.key },
  { name: 'index', value: (r) => r.index },
  { name: 'cell', value: (r) => r.cell },
  { name: 'replicate', value: (r) => r.replicate },
  { name: 'status', value: (r) => r.status },
  { name: 'validity', value: (r) => r.validity?.status },
  { name: 'validity_reasons', value: (r) => r.validity?.reasons.map((x) => x.code).join(';') },
  { name: 'slos_passed', value: (r) => r.slos?.filter((x) => x.status === 'pass').length },
  { name: 'slos_failed', value: (r) => r.slos?.filter((x) => x.status !== 'pass').length },
  {
    name: 'slos_failing',
    value: (r) =>
      r.slos
        ?.filter((x) => x.status !== 'pass')
        .map((x) => x.slo)
        .join(';'),
  },
  { name: 'OPS', value: (r) => r.factors.OPS },
  { name: 'NCA', value: (r) => r.factors.NCA },
  { name: 'POP', value: (r) => r.factors.POP },
  { name: 'NNA', value: (r) => r.factors.NNA },
  { name: 'NKA', value: (r) => r.factors.NKA },
  { name: 'X', value: (r) => r.X },
  { name: 'pop_multiple', value: (r) => r.popMultiple },
  { name: 'slots', value: (r) => r.drive?.population.slots },
  { name: 'warmup_s', value: (r) => r.phases.warmupS },
  { name: 'cruise_s', value: (r) => r.phases.cruiseS },
  { name: 'cooldown_s', value: (r) => r.phases.cooldownS },
  { name: 'cruise_start_ms', value: (r) => r.drive?.cruise.window.startMs },
  { name: 'cruise_end_ms', value: (r) => r.drive?.cruise.window.endMs },
  { name: 'cruise_target_ops', value: (r) => r.drive?.cruise.targetRate },
  { name: 'cruise_achieved_ops', value: (r) => r.drive?.cruise.achievedRate },
  { name: 'cruise_achieved_ratio', value: (r) => r.drive?.cruise.achievedRatio },
  ...(['planned', 'issued', 'creates', 'deletes', 'late', 'dropped'] as const).map((k) => ({
    name: `cruise_ops_${k}`,
    value: (r: RunRecord) => r.drive?.cruise.ops[k],
  })),
  ...(['attempted', 'fulfilled', 'broken', 'neverFulfilled', 'createFailed'] as const).map((k) => ({
    name: `cruise_${k}`,
    value: (r: RunRecord) => r.drive?.cruise.outcomes[k],
  })),
  ...(['attempted', 'fulfilled', 'broken', 'neverFulfilled', 'createFailed'] as const).map((k) => ({
    name: `total_${k}`,
    value: (r: RunRecord) => r.drive?.total.outcomes[k],
  })),
  { name: 'deletes_failed', value: (r) => r.drive?.deletes.failed },
  ...latencyColumns('fulfil_planned', (r) => r.drive?.cruise.latency.fulfilmentFromPlanned),
  ...latencyColumns('fulfil_sent', (r) => r.drive?.cruise.latency.fulfilmentFromSent),
  ...latencyColumns('server_fulfil', (r) => r.drive?.cruise.latency.serverFulfilment),
  ...latencyColumns('lateness', (r) => r.drive?.cruise.latency.lateness),
  // Data-plane tests over the whole run (ADR 0023); empty when the run had none.
  { name: 'test_fraction', value: (r) => r.drive?.tests?.testFraction },
  ...(['carried', 'tested', 'testFailed', 'untested'] as const).map((k) => ({
    name: `tests_${k}`,
    value: (r: RunRecord) => {
      const t = r.drive?.tests;
      return t === undefined ? undefined : t.full[k] + t.setupOnly[k];
    },
  })),
  { name: 'address_duplicates', value: (r) => r.drive?.tests?.addressProblems.duplicates },
  { name: 'address_out_of_subnet', value: (r) => r.drive?.tests?.addressProblems.outOfSubnet },
  ...latencyColumns('create_to_tested', (r) => r.drive?.tests?.latency.createToTested),
  ...latencyColumns('ready_to_tested', (r) => r.drive?.tests?.latency.readyToTested),
  { name: 'stopped', value: (r) => r.drive?.stopped?.reason },
  ...COSTED_PURPOSES.flatMap(costColumns),
  { name: 'host_cpus', value: (r) => r.host?.cpus },
  { name: 'host_busy_fraction', value: (r) => r.host?.busyFraction },
  { name: 'host_steal_fraction', value: (r) => r.host?.stealFraction },
  { name: 'host_pressure_some_fraction', value: (r) => r.host?.pressureSomeFraction },
  { name: 'host_run_queue_per_cpu', value: (r) => r.host?.runQueuePerCpu },
  { name: 'costs_partial', value: (r) => r.costs?.partial },
  { name: 'costs_error', value: (r) => r.costsError },
  { name: 'error', value: (r) => r.error },
  { name: 'started_ms', value: (r) => r.timing.startedMs },
  { name: 'ended_ms', value: (r) => r.timing.endedMs },
  // Groups added later go here, at the end, in the order they came: a new group never moves the
  // columns before it (ADR 0035). The file is written whole from results.jsonl every time, so a
  // resumed sweep's results.csv takes the new layout when reopened, old runs included.
  // Faults (ADR 0030): the level, when each was injected, recovery and the attachments hurt.
  { name: 'fault', value: (r) => r.fault },
  {
    name: 'fault_injected_ms',
    value: (r) => r.drive?.faults?.events.map((e) => e.injectedMs ?? '').join(';'),
  },
  { name: 'fault_baseline_p99_ms', value: (r) => r.drive?.faults?.baselineP99Ms },
  { name: 'fault_recovery_s', value: (r) => faultSeconds(r.drive?.faults?.recoveryMs) },
  { name: 'fault_recovery_measurable', value: (r) => r.drive?.faults?.recoveryMeasurable },
  {
    name: 'fault_affected_delayed',
    value: (r) => r.drive?.faults?.events.reduce((n, e) => n + e.affected.delayed, 0),
  },
  {
    name: 'fault_affected_never_fulfilled',
    value: (r) => r.drive?.faults?.events.reduce((n, e) => n + e.affected.neverFulfilled, 0),
  },
  // Testbed crashes during the run that no injected kill explains (ADR 0035, 0039); empty: not known.
  {
    name: 'unplanned_restarts',
    value: (r) =>
      r.drive?.crashes === undefined ? undefined : unplannedCrashes(r.drive.crashes, r.drive.faults).length,
  },
];

export function resultsCsv(records: readonly RunRecord[]): string {
  const sorted = [...records].sort((a, b) => a.index - b.index);
  return csvText(
    CSV_COLUMNS.map((c) => c.name),
    sorted.map((r) => CSV_COLUMNS.map((c) => c.value(r))),
  );
}
