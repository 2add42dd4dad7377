/**
 * The driver's lateness headroom on the machine it runs on: the driver's pacer alone (no
 * requests) at the planned OPS for a few seconds. Whatever it sees late, any drive from this
 * machine would too; its p99 must sit well inside the driver's late threshold.
 */
import { pace } from '../../driver/pacer.js';
import { latencyHistogram, latencyStats, recordMs } from '../../measure/histogram.js';
import type { LatencyStats } from '../../measure/latency-stats.js';
import type { CheckResult } from '../check-result.js';
import type { SelftestCheck } from '../selftest-check.js';

export function judgeLatenessHeadroom(
  lateness: LatencyStats,
  lateThresholdMs: number,
  ops: number,
): CheckResult {
  // Half the threshold: the drive itself adds its own work on top of the machine's delay.
  const limit = lateThresholdMs / 2;
  const p99 = lateness.p99Ms;
  return {
    check: `driver lateness headroom at ${ops} ops/s`,
    expected: `pacer alone: p99 <= ${limit.toFixed(2)} ms (half the ${lateThresholdMs} ms late threshold)`,
    measured: p99 === null ? 'n/a' : `p99 ${p99.toFixed(2)} ms, max ${(lateness.maxMs ?? 0).toFixed(2)} ms`,
    pass: p99 !== null && lateness.count > 0 && p99 <= limit,
  };
}

/** Paces `ops` per second for `seconds` doing nothing but recording lateness (I/O: real timers). */
export async function pacerAlone(
  ops: number,
  seconds: number,
  now: () => number = () => performance.now(),
): Promise<LatencyStats> {
  const h = latencyHistogram();
  const start = now() + 50;
  await pace({
    count: Math.max(1, Math.round(ops * seconds)),
    dueAt: (i) => start + (i * 1000) / ops,
    fire: (i, t) => {
      recordMs(h, Math.max(0, t - (start + (i * 1000) / ops)));
    },
    clock: { now },
  });
  return latencyStats(h);
}

export function latenessHeadroomCheck(deps: {
  ops: number;
  lateThresholdMs: number;
  measure: () => Promise<LatencyStats>;
}): SelftestCheck {
  return {
    name: 'lateness headroom',
    run: async () => [judgeLatenessHeadroom(await deps.measure(), deps.lateThresholdMs, deps.ops)],
  };
}
