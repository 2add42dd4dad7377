/**
 * watch-fanout's windows: one window of open-loop writes into a fresh namespace, with or without
 * a fleet of watches on it, and the CPU of every process over it. Shared by the plain run and the
 * A/B against a baseline build (watch-fanout-ab.ts).
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { waitFor } from './bench-kit.js';
import type { BenchStack } from './bench-stack.js';
import type { BenchContext } from './benchmark.js';
import { FanoutWriter, type WriterCounts } from './fanout-writer.js';
import { JSON_HEADERS, attachmentsPath } from './napi-api.js';
import { pace } from './pacer.js';
import { cpuWindow, rssBytes } from './proc-stats.js';
import type { FanoutSetup, PhaseResult, Rss } from './watch-fanout-report.js';
import { startWatchFleet, type WatchFleet } from './watch-fleet.js';

/** Seconds between an attachment's create and its status write. */
const STATUS_LAG_SECONDS = 1;
/** Pause after a baseline's warm-up before counting starts. */
const SETTLE_MS = 500;
const WRITES_SETTLE_TIMEOUT_MS = 60_000;
const DRAIN_TIMEOUT_MS = 10_000;

export interface Setup extends FanoutSetup {
  ctx: BenchContext;
  stack: BenchStack;
  pool: Pool;
  /** Which napi, when two are compared ('A', 'B'); prefixes log labels and work dirs. @default '' */
  side?: string;
}

async function currentVersion(pool: Pool, namespace: string): Promise<string> {
  const res = await pool.request({
    path: `${attachmentsPath(namespace)}?limit=1`,
    method: 'GET',
    headers: JSON_HEADERS,
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`list answered ${res.statusCode}: ${text.slice(0, 200)}`);
  const rv = (JSON.parse(text) as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
  if (rv === undefined || rv === '') throw new Error('the list carried no resourceVersion');
  return rv;
}

/** Waits until the watchers have every event the answered writes imply; false on timeout. */
function drain(fleet: WatchFleet, counts: WriterCounts): Promise<boolean> {
  const expected = counts.expected.node + counts.expected.vni;
  return waitFor(async () => (await fleet.delivered()).total >= expected, DRAIN_TIMEOUT_MS, 20);
}

/** Warm-up, then one measured window of open-loop writes into a fresh namespace. */
export async function runPhase(
  s: Setup,
  label: string,
  namespace: string,
  fleet?: WatchFleet,
): Promise<PhaseResult> {
  const { ctx, stack } = s;
  const lag = Math.max(1, Math.round((s.rate / 2) * STATUS_LAG_SECONDS));
  const writer = new FanoutWriter(s.pool, namespace, s.plan, lag);
  ctx.log(`${label}: warm-up ${ctx.options.warmup} s, then ${s.windowSeconds} s at ${s.rate} writes/s`);
  await pace({ ratePerSecond: s.rate, seconds: ctx.options.warmup, fire: writer.fire });
  if (!(await writer.settle(WRITES_SETTLE_TIMEOUT_MS))) {
    throw new Error(`${label}: warm-up writes never finished`);
  }
  // Counting starts once the warm-up's events have all arrived (or stopped arriving).
  if (fleet === undefined) await sleep(SETTLE_MS);
  else await drain(fleet, writer.counts);
  writer.resetCounts();
  await fleet?.reset();
  const pids: Record<string, number> = { napi: stack.napiPid, etcd: stack.etcdPid };
  fleet?.pids.forEach((pid, i) => (pids[`worker${i}`] = pid));
  const window = cpuWindow(pids);
  const pacing = await pace({ ratePerSecond: s.rate, seconds: s.windowSeconds, fire: writer.fire });
  const writesSettled = await writer.settle(WRITES_SETTLE_TIMEOUT_MS);
  const drained = fleet === undefined ? true : await drain(fleet, writer.counts);
  const { seconds: windowSeconds, cpu } = window.end();
  const report = fleet === undefined ? undefined : await fleet.report();
  const writes = writer.counts;
  if (writes.createsOk + writes.statusOk === 0) {
    throw new Error(`${label}: no write succeeded; first error: ${writes.firstError ?? 'none'}`);
  }
  return {
    label,
    writes,
    writeLatency: writer.latency,
    lateness: pacing.lateness,
    windowSeconds,
    cpu,
    writesSettled,
    drained,
    fleet: report,
  };
}

/** Opens the watches on a fresh namespace, runs one watched window, closes them. */
export async function runWatchedPhase(s: Setup, round: number, rss: Rss): Promise<PhaseResult> {
  const { ctx, stack, plan } = s;
  const namespace = `fanout-watch-${round}`;
  const resourceVersion = await currentVersion(s.pool, namespace);
  if (round === 0) rss.idle = rssBytes(stack.napiPid);
  ctx.log(`opening ${plan.watches.length} watches from ${ctx.options.watchProcs} processes`);
  const fleet = await startWatchFleet({
    dir: join(ctx.workDir, `${s.side ?? ''}round${round}`),
    api: stack.api,
    namespace,
    resourceVersion,
    watches: plan.watches,
    procs: ctx.options.watchProcs,
  });
  try {
    if (round === 0) rss.watching = rssBytes(stack.napiPid);
    const label = `${s.side ?? ''}${s.side === undefined ? '' : ' '}round ${round}, ${plan.watches.length} watches`;
    const result = await runPhase(s, label, namespace, fleet);
    rss.after = rssBytes(stack.napiPid);
    return result;
  } finally {
    await fleet.stop();
  }
}

/** The writers' connection pool to one napi. */
export function fanoutPool(api: string): Pool {
  return new Pool(api, { connections: 128, pipelining: 1, keepAliveTimeout: 60_000 });
}
