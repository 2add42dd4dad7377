/**
 * `summary.json` of one driver run (or of merged shards): the contract between the driver, `kos-test
 * merge`, the experiment runner and the reports. Every count here is exact; latencies are
 * mergeable HDR histograms (measurement.md). The driver may add fields; it may not drop these.
 */
import { z } from 'zod';
import { faultRunSchema } from '../measure/fault-record.js';
import { latencyStatsSchema } from '../measure/latency-stats.js';
import { processCrashSchema } from '../measure/process-crash.js';
import { phaseWindowSchema } from '../measure/phase-window.js';
import { testSummarySchema } from './data-plane/test-summary.js';

/** The latency distributions of measurement.md, each over one set of attachments or ops. */
export const latencySetSchema = z.object({
  /** Primary: status.impl seen by the driver's watch minus the create's planned time. */
  fulfilmentFromPlanned: latencyStatsSchema,
  /** The same end minus the moment just before the create request was written. */
  fulfilmentFromSent: latencyStatsSchema,
  /** serverTime(status.impl) - sent, corrected by the measured clock offset. */
  serverFulfilment: latencyStatsSchema,
  /** status.ipv4 first seen minus sent. */
  createToAddressed: latencyStatsSchema,
  /** Create call: sent to response. */
  createCall: latencyStatsSchema,
  /** Delete call: sent to response (last try). */
  deleteCall: latencyStatsSchema,
  /** Schedule lateness of every op: sent - planned. */
  lateness: latencyStatsSchema,
});

/** Every create attempt ends in exactly one of these: attempted = the sum of the other four. */
export const outcomeCountsSchema = z.object({
  attempted: z.number().int().nonnegative(),
  fulfilled: z.number().int().nonnegative(),
  broken: z.number().int().nonnegative(),
  /** Created, but neither fulfilled nor broken within the grace time. */
  neverFulfilled: z.number().int().nonnegative(),
  createFailed: z.number().int().nonnegative(),
});

export const opCountsSchema = z.object({
  /** Ops in the precomputed schedule for this phase. */
  planned: z.number().int().nonnegative(),
  /** Ops whose request was sent. */
  issued: z.number().int().nonnegative(),
  creates: z.number().int().nonnegative(),
  deletes: z.number().int().nonnegative(),
  /** Ops sent more than the lateness threshold after their planned time. */
  late: z.number().int().nonnegative(),
  /** Planned ops never sent (cruise ended by ^C, or a slot whose create failed). */
  dropped: z.number().int().nonnegative(),
  /**
   * Ops (of any phase) issued inside this phase's window (a create that then waited for a free
   * connection counts at its issue): what achievedRate divides by the window's length, so a
   * driver that fell behind shows as a lower rate.
   */
  sentInWindow: z.number().int().nonnegative().optional(),
});

export const phaseSummarySchema = z.object({
  window: phaseWindowSchema,
  ops: opCountsSchema,
  /** Planned ops/s in this phase and what was achieved (issued / window length). */
  targetRate: z.number().nonnegative(),
  achievedRate: z.number().nonnegative(),
  /**
   * The rate this phase's gaps were drawn at (--rate, --warmup-rate, --cooldown-rate), ops/s,
   * divided by the shard count; merged: summed. Steady: equals targetRate. Added in v1 (ADR 0016):
   * older summaries lack it.
   */
  nominalRate: z.number().positive().optional(),
  /** Outcomes of the creates planned in this phase. */
  outcomes: outcomeCountsSchema,
  latency: latencySetSchema,
});

/** The driver's population as built. */
export const populationSchema = z.object({
  numNets: z.number().int().positive(),
  /** Sum of the VN sizes: the nominal cruise population (POP). */
  slots: z.number().int().positive(),
  avgPeers: z.number().nonnegative(),
  subnets: z.number().int().nonnegative(),
});

/**
 * How far the system's wall clock moved against its monotonic clock from the run's clock anchor
 * to its end, ms: zero unless the wall clock was stepped (NTP, a VM resumed, settimeofday). The
 * run's windows are in anchored time, while Prometheus and the host sampler stamp wall time.
 * Absent in summaries written before it was measured.
 */
const wallStepMs = z.number().optional();

export const shardClockSchema = z.object({
  index: z.number().int().nonnegative(),
  offsetMs: z.number(),
  uncertaintyMs: z.number().nonnegative(),
  samples: z.number().int().nonnegative(),
  wallStepMs,
});

export const driveSummarySchema = z.object({
  schema: z.literal('kos-test/drive-summary/v1'),
  runId: z.string(),
  namespace: z.string(),
  /** This run's slice; merged summaries list every index they hold. */
  shard: z.object({ indices: z.array(z.number().int().nonnegative()), count: z.number().int().positive() }),
  /** The driver's options as resolved (flags and defaults), for the record. */
  config: z.record(z.string(), z.unknown()),
  population: populationSchema,
  clock: z.object({
    /** Driver wall clock minus apiserver clock, estimated from round trips. */
    offsetMs: z.number(),
    /** Half the round trip of the best sample: the offset is within +-this. */
    uncertaintyMs: z.number().nonnegative(),
    samples: z.number().int().nonnegative(),
    /** Merged summaries: the largest of the shards' steps. */
    wallStepMs,
    /**
     * Merged summaries only: each shard's own estimate (shards may run on different machines).
     * The merged offset +- uncertainty then covers every shard's interval.
     */
    shards: z.array(shardClockSchema).optional(),
  }),
  /** Start of the whole run and its end (after the grace wait), Date.now() milliseconds. */
  startedMs: z.number(),
  endedMs: z.number(),
  /** How the run ended: as planned, cut short by ^C (cruise ended early), or by an error. */
  ending: z.enum(['completed', 'interrupted', 'failed']),
  phases: z.object({
    warmup: phaseSummarySchema,
    cruise: phaseSummarySchema,
    cooldown: phaseSummarySchema,
  }),
  /** All phases together; its achievedRate is issued ops from the first op to the last answer. */
  total: phaseSummarySchema.omit({ window: true }),
  deletes: z.object({
    attempted: z.number().int().nonnegative(),
    succeeded: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    retries: z.number().int().nonnegative(),
  }),
  /**
   * Attachments whose delete failed after every retry: left on the target (ending `failed`),
   * with the command that deletes them. Added by ADR 0028.
   */
  leftovers: z
    .object({
      attachments: z.number().int().positive(),
      /** The first few names. */
      names: z.array(z.string()),
      cleanup: z.string(),
    })
    .optional(),
  /** Data-plane tests (--test-fraction > 0) and address checks. Added by ADR 0023. */
  tests: testSummarySchema.optional(),
  /**
   * Why the driver stopped early on its own (--stop-on-ping-fail, --stop-on-break), as the
   * original does: no more ops, objects left for inspection; `ending` is then `interrupted`.
   */
  stopped: z.object({ reason: z.string(), atMs: z.number() }).optional(),
  /** Faults injected during the run, their recovery and the attachments hurt (ADR 0030). */
  faults: faultRunSchema.optional(),
  /**
   * Testbed processes that crashed (exited unstopped) from the drive's start to its end, as the
   * testbed's supervisor saw them; absent: not known (no testbed). Added by ADR 0035.
   */
  crashes: z.array(processCrashSchema).optional(),
});

export type DriveSummary = z.infer<typeof driveSummarySchema>;
export type PhaseSummary = z.infer<typeof phaseSummarySchema>;
export type OutcomeCounts = z.infer<typeof outcomeCountsSchema>;
export type OpCounts = z.infer<typeof opCountsSchema>;
export type LatencySet = z.infer<typeof latencySetSchema>;
