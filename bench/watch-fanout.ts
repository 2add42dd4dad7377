/**
 * watch-fanout: thousands of filtered watches held against ONE network-apiserver (its own
 * process) by worker processes, while writes that match them arrive open-loop. Measures delivery
 * latency (receive time minus the server's write stamp), delivered vs expected events, and the
 * napi's CPU per delivered event beyond a same-run baseline: the same writes with no watches.
 * Baseline and watched windows alternate (B W B W B) and each watched window is charged against
 * the mean of the baselines on either side, so drift in the machine's load cancels; the spread of
 * those two baselines is added before comparing with the target, so noise cannot make a PASS.
 * Targets: delivery p99 < 100 ms, marginal napi CPU per delivered event < 20 us, nothing lost.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { waitFor } from './bench-kit.js';
import { startBenchStack, type BenchStack } from './bench-stack.js';
import type { BenchContext } from './benchmark.js';
import { planFanout } from './fanout-plan.js';
import { FanoutWriter, type WriterCounts } from './fanout-writer.js';
import { JSON_HEADERS, attachmentsPath } from './napi-api.js';
import { pace } from './pacer.js';
import { cpuWindow, rssBytes } from './proc-stats.js';
import type { BenchReport } from './report.js';
import { reportFanout, type FanoutSetup, type PhaseResult, type Rss } from './watch-fanout-report.js';
import { startWatchFleet, type WatchFleet } from './watch-fleet.js';

/**
 * 2 x 20 s watched windows. The conservative bound adds the spread of the baselines around each
 * window, which is mostly the load of other processes averaged over one window; with 10 s windows
 * it was +/- 5 us per event even on a quiet machine, a quarter of the target.
 */
const DEFAULT_SECONDS = 40;
const DEFAULT_ROUNDS = 2;
/** Seconds between an attachment's create and its status write. */
const STATUS_LAG_SECONDS = 1;
/** Pause after a baseline's warm-up before counting starts. */
const SETTLE_MS = 500;
const WRITES_SETTLE_TIMEOUT_MS = 60_000;
const DRAIN_TIMEOUT_MS = 10_000;

interface Setup extends FanoutSetup {
  ctx: BenchContext;
  stack: BenchStack;
  pool: Pool;
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
async function runPhase(
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
async function runWatchedPhase(s: Setup, round: number, rss: Rss): Promise<PhaseResult> {
  const { ctx, stack, plan } = s;
  const namespace = `fanout-watch-${round}`;
  const resourceVersion = await currentVersion(s.pool, namespace);
  if (round === 0) rss.idle = rssBytes(stack.napiPid);
  ctx.log(`opening ${plan.watches.length} watches from ${ctx.options.watchProcs} processes`);
  const fleet = await startWatchFleet({
    dir: join(ctx.workDir, `round${round}`),
    api: stack.api,
    namespace,
    resourceVersion,
    watches: plan.watches,
    procs: ctx.options.watchProcs,
  });
  try {
    if (round === 0) rss.watching = rssBytes(stack.napiPid);
    const result = await runPhase(s, `round ${round}, ${plan.watches.length} watches`, namespace, fleet);
    rss.after = rssBytes(stack.napiPid);
    return result;
  } finally {
    await fleet.stop();
  }
}

export async function runWatchFanout(ctx: BenchContext): Promise<BenchReport> {
  const { watches, rate } = ctx.options;
  const seconds = ctx.options.seconds ?? DEFAULT_SECONDS;
  const rounds = ctx.options.rounds ?? DEFAULT_ROUNDS;
  const plan = planFanout(watches);
  const stack = await startBenchStack(join(ctx.workDir, 'stack'));
  const pool = new Pool(stack.api, { connections: 128, pipelining: 1, keepAliveTimeout: 60_000 });
  const s: Setup = { ctx, stack, pool, plan, rate, windowSeconds: seconds / rounds, options: ctx.options };
  try {
    const baselines = [await runPhase(s, 'baseline 0, no watches', 'fanout-base-0')];
    const watched: PhaseResult[] = [];
    const rss: Rss = { idle: NaN, watching: NaN, after: NaN };
    for (let round = 0; round < rounds; round++) {
      watched.push(await runWatchedPhase(s, round, rss));
      baselines.push(await runPhase(s, `baseline ${round + 1}, no watches`, `fanout-base-${round + 1}`));
    }
    return reportFanout(s, baselines, watched, rss);
  } finally {
    await pool.close();
    await stack.stop();
  }
}
