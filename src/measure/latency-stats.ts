/**
 * A latency distribution as every output of kos-test carries it: exact counts, the percentiles
 * the reports show, and the HDR histogram itself (base64, microseconds) so that shards, replicates
 * and reports can merge distributions exactly instead of averaging percentiles.
 */
import { z } from 'zod';

export const latencyStatsSchema = z.object({
  /** Samples recorded. Percentiles are null when it is 0. */
  count: z.number().int().nonnegative(),
  minMs: z.number().nullable(),
  meanMs: z.number().nullable(),
  p50Ms: z.number().nullable(),
  p90Ms: z.number().nullable(),
  p99Ms: z.number().nullable(),
  p999Ms: z.number().nullable(),
  maxMs: z.number().nullable(),
  /** hdr-histogram-js compressed base64 of the values in microseconds (1 us .. 1 h, 3 digits). */
  histogram: z.string(),
});

export type LatencyStats = z.infer<typeof latencyStatsSchema>;
