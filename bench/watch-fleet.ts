/**
 * The parent's side of the watch workers: splits the watches among worker processes (spawned
 * under the child registry), waits until each has opened its share, and resets, polls and
 * collects them over their control ports.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { spawnManaged, type ManagedChild } from '../src/process/child-registry.js';
import { logTail } from '../src/testbed/node-process/start-node-process.js';
import { writeFileAtomic } from '../src/util/atomic-write.js';
import { KosTestError } from '../src/util/errors.js';
import { decodeHistogram, mergeHistograms, type Histogram } from './bench-kit.js';
import type { WatchKind, WatchSpec } from './fanout-plan.js';
import {
  workerReadySchema,
  workerReportSchema,
  workerStatsSchema,
  type WorkerReady,
  type WorkerSpec,
  type WorkerStats,
} from './watch-worker-protocol.js';

const WORKER_MAIN = fileURLToPath(new URL('./watch-worker.js', import.meta.url));
const READY_TIMEOUT_MS = 180_000;
const POLL_MS = 100;

export interface FleetOptions {
  dir: string;
  api: string;
  namespace: string;
  resourceVersion: string;
  watches: readonly WatchSpec[];
  procs: number;
}

export interface FleetReport {
  delivered: Record<WatchKind, number>;
  byType: Record<'ADDED' | 'MODIFIED' | 'DELETED', number>;
  bookmarks: number;
  errors: number;
  ended: number;
  unstamped: number;
  negative: number;
  firstError: string | undefined;
  latency: Record<WatchKind | 'all', Histogram>;
  workerCpuSeconds: number[];
  workerRssBytes: number[];
}

export interface WatchFleet {
  pids: number[];
  reset(): Promise<void>;
  /** Events delivered since the last reset, all workers together, and streams ended. */
  delivered(): Promise<{ total: number; ended: number }>;
  report(): Promise<FleetReport>;
  /** Stops every worker (closing its watches). Idempotent. */
  stop(): Promise<void>;
}

interface Worker {
  child: ManagedChild;
  ready: WorkerReady;
}

async function call<T>(
  worker: Worker,
  method: 'GET' | 'POST',
  path: string,
  schema: z.ZodType<T>,
): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${worker.ready.port}${path}`, { method });
  if (!res.ok) throw new Error(`watch worker ${worker.child.pid} ${path} answered ${res.status}`);
  return schema.parse(await res.json());
}

async function waitReady(child: ManagedChild, dir: string): Promise<WorkerReady> {
  const file = join(dir, 'ready.json');
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    try {
      return workerReadySchema.parse(JSON.parse(await readFile(file, 'utf8')));
    } catch (e: unknown) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (!child.isRunning() || Date.now() > deadline) {
      throw new KosTestError({
        what: `watch worker ${child.name} ${child.isRunning() ? 'did not open its watches in time' : 'exited'}`,
        value: await logTail(join(dir, 'worker.log')),
        fix: `see ${join(dir, 'worker.log')}`,
      });
    }
    await sleep(POLL_MS);
  }
}

function sumStats(
  stats: readonly WorkerStats[],
): Omit<FleetReport, 'latency' | 'workerCpuSeconds' | 'workerRssBytes'> {
  const out = {
    delivered: { node: 0, vni: 0 },
    byType: { ADDED: 0, MODIFIED: 0, DELETED: 0 },
    bookmarks: 0,
    errors: 0,
    ended: 0,
    unstamped: 0,
    negative: 0,
    firstError: undefined as string | undefined,
  };
  for (const s of stats) {
    for (const kind of ['node', 'vni'] as const) {
      for (const type of ['ADDED', 'MODIFIED', 'DELETED'] as const) {
        out.delivered[kind] += s.delivered[kind][type];
        out.byType[type] += s.delivered[kind][type];
      }
    }
    out.bookmarks += s.bookmarks;
    out.errors += s.errors;
    out.ended += s.ended;
    out.unstamped += s.unstamped;
    out.negative += s.negative;
    out.firstError ??= s.firstError;
  }
  return out;
}

/** Several reports as one: counts added, histograms merged exactly. */
export function mergeFleetReports(reports: readonly FleetReport[]): FleetReport {
  const node = mergeHistograms(reports.map((r) => r.latency.node));
  const vni = mergeHistograms(reports.map((r) => r.latency.vni));
  const sum = (f: (r: FleetReport) => number): number => reports.reduce((n, r) => n + f(r), 0);
  return {
    delivered: { node: sum((r) => r.delivered.node), vni: sum((r) => r.delivered.vni) },
    byType: {
      ADDED: sum((r) => r.byType.ADDED),
      MODIFIED: sum((r) => r.byType.MODIFIED),
      DELETED: sum((r) => r.byType.DELETED),
    },
    bookmarks: sum((r) => r.bookmarks),
    errors: sum((r) => r.errors),
    ended: sum((r) => r.ended),
    unstamped: sum((r) => r.unstamped),
    negative: sum((r) => r.negative),
    firstError: reports.find((r) => r.firstError !== undefined)?.firstError,
    latency: { node, vni, all: mergeHistograms([node, vni]) },
    workerCpuSeconds: reports.flatMap((r) => r.workerCpuSeconds),
    workerRssBytes: reports.flatMap((r) => r.workerRssBytes),
  };
}

export async function startWatchFleet(opts: FleetOptions): Promise<WatchFleet> {
  const workers: Worker[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(workers.map((w) => w.child.stop()));
  };
  try {
    const starting = Array.from({ length: opts.procs }, async (_, p) => {
      const dir = join(opts.dir, `watch-worker${p}`);
      await mkdir(dir, { recursive: true });
      await rm(join(dir, 'ready.json'), { force: true });
      const spec: WorkerSpec = {
        api: opts.api,
        namespace: opts.namespace,
        resourceVersion: opts.resourceVersion,
        watches: opts.watches.filter((_w, i) => i % opts.procs === p),
      };
      await writeFileAtomic(join(dir, 'spec.json'), JSON.stringify(spec));
      const child = spawnManaged({
        name: `watch-worker${p}`,
        command: process.execPath,
        args: ['--enable-source-maps', WORKER_MAIN, dir],
        logFile: join(dir, 'worker.log'),
      });
      workers.push({ child, ready: { pid: child.pid, port: 0, opened: 0, failed: 0 } });
      const ready = await waitReady(child, dir);
      const worker = workers.find((w) => w.child === child);
      if (worker !== undefined) worker.ready = ready;
      if (ready.failed > 0) {
        throw new KosTestError({
          what: `watch worker ${p} could not open ${ready.failed} of its ${spec.watches.length} watches`,
          value: ready.firstError ?? '',
          fix: `see ${join(dir, 'worker.log')} and the napi's log`,
        });
      }
    });
    await Promise.all(starting);
  } catch (e: unknown) {
    await stopAll();
    throw e;
  }
  let stopping: Promise<void> | undefined;
  return {
    pids: workers.map((w) => w.child.pid),
    reset: async () => {
      await Promise.all(workers.map((w) => call(w, 'POST', '/reset', z.object({}))));
    },
    delivered: async () => {
      const s = sumStats(await Promise.all(workers.map((w) => call(w, 'GET', '/stats', workerStatsSchema))));
      return { total: s.delivered.node + s.delivered.vni, ended: s.ended };
    },
    report: async () => {
      const reports = await Promise.all(workers.map((w) => call(w, 'GET', '/report', workerReportSchema)));
      const node = mergeHistograms(reports.map((r) => decodeHistogram(r.latency.node)));
      const vni = mergeHistograms(reports.map((r) => decodeHistogram(r.latency.vni)));
      return {
        ...sumStats(reports),
        latency: { node, vni, all: mergeHistograms([node, vni]) },
        workerCpuSeconds: reports.map((r) => r.cpuSeconds),
        workerRssBytes: reports.map((r) => r.rssBytes),
      };
    },
    stop: () => (stopping ??= stopAll()),
  };
}
