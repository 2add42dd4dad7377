/**
 * The sweep loop: for each planned run not yet settled, configure the target when its shape
 * changes (then wait for a fresh cost sample of every node of the run), wait until idle, drive,
 * collect costs of the run's nodes over the cruise window, clean up, and record.
 * A failed run is recorded as failed and the sweep goes on. A stop (^C, ADR 0027) records the
 * run in progress `interrupted` with what its drive measured (nothing, when it stopped before
 * the drive) and ends the sweep; --resume re-does it.
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
import { FAULT_NONE } from '../spec/fault-scenario.js';
import type { ResultsStore, StartedMarker } from '../store/results-store.js';
import { RUN_RECORD_SCHEMA, type RunRecord, type RunStatus, type RunTiming } from '../store/run-record.js';
import { validityOfRecord } from '../verdict/verdict.js';
import { evaluateSlos, type Slo } from '../verdict/slo.js';
import { judgeValidity, type ValidityThresholds } from '../verdict/validity.js';
import type { RunStep, SweepEvent } from './sweep-events.js';
import type { ExperimentTarget, TargetShape } from '../target/target.js';

export interface DriveRequest {
  run: PlannedRun;
  runId: string;
  /** The run's directory (runs/<runId>); the driver writes its outputs here, summary.json once. */
  runDir: string;
  kubeconfigPath: string;
  target: ExperimentTarget;
  /** Where shard i serves /metrics (one entry per shard), registered with the target's Prometheus. */
  metrics: readonly MetricsEndpoint[];
  /** Told each time the driver enters a phase (for the progress line). */
  onPhase?: (phase: DrivePhase) => void;
  /** Stop now: the driver stops at once and still writes its outputs. */
  signal: AbortSignal;
  /** Stop gracefully: the cruise ends early and what is live is deleted. @default never */
  stop?: AbortSignal | undefined;
}
/** Drives one run; its summary lists the target's crashes over the drive (ADR 0039), as the run's summary.json does. */
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
  /** Stop now: every step stops at once; what the drive measured is still recorded. */
  signal: AbortSignal;
  /**
   * Stop gracefully (the first ^C): the run in progress ends its cruise early, is costed, cleaned
   * up and recorded `interrupted`, and no other run starts. Either signal ends runSweep with its
   * reason. @default never
   */
  stop?: AbortSignal;
  /** Re-do the runs recorded failed or invalid (--resume --retry-failed). @default false */
  retryFailed?: boolean;
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

export interface SweepCounts {
  completed: number;
  failed: number;
  skipped: number;
  valid: number;
  invalid: number;
}

/** What the runs of one runSweep call share: the options, the target's shape, the leftovers. */
interface Sweep {
  o: SweepOptions;
  /** The shape the target has now; undefined when unknown (then the next run reconfigures). */
  shape: TargetShape | undefined;
  /** Markers of runs a crash or a stop interrupted: their objects go before the next quiet start. */
  leftovers: StartedMarker[];
  counts: SweepCounts;
}

/** One run in progress: what it has measured so far and how long each step took. */
interface RunInProgress {
  run: PlannedRun;
  runId: string;
  attempt: number;
  timing: RunTiming;
  runNodes: RunNode[];
  summary?: DriveSummary;
  costs: CostTable | null;
  costsError: string | null;
  error: string | null;
  host: HostLoad | null;
}

export async function runSweep(o: SweepOptions): Promise<SweepCounts> {
  const recorded = settledKeys(o.store.records(), o.retryFailed === true, o.validity);
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
  const sweep: Sweep = {
    o,
    shape: undefined,
    leftovers: o.store.interrupted(),
    counts: { completed: 0, failed: 0, skipped: 0, valid: 0, invalid: 0 },
  };
  for (const run of o.plan.runs) {
    if (recorded.has(run.key)) {
      sweep.counts.skipped++;
      o.emit({ kind: 'run-skip', index: run.index, key: run.key, reason: 'already recorded' });
      continue;
    }
    o.signal.throwIfAborted();
    o.stop?.throwIfAborted();
    await runOne(sweep, run);
  }
  o.emit({ kind: 'sweep-end', ...sweep.counts, dir: o.store.dir });
  return sweep.counts;
}

/** Marks the run started, measures it, cleans up, and records it (a failure is recorded too). */
async function runOne(sweep: Sweep, run: PlannedRun): Promise<void> {
  const { o } = sweep;
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
  const r: RunInProgress = {
    run,
    runId,
    attempt,
    timing: {
      startedMs,
      endedMs: startedMs,
      configureMs: null,
      driveMs: null,
      costsMs: null,
      cleanupMs: null,
    },
    runNodes: [],
    costs: null,
    costsError: null,
    error: null,
    host: null,
  };
  try {
    await measure(sweep, r);
  } catch (e: unknown) {
    // Stopped before the drive measured anything: the marker alone stays; --resume re-does it.
    if (stopping(o) && r.summary === undefined) throw e;
    r.error = toError(e).message.split('\n')[0] ?? 'failed';
  }
  // Stopped now: the clean-up waits for --resume (the marker says so); else it happens here.
  if (!o.signal.aborted) await cleanUp(sweep, r);
  r.timing.endedMs = o.now();
  await record(sweep, r);
  if (stopping(o)) throw stopReason(o);
}

/** The sweep was asked to stop (gracefully or now). */
function stopping(o: SweepOptions): boolean {
  return o.signal.aborted || o.stop?.aborted === true;
}

function stopReason(o: SweepOptions): unknown {
  return o.signal.aborted ? o.signal.reason : o.stop?.reason;
}

/** Runs one named step of a run, telling it and timing it into `field`. */
async function step<T>(
  o: SweepOptions,
  r: RunInProgress,
  name: RunStep,
  field: keyof RunTiming | null,
  f: () => Promise<T>,
): Promise<T> {
  o.emit({ kind: 'step', index: r.run.index, step: name });
  const t0 = o.now();
  const out = await f();
  if (field !== null) r.timing[field] = o.now() - t0;
  return out;
}

/** Configure, wait until idle, drive, and collect the costs of the cruise. */
async function measure(sweep: Sweep, r: RunInProgress): Promise<void> {
  const { o } = sweep;
  await step(o, r, 'configure', 'configureMs', () => configure(sweep, r));
  await step(o, r, 'idle', null, () => o.target.waitIdle(beforeDrive(o)));
  beforeDrive(o).throwIfAborted();
  const summary = await drive(o, r);
  o.signal.throwIfAborted(); // stopped now: the costs wait (the run is re-done by --resume)
  await collectCosts(o, r, summary);
  if (summary.ending !== 'completed')
    r.error =
      summary.stopped === undefined
        ? `the driver ended ${summary.ending}`
        : `the driver stopped: ${summary.stopped.reason}`;
}

/** What the steps before the drive take: either stop ends them, with nothing measured yet. */
function beforeDrive(o: SweepOptions): AbortSignal {
  return o.stop === undefined ? o.signal : AbortSignal.any([o.signal, o.stop]);
}

/** Reconfigures the target when the run's shape differs, then cleans up what a crash left. */
async function configure(sweep: Sweep, r: RunInProgress): Promise<void> {
  const { o, run } = { o: sweep.o, run: r.run };
  const signal = beforeDrive(o);
  const want: TargetShape = { NCA: run.factors.NCA, NNA: run.factors.NNA, NKA: run.factors.NKA };
  if (!sameShape(sweep.shape, want)) {
    sweep.shape = undefined;
    await o.target.configure(want, signal);
    r.runNodes = await o.target.runNodes(signal);
    // A node just scaled up has no series yet: the cruise must not start without it. A
    // failed wait leaves the shape unknown, so the next run reconfigures and waits again.
    o.emit({ kind: 'step', index: run.index, step: 'samples' });
    await o.samples({
      prometheusUrl: o.target.prometheusUrl(),
      nodes: r.runNodes.map((n) => n.node),
      sinceMs: o.now(),
      timeoutMs: o.target.freshSampleTimeoutMs,
      signal,
    });
    sweep.shape = want;
  } else r.runNodes = await o.target.runNodes(signal);
  // Objects of runs a crash or a stop interrupted (this sweep's, any key) go before a quiet start.
  for (const m of sweep.leftovers.splice(0)) await o.target.cleanupRun(m.runId, signal);
}

/** The drive, its metrics endpoints registered with the target's Prometheus while it runs. */
async function drive(o: SweepOptions, r: RunInProgress): Promise<DriveSummary> {
  const { run, runId } = r;
  const sampling = o.sampleHost?.();
  try {
    r.summary = await step(o, r, 'drive', 'driveMs', async () => {
      const metrics = await driverMetricsEndpoints(o.target.driverMetricsHost, run.driver.shards);
      await o.target.setDriverTargets(metrics.map(metricsUrlOf));
      try {
        return await o.drive({
          run,
          runId,
          runDir: o.store.runDir(runId),
          kubeconfigPath: o.target.kubeconfigPath,
          target: o.target,
          metrics,
          onPhase: (phase) => {
            o.emit({ kind: 'drive-phase', index: run.index, phase });
          },
          signal: o.signal,
          stop: o.stop,
        });
      } finally {
        await o.target.setDriverTargets([]);
      }
    });
    return r.summary;
  } finally {
    const samples = (await sampling?.stop()) ?? [];
    const w = r.summary?.phases.cruise.window;
    if (w !== undefined) r.host = hostLoadOver(samples, w.startMs, w.endMs);
  }
}

/** The costs of the run's nodes over its cruise, into costs.json; a failure is kept, not thrown. */
async function collectCosts(o: SweepOptions, r: RunInProgress, summary: DriveSummary): Promise<void> {
  const cruise = summary.phases.cruise;
  try {
    r.costs = await step(o, r, 'costs', 'costsMs', async () =>
      o.costs({
        prometheusUrl: o.target.prometheusUrl(),
        fromMs: cruise.window.startMs,
        toMs: cruise.window.endMs,
        ops: cruise.ops.issued,
        nodePurposes: await o.target.nodePurposes(),
        runNodes: r.runNodes,
        interfaceFilter: o.target.interfaceFilter,
        signal: o.signal,
      }),
    );
    await writeFileAtomic(
      join(o.store.runDir(r.runId), 'costs.json'),
      `${JSON.stringify(r.costs, null, 2)}\n`,
    );
  } catch (e: unknown) {
    if (o.signal.aborted) throw e;
    r.costsError = toError(e).message;
  }
}

async function cleanUp(sweep: Sweep, r: RunInProgress): Promise<void> {
  const { o } = sweep;
  try {
    await step(o, r, 'cleanup', 'cleanupMs', () => o.target.cleanupRun(r.runId, o.signal));
  } catch (e: unknown) {
    if (o.signal.aborted) throw e;
    r.error ??= `cleanup: ${toError(e).message}`;
    sweep.shape = undefined; // reconfigure (and so re-check) the target before the next run
  }
}

/** Appends the run's record, counts it, tells it, and runs afterRun. */
async function record(sweep: Sweep, r: RunInProgress): Promise<void> {
  const { o } = sweep;
  const rec = runRecordOf(o, r);
  await step(o, r, 'record', null, () => o.store.append(rec));
  if (rec.status !== 'interrupted') sweep.counts[rec.status]++;
  if (rec.validity?.status === 'valid') sweep.counts.valid++;
  if (rec.validity?.status === 'invalid') sweep.counts.invalid++;
  o.emit({
    kind: 'run-end',
    index: r.run.index,
    runId: r.runId,
    status: rec.status,
    error: rec.error,
    achievedRatio: rec.drive?.cruise.achievedRatio ?? null,
    validity: rec.validity?.status ?? 'failed',
    reasons: rec.validity?.reasons.map((x) => x.code) ?? [],
    slosFailed: rec.slos?.filter((x) => x.status !== 'pass').map((x) => x.slo) ?? [],
    seconds: (r.timing.endedMs - r.timing.startedMs) / 1000,
  });
  try {
    await o.afterRun?.(rec);
  } catch (e: unknown) {
    o.emit({ kind: 'message', text: `after run ${r.runId}: ${toError(e).message}` });
  }
}

/** Interrupted when the sweep was stopped during a drive that then measured something (pure). */
function statusOf(o: SweepOptions, r: RunInProgress): RunStatus {
  if (stopping(o) && r.summary !== undefined && r.summary.stopped === undefined) return 'interrupted';
  return r.error === null ? 'completed' : 'failed';
}

/**
 * The keys a resume skips (pure): recorded and not interrupted; with `retryFailed`, valid ones
 * only (a failed or invalid run is done again).
 */
export function settledKeys(
  records: readonly RunRecord[],
  retryFailed: boolean,
  t: ValidityThresholds,
): Set<string> {
  const settled = records.filter(
    (r) => r.status !== 'interrupted' && (!retryFailed || validityOfRecord(r, t).status === 'valid'),
  );
  return new Set(settled.map((r) => r.key));
}

/** The run's record (pure): what it measured, judged by the spec's validity and SLOs. */
function runRecordOf(o: SweepOptions, r: RunInProgress): RunRecord {
  const { run, error, costs } = r;
  const status = statusOf(o, r);
  const drive = r.summary === undefined ? null : driveKeysOf(r.summary);
  const costsError =
    costs === null
      ? (r.costsError ??
        (status === 'interrupted'
          ? 'not collected: the sweep was stopped at once'
          : 'not collected: the run failed before its cruise ended'))
      : null;
  const d = run.driver;
  return {
    schema: RUN_RECORD_SCHEMA,
    sweepId: o.store.meta.sweepId,
    specHash: o.store.meta.specHash,
    runId: r.runId,
    key: run.key,
    attempt: r.attempt,
    index: run.index,
    replicate: run.replicate,
    cell: run.cell,
    factors: run.factors,
    fault: run.fault?.name ?? FAULT_NONE,
    X: o.X,
    popMultiple: run.pop.multiple,
    target: o.target.kind,
    phases: run.phases,
    driver: {
      numAttachments: d.numAttachments,
      rate: d.rate,
      warmupRate: d.warmupRate,
      cooldownRate: d.cooldownRate,
      numNets: d.numNets,
      topNetSize: d.topNetSize,
      exponent: d.exponent,
      bias: d.bias,
      distribution: d.distribution,
      shards: d.shards,
    },
    status,
    error,
    drive,
    costs,
    costsError,
    timing: r.timing,
    dir: `runs/${r.runId}`,
    host: r.host,
    validity: judgeValidity(
      {
        status,
        error,
        target: o.target.kind,
        factors: run.factors,
        drive,
        costs: { table: costs, error: costsError },
        host: r.host,
      },
      o.validity,
    ),
    slos: evaluateSlos(o.slos, { factors: run.factors, drive, costs }),
  };
}
