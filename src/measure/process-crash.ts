/**
 * A testbed process that exited when nobody stopped it (the supervisor then restarts it, ADR
 * 0028), as a run records it, which of a run's crashes were not its injected kills, and in which
 * part of the run each fell (pure).
 */
import { z } from 'zod';
import type { FaultRun } from './fault-record.js';
import type { PhaseWindow } from './phase-window.js';

export const processCrashSchema = z.object({
  /** The process as `testbed status` names it (napi1, comp-group0, netcd1...). */
  process: z.string(),
  pid: z.number().int().positive(),
  /** Wall-clock epoch ms the supervisor saw it exit. */
  atMs: z.number(),
  /** How it ended: the signal (SIGKILL) or `code <n>`. */
  exit: z.string(),
});
export type ProcessCrash = z.infer<typeof processCrashSchema>;

/**
 * The run's crashes (withCrashes: its start to its end) that no injected kill explains. A kill is
 * matched by the PID it signalled, so the same process crashing again after its restart (a new
 * PID) is unplanned.
 */
export function unplannedCrashes(
  crashes: readonly ProcessCrash[],
  faults: FaultRun | undefined,
): ProcessCrash[] {
  const killed = new Set(
    (faults?.events ?? []).filter((e) => e.action === 'kill' && e.injectedMs !== null).map((e) => e.pid),
  );
  return crashes.filter((c) => !killed.has(c.pid));
}

/** The parts of a drive, as a crash's reason names them: before, in and after its three phases. */
export type RunPart = 'set-up' | 'warm-up' | 'cruise' | 'cool-down' | 'clean-up';

/**
 * Which part of the run `atMs` fell in and how far into it (ms): before the warm-up is the
 * drive's set-up (from `startedMs`), after the cool-down its clean-up. The cruise keeps both its
 * ends, as the run's cruise figures do.
 */
export function runPartAt(
  atMs: number,
  run: { startedMs: number; warmup: PhaseWindow; cruise: PhaseWindow; cooldown: PhaseWindow },
): { part: RunPart; intoMs: number } {
  const { warmup, cruise, cooldown } = run;
  if (atMs < warmup.startMs) return { part: 'set-up', intoMs: atMs - run.startedMs };
  if (atMs < cruise.startMs) return { part: 'warm-up', intoMs: atMs - warmup.startMs };
  if (atMs <= cruise.endMs) return { part: 'cruise', intoMs: atMs - cruise.startMs };
  if (atMs <= cooldown.endMs) return { part: 'cool-down', intoMs: atMs - cooldown.startMs };
  return { part: 'clean-up', intoMs: atMs - cooldown.endMs };
}

/** A run's summary with the crashes from its start to its end; as given when they are unknown. */
export function withCrashes<T extends { startedMs: number; endedMs: number }>(
  run: T,
  crashes: readonly ProcessCrash[] | undefined,
): T & { crashes?: ProcessCrash[] } {
  if (crashes === undefined) return run;
  return { ...run, crashes: crashes.filter((c) => c.atMs >= run.startedMs && c.atMs <= run.endedMs) };
}
