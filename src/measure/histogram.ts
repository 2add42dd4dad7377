/**
 * HDR latency histograms, the one implementation every part of kos-test records into: values in
 * microseconds, 1 us .. 1 h at 3 significant digits (measurement.md), widening by itself if a
 * larger value comes. Merging adds bucket by bucket, so merged shards are exact.
 */
import * as hdr from 'hdr-histogram-js';
import type { LatencyStats } from './latency-stats.js';

export type Histogram = hdr.Histogram;

const ONE_HOUR_US = 3_600_000_000;

export function latencyHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: ONE_HOUR_US,
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

/** One histogram holding every value of `parts`. */
export function mergeHistograms(parts: readonly Histogram[]): Histogram {
  const merged = latencyHistogram();
  for (const p of parts) merged.add(p);
  return merged;
}

/** Records a duration given in milliseconds (clamped at 0: the monotonic clock never runs back). */
export function recordMs(h: Histogram, ms: number): void {
  h.recordValue(Math.max(0, Math.round(ms * 1000)));
}

/** The stats every output carries, in milliseconds, with the histogram for exact merging. */
export function latencyStats(h: Histogram): LatencyStats {
  const count = h.totalCount;
  // HDR answers a bucket's highest equivalent value, which can exceed the largest recorded one.
  const at = (p: number): number | null =>
    count === 0 ? null : Math.min(h.getValueAtPercentile(p), h.maxValue) / 1000;
  return {
    count,
    minMs: count === 0 ? null : h.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 0 : h.minNonZeroValue / 1000,
    meanMs: count === 0 ? null : h.mean / 1000,
    p50Ms: at(50),
    p90Ms: at(90),
    p99Ms: at(99),
    p999Ms: at(99.9),
    maxMs: count === 0 ? null : h.maxValue / 1000,
    histogram: encodeHistogram(h),
  };
}
