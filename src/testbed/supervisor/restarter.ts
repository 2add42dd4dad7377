/**
 * The kubelet's restart loop for the testbed's processes: a process that died is started again
 * after its crash back-off (crash-backoff.ts), and a start that fails counts as another crash.
 * While it waits, the process is in CrashLoopBackOff, as `kubectl get pods` would say. Timers are
 * passed in, so tests run on a fake clock.
 */
import type { QueueTimers } from '../../kube/work-queue.js';
import type { ProcessCrash } from '../../measure/process-crash.js';
import { toError } from '../../util/errors.js';
import { CrashBackoff, TESTBED_CRASH_BACKOFF, type CrashBackoffPolicy } from './crash-backoff.js';

export interface RestarterOptions {
  now: () => number;
  timers: QueueTimers;
  policy?: CrashBackoffPolicy;
  log: (message: string) => void;
}

/** A supervised process as the restart loop sees it. */
export interface RestartState {
  /** Starts after a crash, successful or not (the pod's restartCount). */
  restarts: number;
  /** Set while waiting out the back-off before the next start. */
  backoff?: { untilMs: number; delayMs: number } | undefined;
  /** True while a restart is starting the process. */
  starting: boolean;
}

/** running; CrashLoopBackOff while it waits to restart; Restarting while it starts again. */
export type ProcessState = 'running' | 'CrashLoopBackOff' | 'Restarting' | 'exited';

export function processState(r: RestartState, running: boolean): ProcessState {
  if (running) return 'running';
  if (r.backoff !== undefined) return 'CrashLoopBackOff';
  return r.starting ? 'Restarting' : 'exited';
}

interface Entry extends RestartState {
  readonly backoffPolicy: CrashBackoff;
  timer?: unknown;
}

/** The crashes kept for runs to be judged by; a crash loop of hours must not grow without end. */
export const CRASHES_KEPT = 1000;

export class Restarter {
  private readonly entries = new Map<string, Entry>();
  private readonly log: ProcessCrash[] = [];
  private stopped = false;

  constructor(private readonly opts: RestarterOptions) {}

  /**
   * Reports that `name` died after running `ranMs` (its process `exit`, kept in crashes(); a
   * start that failed has none); `start` starts it again (and rejects when the new process does
   * not come up, which is one more crash).
   */
  crashed(
    name: string,
    ranMs: number,
    start: () => Promise<void>,
    exit?: { pid: number; how: string },
  ): void {
    if (this.stopped) return;
    if (exit !== undefined) {
      this.log.push({ process: name, pid: exit.pid, atMs: this.opts.now(), exit: exit.how });
      if (this.log.length > CRASHES_KEPT) this.log.shift();
    }
    const entry = this.entry(name);
    const delayMs = entry.backoffPolicy.delayAfter(ranMs);
    entry.backoff = { untilMs: this.opts.now() + delayMs, delayMs };
    this.opts.timers.clearTimeout(entry.timer);
    entry.timer = this.opts.timers.setTimeout(() => {
      entry.timer = undefined;
      entry.backoff = undefined;
      if (this.stopped) return;
      entry.restarts++;
      entry.starting = true;
      const startedAt = this.opts.now();
      start().then(
        () => {
          entry.starting = false;
        },
        (e: unknown) => {
          entry.starting = false;
          this.opts.log(`${name}: restart failed: ${toError(e).message}`);
          this.crashed(name, this.opts.now() - startedAt, start);
        },
      );
    }, delayMs);
  }

  /** The processes that exited unstopped, oldest first (the last CRASHES_KEPT). */
  crashes(): ProcessCrash[] {
    return [...this.log];
  }

  state(name: string): RestartState {
    const e = this.entries.get(name);
    return e === undefined
      ? { restarts: 0, starting: false }
      : { restarts: e.restarts, backoff: e.backoff, starting: e.starting };
  }

  /** Cancels every pending restart (the testbed is going down). */
  stop(): void {
    this.stopped = true;
    for (const e of this.entries.values()) {
      this.opts.timers.clearTimeout(e.timer);
      e.backoff = undefined;
    }
  }

  private entry(name: string): Entry {
    let e = this.entries.get(name);
    if (e === undefined) {
      e = {
        restarts: 0,
        starting: false,
        backoffPolicy: new CrashBackoff(this.opts.policy ?? TESTBED_CRASH_BACKOFF),
      };
      this.entries.set(name, e);
    }
    return e;
  }
}
