/**
 * watch-fanout: thousands of filtered watches held against ONE network-apiserver (its own
 * process) by worker processes, while writes that match them arrive open-loop. Measures delivery
 * latency (receive time minus the server's write stamp), delivered vs expected events, and the
 * napi's CPU per delivered event beyond a same-run baseline: the same writes with no watches.
 * Baseline and watched windows alternate (B W B W B) and each watched window is charged against
 * the mean of the baselines on either side, so drift in the machine's load cancels; the spread of
 * those two baselines is added before comparing with the target, so noise cannot make a PASS.
 * Targets: delivery p99 < 100 ms, marginal napi CPU per delivered event < 20 us, nothing lost.
 * With BENCH_NAPI_BASELINE set, an A/B of two napi builds instead (watch-fanout-ab.ts).
 */
import { join } from 'node:path';
import { startBenchStack } from './bench-stack.js';
import type { BenchContext } from './benchmark.js';
import { planFanout } from './fanout-plan.js';
import type { BenchReport } from './report.js';
import { runWatchFanoutAb } from './watch-fanout-ab.js';
import { fanoutPool, runPhase, runWatchedPhase, type Setup } from './watch-fanout-phase.js';
import { reportFanout, type PhaseResult, type Rss } from './watch-fanout-report.js';

/**
 * 2 x 20 s watched windows. The conservative bound adds the spread of the baselines around each
 * window, which is mostly the load of other processes averaged over one window; with 10 s windows
 * it was +/- 5 us per event even on a quiet machine, a quarter of the target.
 */
const DEFAULT_SECONDS = 40;
const DEFAULT_ROUNDS = 2;

export async function runWatchFanout(ctx: BenchContext): Promise<BenchReport> {
  const baseline = process.env.BENCH_NAPI_BASELINE;
  if (baseline !== undefined && baseline !== '') return runWatchFanoutAb(ctx, baseline);
  const { watches, rate } = ctx.options;
  const seconds = ctx.options.seconds ?? DEFAULT_SECONDS;
  const rounds = ctx.options.rounds ?? DEFAULT_ROUNDS;
  const plan = planFanout(watches);
  const stack = await startBenchStack(join(ctx.workDir, 'stack'));
  const pool = fanoutPool(stack.api);
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
