/**
 * Timing helpers shared by the benchmarks: HDR latency histograms (recorded in microseconds,
 * reported in milliseconds), their summaries, and waiting for a condition with a deadline.
 */
import * as hdr from 'hdr-histogram-js';
import { setTimeout as sleep } from 'node:timers/promises';

export type Histogram = hdr.Histogram;

/** Microseconds from 1 us to 10 minutes at 3 significant digits; larger values widen it. */
export function latencyHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000_000,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeHistogram(base64: string): Histogram {
  return hdr.decodeFromCompressedBase64(base64, 32, false);
}

/** One histogram holding every value of `parts` (exact: HDR merges bucket by bucket). */
export function mergeHistograms(parts: readonly Histogram[]): Histogram {
  const merged = latencyHistogram();
  for (const p of parts) merged.add(p);
  return merged;
}

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
