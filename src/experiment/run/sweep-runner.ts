/**
 * The sweep loop: for each planned run not yet recorded, configure the target when its shape
 * changes (then wait for a fresh cost sample of every node of the run), wait until idle, drive,
 * collect costs of the run's nodes over the cruise window, clean up, and record.
 * A failed run is recorded as failed and the sweep goes on; an abort (^C) stops at once and
 * records nothing for the run in progress, which --resume re-does.
 */
import { join } from 'node:path';
import type { DriveSummary } from '../../driver/drive-summary.js';
import type { DrivePhase } from '../../driver/run-drive.js';
import type { CostTable, RunNode } from '../../measure/cost-table.js';
import { hostLoadOver, type HostLoad } from '../../measure/host-load.js';
import type { HostSampling } from '../../measure/host-sampler.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { toError } from '../../util/errors.js';
import { driveKeysOf } from '../store/drive-keys.js';
import { driverMetricsEndpoints, metricsUrlOf, type MetricsEndpoint } from '../target/driver-endpoints.js';
import type { ExperimentPlan, PlannedRun } from '../plan/plan.js';
import type { ResultsStore } from '../store/results-store.js';
import { RUN_RECORD_SCHEMA, type RunRecord, type RunTiming } from '../store/run-record.js';
import { evaluateSlos, type Slo } from '../verdict/slo.js';
import { judgeValidity, type ValidityThresholds } from '../verdict/validity.js';
import type { RunStep, SweepEvent } from './sweep-events.js';
import type { ExperimentTarget, TargetShape } from '../target/target.js';

export interface DriveRequest {
  run: PlannedRun;
  runId: string;
  /** The run's directory (runs/<runId>); the driver writes its outputs here. */
  outDir: string;
  kubeconfigPath: string;
  target: ExperimentTarget;
  /** Where shard i serves /metrics (one entry per shard), registered with the target's Prometheus. */
  metrics: readonly MetricsEndpoint[];
  /** Told each time the driver enters a phase (for the progress line). */
  onPhase?: (phase: DrivePhase) => void;
  signal: AbortSignal;
}
export type DriveStep = (req: DriveRequest) => Promise<DriveSummary>;

export interface CostRequest {
  prometheusUrl: string;
  fromMs: number;
  toMs: number;
  ops: number;
  nodePurposes: Record<string, string>;
  /** The nodes of the run: the only ones costed and flagged (recorded in costs.json). */
  runNodes: RunNode[];
  interfaceFilter: string;
  signal: AbortSignal;
}
export type CostStep = (req: CostRequest) => Promise<CostTable>;

export interface FreshSampleRequest {
  prometheusUrl: string;
  nodes: string[];
  /** Samples taken before this do not count (the end of the reconfiguration). */
  sinceMs: number;
  timeoutMs: number;
  signal: AbortSignal;
}
/** Waits until Prometheus has a sample of every node taken since `sinceMs` (fresh-samples.ts). */
export type FreshSampleStep = (req: FreshSampleRequest) => Promise<void>;

export interface SweepOptions {
  plan: ExperimentPlan;
  store: ResultsStore;
  target: ExperimentTarget;
  drive: DriveStep;
  costs: CostStep;
  samples: FreshSampleStep;
  X: number;
  now: () => number;
  signal: AbortSignal;
  emit: (e: SweepEvent) => void;
  /** When a run is valid (the spec's `validity:`), and the SLOs judged on each run. */
  validity: ValidityThresholds;
  slos: readonly Slo[];
  /** Starts sampling the host's load for the drive step; without it the host is not judged. */
  sampleHost?: () => HostSampling;
  /** After each recorded run (e.g. refresh the report); a failure here is told, not fatal. */
  afterRun?: (record: RunRecord) => Promise<void>;
}

export function runIdOf(sweepId: string, run: PlannedRun, attempt: number): string {
  const base = `${sweepId}-${String(run.index).padStart(3, '0')}`;
  return attempt === 0 ? base : `${base}-a${attempt}`;
}

function sameShape(a: TargetShape | undefined, b: TargetShape): boolean {
  return a !== undefined && a.NCA === b.NCA && a.NNA === b.NNA && a.NKA === b.NKA;
}

export async function runSweep(
  o: SweepOptions,
): Promise<{ completed: number; failed: number; skipped: number; valid: number; invalid: number }> {
  const recorded = o.store.recordedKeys();
  const todo = o.plan.runs.filter((r) => !recorded.has(r.key));
  o.emit({
    kind: 'sweep-start',
    sweepId: o.store.meta.sweepId,
    dir: o.store.dir,
    runs: o.plan.runs.length,
    todo: todo.length,
    estimatedS: todo.reduce((a, r) => a + r.estimatedS, 0),
    seed: o.plan.seed,
  });
  let shape: TargetShape | undefined;
  const counts = { completed: 0, failed: 0, skipped: 0, valid: 0, invalid: 0 };
  const leftovers = o.store.interrupted();
  for (const run of o.plan.runs) {
    if (recorded.has(run.key)) {
      counts.skipped++;
      o.emit({ kind: 'run-skip', index: run.index, key: run.key, reason: 'already recorded' });
      continue;
    }
    o.signal.throwIfAborted();
    const attempt = o.store.nextAttempt(run.key);
    const runId = runIdOf(o.store.meta.sweepId, run, attempt);
    const startedMs = o.now();
    o.emit({
      kind: 'run-start',
      index: run.index,
      runId,
      key: run.key,
      factors: run.factors,
      estimatedS: run.estimatedS,
      attempt,
    });
    await o.store.markStarted({ key: run.key, runId, attempt, startedMs });
    const timing: RunTiming = {
      startedMs,
      endedMs: startedMs,
      configureMs: null,
      driveMs: null,
      costsMs: null,
      cleanupMs: null,
    };
    const step = async <T>(name: RunStep, field: keyof RunTiming | null, f: () => Promise<T>): Promise<T> => {
      o.emit({ kind: 'step', index: run.index, step: name });
      const t0 = o.now();
      const out = await f();
      if (field !== null) timing[field] = o.now() - t0;
      return out;
    };
    let summary: DriveSummary | undefined;
    let costs: CostTable | null = null;
    let costsError: string | null = null;
    let error: string | null = null;
    let host: HostLoad | null = null;
    try {
      const want: TargetShape = { NCA: run.factors.NCA, NNA: run.factors.NNA, NKA: run.factors.NKA };
      let runNodes: RunNode[] = [];
      await step('configure', 'configureMs', async () => {
        if (!sameShape(shape, want)) {
          shape = undefined;
          await o.target.configure(want, o.signal);
          runNodes = await o.target.runNodes(o.signal);
          // A node just scaled up has no series yet: the cruise must not start without it. A
          // failed wait leaves the shape unknown, so the next run reconfigures and waits again.
          o.emit({ kind: 'step', index: run.index, step: 'samples' });
          await o.samples({
            prometheusUrl: o.target.prometheusUrl(),
            nodes: runNodes.map((n) => n.node),
            sinceMs: o.now(),
            timeoutMs: o.target.freshSampleTimeoutMs,
            signal: o.signal,
          });
          shape = want;
        } else runNodes = await o.target.runNodes(o.signal);
        // Objects of runs a crash interrupted (this sweep's, any key) go before a quiet start.
        for (const m of leftovers.splice(0)) await o.target.cleanupRun(m.runId, o.signal);
      });
      await step('idle', null, () => o.target.waitIdle(o.signal));
      const outDir = o.store.runDir(runId);
      const sampling = o.sampleHost?.();
      try {
        summary = await step('drive', 'driveMs', async () => {
          const metrics = await driverMetricsEndpoints(o.target.driverMetricsHost, run.driver.shards);
          await o.target.setDriverTargets(metrics.map(metricsUrlOf));
          try {
            return await o.drive({
              run,
              runId,
              outDir,
              kubeconfigPath: o.target.kubeconfigPath,
              target: o.target,
              metrics,
              onPhase: (phase) => {
                o.emit({ kind: 'drive-phase', index: run.index, phase });
              },
              signal: o.signal,
            });
          } finally {
            await o.target.setDriverTargets([]);
          }
        });
      } finally {
        const samples = (await sampling?.stop()) ?? [];
        const w = summary?.phases.cruise.window;
        if (w !== undefined) host = hostLoadOver(samples, w.startMs, w.endMs);
      }
      await writeFileAtomic(join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
      const cruise = summary.phases.cruise;
      try {
        costs = await step('costs', 'costsMs', async () =>
          o.costs({
            prometheusUrl: o.target.prometheusUrl(),
            fromMs: cruise.window.startMs,
            toMs: cruise.window.endMs,
            ops: cruise.ops.issued,
            nodePurposes: await o.target.nodePurposes(),
            runNodes,
            interfaceFilter: o.target.interfaceFilter,
            signal: o.signal,
          }),
        );
        await writeFileAtomic(join(outDir, 'costs.json'), `${JSON.stringify(costs, null, 2)}\n`);
      } catch (e: unknown) {
        if (o.signal.aborted) throw e;
        costsError = toError(e).message;
      }
      if (summary.ending !== 'completed')
        error =
          summary.stopped === undefined
            ? `the driver ended ${summary.ending}`
            : `the driver stopped: ${summary.stopped.reason}`;
    } catch (e: unknown) {
      if (o.signal.aborted) throw e;
      error = toError(e).message.split('\n')[0] ?? 'failed';
    }
    try {
      await step('cleanup', 'cleanupMs', () => o.target.cleanupRun(runId, o.signal));
    } catch (e: unknown) {
      if (o.signal.aborted) throw e;
      error ??= `cleanup: ${toError(e).message}`;
      shape = undefined; // reconfigure (and so re-check) the target before the next run
    }
    timing.endedMs = o.now();
    const status = error === null ? 'completed' : 'failed';
    const drive = summary === undefined ? null : driveKeysOf(summary);
    const costsErrorText =
      costs === null ? (costsError ?? 'not collected: the run failed before its cruise ended') : null;
    const record: RunRecord = {
      schema: RUN_RECORD_SCHEMA,
      sweepId: o.store.meta.sweepId,
      specHash: o.store.meta.specHash,
      runId,
      key: run.key,
      attempt,
      index: run.index,
      replicate: run.replicate,
      cell: run.cell,
      factors: run.factors,
      X: o.X,
      popMultiple: run.pop.multiple,
      target: o.target.kind,
      phases: run.phases,
      driver: {
        numAttachments: run.driver.numAttachments,
        rate: run.driver.rate,
        warmupRate: run.driver.warmupRate,
        cooldownRate: run.driver.cooldownRate,
        numNets: run.driver.numNets,
        topNetSize: run.driver.topNetSize,
        exponent: run.driver.exponent,
        bias: run.driver.bias,
        distribution: run.driver.distribution,
        shards: run.driver.shards,
      },
      status,
      error,
      drive,
      costs,
      costsError: costsErrorText,
      timing,
      dir: `runs/${runId}`,
      host,
      validity: judgeValidity(
        {
          status,
          error,
          target: o.target.kind,
          factors: run.factors,
          drive,
          costs: { table: costs, error: costsErrorText },
          host,
        },
        o.validity,
      ),
      slos: evaluateSlos(o.slos, { factors: run.factors, drive, costs }),
    };
    await step('record', null, () => o.store.append(record));
    counts[record.status]++;
    if (record.validity?.status === 'valid') counts.valid++;
    if (record.validity?.status === 'invalid') counts.invalid++;
    o.emit({
      kind: 'run-end',
      index: run.index,
      runId,
      status: record.status,
      error,
      achievedRatio: record.drive?.cruise.achievedRatio ?? null,
      validity: record.validity?.status ?? 'failed',
      reasons: record.validity?.reasons.map((r) => r.code) ?? [],
      slosFailed: record.slos?.filter((x) => x.status !== 'pass').map((x) => x.slo) ?? [],
      seconds: (timing.endedMs - startedMs) / 1000,
    });
    try {
      await o.afterRun?.(record);
    } catch (e: unknown) {
      o.emit({ kind: 'message', text: `after run ${runId}: ${toError(e).message}` });
    }
  }
  o.emit({ kind: 'sweep-end', ...counts, dir: o.store.dir });
  return counts;
}
