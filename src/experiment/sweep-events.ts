/** What the runner reports as it goes: one union, shown on a TTY or written as JSON lines. */
import type { DrivePhase } from '../driver/run-drive.js';
import type { RunFactors } from './run-record.js';

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
      status: 'completed' | 'failed';
      error: string | null;
      achievedRatio: number | null;
      seconds: number;
    }
  | { kind: 'message'; text: string }
  | { kind: 'sweep-end'; completed: number; failed: number; skipped: number; dir: string };
