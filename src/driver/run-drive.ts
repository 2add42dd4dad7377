/**
 * `kos-test drive` as a library call: plan, set up, run the open-loop schedule, observe, and
 * write <out>/<runid>/. The experiment runner calls runDrive(options, deps) directly. Signals:
 * `signal` ends the cruise early (no more creates; the live attachments are deleted at once, at
 * the run's rate), `hardSignal` stops at once. Either way, and on an error mid-run, the outputs
 * are still written with what was measured.
 */
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeconfigClient } from '../kube/kubeconfig-client.js';
import type { RestClient } from '../kube/rest-client.js';
import { latencyHistogram, recordMs } from '../measure/histogram.js';
import type { PhaseWindow } from '../measure/phase-window.js';
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
import { newPhaseStats } from './phase-stats.js';
import { nodePicker } from './placement.js';
import { shockShortfall } from './plan/address-room.js';
import { bookSchedule, planDrive, type DrivePlan } from './plan/drive-plan.js';
import { OP_CREATE, PHASE_COOLDOWN } from './plan/op-plan.js';
import { seededRandom } from '../util/prng.js';
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

export async function runDrive(input: DriveOptionsInput, deps: DriveDeps): Promise<DriveSummary> {
  const options = parseDriveOptions(input);
  const clock = deps.clock ?? { now: () => performance.now(), wallMs: () => Date.now() };
  const log = deps.log ?? (() => undefined);
  const soft = deps.signal ?? new AbortController().signal;
  const hard = deps.hardSignal ?? new AbortController().signal;
  const seed = options.seed ?? Math.floor(Math.random() * 0xffffffff);
  const runId = options.runId ?? generateRunId(clock.wallMs(), Math.random);
  const plan = planFor(options, seed);
  // Shards of one run share the run id; each writes its own directory under it.
  const dir =
    plan.shard.count === 1
      ? join(options.outDir, runId)
      : join(options.outDir, runId, `shard-${plan.shard.index}`);
  const config: Record<string, unknown> = { ...options, runId, seed };

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
    await writeSizeCsvs(dir, plan.sizes);
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
    log(
      `run ${runId}: ${plan.population} slots in ${plan.sizes.length} VNs, ${plan.mine.ops.length} ops at ${ratesText(plan)}; metrics ${metricsServer.url}/metrics`,
    );
    if (options.waitAfterCreate !== undefined) {
      const short = shockShortfall(plan, plan.seq.createSlot.length);
      if (short.unaddressable > 0)
        log(
          `shock test: ${short.unaddressable} of ${plan.seq.createSlot.length} creates find no free address in their subnet and will end broken; --subnet-size-factor ${short.factorNeeded} gives each one`,
        );
    }
    return await execute({
      options,
      deps,
      clock,
      log,
      soft,
      hard,
      seed,
      runId,
      plan,
      dir,
      config,
      client,
      nodes,
      metrics,
      metricsServer,
    });
  } finally {
    await metricsServer?.close();
    await client.close();
  }
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
  dir: string;
  config: Record<string, unknown>;
  client: RestClient;
  nodes: string[];
  metrics: DriverMetrics;
  metricsServer: MetricsServer;
}

async function execute(r: Run): Promise<DriveSummary> {
  const { options, plan, client, clock, runId } = r;
  const namespace = runId;
  const labels = runLabels(runId);
  const selector = runSelector(runId);
  const shared = plan.shard.count > 1;
  const startedMs = clock.wallMs();
  const progress = (p: Partial<DriveProgress> & { phase: DriveProgress['phase'] }): void =>
    r.deps.onProgress?.({
      opsDone: 0,
      opsPlanned: plan.mine.ops.length,
      achievedRate: 0,
      inFlight: 0,
      waiting: 0,
      fulfilled: 0,
      p99Ms: null,
      etaS: null,
      ...p,
    });
  progress({ phase: 'setup' });
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
  const clockOffset: ClockOffset = await probeClockOffset(
    client,
    namespace,
    `${plan.shard.index}`,
    options.clockSamples,
    () => wallOf(clock.now()),
  );
  r.log(
    `clock offset ${clockOffset.offsetMs.toFixed(3)} ms +- ${clockOffset.uncertaintyMs.toFixed(3)} ms (${clockOffset.samples} probes)`,
  );

  const book = new AttachmentBook(plan.mine.attachments, r.nodes.length, bookSchedule(plan));
  const stats = newPhaseStats();
  const live = latencyHistogram();
  // Data-plane tests and address checks (set once the executor exists; the watch starts first).
  const hooks: { tests?: DriveTests } = {};
  const stopCtl = new AbortController();
  let stopped: DriveSummary['stopped'];
  const observer = new AttachmentObserver({
    client,
    namespace,
    labelSelector: selector,
    book,
    clock,
    log: r.log,
    events: {
      addressed: (i, now) => {
        const s = (now - (book.sent[i] ?? now)) / 1000;
        r.metrics.createToAddressed.observe(s);
        if (((book.test[i] ?? 0) & ADDRESS_CONTENTION) === 0) r.metrics.createToAddressedEasy.observe(s);
      },
      address: (i, ipv4) => hooks.tests?.address(i, ipv4),
      ready: (i, now) => {
        const s = (now - (book.sent[i] ?? now)) / 1000;
        r.metrics.createToReady.observe(s);
        if (((book.test[i] ?? 0) & ADDRESS_CONTENTION) === 0) r.metrics.createToReadyEasy.observe(s);
        recordMs(live, now - book.plannedOf(i));
      },
      tested: (i, now, exitStatus) => hooks.tests?.tested(i, now, exitStatus),
      broken: (i, now, errors) => {
        r.metrics.createToBroken.observe((now - (book.sent[i] ?? now)) / 1000);
        hooks.tests?.broken(i, errors);
      },
    },
  });
  await observer.start();
  if (options.primeRequests > 0) {
    const primed = await primeHotPath(
      client.sender(),
      options.primeRequests,
      Math.min(options.connections, PRIME_LANES),
    );
    r.log(
      `primed the create path: ${primed.sent} GET ${PRIME_PATH} in ${primed.ms.toFixed(0)} ms (${primed.failed} failed)`,
    );
  }

  const startAtWall = options.startAtMs ?? clock.wallMs() + 200;
  const start = monoAnchor + (startAtWall - wallAnchor);
  book.startMs = start;
  if (start < clock.now() - 1000)
    r.log(`the start time is ${(clock.now() - start).toFixed(0)} ms past: early ops will be late`);
  const b = plan.boundaries;
  // Window ends on the monotonic clock; cruise and cool-down move when the run is cut short.
  const edges = { warmupEnd: start + b[1], cruiseEnd: start + b[2] };
  const windowOf = (t: number): number => (t < edges.warmupEnd ? 0 : t < edges.cruiseEnd ? 1 : 2);
  const ops = plan.mine.ops;
  for (const k of ops) (stats[plan.seq.phase[k] ?? 0] as (typeof stats)[0]).planned++;
  // The pacer running now (the schedule's, then a drain's); answers let it fire what is due.
  let pacer: Pacer | undefined;
  const executor = new OpExecutor({
    client,
    plan,
    book,
    stats,
    metrics: r.metrics,
    namespace,
    labels,
    nodes: r.nodes,
    pickNode: nodePicker(r.nodes.length, options.roundRobin, seededRandom(r.seed ^ 0x5bd1e995)),
    clock,
    windowOf,
    lateThresholdMs: options.lateThresholdMs,
    hardSignal: r.hard,
    log: r.log,
    onAnswer: () => {
      pacer?.fireDue();
    },
  });
  const driveTests = new DriveTests({
    options,
    plan,
    book,
    runId,
    seed: r.seed,
    metrics: r.metrics,
    executor,
    clock,
    stop: (reason) => {
      if (stopped !== undefined) return;
      stopped = { reason, atMs: clock.wallMs() };
      r.log(`stopping: ${reason}; the run's objects are left for inspection`);
      stopCtl.abort();
    },
    log: r.log,
  });
  hooks.tests = driveTests;
  let ending: DriveSummary['ending'] = 'completed';
  let failure: Error | undefined;
  let lastCompletion = start;
  let phaseNow: DriveProgress['phase'] = 'warmup';
  let done = 0;
  const plannedEnd = start + b[3] + options.waitAfterDelete;
  const ticker = setInterval(() => {
    if (r.deps.onProgress === undefined) return;
    const now = clock.now();
    const elapsed = (now - start) / 1000;
    // The percentile walks the histogram (~0.1 ms): computed only if the listener reads it.
    let p99: number | null | undefined;
    r.deps.onProgress({
      phase: phaseNow,
      opsDone: done,
      opsPlanned: plan.mine.ops.length,
      achievedRate: elapsed > 0 ? done / elapsed : 0,
      inFlight: executor.inFlight,
      waiting: executor.waitingCount,
      fulfilled: live.totalCount,
      etaS: Math.max(0, plannedEnd - now) / 1000,
      get p99Ms() {
        p99 ??= live.totalCount === 0 ? null : live.getValueAtPercentile(99) / 1000;
        return p99;
      },
    });
  }, r.deps.progressIntervalMs ?? 1000);
  ticker.unref();
  const either = AbortSignal.any([r.soft, r.hard, stopCtl.signal]);
  try {
    pacer = new Pacer({
      count: ops.length,
      dueAt: (i) => start + (plan.due[ops[i] ?? 0] ?? 0),
      fire: (i, t) => {
        const k = ops[i] ?? 0;
        const phase = plan.seq.phase[k] ?? 0;
        const local = book.indexOf(plan.seq.attachment[k] ?? 0);
        const planned = start + (plan.due[k] ?? 0);
        phaseNow = (['warmup', 'cruise', 'cooldown'] as const)[phase] ?? 'warmup';
        if (plan.seq.kind[k] === OP_CREATE) driveTests.create(local, phase, planned, t);
        else {
          driveTests.beforeDelete(local);
          executor.delete(local, phase, planned);
        }
        done++;
      },
      clock,
      lateThresholdMs: options.lateThresholdMs,
      signal: either,
    });
    const first = await pacer.run();
    if (first.stopped && !r.hard.aborted) {
      ending = 'interrupted';
      const t = clock.now();
      edges.warmupEnd = Math.min(edges.warmupEnd, t);
      edges.cruiseEnd = Math.min(edges.cruiseEnd, t);
      if (stopped !== undefined) {
        // As the original: no more ops at all; what is live stays for inspection.
      } else if (options.waitAfterCreate === undefined) {
        driveTests.flushHeld();
        // Deletes move up: every live attachment, from now, at this shard's cool-down rate.
        const drain = executor.live();
        const gap = (1000 * plan.shard.count) / plan.rates[2];
        r.log(`cruise ended early: deleting ${drain.length} attachments`);
        phaseNow = 'cooldown';
        pacer = new Pacer({
          count: drain.length,
          dueAt: (i) => t + i * gap,
          fire: (i) => {
            driveTests.beforeDelete(drain[i] ?? 0);
            executor.delete(drain[i] ?? 0, PHASE_COOLDOWN, t + i * gap);
            done++;
          },
          clock,
          lateThresholdMs: options.lateThresholdMs,
          signal: r.hard,
        });
        await pacer.run();
      }
    }
    if (r.hard.aborted) ending = 'interrupted';
    // A create still held for a peer (a shock test has no deletes to release it) goes now.
    if (stopped === undefined && !r.hard.aborted) driveTests.flushHeld();
    await Promise.race([executor.settled(), abortPromise(r.hard)]);
    lastCompletion = clock.now();
    const waitMs = options.waitAfterCreate ?? options.waitAfterDelete;
    phaseNow = 'waiting';
    if (!r.hard.aborted && waitMs > 0) {
      await sleep(waitMs, undefined, { signal: ending === 'interrupted' ? r.hard : either }).catch(
        () => undefined,
      );
    }
  } catch (e: unknown) {
    ending = 'failed';
    failure = toError(e);
    lastCompletion = clock.now();
  } finally {
    clearInterval(ticker);
    driveTests.dispose();
    executor.freeze();
    await observer.stop();
  }
  const { queued } = executor;
  if (queued.total > 0)
    r.log(
      `${queued.total} creates waited for one of the ${options.connections} connections (at most ${queued.most} at once); their create call times include the wait: the target answered slower than the rate needs, or raise --connections`,
    );
  phaseNow = 'done';
  const endWall = wallOf(lastCompletion);
  const windows = phaseWindows(wallOf, start, edges, endWall);
  const summary = buildSummary({
    runId,
    namespace,
    config: r.config,
    plan,
    book,
    stats,
    windows,
    clock: clockOffset,
    wallOf,
    graceMs: options.graceMs,
    startedMs,
    endedMs: clock.wallMs(),
    ending,
    deletes: executor.deletes,
  });
  const testSummary = driveTests.summary();
  if (testSummary !== undefined) summary.tests = testSummary;
  if (stopped !== undefined) summary.stopped = stopped;
  await writeOutputs(r, summary, book, wallOf);
  progress({ phase: 'done', opsDone: done, fulfilled: live.totalCount });
  if (failure !== undefined) throw failure;
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
