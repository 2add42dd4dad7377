/**
 * Whether a process with this PID still runs (signal 0: nothing is sent). A zombie (dead, not yet
 * reaped, as under a PID 1 that does not reap) no longer runs, so it counts as gone.
 */
import { readFileSync } from 'node:fs';

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * When the process started, in clock ticks after boot (field 22 of /proc/<pid>/stat), or
 * undefined when no such process runs: with the PID, it names one process, never a recycled PID.
 */
export function processStartTicks(pid: number): number | undefined {
  if (!pidAlive(pid)) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    return Number.isInteger(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}
