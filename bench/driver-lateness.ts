/**
 * driver-lateness: the driver's schedule lateness against the testbed beside the pacer alone at
 * the same moments (issue 22), alone: `rounds` paired runs at each of 1,000 and 5,000 ops/s,
 * alternating rates, without driver-testbed's autocannon and rate search. Each pair is its own
 * same-run comparison; the check is on the median pair, and every pair is shown, since on a
 * shared machine one pair can land on another process's burst.
 */
import { median } from './bench-kit.js';
import type { BenchContext } from './benchmark.js';
import {
  LATENESS_GAP_TARGET_MS,
  LATENESS_RATES,
  latenessGapMs,
  latenessTrial,
} from './driver-target-bench.js';
import { driverBenchTestbed, testbedTarget } from './driver-testbed.js';
import type { RateTrial } from './driver-runs.js';
import { check, type BenchReport, type Check, type Measure } from './report.js';

const DEFAULT_ROUNDS = 3;

export async function runDriverLateness(ctx: BenchContext): Promise<BenchReport> {
  const seconds = ctx.options.seconds ?? 4;
  const rounds = ctx.options.rounds ?? DEFAULT_ROUNDS;
  const testbed = await driverBenchTestbed(ctx.workDir);
  const trials = new Map<number, RateTrial[]>(LATENESS_RATES.map((r) => [r, []]));
  try {
    const target = await testbedTarget(testbed);
    for (let round = 1; round <= rounds; round++) {
      for (const rate of LATENESS_RATES) {
        const t = await latenessTrial(target, ctx.workDir, rate, seconds);
        trials.get(rate)?.push(t);
        ctx.log(
          `round ${round}/${rounds}, ${rate} ops/s: driver p99 ${String(t.run.summary.total.latency.lateness.p99Ms)} ms, pacer alone ${String(t.alone.p99Ms)} ms, gap ${latenessGapMs(t).toFixed(3)} ms`,
        );
      }
    }
  } finally {
    await testbed.down();
  }
  const measures: Measure[] = [];
  const checks: Check[] = [];
  for (const [rate, ts] of trials) {
    ts.forEach((t, k) => {
      const p = `${rate}/s pair ${k + 1}`;
      measures.push(
        {
          label: `${p}: driver lateness p99`,
          value: t.run.summary.total.latency.lateness.p99Ms ?? NaN,
          unit: 'ms',
          digits: 3,
        },
        { label: `${p}: pacer alone lateness p99`, value: t.alone.p99Ms ?? NaN, unit: 'ms', digits: 3 },
        { label: `${p}: gap`, value: latenessGapMs(t), unit: 'ms', digits: 3 },
        {
          label: `${p}: other processes CPU`,
          value: (t.run.window.cpu.others ?? 0) / t.run.window.seconds,
          unit: 'cores',
          digits: 2,
        },
      );
    });
    checks.push(
      check(
        `${rate}/s: lateness p99 above the pacer alone's (median of ${ts.length} pairs)`,
        median(ts.map(latenessGapMs)),
        '<=',
        LATENESS_GAP_TARGET_MS,
        'ms',
        3,
      ),
    );
  }
  return {
    summary: `testbed: the driver (create-only, own process) beside the pacer alone (own process, same start) at ${LATENESS_RATES.join(' and ')} ops/s; ${rounds} pairs per rate, ${seconds} s each.`,
    measures,
    checks,
    details: {
      pairs: [...trials].map(([rate, ts]) =>
        ts.map((t) => ({
          rate,
          alone: t.alone,
          lateness: t.run.summary.total.latency.lateness,
          window: t.run.window,
        })),
      ),
    },
  };
}
