/**
 * The runner's drive step for a drive in processes of its own (`driver.shards: N > 1`, or one on
 * the testbed, ADR 0041): N `kos-test drive` child processes (each its own CPU, sockets and
 * session, so its own scheduling priority) that share the run id, the seed and a start time
 * fixed here, each writing runs/<runId>/shard-<i>/. Each shard gets its orders (options, slice,
 * target) and sends its summary (and a late start, or its failure) over the IPC channel
 * (shard-messages.ts); their merge is the
 * run's one summary, recorded exactly as an unsharded run's (ADR 0016). A failed shard, an abort
 * or a crash of the runner stops every shard (spawnManaged).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DriveOptionsInput } from '../../driver/drive-options.js';
import type { DriveSummary } from '../../driver/drive-summary.js';
import type { DrivePhase } from '../../driver/run-drive.js';
import { DRIVER_NODE_FLAGS } from '../../driver/node-flags.js';
import { writeMerged } from '../../driver/shards/read-shards.js';
import { shardMessageSchema, type ShardOrders } from '../../driver/shards/shard-messages.js';
import { spawnManaged, type ChildExit, type ManagedChild } from '../../process/child-registry.js';
import { KosTestError } from '../../util/errors.js';
import { driverOptionsFor } from './drive-step.js';
import type { MetricsEndpoint } from '../target/driver-endpoints.js';
import { driverStartMarginS } from '../plan/plan.js';
import type { PhaseDurations } from '../store/run-record.js';
import { randomSeed } from '../../util/prng.js';
import type { DriveRequest, DriveStep } from './sweep-runner.js';

const CLI = fileURLToPath(new URL('../../../../bin/kos-test.js', import.meta.url));

/** What every drive process's name among the runner's children starts with. */
export const DRIVE_PROCESS_NAME = 'driver';

/** `driver` when the run has one drive process, else `driver shard <i>/<n>`. */
function driveProcessName(index: number, count: number): string {
  return count === 1 ? DRIVE_PROCESS_NAME : `${DRIVE_PROCESS_NAME} shard ${index}/${count}`;
}

/** `driver.log` when the run has one drive process, else `shard-<i>.log`. */
function driveLogName(index: number, count: number): string {
  return count === 1 ? 'driver.log' : `shard-${index}.log`;
}

export interface ShardedDriveOptions {
  /** From spawning to the shared start. @default driverStartMarginS(the run's driver) */
  startMarginMs?: number;
  /** @default Date.now */
  now?: () => number;
  /** @default a random 32-bit seed per run */
  seed?: () => number;
}

/** The orders of shard `index` (pure): the run's options, its slice and the shared identity. */
export function shardOrders(
  o: DriveOptionsInput,
  shard: { index: number; count: number },
  shared: { seed: number; startAtMs: number; kubeconfigPath: string; metrics?: MetricsEndpoint },
): ShardOrders {
  return {
    kind: 'drive',
    kubeconfigPath: shared.kubeconfigPath,
    options: {
      ...o,
      ...(shared.metrics === undefined
        ? {}
        : { metricsHost: shared.metrics.host, metricsPort: shared.metrics.port }),
      shard,
      startAtMs: Math.round(shared.startAtMs),
      seed: shared.seed,
    },
  };
}

/** The phase the shards are in, from the shared start and the plan's phase lengths (pure). */
export function shardPhaseAt(sinceStartMs: number, p: PhaseDurations): DrivePhase {
  const s = sinceStartMs / 1000;
  if (s < 0) return 'setup';
  if (s < p.warmupS) return 'warmup';
  if (s < p.warmupS + p.cruiseS) return 'cruise';
  if (s < p.warmupS + p.cruiseS + p.cooldownS) return 'cooldown';
  return 'waiting';
}

async function logTail(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const last = text.trimEnd().split('\n').at(-1) ?? '';
  try {
    const line = JSON.parse(last) as { msg?: unknown };
    return typeof line.msg === 'string' ? line.msg : last;
  } catch {
    return last;
  }
}

function exitText(e: ChildExit): string {
  return e.signal === null ? `exit code ${String(e.code)}` : `signal ${e.signal}`;
}

/**
 * Waits for every shard. The first to fail (or stop now) stops the others (SIGTERM: they still
 * write and send their summaries); its index is returned, since the others then end by our
 * signal, not by their own fault. A graceful stop is passed on as a ^C (SIGINT).
 */
async function awaitShards(
  children: ManagedChild[],
  signal: AbortSignal,
  stop: AbortSignal | undefined,
): Promise<{ exits: ChildExit[]; firstFailed: number | undefined }> {
  let firstFailed: number | undefined;
  const stopAll = (): void => {
    for (const c of children) void c.stop();
  };
  const interruptAll = (): void => {
    for (const c of children) c.kill('SIGINT');
  };
  signal.addEventListener('abort', stopAll, { once: true });
  stop?.addEventListener('abort', interruptAll, { once: true });
  try {
    const exits = await Promise.all(
      children.map(async (c, i) => {
        const exit = await c.exited;
        if (exit.code !== 0 && firstFailed === undefined) {
          firstFailed = i;
          stopAll();
        }
        return exit;
      }),
    );
    return { exits, firstFailed };
  } finally {
    signal.removeEventListener('abort', stopAll);
    stop?.removeEventListener('abort', interruptAll);
  }
}

/** What the shards have told the runner (shard-messages.ts), by shard index. */
interface ShardReports {
  summaries: (DriveSummary | undefined)[];
  failures: (string | undefined)[];
}

function startShards(
  req: DriveRequest,
  shared: { seed: number; startAtMs: number; kubeconfigPath: string },
  logs: string[],
  reports: ShardReports,
  log: (m: string) => void,
): ManagedChild[] {
  const count = req.run.driver.shards;
  const options = driverOptionsFor(req);
  const children: ManagedChild[] = [];
  const hear = (index: number, raw: unknown): void => {
    const parsed = shardMessageSchema.safeParse(raw);
    if (!parsed.success) {
      log(`${driveProcessName(index, count)} sent a message outside the schema: ignored`);
      return;
    }
    const m = parsed.data;
    if (m.kind === 'ready') {
      const orders = shardOrders(options, { index, count }, { ...shared, metrics: req.metrics[index] });
      // A shard gone before it got them fails by its exit, which awaitShards reports.
      children[index]?.send(orders).catch(() => undefined);
    } else if (m.kind === 'summary') reports.summaries[index] = m.summary;
    else if (m.kind === 'failed') reports.failures[index] = m.message;
    else
      log(
        `${driveProcessName(index, count)} was set up ${m.lateMs.toFixed(0)} ms after the shared start: its first ops were late`,
      );
  };
  try {
    for (let index = 0; index < count; index++) {
      children.push(
        spawnManaged({
          name: driveProcessName(index, count),
          command: process.execPath,
          args: [...DRIVER_NODE_FLAGS, '--enable-source-maps', CLI, 'drive', '--orders-from-parent'],
          // A SIGKILLed runner runs no exit handler: the shard then stops itself
          // (spawnManaged names the runner in its environment: exit-with-parent.ts).
          logFile: logs[index] ?? join(req.runDir, driveLogName(index, count)),
          onMessage: (m) => {
            hear(index, m);
          },
        }),
      );
    }
  } catch (e: unknown) {
    void Promise.all(children.map((c) => c.stop()));
    throw e;
  }
  return children;
}

export async function driveShards(
  req: DriveRequest,
  log: (m: string) => void,
  o: ShardedDriveOptions = {},
): Promise<DriveSummary> {
  const count = req.run.driver.shards;
  const shared = {
    seed: o.seed?.() ?? randomSeed(),
    startAtMs: (o.now ?? Date.now)() + (o.startMarginMs ?? 1000 * driverStartMarginS(req.run.driver)),
    kubeconfigPath: req.kubeconfigPath,
  };
  await mkdir(req.runDir, { recursive: true });
  req.signal.throwIfAborted();
  req.stop?.throwIfAborted();
  const logs = Array.from({ length: count }, (_, i) => join(req.runDir, driveLogName(i, count)));
  const reports: ShardReports = { summaries: [], failures: [] };
  const children = startShards(req, shared, logs, reports, log);
  const pids = children.map((c) => c.pid).join(', ');
  const processes = count === 1 ? `one process (pid ${pids})` : `${count} shards (pids ${pids})`;
  log(`driver: ${processes}, start at ${new Date(shared.startAtMs).toISOString()}`);
  // The shards' phase follows from the shared start.
  let phase: DrivePhase | undefined;
  const ticker = setInterval(() => {
    const now = shardPhaseAt((o.now ?? Date.now)() - shared.startAtMs, req.run.phases);
    if (now !== phase) req.onPhase?.(now);
    phase = now;
  }, 250);
  ticker.unref();
  const { exits, firstFailed } = await awaitShards(children, req.signal, req.stop).finally(() => {
    clearInterval(ticker);
  });
  const stopped = req.signal.aborted || req.stop?.aborted === true;
  if (stopped && reports.summaries.filter((x) => x !== undefined).length !== count)
    throw req.signal.aborted ? req.signal.reason : req.stop?.reason;
  if (firstFailed !== undefined && !stopped) {
    const e = exits[firstFailed];
    const why = reports.failures[firstFailed] ?? (await logTail(logs[firstFailed] ?? ''));
    throw new KosTestError({
      what: `${driveProcessName(firstFailed, count)} failed`,
      value: `${e === undefined ? 'no exit' : exitText(e)}: ${why}`,
      fix: `see ${logs[firstFailed] ?? req.runDir}`,
    });
  }
  const summaries = reports.summaries.filter((x) => x !== undefined);
  if (summaries.length !== count) {
    const missing = Array.from({ length: count }, (_, i) => i).filter(
      (i) => reports.summaries[i] === undefined,
    );
    throw new KosTestError({
      what: `driver shard ${missing.join(', ')}/${count} ended without sending its summary`,
      value: `exit ${missing.map((i) => (exits[i] === undefined ? '?' : exitText(exits[i]))).join(', ')}`,
      fix: `see ${missing.map((i) => logs[i]).join(', ')}`,
    });
  }
  // The shards' summaries, as they sent them, become the run's one summary.json, with the
  // target's crashes as an in-process drive's (ADR 0039).
  return (await writeMerged(summaries, req.runDir, req.target.crashes?.())).summary;
}

/** The plan says where the run's drive goes: child processes, or this one (drive-step.ts). */
export function driveStepFor(
  inProcess: DriveStep,
  log: (m: string) => void,
  o: ShardedDriveOptions = {},
): DriveStep {
  return (req) => (req.run.driver.ownProcesses ? driveShards(req, log, o) : inProcess(req));
}
