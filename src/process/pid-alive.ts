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
