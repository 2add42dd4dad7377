/**
 * A process that paces load asks the kernel to run it ahead of others when it may (root or
 * CAP_SYS_NICE), ADR 0038. On a saturated machine the fair scheduler makes a process that uses
 * more CPU than its share wait on the run queue: the driver uses several times the CPU of the
 * pacer alone, so its ops waited there for milliseconds while its event loop was idle. Spawned
 * kos-test processes lead their own session, which the kernel schedules as one autogroup: its nice
 * is what counts against the other processes' groups. The thread nice counts when autogroups are
 * off. A process that does not lead its session (started from a shell) leaves the session's group
 * alone, since the shell and everything else in it would keep the raised priority.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The nice the pacing processes (the driver and its pacer-alone reference) ask for. */
export const PACING_NICE = -10;

export interface PacingPriority {
  /** The session's autogroup was given PACING_NICE. */
  autogroup: boolean;
  /** The main thread was given PACING_NICE. */
  thread: boolean;
}

/** Field 6 of /proc/self/stat (after the parenthesised command name) is the session id. */
function leadsOwnSession(): boolean {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[3]) === process.pid;
  } catch {
    return false;
  }
}

/** Raises what it may (each step is skipped when not permitted) and says what it got. */
export function raisePacingPriority(): PacingPriority {
  let autogroup = false;
  if (leadsOwnSession()) {
    try {
      writeFileSync('/proc/self/autogroup', String(PACING_NICE));
      autogroup = true;
    } catch {
      // No CAP_SYS_NICE, or a kernel without autogroups.
    }
  }
  let thread = false;
  try {
    setPriority(PACING_NICE);
    thread = true;
  } catch {
    // No CAP_SYS_NICE.
  }
  return { autogroup, thread };
}

/** One line for the run's log. */
export function pacingPriorityText(p: PacingPriority): string {
  if (!p.autogroup && !p.thread)
    return 'pacing at normal priority (no CAP_SYS_NICE): on a busy machine the run queue adds to lateness';
  return `pacing at nice ${PACING_NICE} (${[p.autogroup ? 'session group' : '', p.thread ? 'main thread' : ''].filter((x) => x !== '').join(' and ')})`;
}
