/**
 * Open-loop pacing: one timer that wakes every millisecond and fires every operation that has
 * come due, never waiting for earlier ones to finish (one timer per operation drifts badly; see
 * machine-facts.md). How late each operation fired is recorded, so a driver that fell behind shows.
 */
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

/** Operations due `elapsedMs` after the start at `ratePerSecond` (the first is due at once). */
export function dueBy(elapsedMs: number, ratePerSecond: number, total: number): number {
  if (elapsedMs < 0) return 0;
  return Math.min(total, Math.floor((elapsedMs * ratePerSecond) / 1000) + 1);
}

export function pace(opts: PaceOptions): Promise<PaceResult> {
  const now = opts.nowMs ?? (() => performance.now());
  const total = Math.round(opts.ratePerSecond * opts.seconds);
  const interval = 1000 / opts.ratePerSecond;
  const lateness = latencyHistogram();
  const start = now();
  let fired = 0;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      try {
        const t = now();
        const due = dueBy(t - start, opts.ratePerSecond, total);
        while (fired < due) {
          lateness.recordValue(Math.max(0, Math.round((t - (start + fired * interval)) * 1000)));
          fired++;
          opts.fire();
        }
        if (fired >= total) {
          resolve({ fired, seconds: (t - start) / 1000, lateness });
          return;
        }
        setTimeout(tick, opts.tickMs ?? 1);
      } catch (e: unknown) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    };
    tick();
  });
}
