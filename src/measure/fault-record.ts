/**
 * What a run with injected faults measured (the contract of faults.json, the driver summary's
 * `faults` and the run record's `drive.faults`): each fault's times, its time to recover and
 * the attachments it affected. recovery.ts computes it; docs/adr/0030-faults-factor.md defines it.
 */
import { z } from 'zod';

export const FAULT_ACTIONS = ['kill', 'stop', 'delay', 'partition'] as const;
export type FaultAction = (typeof FAULT_ACTIONS)[number];

export const affectedSchema = z.object({
  /** Fulfilled, but later than the pre-fault p99. */
  delayed: z.number().int().nonnegative(),
  /** Not fulfilled at all (never, broken or create failed). */
  neverFulfilled: z.number().int().nonnegative(),
  /** Names of the affected attachments, the first AFFECTED_NAMES_KEPT of them. */
  names: z.array(z.string()),
});
export type Affected = z.infer<typeof affectedSchema>;

export const faultEventSchema = z.object({
  action: z.enum(FAULT_ACTIONS),
  /** The kind of process hit (napi, nctrl, kctrl, kube-front, agent-group, netcd, ketcd). */
  target: z.string(),
  /** Which one of its kind (0-based, in name order). */
  index: z.number().int().nonnegative(),
  /** The process hit, and its PID; empty and 0 when the injection failed. */
  process: z.string(),
  pid: z.number().int().nonnegative(),
  /** A delay: the one-way latency added, ms (ADR 0034); absent for the other actions. */
  delayMs: z.number().positive().optional(),
  /** Wall-clock epoch ms: planned, done (signal sent, relay set), ended (SIGCONT sent or network
   * healed; a kill: = injected). */
  plannedMs: z.number(),
  injectedMs: z.number().nullable(),
  endedMs: z.number().nullable(),
  /** Why the fault could not be injected; null when it was. */
  error: z.string().nullable(),
  /** From injection to the start of the first run of fulfilments back within the pre-fault p99. */
  recoveryMs: z.number().nonnegative().nullable(),
  recoveredAtMs: z.number().nullable(),
  /** Attachments planned from injection until recovery (or the window's end) that it hurt. */
  affected: affectedSchema,
});
export type FaultEvent = z.infer<typeof faultEventSchema>;

export const faultRunSchema = z.object({
  /** The spec's name of the fault scenario (drive --fault: the flag's text). */
  scenario: z.string(),
  /** p99 of fulfilment from planned over the cruise before the first fault, and its sample. */
  baselineP99Ms: z.number().nonnegative().nullable(),
  baselineCount: z.number().int().nonnegative(),
  /** Consecutive attachments within the baseline p99 that mark recovery. */
  recoveryRun: z.number().int().positive(),
  events: z.array(faultEventSchema),
  /** The longest recovery of the run's faults; null when one never recovered or none was measured. */
  recoveryMs: z.number().nonnegative().nullable(),
  /** Whether the run measures recovery, and why not when it does not. */
  recoveryMeasurable: z.boolean(),
  note: z.string(),
});
export type FaultRun = z.infer<typeof faultRunSchema>;
