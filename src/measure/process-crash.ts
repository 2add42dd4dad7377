/**
 * A testbed process that exited when nobody stopped it (the supervisor then restarts it, ADR
 * 0028), as a run records it, and which of a run's crashes were not its injected kills (pure).
 */
import { z } from 'zod';
import type { FaultRun } from './fault-record.js';

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
 * The crashes inside `window` that no injected kill explains. A kill is matched by the PID it
 * signalled, so the same process crashing again after its restart (a new PID) is unplanned.
 */
export function unplannedCrashes(
  crashes: readonly ProcessCrash[],
  faults: FaultRun | undefined,
  window: { startMs: number; endMs: number },
): ProcessCrash[] {
  const killed = new Set(
    (faults?.events ?? []).filter((e) => e.action === 'kill' && e.injectedMs !== null).map((e) => e.pid),
  );
  return crashes.filter((c) => c.atMs >= window.startMs && c.atMs <= window.endMs && !killed.has(c.pid));
}

/** A run's summary with the crashes from its start to its end; as given when they are unknown. */
export function withCrashes<T extends { startedMs: number; endedMs: number }>(
  run: T,
  crashes: readonly ProcessCrash[] | undefined,
): T & { crashes?: ProcessCrash[] } {
  if (crashes === undefined) return run;
  return { ...run, crashes: crashes.filter((c) => c.atMs >= run.startedMs && c.atMs <= run.endedMs) };
}
