/**
 * Merging latency distributions exactly: the histograms are decoded, added bucket by bucket and
 * re-encoded, so the result is the one a single histogram holding every value would give.
 */
import { decodeHistogram, latencyStats, mergeHistograms } from './histogram.js';
import type { LatencyStats } from './latency-stats.js';

/**
 * One LatencyStats for the union of the samples of `parts`. The encoded histogram keeps only
 * buckets, so a decoded one's min and max are bucket edges; the parts carry the exact min and max
 * of their samples, and those are what a single histogram would have reported.
 */
export function mergeLatencyStats(parts: readonly LatencyStats[]): LatencyStats {
  const decoded = parts.map((p) => decodeHistogram(p.histogram));
  const merged = latencyStats(mergeHistograms(decoded));
  if (merged.count === 0) return merged;
  let maxMs = -Infinity;
  // latencyStats reports the smallest non-zero sample (0 only when every sample is 0).
  let minNonZeroMs = Infinity;
  parts.forEach((p, i) => {
    if (p.count === 0) return;
    if (p.maxMs !== null) maxMs = Math.max(maxMs, p.maxMs);
    const hasNonZero = (decoded[i]?.minNonZeroValue ?? Number.MAX_SAFE_INTEGER) !== Number.MAX_SAFE_INTEGER;
    if (hasNonZero && p.minMs !== null) minNonZeroMs = Math.min(minNonZeroMs, p.minMs);
  });
  if (maxMs === -Infinity) maxMs = merged.maxMs ?? 0;
  const clamp = (v: number | null): number | null => (v === null ? null : Math.min(v, maxMs));
  return {
    ...merged,
    minMs: minNonZeroMs === Infinity ? 0 : minNonZeroMs,
    maxMs,
    p50Ms: clamp(merged.p50Ms),
    p90Ms: clamp(merged.p90Ms),
    p99Ms: clamp(merged.p99Ms),
    p999Ms: clamp(merged.p999Ms),
  };
}
