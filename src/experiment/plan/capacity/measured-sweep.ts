/**
 * Runs a plan on a fresh testbed through the experiment runner and measures, for each run over
 * its cruise window, what the cost model predicts: cores per purpose (the run's cost table for
 * the costed purposes; /proc for the runner, i.e. this process, and for Prometheus) and the watch
 * events the napis delivered (their apiserver_watch_events_total). `kos-test testbed calibrate`
 * fits the model to these; the plan-prediction benchmark compares them with its predictions.
 */
import { waitForFreshSamples } from '../../../costs/fresh-samples.js';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { collectCosts } from '../../../costs/collect-costs.js';
import { counterWindow } from '../../../costs/window-math.js';
import { COSTED_PURPOSES, type CostTable } from '../../../measure/cost-table.js';
import type { HostSampling } from '../../../measure/host-sampler.js';
import { createPrometheusClient } from '../../../prometheus/prometheus-api.js';
import { KosTestError } from '../../../util/errors.js';
import { inProcessDriveStep } from '../../run/drive-step.js';
import { DRIVE_PROCESS_NAME, driveStepFor } from '../../run/shard-drive-step.js';
import { runningChildren } from '../../../process/child-registry.js';
import type { ExperimentPlan, PlannedRun } from '../plan.js';
import { ResultsStore } from '../../store/results-store.js';
import type { RunRecord } from '../../store/run-record.js';
import type { ResolvedSpec } from '../../spec/spec-load.js';
import { runSweep, type CostRequest } from '../../run/sweep-runner.js';
import { TestbedTarget } from '../../target/testbed-target.js';
import type { ModelPurpose } from './cost-model.js';
import { startCpuSampler, type CpuSampler } from './cpu-sampler.js';
import type { CalibrationObservation } from './fit-model.js';
import { DEFAULT_EVENTS } from './default-model.js';
import { runLoad, type EtcdMembers } from './run-load.js';

export interface MeasuredRun {
  run: PlannedRun;
  /** The spec's etcd members (what a prediction of the run needs besides the plan). */
  etcd: EtcdMembers;
  record: RunRecord;
  /** Undefined when the run failed or has no cost table. */
  observation: CalibrationObservation | undefined;
  /** The testbed's own overheads over the cruise window (undefined where not measured). */
  overheads: TestbedOverheads;
}

export interface TestbedOverheads {
  /** Cores of the cost exporter (inside the runner's process: an upper bound, see cost-metrics.ts). */
  exporterCores: number | undefined;
  /** Series Prometheus holds at the window's end (all its series with a sample then). */
  prometheusSeries: number | undefined;
}

export interface MeasuredSweepOptions {
  resolved: ResolvedSpec;
  plan: ExperimentPlan;
  /** The sweep directory (results, runs, and the testbed under testbed/). */
  dir: string;
  sweepId: string;
  log: (m: string) => void;
  signal: AbortSignal;
  /** Samples the host over each drive, so validity judges it as `experiment run` does. @default not judged */
  sampleHost?: () => HostSampling;
}

interface Extra extends TestbedOverheads {
  runner: number | undefined;
  prometheus: number | undefined;
  eventsPerS: number | undefined;
}

/** A counter's increase per second over the window, summed over its series. */
async function counterPerS(
  prometheusUrl: string,
  metric: string,
  fromMs: number,
  toMs: number,
): Promise<number | undefined> {
  const client = createPrometheusClient({ url: prometheusUrl });
  const rangeS = Math.ceil((toMs - fromMs) / 1000) + 30;
  const { series } = await client.querySamples(`${metric}[${rangeS}s]`, toMs + 15_000);
  let rate = 0;
  let any = false;
  for (const s of series) {
    const w = counterWindow(s.samples, fromMs, toMs);
    if (w === undefined || w.coveredMs <= 0) continue;
    rate += w.increase / (w.coveredMs / 1000);
    any = true;
  }
  return any ? rate : undefined;
}

/**
 * Cores per costed purpose, summed over its nodes with CPU data: a node without any in the window
 * did not run in it (e.g. a napi the run before had and this one has not); a purpose with no such
 * node is left out.
 */
export function purposeCores(table: CostTable): Partial<Record<ModelPurpose, number>> {
  const out: Partial<Record<ModelPurpose, number>> = {};
  for (const p of COSTED_PURPOSES) {
    const cores = table.nodes.flatMap((n) =>
      n.purpose === p && n.figures.cpuCores !== null ? [n.figures.cpuCores] : [],
    );
    if (cores.length > 0) out[p] = cores.reduce((a, c) => a + c, 0);
  }
  return out;
}

/** The runner's cores and its drive processes' (none when it drives in itself). */
const plus = (runner: number | undefined, driver: number | undefined): number | undefined =>
  runner === undefined ? undefined : runner + (driver ?? 0);

function measuringCosts(sampler: CpuSampler, extras: Map<number, Extra>) {
  return async (req: CostRequest): Promise<CostTable> => {
    const table = await collectCosts(req);
    await sampler.sample();
    const perS = (metric: string): Promise<number | undefined> =>
      counterPerS(req.prometheusUrl, metric, req.fromMs, req.toMs).catch(() => undefined);
    extras.set(req.fromMs, {
      runner: plus(
        sampler.cores('runner', req.fromMs, req.toMs),
        sampler.cores('driver', req.fromMs, req.toMs),
      ),
      prometheus: sampler.cores('prometheus', req.fromMs, req.toMs),
      eventsPerS: await perS('apiserver_watch_events_total'),
      exporterCores: await perS('kos_testbed_exporter_scrape_cpu_seconds_total'),
      prometheusSeries: await createPrometheusClient({ url: req.prometheusUrl })
        .queryNumber('count({__name__=~".+"})', req.toMs)
        .catch(() => undefined),
    });
    return table;
  };
}

export async function runMeasuredSweep(o: MeasuredSweepOptions): Promise<MeasuredRun[]> {
  const t = o.resolved.spec.target;
  if (t.kind !== 'testbed')
    throw new KosTestError({ what: 'a measured sweep runs on the testbed', value: t.kind });
  const target = new TestbedTarget(t, join(o.dir, 'testbed'), o.log);
  const store = await ResultsStore.create({
    dir: o.dir,
    specText: stringify(o.resolved.spec),
    spec: o.resolved.spec,
    sweepId: o.sweepId,
    seed: o.plan.seed,
    nowMs: Date.now(),
  });
  const sampler = startCpuSampler(() => ({
    runner: process.pid,
    // The drive's own processes (ADR 0041), counted with the runner as the driver they are.
    driver: runningChildren()
      .filter((c) => c.name.startsWith(DRIVE_PROCESS_NAME))
      .map((c) => c.pid),
    prometheus: target.prometheusPid(),
  }));
  const extras = new Map<number, Extra>();
  try {
    await runSweep({
      plan: o.plan,
      store,
      target,
      // Where `experiment run` drives: in the runner, or in processes of the drive's own.
      drive: driveStepFor(inProcessDriveStep(o.log), o.log),
      costs: measuringCosts(sampler, extras),
      samples: (req) => waitForFreshSamples(req),
      X: o.resolved.spec.X,
      validity: o.resolved.validity,
      slos: o.resolved.slos,
      now: Date.now,
      signal: o.signal,
      ...(o.sampleHost === undefined ? {} : { sampleHost: o.sampleHost }),
      emit: (e) => {
        if (e.kind === 'run-start') {
          const f = e.factors;
          o.log(
            `run ${e.index + 1}/${o.plan.runs.length}: OPS ${f.OPS}, NCA ${f.NCA}, POP ${f.POP}, NNA ${f.NNA}`,
          );
        }
      },
    });
  } finally {
    sampler.stop();
    await target.close();
  }
  const byKey = new Map(o.plan.runs.map((r) => [r.key, r]));
  const etcd = { netcd: t.netcd, ketcd: t.ketcd };
  return store.records().flatMap((record): MeasuredRun[] => {
    const run = byKey.get(record.key);
    if (run === undefined) return [];
    const extra = record.costs === null ? undefined : extras.get(record.costs.window.fromMs);
    const cruise = record.drive?.cruise;
    const overheads: TestbedOverheads = {
      exporterCores: extra?.exporterCores,
      prometheusSeries: extra?.prometheusSeries,
    };
    if (record.status !== 'completed' || record.costs === null || extra === undefined || cruise === undefined)
      return [{ run, etcd, record, observation: undefined, overheads }];
    const cores: Partial<Record<ModelPurpose, number>> = { ...purposeCores(record.costs) };
    if (extra.runner !== undefined) cores.runner = extra.runner;
    if (extra.prometheus !== undefined) cores.prometheus = extra.prometheus;
    // Units and peers do not depend on the event model; the achieved rate is what was measured.
    const load = runLoad(run, DEFAULT_EVENTS, etcd);
    const observation: CalibrationObservation = {
      units: load.units,
      opsPerS: cruise.achievedRate,
      peerAgentsPerOp: load.peerAgentsPerOp,
      eventsPerS: extra.eventsPerS,
      cores,
    };
    return [{ run, etcd, record, observation, overheads }];
  });
}
