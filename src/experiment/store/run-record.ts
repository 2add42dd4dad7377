/**
 * One line of a sweep's `results.jsonl`: everything known about one run of the Main Experiment.
 * The contract between the experiment runner and the reports. Fields may be added, never dropped
 * or changed incompatibly. A run that failed is recorded too (status "failed" with the error), so
 * a sweep's results always say what happened to every run that was attempted.
 */
import { testSummarySchema } from '../../driver/data-plane/test-summary.js';
import { z } from 'zod';
import {
  latencySetSchema,
  opCountsSchema,
  outcomeCountsSchema,
  phaseSummarySchema,
  populationSchema,
} from '../../driver/drive-summary.js';
import { costTableSchema } from '../../measure/cost-table.js';
import { faultRunSchema } from '../../measure/fault-record.js';
import { hostLoadSchema } from '../../measure/host-load.js';
import { processCrashSchema } from '../../measure/process-crash.js';
import { sloResultSchema } from '../verdict/slo.js';
import { validitySchema } from '../verdict/validity.js';

export const RUN_RECORD_SCHEMA = 'kos-test/run-record/v1';

export const RUN_STATUSES = ['completed', 'failed', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** The independent variables of one run, as numbers (POP already resolved from its multiple of X). */
export const runFactorsSchema = z.object({
  /** Driver ops/s in cruise (creates and deletes both count). */
  OPS: z.number().positive(),
  /** Connection agents. */
  NCA: z.number().int().positive(),
  /** Nominal attachments in cruise: the level (k times X); the VN shape drives drive.population.slots. */
  POP: z.number().int().positive(),
  /** Network-apiservers. */
  NNA: z.number().int().positive(),
  /** Kube-apiservers. */
  NKA: z.number().int().positive(),
});

/** Planned phase durations in seconds (warm-up = POP creates, cool-down = POP deletes). */
export const phaseDurationsSchema = z.object({
  warmupS: z.number().nonnegative(),
  cruiseS: z.number().positive(),
  cooldownS: z.number().nonnegative(),
});

/** The key numbers of one phase from the driver's summary. */
export const phaseKeysSchema = phaseSummarySchema
  .pick({ window: true, targetRate: true, achievedRate: true, ops: true, outcomes: true })
  .extend({
    /** achievedRate / targetRate (null when the target is 0). */
    achievedRatio: z.number().nonnegative().nullable(),
  });

export const driveKeysSchema = z.object({
  runId: z.string(),
  namespace: z.string(),
  ending: z.enum(['completed', 'interrupted', 'failed']),
  /** The driver's population as built: slots is the POP actually driven. */
  population: populationSchema,
  clock: z.object({
    offsetMs: z.number(),
    uncertaintyMs: z.number().nonnegative(),
    /** The summary's: the wall clock's step during the run (absent in older records). */
    wallStepMs: z.number().optional(),
  }),
  startedMs: z.number(),
  endedMs: z.number(),
  warmup: phaseKeysSchema,
  /** The dependent variables are computed over this phase only. */
  cruise: phaseKeysSchema.extend({ latency: latencySetSchema }),
  cooldown: phaseKeysSchema,
  total: z.object({ ops: opCountsSchema, outcomes: outcomeCountsSchema }),
  deletes: z.object({
    attempted: z.number().int().nonnegative(),
    succeeded: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    retries: z.number().int().nonnegative(),
  }),
  /** The run's data-plane tests and address checks, when it had any (ADR 0023). */
  tests: testSummarySchema.optional(),
  /** Why the driver stopped the run early (--stop-on-ping-fail, --stop-on-break). */
  stopped: z.object({ reason: z.string(), atMs: z.number() }).optional(),
  /** The faults injected in this run and the recovery measured (ADR 0030); absent: none. */
  faults: faultRunSchema.optional(),
  /** Testbed processes that crashed during the drive (ADR 0035); absent: not known (a cluster). */
  crashes: z.array(processCrashSchema).optional(),
});

/** Wall-clock milliseconds spent in each step of the run (null for a step not reached). */
export const runTimingSchema = z.object({
  startedMs: z.number(),
  endedMs: z.number(),
  configureMs: z.number().nonnegative().nullable(),
  driveMs: z.number().nonnegative().nullable(),
  costsMs: z.number().nonnegative().nullable(),
  cleanupMs: z.number().nonnegative().nullable(),
});

export const runRecordSchema = z.object({
  schema: z.literal(RUN_RECORD_SCHEMA),
  /** The sweep this run belongs to (the sweep directory's id) and the spec's hash. */
  sweepId: z.string(),
  specHash: z.string(),
  /** Unique within the sweep; also the driver's runid and namespace. */
  runId: z.string(),
  /** Stable identity of the run in its sweep, `c<cell>-r<replicate>` (what --resume matches). */
  key: z.string(),
  /**
   * 0 for the first try; a run interrupted (by a crash or ^C), or failed or invalid and retried
   * (--retry-failed), is re-done as attempt 1, 2, ...: each attempt keeps its own record and runs/ dir.
   */
  attempt: z.number().int().nonnegative(),
  /** Position in the run order (0-based) and the replicate number (0-based) of its cell. */
  index: z.number().int().nonnegative(),
  replicate: z.number().int().nonnegative(),
  /** Index of the factorial cell (same for all replicates of one factor combination). */
  cell: z.number().int().nonnegative(),
  factors: runFactorsSchema,
  /** The level of factors.faults (a scenario name, or none). Older records lack it (= none). */
  fault: z.string().optional(),
  /** The unit of POP levels, and this run's POP as a multiple of it (POP level "3X" -> 3). */
  X: z.number().int().positive(),
  popMultiple: z.number().positive(),
  target: z.enum(['testbed', 'cluster']),
  phases: phaseDurationsSchema,
  /** What the driver was asked to do: total creates, ops/s, and the solved VN shape. */
  driver: z.object({
    numAttachments: z.number().int().positive(),
    rate: z.number().positive(),
    /** Warm-up and cool-down ops/s (POP / their durations); older records lack them (= rate). */
    warmupRate: z.number().positive().optional(),
    cooldownRate: z.number().positive().optional(),
    numNets: z.number().int().positive(),
    topNetSize: z.number().int().positive(),
    exponent: z.number(),
    bias: z.number(),
    distribution: z.enum(['steady', 'poisson']),
    shards: z.number().int().positive(),
  }),
  /**
   * completed or failed; interrupted: the sweep was stopped (^C) during the run, which holds what
   * it measured until then and is re-done by --resume (a later record of its key supersedes it).
   */
  status: z.enum(RUN_STATUSES),
  /** The error's one-line text when status is "failed" or "interrupted"; null otherwise. */
  error: z.string().nullable(),
  /** Null when the driver did not produce a summary (the run failed before or during it). */
  drive: driveKeysSchema.nullable(),
  /** Costs over the cruise window; null when they could not be collected (see costsError). */
  costs: costTableSchema.nullable(),
  costsError: z.string().nullable(),
  timing: runTimingSchema,
  /** Directory of this run's outputs, relative to the sweep directory (runs/<runId>). */
  dir: z.string(),
  /** The host's load over the cruise window; null when not sampled. Older records lack it. */
  host: hostLoadSchema.nullable().optional(),
  /** valid | invalid | failed, and why (validity.ts). Older records lack it: readers judge them. */
  validity: validitySchema.optional(),
  /** The spec's SLOs that apply to this run's cell, judged. Older records lack it. */
  slos: z.array(sloResultSchema).optional(),
});

export type RunFactors = z.infer<typeof runFactorsSchema>;
export type PhaseDurations = z.infer<typeof phaseDurationsSchema>;
export type PhaseKeys = z.infer<typeof phaseKeysSchema>;
export type DriveKeys = z.infer<typeof driveKeysSchema>;
export type RunTiming = z.infer<typeof runTimingSchema>;
export type RunRecord = z.infer<typeof runRecordSchema>;
