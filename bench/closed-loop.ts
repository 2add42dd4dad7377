/**
 * Closed-loop load: `concurrency` loops, each starting its next operation when the previous one
 * ends, through a warm-up and then a measured window. Throughput counts the operations that
 * complete inside the window; latency is recorded for those same operations.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { toError } from '../src/util/errors.js';
import { latencyHistogram, monoMs, type Histogram } from './bench-kit.js';

export interface ClosedLoopOptions {
  concurrency: number;
  warmupSeconds: number;
  seconds: number;
  /** One operation; `seq` is unique across all loops. A throw counts as a failure. */
  op: (seq: number) => Promise<void>;
  /** Called as the measured window opens (e.g. to sample CPU). */
  onWindowStart?: () => void;
  /** Called as it closes, before waiting for operations still in flight. */
  onWindowEnd?: () => void;
}

export interface ClosedLoopResult {
  /** Operations that succeeded within the window. */
  completed: number;
  /** Operations that failed within the window. */
  failed: number;
  firstError: string | undefined;
  /** Measured window length. */
  seconds: number;
  /** Microseconds, of the operations that succeeded within the window. */
  latency: Histogram;
}

export async function runClosedLoop(opts: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const latency = latencyHistogram();
  let seq = 0;
  let windowStart = Infinity;
  let windowEnd = Infinity;
  let stopped = false;
  let completed = 0;
  let failed = 0;
  let firstError: string | undefined;
  const loop = async (): Promise<void> => {
    while (!stopped) {
      const began = monoMs();
      let error: Error | undefined;
      try {
        await opts.op(seq++);
      } catch (e: unknown) {
        error = toError(e);
      }
      const ended = monoMs();
      if (ended < windowStart || ended > windowEnd) continue;
      if (error === undefined) {
        completed++;
        latency.recordValue(Math.max(1, Math.round((ended - began) * 1000)));
      } else {
        failed++;
        firstError ??= error.message;
      }
    }
  };
  const loops = Array.from({ length: opts.concurrency }, loop);
  await sleep(opts.warmupSeconds * 1000);
  opts.onWindowStart?.();
  windowStart = monoMs();
  await sleep(opts.seconds * 1000);
  windowEnd = monoMs();
  stopped = true;
  opts.onWindowEnd?.();
  await Promise.all(loops);
  return { completed, failed, firstError, seconds: (windowEnd - windowStart) / 1000, latency };
}
