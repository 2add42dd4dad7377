/**
 * Open-loop pacing: one timer wakes about every millisecond and issues every op that has come
 * due, each stamped with the clock just before it is handed over. `fire` must not block and the
 * pacer never waits for a response, so a slow answer cannot delay later ops (the original
 * driver's threads did). One timer per op drifts badly (machine-facts.md); this holds the rate.
 * The clock and the sleep are parameters, so tests run on a fake clock.
 */
import { setTimeout as sleepReal } from 'node:timers/promises';

export interface PacerClock {
  /** Monotonic milliseconds (performance.now in production). */
  now(): number;
}

export interface PacerOptions {
  count: number;
  /** Op i's due time on the pacer clock; non-decreasing in i. */
  dueAt(i: number): number;
  /** Issues op i; `sentMs` is the clock just before. Must not block. */
  fire(i: number, sentMs: number): void;
  clock: PacerClock;
  /** An op sent more than this after its due time counts as late. @default 10 */
  lateThresholdMs?: number;
  /** Ends pacing at the next wake; ops not yet fired stay unfired. */
  signal?: AbortSignal;
  /** @default timers/promises setTimeout */
  sleep?: (ms: number) => Promise<unknown>;
  /** Longest nap between wakes. @default 1 */
  tickMs?: number;
}

export interface PacerResult {
  /** Ops fired: 0..fired-1. */
  fired: number;
  late: number;
  /** Sum of lateness over all fired ops, ms. */
  totalLatenessMs: number;
  /** True when the signal ended pacing before every op was fired. */
  stopped: boolean;
}

export async function pace(opts: PacerOptions): Promise<PacerResult> {
  const sleep = opts.sleep ?? ((ms: number) => sleepReal(ms));
  const threshold = opts.lateThresholdMs ?? 10;
  const tick = opts.tickMs ?? 1;
  let fired = 0;
  let late = 0;
  let totalLatenessMs = 0;
  while (fired < opts.count) {
    if (opts.signal?.aborted === true) return { fired, late, totalLatenessMs, stopped: true };
    let t = opts.clock.now();
    while (fired < opts.count && opts.dueAt(fired) <= t) {
      const lateness = t - opts.dueAt(fired);
      totalLatenessMs += lateness;
      if (lateness > threshold) late++;
      opts.fire(fired, t);
      fired++;
      t = opts.clock.now();
    }
    if (fired >= opts.count) break;
    // Sleep to the next due time, but wake at least every tick to notice the signal.
    await sleep(Math.max(0, Math.min(tick, opts.dueAt(fired) - t)));
  }
  return { fired, late, totalLatenessMs, stopped: false };
}
