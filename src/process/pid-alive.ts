/**
 * Whether a process with this PID still runs (signal 0: nothing is sent). A zombie (dead, not yet
 * reaped, as under a PID 1 that does not reap) no longer runs, so it counts as gone.
 */
import { readFileSync } from 'node:fs';

/** Fields 3.. of /proc/<pid>/stat (after the parenthesised command name), or undefined. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const state = statFields(pid)?.[0];
  return state !== undefined && state !== 'Z';
}

/**
 * When the process started, in clock ticks after boot (field 22), or undefined when no such
 * process runs: with the PID, it names one process, never a recycled PID.
 */
export function processStartTicks(pid: number): number | undefined {
  if (!pidAlive(pid)) return undefined;
  const ticks = Number(statFields(pid)?.[19]);
  return Number.isInteger(ticks) ? ticks : undefined;
}
