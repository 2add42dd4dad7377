/**
 * `kos-test drive` as a library call: plan, set up, run the open-loop schedule, observe, and
 * write the run's directory (<out>/<runid>/ unless given). The experiment runner calls
 * runDrive(options, deps) directly and records the summary it returns. Signals:
 * `signal` ends the cruise early (no more creates; the live attachments are deleted at once, at
 * the run's rate), `hardSignal` stops at once. Either way, and on an error mid-run, the outputs
 * are still written with what was measured.
 */
import { endingWith, leftoversOf } from './leftovers.js';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeconfigClient } from '../kube/kubeconfig-client.js';
import type { RestClient } from '../kube/rest-client.js';
import { latencyHistogram, recordMs, type Histogram } from '../measure/histogram.js';
import type { PhaseWindow } from '../measure/phase-window.js';
import { withCrashes, type ProcessCrash } from '../measure/process-crash.js';
import { startMetricsServer, type MetricsServer } from '../net/metrics-server.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { KosTestError, toError } from '../util/errors.js';
import { parseChecked } from '../util/zod-error.js';
import { ADDRESS_CONTENTION, AttachmentBook } from './attachment-book.js';
import type { ClockOffset } from './clock-offset.js';
import { driveOptionsSchema, type DriveOptions, type DriveOptionsInput } from './drive-options.js';
import {
  checkDataPlane,
  checkReachable,
  createNamespace,
  createSubnets,
  findNodes,
  probeClockOffset,
  seedForFreeVnis,
  waitSubnetsValidated,
} from './drive-setup.js';
import type { DriveSummary } from './drive-summary.js';
import { runLabels, runSelector } from './driver-labels.js';
import { DriverMetrics } from './driver-metrics.js';
import { AttachmentObserver } from './observer.js';
import { OpExecutor } from './ops-executor.js';
import { attachmentsCsv, OUTPUT_FILES, opsTimesCsv, writeSizeCsvs, writeSummary } from './outputs.js';
import { Pacer } from './pacer.js';
import { PRIME_PATH, primeHotPath } from './prime.js';
import { newPhaseStats, type PhaseStats as OnePhaseStats } from './phase-stats.js';
import { nodePicker } from './placement.js';
import { shockShortfall } from './plan/address-room.js';
import { bookSchedule, planDrive, type DrivePlan } from './plan/drive-plan.js';
import { OP_CREATE, PHASE_COOLDOWN } from './plan/op-plan.js';
import { randomSeed, seededRandom } from '../util/prng.js';
import { generateRunId } from './plan/run-id.js';
import { buildSummary } from './summary.js';
import { DriveTests } from './data-plane/drive-tests.js';

export type { DriveOptions, DriveOptionsInput } from './drive-options.js';
export type { DriveSummary } from './drive-summary.js';

const gzipText = promisify(gzip) as (text: string) => Promise<Buffer>;

/** Priming lanes: enough connections for 5,000/s at a few ms per create; more open on demand. */
const PRIME_LANES = 16;

export interface DriveClock {
  /** Monotonic ms. @default performance.now */
  now(): number;
  /** Wall-clock epoch ms. @default Date.now */
  wallMs(): number;
}

export type DrivePhase = 'setup' | 'warmup' | 'cruise' | 'cooldown' | 'waiting' | 'done';

export interface DriveProgress {
  phase: DrivePhase;
  opsDone: number;
  opsPlanned: number;
  /** Ops issued per second since the start. */
  achievedRate: number;
  inFlight: number;
  /** Of those in flight, creates waiting for a free connection (the target answers too slowly). */
  waiting: number;
  /** Attachments seen fulfilled so far. */
  fulfilled: number;
  /** p99 of fulfilment from planned so far (ms), null before the first. */
  p99Ms: number | null;
  /** Seconds to the planned end (the schedule, then --wait-after-delete); null during set-up. */
  etaS: number | null;
}

export interface DriveDeps {
  /** A kubeconfig file, or a loaded KubeConfig; its current context is the target. */
  kubeconfigPath?: string;
  kubeConfig?: KubeConfig;
  /** First ^C: ends the cruise early. */
  signal?: AbortSignal;
  /** Second ^C: stops at once (outputs are still written). */
  hardSignal?: AbortSignal;
  clock?: DriveClock;
  log?: (message: string) => void;
  onProgress?: (p: DriveProgress) => void;
  /** @default 1000 */
  progressIntervalMs?: number;
  /** The run's directory, where every output is written. @default runDirOf(outDir, runId, shard) */
  runDir?: string;
  /** Told when the run is set up after its shared start (--start-at): its first ops are late. */
  onLateStart?: (lateMs: number) => void;
  /** Told once the start is fixed: the planned cruise window, wall-clock epoch ms (fault injection). */
  onSchedule?: (cruise: { startMs: number; endMs: number }) => void;
  /**
   * Asked once the drive ended: the target's process crashes so far (undefined: not known), so
   * summary.json lists those of this run (ADR 0035, 0039). Absent: nothing asked, none listed.
   */
  crashes?: () => Promise<readonly ProcessCrash[] | undefined>;
}

/** Validates options: one clear line naming the bad field. */
export function parseDriveOptions(input: DriveOptionsInput): DriveOptions {
  return parseChecked(
    driveOptionsSchema,
    input,
    (f) =>
      new KosTestError({
        what: `bad drive option ${f.dotted}`,
        value: f.value === undefined ? undefined : JSON.stringify(f.value),
        fix: f.issue?.message ?? 'see kos-test drive --help',
      }),
  );
}

export function planFor(options: DriveOptions, seed: number): DrivePlan {
  return planDrive({ ...options, createOnly: options.waitAfterCreate !== undefined, seed });
}

/** Where a run's outputs go when no directory is given: <outDir>/<runId>[/shard-<i>]. */
export function runDirOf(outDir: string, runId: string, shard: { index: number; count: number }): string {
  // Shards of one run share the run id; each writes its own directory under it.
  return shard.count === 1 ? join(outDir, runId) : join(outDir, runId, `shard-${shard.index}`);
}

/**
 * Drives one run and returns its summary, which is written once, to `deps.runDir` (default
 * runDirOf(options)). The caller records the returned summary as it is.
 */
export async function runDrive(input: DriveOptionsInput, deps: DriveDeps): Promise<DriveSummary> {
  const options = parseDriveOptions(input);
  const clock = deps.clock ?? { now: () => performance.now(), wallMs: () => Date.now() };
  const runId = options.runId ?? generateRunId(clock.wallMs(), Math.random);
  const source = deps.kubeConfig ?? deps.kubeconfigPath;
  if (source === undefined)
    throw new KosTestError({ what: 'no kubeconfig given', fix: 'give --kubeconfig PATH or set KUBECONFIG' });
  const { client, server } = await kubeconfigClient(source, {
    connections: options.connections,
    userAgent: `kos-test-driver/${runId}`,
  });
  let metricsServer: MetricsServer | undefined;
  try {
    await checkReachable(client, server);
    const seed = options.seed ?? (await seedForFreeVnis(client, randomSeed()));
    const plan = planFor(options, seed);
    const base = {
      options,
      deps,
      clock,
      log: deps.log ?? (() => undefined),
      soft: deps.signal ?? new AbortController().signal,
      hard: deps.hardSignal ?? new AbortController().signal,
      seed,
      runId,
      plan,
      dir: deps.runDir ?? runDirOf(options.outDir, runId, plan.shard),
      config: { ...options, runId, seed },
      client,
    };
    await writeSizeCsvs(base.dir, plan.sizes);
    const nodes =
      options.onlyNode !== undefined
        ? [options.onlyNode]
        : await findNodes(client, options.nodeLabelSelector);
    if (options.testFraction > 0) await checkDataPlane(client, nodes, options.testFraction);
    const metrics = new DriverMetrics({ runid: runId, shard: `${plan.shard.index}/${plan.shard.count}` });
    metricsServer = await startMetricsServer({
      host: options.metricsHost,
      port: options.metricsPort,
      registry: metrics.registry,
      healthy: () => true,
      name: 'the driver',
    });
    const r: Run = { ...base, nodes, metrics, metricsServer };
    announce(r);
    return await execute(r);
  } finally {
    await metricsServer?.close();
    await client.close();
  }
}

/** The run's first log line, and what a shock test's subnets cannot hold. */
function announce(r: Run): void {
  const { plan } = r;
  r.log(
    `run ${r.runId}: ${plan.population} slots in ${plan.sizes.length} VNs, ${plan.mine.ops.length} ops at ${ratesText(plan)}; metrics ${r.metricsServer.url}/metrics`,
  );
  if (r.options.waitAfterCreate === undefined) return;
  const short = shockShortfall(plan, plan.seq.createSlot.length);
  if (short.unaddressable > 0)
    r.log(
      `shock test: ${short.unaddressable} of ${plan.seq.createSlot.length} creates find no free address in their subnet and will end broken; --subnet-size-factor ${short.factorNeeded} gives each one`,
    );
}

interface Run {
  options: DriveOptions;
  deps: DriveDeps;
  clock: DriveClock;
  log: (m: string) => void;
  soft: AbortSignal;
  hard: AbortSignal;
  seed: number;
  runId: string;
  plan: DrivePlan;
  /** The run's directory: every output goes here. */
  dir: string;
  config: Record<string, unknown>;
  client: RestClient;
  nodes: string[];
  metrics: DriverMetrics;
  metricsServer: MetricsServer;
}

/** The run's objects in the target and its one clock anchor (setUp). */
interface Setup {
  namespace: string;
  labels: Record<string, string>;
  selector: string;
  startedMs: number;
  clockOffset: ClockOffset;
  monoAnchor: number;
  wallAnchor: number;
  wallOf: (mono: number) => number;
}

/** Everything the schedule's steps share once the run is set up. */
interface Drive {
  r: Run;
  s: Setup;
  book: AttachmentBook;
  stats: [OnePhaseStats, OnePhaseStats, OnePhaseStats];
  /** Fulfilment from planned of the attachments seen so far (the progress line's p99). */
  live: Histogram;
  observer: AttachmentObserver;
  executor: OpExecutor;
  tests: DriveTests;
  /** Start of the schedule (monotonic ms). */
  start: number;
  /** Window ends on the monotonic clock; cruise and cool-down move when the run is cut short. */
  edges: { warmupEnd: number; cruiseEnd: number };
  /** Aborted when the driver stops itself (--stop-on-ping-fail, --stop-on-break). */
  stopCtl: AbortController;
  state: {
    stopped: DriveSummary['stopped'];
    ending: DriveSummary['ending'];
    failure: Error | undefined;
    lastCompletion: number;
    phase: DrivePhase;
    done: number;
    /** The pacer running now (the schedule's, then a drain's); answers let it fire what is due. */
    pacer: Pacer | undefined;
  };
}

async function execute(r: Run): Promise<DriveSummary> {
  const s = await setUp(r);
  const d = await startDrive(r, s);
  const ticker = progressTicker(d);
  try {
    await driveSchedule(d);
  } catch (e: unknown) {
    d.state.ending = 'failed';
    d.state.failure = toError(e);
    d.state.lastCompletion = r.clock.now();
  } finally {
    clearInterval(ticker);
    d.tests.dispose();
    d.executor.freeze();
    await d.observer.stop();
  }
  const summary = await finish(d);
  if (d.state.failure !== undefined) throw d.state.failure;
  return summary;
}

function progress(r: Run, p: Partial<DriveProgress> & { phase: DriveProgress['phase'] }): void {
  r.deps.onProgress?.({
    opsDone: 0,
    opsPlanned: r.plan.mine.ops.length,
    achievedRate: 0,
    inFlight: 0,
    waiting: 0,
    fulfilled: 0,
    p99Ms: null,
    etaS: null,
    ...p,
  });
}

/** The namespace and subnets (validated), then the clock anchor and the offset to the server. */
async function setUp(r: Run): Promise<Setup> {
  const { options, plan, client, clock, runId } = r;
  const namespace = runId;
  const labels = runLabels(runId);
  const selector = runSelector(runId);
  const shared = plan.shard.count > 1;
  const startedMs = clock.wallMs();
  progress(r, { phase: 'setup' });
  await createNamespace(client, namespace, labels, shared);
  await createSubnets(client, namespace, plan.subnets, labels, shared);
  await waitSubnetsValidated(
    client,
    namespace,
    selector,
    plan.subnets.length,
    options.subnetTimeoutMs,
    r.hard,
  );
  // One wall-clock anchor: every monotonic time maps to wall time the same way all run long.
  const monoAnchor = clock.now();
  const wallAnchor = clock.wallMs();
  const wallOf = (mono: number): number => wallAnchor + (mono - monoAnchor);
  const clockOffset = await probeClockOffset(
    client,
    namespace,
    `${plan.shard.index}`,
    options.clockSamples,
    () => wallOf(clock.now()),
  );
  r.log(
    `clock offset ${clockOffset.offsetMs.toFixed(3)} ms +- ${clockOffset.uncertaintyMs.toFixed(3)} ms (${clockOffset.samples} probes)`,
  );
  return { namespace, labels, selector, startedMs, clockOffset, monoAnchor, wallAnchor, wallOf };
}

/** The watch, the executor and the data-plane tests, the hot path primed, and the start fixed. */
async function startDrive(r: Run, s: Setup): Promise<Drive> {
  const { options, plan, clock } = r;
  const book = new AttachmentBook(plan.mine.attachments, r.nodes.length, bookSchedule(plan));
  const stats = newPhaseStats();
  const live = latencyHistogram();
  // Data-plane tests and address checks (set once the executor exists; the watch starts first).
  const hooks: { tests?: DriveTests } = {};
  const observer = watchAttachments(r, s, book, live, hooks);
  await observer.start();
  if (options.primeRequests > 0) {
    const lanes = Math.min(options.connections, PRIME_LANES);
    const primed = await primeHotPath(r.client.sender(), options.primeRequests, lanes);
    r.log(
      `primed the create path: ${primed.sent} GET ${PRIME_PATH} in ${primed.ms.toFixed(0)} ms (${primed.failed} failed)`,
    );
  }
  const startAtWall = options.startAtMs ?? clock.wallMs() + 200;
  const start = s.monoAnchor + (startAtWall - s.wallAnchor);
  book.startMs = start;
  if (start < clock.now() - 1000) {
    const lateMs = clock.now() - start;
    r.log(`the start time is ${lateMs.toFixed(0)} ms past: early ops will be late`);
    r.deps.onLateStart?.(lateMs);
  }
  const b = plan.boundaries;
  r.deps.onSchedule?.({ startMs: s.wallOf(start + b[1]), endMs: s.wallOf(start + b[2]) });
  for (const k of plan.mine.ops) (stats[plan.seq.phase[k] ?? 0] as (typeof stats)[0]).planned++;
  const d: Omit<Drive, 'executor' | 'tests'> = {
    r,
    s,
    book,
    stats,
    live,
    observer,
    start,
    edges: { warmupEnd: start + b[1], cruiseEnd: start + b[2] },
    stopCtl: new AbortController(),
    state: {
      stopped: undefined,
      ending: 'completed',
      failure: undefined,
      lastCompletion: start,
      phase: 'warmup',
      done: 0,
      pacer: undefined,
    },
  };
  const executor = newExecutor(d);
  const tests = newDriveTests(d, executor);
  hooks.tests = tests;
  return { ...d, executor, tests };
}

function watchAttachments(
  r: Run,
  s: Setup,
  book: AttachmentBook,
  live: Histogram,
  hooks: { tests?: DriveTests },
): AttachmentObserver {
  const sinceSent = (i: number, now: number): number => (now - (book.sent[i] ?? now)) / 1000;
  const easy = (i: number): boolean => ((book.test[i] ?? 0) & ADDRESS_CONTENTION) === 0;
  return new AttachmentObserver({
    client: r.client,
    namespace: s.namespace,
    labelSelector: s.selector,
    book,
    clock: r.clock,
    log: r.log,
    events: {
      addressed: (i, now) => {
        r.metrics.createToAddressed.observe(sinceSent(i, now));
        if (easy(i)) r.metrics.createToAddressedEasy.observe(sinceSent(i, now));
      },
      address: (i, ipv4) => hooks.tests?.address(i, ipv4),
      ready: (i, now) => {
        r.metrics.createToReady.observe(sinceSent(i, now));
        if (easy(i)) r.metrics.createToReadyEasy.observe(sinceSent(i, now));
        recordMs(live, now - book.plannedOf(i));
      },
      tested: (i, now, exitStatus) => hooks.tests?.tested(i, now, exitStatus),
      broken: (i, now, errors) => {
        r.metrics.createToBroken.observe(sinceSent(i, now));
        hooks.tests?.broken(i, errors);
      },
    },
  });
}

function newExecutor(d: Omit<Drive, 'executor' | 'tests'>): OpExecutor {
  const { r, edges } = d;
  return new OpExecutor({
    client: r.client,
    plan: r.plan,
    book: d.book,
    stats: d.stats,
    metrics: r.metrics,
    namespace: d.s.namespace,
    labels: d.s.labels,
    nodes: r.nodes,
    pickNode: nodePicker(r.nodes.length, r.options.roundRobin, seededRandom(r.seed ^ 0x5bd1e995)),
    clock: r.clock,
    windowOf: (t) => (t < edges.warmupEnd ? 0 : t < edges.cruiseEnd ? 1 : 2),
    lateThresholdMs: r.options.lateThresholdMs,
    hardSignal: r.hard,
    log: r.log,
    onAnswer: () => {
      d.state.pacer?.fireDue();
    },
  });
}

function newDriveTests(d: Omit<Drive, 'executor' | 'tests'>, executor: OpExecutor): DriveTests {
  const { r, state } = d;
  return new DriveTests({
    options: r.options,
    plan: r.plan,
    book: d.book,
    runId: r.runId,
    seed: r.seed,
    metrics: r.metrics,
    executor,
    clock: r.clock,
    stop: (reason) => {
      if (state.stopped !== undefined) return;
      state.stopped = { reason, atMs: r.clock.wallMs() };
      r.log(`stopping: ${reason}; the run's objects are left for inspection`);
      d.stopCtl.abort();
    },
    log: r.log,
  });
}

/** Tells the listener where the run is, every progressIntervalMs. */
function progressTicker(d: Drive): NodeJS.Timeout {
  const { r, state } = d;
  const plannedEnd = d.start + r.plan.boundaries[3] + r.options.waitAfterDelete;
  const ticker = setInterval(() => {
    if (r.deps.onProgress === undefined) return;
    const now = r.clock.now();
    const elapsed = (now - d.start) / 1000;
    // The percentile walks the histogram (~0.1 ms): computed only if the listener reads it.
    let p99: number | null | undefined;
    const live = d.live;
    r.deps.onProgress({
      phase: state.phase,
      opsDone: state.done,
      opsPlanned: r.plan.mine.ops.length,
      achievedRate: elapsed > 0 ? state.done / elapsed : 0,
      inFlight: d.executor.inFlight,
      waiting: d.executor.waitingCount,
      fulfilled: live.totalCount,
      etaS: Math.max(0, plannedEnd - now) / 1000,
      get p99Ms() {
        p99 ??= live.totalCount === 0 ? null : live.getValueAtPercentile(99) / 1000;
        return p99;
      },
    });
  }, r.deps.progressIntervalMs ?? 1000);
  ticker.unref();
  return ticker;
}

/** The planned ops, then (cut short) a drain of what is live, the answers, and the final wait. */
async function driveSchedule(d: Drive): Promise<void> {
  const { r, state } = d;
  const either = AbortSignal.any([r.soft, r.hard, d.stopCtl.signal]);
  const first = await runPlanned(d, either);
  if (first.stopped && !r.hard.aborted) {
    state.ending = 'interrupted';
    const t = r.clock.now();
    d.edges.warmupEnd = Math.min(d.edges.warmupEnd, t);
    d.edges.cruiseEnd = Math.min(d.edges.cruiseEnd, t);
    // Stopped by the driver itself, as the original: no more ops at all; what is live stays.
    if (state.stopped === undefined && r.options.waitAfterCreate === undefined) await drainLive(d, t);
  }
  if (r.hard.aborted) state.ending = 'interrupted';
  // A create still held for a peer (a shock test has no deletes to release it) goes now.
  if (state.stopped === undefined && !r.hard.aborted) d.tests.flushHeld();
  await Promise.race([d.executor.settled(), abortPromise(r.hard)]);
  state.lastCompletion = r.clock.now();
  const waitMs = r.options.waitAfterCreate ?? r.options.waitAfterDelete;
  state.phase = 'waiting';
  if (!r.hard.aborted && waitMs > 0) {
    const signal = state.ending === 'interrupted' ? r.hard : either;
    await sleep(waitMs, undefined, { signal }).catch(() => undefined);
  }
}

/** The schedule: each op fired when due, until done or `signal`. */
function runPlanned(d: Drive, signal: AbortSignal): Promise<{ stopped: boolean }> {
  const { r, state, book, start } = d;
  const { plan } = r;
  const ops = plan.mine.ops;
  state.pacer = new Pacer({
    count: ops.length,
    dueAt: (i) => start + (plan.due[ops[i] ?? 0] ?? 0),
    fire: (i, t) => {
      const k = ops[i] ?? 0;
      const phase = plan.seq.phase[k] ?? 0;
      const local = book.indexOf(plan.seq.attachment[k] ?? 0);
      const planned = start + (plan.due[k] ?? 0);
      state.phase = (['warmup', 'cruise', 'cooldown'] as const)[phase] ?? 'warmup';
      if (plan.seq.kind[k] === OP_CREATE) d.tests.create(local, phase, planned, t);
      else {
        d.tests.beforeDelete(local);
        d.executor.delete(local, phase, planned);
      }
      state.done++;
    },
    clock: r.clock,
    lateThresholdMs: r.options.lateThresholdMs,
    signal,
  });
  return state.pacer.run();
}

/** The cruise ended early: every live attachment deleted from `t`, at this shard's cool-down rate. */
async function drainLive(d: Drive, t: number): Promise<void> {
  const { r, state } = d;
  d.tests.flushHeld();
  const drain = d.executor.live();
  const gap = (1000 * r.plan.shard.count) / r.plan.rates[2];
  r.log(`cruise ended early: deleting ${drain.length} attachments`);
  state.phase = 'cooldown';
  state.pacer = new Pacer({
    count: drain.length,
    dueAt: (i) => t + i * gap,
    fire: (i) => {
      d.tests.beforeDelete(drain[i] ?? 0);
      d.executor.delete(drain[i] ?? 0, PHASE_COOLDOWN, t + i * gap);
      state.done++;
    },
    clock: r.clock,
    lateThresholdMs: r.options.lateThresholdMs,
    signal: r.hard,
  });
  await state.pacer.run();
}

/** The summary from what was measured, written with the other outputs. */
async function finish(d: Drive): Promise<DriveSummary> {
  const { r, s, state } = d;
  const { queued } = d.executor;
  if (queued.total > 0)
    r.log(
      `${queued.total} creates waited for one of the ${r.options.connections} connections (at most ${queued.most} at once); their create call times include the wait: the target answered slower than the rate needs, or raise --connections`,
    );
  state.phase = 'done';
  const leftovers = leftoversOf(d.book, r.plan, r.runId);
  if (leftovers !== undefined)
    r.log(
      `${leftovers.attachments} attachments could not be deleted and remain (${leftovers.names.join(', ')}); remove them with: ${leftovers.cleanup}`,
    );
  const endWall = s.wallOf(state.lastCompletion);
  const built = buildSummary({
    runId: r.runId,
    namespace: s.namespace,
    config: r.config,
    plan: r.plan,
    book: d.book,
    stats: d.stats,
    windows: phaseWindows(s.wallOf, d.start, d.edges, endWall),
    // Both read now: a step of the wall clock since the anchor shows as their difference.
    clock: { ...s.clockOffset, wallStepMs: r.clock.wallMs() - s.wallOf(r.clock.now()) },
    wallOf: s.wallOf,
    graceMs: r.options.graceMs,
    startedMs: s.startedMs,
    endedMs: r.clock.wallMs(),
    ending: endingWith(state.ending, leftovers),
    deletes: d.executor.deletes,
  });
  const summary: DriveSummary = withCrashes(built, await r.deps.crashes?.());
  if (leftovers !== undefined) summary.leftovers = leftovers;
  const testSummary = d.tests.summary();
  if (testSummary !== undefined) summary.tests = testSummary;
  if (state.stopped !== undefined) summary.stopped = state.stopped;
  await writeOutputs(r, summary, d.book, s.wallOf);
  progress(r, { phase: 'done', opsDone: state.done, fulfilled: d.live.totalCount });
  return summary;
}

/** This shard's ops/s: one rate, or warm-up / cruise / cool-down when they differ. */
function ratesText(plan: DrivePlan): string {
  const [w, c, d] = plan.rates.map((r) => +(r / plan.shard.count).toPrecision(6));
  return w === c && c === d ? `${c}/s` : `${w}/s warm-up, ${c}/s cruise, ${d}/s cool-down`;
}

function phaseWindows(
  wallOf: (m: number) => number,
  start: number,
  edges: { warmupEnd: number; cruiseEnd: number },
  endWall: number,
): [PhaseWindow, PhaseWindow, PhaseWindow] {
  const s = wallOf(start);
  const w = Math.min(wallOf(edges.warmupEnd), endWall);
  const c = Math.min(Math.max(wallOf(edges.cruiseEnd), w), endWall);
  return [
    { startMs: s, endMs: Math.max(s, w) },
    { startMs: Math.max(s, w), endMs: Math.max(s, w, c) },
    { startMs: Math.max(s, w, c), endMs: Math.max(s, w, c, endWall) },
  ];
}

async function writeOutputs(
  r: Run,
  summary: DriveSummary,
  book: AttachmentBook,
  wallOf: (m: number) => number,
): Promise<void> {
  await writeSummary(r.dir, summary);
  // The exposition a scrape would get, straight from the registry (no HTTP round trip).
  await writeFileAtomic(join(r.dir, OUTPUT_FILES.metrics), await r.metrics.registry.metrics());
  if (r.options.perAttachmentCsv) {
    const csv = attachmentsCsv(r.plan, book, r.nodes, wallOf, r.options.graceMs);
    // A sweep keeps every run's rows: compressed off the event loop, ~8x smaller.
    if (r.options.gzipCsv)
      await writeFileAtomic(join(r.dir, OUTPUT_FILES.attachmentsGz), await gzipText(csv));
    else await writeFileAtomic(join(r.dir, OUTPUT_FILES.attachments), csv);
  }
  if (r.options.dumpOpsTimes) await writeFileAtomic(join(r.dir, OUTPUT_FILES.opsTimes), opsTimesCsv(r.plan));
  r.log(`outputs in ${r.dir}`);
}

function abortPromise(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else
      signal.addEventListener(
        'abort',
        () => {
          resolve();
        },
        { once: true },
      );
  });
}
