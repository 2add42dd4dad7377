/**
 * Open-loop pacing for the benchmarks: a steady rate for a number of seconds, on the driver's
 * own pacer (src/driver/pacer.ts: one timer that fires every op that has come due, never
 * waiting for earlier ones). How late each operation fired is recorded, so a bench that fell
 * behind shows.
 */
import { pace as paceOps } from '../src/driver/pacer.js';
import { latencyHistogram, type Histogram } from './bench-kit.js';

export interface PaceOptions {
  ratePerSecond: number;
  seconds: number;
  /** Starts one operation; must not block. */
  fire: () => void;
  /** @default performance.now */
  nowMs?: () => number;
  /** @default 1 */
  tickMs?: number;
}

export interface PaceResult {
  fired: number;
  /** From the first operation's due time to the last firing. */
  seconds: number;
  /** Microseconds each operation fired after its due time. */
  lateness: Histogram;
}

export async function pace(opts: PaceOptions): Promise<PaceResult> {
  const now = opts.nowMs ?? (() => performance.now());
  const total = Math.round(opts.ratePerSecond * opts.seconds);
  const interval = 1000 / opts.ratePerSecond;
  const lateness = latencyHistogram();
  const start = now();
  let last = start;
  const r = await paceOps({
    count: total,
    dueAt: (i) => start + i * interval,
    fire: (i, t) => {
      lateness.recordValue(Math.max(0, Math.round((t - (start + i * interval)) * 1000)));
      last = t;
      opts.fire();
    },
    clock: { now },
    ...(opts.tickMs === undefined ? {} : { tickMs: opts.tickMs }),
  });
  return { fired: r.fired, seconds: (last - start) / 1000, lateness };
}
