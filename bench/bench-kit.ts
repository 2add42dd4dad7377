/**
 * Timing helpers shared by the benchmarks: HDR latency histograms (recorded in microseconds,
 * reported in milliseconds), their summaries, and waiting for a condition with a deadline.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  latencyHistogram,
  encodeHistogram,
  decodeHistogram,
  mergeHistograms,
  type Histogram,
} from '../src/measure/histogram.js';

export { latencyHistogram, encodeHistogram, decodeHistogram, mergeHistograms, type Histogram };

/** A latency distribution as reported: milliseconds, NaN when nothing was recorded. */
export interface LatencySummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

export function summarizeLatency(h: Histogram): LatencySummary {
  const count = h.totalCount;
  if (count === 0) return { count, p50Ms: NaN, p99Ms: NaN, maxMs: NaN, meanMs: NaN };
  return {
    count,
    p50Ms: h.getValueAtPercentile(50) / 1000,
    p99Ms: h.getValueAtPercentile(99) / 1000,
    maxMs: h.maxValue / 1000,
    meanMs: h.mean / 1000,
  };
}

/** Monotonic milliseconds, for durations inside one process. */
export function monoMs(): number {
  return performance.now();
}

/**
 * Polls `done` every `everyMs` until it returns true or `timeoutMs` passes; says which happened.
 */
export async function waitFor(
  done: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 50,
): Promise<boolean> {
  const deadline = monoMs() + timeoutMs;
  for (;;) {
    if (await done()) return true;
    if (monoMs() >= deadline) return false;
    await sleep(everyMs);
  }
}

/** `n` per second over `seconds`; NaN for an empty window. */
export function perSecond(n: number, seconds: number): number {
  return seconds > 0 ? n / seconds : NaN;
}

/** CPU seconds spread over `count` events, in microseconds each; NaN when there were none. */
export function microsEach(cpuSeconds: number, count: number): number {
  return count > 0 ? (cpuSeconds * 1e6) / count : NaN;
}

/** The middle value (the mean of the two middle ones for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}
