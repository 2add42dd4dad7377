/**
 * Open-loop pacing: one timer wakes about every millisecond and issues every op that has come
 * due, each stamped with the clock just before it is handed over (and any event in between may
 * issue them sooner: Pacer.fireDue). `fire` must not block and the
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

/**
 * The pacer's state. `run()` is the timer loop; `fireDue()` may also be called from any event
 * between two wakes (the driver calls it on every answer): at thousands of ops/s answers arrive
 * every few hundred microseconds, so an op due between two timer wakes goes out at the next
 * event instead of waiting up to a millisecond for the timer. Cost: one clock read per call.
 */
export class Pacer {
  private fired = 0;
  private late = 0;
  private totalLatenessMs = 0;
  private firing = false;

  constructor(private readonly opts: PacerOptions) {}

  /** Fires every op that has come due (none once the signal has ended pacing). */
  fireDue(): void {
    const o = this.opts;
    // Re-entry (fire() answering synchronously) would fire out of order.
    if (this.firing || o.signal?.aborted === true) return;
    this.firing = true;
    try {
      const threshold = o.lateThresholdMs ?? 10;
      let t = o.clock.now();
      while (this.fired < o.count && o.dueAt(this.fired) <= t) {
        const lateness = t - o.dueAt(this.fired);
        this.totalLatenessMs += lateness;
        if (lateness > threshold) this.late++;
        o.fire(this.fired, t);
        this.fired++;
        t = o.clock.now();
      }
    } finally {
      this.firing = false;
    }
  }

  async run(): Promise<PacerResult> {
    const o = this.opts;
    const sleep = o.sleep ?? ((ms: number) => sleepReal(ms));
    const tick = o.tickMs ?? 1;
    while (this.fired < o.count) {
      if (o.signal?.aborted === true) return this.result(true);
      this.fireDue();
      if (this.fired >= o.count) break;
      // Sleep to the next due time, but wake at least every tick to notice the signal.
      await sleep(Math.max(0, Math.min(tick, o.dueAt(this.fired) - o.clock.now())));
    }
    return this.result(false);
  }

  private result(stopped: boolean): PacerResult {
    return { fired: this.fired, late: this.late, totalLatenessMs: this.totalLatenessMs, stopped };
  }
}

export function pace(opts: PacerOptions): Promise<PacerResult> {
  return new Pacer(opts).run();
}
