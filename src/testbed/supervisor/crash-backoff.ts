/**
 * The kubelet's crash back-off for one pod (pure): the wait before restarting a container that
 * died doubles from an initial delay up to a cap, and starts over once the container has run
 * stably. Kubernetes uses 10 s doubling to 5 min, reset after 10 min (twice the cap); the testbed's
 * processes start in under a second and its runs last minutes, so it uses 0.5 s doubling to 8 s,
 * reset after 16 s (ADR 0028).
 */

export interface CrashBackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** A process that ran this long before it died gets the initial delay again. */
  stableAfterMs: number;
}

export const TESTBED_CRASH_BACKOFF: CrashBackoffPolicy = {
  initialMs: 500,
  maxMs: 8000,
  stableAfterMs: 16_000,
};

export class CrashBackoff {
  private nextMs: number;

  constructor(private readonly policy: CrashBackoffPolicy = TESTBED_CRASH_BACKOFF) {
    this.nextMs = policy.initialMs;
  }

  /** The wait before the next start of a process that ran `ranMs` before it died. */
  delayAfter(ranMs: number): number {
    if (ranMs >= this.policy.stableAfterMs) this.nextMs = this.policy.initialMs;
    const delay = this.nextMs;
    this.nextMs = Math.min(this.nextMs * 2, this.policy.maxMs);
    return delay;
  }
}
