/**
 * The sweep loop: for each planned run not yet recorded, configure the target when its shape
 * changes, wait until idle, drive, collect costs over the cruise window, clean up, and record.
 * A failed run is recorded as failed and the sweep goes on; an abort (^C) stops at once and
 * records nothing for the run in progress, which --resume re-does.
 */
import { join } from 'node:path';
import type { DriveSummary } from '../driver/drive-summary.js';
import type { CostTable } from '../measure/cost-table.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { toError } from '../util/errors.js';
import { driveKeysOf } from './drive-keys.js';
import type { ExperimentPlan, PlannedRun } from './plan.js';
import type { ResultsStore } from './results-store.js';
import { RUN_RECORD_SCHEMA, type RunRecord, type RunTiming } from './run-record.js';
import type { RunStep, SweepEvent } from './sweep-events.js';
import type { ExperimentTarget, TargetShape } from './target.js';

export interface DriveRequest {
  run: PlannedRun;
  runId: string;
  /** The run's directory (runs/<runId>); the driver writes its outputs here. */
  outDir: string;
  kubeconfigPath: string;
  target: ExperimentTarget;
  signal: AbortSignal;
}
export type DriveStep = (req: DriveRequest) => Promise<DriveSummary>;

export interface CostRequest {
  prometheusUrl: string;
  fromMs: number;
  toMs: number;
  ops: number;
  nodePurposes: Record<string, string>;
  interfaceFilter: string;
  signal: AbortSignal;
}
export type CostStep = (req: CostRequest) => Promise<CostTable>;

export interface SweepOptions {
  plan: ExperimentPlan;
  store: ResultsStore;
  target: ExperimentTarget;
  drive: DriveStep;
  costs: CostStep;
  X: number;
  now: () => number;
  signal: AbortSignal;
  emit: (e: SweepEvent) => void;
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
): Promise<{ completed: number; failed: number; skipped: number }> {
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
  const counts = { completed: 0, failed: 0, skipped: 0 };
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
    try {
      const want: TargetShape = { NCA: run.factors.NCA, NNA: run.factors.NNA, NKA: run.factors.NKA };
      await step('configure', 'configureMs', async () => {
        if (!sameShape(shape, want)) {
          shape = undefined;
          await o.target.configure(want, o.signal);
          shape = want;
        }
        // Objects of runs a crash interrupted (this sweep's, any key) go before a quiet start.
        for (const m of leftovers.splice(0)) await o.target.cleanupRun(m.runId, o.signal);
      });
      await step('idle', null, () => o.target.waitIdle(o.signal));
      const outDir = o.store.runDir(runId);
      summary = await step('drive', 'driveMs', () =>
        o.drive({
          run,
          runId,
          outDir,
          kubeconfigPath: o.target.kubeconfigPath,
          target: o.target,
          signal: o.signal,
        }),
      );
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
      status: error === null ? 'completed' : 'failed',
      error,
      drive: summary === undefined ? null : driveKeysOf(summary),
      costs,
      costsError:
        costs === null ? (costsError ?? 'not collected: the run failed before its cruise ended') : null,
      timing,
      dir: `runs/${runId}`,
    };
    await step('record', null, () => o.store.append(record));
    counts[record.status]++;
    o.emit({
      kind: 'run-end',
      index: run.index,
      runId,
      status: record.status,
      error,
      achievedRatio: record.drive?.cruise.achievedRatio ?? null,
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
