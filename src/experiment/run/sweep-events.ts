/** What the runner reports as it goes: one union, shown on a TTY or written as JSON lines. */
import type { DrivePhase } from '../../driver/run-drive.js';
import type { RunFactors, RunStatus } from '../store/run-record.js';
import type { ValidityStatus } from '../verdict/validity.js';

export type RunStep = 'configure' | 'samples' | 'idle' | 'drive' | 'costs' | 'cleanup' | 'record';

export type SweepEvent =
  | {
      kind: 'sweep-start';
      sweepId: string;
      dir: string;
      runs: number;
      todo: number;
      estimatedS: number;
      seed: number | null;
    }
  | { kind: 'run-skip'; index: number; key: string; reason: string }
  | {
      kind: 'run-start';
      index: number;
      runId: string;
      key: string;
      factors: RunFactors;
      estimatedS: number;
      attempt: number;
    }
  | { kind: 'step'; index: number; step: RunStep }
  /** The driver's phase while the drive step runs. */
  | { kind: 'drive-phase'; index: number; phase: DrivePhase }
  /** A clock tick (every second on a terminal): redraws the status line with a fresh ETA. */
  | { kind: 'tick' }
  | {
      kind: 'run-end';
      index: number;
      runId: string;
      status: RunStatus;
      error: string | null;
      achievedRatio: number | null;
      validity: ValidityStatus;
      /** Codes of the failed validity checks, and the SLOs the run did not pass. */
      reasons: string[];
      slosFailed: string[];
      seconds: number;
    }
  | { kind: 'message'; text: string }
  | {
      kind: 'sweep-end';
      completed: number;
      failed: number;
      skipped: number;
      /** Validity of the runs done in this call (skipped ones not counted). */
      valid: number;
      invalid: number;
      dir: string;
    };
