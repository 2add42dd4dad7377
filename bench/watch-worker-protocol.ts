/**
 * What passes between watch-fanout and its watch-holding worker processes: the spec the parent
 * writes to the worker's directory, the ready file the worker writes back, and the JSON of the
 * worker's control endpoints (POST /reset, GET /stats, GET /report on 127.0.0.1).
 */
import { z } from 'zod';

export const workerSpecSchema = z.object({
  /** The napi, e.g. http://127.2.0.1:41234 */
  api: z.string(),
  namespace: z.string(),
  /** Watches start after this version, so they replay nothing. */
  resourceVersion: z.string(),
  watches: z.array(z.object({ kind: z.enum(['node', 'vni']), fieldSelector: z.string() })),
  /** Watches being opened at once. @default 100 */
  openConcurrency: z.number().int().positive().default(100),
});
export type WorkerSpec = z.input<typeof workerSpecSchema>;

export const workerReadySchema = z.object({
  pid: z.number().int(),
  /** Port of the control server on 127.0.0.1. */
  port: z.number().int(),
  opened: z.number().int(),
  failed: z.number().int(),
  firstError: z.string().optional(),
});
export type WorkerReady = z.infer<typeof workerReadySchema>;

const byType = z.object({ ADDED: z.number(), MODIFIED: z.number(), DELETED: z.number() });

/** Counters since the last reset; cheap enough to poll while waiting for deliveries. */
export const workerStatsSchema = z.object({
  delivered: z.object({ node: byType, vni: byType }),
  bookmarks: z.number(),
  errors: z.number(),
  /** Watch streams that ended (since start, not reset): each one is a lost watch. */
  ended: z.number(),
  /** Events without a server write stamp to measure from. */
  unstamped: z.number(),
  /** Events received before their stamp (clock trouble); recorded as 0. */
  negative: z.number(),
  firstError: z.string().optional(),
});
export type WorkerStats = z.infer<typeof workerStatsSchema>;

export const workerReportSchema = workerStatsSchema.extend({
  /** HDR histograms of delivery latency in microseconds, compressed base64, per kind of watch. */
  latency: z.object({ node: z.string(), vni: z.string() }),
  cpuSeconds: z.number(),
  rssBytes: z.number(),
});
export type WorkerReport = z.infer<typeof workerReportSchema>;
