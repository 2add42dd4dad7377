/**
 * The pieces the driver benchmarks share: one driver run or one autocannon run, each in its own
 * process with results through a file, and the search for the highest rate the driver sustains.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnManaged } from '../src/process/child-registry.js';
import { DRIVER_NODE_FLAGS } from '../src/driver/node-flags.js';
import { freshSeed as freshSeedFrom } from '../src/driver/plan/drive-plan.js';
import type { DriveOptionsInput } from '../src/driver/run-drive.js';
import { writeFileAtomic } from '../src/util/atomic-write.js';
import { KosTestError } from '../src/util/errors.js';
import type { AutocannonResult, AutocannonSpec } from './autocannon-worker.js';
import type { DriverWorkerResult, DriverWorkerSpec } from './driver-worker.js';
import type { PacerProbeResult } from './pacer-probe.js';

const DRIVER_WORKER = fileURLToPath(new URL('./driver-worker.js', import.meta.url));
const AUTOCANNON_WORKER = fileURLToPath(new URL('./autocannon-worker.js', import.meta.url));
const PACER_PROBE = fileURLToPath(new URL('./pacer-probe.js', import.meta.url));

let runs = 0;

async function inChild<T>(
  name: string,
  main: string,
  dir: string,
  spec: object,
  nodeFlags: readonly string[] = [],
): Promise<T> {
  const n = ++runs;
  const specPath = join(dir, `${name}-${n}.spec.json`);
  const resultPath = join(dir, `${name}-${n}.result.json`);
  await rm(resultPath, { force: true });
  await writeFileAtomic(specPath, JSON.stringify({ ...spec, resultPath }));
  const logFile = join(dir, `${name}-${n}.log`);
  const child = spawnManaged({
    name: `${name}-${n}`,
    command: process.execPath,
    args: ['--enable-source-maps', ...nodeFlags, main, specPath],
    logFile,
  });
  const exit = await child.exited;
  try {
    return JSON.parse(await readFile(resultPath, 'utf8')) as T;
  } catch {
    throw new KosTestError({
      what: `${name} run ${n} wrote no result`,
      value: `exit ${String(exit.code ?? exit.signal)}`,
      fix: `see ${logFile}`,
    });
  }
}

/** The pacer alone at `rate` for `seconds` from `startAtMs` (epoch), in its own process (pacer-probe.ts). */
export async function pacerProbe(
  dir: string,
  rate: number,
  seconds: number,
  startAtMs: number,
): Promise<PacerProbeResult> {
  const n = ++runs;
  const resultPath = join(dir, `pacer-probe-${n}.json`);
  const logFile = join(dir, `pacer-probe-${n}.log`);
  const child = spawnManaged({
    name: `pacer-probe-${n}`,
    command: process.execPath,
    args: [PACER_PROBE, String(rate), String(seconds), resultPath, String(startAtMs)],
    logFile,
  });
  await child.exited;
  try {
    return JSON.parse(await readFile(resultPath, 'utf8')) as PacerProbeResult;
  } catch {
    throw new KosTestError({ what: 'the pacer probe wrote no result', fix: `see ${logFile}` });
  }
}

const usedVnis = new Set<number>();

/** A seed whose VNIs no earlier run of this process used (on the kept testbed a VNI is one namespace's). */
export function freshSeed(from: number): number {
  return freshSeedFrom(from, usedVnis);
}

export interface DriverRun {
  rate: number;
  summary: NonNullable<DriverWorkerResult['summary']>;
  window: NonNullable<DriverWorkerResult['window']>;
  rssBytes: number;
  setupEndedMs: number;
}

export async function driverRun(
  dir: string,
  kubeconfigPath: string,
  options: DriveOptionsInput,
  pids: Record<string, number>,
  windowUntil: DriverWorkerSpec['windowUntil'] = 'answered',
): Promise<DriverRun> {
  const spec: Omit<DriverWorkerSpec, 'resultPath'> = {
    kubeconfigPath,
    options: { outDir: join(dir, 'drive'), metricsPort: 0, waitAfterDelete: 200, ...options },
    pids,
    windowUntil,
  };
  // The flags the CLI's drivers run with, and BENCH_DRIVER_FLAGS (e.g. '--trace-gc', to see the
  // driver's pauses beside its lateness).
  const extra = (process.env.BENCH_DRIVER_FLAGS ?? '').split(' ').filter((f) => f !== '');
  const r = await inChild<DriverWorkerResult>('driver', DRIVER_WORKER, dir, spec, [
    ...DRIVER_NODE_FLAGS,
    ...extra,
  ]);
  if (!r.ok || r.summary === undefined || r.window === undefined) {
    throw new KosTestError({
      what: 'a driver run failed',
      value: r.error ?? 'no CPU window seen',
      fix: `see the logs in ${dir}`,
    });
  }
  return {
    rate: options.rate ?? 0,
    summary: r.summary,
    window: r.window,
    rssBytes: r.rssBytes ?? 0,
    setupEndedMs: r.setupEndedMs ?? 0,
  };
}

export async function autocannonRun(
  dir: string,
  spec: Omit<AutocannonSpec, 'resultPath'>,
): Promise<AutocannonResult> {
  const r = await inChild<AutocannonResult>('autocannon', AUTOCANNON_WORKER, dir, spec);
  if (!r.ok || r.requests === 0) {
    throw new KosTestError({
      what: 'autocannon got no 2xx answers',
      value: `${r.non2xx} non-2xx, ${r.errors} errors`,
      fix: `see the logs in ${dir}`,
    });
  }
  return r;
}

/** A run at one rate beside the pacer alone at the same rate and time (the machine's share). */
export interface RateTrial {
  run: DriverRun;
  alone: PacerProbeResult;
}

/**
 * Sustained: every planned op issued and none failed, the driver at most 5 ms later (p99) than
 * the pacer alone at the same moment (so a loaded machine's own delays are not charged to the
 * driver), and no backlog of requests (create call p99 <= 1 s).
 */
export function sustained({ run, alone }: RateTrial): boolean {
  const t = run.summary.total;
  return (
    t.ops.issued === t.ops.planned &&
    (t.latency.lateness.p99Ms ?? Infinity) <= (alone.p99Ms ?? 0) + 5 &&
    (t.latency.createCall.p99Ms ?? Infinity) <= 1000 &&
    t.outcomes.createFailed === 0
  );
}

/**
 * Rates tried in order: doubling from `from` until one fails, then halfway back once; when
 * `from` itself fails, halving until one holds (down to 100 ops/s).
 */
export async function highestSustained(
  from: number,
  upTo: number,
  tryRate: (rate: number) => Promise<RateTrial>,
  log: (m: string) => void,
): Promise<{
  rate: number;
  tried: { rate: number; sustained: boolean; p99LatenessMs: number | null; createP99Ms: number | null }[];
}> {
  const tried: {
    rate: number;
    sustained: boolean;
    p99LatenessMs: number | null;
    createP99Ms: number | null;
  }[] = [];
  const attempt = async (rate: number): Promise<boolean> => {
    const trial = await tryRate(rate);
    const { run } = trial;
    const ok = sustained(trial);
    const l = run.summary.total.latency;
    tried.push({ rate, sustained: ok, p99LatenessMs: l.lateness.p99Ms, createP99Ms: l.createCall.p99Ms });
    log(
      `${rate} ops/s: ${ok ? 'sustained' : 'not sustained'} (lateness p99 ${String(l.lateness.p99Ms)} ms, pacer alone ${String(trial.alone.p99Ms)} ms, create p99 ${String(l.createCall.p99Ms)} ms, issued ${run.summary.total.ops.issued}/${run.summary.total.ops.planned})`,
    );
    return ok;
  };
  let best = 0;
  let rate = from;
  if (!(await attempt(rate))) {
    for (rate = Math.round(from / 2); rate >= 100; rate = Math.round(rate / 2)) {
      if (await attempt(rate)) return { rate, tried };
    }
    return { rate: 0, tried };
  }
  best = rate;
  rate *= 2;
  while (rate <= upTo && (await attempt(rate))) {
    best = rate;
    rate *= 2;
  }
  if (best > 0 && rate <= upTo) {
    const mid = Math.round((best + rate) / 2);
    if (await attempt(mid)) best = mid;
  }
  return { rate: best, tried };
}
